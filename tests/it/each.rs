//! `Client::all` (every item of a list) and `Client::each` (many requests, one outcome each),
//! against the emulated portal.

use std::time::Duration;

use r7_emulator::{Config, Emulator, Fault};
use r7_hyper::{Client, Delivery, Error};
use r7_proto::crm::opportunity::*;
use r7_proto::crm::opportunity_stage::*;
use r7_proto::model::{Opportunity, StageType};
use r7_proto::{BuildError, Format, Token};

/// A portal with the seed deals and `extra` more, numbered from 2000.
async fn emulator(extra: i64) -> Emulator {
    let mut config = Config::default();
    for n in 0..extra {
        let mut deal = Opportunity::default();
        deal.id = (2000 + n).into();
        deal.title = format!("Extra {n:03}");
        config.opportunities.push(deal);
    }
    Emulator::start(config).await.expect("emulator starts")
}

fn client(emulator: &Emulator, format: Format) -> Client {
    Client::builder(emulator.base_url())
        .token(Token::new(emulator.token()).expect("token"))
        .format(format)
        .build()
        .expect("client")
}

#[tokio::test]
async fn all_collects_every_page_in_order_in_either_format() {
    let emulator = emulator(25).await;
    for format in [Format::Json, Format::Xml] {
        let client = client(&emulator, format);
        let search = ListOpportunities::new()
            .filter_value("Extra")
            .sort_by(OpportunitySortBy::Title)
            .count(4);
        let before = emulator.method_count("GET");
        let deals = client.all(&search).await.expect("all");
        let titles: Vec<String> = deals.iter().map(|d| d.title.clone()).collect();
        let expected: Vec<String> = (0..25).map(|n| format!("Extra {n:03}")).collect();
        assert_eq!(titles, expected, "{format:?}");
        // 25 items, 4 a page: 7 requests, the last one short.
        assert_eq!(emulator.method_count("GET") - before, 7, "{format:?}");
    }
}

#[tokio::test]
async fn all_of_an_empty_list_and_of_a_list_of_one() {
    let emulator = emulator(0).await;
    for format in [Format::Json, Format::Xml] {
        let client = client(&emulator, format);
        let none = client
            .all(&ListOpportunities::new().filter_value("no deal has this title"))
            .await
            .expect("empty");
        assert!(none.is_empty(), "{format:?}");
        let one = client
            .all(&ListOpportunities::new().filter_value("Hotel"))
            .await
            .expect("one");
        assert_eq!(one.len(), 1, "{format:?}");
        assert_eq!(one[0].title, "Hotel catalogue");
    }
}

#[tokio::test]
async fn each_gives_one_outcome_per_request_in_the_input_order() {
    let emulator = emulator(0).await;
    let client = client(&emulator, Format::Json);
    let ids = [1234, 999_999, 1235, 0, 1236];
    let report = client
        .each(ids.map(GetOpportunity::new))
        .concurrency(3)
        .run()
        .await;
    assert_eq!(report.outcomes().len(), ids.len());
    let read: Vec<(usize, i64)> = report.succeeded().map(|(i, d)| (i, d.id.get())).collect();
    assert_eq!(read, [(0, 1234), (2, 1235), (4, 1236)]);
    let failed: Vec<(usize, Delivery)> = report.failed().map(|(i, e)| (i, e.delivery())).collect();
    assert_eq!(failed, [(1, Delivery::Answered), (3, Delivery::NotSent)]);
    assert!(
        report.outcomes()[1]
            .as_ref()
            .err()
            .is_some_and(Error::is_not_found)
    );
    assert!(matches!(
        report.outcomes()[3],
        Err(Error::Build(BuildError::InvalidArgument { .. }))
    ));
    assert_eq!(report.not_sent().collect::<Vec<_>>(), [3]);
    assert_eq!(report.succeeded_count(), 3);
    assert!(!report.all_succeeded());
    // The invalid id was refused before sending: 4 requests reached the portal.
    assert_eq!(emulator.method_count("GET"), 4);
}

#[tokio::test]
async fn each_keeps_within_its_bound_of_requests_in_flight() {
    let emulator = emulator(40).await;
    let client = client(&emulator, Format::Json);
    for _ in 0..40 {
        emulator.inject(Fault::DelayBeforeHeaders(Duration::from_millis(25)));
    }
    let report = client
        .each((2000..2040).map(GetOpportunity::new))
        .concurrency(4)
        .run()
        .await;
    assert!(report.all_succeeded());
    let most = emulator.max_in_flight();
    assert!((2..=4).contains(&most), "{most} in flight at once");
    let order: Vec<i64> = report.succeeded().map(|(_, d)| d.id.get()).collect();
    assert_eq!(order, (2000..2040).collect::<Vec<_>>());
}

#[tokio::test]
async fn each_never_repeats_a_change_that_may_have_reached_the_portal() {
    let emulator = emulator(3).await;
    let client = client(&emulator, Format::Json);
    let stages = client
        .send(&ListOpportunityStages::new())
        .await
        .expect("stages");
    let won = stages
        .items
        .iter()
        .find(|s| s.stage_type == StageType::ClosedAndWon)
        .expect("a won stage")
        .id;
    // The first change meets a dropped connection: it may have been done, so it is not sent
    // again; the others go on.
    emulator.inject(Fault::CloseConnection);
    let report = client
        .each((2000..2003).map(|id| UpdateOpportunityStage::new(id, won)))
        .concurrency(1)
        .run()
        .await;
    let failed: Vec<(usize, Delivery)> = report.failed().map(|(i, e)| (i, e.delivery())).collect();
    assert_eq!(failed, [(0, Delivery::MaybeSent)]);
    assert_eq!(report.succeeded_count(), 2);
    assert_eq!(
        emulator.method_count("PUT"),
        3,
        "one PUT per deal, none repeated"
    );
    assert_eq!(report.not_sent().count(), 0);
}
