//! Typed errors of building requests and reading responses.

use std::fmt;
use std::time::Duration;

use http::StatusCode;

use crate::Format;

/// A request that could not be built; nothing was sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A parameter has a value the server would refuse.
    #[error("invalid argument `{name}`: {reason}")]
    InvalidArgument {
        /// The parameter's wire name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The endpoint needs a token and none was given.
    #[error("this endpoint requires authentication, but no token was given")]
    MissingToken,
    /// The request body could not be encoded.
    #[error("could not encode the request body: {0}")]
    Body(String),
    /// The pieces did not make a valid HTTP request.
    #[error("could not assemble the HTTP request: {0}")]
    Http(#[from] http::Error),
}

/// The error envelope of a failed call, as the server sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe_api_error(self))]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status of the response.
    pub status: StatusCode,
    /// The envelope's `statusCode`, when present (normally equal to `status`).
    pub status_code: Option<i64>,
    /// The server's message (`error.message`), e.g. `Not found`.
    pub message: Option<String>,
    /// The .NET exception type (`error.type`); only debug builds of the server send it.
    pub kind: Option<String>,
    /// The .NET HResult (`error.hresult`).
    pub hresult: Option<i64>,
}

fn describe_api_error(e: &ApiError) -> String {
    let message = e
        .message
        .as_deref()
        .map(clip)
        .unwrap_or_else(|| "(no message)".into());
    format!("the portal answered HTTP {}: {message}", e.status)
}

fn clip(text: &str) -> String {
    const MAX: usize = 300;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// A response that is not the successful envelope of the expected value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// HTTP 401: the token is missing, wrong or expired. Sign in again and repeat the call.
    #[error("the portal refused the credentials (HTTP 401 Unauthorized); sign in again")]
    Unauthorized,
    /// HTTP 503 (the portal's own rate limiter) or 429 (a proxy in front of it) with
    /// `Retry-After`: the call was refused before it ran, so it is safe to repeat after the
    /// delay.
    #[error("the portal is rate limiting requests (HTTP {status}); retry after {}", describe_delay(*retry_after))]
    RateLimited {
        /// The HTTP status: 503 or 429.
        status: StatusCode,
        /// The delay from `Retry-After`, when it was given in seconds.
        retry_after: Option<Duration>,
        /// The server's message, if it sent an envelope.
        message: Option<String>,
    },
    /// The server answered with its error envelope (404 not found, 400 bad argument,
    /// 403 access denied, 500, ...), or with `status: 1` in a 2xx response.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The body is not an API envelope: an HTML page from a proxy, an empty body, plain text.
    #[error(
        "the portal answered HTTP {status} with a body that is not an API response ({content_type}){snippet}"
    )]
    Http {
        /// The HTTP status.
        status: StatusCode,
        /// The response's `Content-Type`, or `no content type`.
        content_type: String,
        /// The start of the body.
        snippet: BodySnippet,
    },
    /// The `charset` of the response's `Content-Type` names a character set this client does
    /// not know, so the body cannot be read as text. The portal writes UTF-8 unless a proxy or
    /// its configuration changes that; setting it back to UTF-8 fixes this.
    #[error(
        "the portal answered HTTP {status} in the character set `{charset}`, which this client does not know; configure the portal to answer in UTF-8"
    )]
    Charset {
        /// The HTTP status.
        status: StatusCode,
        /// The `charset` label as the server sent it (at most 40 characters).
        charset: String,
    },
    /// The body is an envelope, but its value does not have the expected shape.
    #[error("could not decode the {format} response (HTTP {status}){}: {reason}", describe_path(path.as_deref()))]
    Decode {
        /// The format that was decoded.
        format: Format,
        /// The HTTP status.
        status: StatusCode,
        /// Where in the document decoding failed, e.g. `response.stage.stageType`, when known.
        path: Option<String>,
        /// What was wrong there.
        reason: String,
    },
}

fn describe_path(path: Option<&str>) -> String {
    path.map(|p| format!(" at `{p}`")).unwrap_or_default()
}

