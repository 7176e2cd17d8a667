//! Fault injection: servers that misbehave on purpose, and the typed errors r7 turns them into.
//!
//! [`RawServer`] speaks HTTP/1.1 by hand over a plain `TcpListener`, so it can send what hyper
//! would refuse to: stalls, drips, resets, short bodies, broken chunking, garbage. Every case
//! checks the error's variant, how far the request got ([`Error::delivery`]), that the call came
//! back within its deadline, and that the same client then works for the next call.
//!
//! What r7 does with a `200` whose `Content-Type` is neither JSON nor XML (`text/html`, and
//! `text/plain` even when the body is a valid JSON envelope): it does not decode it and returns
//! [`ResponseError::Http`] with the status, the content type and a snippet. The portal always
//! labels its envelopes; the one plain-text answer it writes (the 401) is no envelope, and a body
//! a proxy labelled otherwise is not trusted to be the portal's.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use r7_hyper::{Client, ClientBuilder, Delivery, Error, RetryPolicy};
use r7_proto::crm::opportunity::*;
use r7_proto::{Format, ResponseError, Token};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// The deal the well-behaved answer carries.
pub(crate) const DEAL_ID: i64 = 1234;

/// The body of the well-behaved answer: a deal in its success envelope.
pub(crate) const DEAL: &str = r#"{"count":1,"status":0,"statusCode":200,"response":{"title":"Hotel catalogue","isPrivate":false,"canEdit":false,"id":1234}}"#;

/// The deadline of the clients here, short so that the module runs in seconds.
const DEADLINE: Duration = Duration::from_millis(600);

/// How much later than its deadline a call may come back on a busy 2-core machine.
const MARGIN: Duration = Duration::from_millis(750);

/// One thing a scripted connection does after it has read a request.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// Writes these bytes.
    Write(Vec<u8>),
    /// Writes `byte`, one at a time, `every` apart, until the client goes away.
    Drip { byte: u8, every: Duration },
    /// Waits.
    Sleep(Duration),
    /// Keeps the connection open and silent until the test ends.
    Hold,
    /// Closes the connection cleanly (FIN).
    Close,
    /// Resets the connection (RST: `SO_LINGER` of zero, then close).
    Reset,
}

impl Step {
    pub(crate) fn text(text: impl AsRef<str>) -> Step {
        Step::Write(text.as_ref().as_bytes().to_vec())
    }
}

/// A complete response: the status line's tail (`200 OK`), extra header lines, a
/// `Content-Length` and the body.
pub(crate) fn answer(status: &str, headers: &[&str], body: impl AsRef<[u8]>) -> Vec<u8> {
    let body = body.as_ref();
    let mut out = format!("HTTP/1.1 {status}\r\n");
    for header in headers {
        out.push_str(header);
        out.push_str("\r\n");
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// The well-behaved answer: the deal as JSON.
pub(crate) fn good() -> Vec<u8> {
    answer(
        "200 OK",
        &["Content-Type: application/json; charset=utf-8"],
        DEAL,
    )
}

/// A request as the server read it.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    /// The request line and the header lines, without the blank line.
    pub(crate) head: String,
    pub(crate) body: Vec<u8>,
}

impl Received {
    /// The request target as sent: path and query, still percent-encoded.
    pub(crate) fn target(&self) -> &str {
        self.head.split(' ').nth(1).unwrap_or("")
    }

    pub(crate) fn method(&self) -> &str {
        self.head.split(' ').next().unwrap_or("")
    }

    /// The value of the first header called `name` (any case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

struct Shared {
    scripts: Mutex<VecDeque<Vec<Step>>>,
    received: Mutex<Vec<Received>>,
    connections: AtomicUsize,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// A loopback HTTP/1.1 server written by hand. Each request it reads takes the next script
/// (in the order given); once they are used up it answers [`good`]. A connection whose script
/// does not end it (no `Hold`, `Close`, `Reset` or `Drip`) stays open for the next request.
pub(crate) struct RawServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl RawServer {
    pub(crate) async fn start(scripts: impl IntoIterator<Item = Vec<Step>>) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        RawServer::serve(listener, scripts)
    }

    /// Serves on a listener made elsewhere.
    pub(crate) fn serve(
        listener: TcpListener,
        scripts: impl IntoIterator<Item = Vec<Step>>,
    ) -> RawServer {
        let addr = listener.local_addr().expect("addr");
        let shared = Arc::new(Shared {
            scripts: Mutex::new(scripts.into_iter().collect()),
            received: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
        });
        let accepting = Arc::clone(&shared);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                accepting.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve_connection(socket, Arc::clone(&accepting)));
            }
        });
        RawServer { addr, shared }
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub(crate) fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// How many connections were accepted.
    pub(crate) fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Every request read so far, in order.
    pub(crate) fn received(&self) -> Vec<Received> {
        lock(&self.shared.received).clone()
    }
}

