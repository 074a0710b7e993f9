#!/usr/bin/env bash
# gbtm against R's flexmix on the same data, model and number of starts,
# timed side by side in one run: a Poisson mixture of cubic age curves,
# K = 1..KMAX, 10 starts each. gbtm is timed as the whole process (reading
# the CSV included), flexmix as its stepFlexmix call.
#
# Usage: benches/compare/compare.sh [--install] [DATA.csv [FROM TO [KMAX]]]
# Default data: ../shared/data/crimCV/TO1adj.csv, ages 12-35, K = 1..6.
# --install installs R and flexmix from Debian (apt-get) if R is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [[ "${1:-}" == "--install" ]]; then
    shift
    if ! command -v Rscript >/dev/null; then
        apt-get install -y --no-install-recommends r-base-core r-cran-flexmix
    fi
fi
data="${1:-$root/../shared/data/crimCV/TO1adj.csv}"
from="${2:-12}"; to="${3:-35}"; kmax="${4:-6}"; nrep=10
if ! command -v Rscript >/dev/null || ! Rscript -e 'library(flexmix)' >/dev/null 2>&1; then
    echo "R with flexmix is missing: run with --install (Debian: r-base-core r-cran-flexmix)" >&2
    exit 1
fi
[[ -f "$data" ]] || { echo "no data at $data" >&2; exit 1; }
(cd "$root" && cargo build --release --quiet --bin gbtm)
gbtm="$root/target/release/gbtm"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
echo "data: $data, ages $from-$to, cubic Poisson, $nrep starts; $(nproc) cores; $(date -u +%F)"
for k in $(seq 1 "$kmax"); do
    t0=$(date +%s.%N)
    "$gbtm" fit --data "$data" --ages "$from:$to" --groups "$k" --order 3 --starts "$nrep" \
        --json > "$tmp/g$k.json"
    t1=$(date +%s.%N)
    echo "$k $(echo "$t1 - $t0" | bc) $(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['log_likelihood'])" "$tmp/g$k.json")" >> "$tmp/gbtm.txt"
done
Rscript "$here/flexmix.R" "$data" "$from" "$to" "$kmax" "$nrep" > "$tmp/flexmix.txt"
head -1 "$tmp/flexmix.txt"
printf "%2s  %10s  %12s  %8s  %16s  %16s  %s\n" K "gbtm s" "flexmix s" ratio "gbtm LL" "flexmix LL" "LL gbtm - flexmix"
paste -d' ' "$tmp/gbtm.txt" <(grep '^K ' "$tmp/flexmix.txt") | awk '
{ k=$1; gs=$2; gl=$3; fs=$7; fl=$9; G+=gs; F+=fs;
  printf "%2d  %10.3f  %12.3f  %8.0f  %16.6f  %16.6f  %+.6f\n", k, gs, fs, fs/gs, gl, fl, gl-fl }
END { printf "all %9.3f  %12.3f  %8.0f\n", G, F, F/G }'
