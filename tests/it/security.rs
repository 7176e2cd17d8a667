//! Security cases: header injection, path and query confinement, redirects, and secrets kept
//! out of `Debug`, `Display`, error chains and logs.
//!
//! Redirects: the client follows none. A 3xx answer is returned as [`ResponseError::Http`] with
//! its status, and nothing is sent to the address in `Location`, so the token (or, for a
//! sign-in, the password) never reaches another origin.

use std::time::Duration;

use http::StatusCode;
use r7_hyper::{Client, ClientBuilder, ConfigError, Delivery, Error, RetryPolicy};
use r7_proto::crm::opportunity::*;
use r7_proto::{
    AuthScheme, Authenticate, BaseUrl, BuildError, Credentials, Password, Raw, RequestContext,
    ResponseError, Token, build_request, encode_path_segment, parse_response,
};

use crate::faults::{DEAL_ID, RawServer, Received, Step, answer};
use crate::support::Captured;

const TOKEN: &str = "Tk-SECRET-0123456789";
const PASSWORD: &str = "Pw-SECRET-9876543210";
const ISSUED: &str = "Issued-SECRET-1111";
const ISSUED_AGAIN: &str = "Issued-SECRET-2222";
const BARE: &str = "Bare-SECRET-3333";
const SECRETS: [&str; 5] = [TOKEN, PASSWORD, ISSUED, ISSUED_AGAIN, BARE];

const USER: &str = "admin@example.com";

fn with_token(server: &RawServer) -> ClientBuilder {
    Client::builder(server.base_url())
        .token(Token::new(TOKEN).expect("token"))
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_secs(2))
}

fn with_credentials(server: &RawServer) -> ClientBuilder {
    Client::builder(server.base_url())
        .credentials(Credentials::new(USER, PASSWORD))
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_secs(2))
}

fn json(status: &str, body: &str) -> Vec<Step> {
    vec![Step::Write(answer(
        status,
        &["Content-Type: application/json; charset=utf-8"],
        body,
    ))]
}

/// A sign-in answer that issues `token`.
fn issued(token: &str) -> Vec<Step> {
    json(
        "201 Created",
        &format!(
            r#"{{"count":1,"status":0,"statusCode":201,"response":{{"token":{},"expires":"2099-01-01T00:00:00.0000000+03:00"}}}}"#,
            serde_json::to_string(token).expect("a JSON string")
        ),
    )
}

fn list() -> Vec<Step> {
    json(
        "200 OK",
        r#"{"count":0,"startIndex":0,"status":0,"statusCode":200,"response":[]}"#,
    )
}

/// Decodes `%XX` escapes, and `+` as a space when `form` (as the server reads a query).
fn percent_decode(text: &str, form: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ASCII");
                out.push(u8::from_str_radix(hex, 16).expect("two hex digits"));
                i += 3;
                continue;
            }
            b'+' if form => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).expect("UTF-8")
}

/// The query of a received request as decoded (name, value) pairs, in order.
fn query_pairs(request: &Received) -> Vec<(String, String)> {
    let Some((_, query)) = request.target().split_once('?') else {
        return Vec::new();
    };
    query
        .split('&')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name, true), percent_decode(value, true))
        })
        .collect()
}

#[tokio::test]
async fn header_breaking_bytes_in_a_token_are_refused_and_nothing_is_sent() {
    let server = RawServer::start([]).await;
    let mut values: Vec<String> = (0u32..=0xFF)
        .filter(|b| !(0x21..=0x7E).contains(b))
        .filter_map(char::from_u32)
        .map(|c| format!("tok{c}en"))
        .collect();
    values.extend(
        [
            "tok\r\nX-Injected: 1",
            "tok\nX-Injected: 1",
            "tok\r\n\r\nGET /evil HTTP/1.1",
            "tok\0",
            "Bearer tok",
            "токен",
            "tok\u{2028}en",
            "",
            " \t\r\n ",
        ]
        .map(str::to_owned),
    );
    let mut accepted = Vec::new();
    for value in &values {
        match Token::new(value.clone()) {
            Ok(token) => {
                // What a broken check would let through goes on the wire.
                accepted.push(value.clone());
                let client = Client::builder(server.base_url())
                    .token(token)
                    .retry_policy(RetryPolicy::none())
                    .build()
                    .expect("client");
                let _ = client.send(&GetOpportunity::new(DEAL_ID)).await;
            }
            Err(err) => {
                let inner = value.trim();
                for text in [err.to_string(), format!("{err:?}")] {
                    assert!(inner.len() < 3 || !text.contains(inner), "{text}");
                }
            }
        }
    }
    assert!(accepted.is_empty(), "accepted {accepted:?}");
    assert_eq!(server.connections(), 0, "something was sent");
}

