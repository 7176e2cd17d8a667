//! Turning an `http::Response` into an endpoint's output or a typed error.

use std::borrow::Cow;
use std::time::Duration;

use http::header::{CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, Response, StatusCode};
use serde::de::{DeserializeOwned, IgnoredAny};

use crate::budget::{Budget, Budgeted};
use crate::charset::{self, CharsetError};
use crate::endpoint::Endpoint;
use crate::envelope::{Envelope, EnvelopeStatus};
use crate::error::{ApiError, BodySnippet, ResponseError};
use crate::output::{FromEnvelope, PageInfo};
use crate::{Format, xml};

/// Reads the response to `E`'s request.
///
/// The body is decoded by the response's `Content-Type` (JSON or XML; when it is missing, by the
/// first byte), never by the format that was asked for, because the server answers JSON to some
/// requests that ask for XML. Then:
///
/// * a successful envelope (`status` 0) gives the typed value;
/// * HTTP 204 with an empty body gives [`NoContent`](crate::NoContent) to the endpoints that
///   return it (and is an error for the others);
/// * HTTP 401 gives [`ResponseError::Unauthorized`];
/// * a body in another `charset` than UTF-8 (`windows-1251`, `koi8-r`, ...) is transcoded
///   first, and one in an unknown charset gives [`ResponseError::Charset`];
/// * HTTP 503 or 429 with `Retry-After` gives [`ResponseError::RateLimited`];
/// * an error envelope (`status` 1), whatever the HTTP status, gives [`ResponseError::Api`] with
///   the server's message;
/// * a body that is no envelope (an HTML page from a proxy, an empty body) gives
///   [`ResponseError::Http`] with the status and a short snippet;
/// * an envelope whose value has the wrong shape gives [`ResponseError::Decode`] with the place.
pub fn parse_response<E: Endpoint>(
    response: &Response<impl AsRef<[u8]>>,
) -> Result<E::Output, ResponseError> {
    let status = response.status();
    let raw = response.body().as_ref();
    let headers = response.headers();
    let format = detect_format(headers, raw);

    if status == StatusCode::UNAUTHORIZED {
        return Err(ResponseError::Unauthorized);
    }
    // Only a body that will be decoded is transcoded; a proxy page keeps its bytes for the
    // snippet whatever charset it claims.
    let transcoded;
    let body = match format {
        Some(format) => {
            transcoded = to_utf8(status, format, headers, raw)?;
            &*transcoded
        }
        None => raw,
    };
    let not_an_envelope = || ResponseError::Http {
        status,
        content_type: content_type(headers)
            .unwrap_or("no content type")
            .to_owned(),
        snippet: if E::SENSITIVE {
            BodySnippet::redacted()
        } else {
            BodySnippet::new(body)
        },
    };

    if !status.is_success() {
        let envelope = format
            .and_then(|f| decode::<Envelope<IgnoredAny>>(f, status, body, raw.len()).ok())
            .filter(|e| e.status.is_some() || e.error.is_some());
        if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::TOO_MANY_REQUESTS {
            if let Some(retry_after) = retry_after(headers) {
                return Err(ResponseError::RateLimited {
                    status,
                    retry_after,
                    message: envelope.and_then(|e| e.error).and_then(|e| e.message),
                });
            }
        }
        return match envelope {
            Some(envelope) => Err(api_error(status, envelope).into()),
            None => Err(not_an_envelope()),
        };
    }

    if status == StatusCode::NO_CONTENT && body.is_empty() {
        return E::Output::from_no_content().ok_or_else(not_an_envelope);
    }
    let Some(format) = format else {
        return Err(not_an_envelope());
    };
    let envelope: Envelope<<E::Output as FromEnvelope>::Payload> =
        decode(format, status, body, raw.len()).map_err(|error| match error {
            // The decoder's reason may quote the value it refused, which here is a credential.
            ResponseError::Decode {
                format,
                status,
                path,
                ..
            } if E::SENSITIVE => ResponseError::Decode {
                format,
                status,
                path,
                reason: WITHHELD_REASON.to_owned(),
            },
            other => other,
        })?;
    match envelope.status {
        Some(EnvelopeStatus::Ok) => {}
        Some(EnvelopeStatus::Error) => return Err(api_error(status, envelope).into()),
        None => {
            return Err(ResponseError::Decode {
                format,
                status,
                path: Some("status".to_owned()),
                reason: "missing; the body is not an API envelope".to_owned(),
            });
        }
    }
    let page = PageInfo {
        count: envelope.count,
        start_index: envelope.start_index,
        next_index: envelope.next_index,
        total: envelope.total,
    };
    E::Output::from_envelope(envelope.response, page).ok_or(ResponseError::Decode {
        format,
        status,
        path: Some("response".to_owned()),
        reason: "missing from a successful envelope".to_owned(),
    })
}

