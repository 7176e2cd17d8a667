//! One deadline bounds the whole call: attempts, the waits between them, signing in; an
//! optional per-attempt timeout inside it; per-call overrides of both and of the retry policy.

use std::time::{Duration, Instant};

use r7_hyper::{CallOptions, Client, ClientBuilder, ConfigError, Delivery, Error, RetryPolicy};
use r7_proto::crm::opportunity::*;
use r7_proto::{Credentials, ResponseError, Token};

use crate::faults::{DEAL_ID, RawServer, Step, answer};

/// How much later than its deadline a call may come back on a busy 2-core machine.
const MARGIN: Duration = Duration::from_millis(400);

fn proxy_502() -> Vec<Step> {
    vec![Step::Write(answer(
        "502 Bad Gateway",
        &["Content-Type: text/html"],
        "<html><body>502 Bad Gateway</body></html>",
    ))]
}

fn rate_limited(seconds: u32) -> Vec<Step> {
    vec![Step::Write(answer(
        "503 Service Unavailable",
        &[
            "Content-Type: application/json; charset=utf-8",
            &format!("Retry-After: {seconds}"),
        ],
        r#"{"status":1,"statusCode":503,"error":{"message":"Rate limit reached"}}"#,
    ))]
}

fn with_token(server: &RawServer) -> ClientBuilder {
    Client::builder(server.base_url())
        .token(Token::new("deadline-token-0123456789").expect("token"))
}

/// Sends a GET and returns its error and how long the call took.
async fn fails(client: &Client, options: &CallOptions) -> (Error, Duration) {
    let started = Instant::now();
    let result = tokio::time::timeout(
        Duration::from_secs(20),
        client.send_with(&GetOpportunity::new(DEAL_ID), options),
    )
    .await
    .expect("the call came back");
    (result.expect_err("fails"), started.elapsed())
}

#[tokio::test]
async fn retries_and_their_backoff_stay_within_the_deadline() {
    let server = RawServer::start(std::iter::repeat_n(proxy_502(), 50)).await;
    let deadline = Duration::from_millis(1_000);
    let client = with_token(&server)
        .timeout(deadline)
        .retry_policy(
            RetryPolicy::default()
                .max_retries(20)
                .backoff(Duration::from_millis(150), Duration::from_millis(150)),
        )
        .build()
        .expect("client");
    let (err, took) = fails(&client, &CallOptions::new()).await;
    assert!(took < deadline + MARGIN, "took {took:?}");
    assert_eq!(err.status(), Some(http::StatusCode::BAD_GATEWAY), "{err:?}");
    // Repeated while the deadline allowed (about 1000 / 150 times), then stopped.
    let sent = server.received().len();
    assert!((3..=8).contains(&sent), "{sent} attempts");
}