async fn serve_connection(mut socket: TcpStream, shared: Arc<Shared>) {
    let mut buf = Vec::new();
    while let Some(request) = read_request(&mut socket, &mut buf).await {
        lock(&shared.received).push(request);
        let script = lock(&shared.scripts).pop_front();
        for step in script.unwrap_or_else(|| vec![Step::Write(good())]) {
            match step {
                Step::Write(bytes) => {
                    if socket.write_all(&bytes).await.is_err() {
                        return;
                    }
                }
                Step::Drip { byte, every } => loop {
                    tokio::time::sleep(every).await;
                    if socket.write_all(&[byte]).await.is_err() {
                        return;
                    }
                },
                Step::Sleep(pause) => tokio::time::sleep(pause).await,
                Step::Hold => std::future::pending::<()>().await,
                Step::Close => {
                    let _ = socket.shutdown().await;
                    return;
                }
                Step::Reset => {
                    let _ = socket.set_zero_linger();
                    return;
                }
            }
        }
    }
}

/// Reads one request (head and `Content-Length` body); `None` when the client went away.
async fn read_request(socket: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Received> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let length = head
                .lines()
                .filter_map(|line| line.split_once(':'))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
                .and_then(|(_, value)| value.trim().parse::<usize>().ok())
                .unwrap_or(0);
            let total = end + 4 + length;
            while buf.len() < total {
                read_more(socket, buf).await?;
            }
            let body = buf[end + 4..total].to_vec();
            buf.drain(..total);
            return Some(Received { head, body });
        }
        if buf.len() > 1 << 20 {
            return None;
        }
        read_more(socket, buf).await?;
    }
}

async fn read_more(socket: &mut TcpStream, buf: &mut Vec<u8>) -> Option<()> {
    let mut chunk = [0u8; 8192];
    match socket.read(&mut chunk).await {
        Ok(0) | Err(_) => None,
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            Some(())
        }
    }
}

/// A client of `server` with a token, the short deadline and no retries.
fn builder(server: &RawServer) -> ClientBuilder {
    Client::builder(server.base_url())
        .token(Token::new("faults-token-0123456789").expect("token"))
        .retry_policy(RetryPolicy::none())
        .timeout(DEADLINE)
}

fn client(server: &RawServer) -> Client {
    builder(server).build().expect("client")
}

/// Sends a GET that must fail; the error and how long the call took. A call that hangs fails
/// the test instead of hanging it.
async fn fails(client: &Client) -> (Error, Duration) {
    let started = Instant::now();
    let result = tokio::time::timeout(
        DEADLINE + MARGIN + Duration::from_secs(5),
        client.send(&GetOpportunity::new(DEAL_ID)),
    )
    .await
    .expect("the call came back");
    let took = started.elapsed();
    match result {
        Ok(deal) => panic!("the call succeeded: {deal:?}"),
        Err(error) => (error, took),
    }
}

/// The call came back within the deadline and the margin.
#[track_caller]
fn in_time(took: Duration) {
    assert!(took < DEADLINE + MARGIN, "took {took:?}");
}

/// The call came back because the deadline passed, and soon after it.
#[track_caller]
fn at_the_deadline(took: Duration) {
    assert!(took >= DEADLINE, "came back before the deadline: {took:?}");
    in_time(took);
}

/// The same client works for the next call.
async fn still_works(client: &Client) {
    let deal = tokio::time::timeout(
        DEADLINE + MARGIN,
        client.send(&GetOpportunity::new(DEAL_ID)),
    )
    .await
    .expect("the next call came back")
    .expect("the next call succeeds");
    assert_eq!(deal.id, DEAL_ID);
}

