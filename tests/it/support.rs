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