fn api_error<T>(status: StatusCode, envelope: Envelope<T>) -> ApiError {
    let error = envelope.error.unwrap_or_default();
    ApiError {
        status,
        status_code: envelope.status_code,
        message: error.message,
        kind: error.kind,
        hresult: error.hresult,
    }
}

/// The reason given for a decode error of an answer that carries credentials.
const WITHHELD_REASON: &str =
    "not the expected shape (details withheld: the answer carries credentials)";

/// The UTF-8 encoding of U+FEFF, which some servers put before a document.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes `body` (UTF-8, transcoded from `raw_len` bytes) as `T` in `format`, naming the
/// place of a failure.
pub(crate) fn decode<T: DeserializeOwned>(
    format: Format,
    status: StatusCode,
    body: &[u8],
    raw_len: usize,
) -> Result<T, ResponseError> {
    let budget = || Budget::for_body(raw_len, body.len());
    // A UTF-8 byte order mark is allowed before either format (the sniffer skips it too);
    // neither serde_json nor the XML reader accepts it as the first character.
    let body = body.strip_prefix(UTF8_BOM).unwrap_or(body);
    match format {
        Format::Json => {
            // Fast path: a plain decode. Path tracking (serde_path_to_error) allocates a String
            // for every member name and wraps every value, which made a list decode 1.6 times
            // slower than serde_json alone; it runs only to describe a failure, and the same
            // input fails the same way again.
            let mut de = serde_json::Deserializer::from_slice(body);
            if let Ok(value) = T::deserialize(Budgeted::new(&mut de, &budget())) {
                if de.end().is_ok() {
                    return Ok(value);
                }
            }
            let mut de = serde_json::Deserializer::from_slice(body);
            let value = serde_path_to_error::deserialize(Budgeted::new(&mut de, &budget()));
            let value = value.map_err(|e| {
                let path = e.path().to_string();
                ResponseError::Decode {
                    format,
                    status,
                    path: (path != ".").then_some(path),
                    reason: e.into_inner().to_string(),
                }
            })?;
            de.end().map_err(|e| ResponseError::Decode {
                format,
                status,
                path: None,
                reason: e.to_string(),
            })?;
            Ok(value)
        }
        Format::Xml => xml::from_slice_within(body, &budget()).map_err(|e| ResponseError::Decode {
            format,
            status,
            path: e.path().map(str::to_owned),
            // Syntax errors have no element path; their message carries the byte offset.
            reason: match e.path() {
                Some(_) => e.message().to_owned(),
                None => e.to_string(),
            },
        }),
    }
}

/// The body in UTF-8, by the charset of its `Content-Type`.
fn to_utf8<'b>(
    status: StatusCode,
    format: Format,
    headers: &HeaderMap,
    body: &'b [u8],
) -> Result<Cow<'b, [u8]>, ResponseError> {
    charset::to_utf8(content_type(headers), body).map_err(|error| match error {
        CharsetError::Unknown(charset) => ResponseError::Charset { status, charset },
        CharsetError::Malformed(charset) => ResponseError::Decode {
            format,
            status,
            path: None,
            reason: format!("the body is not valid {charset} text, the charset it is declared in"),
        },
    })
}

fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
}

/// The format of the body from its `Content-Type`, or from its first byte when that header is
/// missing. `None`: not a body this API writes (HTML, plain text, ...).
fn detect_format(headers: &HeaderMap, body: &[u8]) -> Option<Format> {
    if let Some(content_type) = content_type(headers) {
        let media = content_type.split(';').next().unwrap_or("").trim();
        // Compared without making a lower-case copy (one allocation less per response).
        let is = |name: &str| media.eq_ignore_ascii_case(name);
        let ends_with = |suffix: &str| {
            let media = media.as_bytes();
            media.len() >= suffix.len()
                && media[media.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
        };
        if is("application/json") || is("text/json") || ends_with("+json") {
            return Some(Format::Json);
        }
        if is("text/xml") || is("application/xml") || ends_with("+xml") {
            return Some(Format::Xml);
        }
        if !media.is_empty() {
            return None;
        }
    }
    let body = body.strip_prefix(UTF8_BOM).unwrap_or(body);
    let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &body[start..body.len().min(start + 16)];
    match head.first() {
        Some(b'{') => Some(Format::Json),
        Some(b'<')
            if !head.to_ascii_lowercase().starts_with(b"<!doctype html")
                && !head.to_ascii_lowercase().starts_with(b"<html") =>
        {
            Some(Format::Xml)
        }
        _ => None,
    }
}

/// `Retry-After` in seconds (the form the portal's rate limiter writes). `Some(None)`: the header
/// is there in another form (an HTTP date).
fn retry_after(headers: &HeaderMap) -> Option<Option<Duration>> {
    let value = headers.get(RETRY_AFTER)?;
    Some(
        value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs),
    )
}
