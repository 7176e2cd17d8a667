//! Walking pages against portals (or caches in front of them) that make no progress: the walk
//! must end with a typed error, never loop for ever.

use futures_util::TryStreamExt;
use r7_hyper::{Client, Error};
use r7_proto::Token;
use r7_proto::crm::opportunity::*;
use r7_proto::crm::opportunity_stage::*;

use crate::faults::{RawServer, Step, answer};

fn page(start_index: Option<u64>, total: Option<u64>, ids: &[i64]) -> Vec<Step> {
    let items: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"id":{id},"title":"Deal {id}"}}"#))
        .collect();
    let mut envelope = format!(r#"{{"count":{},"status":0,"statusCode":200"#, ids.len());
    if let Some(start) = start_index {
        envelope.push_str(&format!(r#","startIndex":{start}"#));
    }
    if let Some(total) = total {
        envelope.push_str(&format!(r#","total":{total}"#));
    }
    envelope.push_str(&format!(r#","response":[{}]}}"#, items.join(",")));
    vec![Step::Write(answer(
        "200 OK",
        &["Content-Type: application/json; charset=utf-8"],
        envelope,
    ))]
}

fn client(server: &RawServer) -> Client {
    Client::builder(server.base_url())
        .token(Token::new("paging-token-0123456789").expect("token"))
        .build()
        .expect("client")
}

async fn walk(server: &RawServer) -> Result<Vec<i64>, Error> {
    let items = client(server).items(&ListOpportunities::new(), 2);
    let deals: Vec<_> =
        tokio::time::timeout(std::time::Duration::from_secs(10), items.try_collect())
            .await
            .expect("the walk ended")?;
    Ok(deals
        .into_iter()
        .map(|d: r7_proto::model::Opportunity| d.id.get())
        .collect())
}

#[tokio::test]
async fn a_cache_that_answers_the_first_page_for_every_offset_stops_the_walk() {
    let server = RawServer::start(std::iter::repeat_n(page(Some(0), None, &[1, 2]), 5)).await;
    match walk(&server).await {
        Err(Error::Paging { start_index: 2, .. }) => {}
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn a_portal_that_repeats_a_page_with_a_huge_total_stops_the_walk() {
    // No startIndex to compare, a total that never ends the walk: the same items again.
    let server =
        RawServer::start(std::iter::repeat_n(page(None, Some(u64::MAX), &[1, 2]), 5)).await;
    let err = walk(&server).await.expect_err("no progress");
    assert!(
        matches!(err, Error::Paging { start_index: 2, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("repeats the previous page"),
        "{err}"
    );
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn pages_that_move_on_are_walked_to_the_end() {
    let server = RawServer::start([
        page(Some(0), Some(5), &[1, 2]),
        page(Some(2), Some(5), &[3, 4]),
        page(Some(4), Some(5), &[5]),
    ])
    .await;
    assert_eq!(walk(&server).await.expect("walked"), [1, 2, 3, 4, 5]);
    let targets: Vec<String> = server
        .received()
        .iter()
        .map(|r| r.target().to_owned())
        .collect();
    assert!(targets[2].contains("startIndex=4"), "{targets:?}");
}

#[tokio::test]
async fn a_start_index_near_the_end_of_u64_ends_the_walk_without_overflow() {
    let stages = [
        r#"{"id":1,"title":"a","stageType":0}"#,
        r#"{"id":2,"title":"b","stageType":0}"#,
    ];
    let body = format!(
        r#"{{"count":2,"status":0,"statusCode":200,"response":[{}]}}"#,
        stages.join(",")
    );
    let server = RawServer::start([vec![Step::Write(answer(
        "200 OK",
        &["Content-Type: application/json; charset=utf-8"],
        body,
    ))]])
    .await;
    let start = u64::MAX - 1;
    let pages: Vec<_> = client(&server)
        .pages(&ListOpportunityStages::new().start_index(start).count(2), 2)
        .try_collect()
        .await
        .expect("one page, then the end");
    assert_eq!(pages.len(), 1);
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn equal_items_on_pages_that_name_their_offset_are_walked_on() {
    // Pages of one deal that happen to be equal: the portal named each offset, so they are
    // different pages of the list.
    let server = RawServer::start([
        page(Some(0), Some(3), &[7]),
        page(Some(1), Some(3), &[7]),
        page(Some(2), Some(3), &[7]),
    ])
    .await;
    let items = client(&server).items(&ListOpportunities::new(), 1);
    let deals: Vec<r7_proto::model::Opportunity> = items.try_collect().await.expect("walked");
    assert_eq!(deals.len(), 3);
}
