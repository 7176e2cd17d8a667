//! A concurrency soak against the emulator, reconciled with what the clients saw.
//!
//! [`CLIENTS`] clients, each its own [`Client`] (so its own connection pool; half of them speak
//! JSON, half XML), run on one multi-thread runtime together with the emulator and, for a
//! bounded time, create, update, read, list and delete deals in a seeded random mix. Each keeps
//! a ledger of what the portal confirmed. Now and then a client hands one of its deals to another client and both delete it
//! at the same moment: exactly one must get the deal back and the other a 404. Afterwards the
//! ledgers are reconciled exactly with the emulator's state and its request counters, and the
//! throughput and latencies per operation are printed (`--nocapture`).
//!
//! * `R7_SOAK_SECS` — how long the clients run (default 5 s; the ignored long variant: 120 s).
//! * `R7_SOAK_SEED` — the seed of the operation mix (decimal or `0x` hex); the run prints it.
//!
//! The manual long run (figures in `RELIABILITY.md`):
//!
//! ```sh
//! cargo test -p r7-tests --test it soak::long -- --ignored --nocapture
//! ```

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use r7_emulator::{CURRENT_USER_ID, Config, Emulator};
use r7_hyper::{Client, Delivery, RetryPolicy};
use r7_model::{Opportunity, StageType, Uuid};
use r7_proto::crm::opportunity::*;
use r7_proto::{EndpointId, Format, Token};
use tokio::sync::oneshot;

/// Concurrent clients, each with its own connection pool.
const CLIENTS: usize = 64;
/// How long the clients run in the normal suite, unless `R7_SOAK_SECS` says otherwise.
const DEFAULT_SECS: f64 = 5.0;
/// How long the ignored long variant runs, unless `R7_SOAK_SECS` says otherwise.
const LONG_SECS: f64 = 120.0;
/// The seed of the operation mix, unless `R7_SOAK_SEED` says otherwise.
const DEFAULT_SEED: u64 = 0x5eed_0f0b_5e55_ed00;
/// The deadline of one request: generous for a loaded 2-core machine, short enough to notice a
/// hang long before the suite's own limits.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// A client that holds this many live deals deletes before it creates more.
const MAX_LIVE: usize = 16;
/// How long a client waits for another client to take the deal it offers for a contended
/// delete; after that it races two clients itself.
const OFFER_WAIT: Duration = Duration::from_millis(250);
/// Every request in the soak uses this currency.
const CURRENCY: &str = "RUB";

/// What a client does in one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Create,
    Update,
    Get,
    List,
    Delete,
    DeleteBatch,
    /// One side of a delete that two clients send for the same deal at the same time.
    ContendedDelete,
}

impl Op {
    const ALL: [Op; 7] = [
        Op::Create,
        Op::Update,
        Op::Get,
        Op::List,
        Op::Delete,
        Op::DeleteBatch,
        Op::ContendedDelete,
    ];

    fn name(self) -> &'static str {
        match self {
            Op::Create => "create (POST)",
            Op::Update => "update (PUT)",
            Op::Get => "get (GET)",
            Op::List => "list own (GET filter)",
            Op::Delete => "delete (DELETE)",
            Op::DeleteBatch => "batch delete (PUT, 2-4 ids)",
            Op::ContendedDelete => "contended delete (DELETE)",
        }
    }
}

/// xorshift64* seeded through splitmix64: small, good enough, and no dependency.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut z = seed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        Rng(if z == 0 { 1 } else { z })
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// What the portal last confirmed for a deal.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Written {
    title: String,
    probability: i32,
}

impl Written {
    fn matches(&self, deal: &Opportunity) -> bool {
        deal.title == self.title && deal.success_probability == self.probability
    }
}

/// A deal put up for a contended delete: the taker signals `taken`, then both delete it.
#[derive(Debug)]
struct Offer {
    id: i64,
    from: usize,
    expected: Written,
    taken: oneshot::Sender<()>,
}

/// What every client shares.
#[derive(Debug)]
struct Shared {
    clients: Vec<Client>,
    offers: Mutex<VecDeque<Offer>>,
    deadline: Instant,
    responsible: Uuid,
    stage: i64,
}

