//! [`Error`]: what can go wrong with one call, and whether the request reached the portal.

use std::error::Error as StdError;
use std::time::Duration;

use http::StatusCode;
use r7_proto::{ApiError, BuildError, ResponseError};

/// A boxed error from the HTTP stack.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// How far a failed call got. Decides whether repeating it is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// The request never left the client (invalid input, no connection): repeating is safe.
    NotSent,
    /// The request may have reached the portal and may have taken effect (connection lost,
    /// deadline passed): repeat only what is idempotent.
    MaybeSent,
    /// The portal answered; the answer is in the error.
    Answered,
}

/// The error of [`crate::Client::send`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be built from the endpoint's parameters; nothing was sent.
    #[error("request not sent: {0}")]
    Build(#[from] BuildError),
    /// No connection to the portal could be made; nothing was sent.
    #[error("request not sent: could not connect to the portal: {}", chain(source.as_ref()))]
    Connect {
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// The connection failed after the request may have been sent.
    #[error("the request failed in transit and may have reached the portal: {}", chain(source.as_ref()))]
    Transport {
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// No complete response arrived within the deadline, which covers sending the request and
    /// reading the whole body.
    #[error("no complete response within {} ms; the request may have reached the portal", timeout.as_millis())]
    Timeout {
        /// The deadline that passed.
        timeout: Duration,
    },
    /// The response body is larger than the client's limit; it was not read to the end.
    #[error("the portal's response (HTTP {status}) is larger than the {limit}-byte limit")]
    BodyTooLarge {
        /// The HTTP status of the response.
        status: StatusCode,
        /// The limit, in bytes.
        limit: usize,
    },
    /// Signing in needs a second factor (an SMS or app code), which this client cannot give;
    /// build the client with a token instead.
    #[error(
        "the portal requires a second factor (SMS or app code) to sign in; use a token instead"
    )]
    SecondFactorRequired,
    /// The portal answered, with an error or with something that is not the expected value.
    #[error(transparent)]
    Response(#[from] ResponseError),
}

impl Error {
    /// Whether the request reached the portal.
    pub fn delivery(&self) -> Delivery {
        match self {
            Error::Build(_) | Error::Connect { .. } => Delivery::NotSent,
            Error::Transport { .. } | Error::Timeout { .. } => Delivery::MaybeSent,
            Error::BodyTooLarge { .. } | Error::Response(_) | Error::SecondFactorRequired => {
                Delivery::Answered
            }
        }
    }

    /// The HTTP status of the portal's answer, if it answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Response(e) => Some(e.status()),
            Error::BodyTooLarge { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The portal's error envelope, if it sent one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Response(e) => e.api(),
            _ => None,
        }
    }

    /// Whether the portal reports that the object does not exist (or is hidden from the caller).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Whether repeating the request is safe whatever its method: it never reached the portal
    /// (no connection), or the portal's rate limiter refused it before it ran (HTTP 503 with
    /// `Retry-After`; wait that long first).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::Connect { .. } | Error::Response(ResponseError::RateLimited { .. })
        )
    }

    /// Whether repeating could succeed, although the failed attempt may have taken effect (lost
    /// in transit, timed out, or a 502/504 from a proxy): repeat only idempotent requests such
    /// as a GET. Includes everything [`Error::is_retryable`] accepts.
    pub fn is_retryable_if_idempotent(&self) -> bool {
        self.is_retryable()
            || matches!(self, Error::Transport { .. } | Error::Timeout { .. })
            || matches!(
                self.status(),
                Some(StatusCode::BAD_GATEWAY | StatusCode::GATEWAY_TIMEOUT)
            )
    }

    /// Whether the portal refused the token (HTTP 401): sign in again.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Error::Response(ResponseError::Unauthorized))
    }
}

/// The messages of an error and its sources on one line, without repeats.
fn chain(error: &(dyn StdError + 'static)) -> String {
    let mut out = error.to_string();
    let mut next = error.source();
    while let Some(source) = next {
        let text = source.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = source.source();
    }
    out
}
