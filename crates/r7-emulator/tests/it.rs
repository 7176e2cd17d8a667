//! The emulator over real sockets: requests written by hand, so every byte on the wire is the
//! test's own.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use r7_emulator::{
    Config, DEFAULT_PASSWORD, DEFAULT_TOKEN, DEFAULT_USER, Emulator, Fault, RateLimit,
    SEED_OPPORTUNITY_ID,
};
use r7_model::ApiDateTime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MIKE_JSON: &str = r#"{"id":"00000000-0000-0000-0000-000000000000","displayName":"Mike Zanyatski","title":"Manager","avatarSmall":"url to small avatar","profileUrl":""}"#;

fn seed_deal_json() -> String {
    format!(
        concat!(
            r#"{{"createBy":{mike},"created":"2022-10-08T15:03:33.1944111Z","members":[],"#,
            r#""contact":{{"smallFotoUrl":"url to foto","displayName":"Tadjeddine Bachir","isCompany":false,"isPrivate":true,"isShared":false,"shareType":0,"currency":null,"canEdit":false,"canDelete":false,"id":0}},"#,
            r#""title":"Hotel catalogue","description":"","responsible":{mike},"#,
            r##""stage":{{"successProbability":20,"stageType":0,"title":"Discussion","description":"The potential buyer showed his\/her interest and sees how your offering meets his\/her goal","color":"#B9AFD3","sortOrder":2,"id":30}},"##,
            r#""successProbability":65,"expectedCloseDate":"2022-10-08T15:03:33.1944111Z","isPrivate":false,"accessList":[],"canEdit":false,"customFields":[],"id":1234}}"#
        ),
        mike = MIKE_JSON
    )
}

const MIKE_XML: &str = "<id>00000000-0000-0000-0000-000000000000</id><displayName>Mike Zanyatski</displayName><title>Manager</title><avatarSmall>url to small avatar</avatarSmall><profileUrl></profileUrl>";

fn seed_deal_xml() -> String {
    format!(
        concat!(
            "<result><count>1</count><status>0</status><statusCode>200</statusCode><response>",
            "<createBy>{mike}</createBy><created>2022-10-08T15:03:33.1944111Z</created>",
            "<contact><smallFotoUrl>url to foto</smallFotoUrl><displayName>Tadjeddine Bachir</displayName><isCompany>false</isCompany><isPrivate>true</isPrivate><isShared>false</isShared><shareType>0</shareType><currency /><canEdit>false</canEdit><canDelete>false</canDelete><id>0</id></contact>",
            "<title>Hotel catalogue</title><description></description><responsible>{mike}</responsible>",
            "<stage><successProbability>20</successProbability><stageType>0</stageType><title>Discussion</title><description>The potential buyer showed his/her interest and sees how your offering meets his/her goal</description><color>#B9AFD3</color><sortOrder>2</sortOrder><id>30</id></stage>",
            "<successProbability>65</successProbability><expectedCloseDate>2022-10-08T15:03:33.1944111Z</expectedCloseDate><isPrivate>false</isPrivate><canEdit>false</canEdit><id>1234</id>",
            "</response></result>"
        ),
        mike = MIKE_XML
    )
}

const NOT_FOUND_JSON: &str = r#"{"status":1,"statusCode":404,"error":{"message":"Not found","hresult":-2147467259,"data":{}}}"#;

/// A parsed HTTP/1.1 response.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("UTF-8 body")
    }

    fn assert_json(&self, status: u16, body: &str) {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(
            self.header("content-type"),
            Some("application/json; charset=UTF-8")
        );
        assert_eq!(self.text(), body);
    }

    fn assert_html_404(&self) {
        assert_eq!(self.status, 404);
        assert_eq!(
            self.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(
            self.text().contains("404 - File or directory not found"),
            "{}",
            self.text()
        );
    }
}

/// Sends one request on a fresh connection (`Connection: close`) and reads the whole answer.
async fn send(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    parse_reply(&send_raw(addr, method, path, headers, None).await)
}

/// [`send`] with a body (and its `Content-Length`).
async fn send_body(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    parse_reply(&send_raw(addr, method, path, headers, Some(body)).await)
}

/// Sends one request on a fresh connection (`Connection: close`) and returns every byte the
/// server sent until it closed the connection.
async fn send_raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(&request_bytes(addr, method, path, headers, body))
        .await
        .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    raw
}

fn request_bytes(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = body {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    head.push_str(body.unwrap_or_default());
    head.into_bytes()
}

fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of head");
    let head = std::str::from_utf8(&raw[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.to_owned(), value.trim().to_owned())
        })
        .collect();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

async fn get(emulator: &Emulator, path: &str) -> Reply {
    authed(emulator, "GET", path).await
}

async fn authed(emulator: &Emulator, method: &str, path: &str) -> Reply {
    send(
        emulator.addr(),
        method,
        path,
        &[("Authorization", emulator.token())],
    )
    .await
}

async fn start() -> Emulator {
    Emulator::start(Config::default()).await.unwrap()
}

const SEED_PATH: &str = "/api/2.0/crm/opportunity/1234";

#[tokio::test]
async fn get_seed_deal_as_exact_json() {
    let emulator = start().await;
    assert_eq!(emulator.token(), DEFAULT_TOKEN);
    assert_eq!(
        emulator.base_url(),
        format!("http://127.0.0.1:{}/", emulator.addr().port())
    );
    let expected = format!(
        r#"{{"count":1,"status":0,"statusCode":200,"response":{}}}"#,
        seed_deal_json()
    );
    for path in [
        SEED_PATH,
        "/api/2.0/crm/opportunity/1234.json",
        "/API/2.0/Crm/OPPORTUNITY/01234.JSON",
    ] {
        let reply = get(&emulator, path).await;
        reply.assert_json(200, &expected);
        let etag = reply.header("etag").unwrap();
        assert_eq!(etag.len(), 32);
        assert_eq!(reply.header("cache-control"), Some("max-age=0"));
    }
    // `Accept` does not choose the format.
    let reply = send(
        emulator.addr(),
        "GET",
        SEED_PATH,
        &[("Authorization", DEFAULT_TOKEN), ("Accept", "text/xml")],
    )
    .await;
    reply.assert_json(200, &expected);
}

#[tokio::test]
async fn etags_differ_between_responses() {
    let emulator = start().await;
    let a = get(&emulator, SEED_PATH).await;
    let b = get(&emulator, SEED_PATH).await;
    assert_ne!(a.header("etag"), b.header("etag"));
}

