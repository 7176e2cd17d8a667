//! End to end: r7-hyper against the emulated portal, and against loopback servers that
//! misbehave on purpose.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use r7_emulator::{Config, Emulator, SEED_OPPORTUNITY_ID};
use r7_hyper::{Client, ClientBuilder, Delivery, Error, RetryPolicy};
use r7_proto::crm::opportunity::*;
use r7_proto::{BuildError, Format, ResponseError, Token};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

async fn emulator() -> Emulator {
    Emulator::start(Config::default())
        .await
        .expect("emulator starts")
}

fn client(emulator: &Emulator, format: Format) -> Client {
    Client::builder(emulator.base_url())
        .token(Token::new(emulator.token()).expect("token"))
        .format(format)
        .build()
        .expect("client")
}

#[tokio::test]
async fn deletes_the_seed_opportunity_in_json() {
    let emulator = emulator().await;
    let client = client(&emulator, Format::Json);
    let deal = client
        .send(&DeleteOpportunity::new(SEED_OPPORTUNITY_ID))
        .await
        .expect("deleted");
    assert_eq!(deal.id, SEED_OPPORTUNITY_ID);
    assert_eq!(deal.title, "Hotel catalogue");
    assert_eq!(
        deal.stage.as_ref().map(|s| s.title.as_str()),
        Some("Discussion")
    );
    assert_eq!(deal.success_probability, 65);
    assert_eq!(
        emulator.opportunity(SEED_OPPORTUNITY_ID),
        None,
        "gone from the portal"
    );
}

#[tokio::test]
async fn deletes_in_xml_and_decodes_the_same_deal_as_json_reads() {
    let emulator = emulator().await;
    let id = *emulator
        .opportunity_ids()
        .iter()
        .find(|&&id| id != SEED_OPPORTUNITY_ID)
        .expect("a second seeded deal");
    let as_json = client(&emulator, Format::Json)
        .send(&GetOpportunity::new(id))
        .await
        .expect("read");
    let deleted = client(&emulator, Format::Xml)
        .send(&DeleteOpportunity::new(id))
        .await
        .expect("deleted over XML");
    // The server answers a delete with the deal as it is after deletion: no members, custom
    // fields or access list.
    let mut expected = as_json;
    expected.members.clear();
    expected.custom_fields.clear();
    expected.access_list.clear();
    expected.is_private = false;
    assert_eq!(deleted, expected);
    assert_eq!(emulator.opportunity(id), None);
}

#[tokio::test]
async fn a_second_delete_is_a_typed_404() {
    let emulator = emulator().await;
    for format in [Format::Json, Format::Xml] {
        let emulator_client = client(&emulator, format);
        let ids = emulator.opportunity_ids();
        let id = ids[0];
        emulator_client
            .send(&DeleteOpportunity::new(id))
            .await
            .expect("first delete");
        let err = emulator_client
            .send(&DeleteOpportunity::new(id))
            .await
            .expect_err("second delete");
        assert!(err.is_not_found(), "{format}: {err:?}");
        assert_eq!(err.delivery(), Delivery::Answered);
        let api = err.api().expect("error envelope");
        assert_eq!(api.message.as_deref(), Some("Not found"));
        assert_eq!(api.status_code, Some(404));
    }
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized() {
    let emulator = emulator().await;
    let client = Client::builder(emulator.base_url())
        .token(Token::new("not-the-token").expect("token"))
        .build()
        .expect("client");
    let err = client
        .send(&DeleteOpportunity::new(SEED_OPPORTUNITY_ID))
        .await
        .expect_err("401");
    assert!(err.is_unauthorized(), "{err:?}");
    assert!(
        emulator.opportunity(SEED_OPPORTUNITY_ID).is_some(),
        "nothing was deleted"
    );
}

#[tokio::test]
async fn no_token_and_bad_ids_are_refused_without_a_request() {
    let emulator = emulator().await;
    let anonymous = Client::builder(emulator.base_url())
        .build()
        .expect("client");
    let err = anonymous
        .send(&DeleteOpportunity::new(SEED_OPPORTUNITY_ID))
        .await
        .expect_err("no token");
    assert!(
        matches!(err, Error::Build(BuildError::MissingToken)),
        "{err:?}"
    );
    assert_eq!(err.delivery(), Delivery::NotSent);

    let client = client(&emulator, Format::Json);
    for id in [0, -5] {
        let err = client
            .send(&DeleteOpportunity::new(id))
            .await
            .expect_err("refused");
        assert!(
            matches!(err, Error::Build(BuildError::InvalidArgument { .. })),
            "{err:?}"
        );
        assert_eq!(err.delivery(), Delivery::NotSent);
    }
    assert_eq!(emulator.requests_served(), 0, "nothing reached the portal");
}

/// A by-filter request with no effective filter would act on every deal; it is refused
/// before anything reaches the portal, and `all()` is how to mean every deal.
#[tokio::test]
async fn an_unfiltered_delete_by_filter_sends_nothing_unless_all_is_asked_for() {
    let emulator = emulator().await;
    let client = client(&emulator, Format::Json);
    let before = emulator.opportunity_ids();
    assert!(before.len() > 2, "the seed has deals to lose: {before:?}");

    let from = r7_model::ApiDateTime::parse("2024-01-01T00:00:00Z").expect("date");
    for (what, request) in [
        ("new()", DeleteOpportunitiesByFilter::new()),
        (
            "blank text",
            DeleteOpportunitiesByFilter::new().filter_value("  "),
        ),
        (
            "lone fromDate",
            DeleteOpportunitiesByFilter::new().from_date(from),
        ),
    ] {
        let err = client.send(&request).await.expect_err(what);
        assert!(
            matches!(err, Error::Build(BuildError::InvalidArgument { .. })),
            "{what}: {err:?}"
        );
        assert_eq!(err.delivery(), Delivery::NotSent, "{what}");
    }
    let err = client
        .send(&DeleteOpportunitiesByFilter::new())
        .await
        .expect_err("refused");
    assert!(
        err.to_string()
            .contains("`DeleteOpportunitiesByFilter::all()` to mean everything"),
        "{err}"
    );
    let err = client
        .send(&SetOpportunityAccessByFilter::new(true))
        .await
        .expect_err("refused");
    assert_eq!(err.delivery(), Delivery::NotSent);
    assert_eq!(emulator.requests_served(), 0, "nothing reached the portal");
    assert_eq!(emulator.opportunity_ids(), before, "no deal was touched");

    // A real filter deletes only what it matches.
    let deleted = client
        .send(&DeleteOpportunitiesByFilter::new().filter_value("hotel"))
        .await
        .expect("deleted by filter");
    let deleted: Vec<i64> = deleted.items.iter().map(|d| d.id.get()).collect();
    assert_eq!(deleted, [SEED_OPPORTUNITY_ID]);
    let rest: Vec<i64> = before
        .iter()
        .copied()
        .filter(|id| *id != SEED_OPPORTUNITY_ID)
        .collect();
    assert_eq!(emulator.opportunity_ids(), rest);

    // The explicit opt-in deletes every deal.
    let deleted = client
        .send(&DeleteOpportunitiesByFilter::all())
        .await
        .expect("deleted all");
    assert_eq!(deleted.items.len(), rest.len());
    assert!(emulator.opportunity_ids().is_empty());
    assert_eq!(emulator.requests_served(), 2);
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error_not_sent() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let client = loopback(addr).build().expect("client");
    let err = client
        .send(&GetOpportunity::new(1))
        .await
        .expect_err("refused");
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert_eq!(err.delivery(), Delivery::NotSent);
}

/// A client builder for a plain-http loopback server, with a token and no retries (these
/// tests are about what one attempt does).
fn loopback(addr: SocketAddr) -> ClientBuilder {
    Client::builder(format!("http://{addr}/"))
        .token(Token::new("t").expect("token"))
        .retry_policy(RetryPolicy::none())
}

/// A server that reads one request, then writes `head` and never finishes.
async fn stalling_server(head: &'static str) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        if let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let _ = socket.write_all(head.as_bytes()).await;
            // Hold the connection open without finishing the body.
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    });
    addr
}

