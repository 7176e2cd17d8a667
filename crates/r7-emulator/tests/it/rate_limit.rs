//! The optional rate limit: 503 with `Retry-After` before the method runs, and the window ending.

use std::time::Duration;

use r7_emulator::{
    Config, DEFAULT_PASSWORD, DEFAULT_USER, Emulator, RateLimit, SEED_OPPORTUNITY_ID,
};

use crate::support::{
    AUTH_PATH, Reply, SEED_PATH, authed, get, json_body, send, send_body, sign_in,
};

/// Checks a rate-limit answer and returns its `Retry-After` seconds and the milliseconds of the
/// message.
fn assert_rate_limited(reply: &Reply) -> (u64, u64) {
    assert_eq!(reply.status, 503, "{}", reply.text());
    let retry_after: u64 = reply.header("retry-after").unwrap().parse().unwrap();
    let text = reply.text();
    let prefix =
        r#"{"status":1,"statusCode":503,"error":{"message":"Rate limit reached. Try again after "#;
    assert!(text.starts_with(prefix), "{text}");
    let rest = &text[prefix.len()..];
    let (ms, rest) = rest.split_once(" ms\"").unwrap();
    assert_eq!(rest, r#","hresult":-2147467259,"data":{}}}"#);
    (retry_after, ms.parse().unwrap())
}

#[tokio::test]
async fn the_rate_limit_refuses_before_the_method_runs() {
    let emulator = Emulator::start(Config {
        rate_limit: Some(RateLimit {
            requests: 2,
            window: Duration::from_secs(60),
        }),
        ..Config::default()
    })
    .await
    .unwrap();
    assert_eq!(get(&emulator, SEED_PATH).await.status, 200);
    assert_eq!(get(&emulator, SEED_PATH).await.status, 200);
    let reply = authed(&emulator, "DELETE", SEED_PATH).await;
    let (retry_after, ms) = assert_rate_limited(&reply);
    assert!((59..=60).contains(&retry_after), "{retry_after}");
    assert!((58_000..=60_000).contains(&ms), "{ms}");
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=UTF-8")
    );
    assert!(
        emulator.opportunity(SEED_OPPORTUNITY_ID).is_some(),
        "the delete did not run"
    );
    // Sign-in is limited too, before the credentials are checked; and so is a request
    // without a token. XML paths get the envelope in XML.
    let reply = send_body(
        emulator.addr(),
        "POST",
        AUTH_PATH,
        &[("Content-Type", "application/json")],
        &json_body(DEFAULT_USER, DEFAULT_PASSWORD),
    )
    .await;
    assert_rate_limited(&reply);
    assert_eq!(emulator.logins(), 0);
    let reply = send(
        emulator.addr(),
        "GET",
        "/api/2.0/crm/opportunity/1234.xml",
        &[],
    )
    .await;
    assert_eq!(reply.status, 503);
    assert!(reply.text().starts_with(
        "<result><status>1</status><statusCode>503</statusCode><error><message>Rate limit reached. Try again after "
    ), "{}", reply.text());
    // Pages outside the API are not limited.
    get(&emulator, "/nowhere").await.assert_html_404();
}

#[tokio::test]
async fn sign_in_counts_against_the_rate_limit_and_the_window_ends() {
    let emulator = Emulator::start(Config {
        rate_limit: Some(RateLimit {
            requests: 1,
            window: Duration::from_millis(300),
        }),
        ..Config::default()
    })
    .await
    .unwrap();
    let (token, _) = sign_in(&emulator, DEFAULT_USER, DEFAULT_PASSWORD).await;
    let reply = send(
        emulator.addr(),
        "GET",
        SEED_PATH,
        &[("Authorization", &token)],
    )
    .await;
    let (retry_after, ms) = assert_rate_limited(&reply);
    assert_eq!(retry_after, 1, "at least one second");
    assert!(ms <= 300, "{ms}");
    tokio::time::sleep(Duration::from_millis(350)).await;
    let reply = send(
        emulator.addr(),
        "GET",
        SEED_PATH,
        &[("Authorization", &token)],
    )
    .await;
    assert_eq!(reply.status, 200);
}