#[tokio::test]
async fn a_retry_after_that_would_pass_the_deadline_is_not_waited_for() {
    let server = RawServer::start([rate_limited(5)]).await;
    let client = with_token(&server)
        .timeout(Duration::from_secs(2))
        .build()
        .expect("client");
    let (err, took) = fails(&client, &CallOptions::new()).await;
    assert!(
        took < MARGIN,
        "waited {took:?} for a retry it could not make"
    );
    assert!(
        matches!(err, Error::Response(ResponseError::RateLimited { retry_after: Some(d), .. }) if d == Duration::from_secs(5)),
        "{err:?}"
    );
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn a_proxy_429_with_retry_after_is_waited_for_whatever_the_method() {
    let too_many = vec![Step::Write(answer(
        "429 Too Many Requests",
        &["Content-Type: text/html", "Retry-After: 0"],
        "<html>Too Many Requests</html>",
    ))];
    let server = RawServer::start([too_many]).await;
    let client = with_token(&server).build().expect("client");
    let deal = client
        .send(&r7_proto::crm::opportunity::DeleteOpportunity::new(DEAL_ID))
        .await
        .expect("repeated after the 429");
    assert_eq!(deal.id, DEAL_ID);
    let received = server.received();
    assert_eq!(received.len(), 2);
    assert!(received.iter().all(|r| r.method() == "DELETE"));
}

#[tokio::test]
async fn stalled_attempts_end_at_the_attempt_timeout_and_the_call_at_its_deadline() {
    let server = RawServer::start(std::iter::repeat_n(vec![Step::Hold], 20)).await;
    let deadline = Duration::from_millis(1_200);
    let each = Duration::from_millis(300);
    let client = with_token(&server)
        .timeout(deadline)
        .attempt_timeout(each)
        .retry_policy(
            RetryPolicy::default()
                .max_retries(10)
                .backoff(Duration::from_millis(10), Duration::from_millis(10)),
        )
        .build()
        .expect("client");
    let (err, took) = fails(&client, &CallOptions::new()).await;
    assert!(
        took >= deadline - each && took < deadline + MARGIN,
        "took {took:?}"
    );
    match err {
        Error::Timeout { attempts, .. } => assert!((3..=5).contains(&attempts), "{attempts}"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err_text_names_attempts(&client).await);

    // Without a per-attempt timeout the first attempt may use all the time there is.
    let client = with_token(&server)
        .timeout(Duration::from_millis(500))
        .build()
        .expect("client");
    let (err, took) = fails(&client, &CallOptions::new()).await;
    assert!(took < Duration::from_millis(500) + MARGIN, "took {took:?}");
    assert!(
        matches!(err, Error::Timeout { timeout, attempts: 1 } if timeout == Duration::from_millis(500)),
        "{err:?}"
    );
    assert_eq!(err.delivery(), Delivery::MaybeSent);
}

/// The message of a timed-out call with several attempts says how many there were.
async fn err_text_names_attempts(client: &Client) -> bool {
    let options = CallOptions::new().timeout(Duration::from_millis(700));
    let (err, _) = fails(client, &options).await;
    err.to_string().contains("attempts")
}

#[tokio::test]
async fn a_slow_sign_in_and_a_slow_sign_in_again_count_against_the_deadline() {
    let issued = |token: &str| {
        answer(
            "201 Created",
            &["Content-Type: application/json; charset=utf-8"],
            format!(r#"{{"status":0,"statusCode":201,"response":{{"token":"{token}"}}}}"#),
        )
    };
    let server = RawServer::start([
        vec![
            Step::Sleep(Duration::from_millis(300)),
            Step::Write(issued("first-token-0123456789")),
        ],
        vec![Step::Write(answer("401 Unauthorized", &[], "Unauthorized"))],
        vec![
            Step::Sleep(Duration::from_millis(600)),
            Step::Write(issued("second-token-0123456789")),
        ],
    ])
    .await;
    let deadline = Duration::from_millis(700);
    let client = Client::builder(server.base_url())
        .credentials(Credentials::new("user@example.com", "Secret-Pass-1"))
        .timeout(deadline)
        .build()
        .expect("client");
    let (err, took) = fails(&client, &CallOptions::new()).await;
    assert!(
        took >= deadline && took < deadline + MARGIN,
        "took {took:?}"
    );
    // The GET refused with 401 counts as an attempt; the repeat never went out.
    assert!(matches!(err, Error::Timeout { attempts: 1, .. }), "{err:?}");
    assert_eq!(server.received().len(), 3, "sign-in, GET, sign-in again");
}

#[tokio::test]
async fn one_call_can_have_its_own_deadline_and_retry_policy() {
    let server = RawServer::start([vec![Step::Hold], proxy_502()]).await;
    let client = with_token(&server)
        .timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let short = Duration::from_millis(300);
    let (err, took) = fails(&client, &CallOptions::new().timeout(short)).await;
    assert!(took >= short && took < short + MARGIN, "took {took:?}");
    assert!(
        matches!(err, Error::Timeout { timeout, .. } if timeout == short),
        "{err:?}"
    );

    // The client repeats nothing; this call may repeat its GET after the 502.
    let retrying = CallOptions::new().retry_policy(
        RetryPolicy::default().backoff(Duration::from_millis(10), Duration::from_millis(10)),
    );
    let deal = client
        .send_with(&GetOpportunity::new(DEAL_ID), &retrying)
        .await
        .expect("the repeat succeeds");
    assert_eq!(deal.id, DEAL_ID);
    assert_eq!(server.received().len(), 3);
}

#[test]
fn durations_that_would_overflow_the_clock_are_refused_when_building() {
    for (name, builder) in [
        (
            "timeout",
            Client::builder("http://127.0.0.1:9/").timeout(Duration::MAX),
        ),
        (
            "attempt_timeout",
            Client::builder("http://127.0.0.1:9/").attempt_timeout(Duration::MAX),
        ),
        (
            "connect_timeout",
            Client::builder("http://127.0.0.1:9/").connect_timeout(Duration::MAX),
        ),
        (
            "pool_idle_timeout",
            Client::builder("http://127.0.0.1:9/").pool_idle_timeout(Duration::MAX),
        ),
    ] {
        match builder.build() {
            Err(ConfigError::Setting { name: refused, .. }) => assert_eq!(refused, name),
            other => panic!("{name}: {other:?}"),
        }
    }
    assert!(
        Client::builder("http://127.0.0.1:9/")
            .pool_idle_timeout(ClientBuilder::MAX_DURATION)
            .build()
            .is_ok()
    );
}

#[tokio::test]
async fn a_zero_or_huge_deadline_for_one_call_does_not_panic() {
    let server = RawServer::start([]).await;
    let client = with_token(&server).build().expect("client");
    for zero in [
        CallOptions::new().timeout(Duration::ZERO),
        CallOptions::new().attempt_timeout(Duration::ZERO),
    ] {
        let (err, _) = fails(&client, &zero).await;
        assert!(matches!(err, Error::Timeout { attempts: 0, .. }), "{err:?}");
        assert_eq!(err.delivery(), Delivery::NotSent);
    }
    assert_eq!(server.received().len(), 0, "nothing was sent");
    let deal = client
        .send_with(
            &GetOpportunity::new(DEAL_ID),
            &CallOptions::new()
                .timeout(Duration::MAX)
                .attempt_timeout(Duration::MAX),
        )
        .await
        .expect("no deadline to speak of");
    assert_eq!(deal.id, DEAL_ID);
}