impl Shared {
    fn offers(&self) -> MutexGuard<'_, VecDeque<Offer>> {
        self.offers.lock().expect("offers lock")
    }

    /// Another client's offer, if one is waiting.
    fn take_offer(&self, me: usize) -> Option<Offer> {
        let mut offers = self.offers();
        let at = offers.iter().position(|o| o.from != me)?;
        offers.remove(at)
    }

    /// Takes back an offer nobody took; `false` when somebody took it meanwhile.
    fn withdraw(&self, id: i64) -> bool {
        let mut offers = self.offers();
        match offers.iter().position(|o| o.id == id) {
            Some(at) => {
                offers.remove(at);
                true
            }
            None => false,
        }
    }
}

/// One client's record of what it sent and what the portal confirmed.
#[derive(Debug, Default)]
struct Ledger {
    /// Deals this client created and nobody has deleted, with their last confirmed values.
    live: BTreeMap<i64, Written>,
    /// Every id the portal handed this client on create, in order.
    created: Vec<i64>,
    /// Deals whose delete this client got back.
    deleted: Vec<i64>,
    /// Deals this client put up for a contended delete.
    contended: Vec<i64>,
    /// Contended deals this client's delete won (got the deal back) or lost (got a 404).
    won: Vec<i64>,
    lost: Vec<i64>,
    /// Every 404 this client got, expected or not.
    not_found: u64,
    /// Requests sent, in total and by HTTP method.
    sent: u64,
    sent_by_method: BTreeMap<String, u64>,
    /// Ids whose state this client no longer knows (a write failed): left out of the
    /// reconciliation, which fails anyway because the failure is a problem.
    uncertain: BTreeSet<i64>,
    /// Everything that went wrong.
    problems: Vec<String>,
    latencies: BTreeMap<Op, Vec<Duration>>,
    /// How many contended deletes this client raced through two clients from its own task.
    raced_here: u64,
}

impl Ledger {
    fn record(&mut self, endpoint: EndpointId, op: Op, took: Duration) {
        self.latencies.entry(op).or_default().push(took);
        self.sent += 1;
        *self
            .sent_by_method
            .entry(endpoint.info().method.as_str().to_owned())
            .or_default() += 1;
    }

    fn problem(&mut self, me: usize, text: String) {
        self.problems.push(format!("client {me}: {text}"));
    }

    fn failed(&mut self, me: usize, what: &str, id: Option<i64>, error: &r7_hyper::Error) {
        if error.is_not_found() {
            self.not_found += 1;
        }
        if let Some(id) = id {
            self.uncertain.insert(id);
        }
        let delivery = match error.delivery() {
            Delivery::NotSent => "not sent",
            Delivery::MaybeSent => "maybe sent",
            Delivery::Answered => "answered",
        };
        self.problem(me, format!("{what} {id:?} failed ({delivery}): {error}"));
    }

    /// One side of a contended delete of `id`.
    fn settle_contended(
        &mut self,
        me: usize,
        id: i64,
        expected: &Written,
        result: Result<Opportunity, r7_hyper::Error>,
    ) {
        match result {
            Ok(deal) if deal.id == id && expected.matches(&deal) => {
                self.won.push(id);
                self.deleted.push(id);
            }
            Ok(deal) => {
                self.won.push(id);
                self.deleted.push(id);
                self.problem(
                    me,
                    format!(
                        "contended delete of {id} answered deal {} {:?} ({}%), expected {expected:?}",
                        deal.id, deal.title, deal.success_probability
                    ),
                );
            }
            Err(error) if error.is_not_found() && error.delivery() == Delivery::Answered => {
                self.not_found += 1;
                self.lost.push(id);
            }
            Err(error) => self.failed(me, "contended delete", Some(id), &error),
        }
    }
}

/// Runs `future` (one request) and measures how long it took.
async fn timed<T>(future: impl Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let out = future.await;
    (out, started.elapsed())
}

fn title(me: usize, serial: u64, version: u64) -> String {
    // `c{me}z` is a word no other client's titles (or the seed's) start with, so a search for
    // it finds exactly this client's deals.
    format!("Soak c{me}z n{serial} v{version}")
}

