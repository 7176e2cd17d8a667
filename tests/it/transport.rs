//! The transport against a portal that misbehaves: sign-in and re-sign-in, safe retries, rate
//! limits, deadlines, size caps, and secrets kept out of errors and logs.

use std::time::{Duration, Instant};

use r7_emulator::{
    Config, DEFAULT_PASSWORD, DEFAULT_USER, Emulator, Fault, RateLimit, SEED_OPPORTUNITY_ID,
};
use r7_hyper::{Client, ClientBuilder, Delivery, Error, RetryPolicy};
use r7_proto::crm::opportunity::*;
use r7_proto::{Credentials, ResponseError, Token};

use crate::support::Captured;

const OTHER_DEAL: i64 = 1235;

async fn emulator(config: Config) -> Emulator {
    Emulator::start(config).await.expect("emulator starts")
}

fn with_token(emulator: &Emulator) -> ClientBuilder {
    Client::builder(emulator.base_url()).token(Token::new(emulator.token()).expect("token"))
}

fn with_credentials(emulator: &Emulator, password: &str) -> ClientBuilder {
    Client::builder(emulator.base_url()).credentials(Credentials::new(DEFAULT_USER, password))
}

#[tokio::test]
async fn signs_in_once_and_again_when_the_token_expires() {
    let emulator = emulator(Config::default()).await;
    let client = with_credentials(&emulator, DEFAULT_PASSWORD)
        .build()
        .expect("client");
    client
        .send(&GetOpportunity::new(SEED_OPPORTUNITY_ID))
        .await
        .expect("first call");
    client
        .send(&GetOpportunity::new(OTHER_DEAL))
        .await
        .expect("second call");
    assert_eq!(emulator.logins(), 1, "the token is kept between calls");

    emulator.expire_tokens();
    let deal = client
        .send(&DeleteOpportunity::new(OTHER_DEAL))
        .await
        .expect("signs in again and repeats the refused call");
    assert_eq!(deal.id, OTHER_DEAL);
    assert_eq!(emulator.logins(), 2);
    // The refused DELETE never ran (401 comes before the method), and the repeat did.
    assert_eq!(emulator.method_count("DELETE"), 2);
    assert_eq!(emulator.opportunity(OTHER_DEAL), None);
}

#[tokio::test]
async fn a_wrong_password_fails_without_showing_it() {
    let emulator = emulator(Config::default()).await;
    let password = "Wr0ng-Pa55word";
    let client = with_credentials(&emulator, password)
        .build()
        .expect("client");
    let err = client
        .send(&GetOpportunity::new(SEED_OPPORTUNITY_ID))
        .await
        .expect_err("refused");
    let api = err.api().expect("the server's error envelope");
    assert_eq!(
        api.status, 500,
        "the server answers 500, not 401, to bad credentials"
    );
    assert_eq!(api.message.as_deref(), Some("User authentication failed"));
    for text in [err.to_string(), format!("{err:?}"), format!("{client:?}")] {
        assert!(!text.contains(password), "{text}");
    }
    assert_eq!(emulator.logins(), 0);
}

#[tokio::test]
async fn a_delete_is_never_repeated_after_the_connection_drops() {
    let emulator = emulator(Config::default()).await;
    let client = with_token(&emulator).build().expect("client");
    emulator.inject(Fault::CloseConnection);
    let err = client
        .send(&DeleteOpportunity::new(OTHER_DEAL))
        .await
        .expect_err("connection dropped");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(err.delivery(), Delivery::MaybeSent);
    assert!(!err.is_retryable() && err.is_retryable_if_idempotent());
    assert_eq!(
        emulator.method_count("DELETE"),
        1,
        "sent once, not repeated"
    );
}

#[tokio::test]
async fn a_get_is_repeated_after_the_connection_drops() {
    let emulator = emulator(Config::default()).await;
    let client = with_token(&emulator).build().expect("client");
    client
        .send(&GetOpportunity::new(OTHER_DEAL))
        .await
        .expect("warm the pool");
    emulator.inject(Fault::CloseConnection);
    let deal = client
        .send(&GetOpportunity::new(OTHER_DEAL))
        .await
        .expect("repeated");
    assert_eq!(deal.id, OTHER_DEAL);
    assert_eq!(emulator.method_count("GET"), 3);
}

#[tokio::test]
async fn a_proxy_502_is_repeated_for_a_get_but_not_for_a_delete() {
    let emulator = emulator(Config::default()).await;
    let client = with_token(&emulator).build().expect("client");
    emulator.inject(Fault::Html502);
    client
        .send(&GetOpportunity::new(OTHER_DEAL))
        .await
        .expect("repeated");
    assert_eq!(emulator.method_count("GET"), 2);

    emulator.inject(Fault::Html502);
    let err = client
        .send(&DeleteOpportunity::new(OTHER_DEAL))
        .await
        .expect_err("502");
    assert_eq!(err.status(), Some(http::StatusCode::BAD_GATEWAY));
    assert_eq!(emulator.method_count("DELETE"), 1);
}

