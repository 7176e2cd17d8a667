//! Loopback throughput and latency of one delete call, three ways, against one minimal server.
//!
//! The server is a bare hyper 1 HTTP/1.1 server that answers every request with the same bytes:
//! `tests/fixtures/opportunity/delete.json` as `application/json`. It runs on its own OS thread
//! with its own current-thread Tokio runtime; the clients share a second current-thread runtime
//! on the main thread. On the 2-core machine that is one core each, and the server does less
//! per request than any client (no request building, no JSON), so it is not the bottleneck; the
//! CPU time of both threads is recorded to show it.
//!
//! Clients, each sending `DELETE /api/2.0/crm/opportunity/1234.json` with the token and reading
//! the deal from the answer:
//!
//! * `r7_hyper`: `Client::send(&DeleteOpportunity::new(1234))` (request building, deadline,
//!   body limit, envelope and status checks, typed decode);
//! * `hyper_util`: hyper-util's legacy client with an `HttpConnector`, the request built by
//!   hand, the body collected and `serde_json` decoding the envelope's `response`;
//! * `reqwest`: reqwest (no TLS, no proxy), then the same `serde_json` decode.
//!
//! At each concurrency (1 and 64 requests in flight, each in its own task) every round measures
//! the three clients one after the other, in an order that rotates from round to round, each
//! with a short warm-up (which also fills its connection pool) and then a fixed time. The raw
//! numbers go to `loopback.json`; `cargo xtask bench` turns them into ratios.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

#[path = "common/clients.rs"]
mod clients;
#[path = "common/fixed_server.rs"]
mod fixed_server;
#[path = "common/output.rs"]
mod output;

use clients::{Clients, Kind};
use fixed_server::Thread;

/// Requests in flight.
const CONCURRENCY: [usize; 2] = [1, 64];

fn main() {
    let rounds: usize = output::env_number("R7_BENCH_ROUNDS", 5);
    let warm_up = Duration::from_millis(output::env_number("R7_BENCH_LOOPBACK_WARM_UP_MS", 150));
    let measure = Duration::from_millis(output::env_number("R7_BENCH_LOOPBACK_MS", 500));

    let server = fixed_server::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let client_thread = Thread::current();
    let clients = Arc::new(runtime.block_on(async { Clients::new(server.addr) }));
    runtime.block_on(clients.check());

    let mut samples = Vec::new();
    for round in 0..rounds {
        for concurrency in CONCURRENCY {
            let mut order = Kind::ALL;
            order.rotate_left(round % Kind::ALL.len());
            for kind in order {
                runtime.block_on(drive(&clients, kind, concurrency, warm_up));
                let server_cpu = server.thread.cpu_time();
                let client_cpu = client_thread.cpu_time();
                let sample = runtime.block_on(drive(&clients, kind, concurrency, measure));
                let server_busy = (server.thread.cpu_time() - server_cpu) / sample.seconds;
                let client_busy = (client_thread.cpu_time() - client_cpu) / sample.seconds;
                println!(
                    "round {} c={concurrency:<2} {:<10} {:>9.0} req/s  p50 {:>7.1} µs  p99 {:>7.1} µs  \
                     (server thread {:.0}% busy, client thread {:.0}%)",
                    round + 1,
                    kind.name(),
                    sample.requests as f64 / sample.seconds,
                    sample.percentile(0.50),
                    sample.percentile(0.99),
                    server_busy * 100.0,
                    client_busy * 100.0,
                );
                samples.push(serde_json::json!({
                    "round": round + 1,
                    "concurrency": concurrency,
                    "client": kind.name(),
                    "requests": sample.requests,
                    "seconds": sample.seconds,
                    "rps": sample.requests as f64 / sample.seconds,
                    "p50_us": sample.percentile(0.50),
                    "p99_us": sample.percentile(0.99),
                    "server_busy": server_busy,
                    "client_busy": client_busy,
                }));
            }
        }
    }
    output::write(
        "loopback",
        &serde_json::json!({
            "server": "hyper 1 http1 fixed-response server: own OS thread, own current-thread \
                       Tokio runtime; clients on a current-thread runtime on the main thread",
            "warm_up_ms": warm_up.as_millis() as u64,
            "measure_ms": measure.as_millis() as u64,
            "samples": samples,
        }),
    );
}

/// The requests of one measurement.
struct Sample {
    requests: usize,
    seconds: f64,
    /// Latency of every request, in microseconds, sorted.
    latencies_us: Vec<f64>,
}

impl Sample {
    /// The latency below which `q` of the requests finished, in microseconds.
    fn percentile(&self, q: f64) -> f64 {
        let n = self.latencies_us.len();
        if n == 0 {
            return f64::NAN;
        }
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        self.latencies_us[rank - 1]
    }
}

/// Keeps `concurrency` calls of `kind` in flight for `duration`.
async fn drive(
    clients: &Arc<Clients>,
    kind: Kind,
    concurrency: usize,
    duration: Duration,
) -> Sample {
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = JoinSet::new();
    for _ in 0..concurrency {
        let clients = Arc::clone(clients);
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(4096);
            while Instant::now() < deadline {
                let sent = Instant::now();
                black_box(clients.delete(kind).await);
                latencies.push(sent.elapsed().as_nanos() as f64 / 1000.0);
            }
            latencies
        });
    }
    let mut latencies_us = Vec::new();
    while let Some(task) = tasks.join_next().await {
        latencies_us.extend(task.expect("client task"));
    }
    let seconds = start.elapsed().as_secs_f64();
    latencies_us.sort_by(f64::total_cmp);
    Sample {
        requests: latencies_us.len(),
        seconds,
        latencies_us,
    }
}