#[tokio::test]
async fn the_token_is_sent_as_given_in_one_header() {
    let server = RawServer::start([]).await;
    for (scheme, expected) in [
        (AuthScheme::Raw, TOKEN.to_owned()),
        (AuthScheme::Bearer, format!("Bearer {TOKEN}")),
    ] {
        // Whitespace around a token (a trailing newline from a file) is dropped, not sent.
        let client = Client::builder(server.base_url())
            .token(Token::new(format!("\r\n {TOKEN}\r\n")).expect("token"))
            .auth_scheme(scheme)
            .build()
            .expect("client");
        client
            .send(&GetOpportunity::new(DEAL_ID))
            .await
            .expect("answered");
        let received = server.received();
        let request = received.last().expect("a request");
        assert_eq!(request.header("authorization"), Some(expected.as_str()));
        let lines = request
            .head
            .lines()
            .filter(|line| line.to_ascii_lowercase().starts_with("authorization:"))
            .count();
        assert_eq!(lines, 1, "{}", request.head);
    }
}

#[tokio::test]
async fn a_token_from_the_portal_that_would_break_a_header_is_refused() {
    let bad = ["portal\r\nX-Injected: 1", "portal token", "портал"];
    let server = RawServer::start(bad.map(issued)).await;
    let client = with_credentials(&server).build().expect("client");
    for token in bad {
        let err = client
            .send(&GetOpportunity::new(DEAL_ID))
            .await
            .expect_err("refused");
        // The call was not sent: its sign-in was answered with a token it could not use.
        assert_eq!(err.delivery(), Delivery::NotSent);
        match err.sign_in_error() {
            Some(Error::Response(ResponseError::Decode { path, .. })) => {
                assert_eq!(path.as_deref(), Some("response.token"), "{token:?}");
            }
            other => panic!("{token:?}: unexpected {other:?}"),
        }
        let text = format!("{err} {err:?}");
        assert!(
            !text.contains("X-Injected") && !text.contains(token),
            "{text}"
        );
    }
    let received = server.received();
    assert_eq!(received.len(), bad.len(), "only the sign-ins were sent");
    for request in &received {
        assert_eq!(request.method(), "POST");
        assert!(!request.head.contains("X-Injected"), "{}", request.head);
    }
}

#[tokio::test]
async fn credentials_travel_only_in_the_json_body() {
    let user = "admin\r\nX-Injected: 1";
    let password = "p\"w\r\nX-Injected: 2&x=1";
    let server = RawServer::start([issued(ISSUED)]).await;
    let client = Client::builder(server.base_url())
        .credentials(Credentials::new(user, password))
        .build()
        .expect("client");
    client
        .send(&GetOpportunity::new(DEAL_ID))
        .await
        .expect("signed in");
    let received = server.received();
    assert_eq!(received.len(), 2);
    let sign_in = &received[0];
    assert_eq!(sign_in.target(), "/api/2.0/authentication.json");
    let body: serde_json::Value = serde_json::from_slice(&sign_in.body).expect("a JSON body");
    assert_eq!(body["userName"], user);
    assert_eq!(body["password"], password);
    for request in &received {
        assert!(!request.head.contains("X-Injected"), "{}", request.head);
        assert!(!request.head.contains("p\"w"), "{}", request.head);
    }
    assert_eq!(received[1].header("authorization"), Some(ISSUED));
}

