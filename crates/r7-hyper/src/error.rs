//! [`Error`]: what can go wrong with one call, and whether the request reached the portal.

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;
use r7_proto::{ApiError, BodySnippet, BuildError, ResponseError};

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
    /// No connection to the portal could be made (refused, unreachable, TLS handshake failed,
    /// or none within the deadline); nothing was sent.
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
    /// The call's deadline (or the per-attempt timeout) passed before a complete response
    /// arrived. With `attempts` 0 it passed while the client was signing in, before the request
    /// was sent.
    #[error("{}", describe_timeout(*timeout, *attempts))]
    Timeout {
        /// The deadline or per-attempt timeout that passed.
        timeout: Duration,
        /// How many times the request was sent, the last one included.
        attempts: u32,
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
    /// Signing in failed, so the call itself was not sent. The error is the sign-in's, shared
    /// by every call that waited for that sign-in. A sign-in the portal refused (wrong password,
    /// second factor) is not tried again for a short while: calls in that time get the same
    /// error at once, so that a busy program cannot lock the account out.
    #[error("request not sent: signing in failed: {0}")]
    SignIn(Arc<Error>),
    /// Walking the pages of a list stopped because the portal (or a cache in front of it)
    /// made no progress: it answered another offset than the one asked for, or the same items
    /// again, so the walk would never end.
    #[error("paging stopped at startIndex {start_index}: {problem}")]
    Paging {
        /// The offset that was asked for.
        start_index: u64,
        /// What was wrong with the answer.
        problem: &'static str,
    },
    /// The portal answered, with an error or with something that is not the expected value.
    #[error(transparent)]
    Response(#[from] ResponseError),
}

fn describe_timeout(timeout: Duration, attempts: u32) -> String {
    let ms = timeout.as_millis();
    match attempts {
        0 => format!(
            "the call's deadline of {ms} ms passed while signing in; the request was not sent"
        ),
        1 => {
            format!("no complete response within {ms} ms; the request may have reached the portal")
        }
        n => format!(
            "no complete response within {ms} ms, after {n} attempts; the request may have reached the portal"
        ),
    }
}

impl Error {
    /// Whether the request reached the portal.
    pub fn delivery(&self) -> Delivery {
        match self {
            Error::Build(_) | Error::Connect { .. } | Error::SignIn(_) => Delivery::NotSent,
            Error::Timeout { attempts: 0, .. } => Delivery::NotSent,
            Error::Transport { .. } | Error::Timeout { .. } => Delivery::MaybeSent,
            Error::BodyTooLarge { .. }
            | Error::Response(_)
            | Error::SecondFactorRequired
            | Error::Paging { .. } => Delivery::Answered,
        }
    }

    /// The HTTP status of the portal's answer, if it answered (for [`Error::SignIn`], the
    /// answer to the sign-in).
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Response(e) => Some(e.status()),
            Error::BodyTooLarge { status, .. } => Some(*status),
            Error::SignIn(e) => e.status(),
            _ => None,
        }
    }

    /// The portal's error envelope, if it sent one (for [`Error::SignIn`], the sign-in's, such
    /// as 500 `User authentication failed`).
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Response(e) => e.api(),
            Error::SignIn(e) => e.api(),
            _ => None,
        }
    }

    /// The error of the failed sign-in, when the call was not sent because signing in failed.
    pub fn sign_in_error(&self) -> Option<&Error> {
        match self {
            Error::SignIn(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the portal reports that the object does not exist (or is hidden from the caller):
    /// HTTP 404, or an error envelope whose `statusCode` is 404 whatever the HTTP status.
    pub fn is_not_found(&self) -> bool {
        !matches!(self, Error::SignIn(_))
            && (self.status() == Some(StatusCode::NOT_FOUND)
                || self.api().and_then(|api| api.status_code) == Some(404))
    }

    /// Whether repeating the request is safe whatever its method: it never reached the portal
    /// (no connection), or the portal's rate limiter refused it before it ran (HTTP 503 with
    /// `Retry-After`; wait that long first).
    ///
    /// A call whose sign-in failed was not sent either; it counts as retryable when the
    /// sign-in failed on the way (no connection, a timeout, a proxy), not when the portal
    /// refused the credentials.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Connect { .. } | Error::Response(ResponseError::RateLimited { .. }) => true,
            Error::SignIn(e) => e.is_retryable_if_idempotent(),
            _ => false,
        }
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

/// What stands in for a secret in an error.
const REDACTED: &str = "<redacted>";

/// Secrets shorter than this are not searched for: they cannot be told from ordinary words of a
/// message, and real portal tokens are far longer.
const MIN_SECRET_CHARS: usize = 6;

/// Removes `secrets` (the token, the password) from an error made from the portal's answer
/// `body`, and, when the endpoint is `sensitive` (its answer carries credentials), the
/// decoder's reason, which may quote the answer.
pub(crate) fn redact(
    error: ResponseError,
    sensitive: bool,
    secrets: &[&str],
    body: &[u8],
) -> ResponseError {
    let secrets: Vec<&str> = secrets
        .iter()
        .copied()
        .filter(|s| s.chars().count() >= MIN_SECRET_CHARS)
        .collect();
    let scrub = |text: &mut String| {
        for secret in &secrets {
            if text.contains(secret) {
                *text = text.replace(secret, REDACTED);
            }
        }
    };
    match error {
        ResponseError::Http {
            status,
            content_type,
            snippet,
        } => {
            // The snippet of an answer that carries credentials is withheld already.
            let snippet = if !sensitive && secrets.iter().any(|s| contains(body, s.as_bytes())) {
                let mut cleaned = body.to_vec();
                for secret in &secrets {
                    cleaned = replace(&cleaned, secret.as_bytes(), REDACTED.as_bytes());
                }
                BodySnippet::new(&cleaned)
            } else {
                snippet
            };
            let mut content_type = content_type;
            scrub(&mut content_type);
            ResponseError::Http {
                status,
                content_type,
                snippet,
            }
        }
        ResponseError::Api(mut api) => {
            for text in [&mut api.message, &mut api.kind].into_iter().flatten() {
                scrub(text);
            }
            ResponseError::Api(api)
        }
        ResponseError::RateLimited {
            retry_after,
            mut message,
        } => {
            if let Some(text) = &mut message {
                scrub(text);
            }
            ResponseError::RateLimited {
                retry_after,
                message,
            }
        }
        ResponseError::Decode {
            format,
            status,
            mut path,
            mut reason,
        } => {
            if sensitive {
                reason = "the answer does not have the expected form (details withheld: it \
                          carries credentials)"
                    .to_owned();
            } else {
                scrub(&mut reason);
            }
            if let Some(text) = &mut path {
                scrub(text);
            }
            ResponseError::Decode {
                format,
                status,
                path,
                reason,
            }
        }
        other => other,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// `haystack` with every occurrence of `needle` replaced by `with`.
fn replace(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    if needle.is_empty() {
        return haystack.to_vec();
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = rest.windows(needle.len()).position(|w| w == needle) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(with);
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_every_occurrence_and_nothing_else() {
        assert_eq!(replace(b"xSECRETySECRET", b"SECRET", b"<r>"), b"x<r>y<r>");
        assert_eq!(replace(b"abc", b"", b"<r>"), b"abc");
        assert_eq!(replace(b"SECRE", b"SECRET", b"<r>"), b"SECRE");
        assert!(contains(b"a SECRET b", b"SECRET"));
        assert!(!contains(b"abc", b""));
    }

    #[test]
    fn short_secrets_are_left_alone() {
        let error = ResponseError::Http {
            status: StatusCode::BAD_GATEWAY,
            content_type: "text/html".into(),
            snippet: BodySnippet::new(b"Bad Gateway"),
        };
        let redacted = redact(error, false, &["a"], b"Bad Gateway");
        assert!(redacted.to_string().contains("Bad Gateway"), "{redacted}");
    }
}
