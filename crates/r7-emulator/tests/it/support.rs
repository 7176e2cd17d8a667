//! Shared helpers: hand-written requests, parsed replies, seed deal bodies, sign-in, CRM calls.

use std::net::SocketAddr;

use r7_emulator::{Config, Emulator};
use r7_model::ApiDateTime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const MIKE_JSON: &str = r#"{"id":"00000000-0000-0000-0000-000000000000","displayName":"Mike Zanyatski","title":"Manager","avatarSmall":"url to small avatar","profileUrl":""}"#;

/// The seed page's sample of deal 1234, the JSON form (the documentation's `GetSample()`).
fn seed_deal_sample_json() -> String {
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

/// The same sample, the XML form.
fn seed_deal_sample_xml() -> String {
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

pub(crate) const NOT_FOUND_JSON: &str = r#"{"status":1,"statusCode":404,"error":{"message":"Not found","hresult":-2147467259,"data":{}}}"#;

/// A parsed HTTP/1.1 response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("UTF-8 body")
    }

    pub(crate) fn assert_json(&self, status: u16, body: &str) {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(
            self.header("content-type"),
            Some("application/json; charset=UTF-8")
        );
        assert_eq!(self.text(), body);
    }

    pub(crate) fn assert_html_404(&self) {
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
pub(crate) async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Reply {
    parse_reply(&send_raw(addr, method, path, headers, None).await)
}

/// [`send`] with a body (and its `Content-Length`).
pub(crate) async fn send_body(
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
pub(crate) async fn send_raw(
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

pub(crate) fn request_bytes(
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

pub(crate) fn parse_reply(raw: &[u8]) -> Reply {
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

pub(crate) async fn get(emulator: &Emulator, path: &str) -> Reply {
    authed(emulator, "GET", path).await
}

pub(crate) async fn authed(emulator: &Emulator, method: &str, path: &str) -> Reply {
    send(
        emulator.addr(),
        method,
        path,
        &[("Authorization", emulator.token())],
    )
    .await
}

pub(crate) async fn start() -> Emulator {
    Emulator::start(Config::default()).await.unwrap()
}

pub(crate) const SEED_PATH: &str = "/api/2.0/crm/opportunity/1234";

pub(crate) const AUTH_PATH: &str = "/api/2.0/authentication";

pub(crate) fn json_body(name: &str, password: &str) -> String {
    serde_json::json!({ "userName": name, "password": password }).to_string()
}

/// Signs in with a JSON body and returns the token and expiry after checking the envelope.
pub(crate) async fn sign_in(
    emulator: &Emulator,
    name: &str,
    password: &str,
) -> (String, ApiDateTime) {
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
pub(crate) fn token_of(reply: &Reply) -> (String, ApiDateTime) {
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

pub(crate) const CRM: &str = "/api/2.0/crm/opportunity";

/// Петров Сергей, responsible for several seed deals.
pub(crate) const PETROV: &str = "2c9d4b1a-7e35-4f08-9a6b-5d0e3f1c2b7a";

pub(crate) const ARGUMENT_JSON: &str = r#"{"status":1,"statusCode":400,"error":{"message":"Value does not fall within the expected range.","hresult":-2147024809,"data":{}}}"#;

/// Sends a form-encoded body with the token.
pub(crate) async fn form(emulator: &Emulator, method: &str, path: &str, body: &str) -> Reply {
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
pub(crate) async fn json_call(emulator: &Emulator, method: &str, path: &str, body: &str) -> Reply {
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
pub(crate) fn value(reply: &Reply, status: u16) -> serde_json::Value {
    assert_eq!(reply.status, status, "{}", reply.text());
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=UTF-8")
    );
    serde_json::from_slice(&reply.body).unwrap()
}

/// The `id`s of a list answer's items.
pub(crate) fn ids(value: &serde_json::Value) -> Vec<i64> {
    value["response"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

pub(crate) fn error_message(reply: &Reply, status: u16) -> String {
    let value = value(reply, status);
    value["error"]["message"].as_str().unwrap().to_owned()
}

/// What the emulator serves for deal 1234: the seed page's sample less the two members no
/// server writes, since every embed is built from its row. `GetSample()` gives the deal a contact
/// with id 0, but a deal whose `ContactID` is 0 has no contact (`CRMApi.Deals.cs:977`); and it
/// gives the embedded stage a `sortOrder`, which `DealMilestoneBaseWrapper(DealMilestone)` never
/// sets (`Wrappers/ListItemWrapper.cs:108`, through `ListItemWrapper(int id)`). The emulator's
/// writer itself is checked against the whole sample byte for byte in its unit tests
/// (`behaviour::opportunity::tests`).
pub(crate) fn seed_deal_json() -> String {
    let served = seed_deal_sample_json()
        .replace(
            r#""contact":{"smallFotoUrl":"url to foto","displayName":"Tadjeddine Bachir","isCompany":false,"isPrivate":true,"isShared":false,"shareType":0,"currency":null,"canEdit":false,"canDelete":false,"id":0},"#,
            "",
        )
        .replace(r#""sortOrder":2,"#, "");
    assert_eq!(
        served.len() + 212,
        seed_deal_sample_json().len(),
        "both members removed"
    );
    served
}

/// [`seed_deal_json`] in the XML form.
pub(crate) fn seed_deal_xml() -> String {
    let served = seed_deal_sample_xml()
        .replace(
            "<contact><smallFotoUrl>url to foto</smallFotoUrl><displayName>Tadjeddine Bachir</displayName><isCompany>false</isCompany><isPrivate>true</isPrivate><isShared>false</isShared><shareType>0</shareType><currency /><canEdit>false</canEdit><canDelete>false</canDelete><id>0</id></contact>",
            "",
        )
        .replace("<sortOrder>2</sortOrder>", "");
    assert!(!served.contains("<contact>") && !served.contains("sortOrder"));
    served
}