fn describe_delay(delay: Option<Duration>) -> String {
    match delay {
        Some(d) => format!("{} s", d.as_secs()),
        None => "the delay the portal asks for".to_owned(),
    }
}

impl ResponseError {
    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        match self {
            ResponseError::Unauthorized => StatusCode::UNAUTHORIZED,
            ResponseError::RateLimited { status, .. } => *status,
            ResponseError::Api(e) => e.status,
            ResponseError::Http { status, .. }
            | ResponseError::Charset { status, .. }
            | ResponseError::Decode { status, .. } => *status,
        }
    }

    /// The server's error envelope, if it sent one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            ResponseError::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the server reports that the object does not exist (or is not visible to the caller).
    pub fn is_not_found(&self) -> bool {
        self.status() == StatusCode::NOT_FOUND
    }
}

/// The first bytes of a response body, kept for diagnostics.
///
/// At most [`BodySnippet::MAX_CHARS`] characters, on one line; `Display` prints it after a
/// separator. Bodies of sensitive endpoints are never kept.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct BodySnippet {
    text: String,
    truncated: bool,
}

impl BodySnippet {
    /// The most characters a snippet keeps.
    pub const MAX_CHARS: usize = 160;

    /// Keeps the start of `body`, with whitespace runs folded to one space and control
    /// characters replaced.
    pub fn new(body: &[u8]) -> Self {
        let head = &body[..body.len().min(Self::MAX_CHARS * 4)];
        let lossy = String::from_utf8_lossy(head);
        let mut text = String::new();
        let mut chars = 0;
        let mut truncated = body.len() > head.len();
        let mut last_space = true;
        for c in lossy.chars() {
            if chars == Self::MAX_CHARS {
                truncated = true;
                break;
            }
            let c = if c.is_whitespace() {
                if last_space {
                    continue;
                }
                ' '
            } else if c.is_control() {
                '\u{FFFD}'
            } else {
                c
            };
            last_space = c == ' ';
            text.push(c);
            chars += 1;
        }
        BodySnippet {
            text: text.trim_end().to_owned(),
            truncated,
        }
    }

    /// The same snippet with its text replaced by `text` (cut to [`BodySnippet::MAX_CHARS`]),
    /// still marked as cut if it was: for a transport that removes secrets from it.
    pub fn with_text(&self, text: &str) -> Self {
        let mut snippet = BodySnippet::new(text.as_bytes());
        snippet.truncated |= self.truncated;
        snippet
    }

    /// A snippet that says the body was withheld (sensitive endpoints).
    pub fn redacted() -> Self {
        BodySnippet {
            text: "<redacted>".to_owned(),
            truncated: false,
        }
    }

    /// The kept text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the body was longer than the snippet.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }
}

impl fmt::Display for BodySnippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.text.is_empty() {
            return f.write_str(", empty body");
        }
        write!(
            f,
            ": \"{}{}\"",
            self.text,
            if self.truncated { "…" } else { "" }
        )
    }
}

impl fmt::Debug for BodySnippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "BodySnippet({:?}{})",
            self.text,
            if self.truncated { "…" } else { "" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_short_and_on_one_line() {
        let html = format!("<html>\n  <body>\r\n\t{}</body></html>", "x".repeat(10_000));
        let s = BodySnippet::new(html.as_bytes());
        assert!(s.as_str().starts_with("<html> <body> xxx"));
        assert_eq!(s.as_str().chars().count(), BodySnippet::MAX_CHARS);
        assert!(s.is_truncated());
        assert!(!s.to_string().contains('\n'));
        assert_eq!(BodySnippet::new(b"").to_string(), ", empty body");
        assert_eq!(
            BodySnippet::new(b"Unauthorized").to_string(),
            ": \"Unauthorized\""
        );
        assert_eq!(
            BodySnippet::new(b"\xff\x00ok").as_str(),
            "\u{FFFD}\u{FFFD}ok"
        );
    }
}