/// Headers that announce `length` bytes of JSON.
fn json_head(length: usize) -> String {
    format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n")
}

const CHUNKED_HEAD: &str =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

#[tokio::test]
async fn a_stall_before_the_headers_hits_the_deadline() {
    let server = RawServer::start([vec![Step::Hold]]).await;
    let client = client(&server);
    let (err, took) = fails(&client).await;
    assert!(
        matches!(err, Error::Timeout { timeout, attempts: 1 } if timeout == DEADLINE),
        "{err:?}"
    );
    assert_eq!(err.delivery(), Delivery::MaybeSent);
    at_the_deadline(took);
    still_works(&client).await;
}

#[tokio::test]
async fn a_stall_in_the_middle_of_the_body_hits_the_deadline() {
    let server = RawServer::start([vec![
        Step::text(json_head(DEAL.len())),
        Step::text(&DEAL[..40]),
        Step::Hold,
    ]])
    .await;
    let client = client(&server);
    let (err, took) = fails(&client).await;
    assert!(
        matches!(err, Error::Timeout { timeout, attempts: 1 } if timeout == DEADLINE),
        "{err:?}"
    );
    assert_eq!(err.delivery(), Delivery::MaybeSent);
    at_the_deadline(took);
    still_works(&client).await;
}

#[tokio::test]
async fn a_reset_in_the_middle_of_the_body_is_a_transport_error() {
    let server = RawServer::start([vec![
        Step::text(json_head(DEAL.len())),
        Step::text(&DEAL[..40]),
        Step::Sleep(Duration::from_millis(50)),
        Step::Reset,
    ]])
    .await;
    let client = client(&server);
    let (err, took) = fails(&client).await;
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(err.delivery(), Delivery::MaybeSent);
    assert!(err.is_retryable_if_idempotent() && !err.is_retryable());
    in_time(took);
    still_works(&client).await;
}

#[tokio::test]
async fn a_body_cut_short_of_its_content_length_is_a_transport_error() {
    let server = RawServer::start([vec![
        Step::text(json_head(DEAL.len() + 100)),
        Step::text(DEAL),
        Step::Close,
    ]])
    .await;
    let client = client(&server);
    let (err, took) = fails(&client).await;
    // The bytes that did arrive are a whole envelope: they must not pass for the answer.
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(err.delivery(), Delivery::MaybeSent);
    in_time(took);
    still_works(&client).await;
}

#[tokio::test]
async fn invalid_chunked_encoding_is_a_transport_error() {
    let bodies = [
        // Not a hexadecimal size.
        "zz\r\n{}\r\n0\r\n\r\n".to_owned(),
        // A size that overflows.
        "fffffffffffffffffffff\r\n{}\r\n0\r\n\r\n".to_owned(),
        // Data longer than its chunk's size.
        format!("2\r\n{DEAL}\r\n0\r\n\r\n"),
    ];
    let server = RawServer::start(
        bodies
            .iter()
            .map(|body| vec![Step::text(CHUNKED_HEAD), Step::text(body), Step::Hold]),
    )
    .await;
    let client = client(&server);
    for body in &bodies {
        let (err, took) = fails(&client).await;
        assert!(matches!(err, Error::Transport { .. }), "{body:?}: {err:?}");
        assert_eq!(err.delivery(), Delivery::MaybeSent);
        in_time(took);
    }
    still_works(&client).await;
}

#[tokio::test]
async fn garbage_instead_of_a_response_is_a_transport_error() {
    let answers = vec![
        b"HELLO WORLD\r\n\r\n".to_vec(),
        b"HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n".to_vec(),
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}".to_vec(),
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{}".to_vec(),
        b"HTTP/1.1 200 OK\r\nBad Header\x00: x\r\nContent-Length: 0\r\n\r\n".to_vec(),
        // A head larger than the client reads (hyper keeps about 400 KiB).
        format!(
            "HTTP/1.1 200 OK\r\nX-Pad: {}\r\nContent-Length: 0\r\n\r\n",
            "a".repeat(1 << 20)
        )
        .into_bytes(),
    ];
    let server = RawServer::start(
        answers
            .iter()
            .map(|bytes| vec![Step::Write(bytes.clone()), Step::Hold]),
    )
    .await;
    let client = client(&server);
    for bytes in &answers {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(60)]).into_owned();
        let (err, took) = fails(&client).await;
        assert!(matches!(err, Error::Transport { .. }), "{head:?}: {err:?}");
        assert_eq!(err.delivery(), Delivery::MaybeSent);
        in_time(took);
    }
    still_works(&client).await;
}