#[tokio::test]
async fn base_addresses_that_would_break_the_request_are_refused() {
    let server = RawServer::start([]).await;
    let addr = server.addr();
    for base in [
        format!("http://{addr}/a\r\nX-Injected: 1"),
        format!("http://{addr}\r\nX-Injected: 1/"),
        format!("http://{addr}/a b/"),
        format!("http://{addr}/a\0/"),
        format!("http://evil.example\r\n@{addr}/"),
        format!("http://user:{PASSWORD}@{addr}/"),
        format!("http://{addr}/?x=1"),
        // `http::Uri` reads these ports as "no port", which would send the token to port 80.
        format!("http://{}:99999/", addr.ip()),
        format!("http://{}:65536/", addr.ip()),
        format!("http://{}:/", addr.ip()),
        format!("http://{}:0/", addr.ip()),
        // Dot segments, plain and percent-encoded, could climb out of the portal's path.
        format!("http://{addr}/portal/../"),
        format!("http://{addr}/./"),
        format!("http://{addr}/portal/%2e%2e/"),
        format!("http://{addr}/portal/%2E%2e/"),
        format!("http://{addr}/portal/.%2e/"),
    ] {
        let err = Client::builder(base.clone())
            .token(Token::new(TOKEN).expect("token"))
            .build()
            .expect_err("refused");
        assert!(matches!(err, ConfigError::BaseUrl(_)), "{base:?}: {err:?}");
        assert!(!format!("{err} {err:?}").contains(PASSWORD), "{err:?}");
    }
    assert_eq!(server.connections(), 0);
}

#[test]
fn an_ipv6_base_address_keeps_its_host_and_port() {
    let base = BaseUrl::parse("http://[::1]:8092/portal").expect("an IPv6 literal is accepted");
    let token = Token::new(TOKEN).expect("token");
    let request = build_request(
        &GetOpportunity::new(DEAL_ID),
        &RequestContext::new(&base, Some(&token)),
    )
    .expect("builds");
    assert_eq!(request.uri().host(), Some("[::1]"));
    assert_eq!(request.uri().port_u16(), Some(8092));
    assert_eq!(
        request.uri().path(),
        format!("/portal/api/2.0/crm/opportunity/{DEAL_ID}.json")
    );
}

/// A text path parameter, as a raw request to a route the SDK lacks has one: the generated
/// endpoints only have integer ids in their paths.
fn probe(value: &str) -> Raw {
    Raw::get("api/2.0/probe/{name}/tail").path_param("name", value)
}

#[tokio::test]
async fn path_parameters_cannot_change_the_path() {
    let server = RawServer::start([]).await;
    let client = Client::builder(format!("{}portal/", server.base_url()))
        .token(Token::new(TOKEN).expect("token"))
        .build()
        .expect("client");
    let mut values: Vec<String> = [
        "../",
        "..",
        ".",
        "./.",
        "%2F",
        "%2f",
        "%252F",
        "/",
        "a/b",
        "?",
        "?x=1",
        "#",
        "#top",
        " ",
        "a b",
        "\\",
        "..\\..\\admin",
        ";",
        "a;b=c",
        "%",
        "%zz",
        "\r\n",
        "\0",
        "ü",
        "日本語",
        "😀",
        "\u{2215}",
        "\u{FF0F}",
    ]
    .map(str::to_owned)
    .to_vec();
    values.extend((1u8..0x80).map(|b| format!("x{}y", char::from(b))));
    for value in &values {
        client
            .send(&probe(value))
            .await
            .unwrap_or_else(|e| panic!("{value:?}: {e}"));
    }
    let received = server.received();
    assert_eq!(received.len(), values.len());
    for (value, request) in values.iter().zip(&received) {
        let target = request.target();
        assert!(!target.contains(['?', '#']), "{value:?} -> {target}");
        let segments: Vec<&str> = target.split('/').collect();
        let [_, "portal", "api", "2.0", "probe", segment, "tail.json"] = segments[..] else {
            panic!("{value:?} -> {target}");
        };
        // No separator that some server or proxy reads as one: `\` is `/` to .NET and WHATWG
        // URL parsers, `;` starts a matrix parameter in Java servlets.
        assert!(!segment.contains(['\\', ';']), "{value:?} -> {target}");
        assert!(segment != "." && segment != "..", "{value:?} -> {target}");
        assert_eq!(&percent_decode(segment, false), value, "{target}");
        assert_eq!(encode_path_segment(value), segment);
    }

    // An empty segment would merge two path segments: refused before sending.
    let err = client.send(&probe("")).await.expect_err("empty");
    assert!(
        matches!(err, Error::Build(BuildError::InvalidArgument { .. })),
        "{err:?}"
    );
    assert_eq!(err.delivery(), Delivery::NotSent);
    assert_eq!(server.received().len(), values.len());
}

