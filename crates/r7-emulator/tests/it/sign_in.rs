//! Sign-in (`POST api/2.0/authentication`): tokens, their expiry, form and JSON bodies, failures.

use std::time::Duration;

use r7_emulator::{
    Config, DEFAULT_PASSWORD, DEFAULT_TOKEN, DEFAULT_USER, Emulator, SEED_OPPORTUNITY_ID,
};
use r7_model::ApiDateTime;

use crate::support::{
    AUTH_PATH, SEED_PATH, get, json_body, send, send_body, sign_in, start, token_of,
};

const AUTH_FAILED_JSON: &str = r#"{"status":1,"statusCode":500,"error":{"message":"User authentication failed","hresult":-2146233087,"data":{}}}"#;

fn seconds_from_now(t: ApiDateTime) -> i128 {
    (t.unix_nanos() - ApiDateTime::now_utc().unix_nanos()) / 1_000_000_000
}

#[tokio::test]
async fn sign_in_with_json_gives_a_token_that_works() {
    let emulator = start().await;
    assert_eq!(emulator.logins(), 0);
    let (token, expires) = sign_in(&emulator, DEFAULT_USER, DEFAULT_PASSWORD).await;
    assert_eq!(emulator.logins(), 1);
    assert_ne!(token, DEFAULT_TOKEN);
    assert!(token.len() >= 32 && token.bytes().all(|b| b.is_ascii_graphic()));
    // One year, as the server's default.
    let left = seconds_from_now(expires);
    assert!((364 * 86_400..=366 * 86_400).contains(&left), "{left}");

    for header in [
        ("Authorization", token.clone()),
        ("Authorization", format!("Bearer {token}")),
        ("Cookie", format!("asc_auth_key={token}")),
    ] {
        let reply = send(emulator.addr(), "GET", SEED_PATH, &[(header.0, &header.1)]).await;
        assert_eq!(reply.status, 200, "{header:?}");
    }
    // The suffix and the user name's case do not matter; every sign-in gets a new token.
    let reply = send_body(
        emulator.addr(),
        "POST",
        "/api/2.0/authentication.json",
        &[("Content-Type", "application/json; charset=utf-8")],
        &json_body("Admin@Example.COM", DEFAULT_PASSWORD),
    )
    .await;
    let (again, _) = token_of(&reply);
    assert_ne!(again, token);
    assert_eq!(emulator.logins(), 2);
    // Both tokens work, and so does the configured one.
    for token in [token.as_str(), again.as_str(), DEFAULT_TOKEN] {
        let reply = send(
            emulator.addr(),
            "DELETE",
            "/api/2.0/crm/opportunity/1236",
            &[("Authorization", token)],
        )
        .await;
        assert_ne!(reply.status, 401, "{token}");
    }
}

#[tokio::test]
async fn sign_in_with_a_form_decodes_plus_and_percent() {
    let emulator = Emulator::start(Config {
        users: vec![("Иван Петров".into(), "p+ss wörd&=%".into())],
        token_lifetime: Some(Duration::from_secs(3600)),
        ..Config::default()
    })
    .await
    .unwrap();
    let form = "userName=%D0%98%D0%B2%D0%B0%D0%BD+%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2\
                &password=p%2Bss+w%C3%B6rd%26%3D%25";
    let reply = send_body(
        emulator.addr(),
        "POST",
        AUTH_PATH,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form,
    )
    .await;
    let (token, expires) = token_of(&reply);
    let left = seconds_from_now(expires);
    assert!((3590..=3600).contains(&left), "{left}");
    let reply = send(
        emulator.addr(),
        "GET",
        SEED_PATH,
        &[("Authorization", &token)],
    )
    .await;
    assert_eq!(reply.status, 200);
    // The default user is gone.
    let reply = send_body(
        emulator.addr(),
        "POST",
        AUTH_PATH,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        "userName=admin%40example.com&password=r7-emulator-password",
    )
    .await;
    reply.assert_json(500, AUTH_FAILED_JSON);
    // A `+` that is not encoded is a space.
    let reply = send_body(
        emulator.addr(),
        "POST",
        AUTH_PATH,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        "userName=%D0%98%D0%B2%D0%B0%D0%BD+%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2&password=p+ss+w%C3%B6rd%26%3D%25",
    )
    .await;
    reply.assert_json(500, AUTH_FAILED_JSON);
    assert_eq!(emulator.logins(), 1);
}