/// One client's run: steps until the deadline, then its ledger.
async fn run_client(shared: Arc<Shared>, me: usize, seed: u64) -> Ledger {
    let client = &shared.clients[me];
    let mut rng = Rng::new(seed, me as u64);
    let mut ledger = Ledger::default();
    let mut serial = 0u64;
    let mut version = 0u64;
    while Instant::now() < shared.deadline {
        // Somebody else's deal to race for comes first, so that offers do not wait long.
        if let Some(offer) = shared.take_offer(me) {
            let _ = offer.taken.send(());
            let (result, took) = timed(client.send(&DeleteOpportunity::new(offer.id))).await;
            ledger.record(DeleteOpportunity::ID, Op::ContendedDelete, took);
            ledger.settle_contended(me, offer.id, &offer.expected, result);
            continue;
        }
        let live = ledger.live.len();
        let op = if live == 0 {
            Op::Create
        } else if live >= MAX_LIVE {
            match rng.below(10) {
                0..=4 => Op::Delete,
                5..=8 => Op::DeleteBatch,
                _ => Op::ContendedDelete,
            }
        } else {
            match rng.below(100) {
                0..=24 => Op::Create,
                25..=49 => Op::Update,
                50..=67 => Op::Get,
                68..=75 => Op::List,
                76..=85 => Op::Delete,
                86..=92 if live >= 2 => Op::DeleteBatch,
                86..=92 => Op::Delete,
                _ => Op::ContendedDelete,
            }
        };
        let own: Vec<i64> = ledger.live.keys().copied().collect();
        let pick = |rng: &mut Rng| own[rng.below(own.len())];
        match op {
            Op::Create => {
                serial += 1;
                let want = Written {
                    title: title(me, serial, 0),
                    probability: rng.below(101) as i32,
                };
                let request = CreateOpportunity::new(
                    want.title.clone(),
                    shared.responsible,
                    shared.stage,
                    CURRENCY,
                )
                .success_probability(want.probability);
                let (result, took) = timed(client.send(&request)).await;
                ledger.record(CreateOpportunity::ID, op, took);
                match result {
                    Ok(deal) => {
                        if !want.matches(&deal) {
                            ledger.uncertain.insert(deal.id.get());
                            ledger.problem(me, format!("create answered {deal:?}, sent {want:?}"));
                        }
                        ledger.created.push(deal.id.get());
                        ledger.live.insert(deal.id.get(), want);
                    }
                    Err(error) => ledger.failed(me, "create", None, &error),
                }
            }
            Op::Update => {
                let id = pick(&mut rng);
                version += 1;
                let want = Written {
                    title: title(me, serial, version),
                    probability: rng.below(101) as i32,
                };
                let request = UpdateOpportunity::new(
                    id,
                    want.title.clone(),
                    shared.responsible,
                    shared.stage,
                    CURRENCY,
                )
                .success_probability(want.probability);
                let (result, took) = timed(client.send(&request)).await;
                ledger.record(UpdateOpportunity::ID, op, took);
                match result {
                    Ok(deal) if deal.id == id && want.matches(&deal) => {
                        ledger.live.insert(id, want);
                    }
                    Ok(deal) => {
                        ledger.uncertain.insert(id);
                        ledger.problem(me, format!("update of {id} answered {deal:?}"));
                    }
                    Err(error) => ledger.failed(me, "update", Some(id), &error),
                }
            }
            Op::Get => {
                let id = pick(&mut rng);
                let (result, took) = timed(client.send(&GetOpportunity::new(id))).await;
                ledger.record(GetOpportunity::ID, op, took);
                match result {
                    Ok(deal) if deal.id == id && ledger.live[&id].matches(&deal) => {}
                    Ok(deal) => {
                        let expected = ledger.live[&id].clone();
                        ledger.problem(
                            me,
                            format!(
                                "stale read of {id}: {:?} ({}%), last written {expected:?}",
                                deal.title, deal.success_probability
                            ),
                        );
                    }
                    Err(error) => ledger.failed(me, "get", Some(id), &error),
                }
            }
            Op::List => {
                let request = ListOpportunities::new()
                    .filter_value(format!("c{me}z"))
                    .count(1000);
                let (result, took) = timed(client.send(&request)).await;
                ledger.record(ListOpportunities::ID, op, took);
                match result {
                    Ok(page) => {
                        let seen: BTreeMap<i64, Written> = page
                            .items
                            .iter()
                            .map(|d| {
                                let written = Written {
                                    title: d.title.clone(),
                                    probability: d.success_probability,
                                };
                                (d.id.get(), written)
                            })
                            .collect();
                        if seen != ledger.live || page.items.len() != seen.len() {
                            let live = ledger.live.clone();
                            ledger.problem(
                                me,
                                format!("list of own deals saw {seen:?}, ledger has {live:?}"),
                            );
                        }
                    }
                    Err(error) => ledger.failed(me, "list", None, &error),
                }
            }
            Op::Delete => {
                let id = pick(&mut rng);
                let expected = ledger.live.remove(&id).expect("own deal");
                let (result, took) = timed(client.send(&DeleteOpportunity::new(id))).await;
                ledger.record(DeleteOpportunity::ID, op, took);
                match result {
                    Ok(deal) if deal.id == id && expected.matches(&deal) => ledger.deleted.push(id),
                    Ok(deal) => {
                        ledger.deleted.push(id);
                        ledger.problem(me, format!("delete of {id} answered {deal:?}"));
                    }
                    Err(error) => ledger.failed(me, "delete", Some(id), &error),
                }
            }
            Op::DeleteBatch => {
                let k = 2 + rng.below(3.min(own.len() - 1));
                let mut ids = BTreeSet::new();
                while ids.len() < k {
                    ids.insert(pick(&mut rng));
                }
                let expected: BTreeMap<i64, Written> = ids
                    .iter()
                    .map(|id| (*id, ledger.live.remove(id).expect("own deal")))
                    .collect();
                let request = DeleteOpportunities::new(ids.iter().copied());
                let (result, took) = timed(client.send(&request)).await;
                ledger.record(DeleteOpportunities::ID, op, took);
                match result {
                    Ok(page) => {
                        let answered: Vec<i64> = page.items.iter().map(|d| d.id.get()).collect();
                        let all_match = page
                            .items
                            .iter()
                            .all(|d| expected.get(&d.id.get()).is_some_and(|w| w.matches(d)));
                        ledger
                            .deleted
                            .extend(answered.iter().filter(|id| ids.contains(id)));
                        if answered.iter().copied().collect::<BTreeSet<_>>() != ids
                            || answered.len() != ids.len()
                            || !all_match
                        {
                            ledger.uncertain.extend(ids.iter().copied());
                            ledger.problem(
                                me,
                                format!(
                                    "batch delete of {ids:?} answered {answered:?} (values as \
                                     last confirmed: {all_match})"
                                ),
                            );
                        }
                    }
                    Err(error) => {
                        ledger.uncertain.extend(ids.iter().copied());
                        ledger.failed(me, "batch delete", None, &error);
                    }
                }
            }
            Op::ContendedDelete => {
                let id = pick(&mut rng);
                let expected = ledger.live.remove(&id).expect("own deal");
                ledger.contended.push(id);
                contend(&shared, &mut ledger, &mut rng, me, id, expected).await;
            }
        }
    }
    ledger
}