#[tokio::test]
async fn query_values_cannot_add_parameters() {
    let values = [
        "a&b=c",
        "x#y",
        "1+1",
        "100%",
        "%26",
        "a=b",
        "&filterValue=evil",
        "  spaced  ",
        "юникод",
        "\r\n",
        "?",
        "/",
        ";",
        "\0",
    ];
    let server = RawServer::start((0..values.len() * 2).map(|_| list())).await;
    let client = with_token(&server).build().expect("client");
    for value in values {
        let tags = vec![format!("{value}1"), format!("2{value}")];
        client
            .send(
                &ListOpportunities::new()
                    .filter_value(value)
                    .tags(tags.clone()),
            )
            .await
            .unwrap_or_else(|e| panic!("{value:?}: {e}"));
        client
            .send(&ListOpportunitiesByPrefix::new(value))
            .await
            .unwrap_or_else(|e| panic!("{value:?}: {e}"));
    }
    let received = server.received();
    assert_eq!(received.len(), values.len() * 2);
    for (value, pair) in values.iter().zip(received.chunks(2)) {
        let [list, prefix] = pair else {
            unreachable!("chunks of two")
        };
        let expected: Vec<(String, String)> = vec![
            ("tags".into(), format!("{value}1")),
            ("tags".into(), format!("2{value}")),
            ("filterValue".into(), (*value).to_owned()),
        ];
        assert_eq!(query_pairs(list), expected, "{}", list.target());
        assert!(
            list.target()
                .starts_with("/api/2.0/crm/opportunity/filter.json?"),
            "{}",
            list.target()
        );
        assert_eq!(
            query_pairs(prefix),
            vec![("prefix".to_owned(), (*value).to_owned())],
            "{}",
            prefix.target()
        );
    }
}

#[tokio::test]
async fn parameters_that_would_smuggle_or_overflow_are_refused_before_sending() {
    let server = RawServer::start([]).await;
    let client = with_token(&server).build().expect("client");
    // `sortBy` is an enum of the server's keys (`OpportunitySortBy`), so it cannot carry
    // another parameter at all.
    // A query longer than a URI may be is a typed error, not a panic or a truncated request.
    let err = client
        .send(&ListOpportunities::new().filter_value("x".repeat(70_000)))
        .await
        .expect_err("refused");
    assert!(matches!(err, Error::Build(BuildError::Http(_))), "{err:?}");
    assert_eq!(err.delivery(), Delivery::NotSent);
    assert_eq!(server.connections(), 0);
}

