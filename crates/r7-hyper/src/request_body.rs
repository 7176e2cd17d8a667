//! [`RequestBody`]: a request body that tells whether hyper began to write the request.
//!
//! When a call's time runs out, the verdict "nothing was sent" (safe to repeat, whatever the
//! method) needs to know whether the request reached a connection. hyper's HTTP/1 client first
//! touches a request's body (`is_end_stream`, then `size_hint` or `poll_frame`) in the
//! connection's dispatcher, right before it writes the request head; the pool and the connector
//! never do. So a flag set by those calls says exactly that writing began. hyper-util's
//! `capture_connection` would say the same a moment earlier, but costs a `watch` channel and an
//! extensions map per request, about 5 % of a whole call on loopback.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Body, Frame, SizeHint};

/// A whole request body in memory, with a flag raised when the connection starts on it.
pub(crate) struct RequestBody {
    bytes: Full<Bytes>,
    writing: Arc<AtomicBool>,
}

/// Whether writing the request began: read once the call is over or its time ran out.
#[derive(Clone)]
pub(crate) struct Writing(Arc<AtomicBool>);

impl Writing {
    pub(crate) fn began(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

impl RequestBody {
    pub(crate) fn new(bytes: Bytes) -> (Self, Writing) {
        let writing = Arc::new(AtomicBool::new(false));
        let body = RequestBody {
            bytes: Full::new(bytes),
            writing: Arc::clone(&writing),
        };
        (body, Writing(writing))
    }

    fn mark(&self) {
        self.writing.store(true, Ordering::Release);
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.mark();
        Pin::new(&mut self.bytes).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.mark();
        self.bytes.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.mark();
        self.bytes.size_hint()
    }
}
