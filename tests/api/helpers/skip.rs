//! How a test says it did not run.
//!
//! A test that needs a backend this run lacks (or must not have) returns
//! early through [`skip`], never silently: it prints `SKIPPED: <test>:
//! <reason>` to stderr and, when `AGORA_TEST_SKIP_LOG` names a file,
//! appends the line `<test>: <reason>` to it. `.ci/run` sets that variable
//! and counts those tests as skipped, not passed. A test that can never run
//! in the suite's runs is `#[ignore = "needs …"]` instead.
use std::io::Write;

/// Records that `test` skipped for `reason`; the caller returns at once.
pub fn skip(test: &str, reason: &str) {
    eprintln!("SKIPPED: {test}: {reason}");
    let Some(path) = std::env::var_os("AGORA_TEST_SKIP_LOG").filter(|p| !p.is_empty()) else {
        return;
    };
    // One short write per line in append mode: parallel tests do not mix.
    let line = format!("{test}: {reason}\n");
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(line.as_bytes()))
        .unwrap_or_else(|e| panic!("cannot write the skip log {path:?}: {e}"));
}
