//! The emulator over real sockets: requests written by hand, so every byte on the wire is the
//! test's own.

use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use r7_emulator::{Config, DEFAULT_TOKEN, Emulator, SEED_OPPORTUNITY_ID};
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
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    parse_reply(&raw)
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
    for method in ["POST", "PUT", "PATCH"] {
        authed(&emulator, method, SEED_PATH).await.assert_html_404();
    }
    // Routing comes before the auth filter.
    send(emulator.addr(), "PUT", SEED_PATH, &[])
        .await
        .assert_html_404();
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