#[tokio::test]
async fn proxy_error_pages_are_http_errors() {
    let page = |status: &str| {
        answer(
            status,
            &["Content-Type: text/html", "Server: nginx"],
            format!(
                "<html>\r\n<head><title>{status}</title></head>\r\n<body><center><h1>{status}</h1></center><hr><center>nginx</center></body></html>\r\n"
            ),
        )
    };
    let server = RawServer::start([
        vec![Step::Write(page("502 Bad Gateway"))],
        vec![Step::Write(page("504 Gateway Time-out"))],
    ])
    .await;
    let client = client(&server);
    for (status, text) in [(502, "502 Bad Gateway"), (504, "504 Gateway Time-out")] {
        let (err, took) = fails(&client).await;
        match &err {
            Error::Response(ResponseError::Http {
                status: got,
                content_type,
                snippet,
            }) => {
                assert_eq!(*got, status);
                assert_eq!(content_type, "text/html");
                assert!(snippet.as_str().contains(text), "{snippet:?}");
            }
            other => panic!("{status}: unexpected {other:?}"),
        }
        assert_eq!(err.delivery(), Delivery::Answered);
        assert!(err.is_retryable_if_idempotent() && !err.is_retryable());
        assert!(err.to_string().contains(&status.to_string()), "{err}");
        in_time(took);
    }
    still_works(&client).await;
}

