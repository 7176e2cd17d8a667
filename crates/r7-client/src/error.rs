//! [`Error`]: what can go wrong with one call, and whether the request reached the portal.

use std::error::Error as StdError;
use std::sync::Arc;
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

/// The error of a client's `send`.
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
    /// The answer came in a content coding the client cannot undo (it asks for gzip or
    /// deflate), or its compressed bytes are broken.
    #[error("the portal's answer (HTTP {status}) is `{encoding}`-encoded, which {problem}")]
    ContentEncoding {
        /// The HTTP status of the answer.
        status: StatusCode,
        /// The coding named by `Content-Encoding`.
        encoding: String,
        /// What went wrong.
        problem: String,
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
            "the call's deadline of {ms} ms passed before the request could be sent (signing in \
             takes part of it); the request was not sent"
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
            | Error::ContentEncoding { .. }
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
            Error::BodyTooLarge { status, .. } | Error::ContentEncoding { status, .. } => {
                Some(*status)
            }
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
    /// (no connection), or the portal's rate limiter refused it before it ran (HTTP 503, or
    /// 429, with `Retry-After`; wait that long first).
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

/// The shortest piece of a secret that is redacted on its own: error messages quote cut-off
/// values (the XML decoder keeps 64 characters, snippets 160), so a secret may appear only in
/// part. Shorter pieces cannot be told from ordinary text.
pub const MIN_FRAGMENT_BYTES: usize = 8;

/// Removes `secrets` (the token, the password) from an error made from the portal's answer,
/// and, when the endpoint is `sensitive` (its answer carries credentials), the
/// decoder's reason, which may quote the answer.
///
/// Every piece of a secret of [`MIN_FRAGMENT_BYTES`] or more is redacted, as written or as the
/// decoders and the server escape it (`\"`, `\\`, `\/`, `&amp;`, ...), wherever an error
/// quotes the answer: its snippet, content type, message, type, decode reason and path.
pub fn redact(error: ResponseError, sensitive: bool, secrets: &[&str]) -> ResponseError {
    let redactor = Redactor::new(secrets);
    if redactor.is_empty() && !sensitive {
        return error;
    }
    let scrub = |text: &mut String| redactor.scrub_text(text);
    match error {
        ResponseError::Http {
            status,
            content_type,
            snippet,
        } => {
            // Scrubbed as shown, after any transcoding: a piece of a secret that the snippet's
            // end cut is still a piece. (The snippet of an answer that carries credentials is
            // withheld already.)
            let mut text = snippet.as_str().to_owned();
            redactor.scrub_text(&mut text);
            let snippet = if text == snippet.as_str() {
                snippet
            } else {
                snippet.with_text(&text)
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
            status,
            retry_after,
            mut message,
        } => {
            if let Some(text) = &mut message {
                scrub(text);
            }
            ResponseError::RateLimited {
                status,
                retry_after,
                message,
            }
        }
        ResponseError::Charset {
            status,
            mut charset,
        } => {
            scrub(&mut charset);
            ResponseError::Charset { status, charset }
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

/// Finds the pieces of secrets in text: every run of [`MIN_FRAGMENT_BYTES`] bytes of a secret,
/// in each of the forms it may be written in.
struct Redactor {
    /// Every window of [`MIN_FRAGMENT_BYTES`] bytes of every form of every secret, and every
    /// secret shorter than that whole.
    pieces: std::collections::HashSet<Vec<u8>>,
    /// The lengths in `pieces`, longest first.
    lengths: Vec<usize>,
}

impl Redactor {
    fn new(secrets: &[&str]) -> Self {
        let mut pieces = std::collections::HashSet::new();
        for secret in secrets
            .iter()
            .filter(|s| s.chars().count() >= MIN_SECRET_CHARS)
        {
            for form in written_forms(secret) {
                let form = form.into_bytes();
                if form.len() < MIN_FRAGMENT_BYTES {
                    pieces.insert(form);
                } else {
                    for window in form.windows(MIN_FRAGMENT_BYTES) {
                        pieces.insert(window.to_vec());
                    }
                }
            }
        }
        let mut lengths: Vec<usize> = pieces.iter().map(Vec::len).collect();
        lengths.sort_unstable_by(|a, b| b.cmp(a));
        lengths.dedup();
        Redactor { pieces, lengths }
    }

    fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// `text` with every run covered by pieces of secrets replaced by [`REDACTED`], widened to
    /// whole UTF-8 characters.
    fn scrub(&self, text: &[u8]) -> Vec<u8> {
        let mut covered: Vec<(usize, usize)> = Vec::new();
        for &len in &self.lengths {
            for (at, window) in text.windows(len).enumerate() {
                if self.pieces.contains(window) {
                    match covered.last_mut() {
                        Some((_, end)) if at <= *end => *end = (*end).max(at + len),
                        _ => covered.push((at, at + len)),
                    }
                }
            }
        }
        if covered.is_empty() {
            return text.to_vec();
        }
        covered.sort_unstable();
        let mut out = Vec::with_capacity(text.len());
        let mut next = 0;
        for (start, end) in covered {
            let start = char_start(text, start).max(next);
            let end = char_end(text, end);
            if end <= next {
                continue;
            }
            out.extend_from_slice(&text[next..start]);
            if !out.ends_with(REDACTED.as_bytes()) {
                out.extend_from_slice(REDACTED.as_bytes());
            }
            next = end;
        }
        out.extend_from_slice(&text[next..]);
        out
    }

    fn scrub_text(&self, text: &mut String) {
        let cleaned = self.scrub(text.as_bytes());
        if cleaned != text.as_bytes() {
            // Cuts fall on character boundaries, so the text stays UTF-8.
            *text = String::from_utf8_lossy(&cleaned).into_owned();
        }
    }
}

/// The forms in which a secret may stand in an answer or an error message: as is, escaped as
/// Rust's `{:?}` and serde's messages write strings, as JSON writes it (also with `\/`), and
/// as XML writes it.
fn written_forms(secret: &str) -> Vec<String> {
    let debug: String = secret.escape_debug().collect();
    let mut json = String::new();
    for c in secret.chars() {
        match c {
            '"' => json.push_str("\\\""),
            '\\' => json.push_str("\\\\"),
            c if c.is_control() => json.push_str(&format!("\\u{:04x}", c as u32)),
            c => json.push(c),
        }
    }
    let json_slashes = json.replace('/', "\\/");
    let mut xml = String::new();
    for c in secret.chars() {
        match c {
            '&' => xml.push_str("&amp;"),
            '<' => xml.push_str("&lt;"),
            '>' => xml.push_str("&gt;"),
            '"' => xml.push_str("&quot;"),
            '\'' => xml.push_str("&apos;"),
            c => xml.push(c),
        }
    }
    let mut forms = vec![secret.to_owned(), debug, json, json_slashes, xml];
    forms.sort();
    forms.dedup();
    forms
}

/// The start of the UTF-8 character that byte `at` belongs to.
fn char_start(text: &[u8], mut at: usize) -> usize {
    while at > 0 && at < text.len() && text[at] & 0xC0 == 0x80 {
        at -= 1;
    }
    at
}

/// The end of the UTF-8 character that byte `end - 1` belongs to.
fn char_end(text: &[u8], mut end: usize) -> usize {
    while end < text.len() && text[end] & 0xC0 == 0x80 {
        end += 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;
    use r7_proto::BodySnippet;

    const TOKEN: &str = "Zm9vYmFyLXRva2VuLTAxMjM0NTY3ODk-abcdefghijklmnopqrstuvwxyz-0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ-end";

    fn scrubbed(secret: &str, text: &str) -> String {
        let mut text = text.to_owned();
        Redactor::new(&[secret]).scrub_text(&mut text);
        text
    }

    #[test]
    fn every_piece_of_a_secret_is_redacted_and_nothing_else() {
        assert_eq!(
            scrubbed("SECRET-VALUE", "xSECRET-VALUEySECRET-VALUE"),
            "x<redacted>y<redacted>"
        );
        // A cut-off start, a cut-off end, a piece from the middle.
        let head = &TOKEN[..64];
        let tail = &TOKEN[TOKEN.len() - 20..];
        let middle = &TOKEN[30..42];
        for piece in [head, tail, middle] {
            let text = format!("expected a number, found \"{piece}…\"");
            assert_eq!(
                scrubbed(TOKEN, &text),
                "expected a number, found \"<redacted>…\""
            );
        }
        // Pieces too short to tell from ordinary text stay.
        assert_eq!(scrubbed(TOKEN, "found abc"), "found abc");
        assert_eq!(scrubbed(TOKEN, "Bad Gateway"), "Bad Gateway");
    }

    #[test]
    fn escaped_forms_of_a_secret_are_redacted() {
        let secret = r#"pa"ss\wo/rd&<more>"#;
        for text in [
            r#"found "pa\"ss\\wo/rd&<more>""#.to_owned(),
            r#"{"p":"pa\"ss\\wo\/rd&<more>"}"#.to_owned(),
            "<p>pa&quot;ss\\wo/rd&amp;&lt;more&gt;</p>".to_owned(),
        ] {
            let out = scrubbed(secret, &text);
            assert!(out.contains("<redacted>"), "{text} -> {out}");
            for form in written_forms(secret) {
                for piece in form.as_bytes().windows(MIN_FRAGMENT_BYTES) {
                    let piece = String::from_utf8_lossy(piece);
                    assert!(!out.contains(piece.as_ref()), "{piece} in {out}");
                }
            }
        }
    }

    #[test]
    fn cuts_fall_on_character_boundaries() {
        let secret = "пароль-секрет";
        let out = scrubbed(secret, "ошибка: пароль-секр…");
        assert_eq!(out, "ошибка: <redacted>…");
    }

    #[test]
    fn a_charset_label_quoting_a_secret_is_redacted() {
        let error = ResponseError::Charset {
            status: StatusCode::OK,
            charset: TOKEN[..40].to_owned(),
        };
        let redacted = redact(error, false, &[TOKEN]);
        assert!(!redacted.to_string().contains(&TOKEN[..8]), "{redacted}");
    }

    #[test]
    fn short_secrets_are_left_alone() {
        let error = ResponseError::Http {
            status: StatusCode::BAD_GATEWAY,
            content_type: "text/html".into(),
            snippet: BodySnippet::new(b"Bad Gateway"),
        };
        let redacted = redact(error, false, &["a"]);
        assert!(redacted.to_string().contains("Bad Gateway"), "{redacted}");
    }

    #[test]
    fn a_snippet_keeps_its_mark_that_the_body_went_on() {
        let body = format!("<html>{TOKEN}{}</html>", "x".repeat(5_000));
        let error = ResponseError::Http {
            status: StatusCode::BAD_GATEWAY,
            content_type: "text/html".into(),
            snippet: BodySnippet::new(body.as_bytes()),
        };
        let redacted = redact(error, false, &[TOKEN]);
        match redacted {
            ResponseError::Http { snippet, .. } => {
                assert!(
                    snippet.as_str().starts_with("<html><redacted>xxx"),
                    "{snippet:?}"
                );
                assert!(snippet.is_truncated());
            }
            other => panic!("{other:?}"),
        }
    }
}
