//! Answers outside the envelope (the site's HTML pages, the auth filter's plain text, the
//! CORS preflight, a padded body) and the cache headers every answer carries.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, HeaderValue, SERVER, WWW_AUTHENTICATE};
use http::{Response, StatusCode};
use r7_model::Uuid;

use super::Body;
use super::envelope::JSON_CONTENT_TYPE;

/// The body of the site's custom 404 page, which answers every path the API does not route.
const NOT_FOUND_PAGE: &str = "<!DOCTYPE html>\r\n<html>\r\n<head>\r\n<meta charset=\"utf-8\" />\r\n\
<title>404 - File or directory not found.</title>\r\n</head>\r\n<body>\r\n\
<h1>404 - File or directory not found.</h1>\r\n\
<p>The resource you are looking for might have been removed, had its name changed, \
or is temporarily unavailable.</p>\r\n</body>\r\n</html>\r\n";

/// What nginx in front of a portal answers when the portal behind it does not.
const BAD_GATEWAY_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// The start of [`oversized`]'s body: a one-object success envelope whose object has one long
/// string member.
const OVERSIZED_HEAD: &str = r#"{"count":1,"status":0,"statusCode":200,"response":{"padding":""#;
/// The end of [`oversized`]'s body.
const OVERSIZED_TAIL: &str = r#""}}"#;

/// nginx's own `502 Bad Gateway` page.
pub(crate) fn bad_gateway_page() -> Response<Body> {
    let mut response = plain(
        StatusCode::BAD_GATEWAY,
        HeaderValue::from_static("text/html"),
        Bytes::from_static(BAD_GATEWAY_PAGE.as_bytes()),
    );
    response
        .headers_mut()
        .insert(SERVER, HeaderValue::from_static("nginx"));
    response
}

/// 200 with a JSON body of exactly `len` bytes: a valid success envelope padded with a long
/// string when `len` leaves room for one, otherwise `{`, spaces and `}` (or `len` spaces when
/// `len` is under 2). The body is generated as it is sent, not held in memory.
pub(crate) fn oversized(len: usize) -> Response<Body> {
    let frame = OVERSIZED_HEAD.len() + OVERSIZED_TAIL.len();
    let body = if len >= frame {
        Body::padded(
            Bytes::from_static(OVERSIZED_HEAD.as_bytes()),
            len - frame,
            Bytes::from_static(OVERSIZED_TAIL.as_bytes()),
        )
    } else if len >= 2 {
        Body::full(format!("{{{}}}", " ".repeat(len - 2)))
    } else {
        Body::full(" ".repeat(len))
    };
    let mut response = Response::new(body);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
    with_cache_headers(response)
}

/// What the auth filter answers: no envelope, whatever format was asked for.
pub(crate) fn unauthorized(www_authenticate: Option<HeaderValue>) -> Response<Body> {
    let mut response = plain(
        StatusCode::UNAUTHORIZED,
        HeaderValue::from_static("text/plain"),
        Bytes::from_static(b"Unauthorized"),
    );
    if let Some(value) = www_authenticate {
        response.headers_mut().insert(WWW_AUTHENTICATE, value);
    }
    response
}

/// What the site answers when no API route matches: its HTML error page, not an envelope.
pub(crate) fn not_found_page() -> Response<Body> {
    plain(
        StatusCode::NOT_FOUND,
        HeaderValue::from_static("text/html; charset=utf-8"),
        Bytes::from_static(NOT_FOUND_PAGE.as_bytes()),
    )
}

/// The CORS preflight answer the API registers for every `api/2.0/*` path.
pub(crate) fn preflight() -> Response<Body> {
    let mut response = with_cache_headers(Response::new(Body::default()));
    let headers = response.headers_mut();
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    headers.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST, PUT, DELETE"),
    );
    headers.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("origin, authorization, accept, content-type"),
    );
    headers.insert(
        "access-control-max-age",
        HeaderValue::from_static("1728000"),
    );
    response
}

pub(super) fn plain(status: StatusCode, content_type: HeaderValue, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Body::full(body));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    with_cache_headers(response)
}

/// The server sets a fresh GUID as ETag and max-age 0 on every answer, so nothing is ever cached.
fn with_cache_headers(mut response: Response<Body>) -> Response<Body> {
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&fresh_etag()) {
        headers.insert(ETAG, etag);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("max-age=0"));
    response
}

/// A fresh GUID in .NET's "N" form (32 hex digits).
fn fresh_etag() -> String {
    fresh_guid().simple().to_string()
}

/// A random (version 4) GUID, unique per call, as `Guid.NewGuid` makes them: the counter makes
/// every input distinct and each `RandomState` brings fresh random keys. Unpredictable enough
/// for tests, not for real secrets.
pub(crate) fn fresh_guid() -> Uuid {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let high = RandomState::new().hash_one(n);
    let low = RandomState::new().hash_one(n);
    let mut bytes = [0; 16];
    bytes[..8].copy_from_slice(&high.to_le_bytes());
    bytes[8..].copy_from_slice(&low.to_le_bytes());
    // RFC 4122's version 4 and variant bits, as `Guid.NewGuid` sets them.
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Uuid::from_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_fresh_and_random() {
        let a = fresh_guid();
        assert_ne!(a, fresh_guid());
        assert_eq!(a.get_version_num(), 4);
        assert_eq!(
            a.to_string().len(),
            36,
            "the \"D\" form a settings route answers"
        );
    }

    #[test]
    fn etags_are_fresh() {
        let a = fresh_etag();
        let b = fresh_etag();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
