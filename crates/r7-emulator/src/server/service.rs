//! One request in, one response out: faults, routing, the rate limiter, the auth filter,
//! binding and the methods, in the order the real server (and a proxy before it) runs them.

use std::error::Error;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, EXPECT, HOST, HeaderValue};
use http::uri::Authority;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};

use crate::Fault;
use crate::binder::{BodyError, Paging, Params};
use crate::ops::Call;
use crate::routes;
use crate::server::state::Shared;
use crate::wire::{self, AUTH_COOKIE, ApiError, Body, Format};

/// The most of a request body the emulator reads; the rest is left unread.
const MAX_REQUEST_BODY: usize = 1 << 20;

/// How long a request body may take to arrive.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// How long [`Fault::CloseConnection`] reads a request body before closing, so that unread
/// bytes do not turn the close into a reset.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(1);

/// What the service returns to make hyper close the connection without answering.
#[derive(Debug)]
pub(crate) struct CloseConnection;

impl fmt::Display for CloseConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection closed without a response (injected fault)")
    }
}

impl Error for CloseConnection {}

/// Answers one request and counts it, or (for an injected [`Fault::CloseConnection`]) returns
/// an error so that hyper drops the connection without writing a byte.
pub(crate) async fn handle<B>(
    shared: &Shared,
    request: Request<B>,
) -> Result<Response<Body>, CloseConnection>
where
    B: hyper::body::Body,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    shared.count_received(request.method().as_str());
    // Until the response is handed to hyper (a delayed answer counts while it waits).
    let _in_flight = shared.enter();
    let fault = if routes::is_api_path(request.uri().path()) {
        shared.next_fault()
    } else {
        None
    };
    // Faults a proxy would cause answer (or fail) without the portal seeing the request.
    let response = match fault {
        Some(Fault::CloseConnection) => {
            drain(request).await;
            return Err(CloseConnection);
        }
        Some(Fault::Html502) => wire::bad_gateway_page(),
        Some(Fault::OversizedBody(len)) => wire::oversized(len),
        Some(Fault::DelayBeforeHeaders(delay)) => {
            let response = respond(shared, request).await;
            let mut stopped = shared.stopped();
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                _ = stopped.wait_for(|stop| *stop) => {}
            }
            response
        }
        Some(Fault::StallMidBody) => {
            let response = respond(shared, request).await;
            let mut stopped = shared.stopped();
            response.map(|body| {
                body.stalled(async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
            })
        }
        None => respond(shared, request).await,
    };
    // Counted before hyper writes the response, so a client that has read it sees the count.
    shared.count_served();
    Ok(response)
}

/// Reads what the client sends as the body (within limits), so that closing the connection
/// sends a FIN rather than a reset. A request that expects `100 Continue` is not read: that
/// would write to the client.
async fn drain<B>(request: Request<B>)
where
    B: hyper::body::Body,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    if request.headers().contains_key(EXPECT) {
        return;
    }
    let body = Limited::new(request.into_body(), MAX_REQUEST_BODY);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, body.collect()).await;
}

