//! What every benchmark shares: its sizes, read from the environment.

/// `name` from the environment, else `default`. With `BENCH_SMOKE` set
/// (CI runs the README's bench commands so), every size is capped at
/// `smoke`: the command runs end to end in seconds, measuring nothing.
pub fn env(name: &str, default: usize, smoke: usize) -> usize {
    let value = std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    if std::env::var_os("BENCH_SMOKE").is_some() {
        value.min(smoke)
    } else {
        value
    }
}