#[tokio::test]
async fn sign_in_answers_xml_on_the_xml_suffix() {
    let emulator = start().await;
    let reply = send_body(
        emulator.addr(),
        "POST",
        "/api/2.0/authentication.xml",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        "userName=admin%40example.com&password=r7-emulator-password",
    )
    .await;
    assert_eq!(reply.status, 201);
    assert_eq!(
        reply.header("content-type"),
        Some("text/xml; charset=UTF-8")
    );
    let text = reply.text();
    assert!(
        text.starts_with(
            "<result><count>1</count><status>0</status><statusCode>201</statusCode><response><token>"
        ),
        "{text}"
    );
    let token = text
        .split("<token>")
        .nth(1)
        .and_then(|rest| rest.split("</token>").next())
        .unwrap();
    assert!(text.ends_with("Z</expires></response></result>"), "{text}");
    let reply = send(
        emulator.addr(),
        "GET",
        SEED_PATH,
        &[("Authorization", token)],
    )
    .await;
    assert_eq!(reply.status, 200);

    let reply = send_body(
        emulator.addr(),
        "POST",
        "/api/2.0/authentication.xml",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        "userName=admin%40example.com&password=nope",
    )
    .await;
    assert_eq!(reply.status, 500);
    assert_eq!(
        reply.text(),
        "<result><status>1</status><statusCode>500</statusCode><error><message>User authentication failed</message>\
         <hresult>-2146233087</hresult><data /></error></result>"
    );
}

#[tokio::test]
async fn bad_credentials_are_a_500_envelope() {
    let emulator = start().await;
    let json = [("Content-Type", "application/json")];
    for body in [
        json_body(DEFAULT_USER, "wrong"),
        json_body(DEFAULT_USER, &DEFAULT_PASSWORD.to_uppercase()),
        json_body("nobody@example.com", DEFAULT_PASSWORD),
        json_body("", ""),
        format!(r#"{{"userName":"{DEFAULT_USER}"}}"#),
        r#"{"password":"r7-emulator-password"}"#.to_owned(),
        "{}".to_owned(),
        String::new(),
    ] {
        send_body(emulator.addr(), "POST", AUTH_PATH, &json, &body)
            .await
            .assert_json(500, AUTH_FAILED_JSON);
    }
    // Fields sent with a content type the binder does not read are missing.
    let form = "userName=admin%40example.com&password=r7-emulator-password";
    for content_type in ["text/plain", "application/octet-stream"] {
        send_body(
            emulator.addr(),
            "POST",
            AUTH_PATH,
            &[("Content-Type", content_type)],
            form,
        )
        .await
        .assert_json(500, AUTH_FAILED_JSON);
    }
    // A JSON body that is not an object is an argument error.
    for body in ["[1,2]", "{", "\"text\""] {
        send_body(emulator.addr(), "POST", AUTH_PATH, &json, body)
            .await
            .assert_json(
                400,
                r#"{"status":1,"statusCode":400,"error":{"message":"Unable to deserialize json","hresult":-2147024809,"data":{}}}"#,
            );
    }
    assert_eq!(emulator.logins(), 0);
    // Only POST is routed.
    for method in ["GET", "PUT", "DELETE"] {
        send(emulator.addr(), method, AUTH_PATH, &[])
            .await
            .assert_html_404();
    }
    // Query parameters bind too (before the body).
    let reply = send_body(
        emulator.addr(),
        "POST",
        "/api/2.0/authentication?userName=admin%40example.com&password=r7-emulator-password",
        &json,
        &json_body(DEFAULT_USER, "wrong"),
    )
    .await;
    token_of(&reply);
}

#[tokio::test]
async fn expired_tokens_get_401_until_the_next_sign_in() {
    let emulator = start().await;
    let (token, _) = sign_in(&emulator, DEFAULT_USER, DEFAULT_PASSWORD).await;
    assert_eq!(
        send(
            emulator.addr(),
            "GET",
            SEED_PATH,
            &[("Authorization", &token)]
        )
        .await
        .status,
        200
    );
    emulator.expire_tokens();
    let reply = send(
        emulator.addr(),
        "DELETE",
        SEED_PATH,
        &[("Authorization", &token)],
    )
    .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("content-type"), Some("text/plain"));
    assert_eq!(reply.text(), "Unauthorized");
    assert_eq!(
        reply.header("www-authenticate"),
        Some("Basic Realm=\"127.0.0.1\"")
    );
    let cookie = format!("asc_auth_key={token}");
    let reply = send(emulator.addr(), "GET", SEED_PATH, &[("Cookie", &cookie)]).await;
    assert_eq!(reply.status, 401);
    assert!(emulator.opportunity(SEED_OPPORTUNITY_ID).is_some());
    // The configured token never expires, and a new sign-in works.
    assert_eq!(get(&emulator, SEED_PATH).await.status, 200);
    let (fresh, _) = sign_in(&emulator, DEFAULT_USER, DEFAULT_PASSWORD).await;
    let reply = send(
        emulator.addr(),
        "DELETE",
        SEED_PATH,
        &[("Authorization", &fresh)],
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(emulator.logins(), 2);
}
