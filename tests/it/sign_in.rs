//! Signing in under load: one sign-in in flight per client, its outcome shared by every call
//! that waits for it, each call still bounded by its own deadline, and a refused sign-in not
//! repeated once per call.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use r7_emulator::{Config, DEFAULT_USER, Emulator};
use r7_hyper::{Client, Delivery, Error};
use r7_proto::Credentials;
use r7_proto::crm::opportunity::*;

use crate::faults::{DEAL_ID, RawServer, Step, answer};

const CALLS: usize = 32;

fn signing_in(base_url: String, password: &str) -> Client {
    Client::builder(base_url)
        .credentials(Credentials::new(DEFAULT_USER, password))
        .build()
        .expect("client")
}

/// The requests `server` read whose path is the sign-in's.
fn sign_ins(server: &RawServer) -> usize {
    let received = server.received();
    received
        .iter()
        .filter(|r| r.target().starts_with("/api/2.0/authentication"))
        .count()
}

fn issued(token: &str, expires: &str) -> Vec<Step> {
    vec![Step::Write(answer(
        "201 Created",
        &["Content-Type: application/json; charset=utf-8"],
        format!(
            r#"{{"status":0,"statusCode":201,"response":{{"token":"{token}","expires":"{expires}"}}}}"#
        ),
    ))]
}

#[tokio::test]
async fn concurrent_calls_share_one_sign_in_and_each_keeps_its_own_deadline() {
    // The sign-in is never answered.
    let server = RawServer::start([vec![Step::Hold]]).await;
    let client = Client::builder(server.base_url())
        .credentials(Credentials::new(DEFAULT_USER, "Secret-Pass-1"))
        .timeout(Duration::from_millis(500))
        .build()
        .expect("client");
    let started = Instant::now();
    let get = GetOpportunity::new(DEAL_ID);
    let results = join_all((0..CALLS).map(|_| client.send(&get))).await;
    let took = started.elapsed();
    // Each call gives up at its own deadline, none waits behind another's sign-in.
    assert!(took < Duration::from_millis(1_500), "took {took:?}");
    for result in results {
        let err = result.expect_err("no sign-in answer");
        assert!(matches!(err, Error::Timeout { attempts: 0, .. }), "{err:?}");
        assert_eq!(err.delivery(), Delivery::NotSent);
        assert!(err.to_string().contains("was not sent"), "{err}");
    }
    assert_eq!(sign_ins(&server), 1, "one sign-in for {CALLS} calls");
}

#[tokio::test]
async fn a_wrong_password_is_tried_once_for_many_calls_and_not_again_at_once() {
    let emulator = Emulator::start(Config::default()).await.expect("emulator");
    let client = signing_in(emulator.base_url(), "Wrong-Pass-Word");
    let get = GetOpportunity::new(DEAL_ID);
    let results = join_all((0..CALLS).map(|_| client.send(&get))).await;
    for result in &results {
        let err = result.as_ref().expect_err("refused");
        assert!(matches!(err, Error::SignIn(_)), "{err:?}");
        assert_eq!(err.delivery(), Delivery::NotSent);
        assert_eq!(
            err.api().and_then(|api| api.message.as_deref()),
            Some("User authentication failed")
        );
    }
    assert_eq!(
        emulator.method_count("POST"),
        1,
        "one failed login, not {CALLS}"
    );
    // A call right after is answered from memory, not with another failed login.
    let err = client.send(&get).await.expect_err("still refused");
    assert!(matches!(err, Error::SignIn(_)), "{err:?}");
    assert_eq!(emulator.method_count("POST"), 1);
    assert_eq!(emulator.method_count("GET"), 0, "no call was sent");
}

#[tokio::test]
async fn a_sign_in_that_failed_on_the_way_is_tried_again_by_the_next_call() {
    // The first sign-in's connection is closed unanswered, the second one works.
    let server = RawServer::start([
        vec![Step::Close],
        issued("second-token-0123456789", "2099-01-01T00:00:00.0000000Z"),
    ])
    .await;
    let client = signing_in(server.base_url(), "Secret-Pass-1");
    let get = GetOpportunity::new(DEAL_ID);
    let err = client.send(&get).await.expect_err("lost sign-in");
    assert!(
        matches!(err.sign_in_error(), Some(Error::Transport { .. })),
        "{err:?}"
    );
    let deal = client.send(&get).await.expect("signed in this time");
    assert_eq!(deal.id, DEAL_ID);
    assert_eq!(sign_ins(&server), 2);
}

#[tokio::test]
async fn an_expiry_already_past_does_not_make_every_call_sign_in() {
    // A portal whose clock is behind (or whose tokens are short-lived) issues a token that
    // looks expired on arrival: it is used until the portal refuses it.
    let server = RawServer::start([issued(
        "short-lived-token-0123456789",
        "2001-01-01T00:00:00.0000000Z",
    )])
    .await;
    let client = signing_in(server.base_url(), "Secret-Pass-1");
    for _ in 0..5 {
        let deal = client
            .send(&GetOpportunity::new(DEAL_ID))
            .await
            .expect("deal");
        assert_eq!(deal.id, DEAL_ID);
    }
    assert_eq!(sign_ins(&server), 1);
    let received = server.received();
    assert!(
        received[1..]
            .iter()
            .all(|r| r.header("authorization") == Some("short-lived-token-0123456789")),
        "{received:?}"
    );
}
