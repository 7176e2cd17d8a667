//! Moving 1,000 deals to another stage with 1 ms before each answer (as the round trip to a
//! nearby portal would add; `Fault::DelayBeforeHeaders`), two ways:
//!
//! * `sequential`: one `UpdateOpportunityStage` after the other with `Client::send`, the loop
//!   a user writes first;
//! * `each_c64`: `Client::each` with 64 requests in flight.
//!
//! Each variant gets a fresh emulator with the same deals, and afterwards every deal must be in
//! the new stage, or the run fails. The emulator runs on its own Tokio runtime (two worker
//! threads); the client on a current-thread runtime on the main thread. Rounds alternate the
//! order of the variants; times go to `each.json`.

use std::time::{Duration, Instant};

use r7_emulator::{Config, Emulator, Fault};
use r7_hyper::Client;
use r7_model::Opportunity;
use r7_proto::Token;
use r7_proto::crm::opportunity::*;

#[path = "common/output.rs"]
mod output;

/// The stage the deals move to (the seed's won stage).
const TARGET_STAGE: i64 = 8;

fn main() {
    let rounds: usize = output::env_number("R7_BENCH_BULK_ROUNDS", 3);
    let count: usize = output::env_number("R7_BENCH_EACH_DEALS", 1_000);
    let latency = Duration::from_millis(1);
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("emulator")
        .enable_all()
        .build()
        .expect("emulator runtime");
    let client_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let seeds = r7_emulator::seed_opportunities();
    let deals: Vec<Opportunity> = (1..=count)
        .map(|id| {
            let mut deal = seeds[id % seeds.len()].clone();
            deal.id = (id as i64).into();
            deal
        })
        .collect();
    let ids: Vec<i64> = deals.iter().map(|deal| deal.id.get()).collect();

    let mut samples = Vec::new();
    for round in 0..rounds {
        let mut order = ["sequential", "each_c64"];
        order.rotate_left(round % 2);
        for variant in order {
            let config = Config {
                opportunities: deals.clone(),
                deal_tags: Vec::new(),
                ..Config::default()
            };
            let emulator = server.block_on(Emulator::start(config)).expect("emulator");
            for _ in 0..count {
                emulator.inject(Fault::DelayBeforeHeaders(latency));
            }
            let client = Client::builder(emulator.base_url())
                .token(Token::new(emulator.token()).expect("token"))
                .build()
                .expect("client");
            let moves = || {
                ids.iter()
                    .map(|&id| UpdateOpportunityStage::new(id, TARGET_STAGE))
            };
            let elapsed = client_runtime.block_on(async {
                let start = Instant::now();
                match variant {
                    "sequential" => {
                        for request in moves() {
                            client.send(&request).await.expect("moved");
                        }
                    }
                    _ => {
                        let report = client.each(moves()).concurrency(64).run().await;
                        assert!(report.all_succeeded(), "every move succeeds");
                    }
                }
                start.elapsed()
            });
            for &id in &ids {
                let deal = emulator.opportunity(id).expect("still there");
                assert_eq!(
                    deal.stage.map(|s| s.id.get()),
                    Some(TARGET_STAGE),
                    "#{id} moved"
                );
            }
            drop(client);
            server.block_on(emulator.shutdown());
            println!(
                "round {} {variant:<12} {:>8.3} s  {:>9.0} moves/s",
                round + 1,
                elapsed.as_secs_f64(),
                count as f64 / elapsed.as_secs_f64()
            );
            samples.push(serde_json::json!({
                "round": round + 1,
                "variant": variant,
                "deals": count,
                "latency_ms": 1.0,
                "seconds": elapsed.as_secs_f64(),
            }));
        }
    }
    output::write(
        "each",
        &serde_json::json!({
            "server": "r7_emulator::Emulator on its own multi-thread Tokio runtime with 2 \
                       workers; client on a current-thread runtime on the main thread",
            "samples": samples,
        }),
    );
}