async fn respond<B>(shared: &Shared, request: Request<B>) -> Response<Body>
where
    B: hyper::body::Body,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    let path = request.uri().path();
    if request.method() == Method::OPTIONS && routes::is_api_path(path) {
        return wire::preflight();
    }
    let format_for = |xml_suffix: bool| {
        if xml_suffix && !is_json_request(request.headers()) {
            Format::Xml
        } else {
            Format::Json
        }
    };
    if let Some(xml_suffix) = routes::match_authentication(request.method(), path) {
        let format = format_for(xml_suffix);
        if let Err(retry_in) = shared.admit() {
            return wire::rate_limited(format, retry_in);
        }
        return authenticate(shared, format, request).await;
    }
    let Some(route) = routes::match_route(request.method(), path) else {
        return wire::not_found_page();
    };
    let format = format_for(route.xml_suffix);
    if let Err(retry_in) = shared.admit() {
        return wire::rate_limited(format, retry_in);
    }
    let headers = request.headers();
    if !authorized(|token| shared.accepts(token), headers) {
        let challenge = has_authorization(headers).then(|| basic_challenge(&request));
        return wire::unauthorized(challenge.flatten());
    }
    let status = if request.method() == Method::POST {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let query = request.uri().query().map(str::to_owned);
    let mut params = Params::default();
    for (name, value) in route.values {
        params.push(name, value);
    }
    if let Err(BodyError::NotAJsonObject) = bind_request(&mut params, request).await {
        return wire::error(format, ApiError::NOT_A_JSON_OBJECT);
    }
    let call = Call {
        params,
        paging: Paging::from_query(query.as_deref()),
    };
    match shared.call(route.id, &call) {
        Some(Ok(reply)) => wire::success(format, status, &reply),
        Some(Err(error)) => wire::error(format, error),
        // A route of the spec without an `emulator` function: said plainly, in an envelope no
        // real server sends, so that a test against it cannot pass by accident.
        None => wire::error(format, ApiError::NOT_EMULATED),
    }
}

/// Adds the query string and then the body to `params`, as the server's binder reads them:
/// an `application/json` body (on any method) is flattened; a form body is read on every method
/// but GET; other bodies (`text/xml`, multipart) are not read.
async fn bind_request<B>(params: &mut Params, request: Request<B>) -> Result<(), BodyError>
where
    B: hyper::body::Body,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    if let Some(query) = request.uri().query() {
        params.add_form(query.as_bytes());
    }
    let media = media_type(request.headers());
    let is_get = request.method() == Method::GET;
    match media.as_deref() {
        Some("application/json") => params.add_json(&read_body(request).await),
        Some("application/x-www-form-urlencoded") if !is_get => {
            params.add_form(&read_body(request).await);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// `POST authentication`: `userName` and `password` from the query string, then the body
/// (JSON object or form); no token needed.
async fn authenticate<B>(shared: &Shared, format: Format, request: Request<B>) -> Response<Body>
where
    B: hyper::body::Body,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    let mut params = Params::default();
    // `text/xml` and multipart bodies are not read: their fields stay missing.
    if let Err(BodyError::NotAJsonObject) = bind_request(&mut params, request).await {
        return wire::error(format, ApiError::NOT_A_JSON_OBJECT);
    }
    let user_name = params.get("userName").unwrap_or_default();
    let password = params.get("password").unwrap_or_default();
    match shared.sign_in(user_name, password) {
        Some((token, expires)) => wire::signed_in(format, &token, &expires),
        None => wire::error(format, ApiError::AUTHENTICATION_FAILED),
    }
}

/// The request body, or nothing when it is too large, too slow or broken.
async fn read_body<B>(request: Request<B>) -> Bytes
where
    B: hyper::body::Body,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    let body = Limited::new(request.into_body(), MAX_REQUEST_BODY);
    match tokio::time::timeout(BODY_TIMEOUT, body.collect()).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        _ => Bytes::new(),
    }
}

/// Whether the request's own media type is `application/json`; such requests get JSON even on
/// an `.xml` path.
fn is_json_request(headers: &HeaderMap) -> bool {
    media_type(headers).is_some_and(|media| media == "application/json")
}

/// The request's media type, lower case, without parameters.
fn media_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|media| media.trim().to_ascii_lowercase())
}

/// The `Authorization` value as ASP.NET shows it: repeated headers joined by commas.
fn authorization(headers: &HeaderMap) -> Option<String> {
    let values: Vec<String> = headers
        .get_all(AUTHORIZATION)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect();
    (!values.is_empty()).then(|| values.join(","))
}

fn has_authorization(headers: &HeaderMap) -> bool {
    authorization(headers).is_some_and(|v| !v.is_empty())
}

