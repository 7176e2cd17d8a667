//! Criterion settings shared by the criterion benches: short runs for a 2-core machine.
//!
//! `cargo xtask bench` runs each criterion bench once per round with `R7_BENCH_ROUND` set, and
//! reads the medians that criterion writes under `CRITERION_HOME`.

use std::time::Duration;

use criterion::Criterion;

/// Criterion with short settings: 1 s warm-up, 2 s measurement, 20 samples. The environment
/// variables `R7_BENCH_WARM_UP`, `R7_BENCH_MEASURE` (seconds) and `R7_BENCH_SAMPLES` change
/// them, and criterion's own command-line options override everything.
pub(crate) fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(seconds("R7_BENCH_WARM_UP", 1.0))
        .measurement_time(seconds("R7_BENCH_MEASURE", 2.0))
        .sample_size(number("R7_BENCH_SAMPLES", 20).max(10))
        .nresamples(20_000)
        .without_plots()
        .configure_from_args()
}

/// The pair in the order to measure it in this round: as given in odd rounds, swapped in even
/// ones, so that a drift of the machine's speed does not always favour the same side.
pub(crate) fn in_round_order<T>(pair: [T; 2]) -> [T; 2] {
    let [a, b] = pair;
    if number("R7_BENCH_ROUND", 1) % 2 == 0 {
        [b, a]
    } else {
        [a, b]
    }
}

fn seconds(name: &str, default: f64) -> Duration {
    let value = std::env::var(name)
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v > 0.0)
        .unwrap_or(default);
    Duration::from_secs_f64(value)
}

fn number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
