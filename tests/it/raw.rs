//! `Raw`: any route, sent by the same client with its sign-in, retries, deadline and
//! redaction; against the emulated portal and scripted loopback servers.

use std::time::Duration;

use r7_emulator::{Config, DEFAULT_PASSWORD, DEFAULT_USER, Emulator, SEED_OPPORTUNITY_ID};
use r7_hyper::{Client, Delivery, Error, RetryPolicy};
use r7_proto::model::{Opportunity, OpportunityStage};
use r7_proto::{BuildError, Credentials, Format, Raw, Token};

use crate::faults::{RawServer, Step, answer, good};

async fn emulator() -> Emulator {
    Emulator::start(Config::default())
        .await
        .expect("emulator starts")
}

fn signing_in(emulator: &Emulator, format: Format) -> Client {
    Client::builder(emulator.base_url())
        .credentials(Credentials::new(DEFAULT_USER, DEFAULT_PASSWORD))
        .format(format)
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_raw_get_signs_in_and_reads_any_route_as_json_values() {
    let emulator = emulator().await;
    let client = signing_in(&emulator, Format::Json);
    let deal = client
        .send(
            &Raw::get("api/2.0/crm/opportunity/{opportunityid}").path_param("opportunityid", 1234),
        )
        .await
        .expect("read");
    assert_eq!(deal.response["title"], "Hotel catalogue");
    assert_eq!(deal.response["id"], 1234);
    // The sign-in (a POST) and the read.
    assert_eq!(
        (emulator.method_count("POST"), emulator.method_count("GET")),
        (1, 1)
    );
}

#[tokio::test]
async fn a_raw_answer_decodes_into_any_type_in_either_format() {
    let emulator = emulator().await;
    for format in [Format::Json, Format::Xml] {
        let client = signing_in(&emulator, format);
        let deal = client
            .send(
                &Raw::get("api/2.0/crm/opportunity/{id}")
                    .path_param("id", SEED_OPPORTUNITY_ID)
                    .output::<Opportunity>(),
            )
            .await
            .unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!(deal.response.id, SEED_OPPORTUNITY_ID, "{format:?}");
        assert_eq!(deal.response.title, "Hotel catalogue", "{format:?}");
        let stages = client
            .send(&Raw::get("api/2.0/crm/opportunity/stage").output::<Vec<OpportunityStage>>())
            .await
            .unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert!(stages.response.len() >= 3, "{format:?}");
        assert_eq!(
            stages.page.count,
            Some(stages.response.len() as u64),
            "{format:?}"
        );
    }
}

#[tokio::test]
async fn a_raw_post_sends_its_form_and_a_raw_error_is_typed() {
    let emulator = emulator().await;
    let client = signing_in(&emulator, Format::Json);
    let created = client
        .send(
            &Raw::post("api/2.0/crm/opportunity/stage")
                .form("title", "Raw stage")
                .form("color", "#102030")
                .form("successProbability", 40)
                .output::<OpportunityStage>(),
        )
        .await
        .expect("created");
    assert_eq!(
        (
            created.response.title.as_str(),
            created.response.success_probability
        ),
        ("Raw stage", 40)
    );
    let missing = client
        .send(&Raw::get("api/2.0/crm/opportunity/{id}").path_param("id", 999_999))
        .await
        .expect_err("no such deal");
    assert!(missing.is_not_found(), "{missing:?}");
}

#[tokio::test]
async fn a_raw_path_is_checked_before_anything_is_sent() {
    let server = RawServer::start([]).await;
    let client = Client::builder(server.base_url())
        .token(Token::new("token").expect("token"))
        .build()
        .expect("client");
    let cases = [
        (Raw::get("api/2.0/crm/{id}"), "id"),
        (Raw::get("api/2.0/crm/x").path_param("id", 1), "id"),
        (Raw::get("api/2.0/crm/{id}").path_param("id", ""), "id"),
        (Raw::get("api/2.0/crm/x?count=1"), "path"),
        (Raw::get("api/2.0/crm/x#top"), "path"),
        (Raw::get("api/2.0/crm/../portal"), "path"),
        (Raw::get("api/2.0//crm"), "path"),
        (Raw::get("/api/2.0/crm/x"), "path"),
        (Raw::get("api/2.0/crm/x.json"), "path"),
        (Raw::get("https://elsewhere.example/api/2.0/x"), "path"),
    ];
    for (raw, expected) in cases {
        let err = client.send(&raw).await.expect_err("refused");
        assert!(
            matches!(&err, Error::Build(BuildError::InvalidArgument { name, .. }) if name == expected),
            "{raw:?}: {err:?}"
        );
        assert_eq!(err.delivery(), Delivery::NotSent);
    }
    assert_eq!(server.connections(), 0);
    // Values may be personal data: `Debug` shows the names only.
    let shown = format!(
        "{:?}",
        Raw::get("api/2.0/x/{who}")
            .path_param("who", "Ivan Petrov")
            .query("q", "Petrov")
    );
    assert!(
        !shown.contains("Petrov") && shown.contains("who"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_raw_get_is_repeated_and_a_raw_post_is_not_unless_it_says_so() {
    let busy = || {
        vec![Step::Write(answer(
            "503 Service Unavailable",
            &["Retry-After: 0"],
            "",
        ))]
    };
    let gateway = || vec![Step::Write(answer("502 Bad Gateway", &[], ""))];
    let client = |server: &RawServer| {
        Client::builder(server.base_url())
            .token(Token::new("token").expect("token"))
            .retry_policy(RetryPolicy::default().max_retries(2))
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client")
    };

    // A GET that met a 502 is repeated.
    let server = RawServer::start([gateway(), vec![Step::Write(good())]]).await;
    let deal = client(&server)
        .send(&Raw::get("api/2.0/crm/opportunity/1234"))
        .await
        .expect("the repeat succeeds");
    assert_eq!(deal.response["id"], 1234);
    assert_eq!(server.received().len(), 2);

    // A POST that may have reached the portal is not.
    let server = RawServer::start([gateway(), vec![Step::Write(good())]]).await;
    let err = client(&server)
        .send(&Raw::post("api/2.0/crm/opportunity/1234/contact/7"))
        .await
        .expect_err("not repeated");
    assert_eq!(err.status(), Some(http::StatusCode::BAD_GATEWAY), "{err:?}");
    assert_eq!(server.received().len(), 1);

    // Unless the caller says that repeating it does no harm.
    let server = RawServer::start([gateway(), vec![Step::Write(good())]]).await;
    client(&server)
        .send(&Raw::put("api/2.0/crm/opportunity/1234/creationdate").idempotent(true))
        .await
        .expect("repeated");
    assert_eq!(server.received().len(), 2);

    // A rate-limited request is repeated whatever its method.
    let server = RawServer::start([busy(), vec![Step::Write(good())]]).await;
    client(&server)
        .send(&Raw::delete("api/2.0/crm/opportunity/1234"))
        .await
        .expect("repeated after 503");
    let received = server.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].method(), "DELETE");
}

#[tokio::test]
async fn a_raw_request_without_auth_sends_no_token() {
    let server = RawServer::start([]).await;
    let client = Client::builder(server.base_url())
        .token(Token::new("secret-token-value").expect("token"))
        .build()
        .expect("client");
    client
        .send(&Raw::get("api/2.0/capabilities").without_auth())
        .await
        .expect("sent");
    client
        .send(&Raw::get("api/2.0/capabilities"))
        .await
        .expect("sent");
    let received = server.received();
    assert_eq!(received[0].header("authorization"), None);
    assert_eq!(
        received[1].header("authorization"),
        Some("secret-token-value")
    );
}
