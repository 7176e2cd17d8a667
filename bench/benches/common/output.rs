//! Where the benches that measure on their own (loopback, bulk, allocation counts) write
//! their results, for `cargo xtask bench` to read.

use std::path::PathBuf;

/// `R7_BENCH_OUT` (set by `cargo xtask bench`), else `target/r7-bench` in the workspace.
pub(crate) fn dir() -> PathBuf {
    match std::env::var_os("R7_BENCH_OUT") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/r7-bench")),
    }
}

/// Writes `value` as `<dir>/<name>.json` and says where.
pub(crate) fn write(name: &str, value: &serde_json::Value) {
    let dir = dir();
    std::fs::create_dir_all(&dir).expect("create the output directory");
    let path = dir.join(format!("{name}.json"));
    let text = serde_json::to_string_pretty(value).expect("JSON");
    std::fs::write(&path, text).expect("write the results");
    println!("wrote {}", path.display());
}

/// An environment variable as a number, or `default`.
#[allow(dead_code)] // Not every bench that writes results has settings of its own.
pub(crate) fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