#[tokio::test]
async fn a_rate_limited_call_waits_for_retry_after_whatever_its_method() {
    let emulator = emulator(Config {
        rate_limit: Some(RateLimit {
            requests: 1,
            window: Duration::from_secs(1),
        }),
        ..Config::default()
    })
    .await;
    let client = with_token(&emulator).build().expect("client");
    client
        .send(&GetOpportunity::new(OTHER_DEAL))
        .await
        .expect("first");
    let started = Instant::now();
    let deal = client
        .send(&DeleteOpportunity::new(OTHER_DEAL))
        .await
        .expect("waited, then deleted");
    assert_eq!(deal.id, OTHER_DEAL);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        emulator.method_count("DELETE"),
        2,
        "refused once by the limiter, then run"
    );

    // Without retries the caller sees the delay.
    let client = with_token(&emulator)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let _ = client.send(&GetOpportunity::new(SEED_OPPORTUNITY_ID)).await;
    let err = client
        .send(&GetOpportunity::new(SEED_OPPORTUNITY_ID))
        .await
        .expect_err("limited");
    match &err {
        Error::Response(ResponseError::RateLimited { retry_after, .. }) => {
            assert!(
                retry_after.is_some_and(|d| d >= Duration::from_secs(1)),
                "{retry_after:?}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_body_that_stalls_times_out_within_the_deadline() {
    let emulator = emulator(Config::default()).await;
    let deadline = Duration::from_millis(400);
    let client = with_token(&emulator)
        .timeout(deadline)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    emulator.inject(Fault::StallMidBody);
    let started = Instant::now();
    let err = client
        .send(&GetOpportunity::new(OTHER_DEAL))
        .await
        .expect_err("stalls");
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        elapsed >= deadline && elapsed < deadline + Duration::from_secs(1),
        "{elapsed:?}"
    );
    // The client still works for the next call.
    client
        .send(&GetOpportunity::new(OTHER_DEAL))
        .await
        .expect("next call");
}

#[tokio::test]
async fn a_slow_answer_within_the_deadline_is_fine() {
    let emulator = emulator(Config::default()).await;
    let client = with_token(&emulator)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    emulator.inject(Fault::DelayBeforeHeaders(Duration::from_millis(200)));
    client
        .send(&GetOpportunity::new(OTHER_DEAL))
        .await
        .expect("slow but in time");
    assert_eq!(emulator.method_count("GET"), 1);
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let emulator = emulator(Config::default()).await;
    let client = with_token(&emulator)
        .max_response_bytes(4096)
        .build()
        .expect("client");
    emulator.inject(Fault::OversizedBody(1 << 20));
    let err = client
        .send(&GetOpportunity::new(OTHER_DEAL))
        .await
        .expect_err("too large");
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 4096, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn logs_name_the_template_and_never_a_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let emulator = emulator(Config::default()).await;
    let client = with_credentials(&emulator, DEFAULT_PASSWORD)
        .build()
        .expect("client");
    client
        .send(&GetOpportunity::new(SEED_OPPORTUNITY_ID))
        .await
        .expect("call");
    emulator.expire_tokens();
    client
        .send(&DeleteOpportunity::new(SEED_OPPORTUNITY_ID))
        .await
        .expect("re-sign-in");
    let _ = client
        .send(&DeleteOpportunity::new(SEED_OPPORTUNITY_ID))
        .await;
    let bad = with_credentials(&emulator, "Another-Secret-9")
        .build()
        .expect("client");
    let _ = bad.send(&GetOpportunity::new(SEED_OPPORTUNITY_ID)).await;

    let text = captured.text();
    assert!(text.contains("r7.request"), "{text}");
    assert!(
        text.contains("api/2.0/crm/opportunity/{opportunityid}"),
        "{text}"
    );
    assert!(text.contains("api/2.0/authentication"), "{text}");
    assert!(text.contains("status=404"), "{text}");
    // The tokens the client really sent: the two sign-ins issued them.
    let issued = emulator.issued_tokens();
    assert_eq!(issued.len(), 2, "signed in, then again after the expiry");
    let secrets = [DEFAULT_PASSWORD, "Another-Secret-9", emulator.token()];
    for secret in secrets
        .iter()
        .copied()
        .chain(issued.iter().map(String::as_str))
    {
        assert!(
            !text.contains(secret),
            "{secret} leaked into the log:\n{text}"
        );
    }
    assert!(
        !text.contains("opportunity/1234"),
        "ids stay out of the log:\n{text}"
    );
}

#[test]
fn debug_output_of_clients_never_shows_credentials() {
    let builder = Client::builder("https://portal.example.com/")
        .credentials(Credentials::new("admin@example.com", "Top-Secret-Pw"));
    let client = builder.clone().build().expect("client");
    for text in [
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{client:#?}"),
    ] {
        assert!(!text.contains("Top-Secret-Pw"), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }
}

#[tokio::test]
async fn calls_can_run_on_spawned_tasks() {
    let emulator = emulator(Config::default()).await;
    let client = with_credentials(&emulator, DEFAULT_PASSWORD)
        .build()
        .expect("client");
    let tasks: Vec<_> = emulator
        .opportunity_ids()
        .into_iter()
        .map(|id| {
            let client = client.clone();
            tokio::spawn(async move { client.send(&GetOpportunity::new(id)).await })
        })
        .collect();
    for task in tasks {
        task.await.expect("task").expect("call");
    }
    assert_eq!(emulator.logins(), 1, "concurrent calls share one sign-in");
}