/// Deletes `id` through two clients at the same moment. Mostly by offering it to the other
/// clients and deleting it as soon as one takes it (the taker deletes it too); one time in four,
/// or when nobody takes the offer in time, through this client and another client's `Client`
/// at once from this task.
async fn contend(
    shared: &Shared,
    ledger: &mut Ledger,
    rng: &mut Rng,
    me: usize,
    id: i64,
    expected: Written,
) {
    let client = &shared.clients[me];
    if rng.below(4) != 0 {
        let (taken, was_taken) = oneshot::channel();
        shared.offers().push_back(Offer {
            id,
            from: me,
            expected: expected.clone(),
            taken,
        });
        let taken_in_time = tokio::time::timeout(OFFER_WAIT, was_taken).await.is_ok();
        if taken_in_time || !shared.withdraw(id) {
            // Taken (just now, if the withdrawal came too late): the taker is deleting it.
            let (result, took) = timed(client.send(&DeleteOpportunity::new(id))).await;
            ledger.record(DeleteOpportunity::ID, Op::ContendedDelete, took);
            ledger.settle_contended(me, id, &expected, result);
            return;
        }
    }
    ledger.raced_here += 1;
    let other = (me + 1 + rng.below(CLIENTS - 1)) % CLIENTS;
    let request = DeleteOpportunity::new(id);
    let ((mine, mine_took), (theirs, theirs_took)) = tokio::join!(
        timed(client.send(&request)),
        timed(shared.clients[other].send(&request)),
    );
    ledger.record(DeleteOpportunity::ID, Op::ContendedDelete, mine_took);
    ledger.record(DeleteOpportunity::ID, Op::ContendedDelete, theirs_took);
    ledger.settle_contended(me, id, &expected, mine);
    ledger.settle_contended(me, id, &expected, theirs);
}

