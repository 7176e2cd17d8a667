//! The bulk delete helper against the emulator: one outcome per id, in order, with nothing
//! dropped, and never more requests in flight than asked for.

use std::time::{Duration, Instant};

use r7_emulator::{Config, Emulator, Fault};
use r7_hyper::{Client, DeleteOutcome, Delivery, Error};
use r7_proto::model::OpportunityId;
use r7_proto::{BuildError, Token};

/// The seed's deals.
const SEEDED: [i64; 5] = [1234, 1235, 1236, 1237, 1238];
const MISSING: i64 = 999_999;

async fn emulator() -> Emulator {
    Emulator::start(Config::default())
        .await
        .expect("emulator starts")
}

fn client(emulator: &Emulator) -> Client {
    Client::builder(emulator.base_url())
        .token(Token::new(emulator.token()).expect("token"))
        .build()
        .expect("client")
}

/// A short name for each outcome, to compare whole reports at once.
fn kinds(outcomes: &[(OpportunityId, DeleteOutcome)]) -> Vec<(i64, &'static str)> {
    outcomes
        .iter()
        .map(|(id, outcome)| {
            let kind = match outcome {
                DeleteOutcome::Deleted(deal) if deal.id == *id => "deleted",
                DeleteOutcome::Deleted(_) => "deleted another deal",
                DeleteOutcome::NotDeleted => "not deleted",
                DeleteOutcome::Duplicate => "duplicate",
                DeleteOutcome::Failed(error) => match error.as_ref() {
                    Error::Build(BuildError::InvalidArgument { .. }) => "invalid",
                    _ => "failed",
                },
                _ => "unknown outcome",
            };
            (id.get(), kind)
        })
        .collect()
}

const MIXED: [i64; 7] = [1234, 1235, MISSING, 1234, 0, 1236, -5];

fn expected_mixed() -> Vec<(i64, &'static str)> {
    vec![
        (1234, "deleted"),
        (1235, "deleted"),
        (MISSING, "not deleted"),
        (1234, "duplicate"),
        (0, "invalid"),
        (1236, "deleted"),
        (-5, "invalid"),
    ]
}

#[tokio::test]
async fn batches_report_one_outcome_per_id_in_order() {
    let emulator = emulator().await;
    let report = client(&emulator)
        .bulk_delete_opportunities(MIXED)
        .chunk_size(2)
        .concurrency(2)
        .run()
        .await;

    assert_eq!(kinds(report.outcomes()), expected_mixed());
    // Four distinct valid ids in chunks of two; the invalid and repeated ones were not sent.
    assert_eq!(report.requests_sent(), 2);
    assert_eq!(emulator.method_count("PUT"), 2);
    assert_eq!(emulator.method_count("DELETE"), 0);
    assert_eq!(report.deleted_count(), 3);
    assert_eq!(report.not_deleted().collect::<Vec<_>>(), [MISSING]);
    assert!(!report.all_deleted());
    for (id, error) in report.failed() {
        assert!(id <= 0.into());
        assert_eq!(error.delivery(), Delivery::NotSent);
    }
    assert_eq!(emulator.opportunity_ids(), [1237, 1238]);
    let titles: Vec<_> = report.deleted().map(|deal| deal.title.as_str()).collect();
    assert_eq!(titles[0], "Hotel catalogue");
}

#[tokio::test]
async fn a_chunk_size_of_one_sends_single_deletes() {
    let emulator = emulator().await;
    let report = client(&emulator)
        .bulk_delete_opportunities(MIXED)
        .chunk_size(1)
        .concurrency(3)
        .run()
        .await;

    assert_eq!(kinds(report.outcomes()), expected_mixed());
    assert_eq!(report.requests_sent(), 4);
    assert_eq!(emulator.method_count("DELETE"), 4);
    assert_eq!(emulator.method_count("PUT"), 0);
    assert_eq!(emulator.opportunity_ids(), [1237, 1238]);
}

#[tokio::test]
async fn a_failed_batch_marks_its_own_ids_and_the_rest_go_on() {
    let emulator = emulator().await;
    // The first request meets a proxy error page; a PUT that the portal may have run is never
    // repeated, and this one did not run.
    emulator.inject(Fault::Html502);
    let report = client(&emulator)
        .bulk_delete_opportunities(SEEDED)
        .chunk_size(2)
        .concurrency(1)
        .run()
        .await;

    let failed: Vec<_> = report.failed().map(|(id, _)| id).collect();
    assert_eq!(failed, [1234, 1235]);
    for (_, error) in report.failed() {
        assert_eq!(error.status(), Some(http::StatusCode::BAD_GATEWAY));
        assert_eq!(error.delivery(), Delivery::Answered);
    }
    assert_eq!(report.deleted_count(), 3);
    assert_eq!(report.requests_sent(), 3);
    assert_eq!(emulator.opportunity_ids(), [1234, 1235]);
}

#[tokio::test]
async fn no_more_requests_are_in_flight_than_asked_for() {
    let emulator = emulator().await;
    let delay = Duration::from_millis(200);
    for _ in 0..6 {
        emulator.inject(Fault::DelayBeforeHeaders(delay));
    }
    let started = Instant::now();
    let report = client(&emulator)
        .bulk_delete_opportunities([1234, 1235, 1236, 1237, 1238, MISSING])
        .chunk_size(1)
        .concurrency(2)
        .run()
        .await;
    let elapsed = started.elapsed();

    assert_eq!(report.deleted_count(), 5);
    // Six delayed answers two at a time take three delays; all at once would take one, one at
    // a time six.
    assert!(
        elapsed >= delay * 3 - Duration::from_millis(20),
        "{elapsed:?}"
    );
    assert!(elapsed < delay * 5, "{elapsed:?}");
}

#[tokio::test]
async fn nothing_to_delete_sends_nothing() {
    let emulator = emulator().await;
    let report = client(&emulator)
        .bulk_delete_opportunities(Vec::<OpportunityId>::new())
        .run()
        .await;
    assert!(report.outcomes().is_empty());
    assert!(report.all_deleted());
    assert_eq!(report.requests_sent(), 0);
    assert_eq!(emulator.requests_received(), 0);
}

#[tokio::test]
async fn a_lone_id_goes_through_the_batch_route_unless_chunks_are_single() {
    let emulator = emulator().await;
    let report = client(&emulator)
        .bulk_delete_opportunities([1234])
        .chunk_size(200)
        .run()
        .await;
    assert!(report.all_deleted());
    assert_eq!(
        (
            emulator.method_count("PUT"),
            emulator.method_count("DELETE")
        ),
        (1, 0),
        "a batch of one"
    );
    let report = client(&emulator)
        .bulk_delete_opportunities([1235])
        .chunk_size(1)
        .run()
        .await;
    assert!(report.all_deleted());
    assert_eq!(emulator.method_count("DELETE"), 1, "single deletes");
}
