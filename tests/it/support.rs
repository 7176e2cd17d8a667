//! Helpers shared by the test modules.

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