fn env_secs(default: f64) -> Duration {
    match std::env::var("R7_SOAK_SECS") {
        Ok(text) => {
            let secs: f64 = text
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("R7_SOAK_SECS={text:?} is not a number of seconds"));
            assert!(secs > 0.0 && secs.is_finite(), "R7_SOAK_SECS={text:?}");
            Duration::from_secs_f64(secs)
        }
        Err(_) => Duration::from_secs_f64(default),
    }
}

fn env_seed() -> u64 {
    match std::env::var("R7_SOAK_SEED") {
        Ok(text) => {
            let text = text.trim();
            let parsed = match text.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => text.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("R7_SOAK_SEED={text:?} is not a u64"))
        }
        Err(_) => DEFAULT_SEED,
    }
}

/// The `q`-quantile (nearest rank) of sorted latencies, in milliseconds.
fn quantile_ms(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

/// Prints throughput and latencies per operation as a Markdown table.
fn report(ledgers: &[Ledger], elapsed: Duration, seed: u64) {
    let secs = elapsed.as_secs_f64();
    let sent: u64 = ledgers.iter().map(|l| l.sent).sum();
    let raced_here: u64 = ledgers.iter().map(|l| l.raced_here).sum();
    let contended: usize = ledgers.iter().map(|l| l.contended.len()).sum();
    println!(
        "soak: {CLIENTS} clients for {secs:.1} s, seed {seed:#x}: {sent} requests, {:.0} requests/s; \
         {contended} contended deletes ({raced_here} of them raced by one task through two clients, the others handed over)",
        sent as f64 / secs
    );
    println!("| operation | requests | per second | p50 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    for op in Op::ALL {
        let mut all: Vec<Duration> = ledgers
            .iter()
            .flat_map(|l| l.latencies.get(&op).into_iter().flatten().copied())
            .collect();
        all.sort_unstable();
        println!(
            "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} |",
            op.name(),
            all.len(),
            all.len() as f64 / secs,
            quantile_ms(&all, 0.50),
            quantile_ms(&all, 0.99),
            quantile_ms(&all, 1.0),
        );
    }
    let mut all: Vec<Duration> = ledgers
        .iter()
        .flat_map(|l| l.latencies.values().flatten().copied())
        .collect();
    all.sort_unstable();
    println!(
        "| all | {} | {:.0} | {:.2} | {:.2} | {:.2} |",
        all.len(),
        all.len() as f64 / secs,
        quantile_ms(&all, 0.50),
        quantile_ms(&all, 0.99),
        quantile_ms(&all, 1.0),
    );
}

/// Checks the ledgers against the emulator; every discrepancy, as text.
fn reconcile(
    emulator: &Emulator,
    ledgers: &[Ledger],
    seeds: &BTreeMap<i64, Opportunity>,
    served_before: u64,
    received_before: u64,
) -> Vec<String> {
    let mut problems = Vec::new();
    let uncertain: BTreeSet<i64> = ledgers
        .iter()
        .flat_map(|l| l.uncertain.iter().copied())
        .collect();

    // Ids: each handed out once, never a seed's, one contiguous run after the seeds.
    let created: Vec<i64> = ledgers.iter().flat_map(|l| l.created.clone()).collect();
    let created_set: BTreeSet<i64> = created.iter().copied().collect();
    if created_set.len() != created.len() {
        let mut seen = BTreeSet::new();
        let twice: Vec<i64> = created
            .iter()
            .filter(|id| !seen.insert(**id))
            .copied()
            .collect();
        problems.push(format!("ids handed out more than once: {twice:?}"));
    }
    if let Some(seed) = created_set.iter().find(|id| seeds.contains_key(id)) {
        problems.push(format!("a create was handed the seed deal's id {seed}"));
    }
    let first = seeds.keys().max().map_or(1, |max| max + 1);
    let contiguous: BTreeSet<i64> = (first..first + created_set.len() as i64).collect();
    if created_set != contiguous {
        problems.push(format!(
            "the {} created ids are not exactly {first}..{}: the emulator lost or skipped ids",
            created_set.len(),
            first + created_set.len() as i64
        ));
    }

    // Deletes: only created deals, each confirmed once.
    let deleted: Vec<i64> = ledgers.iter().flat_map(|l| l.deleted.clone()).collect();
    let deleted_set: BTreeSet<i64> = deleted.iter().copied().collect();
    if deleted_set.len() != deleted.len() {
        problems.push(format!(
            "{} deletes confirmed for {} deals: some deal was deleted twice",
            deleted.len(),
            deleted_set.len()
        ));
    }
    if let Some(stranger) = deleted_set.difference(&created_set).next() {
        problems.push(format!("deal {stranger} was deleted but nobody created it"));
    }

    // Contention: each contended deal won by exactly one delete and lost by exactly one, and
    // the only 404s anybody saw are those losses.
    let contended: Vec<i64> = ledgers.iter().flat_map(|l| l.contended.clone()).collect();
    let mut won: Vec<i64> = ledgers.iter().flat_map(|l| l.won.clone()).collect();
    let mut lost: Vec<i64> = ledgers.iter().flat_map(|l| l.lost.clone()).collect();
    let mut expected_contended = contended.clone();
    expected_contended.sort_unstable();
    won.sort_unstable();
    lost.sort_unstable();
    if won != expected_contended {
        problems.push(format!(
            "contended deletes: {} deals, {} winners (each deal must have exactly one)",
            expected_contended.len(),
            won.len()
        ));
    }
    if lost != expected_contended {
        problems.push(format!(
            "contended deletes: {} deals, {} losers with a 404 (each deal must have exactly one)",
            expected_contended.len(),
            lost.len()
        ));
    }
    let not_found: u64 = ledgers.iter().map(|l| l.not_found).sum();
    if not_found != lost.len() as u64 {
        problems.push(format!(
            "{not_found} 404s, but only the {} losers of contended deletes should get one",
            lost.len()
        ));
    }

    // The portal's deals: the seeds, unchanged, and exactly the live deals of the ledgers.
    let expected_live: BTreeMap<i64, Written> = ledgers
        .iter()
        .flat_map(|l| l.live.iter().map(|(id, w)| (*id, w.clone())))
        .collect();
    let actual: BTreeSet<i64> = emulator.opportunity_ids().into_iter().collect();
    for (id, seed) in seeds {
        if emulator.opportunity(*id).as_ref() != Some(seed) {
            problems.push(format!("seed deal {id} changed or disappeared"));
        }
    }
    for (id, want) in &expected_live {
        if uncertain.contains(id) {
            continue;
        }
        match emulator.opportunity(*id) {
            None => problems.push(format!("live deal {id} ({want:?}) is missing")),
            Some(deal) if !want.matches(&deal) => problems.push(format!(
                "deal {id} is {:?} ({}%), last confirmed {want:?}",
                deal.title, deal.success_probability
            )),
            Some(_) => {}
        }
    }
    for id in &deleted_set {
        if actual.contains(id) && !uncertain.contains(id) {
            problems.push(format!("deleted deal {id} exists again"));
        }
    }
    for id in &actual {
        if !seeds.contains_key(id)
            && !expected_live.contains_key(id)
            && !deleted_set.contains(id)
            && !uncertain.contains(id)
        {
            problems.push(format!("deal {id} exists but no client created it"));
        }
    }
    if uncertain.is_empty() && actual.len() != seeds.len() + expected_live.len() {
        problems.push(format!(
            "the portal holds {} deals, expected {} seeds + {} live",
            actual.len(),
            seeds.len(),
            expected_live.len()
        ));
    }

    // Requests: nothing repeated, nothing lost. Every request was answered (or it is a problem
    // already), and the emulator counts a request before writing its response.
    let sent: u64 = ledgers.iter().map(|l| l.sent).sum();
    let served = emulator.requests_served() - served_before;
    let received = emulator.requests_received() - received_before;
    if served != sent || received != sent {
        problems.push(format!(
            "clients sent {sent} requests; the emulator received {received} and served {served}"
        ));
    }
    let mut by_method: BTreeMap<String, u64> = BTreeMap::new();
    for ledger in ledgers {
        for (method, n) in &ledger.sent_by_method {
            *by_method.entry(method.clone()).or_default() += n;
        }
    }
    for (method, n) in &by_method {
        let counted = emulator.method_count(method);
        if counted != *n {
            problems.push(format!(
                "clients sent {n} {method} requests; the emulator counted {counted}"
            ));
        }
    }

    // The run must have exercised everything, or it proves nothing.
    let raced_here: u64 = ledgers.iter().map(|l| l.raced_here).sum();
    if raced_here == 0 || raced_here as usize == contended.len() {
        problems.push(format!(
            "{} contended deletes, {raced_here} raced by one task: both ways must run",
            contended.len()
        ));
    }
    for op in Op::ALL {
        let n: usize = ledgers
            .iter()
            .map(|l| l.latencies.get(&op).map_or(0, Vec::len))
            .sum();
        if n == 0 {
            problems.push(format!("no {} in the whole run", op.name()));
        }
    }
    // What the clients saw during the run, after the summary.
    problems.extend(ledgers.iter().flat_map(|l| l.problems.clone()));
    problems
}

async fn soak(duration: Duration) {
    let seed = env_seed();
    let emulator = Emulator::start(Config::default()).await.expect("emulator");
    let seeds: BTreeMap<i64, Opportunity> = emulator
        .opportunity_ids()
        .into_iter()
        .map(|id| (id, emulator.opportunity(id).expect("seed deal")))
        .collect();
    // The open stage the soak's deals live in.
    let stage = emulator
        .stage_ids()
        .into_iter()
        .find(|id| {
            emulator
                .stage(*id)
                .is_some_and(|s| s.stage_type == StageType::Open)
        })
        .expect("an open stage");
    let token = Token::new(emulator.token()).expect("token");
    let clients: Vec<Client> = (0..CLIENTS)
        .map(|me| {
            Client::builder(emulator.base_url())
                .token(token.clone())
                // Half the clients speak XML, so both encoders and decoders run concurrently.
                .format(if me % 2 == 0 {
                    Format::Json
                } else {
                    Format::Xml
                })
                .timeout(REQUEST_TIMEOUT)
                // One send, one request: the emulator's counters must match exactly, and a
                // failure must show rather than be papered over.
                .retry_policy(RetryPolicy::none())
                .build()
                .expect("client")
        })
        .collect();
    let served_before = emulator.requests_served();
    let received_before = emulator.requests_received();
    let started = Instant::now();
    let shared = Arc::new(Shared {
        clients,
        offers: Mutex::new(VecDeque::new()),
        deadline: started + duration,
        responsible: CURRENT_USER_ID,
        stage,
    });
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|me| tokio::spawn(run_client(Arc::clone(&shared), me, seed)))
        .collect();
    let mut ledgers = Vec::with_capacity(CLIENTS);
    for task in tasks {
        ledgers.push(task.await.expect("client task"));
    }
    let elapsed = started.elapsed();
    assert!(
        shared.offers().is_empty(),
        "an offer was left behind: {:?}",
        shared.offers()
    );
    report(&ledgers, elapsed, seed);
    let problems = reconcile(&emulator, &ledgers, &seeds, served_before, received_before);
    emulator.shutdown().await;
    assert!(
        problems.is_empty(),
        "{} problems (seed {seed:#x}), the first 50:\n{}",
        problems.len(),
        problems
            .iter()
            .take(50)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_clients_reconcile_exactly_with_the_emulator() {
    soak(env_secs(DEFAULT_SECS)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a long soak for a manual run (120 s): cargo test -p r7-tests --test it soak::long -- --ignored --nocapture"]
async fn long_soak() {
    soak(env_secs(LONG_SECS)).await;
}

#[test]
fn quantiles_use_the_nearest_rank() {
    let ms = |n: u64| Duration::from_millis(n);
    let sorted: Vec<Duration> = (1..=100).map(ms).collect();
    assert_eq!(quantile_ms(&sorted, 0.5), 50.0);
    assert_eq!(quantile_ms(&sorted, 0.99), 99.0);
    assert_eq!(quantile_ms(&sorted, 1.0), 100.0);
    assert_eq!(quantile_ms(&[ms(7)], 0.99), 7.0);
    assert_eq!(quantile_ms(&[], 0.5), 0.0);
}

#[test]
fn the_rng_is_seeded_and_spreads() {
    let mut a = Rng::new(1, 2);
    let mut b = Rng::new(1, 2);
    let mut c = Rng::new(1, 3);
    let xs: Vec<u64> = (0..8).map(|_| a.next()).collect();
    assert_eq!(xs, (0..8).map(|_| b.next()).collect::<Vec<_>>());
    assert_ne!(xs, (0..8).map(|_| c.next()).collect::<Vec<_>>());
    let mut counts = [0u32; 10];
    for _ in 0..10_000 {
        counts[a.below(10)] += 1;
    }
    assert!(
        counts.iter().all(|&n| (800..1200).contains(&n)),
        "{counts:?}"
    );
}