#[tokio::test]
async fn redirects_are_not_followed_and_carry_no_secret_elsewhere() {
    let elsewhere = RawServer::start([]).await;
    let location = format!(
        "Location: http://{}/api/2.0/crm/opportunity/{DEAL_ID}.json",
        elsewhere.addr()
    );
    let redirect = |status: &str, location: &str| {
        vec![Step::Write(answer(
            status,
            &[location, "Content-Type: text/html"],
            "<html><body>Moved</body></html>",
        ))]
    };
    let statuses = [
        (301, "301 Moved Permanently"),
        (302, "302 Found"),
        (303, "303 See Other"),
        (307, "307 Temporary Redirect"),
        (308, "308 Permanent Redirect"),
    ];
    let mut scripts: Vec<_> = statuses
        .iter()
        .map(|(_, line)| redirect(line, &location))
        .collect();
    // A redirect within the same origin is not followed either.
    scripts.push(redirect("302 Found", "Location: /api/2.0/elsewhere.json"));
    let server = RawServer::start(scripts).await;
    let client = with_token(&server).build().expect("client");
    for (code, _) in statuses.iter().copied().chain([(302, "same origin")]) {
        let err = client
            .send(&GetOpportunity::new(DEAL_ID))
            .await
            .expect_err("a redirect is not the deal");
        match &err {
            Error::Response(ResponseError::Http { status, .. }) => assert_eq!(*status, code),
            other => panic!("{code}: unexpected {other:?}"),
        }
        assert_eq!(err.delivery(), Delivery::Answered);
        assert_eq!(err.status().map(|s| s.as_u16()), Some(code));
        assert!(err.to_string().contains(&code.to_string()), "{err}");
    }
    assert_eq!(
        server.received().len(),
        statuses.len() + 1,
        "no request followed"
    );

    // A sign-in redirected with 307 would repeat the password elsewhere: not followed.
    let server = RawServer::start([redirect("307 Temporary Redirect", &location)]).await;
    let client = with_credentials(&server).build().expect("client");
    let err = client
        .send(&GetOpportunity::new(DEAL_ID))
        .await
        .expect_err("redirected sign-in");
    match err.sign_in_error() {
        Some(Error::Response(ResponseError::Http {
            status, snippet, ..
        })) => {
            assert_eq!(*status, StatusCode::TEMPORARY_REDIRECT);
            assert_eq!(snippet.as_str(), "<redacted>");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(server.received().len(), 1);

    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        elsewhere.connections(),
        0,
        "something reached the other origin"
    );
}

/// Every way `error` can be printed: `Display`, `Debug`, pretty `Debug`, and the same for each
/// of its sources.
fn renderings(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = vec![
        error.to_string(),
        format!("{error:?}"),
        format!("{error:#?}"),
    ];
    let mut next = error.source();
    while let Some(source) = next {
        out.push(source.to_string());
        out.push(format!("{source:?}"));
        next = source.source();
    }
    out
}

#[track_caller]
fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what}: {secret} shown in {text}");
    }
}

