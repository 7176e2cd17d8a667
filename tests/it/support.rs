//! Helpers shared by the test modules.

use std::io::Write;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

/// Reads a fixture file below `tests/fixtures/`.
pub(crate) fn fixture(path: &str) -> Bytes {
    let full = format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full)
        .unwrap_or_else(|e| panic!("cannot read fixture {full}: {e}"))
        .into()
}

/// An HTTP response with a status, an optional content type and a body.
pub(crate) fn response(
    status: u16,
    content_type: Option<&str>,
    body: impl Into<Bytes>,
) -> http::Response<Bytes> {
    let mut builder = http::Response::builder().status(status);
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    builder.body(body.into()).expect("valid response")
}

/// A `tracing` writer that keeps everything in memory.
#[derive(Clone, Default)]
pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Asserts that `endpoint` goes on the wire as `expected` (`METHOD path?query` after the portal
/// address, JSON form) with the form `body`: what the spec's examples say.
pub(crate) fn assert_request<E: r7_proto::Endpoint>(
    endpoint: &E,
    expected: &str,
    body: Option<&str>,
) {
    let base = r7_proto::BaseUrl::parse("https://portal.example.com/").expect("base");
    let token = r7_proto::Token::new("token").expect("token");
    let context = r7_proto::RequestContext::new(&base, Some(&token));
    let request = r7_proto::build_request(endpoint, &context).expect("the request builds");
    let target = request
        .uri()
        .path_and_query()
        .map_or("", |p| p.as_str())
        .trim_start_matches('/');
    assert_eq!(format!("{} {target}", request.method()), expected);
    let sent = std::str::from_utf8(request.body()).expect("a form body is ASCII");
    assert_eq!(
        (!sent.is_empty()).then_some(sent),
        body,
        "the body of {expected}"
    );
}

/// Asserts that the fixture `path` (below `tests/fixtures/`), answered with `status`, decodes as
/// `E`'s output.
pub(crate) fn assert_decodes<E: r7_proto::Endpoint>(_: &E, status: u16, path: &str) {
    let content_type = if path.ends_with(".xml") {
        "text/xml; charset=utf-8"
    } else {
        "application/json; charset=utf-8"
    };
    let answer = response(status, Some(content_type), fixture(path));
    if let Err(e) = r7_proto::parse_response::<E>(&answer) {
        panic!("{path} does not decode: {e}");
    }
}

/// A fresh emulated portal with its seed, and a client signed in to it that asks for `format`.
pub(crate) async fn emulated(
    format: r7_proto::Format,
) -> (r7_emulator::Emulator, r7_hyper::Client) {
    let emulator = r7_emulator::Emulator::start(r7_emulator::Config::default())
        .await
        .expect("emulator starts");
    let client = r7_hyper::Client::builder(emulator.base_url())
        .token(r7_proto::Token::new(emulator.token()).expect("token"))
        .format(format)
        .build()
        .expect("client");
    (emulator, client)
}

/// Sends `endpoint` to a fresh emulated portal in each format, and requires it to succeed with
/// its declared output, or, for an example whose `status` is an error, to fail with that
/// status: the spec's example is one the emulator answers as the server would.
pub(crate) async fn assert_emulated<E: r7_proto::Endpoint>(endpoint: &E, status: u16) {
    for format in [r7_proto::Format::Json, r7_proto::Format::Xml] {
        let (emulator, client) = emulated(format).await;
        let answer = client.send(endpoint).await;
        if status >= 400 {
            let got = answer
                .as_ref()
                .err()
                .and_then(|e| e.api())
                .map(|a| a.status.as_u16());
            assert_eq!(
                got,
                Some(status),
                "{} ({format:?})",
                endpoint.path_template()
            );
        } else if let Err(e) = answer {
            panic!("{} ({format:?}): {e}", endpoint.path_template());
        }
        emulator.shutdown().await;
    }
}

/// The error's HTTP status and message, for a call that must fail.
pub(crate) fn refused<T: std::fmt::Debug>(result: Result<T, r7_hyper::Error>) -> (u16, String) {
    let error = result.expect_err("the portal refuses it");
    let api = error
        .api()
        .unwrap_or_else(|| panic!("an API error: {error}"));
    (api.status.as_u16(), api.message.clone().unwrap_or_default())
}

/// Deletes the entries `ids` of a list with `delete`, then finds that `last`, the list's last
/// entry, cannot be: the server's 400 with `message`.
pub(crate) async fn delete_down_to_the_last<E>(
    client: &r7_hyper::Client,
    delete: impl Fn(i64) -> E,
    ids: &[i64],
    last: i64,
    message: &str,
) where
    E: r7_proto::Endpoint,
    E::Output: std::fmt::Debug,
{
    for id in ids {
        if let Err(e) = client.send(&delete(*id)).await {
            panic!("{id} is not deleted: {e}");
        }
    }
    let (status, refusal) = refused(client.send(&delete(last)).await);
    assert_eq!((status, refusal.as_str()), (400, message));
}
