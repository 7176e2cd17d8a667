//! The envelope every API answer comes in (`count`, `status`, `statusCode`, `response` or
//! `error`), in JSON or in XML.

use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderValue, RETRY_AFTER, SET_COOKIE};
use http::{Response, StatusCode};
use serde::Serialize;

use super::json::to_server_json;
use super::pages::plain;
use super::xml::json_to_xml;
use super::{ApiError, Body, Node};

pub(super) const JSON_CONTENT_TYPE: &str = "application/json; charset=UTF-8";
const XML_CONTENT_TYPE: &str = "text/xml; charset=UTF-8";

/// The cookie the server sets on sign-in, holding the token.
pub(crate) const AUTH_COOKIE: &str = "asc_auth_key";

/// Which form an API answer takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Xml,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a, T: Serialize> {
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_index: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_index: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<u64>,
    status: u8,
    status_code: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<&'a T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorBody<'a>>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    message: &'a str,
    hresult: i32,
    /// `Exception.Data`, an empty dictionary for every exception the emulator raises.
    data: Empty,
}

#[derive(Serialize)]
struct Empty {}

/// The paging members of a list answer's envelope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PageMeta {
    /// `count`: the items in this answer (left out when 0).
    pub(crate) count: u64,
    /// `startIndex` as requested (left out when 0).
    pub(crate) start_index: u64,
    /// `nextIndex`, when the server sets it.
    pub(crate) next_index: Option<u64>,
    /// `total`, when the server sets it (0 is written).
    pub(crate) total: Option<u64>,
}

/// What a method answers when it succeeds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Reply {
    /// One object (`count` 1).
    One(Node),
    /// A list with its paging members.
    List { items: Vec<Node>, page: PageMeta },
    /// A `void` method: `"response":{}` and no `count`.
    Void,
    /// A method that returns a `string` (a tag's name): the framework counts it by its
    /// `Length` property, so `count` is its length in UTF-16 units (left out when 0).
    Text(String),
}

/// The success envelope of a method's answer, with `status` (201 for a POST).
pub(crate) fn success(format: Format, status: StatusCode, reply: &Reply) -> Response<Body> {
    match reply {
        Reply::One(node) => single(format, status, node),
        Reply::List { items, page } => {
            let envelope = Envelope {
                count: Some(page.count).filter(|&n| n > 0),
                start_index: Some(page.start_index).filter(|&n| n > 0),
                next_index: page.next_index,
                total: page.total,
                status: 0,
                status_code: status.as_u16(),
                response: Some(items),
                error: None,
            };
            api_response(format, status, &envelope)
        }
        Reply::Text(text) => {
            let length = u64::try_from(text.encode_utf16().count()).unwrap_or(u64::MAX);
            let envelope = Envelope {
                count: Some(length).filter(|&n| n > 0),
                start_index: None,
                next_index: None,
                total: None,
                status: 0,
                status_code: status.as_u16(),
                response: Some(text),
                error: None,
            };
            api_response(format, status, &envelope)
        }
        Reply::Void => {
            let envelope = Envelope {
                count: None,
                start_index: None,
                next_index: None,
                total: None,
                status: 0,
                status_code: status.as_u16(),
                response: Some(&Empty {}),
                error: None,
            };
            api_response(format, status, &envelope)
        }
    }
}

