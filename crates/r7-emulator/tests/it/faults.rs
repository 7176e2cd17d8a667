//! Injected faults (delays, stalls, dropped connections, 502s, oversized bodies); request counts.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Empty;
use hyper_util::rt::TokioIo;
use r7_emulator::{DEFAULT_PASSWORD, DEFAULT_TOKEN, DEFAULT_USER, Fault, SEED_OPPORTUNITY_ID};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{
    AUTH_PATH, SEED_PATH, authed, get, json_body, parse_reply, request_bytes, seed_deal_json, send,
    send_raw, sign_in, start,
};

#[tokio::test]
async fn delay_before_headers_delays_a_request_that_runs() {
    let emulator = start().await;
    let delay = Duration::from_millis(300);
    emulator.inject(Fault::DelayBeforeHeaders(delay));
    let started = Instant::now();
    let reply = authed(&emulator, "DELETE", SEED_PATH).await;
    let elapsed = started.elapsed();
    assert_eq!(reply.status, 200);
    assert!(elapsed >= delay, "{elapsed:?}");
    assert_eq!(
        emulator.opportunity(SEED_OPPORTUNITY_ID),
        None,
        "the delete happened"
    );
    // The fault was used up.
    let started = Instant::now();
    assert_eq!(
        get(&emulator, "/api/2.0/crm/opportunity/1235").await.status,
        200
    );
    assert!(started.elapsed() < delay);
}

/// Reads from `stream` until the server has been silent for `quiet`; `true` when the server
/// closed the connection.
async fn read_until_quiet(stream: &mut TcpStream, quiet: Duration, into: &mut Vec<u8>) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(quiet, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(n)) => into.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test]
async fn stall_mid_body_sends_half_and_holds_the_connection() {
    let emulator = start().await;
    emulator.inject(Fault::StallMidBody);
    let mut stream = TcpStream::connect(emulator.addr()).await.unwrap();
    let request = request_bytes(
        emulator.addr(),
        "DELETE",
        SEED_PATH,
        &[("Authorization", DEFAULT_TOKEN)],
        None,
    );
    stream.write_all(&request).await.unwrap();
    let mut raw = Vec::new();
    let closed = read_until_quiet(&mut stream, Duration::from_millis(500), &mut raw).await;
    assert!(!closed, "the connection stays open");
    let reply = parse_reply(&raw);
    assert_eq!(reply.status, 200);
    let promised: usize = reply.header("content-length").unwrap().parse().unwrap();
    let full = format!(
        r#"{{"count":1,"status":0,"statusCode":200,"response":{}}}"#,
        seed_deal_json()
    );
    assert_eq!(promised, full.len());
    assert_eq!(reply.body, full.as_bytes()[..promised / 2]);
    assert_eq!(
        emulator.opportunity(SEED_OPPORTUNITY_ID),
        None,
        "the delete happened"
    );
    assert_eq!(emulator.requests_served(), 1);

    // Other connections are served meanwhile, and shutdown releases the stalled one promptly.
    assert_eq!(
        get(&emulator, "/api/2.0/crm/opportunity/1235").await.status,
        200
    );
    let started = Instant::now();
    emulator.shutdown().await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let mut rest = Vec::new();
    let closed = read_until_quiet(&mut stream, Duration::from_secs(2), &mut rest).await;
    assert!(closed && rest.is_empty(), "{rest:?}");
}

#[tokio::test]
async fn close_connection_sends_nothing_and_runs_nothing() {
    let emulator = start().await;
    emulator.inject(Fault::CloseConnection);
    let raw = send_raw(
        emulator.addr(),
        "DELETE",
        SEED_PATH,
        &[("Authorization", DEFAULT_TOKEN)],
        None,
    )
    .await;
    assert!(raw.is_empty(), "{:?}", String::from_utf8_lossy(&raw));
    assert!(
        emulator.opportunity(SEED_OPPORTUNITY_ID).is_some(),
        "the delete did not run"
    );
    assert_eq!(emulator.requests_received(), 1);
    assert_eq!(emulator.requests_served(), 0);
    assert_eq!(emulator.method_count("DELETE"), 1);

    // With a body (a sign-in), the close is still clean and nobody signs in.
    emulator.inject(Fault::CloseConnection);
    let raw = send_raw(
        emulator.addr(),
        "POST",
        AUTH_PATH,
        &[("Content-Type", "application/json")],
        Some(&json_body(DEFAULT_USER, DEFAULT_PASSWORD)),
    )
    .await;
    assert!(raw.is_empty());
    assert_eq!(emulator.logins(), 0);

    // A hyper client sees the connection close before any response.
    emulator.inject(Fault::CloseConnection);
    let stream = TcpStream::connect(emulator.addr()).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    let connection = tokio::spawn(connection);
    let request = http::Request::builder()
        .method("GET")
        .uri(SEED_PATH)
        .header("host", "localhost")
        .header("authorization", DEFAULT_TOKEN)
        .body(Empty::<Bytes>::new())
        .unwrap();
    let err = sender.send_request(request).await.unwrap_err();
    assert!(err.is_incomplete_message() || err.is_closed(), "{err:?}");
    let _ = connection.await;
    // The server is fine afterwards.
    assert_eq!(get(&emulator, SEED_PATH).await.status, 200);
}

