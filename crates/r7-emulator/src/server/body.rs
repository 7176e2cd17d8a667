//! The response body: sent whole, generated as padding, or stalled half-way for fault injection.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Frame, SizeHint};

/// What padding is cut from, so a large body never has to be held in memory.
static PADDING: [u8; 16 * 1024] = [b'x'; 16 * 1024];

/// The body of every response.
pub(crate) struct Body {
    kind: Kind,
}

enum Kind {
    /// The whole body in one frame (taken when sent).
    Whole(Option<Bytes>),
    /// `head`, then `padding` bytes of `x`, then `tail`.
    Padded {
        head: Option<Bytes>,
        padding: usize,
        tail: Option<Bytes>,
    },
    /// `first`, then nothing until `released` completes, then an error that makes hyper drop
    /// the connection. `promised` is what the `Content-Length` says.
    Stalled {
        first: Option<Bytes>,
        promised: u64,
        released: Pin<Box<dyn Future<Output = ()> + Send>>,
    },
}

impl Body {
    /// A body sent in one piece.
    pub(crate) fn full(bytes: impl Into<Bytes>) -> Self {
        Body {
            kind: Kind::Whole(Some(bytes.into())),
        }
    }

    /// `head`, `padding` bytes of ASCII `x`, then `tail`, produced in chunks as hyper asks.
    pub(crate) fn padded(head: Bytes, padding: usize, tail: Bytes) -> Self {
        Body {
            kind: Kind::Padded {
                head: Some(head),
                padding,
                tail: Some(tail),
            },
        }
    }

    /// The first half of `self` (rounded down), after which the body neither ends nor sends
    /// more until `released` completes; then it fails, which makes hyper close the connection.
    /// Its size hint stays the full length, so the `Content-Length` hyper writes promises the
    /// whole body.
    pub(crate) fn stalled(self, released: impl Future<Output = ()> + Send + 'static) -> Self {
        let whole = self.into_bytes();
        let promised = whole.len() as u64;
        let first = whole.slice(..whole.len() / 2);
        Body {
            kind: Kind::Stalled {
                first: Some(first),
                promised,
                released: Box::pin(released),
            },
        }
    }

    /// Every byte the body would still send, collected; a stalled body gives what it sends
    /// before it stalls.
    pub(crate) fn into_bytes(self) -> Bytes {
        match self.kind {
            Kind::Whole(bytes) => bytes.unwrap_or_default(),
            Kind::Padded {
                head,
                padding,
                tail,
            } => {
                let head = head.unwrap_or_default();
                let tail = tail.unwrap_or_default();
                let mut out = Vec::with_capacity(head.len() + padding + tail.len());
                out.extend_from_slice(&head);
                out.resize(head.len() + padding, b'x');
                out.extend_from_slice(&tail);
                out.into()
            }
            Kind::Stalled { first, .. } => first.unwrap_or_default(),
        }
    }

    /// How many bytes are still to come, if that is known.
    fn remaining(&self) -> u64 {
        let len = |b: &Option<Bytes>| b.as_ref().map_or(0, |b| b.len() as u64);
        match &self.kind {
            Kind::Whole(bytes) => len(bytes),
            Kind::Padded {
                head,
                padding,
                tail,
            } => len(head) + *padding as u64 + len(tail),
            Kind::Stalled { promised, .. } => *promised,
        }
    }
}

impl Default for Body {
    /// An empty body.
    fn default() -> Self {
        Body::full(Bytes::new())
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            Kind::Whole(_) => "Whole",
            Kind::Padded { .. } => "Padded",
            Kind::Stalled { .. } => "Stalled",
        };
        f.debug_struct("Body")
            .field("kind", &kind)
            .field("remaining", &self.remaining())
            .finish()
    }
}

fn data(bytes: Bytes) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
    Poll::Ready(Some(Ok(Frame::data(bytes))))
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        match &mut this.kind {
            Kind::Whole(bytes) => match bytes.take() {
                Some(bytes) if !bytes.is_empty() => data(bytes),
                _ => Poll::Ready(None),
            },
            Kind::Padded {
                head,
                padding,
                tail,
            } => {
                if let Some(bytes) = head.take().filter(|b| !b.is_empty()) {
                    return data(bytes);
                }
                if *padding > 0 {
                    let n = (*padding).min(PADDING.len());
                    *padding -= n;
                    return data(Bytes::from_static(&PADDING[..n]));
                }
                match tail.take() {
                    Some(bytes) if !bytes.is_empty() => data(bytes),
                    _ => Poll::Ready(None),
                }
            }
            Kind::Stalled {
                first,
                promised,
                released,
            } => {
                if let Some(bytes) = first.take() {
                    *promised -= bytes.len() as u64;
                    if !bytes.is_empty() {
                        return data(bytes);
                    }
                }
                match released.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "the emulator is shutting down; the stalled body is abandoned",
                    )))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Stalled { .. } => false,
            _ => self.remaining() == 0,
        }
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn padded_bodies_have_the_exact_length() {
        let body = Body::padded(Bytes::from_static(b"<"), 40_000, Bytes::from_static(b">"));
        assert_eq!(hyper::body::Body::size_hint(&body).exact(), Some(40_002));
        let bytes = body.collect().await.unwrap().to_bytes();
        assert_eq!(bytes.len(), 40_002);
        assert!(bytes.starts_with(b"<xx") && bytes.ends_with(b"xx>"));
    }

    #[test]
    fn a_stalled_body_promises_everything_and_sends_half() {
        let body = Body::full(Bytes::from_static(b"0123456789")).stalled(std::future::pending());
        assert_eq!(hyper::body::Body::size_hint(&body).exact(), Some(10));
        assert!(!hyper::body::Body::is_end_stream(&body));
        assert_eq!(body.into_bytes(), Bytes::from_static(b"01234"));
    }

    #[tokio::test]
    async fn a_stalled_body_fails_once_released() {
        let mut body = Body::full(Bytes::from_static(b"abcd")).stalled(async {});
        let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
        assert_eq!(first, Bytes::from_static(b"ab"));
        assert!(body.frame().await.unwrap().is_err());
    }
}