#[tokio::test]
async fn no_error_message_or_log_line_shows_a_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut errors: Vec<(&str, Error)> = Vec::new();
    let get = GetOpportunity::new(DEAL_ID);

    // With a fixed token.
    let closed = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        listener.local_addr().expect("addr")
    };
    let client = Client::builder(format!("http://{closed}/"))
        .token(Token::new(TOKEN).expect("token"))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    errors.push(("connect refused", client.send(&get).await.expect_err("")));

    let token_cases: Vec<(&str, Vec<Step>)> = vec![
        ("timeout", vec![Step::Hold]),
        (
            "transport",
            vec![
                Step::text("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{"),
                Step::Sleep(Duration::from_millis(20)),
                Step::Reset,
            ],
        ),
        (
            "body too large",
            vec![Step::text(
                "HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n",
            )],
        ),
        (
            "401",
            vec![Step::Write(answer(
                "401 Unauthorized",
                &["Content-Type: text/plain"],
                "Unauthorized",
            ))],
        ),
        (
            "API error",
            json(
                "404 Not Found",
                r#"{"status":1,"statusCode":404,"error":{"message":"Not found"}}"#,
            ),
        ),
        (
            "decode error quoting the token",
            json(
                "200 OK",
                &format!(r#"{{"status":0,"statusCode":200,"response":{{"id":"{TOKEN}"}}}}"#),
            ),
        ),
        (
            "proxy page echoing the request",
            vec![Step::Write(answer(
                "502 Bad Gateway",
                &["Content-Type: text/html"],
                format!(
                    "<pre>GET /api/2.0/crm/opportunity/1234.json\nAuthorization: {TOKEN}\n</pre>"
                ),
            ))],
        ),
        (
            "API error quoting the token",
            json(
                "400 Bad Request",
                &format!(
                    r#"{{"status":1,"statusCode":400,"error":{{"message":"bad token {TOKEN}","type":"{TOKEN}"}}}}"#
                ),
            ),
        ),
    ];
    for (case, script) in token_cases {
        let server = RawServer::start([script]).await;
        let client = with_token(&server)
            .timeout(Duration::from_millis(300))
            .max_response_bytes(1 << 20)
            .build()
            .expect("client");
        errors.push((case, client.send(&get).await.expect_err(case)));
    }
    let server = RawServer::start([]).await;
    let client = with_token(&server).build().expect("client");
    errors.push((
        "build error",
        client
            .send(&GetOpportunity::new(0))
            .await
            .expect_err("id 0"),
    ));
    let anonymous = Client::builder(server.base_url()).build().expect("client");
    errors.push((
        "missing token",
        anonymous.send(&get).await.expect_err("no token"),
    ));

    // With credentials.
    let credential_cases: Vec<(&str, Vec<Vec<Step>>)> = vec![
        (
            "sign-in refused",
            vec![json(
                "500 Internal Server Error",
                r#"{"status":1,"statusCode":500,"error":{"message":"User authentication failed"}}"#,
            )],
        ),
        (
            "sign-in answered by a page echoing the body",
            vec![vec![Step::Write(answer(
                "502 Bad Gateway",
                &["Content-Type: text/html"],
                format!(r#"<pre>{{"userName":"{USER}","password":"{PASSWORD}"}}</pre>"#),
            ))]],
        ),
        (
            "sign-in API error quoting the password",
            vec![json(
                "500 Internal Server Error",
                &format!(
                    r#"{{"status":1,"statusCode":500,"error":{{"message":"wrong password {PASSWORD}"}}}}"#
                ),
            )],
        ),
        (
            "second factor",
            vec![json(
                "201 Created",
                r#"{"status":0,"statusCode":201,"response":{"token":null,"tfa":true}}"#,
            )],
        ),
        (
            "sign-in answer of the wrong shape",
            vec![json(
                "201 Created",
                &format!(r#"{{"status":0,"statusCode":201,"response":"{BARE}"}}"#),
            )],
        ),
        (
            "401 after signing in twice",
            vec![
                issued(ISSUED),
                vec![Step::Write(answer("401 Unauthorized", &[], "Unauthorized"))],
                issued(ISSUED_AGAIN),
                vec![Step::Write(answer("401 Unauthorized", &[], "Unauthorized"))],
            ],
        ),
        (
            "API error quoting the issued token",
            vec![
                issued(ISSUED),
                json(
                    "404 Not Found",
                    &format!(
                        r#"{{"status":1,"statusCode":404,"error":{{"message":"no deal for {ISSUED}"}}}}"#
                    ),
                ),
            ],
        ),
    ];
    for (case, scripts) in credential_cases {
        let server = RawServer::start(scripts).await;
        let client = with_credentials(&server).build().expect("client");
        errors.push((case, client.send(&get).await.expect_err(case)));
    }

    // Each case failed the way it was meant to, so that each path was really taken.
    for (case, err) in &errors {
        // A call whose sign-in failed carries the sign-in's error.
        let err = match err {
            Error::SignIn(sign_in) => sign_in.as_ref(),
            other => other,
        };
        let expected = match *case {
            "connect refused" => matches!(err, Error::Connect { .. }),
            "timeout" => matches!(err, Error::Timeout { .. }),
            "transport" => matches!(err, Error::Transport { .. }),
            "body too large" => matches!(err, Error::BodyTooLarge { .. }),
            "401" | "401 after signing in twice" => err.is_unauthorized(),
            "API error"
            | "API error quoting the token"
            | "API error quoting the issued token"
            | "sign-in refused"
            | "sign-in API error quoting the password" => err.api().is_some(),
            "decode error quoting the token" | "sign-in answer of the wrong shape" => {
                matches!(err, Error::Response(ResponseError::Decode { .. }))
            }
            "proxy page echoing the request" | "sign-in answered by a page echoing the body" => {
                matches!(err, Error::Response(ResponseError::Http { .. }))
            }
            "build error" | "missing token" => matches!(err, Error::Build(_)),
            "second factor" => matches!(err, Error::SecondFactorRequired),
            other => panic!("unknown case {other}"),
        };
        assert!(expected, "{case}: unexpected {err:?}");
    }
    for (case, err) in &errors {
        for text in renderings(err) {
            assert_no_secret(case, &text);
        }
    }
    // The redacted answers still say what happened.
    let by_case = |case: &str| &errors.iter().find(|(c, _)| *c == case).expect("case").1;
    assert!(
        by_case("proxy page echoing the request")
            .to_string()
            .contains("Authorization: <redacted>"),
        "{}",
        by_case("proxy page echoing the request")
    );
    // An answer to a sign-in keeps no snippet at all, echo or not.
    match by_case("sign-in answered by a page echoing the body").sign_in_error() {
        Some(Error::Response(ResponseError::Http { snippet, .. })) => {
            assert_eq!(snippet.as_str(), "<redacted>");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        by_case("sign-in refused")
            .api()
            .and_then(|a| a.message.as_deref()),
        Some("User authentication failed")
    );

    let log = captured.text();
    assert!(log.contains("r7.request"), "nothing was captured: {log}");
    assert!(log.contains("api/2.0/authentication"), "{log}");
    assert_no_secret("log", &log);
}

#[test]
fn debug_output_never_shows_a_secret() {
    let token = Token::new(TOKEN).expect("token");
    let credentials = Credentials::new(USER, PASSWORD);
    let token_builder = Client::builder("https://portal.example.com/").token(token.clone());
    let credentials_builder =
        Client::builder("https://portal.example.com/").credentials(credentials.clone());
    let token_client = token_builder.clone().build().expect("client");
    let credentials_client = credentials_builder.clone().build().expect("client");

    let base = BaseUrl::parse("https://portal.example.com/").expect("base");
    let context = RequestContext::new(&base, Some(&token));
    let request = build_request(&GetOpportunity::new(DEAL_ID), &context).expect("request");
    let sign_in = Authenticate::new(credentials.clone());
    let answer = http::Response::builder()
        .status(201)
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"status":0,"statusCode":201,"response":{{"token":"{ISSUED}"}}}}"#
        ))
        .expect("response");
    let authentication = parse_response::<Authenticate>(&answer).expect("signed in");
    assert_eq!(
        authentication.token.as_ref().map(Token::expose),
        Some(ISSUED)
    );

    let texts = [
        format!("{token:?}"),
        format!("{token:#?}"),
        format!("{credentials:?}"),
        format!("{credentials:#?}"),
        format!("{:?}", Password::new(PASSWORD)),
        format!("{token_builder:?}"),
        format!("{token_builder:#?}"),
        format!("{credentials_builder:?}"),
        format!("{credentials_builder:#?}"),
        format!("{token_client:?}"),
        format!("{token_client:#?}"),
        format!("{credentials_client:?}"),
        format!("{credentials_client:#?}"),
        format!("{context:?}"),
        format!("{:?}", request.headers()),
        format!("{sign_in:?}"),
        format!("{authentication:?}"),
        format!("{authentication:#?}"),
    ];
    for text in &texts {
        assert_no_secret("Debug", text);
    }
    assert!(texts[2].contains(USER), "the user name is no secret");
    assert!(
        texts
            .iter()
            .all(|t| t.contains("redacted") || t.contains("Sensitive")),
        "{texts:#?}"
    );
}