#[tokio::test]
async fn html_502_answers_like_a_proxy_without_running_the_request() {
    let emulator = start().await;
    emulator.inject(Fault::Html502);
    let reply = authed(&emulator, "DELETE", SEED_PATH).await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.header("content-type"), Some("text/html"));
    assert!(
        reply.text().contains("<h1>502 Bad Gateway</h1>"),
        "{}",
        reply.text()
    );
    assert!(emulator.opportunity(SEED_OPPORTUNITY_ID).is_some());
    assert_eq!(emulator.requests_served(), 1);
    assert_eq!(authed(&emulator, "DELETE", SEED_PATH).await.status, 200);
}

#[tokio::test]
async fn oversized_body_has_the_asked_length() {
    let emulator = start().await;
    for len in [3 << 20, 100, 70, 10, 1, 0] {
        emulator.inject(Fault::OversizedBody(len));
        let reply = authed(&emulator, "DELETE", SEED_PATH).await;
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.header("content-type"),
            Some("application/json; charset=UTF-8")
        );
        assert_eq!(
            reply.header("content-length"),
            Some(len.to_string().as_str())
        );
        assert_eq!(reply.body.len(), len);
        if len >= 2 {
            let value: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
            if len >= 70 {
                assert_eq!(value["statusCode"], 200);
                assert_eq!(value["count"], 1);
            }
        }
    }
    assert!(emulator.opportunity(SEED_OPPORTUNITY_ID).is_some());
}

#[tokio::test]
async fn faults_apply_in_order_to_api_requests_only() {
    let emulator = start().await;
    emulator.inject(Fault::Html502);
    emulator.inject(Fault::OversizedBody(100));
    // Not an API path: no fault used.
    get(&emulator, "/nowhere").await.assert_html_404();
    assert_eq!(get(&emulator, SEED_PATH).await.status, 502);
    let reply = get(&emulator, SEED_PATH).await;
    assert_eq!((reply.status, reply.body.len()), (200, 100));
    // Faults that run the request apply to any answer, 401 included.
    emulator.inject(Fault::DelayBeforeHeaders(Duration::from_millis(100)));
    let started = Instant::now();
    let reply = send(emulator.addr(), "GET", SEED_PATH, &[]).await;
    assert_eq!(reply.status, 401);
    assert!(started.elapsed() >= Duration::from_millis(100));
    get(&emulator, SEED_PATH).await.assert_json(
        200,
        &format!(
            r#"{{"count":1,"status":0,"statusCode":200,"response":{}}}"#,
            seed_deal_json()
        ),
    );
}

#[tokio::test]
async fn requests_received_counts_everything_by_method() {
    let emulator = start().await;
    assert_eq!(emulator.requests_received(), 0);
    get(&emulator, SEED_PATH).await;
    get(&emulator, "/nowhere").await;
    send(emulator.addr(), "OPTIONS", SEED_PATH, &[]).await;
    emulator.inject(Fault::CloseConnection);
    send_raw(
        emulator.addr(),
        "DELETE",
        SEED_PATH,
        &[("Authorization", DEFAULT_TOKEN)],
        None,
    )
    .await;
    emulator.inject(Fault::Html502);
    authed(&emulator, "DELETE", SEED_PATH).await;
    authed(&emulator, "DELETE", SEED_PATH).await;
    sign_in(&emulator, DEFAULT_USER, DEFAULT_PASSWORD).await;
    assert_eq!(emulator.requests_received(), 7);
    assert_eq!(
        emulator.requests_served(),
        6,
        "the closed one got no answer"
    );
    assert_eq!(emulator.method_count("GET"), 2);
    assert_eq!(emulator.method_count("DELETE"), 3);
    assert_eq!(emulator.method_count("OPTIONS"), 1);
    assert_eq!(emulator.method_count("POST"), 1);
    assert_eq!(emulator.method_count("delete"), 0);
    assert_eq!(emulator.method_count("PUT"), 0);
    // A connection that sends nothing is not a request; garbage that hyper rejects is not
    // one either.
    drop(TcpStream::connect(emulator.addr()).await.unwrap());
    assert_eq!(emulator.requests_received(), 7);
}