/// What `POST authentication` answers (`AuthenticationTokenData`): 201 with the token and its
/// expiry, and the token in the `asc_auth_key` cookie as well.
pub(crate) fn signed_in(format: Format, token: &str, expires: &str) -> Response<Body> {
    #[derive(Serialize)]
    struct TokenData<'a> {
        token: &'a str,
        expires: &'a str,
    }
    let mut response = single(format, StatusCode::CREATED, &TokenData { token, expires });
    if let Ok(cookie) = HeaderValue::from_str(&format!("{AUTH_COOKIE}={token}; path=/; HttpOnly")) {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

/// One object in the success envelope (`count` 1).
fn single<T: Serialize>(format: Format, status: StatusCode, value: &T) -> Response<Body> {
    let envelope = Envelope {
        count: Some(1),
        start_index: None,
        next_index: None,
        total: None,
        status: 0,
        status_code: status.as_u16(),
        response: Some(value),
        error: None,
    };
    api_response(format, status, &envelope)
}

/// An error envelope with the error's status code.
pub(crate) fn error(format: Format, error: ApiError) -> Response<Body> {
    let envelope = Envelope::<()> {
        count: None,
        start_index: None,
        next_index: None,
        total: None,
        status: 1,
        status_code: error.status.as_u16(),
        response: None,
        error: Some(ErrorBody {
            message: &error.message,
            hresult: error.hresult,
            data: Empty {},
        }),
    };
    api_response(format, error.status, &envelope)
}

/// The rate limiter's 503: the error envelope and `Retry-After` in whole seconds, rounded up
/// and at least 1, so a client that waits that long finds the window over.
pub(crate) fn rate_limited(format: Format, retry_in: Duration) -> Response<Body> {
    let ms = retry_in.as_millis() + u128::from(retry_in.subsec_nanos() % 1_000_000 != 0);
    let seconds = ms.div_ceil(1000).max(1);
    let mut response = error(format, ApiError::rate_limited(ms));
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

fn api_response<T: Serialize>(format: Format, status: StatusCode, envelope: &T) -> Response<Body> {
    let rendered = to_server_json(envelope).and_then(|json| match format {
        Format::Json => Ok(json),
        Format::Xml => json_to_xml(&json).map(String::into_bytes),
    });
    match rendered {
        Ok(body) => {
            let content_type = match format {
                Format::Json => JSON_CONTENT_TYPE,
                Format::Xml => XML_CONTENT_TYPE,
            };
            plain(status, HeaderValue::from_static(content_type), body.into())
        }
        // Only a broken model `Serialize` could get here; answer like the server's catch-all.
        Err(_) => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            HeaderValue::from_static("text/plain"),
            Bytes::from_static(b"Internal Server Error"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_envelope_in_both_forms() {
        let response = error(Format::Json, ApiError::NOT_FOUND);
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let envelope = Envelope::<()> {
            count: None,
            start_index: None,
            next_index: None,
            total: None,
            status: 1,
            status_code: 404,
            response: None,
            error: Some(ErrorBody {
                message: "Not found",
                hresult: -2147467259,
                data: Empty {},
            }),
        };
        let text = to_server_json(&envelope).unwrap();
        assert_eq!(
            String::from_utf8(text.clone()).unwrap(),
            r#"{"status":1,"statusCode":404,"error":{"message":"Not found","hresult":-2147467259,"data":{}}}"#
        );
        assert_eq!(
            json_to_xml(&text).unwrap(),
            "<result><status>1</status><statusCode>404</statusCode><error><message>Not found</message>\
             <hresult>-2147467259</hresult><data /></error></result>"
        );
    }

    fn body(response: Response<Body>) -> String {
        String::from_utf8(response.into_body().into_bytes().to_vec()).unwrap()
    }

    #[test]
    fn a_text_is_counted_by_its_length() {
        // Binder.GetCollectionCount reads a string's `Length` (UTF-16 units).
        let text = |s: &str| Reply::Text(s.to_owned());
        assert_eq!(
            body(success(Format::Json, StatusCode::CREATED, &text("Tag"))),
            r#"{"count":3,"status":0,"statusCode":201,"response":"Tag"}"#
        );
        assert_eq!(
            body(success(Format::Json, StatusCode::OK, &text("Партнёр 😀"))),
            r#"{"count":10,"status":0,"statusCode":200,"response":"Партнёр \ud83d\ude00"}"#
        );
        assert_eq!(
            body(success(Format::Json, StatusCode::OK, &text(""))),
            r#"{"status":0,"statusCode":200,"response":""}"#
        );
        assert_eq!(
            body(success(Format::Xml, StatusCode::OK, &text("VIP"))),
            "<result><count>3</count><status>0</status><statusCode>200</statusCode>\
             <response>VIP</response></result>"
        );
    }

    #[test]
    fn list_and_void_envelopes() {
        let items = vec![Node::Integer("1".into()), Node::Integer("2".into())];
        let list = |page| Reply::List {
            items: items.clone(),
            page,
        };
        let page = PageMeta {
            count: 2,
            start_index: 0,
            next_index: Some(3),
            total: Some(5),
        };
        assert_eq!(
            body(success(Format::Json, StatusCode::OK, &list(page))),
            r#"{"count":2,"nextIndex":3,"total":5,"status":0,"statusCode":200,"response":[1,2]}"#
        );
        assert_eq!(
            body(success(Format::Xml, StatusCode::OK, &list(page))),
            "<result><count>2</count><nextIndex>3</nextIndex><total>5</total><status>0</status>\
             <statusCode>200</statusCode><response>1</response><response>2</response></result>"
        );
        let empty = Reply::List {
            items: Vec::new(),
            page: PageMeta {
                start_index: 4,
                total: Some(0),
                ..PageMeta::default()
            },
        };
        assert_eq!(
            body(success(Format::Json, StatusCode::OK, &empty)),
            r#"{"startIndex":4,"total":0,"status":0,"statusCode":200,"response":[]}"#
        );
        assert_eq!(
            body(success(Format::Xml, StatusCode::OK, &empty)),
            "<result><startIndex>4</startIndex><total>0</total><status>0</status><statusCode>200</statusCode></result>"
        );
        assert_eq!(
            body(success(Format::Json, StatusCode::OK, &Reply::Void)),
            r#"{"status":0,"statusCode":200,"response":{}}"#
        );
        assert_eq!(
            body(success(Format::Xml, StatusCode::OK, &Reply::Void)),
            "<result><status>0</status><statusCode>200</statusCode><response /></result>"
        );
        let created = success(
            Format::Json,
            StatusCode::CREATED,
            &Reply::One(Node::Object(vec![("id".into(), Node::Integer("7".into()))])),
        );
        assert_eq!(created.status(), StatusCode::CREATED);
        assert_eq!(
            body(created),
            r#"{"count":1,"status":0,"statusCode":201,"response":{"id":7}}"#
        );
    }
}