/// The authorizers in the server's order: the `asc_auth_key` cookie, or when there is none the
/// whole `Authorization` value as a raw token; then `Bearer <token>`. `accepts` says whether a
/// token is valid now. (`Basic` is not emulated.)
fn authorized(accepts: impl Fn(&str) -> bool, headers: &HeaderMap) -> bool {
    let header = authorization(headers);
    let raw = match auth_cookie(headers) {
        Some(cookie) if !cookie.is_empty() => Some(cookie),
        _ => header.clone(),
    };
    if raw.is_some_and(|raw| !raw.is_empty() && accepts(&raw)) {
        return true;
    }
    header.is_some_and(|h| bearer_token(&h).is_some_and(|t| !t.is_empty() && accepts(t)))
}

/// What `AscBearerAuthorization` takes as the token: trimmed, cut at the first comma, after a
/// case-sensitive `Bearer` and one more character.
fn bearer_token(header: &str) -> Option<&str> {
    let value = header.trim();
    let value = value.split(',').next().unwrap_or(value).trim();
    if !value.starts_with("Bearer") {
        return None;
    }
    value.get(7..)
}

fn auth_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| name.trim() == AUTH_COOKIE)
        .map(|(_, value)| value.trim().to_owned())
}

/// `WWW-Authenticate: Basic Realm="<host>"`, with the host as .NET's `Uri.Host` gives it
/// (lower case, no port).
fn basic_challenge<B>(request: &Request<B>) -> Option<HeaderValue> {
    let host = request
        .uri()
        .host()
        .map(str::to_owned)
        .or_else(|| {
            let value = request.headers().get(HOST)?.to_str().ok()?;
            let authority: Authority = value.parse().ok()?;
            Some(authority.host().to_owned())
        })
        .unwrap_or_else(|| "localhost".to_owned())
        .to_ascii_lowercase();
    HeaderValue::from_str(&format!("Basic Realm=\"{host}\"")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn token_sources() {
        let ok = |pairs: &[(&'static str, &str)]| authorized(|t| t == "T0k", &headers(pairs));
        assert!(ok(&[("authorization", "T0k")]));
        assert!(ok(&[("authorization", "Bearer T0k")]));
        assert!(ok(&[("authorization", "  Bearer T0k , other")]));
        assert!(ok(&[("cookie", "a=b; asc_auth_key=T0k; c=d")]));
        assert!(ok(&[("cookie", "asc_auth_key="), ("authorization", "T0k")]));
        // A wrong cookie hides the raw header, but the bearer authorizer still runs.
        assert!(!ok(&[
            ("cookie", "asc_auth_key=bad"),
            ("authorization", "T0k")
        ]));
        assert!(ok(&[
            ("cookie", "asc_auth_key=bad"),
            ("authorization", "Bearer T0k")
        ]));
        assert!(!ok(&[]));
        assert!(!ok(&[("authorization", "")]));
        assert!(!ok(&[("authorization", "bearer T0k")]));
        assert!(!ok(&[("authorization", "Basic T0k")]));
        assert!(!ok(&[("authorization", "t0k")]));
        assert!(!ok(&[("cookie", "ASC_AUTH_KEY=T0k")]));
    }

    #[test]
    fn challenge_host_has_no_port() {
        let request = Request::builder()
            .uri("/api/2.0/crm/opportunity/1")
            .header("host", "Portal.Example:8080")
            .body(())
            .unwrap();
        assert_eq!(
            basic_challenge(&request).unwrap(),
            "Basic Realm=\"portal.example\""
        );
        let ipv6 = Request::builder()
            .uri("/")
            .header("host", "[::1]:8080")
            .body(())
            .unwrap();
        assert_eq!(basic_challenge(&ipv6).unwrap(), "Basic Realm=\"[::1]\"");
    }

    #[test]
    fn json_requests() {
        assert!(is_json_request(&headers(&[(
            "content-type",
            "application/json"
        )])));
        assert!(is_json_request(&headers(&[(
            "content-type",
            "Application/JSON; charset=utf-8"
        )])));
        assert!(!is_json_request(&headers(&[("content-type", "text/xml")])));
        assert!(!is_json_request(&headers(&[])));
    }
}