#[tokio::test]
async fn an_empty_200_is_not_a_value() {
    let server = RawServer::start([
        vec![Step::Write(answer("200 OK", &[], ""))],
        vec![Step::Write(answer(
            "200 OK",
            &["Content-Type: application/json"],
            "",
        ))],
    ])
    .await;
    let client = client(&server);

    let (err, took) = fails(&client).await;
    match &err {
        Error::Response(ResponseError::Http {
            status,
            content_type,
            snippet,
        }) => {
            assert_eq!(*status, 200);
            assert_eq!(content_type, "no content type");
            assert_eq!(snippet.as_str(), "");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.delivery(), Delivery::Answered);
    in_time(took);

    // Labelled JSON but empty: a decode error, not an empty value.
    let (err, took) = fails(&client).await;
    assert!(
        matches!(
            err,
            Error::Response(ResponseError::Decode {
                format: Format::Json,
                status: http::StatusCode::OK,
                ..
            })
        ),
        "{err:?}"
    );
    assert_eq!(err.delivery(), Delivery::Answered);
    in_time(took);
    still_works(&client).await;
}

#[tokio::test]
async fn a_200_with_a_foreign_content_type_is_not_decoded() {
    let server = RawServer::start([
        vec![Step::Write(answer(
            "200 OK",
            &["Content-Type: text/html; charset=utf-8"],
            "<!DOCTYPE html><html><body>Portal maintenance</body></html>",
        ))],
        // A valid envelope, but labelled plain text.
        vec![Step::Write(answer(
            "200 OK",
            &["Content-Type: text/plain; charset=utf-8"],
            DEAL,
        ))],
    ])
    .await;
    let client = client(&server);
    for (expected_type, expected_text) in [
        ("text/html; charset=utf-8", "Portal maintenance"),
        ("text/plain; charset=utf-8", r#"{"count":1,"status":0"#),
    ] {
        let (err, took) = fails(&client).await;
        match &err {
            Error::Response(ResponseError::Http {
                status,
                content_type,
                snippet,
            }) => {
                assert_eq!(*status, 200);
                assert_eq!(content_type, expected_type);
                assert!(snippet.as_str().contains(expected_text), "{snippet:?}");
            }
            other => panic!("{expected_type}: unexpected {other:?}"),
        }
        assert_eq!(err.delivery(), Delivery::Answered);
        in_time(took);
    }
    still_works(&client).await;
}

#[tokio::test]
async fn a_body_over_the_cap_with_a_content_length_is_refused_unread() {
    // The body never comes: the client must refuse on the header alone.
    let server = RawServer::start([vec![Step::text(json_head(1_000_000)), Step::Hold]]).await;
    let client = builder(&server)
        .max_response_bytes(1000)
        .build()
        .expect("client");
    let (err, took) = fails(&client).await;
    assert!(
        matches!(
            err,
            Error::BodyTooLarge {
                status: http::StatusCode::OK,
                limit: 1000
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.delivery(), Delivery::Answered);
    assert!(took < DEADLINE, "waited for the body: {took:?}");
    still_works(&client).await;
}

#[tokio::test]
async fn a_chunked_body_over_the_cap_is_refused_while_it_streams() {
    // 1500 bytes in chunks of 100, and then the body never ends.
    let mut steps = vec![Step::text(CHUNKED_HEAD)];
    steps.extend((0..15).map(|_| Step::text(format!("64\r\n{}\r\n", " ".repeat(100)))));
    steps.push(Step::Hold);
    let server = RawServer::start([steps]).await;
    let client = builder(&server)
        .max_response_bytes(1000)
        .build()
        .expect("client");
    let (err, took) = fails(&client).await;
    assert!(
        matches!(
            err,
            Error::BodyTooLarge {
                status: http::StatusCode::OK,
                limit: 1000
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.delivery(), Delivery::Answered);
    assert!(took < DEADLINE, "waited for the end of the body: {took:?}");
    still_works(&client).await;
}

#[tokio::test]
async fn a_body_exactly_at_the_cap_is_accepted_and_one_byte_more_is_not() {
    let chunked = format!("{CHUNKED_HEAD}{:x}\r\n{DEAL}\r\n0\r\n\r\n", DEAL.len());
    for (limit, ok) in [(DEAL.len(), true), (DEAL.len() - 1, false)] {
        let server = RawServer::start([
            vec![Step::Write(good())],
            vec![Step::text(&chunked)],
            vec![Step::Write(good())],
        ])
        .await;
        let client = builder(&server)
            .max_response_bytes(limit)
            .build()
            .expect("client");
        for framing in ["content-length", "chunked"] {
            let result = client.send(&GetOpportunity::new(DEAL_ID)).await;
            match result {
                Ok(deal) if ok => assert_eq!(deal.id, DEAL_ID),
                Err(Error::BodyTooLarge { limit: got, .. }) if !ok => assert_eq!(got, limit),
                other => panic!("{framing}, limit {limit}: unexpected {other:?}"),
            }
        }
        if !ok {
            // A client with the cap below the answer cannot fetch it, but its connections
            // recover: the server sees every request.
            assert_eq!(server.received().len(), 2);
        }
    }
}

#[tokio::test]
async fn a_slow_drip_hits_the_whole_call_deadline() {
    // One byte every 100 ms: each read succeeds, but the call as a whole must not outlive its
    // deadline. Once in the head, once in the body.
    let drip = Step::Drip {
        byte: b'a',
        every: Duration::from_millis(100),
    };
    let server = RawServer::start([
        vec![Step::text("HTTP/1.1 200 OK\r\nX-Pad: "), drip.clone()],
        vec![Step::text(json_head(100_000)), drip],
    ])
    .await;
    let client = client(&server);
    for place in ["head", "body"] {
        let (err, took) = fails(&client).await;
        assert!(
            matches!(err, Error::Timeout { timeout, attempts: 1 } if timeout == DEADLINE),
            "{place}: {err:?}"
        );
        assert_eq!(err.delivery(), Delivery::MaybeSent);
        at_the_deadline(took);
    }
    still_works(&client).await;
}

#[tokio::test]
async fn an_error_envelope_in_a_200_is_an_api_error() {
    let server = RawServer::start([vec![Step::Write(answer(
        "200 OK",
        &["Content-Type: application/json"],
        r#"{"status":1,"statusCode":404,"error":{"message":"Not found","hresult":-2147467259}}"#,
    ))]])
    .await;
    let client = client(&server);
    let (err, took) = fails(&client).await;
    match &err {
        Error::Response(ResponseError::Api(api)) => {
            assert_eq!(api.status, 200, "the HTTP status is kept as sent");
            assert_eq!(api.status_code, Some(404));
            assert_eq!(api.message.as_deref(), Some("Not found"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.delivery(), Delivery::Answered);
    assert!(err.is_not_found(), "the envelope's statusCode counts");
    assert!(err.to_string().contains("Not found"), "{err}");
    in_time(took);
    still_works(&client).await;
}

#[tokio::test]
async fn invalid_utf8_is_a_decode_error() {
    let mut bad_json = DEAL.as_bytes().to_vec();
    let at = DEAL.find("Hotel").expect("a title") + 3;
    bad_json.splice(at..at, [0xff, 0xfe]);
    let bad_xml = b"<result><status>0</status><response><title>Hot\xff\xfe</title><id>1234</id></response></result>".to_vec();
    let server = RawServer::start([
        vec![Step::Write(answer(
            "200 OK",
            &["Content-Type: application/json"],
            &bad_json,
        ))],
        vec![Step::Write(answer(
            "200 OK",
            &["Content-Type: application/xml"],
            &bad_xml,
        ))],
    ])
    .await;
    let client = client(&server);
    for format in [Format::Json, Format::Xml] {
        let (err, took) = fails(&client).await;
        match &err {
            Error::Response(ResponseError::Decode {
                format: got,
                status,
                reason,
                ..
            }) => {
                assert_eq!(*got, format);
                assert_eq!(*status, 200);
                assert!(
                    reason.contains("UTF-8") || reason.contains("unicode"),
                    "{format}: {reason}"
                );
            }
            other => panic!("{format}: unexpected {other:?}"),
        }
        assert_eq!(err.delivery(), Delivery::Answered);
        in_time(took);
    }
    still_works(&client).await;
}

#[tokio::test]
async fn xml_entities_are_refused_never_expanded() {
    let mut laughs =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE result [\n<!ENTITY lol \"lol\">\n");
    for level in 1..=9 {
        let previous = if level == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", level - 1)
        };
        let refs = format!("&{previous};").repeat(10);
        laughs.push_str(&format!("<!ENTITY lol{level} \"{refs}\">\n"));
    }
    laughs.push_str("]>\n<result><status>0</status><response><title>&lol9;</title><id>1234</id></response></result>");
    let external = "<?xml version=\"1.0\"?>\n<!DOCTYPE result [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<result><status>0</status><response><title>&xxe;</title><id>1234</id></response></result>";
    let undeclared = "<result><status>0</status><response><title>&lol9;</title><id>1234</id></response></result>";
    let xml = |body: &str, status: &str| {
        vec![Step::Write(answer(
            status,
            &["Content-Type: text/xml; charset=utf-8"],
            body,
        ))]
    };
    let server = RawServer::start([
        xml(&laughs, "200 OK"),
        xml(external, "200 OK"),
        xml(undeclared, "200 OK"),
        xml(&laughs, "500 Internal Server Error"),
    ])
    .await;
    let client = client(&server);
    for (case, expected) in [
        ("billion laughs", "DOCTYPE"),
        ("external entity", "DOCTYPE"),
        ("undeclared entity", "unknown entity"),
    ] {
        let (err, took) = fails(&client).await;
        match &err {
            Error::Response(ResponseError::Decode {
                format: Format::Xml,
                status,
                reason,
                ..
            }) => {
                assert_eq!(*status, 200);
                assert!(reason.contains(expected), "{case}: {reason}");
                assert!(
                    !reason.contains("lollol") && !reason.contains("root:"),
                    "{reason}"
                );
            }
            other => panic!("{case}: unexpected {other:?}"),
        }
        assert_eq!(err.delivery(), Delivery::Answered);
        // Expanding a billion laughs takes seconds and gigabytes; refusing it takes nothing.
        assert!(took < DEADLINE, "{case}: {took:?}");
    }
    // On an error status the document is not an envelope either.
    let (err, took) = fails(&client).await;
    assert!(
        matches!(&err, Error::Response(ResponseError::Http { status, .. }) if *status == 500),
        "{err:?}"
    );
    assert!(took < DEADLINE, "{took:?}");
    still_works(&client).await;
}

/// The model has no recursive types, so typed decoding goes only as deep as the model does
/// before the shape is wrong; members nobody reads are skipped by serde_json without recursion,
/// and its recursion limit (128) guards the rest.
#[tokio::test]
async fn deeply_nested_json_is_a_decode_error_not_a_stack_overflow() {
    const DEPTH: usize = 100_000;
    let open = "[".repeat(DEPTH);
    let closed = format!("{open}{}", "]".repeat(DEPTH));
    let objects = format!(
        r#"{{"id":1234,"title":{}1{}}}"#,
        r#"{"a":"#.repeat(DEPTH),
        "}".repeat(DEPTH)
    );
    let envelope = |response: &str| {
        format!(r#"{{"count":1,"status":0,"statusCode":200,"response":{response}}}"#)
    };
    let json = |status: &str, body: String| {
        vec![Step::Write(answer(
            status,
            &["Content-Type: application/json"],
            body,
        ))]
    };
    let server = RawServer::start([
        json("200 OK", envelope(&open)),
        json("200 OK", envelope(&closed)),
        json("200 OK", envelope(&objects)),
        json("500 Internal Server Error", closed.clone()),
        // Deep nesting in a member nobody reads is skipped without recursion.
        json(
            "200 OK",
            DEAL.replacen('{', &format!(r#"{{"junk":{closed},"#), 1),
        ),
    ])
    .await;
    let client = builder(&server)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    for case in ["unclosed arrays", "closed arrays", "objects"] {
        let (err, _) = fails(&client).await;
        match &err {
            Error::Response(ResponseError::Decode {
                format: Format::Json,
                status,
                reason,
                ..
            }) => {
                assert_eq!(*status, 200);
                assert!(!reason.is_empty(), "{case}");
            }
            other => panic!("{case}: unexpected {other:?}"),
        }
        assert_eq!(err.delivery(), Delivery::Answered);
    }
    let (err, _) = fails(&client).await;
    match &err {
        Error::Response(ResponseError::Http {
            status, snippet, ..
        }) => {
            assert_eq!(*status, 500);
            assert!(snippet.as_str().starts_with("[[[["), "{snippet:?}");
        }
        other => panic!("unexpected {other:?}"),
    }
    let deal = client
        .send(&GetOpportunity::new(DEAL_ID))
        .await
        .expect("the deep member is skipped");
    assert_eq!(deal.title, "Hotel catalogue");
    still_works(&client).await;
}

#[tokio::test]
async fn deeply_nested_xml_is_a_decode_error_not_a_stack_overflow() {
    const DEPTH: usize = 100_000;
    let open = "<a>".repeat(DEPTH);
    let closed = format!("{open}{}", "</a>".repeat(DEPTH));
    let xml =
        |inner: &str| format!("<result><status>0</status><response>{inner}</response></result>");
    let server = RawServer::start([open, closed].map(|inner| {
        vec![Step::Write(answer(
            "200 OK",
            &["Content-Type: application/xml"],
            xml(&inner),
        ))]
    }))
    .await;
    let client = builder(&server)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    for case in ["unclosed", "closed"] {
        let (err, _) = fails(&client).await;
        match &err {
            Error::Response(ResponseError::Decode {
                format: Format::Xml,
                status,
                reason,
                ..
            }) => {
                assert_eq!(*status, 200);
                assert!(reason.contains("nest deeper"), "{case}: {reason}");
            }
            other => panic!("{case}: unexpected {other:?}"),
        }
        assert_eq!(err.delivery(), Delivery::Answered);
    }
    still_works(&client).await;
}

#[tokio::test]
async fn a_connection_that_never_opens_is_not_sent() {
    // A listener whose accept queue is full: the kernel drops further SYNs, so connecting
    // hangs without being refused.
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("addr"))
        .expect("bind");
    let listener = socket.listen(0).expect("listen");
    let addr = listener.local_addr().expect("addr");
    let _filler = TcpStream::connect(addr).await.expect("fills the queue");

    let client = Client::builder(format!("http://{addr}/"))
        .token(Token::new("faults-token-0123456789").expect("token"))
        .retry_policy(RetryPolicy::none())
        .timeout(DEADLINE)
        .build()
        .expect("client");
    let started = Instant::now();
    let err = client
        .send(&DeleteOpportunity::new(DEAL_ID))
        .await
        .expect_err("no connection");
    let took = started.elapsed();
    // Nothing was written, so even a DELETE is safe to repeat.
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert_eq!(err.delivery(), Delivery::NotSent);
    assert!(err.is_retryable());
    assert!(err.to_string().contains("no connection within"), "{err}");
    at_the_deadline(took);

    // Once the portal accepts again, the same client works.
    let (_queued, _) = listener.accept().await.expect("the filler");
    let server = RawServer::serve(listener, []);
    still_works(&client).await;
    assert_eq!(server.received().len(), 1, "the DELETE never arrived");
}

#[tokio::test]
async fn a_timed_out_get_is_repeated_and_a_timed_out_delete_is_not() {
    let server = RawServer::start([
        vec![Step::Hold],
        vec![Step::Write(good())],
        vec![Step::Hold],
    ])
    .await;
    // Each attempt may take DEADLINE, the call as a whole three times that.
    let client = builder(&server)
        .retry_policy(
            RetryPolicy::default()
                .max_retries(1)
                .backoff(Duration::from_millis(50), Duration::from_millis(50)),
        )
        .timeout(DEADLINE * 3)
        .attempt_timeout(DEADLINE)
        .build()
        .expect("client");

    let started = Instant::now();
    let deal = client
        .send(&GetOpportunity::new(DEAL_ID))
        .await
        .expect("the second attempt succeeds");
    let took = started.elapsed();
    assert_eq!(deal.id, DEAL_ID);
    assert!(took >= DEADLINE && took < DEADLINE * 2 + MARGIN, "{took:?}");
    assert_eq!(server.received().len(), 2);

    let started = Instant::now();
    let err = client
        .send(&DeleteOpportunity::new(DEAL_ID))
        .await
        .expect_err("times out");
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(err.delivery(), Delivery::MaybeSent);
    at_the_deadline(started.elapsed());
    let received = server.received();
    assert_eq!(received.len(), 3, "the DELETE was not repeated");
    assert_eq!(received[2].method(), "DELETE");
    still_works(&client).await;
}

/// `data` gzip-compressed.
fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("compress");
    encoder.finish().expect("compress")
}

#[tokio::test]
async fn a_gzip_answer_is_decoded_and_a_decompression_bomb_is_refused() {
    let headers = [
        "Content-Type: application/json; charset=utf-8",
        "Content-Encoding: gzip",
    ];
    // 8 MiB of spaces before the envelope compress to about 8 KiB, far below the 1 MiB cap.
    let mut bomb = vec![b' '; 8 << 20];
    bomb.extend_from_slice(DEAL.as_bytes());
    let server = RawServer::start([
        vec![Step::Write(answer(
            "200 OK",
            &headers,
            gzip(DEAL.as_bytes()),
        ))],
        vec![Step::Write(answer("200 OK", &headers, gzip(&bomb)))],
        vec![Step::Write(answer(
            "200 OK",
            &["Content-Type: application/json", "Content-Encoding: br"],
            "\u{1b}\u{3}",
        ))],
    ])
    .await;
    let client = builder(&server)
        .max_response_bytes(1 << 20)
        .build()
        .expect("client");
    let deal = client
        .send(&GetOpportunity::new(DEAL_ID))
        .await
        .expect("decoded");
    assert_eq!(deal.title, "Hotel catalogue");
    assert_eq!(
        server.received()[0].header("accept-encoding"),
        Some("gzip, deflate")
    );

    let (err, took) = fails(&client).await;
    assert!(
        matches!(err, Error::BodyTooLarge { limit, .. } if limit == 1 << 20),
        "{err:?}"
    );
    assert_eq!(err.delivery(), Delivery::Answered);
    in_time(took);

    let (err, _) = fails(&client).await;
    assert!(
        matches!(&err, Error::ContentEncoding { encoding, .. } if encoding == "br"),
        "{err:?}"
    );
    still_works(&client).await;
}