/// A real-length token (they are 100–200 characters) with the two characters that serde's
/// escaping used to hide from the scrubber.
const LONG_TOKEN: &str = concat!(
    "Lg\"Tk\\0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ-",
    "9876543210-zyxwvutsrqponmlkjihgfedcba-ZYXWVUTSRQPONMLKJIHGFEDCBA-tail\"\\end"
);

#[tokio::test]
async fn no_piece_of_a_long_token_reaches_an_error_in_either_format() {
    let xml_token = LONG_TOKEN.replace('&', "&amp;").replace('"', "&quot;");
    let json_token = serde_json::to_string(LONG_TOKEN).expect("a JSON string");
    let json_token = json_token.trim_matches('"');
    let scripts = [
        // The XML decoder quotes the first 64 characters of a value it cannot read.
        vec![Step::Write(answer(
            "200 OK",
            &["Content-Type: text/xml; charset=utf-8"],
            format!("<result><status>0</status><response><id>{xml_token}</id></response></result>"),
        ))],
        // serde quotes the value with its escapes: `\"` and `\\`.
        vec![Step::Write(answer(
            "200 OK",
            &["Content-Type: application/json; charset=utf-8"],
            format!(r#"{{"status":0,"response":{{"id":"{json_token}"}}}}"#),
        ))],
        // A message that quotes a cut-off piece of the token.
        vec![Step::Write(answer(
            "404 Not Found",
            &["Content-Type: application/json; charset=utf-8"],
            format!(
                r#"{{"status":1,"statusCode":404,"error":{{"message":"no session {}..."}}}}"#,
                &json_token[20..60]
            ),
        ))],
        // A proxy page whose snippet is cut in the middle of the token.
        vec![Step::Write(answer(
            "502 Bad Gateway",
            &["Content-Type: text/html"],
            format!(
                "<html>{}Authorization: {LONG_TOKEN}</html>",
                "x".repeat(125)
            ),
        ))],
    ];
    let server = RawServer::start(scripts).await;
    let client = Client::builder(server.base_url())
        .token(Token::new(LONG_TOKEN).expect("token"))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let escaped = format!("{LONG_TOKEN:?}");
    for case in ["xml decode", "json decode", "api message", "proxy page"] {
        let err = client
            .send(&GetOpportunity::new(DEAL_ID))
            .await
            .expect_err(case);
        for text in renderings(&err) {
            for form in [
                LONG_TOKEN,
                escaped.trim_matches('"'),
                json_token,
                &xml_token,
            ] {
                for piece in form.as_bytes().windows(8) {
                    let piece = std::str::from_utf8(piece).expect("ASCII");
                    assert!(!text.contains(piece), "{case}: {piece:?} shown in {text}");
                }
            }
        }
        assert!(err.to_string().contains("<redacted>"), "{case}: {err}");
    }
}

#[tokio::test]
async fn a_transcoded_page_echoing_the_token_shows_no_piece_of_it() {
    // A proxy page declared in UTF-16: the raw bytes hold the token with a NUL after every
    // character, the snippet holds it as text. The scrubber must look where the snippet looks.
    let page = format!(r#"{{"proxy":"denied","echo":"Authorization: {LONG_TOKEN}"}}"#);
    let utf16: Vec<u8> = page.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let server = RawServer::start([vec![Step::Write(answer(
        "502 Bad Gateway",
        &["Content-Type: application/json; charset=utf-16le"],
        utf16,
    ))]])
    .await;
    let client = Client::builder(server.base_url())
        .token(Token::new(LONG_TOKEN).expect("token"))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let err = client
        .send(&GetOpportunity::new(DEAL_ID))
        .await
        .expect_err("502");
    assert!(
        matches!(err, Error::Response(ResponseError::Http { .. })),
        "{err:?}"
    );
    for text in renderings(&err) {
        for piece in LONG_TOKEN.as_bytes().windows(8) {
            let piece = std::str::from_utf8(piece).expect("ASCII");
            assert!(!text.contains(piece), "{piece:?} shown in {text}");
        }
    }
    assert!(
        err.to_string().contains("Authorization: <redacted>"),
        "{err}"
    );
}
