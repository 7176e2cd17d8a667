//! One request in, one response out: routing, the auth filter, binding and the deal methods, in
//! the order the real server runs them.

use http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, HOST, HeaderValue};
use http::uri::Authority;
use http::{HeaderMap, Method, Request, Response};
use r7_model::Opportunity;

use crate::render::{self, ApiError, Body, Format};
use crate::routes::{self, Operation};
use crate::state::Shared;

/// The cookie the portal's own web pages carry the token in.
const AUTH_COOKIE: &str = "asc_auth_key";

/// Answers one request and counts it. The request body is never read: these two endpoints
/// take nothing from it.
pub(crate) fn handle<B>(shared: &Shared, request: &Request<B>) -> Response<Body> {
    let response = respond(shared, request);
    // Counted before hyper writes the response, so a client that has read it sees the count.
    shared.count_served();
    response
}

fn respond<B>(shared: &Shared, request: &Request<B>) -> Response<Body> {
    let path = request.uri().path();
    if request.method() == Method::OPTIONS && routes::is_api_path(path) {
        return render::preflight();
    }
    let Some(route) = routes::match_route(request.method(), path) else {
        return render::not_found_page();
    };
    let headers = request.headers();
    let format = if route.xml_suffix && !is_json_request(headers) {
        Format::Xml
    } else {
        Format::Json
    };
    if !authorized(&shared.token, headers) {
        let challenge = has_authorization(headers).then(|| basic_challenge(request));
        return render::unauthorized(challenge.flatten());
    }
    // The route value is bound to the method's `int` parameter.
    let Ok(id) = route.id.parse::<i32>() else {
        return render::error(format, ApiError::BAD_NUMBER);
    };
    if id <= 0 {
        return render::error(format, ApiError::ARGUMENT);
    }
    let id = i64::from(id);
    let found = match route.operation {
        Operation::Get => shared.get(id),
        Operation::Delete => shared.remove(id).map(as_deleted),
    };
    match found {
        Some(deal) => render::deal(format, &deal),
        None => render::error(format, ApiError::NOT_FOUND),
    }
}

/// The server builds the answer to a delete after the rows are gone: the deal's members,
/// custom field values and access list no longer exist, and privacy is read from that empty
/// access list.
fn as_deleted(mut deal: Opportunity) -> Opportunity {
    deal.members.clear();
    deal.custom_fields.clear();
    deal.access_list.clear();
    deal.is_private = false;
    deal
}

/// Whether the request's own media type is `application/json`; such requests get JSON even on
/// an `.xml` path.
fn is_json_request(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
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
/// whole `Authorization` value as a raw token; then `Bearer <token>`. (`Basic` needs users and
/// passwords, which the emulator does not have.)
fn authorized(token: &str, headers: &HeaderMap) -> bool {
    let header = authorization(headers);
    let raw = match auth_cookie(headers) {
        Some(cookie) if !cookie.is_empty() => Some(cookie),
        _ => header.clone(),
    };
    if raw.is_some_and(|raw| !raw.is_empty() && raw == token) {
        return true;
    }
    header.is_some_and(|h| bearer_token(&h).is_some_and(|t| !t.is_empty() && t == token))
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
        let ok = |pairs: &[(&'static str, &str)]| authorized("T0k", &headers(pairs));
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

    #[test]
    fn deleted_form_drops_what_deletion_removed() {
        let deal = crate::seed_opportunities()
            .into_iter()
            .find(|d| !d.members.is_empty())
            .unwrap();
        let deleted = as_deleted(deal.clone());
        assert!(deleted.members.is_empty() && deleted.custom_fields.is_empty());
        assert!(deleted.access_list.is_empty() && !deleted.is_private);
        assert_eq!((deleted.id, &deleted.title), (deal.id, &deal.title));
    }
}