#[tokio::test]
async fn xml_suffix_answers_xml_unless_the_request_is_json() {
    let emulator = start().await;
    let reply = get(&emulator, "/api/2.0/crm/opportunity/1234.xml").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/xml; charset=UTF-8")
    );
    assert_eq!(reply.text(), seed_deal_xml());

    let reply = send(
        emulator.addr(),
        "GET",
        "/api/2.0/crm/opportunity/1234.xml",
        &[
            ("Authorization", DEFAULT_TOKEN),
            ("Content-Type", "application/json; charset=utf-8"),
        ],
    )
    .await;
    reply.assert_json(
        200,
        &format!(
            r#"{{"count":1,"status":0,"statusCode":200,"response":{}}}"#,
            seed_deal_json()
        ),
    );

    // Errors take the same form.
    let reply = get(&emulator, "/api/2.0/crm/opportunity/999.xml").await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.header("content-type"),
        Some("text/xml; charset=UTF-8")
    );
    assert_eq!(
        reply.text(),
        "<result><status>1</status><statusCode>404</statusCode><error><message>Not found</message>\
         <hresult>-2147467259</hresult><data /></error></result>"
    );
}

#[tokio::test]
async fn other_seed_deals_show_the_full_model() {
    let emulator = start().await;
    assert_eq!(emulator.opportunity_ids(), [1234, 1235, 1236, 1237, 1238]);

    let reply = get(&emulator, "/api/2.0/crm/opportunity/1235").await;
    assert_eq!(reply.status, 200);
    let text = reply.text();
    assert!(text.contains(r#""bidType":4,"bidValue":125000.0,"bidCurrency":{"title":"Rouble","symbol":"₽","abbreviation":"RUB","cultureName":"RU","isConvertable":true,"isBasic":false},"perPeriodValue":12,"#), "{text}");
    assert!(
        text.contains(r#""title":"Продление лицензий Р7-Офис""#),
        "{text}"
    );
    assert!(text.contains(r#""fieldValue":"Д-2024\/117""#), "{text}");
    assert!(text.contains(r#""smallFotoUrl":"\/Products\/CRM\/HttpHandlers\/filehandler.ashx?action=contactphotoulr&cid=101&isc=True&ps=1""#), "{text}");

    let reply = get(&emulator, "/api/2.0/crm/opportunity/1237").await;
    let text = reply.text();
    assert!(
        text.contains(r#""title":"Техническая поддержка 24\/7""#),
        "{text}"
    );
    assert!(text.contains(r#"Пермь.\u000aРеакция"#), "{text}");
    assert!(
        text.contains(r#""isPrivate":true,"accessList":[{"#),
        "{text}"
    );

    let reply = get(&emulator, "/api/2.0/crm/opportunity/1237.xml").await;
    let text = reply.text();
    assert!(
        text.contains("<bidType>5</bidType><bidValue>1500.5</bidValue>"),
        "{text}"
    );
    assert!(
        text.contains("<title>Техническая поддержка 24/7</title>"),
        "{text}"
    );
    assert!(text.contains("Пермь.\nРеакция"), "{text}");
    assert_eq!(text.matches("<accessList>").count(), 2, "{text}");

    let reply = get(&emulator, "/api/2.0/crm/opportunity/1235.xml").await;
    let text = reply.text();
    assert!(text.contains("<bidValue>125000</bidValue>"), "{text}");
    assert_eq!(text.matches("<members>").count(), 2, "{text}");
    assert!(
        text.contains("&amp;isc=True&amp;ps=1</smallFotoUrl>"),
        "{text}"
    );
}

#[tokio::test]
async fn delete_returns_the_deleted_deal_then_it_is_gone() {
    let emulator = start().await;
    let reply = authed(&emulator, "DELETE", SEED_PATH).await;
    reply.assert_json(
        200,
        &format!(
            r#"{{"count":1,"status":0,"statusCode":200,"response":{}}}"#,
            seed_deal_json()
        ),
    );
    assert_eq!(emulator.opportunity(SEED_OPPORTUNITY_ID), None);
    assert_eq!(emulator.opportunity_ids(), [1235, 1236, 1237, 1238]);

    get(&emulator, SEED_PATH)
        .await
        .assert_json(404, NOT_FOUND_JSON);
    authed(&emulator, "DELETE", SEED_PATH)
        .await
        .assert_json(404, NOT_FOUND_JSON);

    // What deletion removed is missing from the answer.
    let before = emulator.opportunity(1237).unwrap();
    assert!(before.is_private && !before.access_list.is_empty() && !before.members.is_empty());
    let reply = authed(&emulator, "DELETE", "/api/2.0/crm/opportunity/1237.json").await;
    assert_eq!(reply.status, 200);
    let text = reply.text();
    assert!(text.contains(r#""members":[]"#), "{text}");
    assert!(
        text.contains(
            r#""isPrivate":false,"accessList":[],"canEdit":true,"customFields":[],"id":1237}}"#
        ),
        "{text}"
    );
}

#[tokio::test]
async fn bad_ids() {
    let emulator = start().await;
    let zero = r#"{"status":1,"statusCode":400,"error":{"message":"Value does not fall within the expected range.","hresult":-2147024809,"data":{}}}"#;
    get(&emulator, "/api/2.0/crm/opportunity/0")
        .await
        .assert_json(400, zero);
    authed(&emulator, "DELETE", "/api/2.0/crm/opportunity/000.json")
        .await
        .assert_json(400, zero);

    let overflow = r#"{"status":1,"statusCode":400,"error":{"message":"Input string was not in a correct format.","hresult":-2146233033,"data":{}}}"#;
    get(&emulator, "/api/2.0/crm/opportunity/2147483648")
        .await
        .assert_json(400, overflow);
    get(
        &emulator,
        "/api/2.0/crm/opportunity/99999999999999999999999",
    )
    .await
    .assert_json(400, overflow);
    get(&emulator, "/api/2.0/crm/opportunity/2147483647")
        .await
        .assert_json(404, NOT_FOUND_JSON);

    for path in [
        "/api/2.0/crm/opportunity/abc",
        "/api/2.0/crm/opportunity/-1",
        "/api/2.0/crm/opportunity/1234.txt",
        "/api/2.0/crm/opportunity/1234/",
        "/api/2.0/crm/opportunities/1234",
        "/",
    ] {
        get(&emulator, path).await.assert_html_404();
    }
    assert_eq!(emulator.opportunity_ids().len(), 5);
}

#[tokio::test]
async fn other_methods_have_no_route() {
    let emulator = start().await;
    for method in ["POST", "PATCH", "HEAD"] {
        let reply = authed(&emulator, method, SEED_PATH).await;
        assert_eq!(reply.status, 404, "{method}");
        if method != "HEAD" {
            reply.assert_html_404();
        }
    }
    // Routing comes before the auth filter.
    send(emulator.addr(), "POST", SEED_PATH, &[])
        .await
        .assert_html_404();
    // PUT on a deal is its update: routed, so the token is checked, then the title.
    let reply = send(emulator.addr(), "PUT", SEED_PATH, &[]).await;
    assert_eq!(reply.status, 401);
    authed(&emulator, "PUT", SEED_PATH).await.assert_json(
        400,
        r#"{"status":1,"statusCode":400,"error":{"message":"Value does not fall within the expected range.","hresult":-2147024809,"data":{}}}"#,
    );
    assert!(emulator.opportunity(SEED_OPPORTUNITY_ID).is_some());

    let reply = send(emulator.addr(), "OPTIONS", SEED_PATH, &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("access-control-allow-methods"),
        Some("GET, POST, PUT, DELETE")
    );
}

#[tokio::test]
async fn unauthorized_is_plain_text() {
    let emulator = start().await;
    let reply = send(emulator.addr(), "DELETE", SEED_PATH, &[]).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("content-type"), Some("text/plain"));
    assert_eq!(reply.text(), "Unauthorized");
    assert_eq!(reply.header("www-authenticate"), None);
    assert!(emulator.opportunity(SEED_OPPORTUNITY_ID).is_some());

    let wrong = [
        ("Authorization", "wrong"),
        ("Authorization", "bearer r7-emulator-token"),
        ("Authorization", "Basic cjc6cjc="),
    ];
    for header in wrong {
        let reply = send(
            emulator.addr(),
            "GET",
            "/api/2.0/crm/opportunity/1234.xml",
            &[header],
        )
        .await;
        assert_eq!(reply.status, 401, "{header:?}");
        assert_eq!(reply.header("content-type"), Some("text/plain"));
        assert_eq!(reply.text(), "Unauthorized");
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Basic Realm=\"127.0.0.1\"")
        );
    }
    let reply = send(
        emulator.addr(),
        "GET",
        SEED_PATH,
        &[("Cookie", "asc_auth_key=wrong")],
    )
    .await;
    assert_eq!(
        (reply.status, reply.header("www-authenticate")),
        (401, None)
    );
}

#[tokio::test]
async fn bearer_and_cookie_are_accepted() {
    let emulator = start().await;
    let bearer = format!("Bearer {DEFAULT_TOKEN}");
    let cookie = format!("theme=dark; asc_auth_key={DEFAULT_TOKEN}");
    for header in [
        ("Authorization", bearer.as_str()),
        ("Cookie", cookie.as_str()),
    ] {
        let reply = send(emulator.addr(), "GET", SEED_PATH, &[header]).await;
        assert_eq!(reply.status, 200, "{header:?}");
    }
    let custom = Emulator::start(Config {
        token: "s3cret".into(),
        opportunities: Vec::new(),
        ..Config::default()
    })
    .await
    .unwrap();
    assert_eq!(custom.opportunity_ids(), Vec::<i64>::new());
    let reply = send(
        custom.addr(),
        "GET",
        SEED_PATH,
        &[("Authorization", "s3cret")],
    )
    .await;
    reply.assert_json(404, NOT_FOUND_JSON);
    let reply = send(
        custom.addr(),
        "GET",
        SEED_PATH,
        &[("Authorization", DEFAULT_TOKEN)],
    )
    .await;
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn requests_served_counts_every_answer() {
    let emulator = start().await;
    assert_eq!(emulator.requests_served(), 0);
    get(&emulator, SEED_PATH).await;
    assert_eq!(emulator.requests_served(), 1);
    send(emulator.addr(), "GET", SEED_PATH, &[]).await;
    get(&emulator, "/nowhere").await;
    get(&emulator, "/api/2.0/crm/opportunity/0").await;
    assert_eq!(emulator.requests_served(), 4);
    // A connection that sends nothing is not a request.
    drop(TcpStream::connect(emulator.addr()).await.unwrap());
    get(&emulator, SEED_PATH).await;
    assert_eq!(emulator.requests_served(), 5);
}

/// Sends a request on an open hyper client connection and collects the answer.
async fn exchange(
    sender: &mut hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
    method: &str,
    path: &str,
) -> (u16, String) {
    let request = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost")
        .header("authorization", DEFAULT_TOKEN)
        .body(Empty::new())
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn keep_alive_serves_several_requests_on_one_connection() {
    let emulator = start().await;
    let stream = TcpStream::connect(emulator.addr()).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    let connection = tokio::spawn(connection);
    assert_eq!(exchange(&mut sender, "GET", SEED_PATH).await.0, 200);
    assert_eq!(exchange(&mut sender, "DELETE", SEED_PATH).await.0, 200);
    let (status, body) = exchange(&mut sender, "GET", SEED_PATH).await;
    assert_eq!((status, body.as_str()), (404, NOT_FOUND_JSON));
    assert_eq!(exchange(&mut sender, "POST", SEED_PATH).await.0, 404);
    assert_eq!(emulator.requests_served(), 4);

    // Shutdown closes the idle keep-alive connection instead of waiting for it.
    emulator.shutdown().await;
    connection.await.unwrap().unwrap();
}

#[tokio::test]
async fn shutdown_releases_the_port() {
    let emulator = start().await;
    let addr = emulator.addr();
    assert_eq!(get(&emulator, SEED_PATH).await.status, 200);
    emulator.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err());
    let rebound = TcpListener::bind(addr).await.unwrap();
    drop(rebound);

    // A new emulator can take the same port.
    let again = Emulator::start(Config {
        addr,
        ..Config::default()
    })
    .await
    .unwrap();
    assert_eq!(again.addr(), addr);
    assert_eq!(get(&again, SEED_PATH).await.status, 200);
}

#[tokio::test]
async fn garbage_does_not_take_the_server_down() {
    let emulator = start().await;
    for junk in [
        &b"\x00\x01\x02 not http\r\n\r\n"[..],
        b"GET /api/2.0/crm/opportunity/1234 HTTP/1.1\r\nHost: \xff\xfe\r\nAuthorization: \xff\r\n\r\n",
        b"GET /api/2.0/crm/opportunity/1234 HTTP/1.1\r\nContent-Length: 5\r\n\r\nab",
    ] {
        let mut stream = TcpStream::connect(emulator.addr()).await.unwrap();
        stream.write_all(junk).await.unwrap();
        stream.shutdown().await.unwrap();
        let mut sink = Vec::new();
        let _ = stream.read_to_end(&mut sink).await;
    }
    assert_eq!(get(&emulator, SEED_PATH).await.status, 200);
}

// ---------------------------------------------------------------------------------------------
// Sign-in

const AUTH_PATH: &str = "/api/2.0/authentication";

const AUTH_FAILED_JSON: &str = r#"{"status":1,"statusCode":500,"error":{"message":"User authentication failed","hresult":-2146233087,"data":{}}}"#;

fn json_body(name: &str, password: &str) -> String {
    serde_json::json!({ "userName": name, "password": password }).to_string()
}

/// Signs in with a JSON body and returns the token and expiry after checking the envelope.
async fn sign_in(emulator: &Emulator, name: &str, password: &str) -> (String, ApiDateTime) {
    let reply = send_body(
        emulator.addr(),
        "POST",
        AUTH_PATH,
        &[("Content-Type", "application/json")],
        &json_body(name, password),
    )
    .await;
    token_of(&reply)
}

/// The token and expiry of a successful sign-in answer in JSON.
fn token_of(reply: &Reply) -> (String, ApiDateTime) {
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=UTF-8")
    );
    let text = reply.text();
    assert!(
        text.starts_with(r#"{"count":1,"status":0,"statusCode":201,"response":{"token":""#),
        "{text}"
    );
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    let response = value["response"].as_object().unwrap();
    assert_eq!(response.len(), 2, "{text}");
    let token = response["token"].as_str().unwrap().to_owned();
    let expires = response["expires"].as_str().unwrap();
    assert_eq!(
        expires.len(),
        "2025-01-01T00:00:00.0000000Z".len(),
        "{expires}"
    );
    assert!(expires.ends_with('Z'), "{expires}");
    let cookie = reply.header("set-cookie").unwrap();
    assert!(
        cookie.starts_with(&format!("asc_auth_key={token};")),
        "{cookie}"
    );
    (token, ApiDateTime::parse(expires).unwrap())
}

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

// ---------------------------------------------------------------------------------------------
// Rate limit

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

// ---------------------------------------------------------------------------------------------
// Faults

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

// ---------------------------------------------------------------------------------------------
// The CRM endpoints

const CRM: &str = "/api/2.0/crm/opportunity";

/// Петров Сергей, responsible for several seed deals.
const PETROV: &str = "2c9d4b1a-7e35-4f08-9a6b-5d0e3f1c2b7a";

const ARGUMENT_JSON: &str = r#"{"status":1,"statusCode":400,"error":{"message":"Value does not fall within the expected range.","hresult":-2147024809,"data":{}}}"#;

/// Sends a form-encoded body with the token.
async fn form(emulator: &Emulator, method: &str, path: &str, body: &str) -> Reply {
    send_body(
        emulator.addr(),
        method,
        path,
        &[
            ("Authorization", emulator.token()),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body,
    )
    .await
}

/// Sends a JSON body with the token.
async fn json_call(emulator: &Emulator, method: &str, path: &str, body: &str) -> Reply {
    send_body(
        emulator.addr(),
        method,
        path,
        &[
            ("Authorization", emulator.token()),
            ("Content-Type", "application/json"),
        ],
        body,
    )
    .await
}

/// The JSON body of a reply with this status.
fn value(reply: &Reply, status: u16) -> serde_json::Value {
    assert_eq!(reply.status, status, "{}", reply.text());
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=UTF-8")
    );
    serde_json::from_slice(&reply.body).unwrap()
}

/// The `id`s of a list answer's items.
fn ids(value: &serde_json::Value) -> Vec<i64> {
    value["response"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

fn error_message(reply: &Reply, status: u16) -> String {
    let value = value(reply, status);
    value["error"]["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_endpoint_of_the_table_is_served() {
    let emulator = start().await;
    for info in r7_proto::ENDPOINTS {
        let path: Vec<&str> = info
            .route
            .split('/')
            .map(|s| if s.starts_with('{') { "999" } else { s })
            .collect();
        let path = format!("/{}", path.join("/"));
        for (suffix, content_type) in [
            ("", "application/json; charset=UTF-8"),
            (".xml", "text/xml; charset=UTF-8"),
        ] {
            let before = emulator.calls_of(info.id);
            let reply = authed(&emulator, info.method.as_str(), &format!("{path}{suffix}")).await;
            // Routed and dispatched to this endpoint's own function, whatever it answered.
            assert_eq!(
                emulator.calls_of(info.id),
                before + 1,
                "{} {path}{suffix} did not reach {}",
                info.method,
                info.name
            );
            assert_eq!(
                reply.header("content-type"),
                Some(content_type),
                "{} {path}{suffix}: {} {}",
                info.method,
                reply.status,
                reply.text()
            );
            assert_ne!(reply.status, 501, "{} {path}: not emulated", info.method);
            // Without a token every route is refused by the auth filter, not the router.
            let anonymous = send(emulator.addr(), info.method.as_str(), &path, &[]).await;
            assert_eq!(anonymous.status, 401, "{} {path}", info.method);
        }
    }
}

#[tokio::test]
async fn create_with_a_form_body_stores_the_deal() {
    let emulator = start().await;
    let body = format!(
        "title=%D0%9D%D0%BE%D0%B2%D0%B0%D1%8F+%D1%81%D0%B4%D0%B5%D0%BB%D0%BA%D0%B0\
         &responsibleid={PETROV}&stageid=1&bidCurrencyAbbr=usd&contactid=103\
         &members=101&members[]=104&members=999&bidType=PerDay&bidValue=99.5&perPeriodValue=3\
         &successProbability=250&expectedCloseDate=2025-06-30&isNotify=true\
         &customFieldList[0][key]=7&customFieldList[0][value]=%D0%94-1"
    );
    let reply = form(&emulator, "POST", CRM, &body).await;
    let created = value(&reply, 201);
    assert_eq!(created["count"], 1);
    assert_eq!(created["statusCode"], 201);
    let deal = &created["response"];
    assert_eq!(deal["id"], 1239);
    assert_eq!(deal["title"], "Новая сделка");
    assert_eq!(
        deal["createBy"]["id"],
        emulator.current_user().id.to_string()
    );
    assert_eq!(deal["responsible"]["id"], PETROV);
    assert_eq!(deal["contact"]["id"], 103);
    assert_eq!(
        ids(&serde_json::json!({"response": deal["members"]})),
        [101, 103, 104]
    );
    assert_eq!(deal["bidType"], 2);
    assert_eq!(deal["bidValue"], 99.5);
    assert_eq!(deal["bidCurrency"]["abbreviation"], "USD");
    assert_eq!(deal["perPeriodValue"], 3);
    assert_eq!(deal["successProbability"], 100, "clamped");
    assert_eq!(deal["stage"]["id"], 1);
    assert_eq!(deal["stage"].get("sortOrder"), None);
    assert_eq!(
        deal["expectedCloseDate"],
        "2025-06-30T00:00:00.0000000+03:00"
    );
    assert_eq!(deal["isPrivate"], false);
    assert_eq!(deal["accessList"], serde_json::json!([]));
    assert_eq!(
        deal["customFields"],
        serde_json::json!([{"entityId":1239,"label":"Номер договора","fieldValue":"Д-1","fieldType":0,"position":7,"mask":"","id":7}])
    );
    // What the portal holds is what it answered, and a GET answers the same.
    let stored = emulator.opportunity(1239).unwrap();
    let decoded: r7_model::Opportunity = serde_json::from_value(deal.clone()).unwrap();
    assert_eq!(stored, decoded);
    assert_eq!(emulator.members(1239), [101, 103, 104]);
    let read = value(&get(&emulator, &format!("{CRM}/1239")).await, 200);
    assert_eq!(read["response"], *deal);
    assert_eq!(emulator.stage(1).unwrap().relative_items_count, 1);

    // What the server refuses. The first value of a name wins, so a second one is never read.
    let base = format!("title=x&responsibleid={PETROV}&stageid=1&bidCurrencyAbbr=RUB");
    let reply = form(
        &emulator,
        "POST",
        CRM,
        &format!("{base}&bidCurrencyAbbr=XXX&stageid=x"),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    for (first, message) in [
        ("stageid=abc", "Input string was not in a correct format."),
        (
            "stageid=2147483648",
            "Input string was not in a correct format.",
        ),
        ("members=1,2", "Input string was not in a correct format."),
        (
            "isPrivate=yes",
            "String was not recognized as a valid Boolean.",
        ),
        ("bidType=Weekly", "Requested value 'Weekly' was not found."),
        (
            "bidValue=1%2C5",
            "Input string was not in a correct format.",
        ),
        (
            "expectedCloseDate=2025-06-30T10:00:00.12Z",
            "invalid date time format: 2025-06-30T10:00:00.12Z",
        ),
        (
            "responsibleid=nobody",
            "Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).",
        ),
    ] {
        let reply = form(&emulator, "POST", CRM, &format!("{first}&{base}")).await;
        assert_eq!(error_message(&reply, 400), message, "{first}");
    }
    for body in [
        format!("responsibleid={PETROV}&stageid=1&bidCurrencyAbbr=RUB"),
        "title=x&stageid=1&bidCurrencyAbbr=RUB".to_owned(),
        format!("title=x&responsibleid={PETROV}&bidCurrencyAbbr=RUB"),
        format!("title=x&responsibleid={PETROV}&stageid=1"),
        format!("title=x&responsibleid={PETROV}&stageid=1&bidCurrencyAbbr=GBP"),
        format!("title=x&responsibleid={PETROV}&stageid=1&bidCurrencyAbbr=RUB&contactid=999"),
    ] {
        form(&emulator, "POST", CRM, &body)
            .await
            .assert_json(400, ARGUMENT_JSON);
    }
    let reply = form(
        &emulator,
        "POST",
        CRM,
        &format!("title=x&responsibleid={PETROV}&stageid=77&bidCurrencyAbbr=RUB"),
    )
    .await;
    assert_eq!(error_message(&reply, 400), "Deal milestone is not found");
    assert_eq!(emulator.opportunity_ids().len(), 7);
}

#[tokio::test]
async fn a_json_body_binds_too_but_drops_a_single_custom_field() {
    let emulator = start().await;
    let body = |fields: &str| {
        format!(
            r#"{{"title":"J","responsibleid":"{PETROV}","stageid":1,"bidCurrencyAbbr":"RUB","members":[101,102],"isPrivate":true,"accessList":["{PETROV}"],"customFieldList":{fields}}}"#
        )
    };
    // A JSON request gets JSON even on an .xml path.
    let reply = json_call(
        &emulator,
        "POST",
        &format!("{CRM}.xml"),
        &body(r#"[{"key":7,"value":"one"}]"#),
    )
    .await;
    let one = value(&reply, 201)["response"].clone();
    assert_eq!(
        one["customFields"],
        serde_json::json!([]),
        "the server's trap"
    );
    assert_eq!(
        ids(&serde_json::json!({"response": one["members"]})),
        [101, 102]
    );
    assert_eq!(one["isPrivate"], true);
    let access: Vec<&str> = one["accessList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(access, [PETROV, &emulator.current_user().id.to_string()]);

    let reply = json_call(
        &emulator,
        "POST",
        CRM,
        &body(r#"[{"key":7,"value":"one"},{"key":9,"value":"true"}]"#),
    )
    .await;
    let two = value(&reply, 201)["response"].clone();
    let values: Vec<&str> = two["customFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fieldValue"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["one", "true"]);

    let reply = json_call(&emulator, "POST", CRM, "[1,2]").await;
    assert_eq!(error_message(&reply, 400), "Unable to deserialize json");
}

#[tokio::test]
async fn update_replaces_every_field() {
    let emulator = start().await;
    let before = emulator.opportunity(1235).unwrap();
    assert!(!before.description.is_empty() && before.bid_value > 0.0);
    let reply = form(
        &emulator,
        "PUT",
        &format!("{CRM}/1235"),
        &format!("title=Renamed&responsibleid={PETROV}&stageid=2&bidCurrencyAbbr=eur"),
    )
    .await;
    let deal = value(&reply, 200)["response"].clone();
    assert_eq!(deal["title"], "Renamed");
    assert_eq!(deal["description"], "", "cleared");
    for cleared in [
        "bidType",
        "bidValue",
        "perPeriodValue",
        "successProbability",
        "expectedCloseDate",
        "contact",
    ] {
        assert_eq!(deal.get(cleared), None, "{cleared}: {deal}");
    }
    assert_eq!(deal["bidCurrency"]["abbreviation"], "EUR");
    assert_eq!(deal["stage"]["id"], 2);
    assert_eq!(deal["createBy"]["displayName"], "Иванова Анна", "kept");
    // Members and custom fields stay when none are sent.
    assert_eq!(emulator.members(1235), [101, 102]);
    assert_eq!(deal["customFields"].as_array().unwrap().len(), 2);
    let stored = emulator.opportunity(1235).unwrap();
    assert_eq!(stored.title, "Renamed");
    assert_eq!(stored.created, before.created);
    assert!(emulator.last_modified(1235).is_some());

    // Sent members replace them (without the primary contact); custom fields are set, not
    // cleared.
    let reply = form(
        &emulator,
        "PUT",
        &format!("{CRM}/1235.json"),
        &format!(
            "title=Renamed&responsibleid={PETROV}&stageid=2&bidCurrencyAbbr=RUB&contactid=101\
             &members=103&customFieldList[0][key]=8&customFieldList[0][value]=\
             &customFieldList[1][key]=7&customFieldList[1][value]=new"
        ),
    )
    .await;
    let deal = value(&reply, 200)["response"].clone();
    assert_eq!(emulator.members(1235), [103]);
    assert_eq!(deal["contact"]["id"], 101);
    assert_eq!(deal["customFields"][0]["fieldValue"], "new");
    assert_eq!(deal["customFields"][1]["fieldValue"], "2024-03-15");

    // The deal is looked up first: an unknown one (0 too) is a 404 whatever the fields.
    for id in ["999", "0"] {
        form(&emulator, "PUT", &format!("{CRM}/{id}"), "")
            .await
            .assert_json(404, NOT_FOUND_JSON);
    }
    form(&emulator, "PUT", &format!("{CRM}/1235"), "title=x")
        .await
        .assert_json(400, ARGUMENT_JSON);
}

#[tokio::test]
async fn list_pages_with_total() {
    let emulator = start().await;
    // Default order: stage, then contact, then dates and title.
    let all = value(&get(&emulator, &format!("{CRM}/filter")).await, 200);
    assert_eq!(ids(&all), [1234, 1237, 1235, 1236, 1238]);
    assert_eq!(all["total"], 5);

    let reply = get(&emulator, &format!("{CRM}/filter?count=2&startIndex=2")).await;
    let page = value(&reply, 200);
    assert!(
        reply
            .text()
            .starts_with(r#"{"count":2,"startIndex":2,"nextIndex":5,"total":5,"status":0,"statusCode":200,"response":[{"#),
        "{}",
        reply.text()
    );
    assert_eq!(ids(&page), [1235, 1236]);
    let last = value(
        &get(&emulator, &format!("{CRM}/filter?count=2&startIndex=4")).await,
        200,
    );
    assert_eq!(ids(&last), [1238]);
    assert_eq!(
        (last["total"].as_i64(), last.get("nextIndex")),
        (Some(5), None)
    );

    // The list form: an access list only for private deals.
    let deals = all["response"].as_array().unwrap();
    assert!(deals[0].get("accessList").is_none());
    assert_eq!(deals[1]["id"], 1237);
    assert_eq!(deals[1]["accessList"].as_array().unwrap().len(), 2);

    // Sorting.
    let by_title = value(
        &get(
            &emulator,
            &format!("{CRM}/filter?sortBy=title&sortOrder=descending"),
        )
        .await,
        200,
    );
    // Case ignored; Latin sorts before Cyrillic.
    assert_eq!(ids(&by_title), [1237, 1235, 1236, 1238, 1234]);
    let by_value = value(
        &get(&emulator, &format!("{CRM}/filter?sortBy=BidValue")).await,
        200,
    );
    assert_eq!(ids(&by_value), [1234, 1237, 1238, 1235, 1236]);
    // Paging values in the body are not read.
    let reply = send_body(
        emulator.addr(),
        "GET",
        &format!("{CRM}/filter"),
        &[
            ("Authorization", DEFAULT_TOKEN),
            ("Content-Type", "application/json"),
        ],
        r#"{"count":1,"opportunityStagesid":30}"#,
    )
    .await;
    let in_body = value(&reply, 200);
    assert_eq!(
        ids(&in_body),
        [1234, 1237],
        "count ignored, the filter bound"
    );

    // Stages are paged by the generic list step: `total` only when cut.
    let stages = value(&get(&emulator, &format!("{CRM}/stage")).await, 200);
    assert_eq!(stages["count"], 10);
    assert_eq!(stages.get("total"), None);
    let cut = value(
        &get(&emulator, &format!("{CRM}/stage?count=3&startIndex=3")).await,
        200,
    );
    assert_eq!(ids(&cut), [30, 4, 5]);
    assert_eq!(
        (cut["total"].as_i64(), cut["nextIndex"].as_i64()),
        (Some(10), Some(7))
    );
}

#[tokio::test]
async fn list_filters_by_stage_search_and_more() {
    let emulator = start().await;
    let filter = |query: &str| {
        let emulator = &emulator;
        let query = query.to_owned();
        async move {
            ids(&value(
                &get(emulator, &format!("{CRM}/filter?{query}")).await,
                200,
            ))
        }
    };
    assert_eq!(filter("opportunityStagesid=30").await, [1234, 1237]);
    assert_eq!(
        filter("filterValue=%D0%BF%D0%BE%D1%87%D1%82%D1%8B").await,
        [1236]
    ); // "почты"
    assert_eq!(filter("filterValue=hotel").await, [1234]);
    assert_eq!(
        filter("filterValue=otel").await,
        Vec::<i64>::new(),
        "word starts only"
    );
    assert_eq!(
        filter("filterValue=hotel,nothing").await,
        [1234],
        "cut at the comma"
    );
    assert_eq!(
        filter(&format!("responsibleid={PETROV}")).await,
        [1235, 1236, 1238]
    );
    assert_eq!(filter("stageType=ClosedAndWon").await, [1236]);
    assert_eq!(filter("stageType=2").await, [1238]);
    assert_eq!(filter("tags=vip").await, [1237, 1235]);
    assert_eq!(
        filter("tags=vip&tags[]=%D0%BB%D0%B8%D1%86%D0%B5%D0%BD%D0%B7%D0%B8%D0%B8").await,
        [1235]
    );
    assert_eq!(filter("contactid=101").await, [1235, 1238]);
    assert_eq!(
        filter("contactid=102&contactAlsoIsParticipant=true").await,
        [1237, 1235]
    );
    assert_eq!(
        filter("fromDate=2024-02-01&toDate=2024-05-01T00:00:00.000Z").await,
        [1235, 1236]
    );
    // Given alone, the dates make no condition, and the server then matches nothing.
    assert_eq!(
        filter("fromDate=2024-02-01").await,
        Vec::<i64>::new(),
        "needs both"
    );
    assert_eq!(
        filter("toDate=2024-02-01").await,
        Vec::<i64>::new(),
        "needs both"
    );
    assert_eq!(
        filter("filterValue=%20%20").await,
        Vec::<i64>::new(),
        "blank text"
    );
    assert_eq!(
        filter("contactAlsoIsParticipant=false").await,
        Vec::<i64>::new(),
        "a lone participant flag"
    );
    assert_eq!(
        filter("stageType=2&fromDate=2024-02-01").await,
        [1238],
        "a lone date next to a condition is ignored"
    );
    let reply = get(&emulator, &format!("{CRM}/filter?toDate=2024-02-30")).await;
    assert_eq!(
        error_message(&reply, 400),
        "invalid date time format: 2024-02-30"
    );

    // The other searches.
    let by_contact = value(&get(&emulator, &format!("{CRM}/bycontact/102")).await, 200);
    assert_eq!(ids(&by_contact), [1235, 1237]);
    let none = get(&emulator, &format!("{CRM}/bycontact/0")).await;
    none.assert_json(200, r#"{"status":0,"statusCode":200,"response":[]}"#);
    let prefix = value(
        &get(
            &emulator,
            &format!("{CRM}/byprefix?prefix=%D0%BB%D0%B8%D1%86%D0%B5%D0%BD%D0%B7"),
        )
        .await,
        200,
    );
    assert_eq!(ids(&prefix), [1235]);
    assert!(
        prefix["response"][0].get("accessList").is_some(),
        "single form"
    );
    let own = value(
        &get(
            &emulator,
            &format!("{CRM}/byprefix?prefix=24&contactID=102&internalSearch=true"),
        )
        .await,
        200,
    );
    assert_eq!((ids(&own), own["total"].as_i64()), (vec![1237], Some(1)));
    let reply = get(&emulator, &format!("{CRM}/byprefix")).await;
    assert_eq!(
        error_message(&reply, 500),
        "Object reference not set to an instance of an object."
    );
}

#[tokio::test]
async fn stage_change_sets_probability_and_close_date() {
    let emulator = start().await;
    // The path's second number is never read: `stageid` is.
    let reply = form(
        &emulator,
        "PUT",
        &format!("{CRM}/1235/stage/1"),
        "stageid=8",
    )
    .await;
    let deal = value(&reply, 200)["response"].clone();
    assert_eq!(deal["stage"]["id"], 8);
    assert_eq!(deal["stage"]["title"], "Deal won");
    assert_eq!(deal["successProbability"], 100);
    let closed = r7_model::ApiDateTime::parse(deal["actualCloseDate"].as_str().unwrap()).unwrap();
    assert_eq!(closed.offset_minutes(), 180);
    let age = ApiDateTime::now_utc().unix_nanos() - closed.unix_nanos();
    assert!((0..60_000_000_000).contains(&age), "{age}");
    assert_eq!(emulator.opportunity(1235).unwrap().success_probability, 100);

    let reply = form(
        &emulator,
        "PUT",
        &format!("{CRM}/1235/stage/8"),
        "stageid=5",
    )
    .await;
    let deal = value(&reply, 200)["response"].clone();
    assert_eq!(deal["successProbability"], 50);
    assert_eq!(deal.get("actualCloseDate"), None, "reopened");

    form(&emulator, "PUT", &format!("{CRM}/1235/stage/8"), "")
        .await
        .assert_json(400, ARGUMENT_JSON);
    form(
        &emulator,
        "PUT",
        &format!("{CRM}/1235/stage/8"),
        "stageid=404",
    )
    .await
    .assert_json(404, NOT_FOUND_JSON);
    form(&emulator, "PUT", &format!("{CRM}/999/stage/8"), "stageid=8")
        .await
        .assert_json(404, NOT_FOUND_JSON);
}

#[tokio::test]
async fn stages_cannot_change_while_they_have_deals() {
    let emulator = start().await;
    let stages = value(&get(&emulator, &format!("{CRM}/stage")).await, 200);
    let list = stages["response"].as_array().unwrap();
    assert_eq!(
        serde_json::to_string(&list[0]).unwrap(),
        r##"{"color":"#e795c1","description":"The first contact with a potential buyer","id":1,"stageType":0,"successProbability":1,"title":"Initial contact"}"##,
        "serde_json sorts the members; the wire order is checked below"
    );
    let reply = get(&emulator, &format!("{CRM}/stage/30")).await;
    assert!(
        reply.text().starts_with(
            r##"{"count":1,"status":0,"statusCode":200,"response":{"relativeItemsCount":2,"successProbability":20,"stageType":0,"title":"Discussion","description":"The potential buyer showed his\/her interest and sees how your offering meets his\/her goal","color":"#B9AFD3","id":30}}"##
        ),
        "{}",
        reply.text()
    );

    let delete = authed(&emulator, "DELETE", &format!("{CRM}/stage/30")).await;
    assert_eq!(
        error_message(&delete, 400),
        "Can't be deleted. There are some opportunities at this stage."
    );
    let edit = form(
        &emulator,
        "PUT",
        &format!("{CRM}/stage/30"),
        "title=New&color=%23000000",
    )
    .await;
    assert_eq!(
        error_message(&edit, 400),
        "Can't be edited. There are some opportunities at this stage."
    );
    assert_eq!(emulator.stage(30).unwrap().title, "Discussion");

    // A new stage goes to the end; it can be edited, coloured, moved and deleted.
    let reply = form(
        &emulator,
        "POST",
        &format!("{CRM}/stage"),
        "title=Pilot&color=%23abcdef&successProbability=35&stageType=Open",
    )
    .await;
    reply.assert_json(
        201,
        r##"{"count":1,"status":0,"statusCode":201,"response":{"successProbability":35,"stageType":0,"title":"Pilot","color":"#abcdef","id":31}}"##,
    );
    assert_eq!(emulator.stage_ids().last(), Some(&31));
    for bad in [
        "color=%23abcdef",
        "title=x",
        "title=x&color=%23a&successProbability=101",
    ] {
        form(&emulator, "POST", &format!("{CRM}/stage"), bad)
            .await
            .assert_json(400, ARGUMENT_JSON);
    }
    let edited = form(
        &emulator,
        "PUT",
        &format!("{CRM}/stage/31"),
        "title=Pilot+project&successProbability=40&stageType=ClosedAndWon",
    )
    .await;
    let edited = value(&edited, 200)["response"].clone();
    assert_eq!(
        (edited["title"].as_str(), edited.get("color")),
        (Some("Pilot project"), None)
    );
    let colored = form(
        &emulator,
        "PUT",
        &format!("{CRM}/stage/31/color"),
        "color=%23112233",
    )
    .await;
    assert_eq!(value(&colored, 200)["response"]["color"], "#112233");
    // Every stage, the new one first.
    let mut order = emulator.stage_ids();
    order.rotate_right(1);
    assert_eq!(order[0], 31);
    let body: Vec<String> = order.iter().map(|id| format!("ids={id}")).collect();
    let reordered = form(
        &emulator,
        "PUT",
        &format!("{CRM}/stage/reorder"),
        &body.join("&"),
    )
    .await;
    assert_eq!(ids(&value(&reordered, 200)), order);
    assert_eq!(emulator.stage_ids(), order);
    assert_eq!(emulator.stage(31).unwrap().sort_order, 0);
    assert_eq!(emulator.stage(1).unwrap().sort_order, 1);
    let unknown = form(
        &emulator,
        "PUT",
        &format!("{CRM}/stage/reorder"),
        "ids=31&ids=404",
    )
    .await;
    assert_eq!(unknown.status, 500);
    let deleted = authed(&emulator, "DELETE", &format!("{CRM}/stage/31")).await;
    assert_eq!(value(&deleted, 200)["response"]["id"], 31);
    get(&emulator, &format!("{CRM}/stage/31"))
        .await
        .assert_json(404, NOT_FOUND_JSON);
    get(&emulator, &format!("{CRM}/stage/0"))
        .await
        .assert_json(400, ARGUMENT_JSON);
    assert_eq!(emulator.stage(31), None);
}

#[tokio::test]
async fn batch_deletes_return_the_deleted_deals() {
    let emulator = start().await;
    let reply = form(
        &emulator,
        "PUT",
        CRM,
        "opportunityids=1237&opportunityids=1235&opportunityids=999",
    )
    .await;
    let deleted = value(&reply, 200);
    assert_eq!(ids(&deleted), [1235, 1237]);
    assert_eq!(deleted["count"], 2);
    for deal in deleted["response"].as_array().unwrap() {
        assert_eq!(deal["members"], serde_json::json!([]));
        assert_eq!(deal["customFields"], serde_json::json!([]));
        assert_eq!(deal["isPrivate"], false);
        assert!(deal.get("accessList").is_none(), "list form");
    }
    assert_eq!(emulator.opportunity_ids(), [1234, 1236, 1238]);
    assert!(emulator.tags(1235).is_empty());
    form(&emulator, "PUT", CRM, "")
        .await
        .assert_json(400, ARGUMENT_JSON);
    form(&emulator, "PUT", CRM, "opportunityids=999")
        .await
        .assert_json(200, r#"{"status":0,"statusCode":200,"response":[]}"#);

    // By filter; then nothing is left to find.
    let reply = authed(&emulator, "DELETE", &format!("{CRM}/filter?stageType=Open")).await;
    assert_eq!(ids(&value(&reply, 200)), [1234]);
    let reply = authed(&emulator, "DELETE", &format!("{CRM}/filter")).await;
    assert_eq!(ids(&value(&reply, 200)), [1236, 1238]);
    assert!(emulator.opportunity_ids().is_empty());
    get(&emulator, &format!("{CRM}/filter")).await.assert_json(
        200,
        r#"{"total":0,"status":0,"statusCode":200,"response":[]}"#,
    );
    // Stages without deals can go now.
    assert_eq!(
        authed(&emulator, "DELETE", &format!("{CRM}/stage/30"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn xml_lists_repeat_the_response_element() {
    let emulator = start().await;
    let reply = get(&emulator, &format!("{CRM}/stage.xml?count=2")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/xml; charset=UTF-8")
    );
    assert_eq!(
        reply.text(),
        "<result><count>2</count><nextIndex>3</nextIndex><total>10</total><status>0</status><statusCode>200</statusCode>\
         <response><successProbability>1</successProbability><stageType>0</stageType><title>Initial contact</title>\
         <description>The first contact with a potential buyer</description><color>#e795c1</color><id>1</id></response>\
         <response><successProbability>2</successProbability><stageType>0</stageType><title>Preapproach</title>\
         <description>Learning about the potential buyer before the first meeting</description><color>#df7895</color><id>2</id></response>\
         </result>"
    );
    let deals = get(
        &emulator,
        &format!("{CRM}/filter.xml?opportunityStagesid=30"),
    )
    .await;
    let text = deals.text();
    assert!(
        text.starts_with("<result><count>2</count><total>2</total><status>0</status><statusCode>200</statusCode><response><createBy>"),
        "{text}"
    );
    assert_eq!(text.matches("<response>").count(), 2, "{text}");
    assert_eq!(
        text.matches("<accessList>").count(),
        2,
        "only the private deal's: {text}"
    );
    let empty = get(&emulator, &format!("{CRM}/filter.xml?filterValue=zzz")).await;
    assert_eq!(
        empty.text(),
        "<result><total>0</total><status>0</status><statusCode>200</statusCode></result>"
    );
}

#[tokio::test]
async fn void_methods_answer_an_empty_object() {
    let emulator = start().await;
    let reply = form(
        &emulator,
        "PUT",
        &format!("{CRM}/1235/creationdate"),
        "creationDate=2020-01-02T03:04:05Z",
    )
    .await;
    reply.assert_json(200, r#"{"status":0,"statusCode":200,"response":{}}"#);
    assert_eq!(
        emulator
            .opportunity(1235)
            .unwrap()
            .created
            .unwrap()
            .to_string(),
        "2020-01-02T06:04:05.0000000+03:00"
    );
    let reply = form(
        &emulator,
        "PUT",
        &format!("{CRM}/1235/lastmodifeddate.xml"),
        "lastModifedDate=2021-05-06T07:08:09.123%2B03:00",
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.text(),
        "<result><status>0</status><statusCode>200</statusCode><response /></result>"
    );
    assert_eq!(
        emulator.last_modified(1235).unwrap().to_string(),
        "2021-05-06T07:08:09.1230000+03:00"
    );
    form(&emulator, "PUT", &format!("{CRM}/999/creationdate"), "")
        .await
        .assert_json(404, NOT_FOUND_JSON);
}

#[tokio::test]
async fn access_changes_privacy_and_adds_the_caller() {
    let emulator = start().await;
    let me = emulator.current_user().id.to_string();
    let reply = form(
        &emulator,
        "PUT",
        &format!("{CRM}/1235/access"),
        &format!("isPrivate=true&accessList={PETROV}&accessList={PETROV}"),
    )
    .await;
    let deal = value(&reply, 200)["response"].clone();
    assert_eq!(deal["isPrivate"], true);
    let access: Vec<&str> = deal["accessList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(access, [PETROV, me.as_str()]);
    assert!(emulator.opportunity(1235).unwrap().is_private);

    // Private needs a list; without one the deal becomes public.
    let reply = form(
        &emulator,
        "PUT",
        &format!("{CRM}/1235/access"),
        "isPrivate=true",
    )
    .await;
    let deal = value(&reply, 200)["response"].clone();
    assert_eq!(
        (
            deal["isPrivate"].as_bool(),
            deal["accessList"].as_array().map(Vec::len)
        ),
        (Some(false), Some(0))
    );

    let reply = form(
        &emulator,
        "PUT",
        &format!("{CRM}/access"),
        &format!("opportunityid=1236&opportunityid=1234&opportunityid=999&isPrivate=true&accessList={PETROV}"),
    )
    .await;
    let changed = value(&reply, 200);
    assert_eq!(ids(&changed), [1234, 1236]);
    assert_eq!(
        changed["response"][0]["accessList"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let reply = form(
        &emulator,
        "PUT",
        &format!("{CRM}/filter/access?filterValue=hotel"),
        "isPrivate=false",
    )
    .await;
    let changed = value(&reply, 200);
    assert_eq!(ids(&changed), [1234]);
    assert!(changed["response"][0].get("accessList").is_none());
    assert!(!emulator.opportunity(1234).unwrap().is_private);
    assert!(emulator.opportunity(1236).unwrap().is_private);
}

#[tokio::test]
async fn members_are_listed_added_and_removed() {
    let emulator = start().await;
    let reply = get(&emulator, &format!("{CRM}/1235/contact")).await;
    let members = value(&reply, 200);
    assert_eq!(ids(&members), [101, 102]);
    let company = &members["response"][0];
    assert_eq!(company["companyName"], "ООО «Северный ветер»");
    assert_eq!(company["canEdit"], false, "the primary contact");
    assert_eq!(company["personsCount"], 1);
    assert!(
        company.get("persons").is_none(),
        "the list form only counts them"
    );
    let person = &members["response"][1];
    assert_eq!(
        (person["firstName"].as_str(), person["canEdit"].as_bool()),
        (Some("Алексей"), Some(true))
    );
    assert_eq!(person["company"]["id"], 101);

    let reply = authed(&emulator, "POST", &format!("{CRM}/1235/contact/104")).await;
    let added = value(&reply, 201);
    assert_eq!(added["response"]["id"], 104);
    assert_eq!(added["response"]["lastName"], "Кузнецова");
    assert_eq!(
        authed(&emulator, "POST", &format!("{CRM}/1235/contact/104"))
            .await
            .status,
        201
    );
    assert_eq!(emulator.members(1235), [101, 102, 104]);
    let deal = emulator.opportunity(1235).unwrap();
    assert_eq!(deal.members.len(), 3);

    let reply = authed(&emulator, "DELETE", &format!("{CRM}/1235/contact/101")).await;
    let removed = value(&reply, 200);
    assert_eq!(removed["response"]["id"], 101);
    assert_eq!(
        removed["response"]["persons"][0]["id"], 102,
        "the single form lists them"
    );
    assert_eq!(emulator.members(1235), [102, 104]);

    authed(&emulator, "POST", &format!("{CRM}/1235/contact/999"))
        .await
        .assert_json(404, NOT_FOUND_JSON);
    authed(&emulator, "POST", &format!("{CRM}/999/contact/101"))
        .await
        .assert_json(404, NOT_FOUND_JSON);
    authed(&emulator, "POST", &format!("{CRM}/1235/contact/0"))
        .await
        .assert_json(400, ARGUMENT_JSON);
    get(&emulator, &format!("{CRM}/0/contact"))
        .await
        .assert_json(404, NOT_FOUND_JSON);
    let seed = get(&emulator, &format!("{CRM}/1234/contact")).await;
    seed.assert_json(200, r#"{"status":0,"statusCode":200,"response":[]}"#);
}
