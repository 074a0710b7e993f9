//! Tells the tests whether the shared reference data (`../shared/data`,
//! another licence, never copied into the project) are present: with them,
//! `cfg(shared_data)` is set and the tests that read them run; without them
//! those tests are compiled as ignored, so they show as ignored, never as
//! passed. With `GBTM_REQUIRE_SHARED_DATA` set (as `.ci/run` does), missing
//! data stop the build instead.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_data)");
    println!("cargo::rerun-if-env-changed=GBTM_REQUIRE_SHARED_DATA");
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let probe = Path::new(&root).join("../shared/data/crimCV/TO1adj.csv");
    println!("cargo::rerun-if-changed={}", probe.display());
    if probe.is_file() {
        println!("cargo::rustc-cfg=shared_data");
    } else if std::env::var_os("GBTM_REQUIRE_SHARED_DATA").is_some() {
        panic!(
            "GBTM_REQUIRE_SHARED_DATA is set but {} is missing",
            probe.display()
        );
    }
}