#[tokio::test]
async fn the_deadline_covers_a_body_that_stalls() {
    let addr = stalling_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"status\":0,",
    )
    .await;
    let timeout = Duration::from_millis(300);
    let client = loopback(addr).timeout(timeout).build().expect("client");
    let started = Instant::now();
    let err = client
        .send(&GetOpportunity::new(1))
        .await
        .expect_err("stalls");
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(err.delivery(), Delivery::MaybeSent);
    assert!(elapsed >= timeout, "{elapsed:?}");
    assert!(elapsed < timeout + Duration::from_secs(2), "{elapsed:?}");
}

#[tokio::test]
async fn an_oversized_body_is_refused_not_buffered() {
    let emulator = emulator().await;
    let client = Client::builder(emulator.base_url())
        .token(Token::new(emulator.token()).expect("token"))
        .max_response_bytes(200)
        .build()
        .expect("client");
    let err = client
        .send(&GetOpportunity::new(SEED_OPPORTUNITY_ID))
        .await
        .expect_err("too large");
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 200, .. }),
        "{err:?}"
    );

    // Chunked, with no Content-Length to refuse it early.
    let addr = stalling_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n190\r\n{\"status\":0,\"response\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    )
    .await;
    let client = loopback(addr)
        .max_response_bytes(100)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let err = client
        .send(&GetOpportunity::new(1))
        .await
        .expect_err("too large");
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 100, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_html_proxy_error_is_an_http_error() {
    let addr = stalling_server(
        "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 52\r\nConnection: close\r\n\r\n<html><body><h1>502 Bad Gateway</h1></body></html>\r\n",
    )
    .await;
    let client = loopback(addr).build().expect("client");
    let err = client.send(&GetOpportunity::new(1)).await.expect_err("502");
    match &err {
        Error::Response(ResponseError::Http {
            status, snippet, ..
        }) => {
            assert_eq!(*status, 502);
            assert!(snippet.as_str().contains("502 Bad Gateway"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.delivery(), Delivery::Answered);
}

#[test]
fn debug_output_never_shows_the_token() {
    let builder = Client::builder("https://portal.example.com/")
        .token(Token::new("super-secret-token").expect("token"));
    assert!(!format!("{builder:?}").contains("super-secret-token"));
    let client = builder.build().expect("client");
    let text = format!("{client:?}");
    assert!(!text.contains("super-secret-token"), "{text}");
    assert!(text.contains("<redacted>"), "{text}");
}

#[tokio::test]
async fn https_addresses_are_spoken_to_over_tls() {
    // A plain-text server: the client must fail the TLS handshake, not fall back to clear text.
    let addr = stalling_server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").await;
    let client = Client::builder(format!("https://{addr}/"))
        .token(Token::new("t").expect("token"))
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let err = client
        .send(&GetOpportunity::new(1))
        .await
        .expect_err("no TLS");
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert_eq!(err.delivery(), Delivery::NotSent);
}
