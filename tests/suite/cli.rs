//! Helpers for the tests that run the `gbtm` command line.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The command-line binary under test.
pub const EXE: &str = env!("CARGO_BIN_EXE_gbtm");

/// A path in a temporary folder of this test process.
pub fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gbtm-suite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs `gbtm` with `args`.
pub fn gbtm(args: &[&str]) -> Output {
    Command::new(EXE).args(args).output().unwrap()
}

/// The standard output of a run that must succeed.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Exit code and standard error of a run that must fail without a panic.
pub fn fails(args: &[&str]) -> (i32, String) {
    let out = gbtm(args);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    (out.status.code().unwrap_or(-1), err)
}
