## flexmix side of benches/compare/compare.sh: a Poisson mixture of cubic
## age curves, persons as units, by stepFlexmix with `nrep` starts per K.
## Prints one line per K: "K <k> seconds <s> loglik <ll>" (ln y! included).
## Usage: Rscript flexmix.R DATA.csv FROM TO KMAX NREP
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]; from <- as.integer(args[2]); to <- as.integer(args[3])
kmax <- as.integer(args[4]); nrep <- as.integer(args[5])
suppressPackageStartupMessages(library(flexmix))
d <- read.csv(path, check.names = FALSE, na.strings = c("", "NA", "."))
if (!("id" %in% names(d))) d <- cbind(id = seq_len(nrow(d)), d)
ages <- as.integer(sub("^[^0-9]*", "", names(d)[-1]))
keep <- which(ages >= from & ages <= to)
y <- as.matrix(d[, 1 + keep]); ages <- ages[keep]
long <- data.frame(id = rep(d$id, each = length(ages)),
                   age = rep(ages, times = nrow(d)),
                   y = as.vector(t(y)))
long <- long[!is.na(long$y), ]
cat("flexmix", as.character(packageVersion("flexmix")), "on", R.version.string, "\n")
for (k in seq_len(kmax)) {
  set.seed(k)
  t0 <- proc.time()[["elapsed"]]
  fit <- stepFlexmix(y ~ poly(age, 3) | id, data = long, k = k, nrep = nrep,
                     model = FLXMRglm(family = "poisson"),
                     control = list(minprior = 0), verbose = FALSE)
  secs <- proc.time()[["elapsed"]] - t0
  cat("K", k, "seconds", sprintf("%.3f", secs), "loglik",
      sprintf("%.6f", as.numeric(logLik(fit))), "components", fit@k, "\n")
}
