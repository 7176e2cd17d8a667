//! Deleting 10,000 deals from a fresh `r7_emulator::Emulator`, four ways:
//!
//! * `sequential`: one `DeleteOpportunity` after the other with `Client::send`;
//! * `helper_single_c64`: the bulk helper with `chunk_size(1)` (single deletes), 64 in flight;
//! * `helper_batch200_c4`: the bulk helper with batches of 200 ids, 4 in flight;
//! * `batch_by_hand`: `DeleteOpportunities` (the batch endpoint) with 200 ids at a time, one
//!   request after the other.
//!
//! Every variant gets its own emulator seeded with the same 10,000 deals (made from the
//! emulator's seed deals: members, custom fields, currencies, stages), and afterwards the
//! emulator must hold no deal and the variant must have seen every id deleted, or the run
//! fails. The emulator runs on its own Tokio runtime (one worker thread); the client on a
//! current-thread runtime on the main thread. Each round runs the four variants in an order
//! that rotates from round to round; times go to `bulk.json`.
//!
//! A second scenario, for context, repeats this with 1,000 deals and the emulator waiting 1 ms
//! before each answer (`Fault::DelayBeforeHeaders`), as the round trip to a nearby portal
//! would: on loopback a request costs so little that the work per deal, which no batching
//! removes, decides the ratio.

use std::time::{Duration, Instant};

use r7_emulator::{Config, Emulator, Fault};
use r7_hyper::Client;
use r7_model::Opportunity;
use r7_proto::Token;
use r7_proto::crm::opportunity::*;

#[path = "common/output.rs"]
mod output;

/// The variants, in their first round's order.
const VARIANTS: [Variant; 4] = [
    Variant::Sequential,
    Variant::HelperSingle,
    Variant::HelperBatch,
    Variant::BatchByHand,
];

/// Ids per batch request, for the helper's batches and the batches by hand.
const BATCH: usize = 200;

/// One setting the four variants run in.
struct Scenario {
    /// The name in results and reports.
    name: &'static str,
    /// Deals seeded and deleted.
    deals: usize,
    /// Time the emulator waits before answering each request (a stand-in for the network's
    /// round trip), if any.
    latency: Option<Duration>,
}

fn main() {
    let rounds: usize = output::env_number("R7_BENCH_BULK_ROUNDS", 3);
    let scenarios = [
        // What the target is about: 10,000 deals, loopback, no added latency.
        Scenario {
            name: "loopback",
            deals: output::env_number("R7_BENCH_BULK_DEALS", 10_000),
            latency: None,
        },
        // Context: the same with 1 ms before each answer, as a nearby portal would add.
        Scenario {
            name: "latency_1ms",
            deals: output::env_number("R7_BENCH_BULK_LATENCY_DEALS", 1_000),
            latency: Some(Duration::from_millis(1)),
        },
    ];

    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("emulator")
        .enable_all()
        .build()
        .expect("emulator runtime");
    let client_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");

    let mut samples = Vec::new();
    for scenario in &scenarios {
        let count = scenario.deals;
        let deals = deals(count);
        let ids: Vec<i64> = deals.iter().map(|deal| deal.id.get()).collect();
        for round in 0..rounds {
            let mut order = VARIANTS;
            order.rotate_left(round % VARIANTS.len());
            for variant in order {
                let config = Config {
                    opportunities: deals.clone(),
                    deal_tags: Vec::new(),
                    ..Config::default()
                };
                let emulator = server.block_on(Emulator::start(config)).expect("emulator");
                assert_eq!(emulator.opportunity_ids(), ids, "seeded");
                if let Some(latency) = scenario.latency {
                    // One fault per request; at most one request per deal.
                    for _ in 0..count {
                        emulator.inject(Fault::DelayBeforeHeaders(latency));
                    }
                }
                let client = Client::builder(emulator.base_url())
                    .token(Token::new(emulator.token()).expect("token"))
                    .build()
                    .expect("client");

                let (elapsed, run) = client_runtime.block_on(async {
                    let start = Instant::now();
                    let run = variant.run(&client, &ids).await;
                    (start.elapsed(), run)
                });

                assert_eq!(run.deleted, count, "{variant:?} saw every deal deleted");
                let left = emulator.opportunity_ids();
                assert!(left.is_empty(), "{variant:?} left {} deals", left.len());
                drop(client);
                server.block_on(emulator.shutdown());

                println!(
                    "{:<12} round {} {:<20} {:>8.3} s  {:>6} requests  {:>9.0} deals/s",
                    scenario.name,
                    round + 1,
                    variant.name(),
                    elapsed.as_secs_f64(),
                    run.requests,
                    count as f64 / elapsed.as_secs_f64(),
                );
                samples.push(serde_json::json!({
                    "scenario": scenario.name,
                    "deals": count,
                    "latency_ms": scenario.latency.map_or(0.0, |l| l.as_secs_f64() * 1e3),
                    "round": round + 1,
                    "variant": variant.name(),
                    "seconds": elapsed.as_secs_f64(),
                    "requests": run.requests,
                    "deleted": run.deleted,
                }));
            }
        }
    }
    output::write(
        "bulk",
        &serde_json::json!({
            "server": "r7_emulator::Emulator on its own multi-thread Tokio runtime with 1 worker; \
                       client on a current-thread runtime on the main thread",
            "samples": samples,
        }),
    );
}

/// `count` deals with ids 1 to `count`, cycling through the emulator's seed deals.
fn deals(count: usize) -> Vec<Opportunity> {
    let seeds = r7_emulator::seed_opportunities();
    (1..=count)
        .map(|id| {
            let mut deal = seeds[id % seeds.len()].clone();
            deal.id = (id as i64).into();
            deal
        })
        .collect()
}

/// One way of deleting every deal.
#[derive(Debug, Clone, Copy)]
enum Variant {
    Sequential,
    HelperSingle,
    HelperBatch,
    BatchByHand,
}

/// What a variant did.
struct Run {
    requests: usize,
    deleted: usize,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Sequential => "sequential",
            Variant::HelperSingle => "helper_single_c64",
            Variant::HelperBatch => "helper_batch200_c4",
            Variant::BatchByHand => "batch_by_hand",
        }
    }

    async fn run(self, client: &Client, ids: &[i64]) -> Run {
        match self {
            Variant::Sequential => {
                for &id in ids {
                    let deal = client.send(&DeleteOpportunity::new(id)).await;
                    assert_eq!(deal.expect("delete").id, id);
                }
                Run {
                    requests: ids.len(),
                    deleted: ids.len(),
                }
            }
            Variant::HelperSingle | Variant::HelperBatch => {
                let (chunk_size, concurrency) = match self {
                    Variant::HelperSingle => (1, 64),
                    _ => (BATCH, 4),
                };
                let report = client
                    .bulk_delete_opportunities(ids.iter().copied())
                    .chunk_size(chunk_size)
                    .concurrency(concurrency)
                    .run()
                    .await;
                assert_eq!(report.outcomes().len(), ids.len(), "one outcome per id");
                if let Some((id, error)) = report.failed().next() {
                    panic!("{self:?}: deal {id}: {error}");
                }
                Run {
                    requests: report.requests_sent(),
                    deleted: report.deleted_count(),
                }
            }
            Variant::BatchByHand => {
                let mut deleted = 0;
                let mut requests = 0;
                for chunk in ids.chunks(BATCH) {
                    let page = client
                        .send(&DeleteOpportunities::new(chunk.iter().copied()))
                        .await
                        .expect("batch delete");
                    deleted += page.items.len();
                    requests += 1;
                }
                Run { requests, deleted }
            }
        }
    }
}
