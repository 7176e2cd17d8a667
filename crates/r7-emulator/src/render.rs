//! Response bodies and headers, byte for byte as the real server writes them.
//!
//! JSON goes through [`ServerFormatter`], which copies the escaping of the server's
//! `JsonStringConverter`. XML is made from that JSON text the way Json.NET's `XmlNodeConverter`
//! does it, so the two forms can never disagree.

use std::borrow::Cow;
use std::cmp::Ordering as CmpOrdering;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::header::{
    CACHE_CONTROL, CONTENT_TYPE, ETAG, HeaderValue, RETRY_AFTER, SERVER, SET_COOKIE,
    WWW_AUTHENTICATE,
};
use http::{Response, StatusCode};
use serde::Serialize;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

pub(crate) use crate::body::Body;

const JSON_CONTENT_TYPE: &str = "application/json; charset=UTF-8";
const XML_CONTENT_TYPE: &str = "text/xml; charset=UTF-8";

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

/// The cookie the server sets on sign-in, holding the token.
pub(crate) const AUTH_COOKIE: &str = "asc_auth_key";

/// Which form an API answer takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Xml,
}

/// An error the API reports inside the envelope: the .NET exception's message and HResult.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: Cow<'static, str>,
    pub(crate) hresult: i32,
}

impl ApiError {
    /// `ItemNotFoundException`.
    pub(crate) const NOT_FOUND: ApiError = ApiError {
        status: StatusCode::NOT_FOUND,
        message: Cow::Borrowed("Not found"),
        hresult: -2147467259,
    };
    /// `ArgumentException()`, what the deal methods throw for an id of 0.
    pub(crate) const ARGUMENT: ApiError = ApiError {
        status: StatusCode::BAD_REQUEST,
        message: Cow::Borrowed("Value does not fall within the expected range."),
        hresult: -2147024809,
    };
    /// A route of the spec the emulator does not answer yet (its own envelope; no server
    /// sends it).
    pub(crate) const NOT_EMULATED: ApiError = ApiError {
        status: StatusCode::NOT_IMPLEMENTED,
        message: Cow::Borrowed("Not emulated: r7-emulator does not answer this route yet"),
        hresult: 0,
    };
    /// A route value the binder cannot convert to the parameter's type.
    pub(crate) const BAD_NUMBER: ApiError = ApiError {
        status: StatusCode::BAD_REQUEST,
        message: Cow::Borrowed("Input string was not in a correct format."),
        hresult: -2146233033,
    };
    /// `System.Security.Authentication.AuthenticationException`, thrown for wrong or missing
    /// credentials; not a mapped type, so it ends as a 500.
    pub(crate) const AUTHENTICATION_FAILED: ApiError = ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: Cow::Borrowed("User authentication failed"),
        hresult: -2146233087,
    };
    /// `ArgumentException("Unable to deserialize json")`: an `application/json` body that is
    /// not a JSON object.
    pub(crate) const NOT_A_JSON_OBJECT: ApiError = ApiError {
        status: StatusCode::BAD_REQUEST,
        message: Cow::Borrowed("Unable to deserialize json"),
        hresult: -2147024809,
    };

    /// What the rate-limiting filter throws: an `HttpException(503, …)`, whose HResult is
    /// `E_FAIL` like every `HttpException` (derived, as for `ItemNotFoundException`).
    pub(crate) fn rate_limited(retry_in_ms: u128) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: Cow::Owned(format!(
                "Rate limit reached. Try again after {retry_in_ms} ms"
            )),
            hresult: -2147467259,
        }
    }
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

fn plain(status: StatusCode, content_type: HeaderValue, body: Bytes) -> Response<Body> {
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

/// A GUID in .NET's "N" form (32 hex digits), unique per call: the counter makes every input
/// distinct and each `RandomState` brings fresh random keys.
fn fresh_etag() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let high = RandomState::new().hash_one(n);
    let low = RandomState::new().hash_one(n);
    format!("{high:016x}{low:016x}")
}

/// Serializes `value` as compact JSON with the server's string escaping.
pub(crate) fn to_server_json<T: Serialize + ?Sized>(
    value: &T,
) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(1024);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, ServerFormatter);
    value.serialize(&mut serializer)?;
    Ok(out)
}

/// Compact JSON with the escaping of the server's `JsonStringConverter`: `/` as `\/`, control
/// characters as lower-case `\u00xx` (a newline is `\u000a`, not `\n`), characters outside the
/// BMP as a pair of `\uxxxx` surrogates, U+FFFE/U+FFFF as `\ufffe`/`\uffff`; all other
/// non-ASCII text raw UTF-8.
struct ServerFormatter;

impl serde_json::ser::Formatter for ServerFormatter {
    fn write_string_fragment<W>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        // Most text has nothing to escape: a byte scan (which the compiler vectorises) spares
        // it the walk char by char. Every character escaped below contains `/` or a byte of
        // 0xEF or above (U+FFFE/U+FFFF start with 0xEF, characters beyond the BMP with 0xF0+).
        if !fragment.bytes().any(|b| b == b'/' || b >= 0xEF) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut plain_from = 0;
        for (at, c) in fragment.char_indices() {
            let needs_escape = c == '/' || c > '\u{FFFF}' || c == '\u{FFFE}' || c == '\u{FFFF}';
            if !needs_escape {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[plain_from..at])?;
            plain_from = at + c.len_utf8();
            if c == '/' {
                writer.write_all(b"\\/")?;
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
        }
        writer.write_all(&fragment.as_bytes()[plain_from..])
    }

    fn write_char_escape<W>(
        &mut self,
        writer: &mut W,
        char_escape: serde_json::ser::CharEscape,
    ) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        use serde_json::ser::CharEscape;
        let control = match char_escape {
            CharEscape::Quote => return writer.write_all(b"\\\""),
            CharEscape::ReverseSolidus => return writer.write_all(b"\\\\"),
            CharEscape::Solidus => return writer.write_all(b"\\/"),
            CharEscape::Backspace => 0x08,
            CharEscape::FormFeed => 0x0c,
            CharEscape::LineFeed => 0x0a,
            CharEscape::CarriageReturn => 0x0d,
            CharEscape::Tab => 0x09,
            CharEscape::AsciiControl(byte) => byte,
        };
        write!(writer, "\\u{control:04x}")
    }
}

/// A JSON value that keeps its members in document order (serde_json's own `Value` sorts them
/// unless `preserve_order` is on, and the shared workspace build does not turn it on).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    Integer(String),
    Float(f64),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

/// The JSON of a value, as a [`Node`] (in the member order its `Serialize` writes).
pub(crate) fn to_node<T: Serialize + ?Sized>(value: &T) -> Node {
    to_server_json(value)
        .ok()
        .and_then(|json| serde_json::from_slice(&json).ok())
        .unwrap_or(Node::Null)
}

impl Node {
    /// The value at a dotted path of member names, names compared with ASCII case ignored.
    pub(crate) fn path(&self, dotted: &str) -> Option<&Node> {
        dotted.split('.').try_fold(self, |node, name| match node {
            Node::Object(members) => members
                .iter()
                .find(|(member, _)| member.eq_ignore_ascii_case(name.trim()))
                .map(|(_, value)| value),
            _ => None,
        })
    }

    /// Orders two values as a generic in-memory sort would: nothing first, then numbers by
    /// value, strings with case ignored (then exactly), booleans false first; values of
    /// different kinds, and objects and lists, compare equal.
    pub(crate) fn compare(a: Option<&Node>, b: Option<&Node>) -> CmpOrdering {
        let number = |n: &Node| match n {
            Node::Integer(text) => text.parse::<f64>().ok(),
            Node::Float(v) => Some(*v),
            _ => None,
        };
        match (a, b) {
            (None | Some(Node::Null), None | Some(Node::Null)) => CmpOrdering::Equal,
            (None | Some(Node::Null), _) => CmpOrdering::Less,
            (_, None | Some(Node::Null)) => CmpOrdering::Greater,
            (Some(Node::String(x)), Some(Node::String(y))) => x
                .to_lowercase()
                .cmp(&y.to_lowercase())
                .then_with(|| x.cmp(y)),
            (Some(Node::Bool(x)), Some(Node::Bool(y))) => x.cmp(y),
            (Some(x), Some(y)) => match (number(x), number(y)) {
                (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(CmpOrdering::Equal),
                _ => CmpOrdering::Equal,
            },
        }
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Null => serializer.serialize_unit(),
            Node::Bool(v) => serializer.serialize_bool(*v),
            Node::Integer(text) => match (text.parse::<i64>(), text.parse::<u64>()) {
                (Ok(v), _) => serializer.serialize_i64(v),
                (_, Ok(v)) => serializer.serialize_u64(v),
                _ => serializer.serialize_f64(text.parse().unwrap_or_default()),
            },
            Node::Float(v) => serializer.serialize_f64(*v),
            Node::String(v) => serializer.serialize_str(v),
            Node::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (name, value) in members {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Integer(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Integer(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry::<String, Node>()? {
            members.push(member);
        }
        Ok(Node::Object(members))
    }
}

/// Converts a JSON document to the server's XML: what `XmlNodeConverter` makes of
/// `{"result": <json>}`, printed without declaration or indentation.
pub(crate) fn json_to_xml(json: &[u8]) -> Result<String, serde_json::Error> {
    let root: Node = serde_json::from_slice(json)?;
    let mut out = String::with_capacity(json.len() * 2);
    write_element(&mut out, "result", &root);
    Ok(out)
}

fn write_element(out: &mut String, name: &str, node: &Node) {
    match node {
        // A JSON array has no element of its own: each item repeats the property's name.
        Node::Array(items) => {
            for item in items {
                write_element(out, name, item);
            }
        }
        Node::Null => empty_element(out, name),
        Node::Object(members) if members.is_empty() => empty_element(out, name),
        Node::Object(members) => {
            open(out, name);
            for (member, value) in members {
                write_element(out, member, value);
            }
            close(out, name);
        }
        Node::Bool(v) => text_element(out, name, if *v { "true" } else { "false" }),
        Node::Integer(v) => text_element(out, name, v),
        Node::Float(v) => text_element(out, name, &dotnet_double(*v)),
        Node::String(v) => text_element(out, name, v),
    }
}

fn empty_element(out: &mut String, name: &str) {
    out.push('<');
    out.push_str(name);
    out.push_str(" />");
}

fn text_element(out: &mut String, name: &str, text: &str) {
    open(out, name);
    escape_text(out, text);
    close(out, name);
}

fn open(out: &mut String, name: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
}

fn close(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Escapes element text as .NET's `XmlWriter` does: `&`, `<` and `>`; quotes stay as they are
/// in element content.
fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// A JSON decimal as `XmlConvert.ToString(double)` prints it: the shortest text that reads
/// back to the same double (`1500.0` → `1500`), with .NET's `E+15` / `E-05` notation outside
/// the range where it writes plain digits.
fn dotnet_double(v: f64) -> String {
    let magnitude = v.abs();
    if v == 0.0 || (1e-5..1e15).contains(&magnitude) {
        return v.to_string();
    }
    let scientific = format!("{v:E}");
    match scientific.split_once('E') {
        Some((mantissa, exponent)) => match exponent.parse::<i32>() {
            Ok(e) if e < 0 => format!("{mantissa}E-{:02}", -e),
            Ok(e) => format!("{mantissa}E+{e:02}"),
            Err(_) => scientific,
        },
        None => scientific,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(value: &impl Serialize) -> String {
        String::from_utf8(to_server_json(value).unwrap()).unwrap()
    }

    #[test]
    fn strings_are_escaped_like_the_server() {
        assert_eq!(json(&"a/b"), r#""a\/b""#);
        assert_eq!(
            json(&"line\nnext\ttab\r"),
            r#""line\u000anext\u0009tab\u000d""#
        );
        assert_eq!(json(&"\u{1}\u{1f}"), r#""\u0001\u001f""#);
        assert_eq!(json(&"q\"b\\"), r#""q\"b\\""#);
        assert_eq!(json(&"₽ Рубль"), "\"₽ Рубль\"");
        assert_eq!(json(&"😀"), r#""\ud83d\ude00""#);
        assert_eq!(json(&"\u{fffe}x\u{ffff}"), r#""\ufffex\uffff""#);
        assert_eq!(json(&"</a>"), r#""<\/a>""#);
    }

    #[test]
    fn numbers_and_keys_are_written_compactly() {
        #[derive(Serialize)]
        struct S {
            #[serde(rename = "a/b")]
            key: f64,
            n: i64,
        }
        assert_eq!(json(&S { key: 1500.0, n: -3 }), r#"{"a\/b":1500.0,"n":-3}"#);
    }

    #[test]
    fn xml_keeps_member_order_and_follows_the_converter_rules() {
        let xml = json_to_xml(
            br#"{"z":1,"a":"x\/y","m":null,"e":"","o":{},"arr":[1,{"k":true}],"none":[],"f":1500.0,"t":"a<b&c>\"'"}"#,
        )
        .unwrap();
        assert_eq!(
            xml,
            "<result><z>1</z><a>x/y</a><m /><e></e><o /><arr>1</arr><arr><k>true</k></arr>\
             <f>1500</f><t>a&lt;b&amp;c&gt;\"'</t></result>"
        );
    }

    #[test]
    fn doubles_print_like_dotnet() {
        assert_eq!(dotnet_double(1500.0), "1500");
        assert_eq!(dotnet_double(1500.5), "1500.5");
        assert_eq!(dotnet_double(0.1), "0.1");
        assert_eq!(dotnet_double(-2.25), "-2.25");
        assert_eq!(dotnet_double(0.0), "0");
        assert_eq!(dotnet_double(1e15), "1E+15");
        assert_eq!(dotnet_double(1.5e-7), "1.5E-07");
        assert_eq!(dotnet_double(123456789012345.0), "123456789012345");
    }

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
    fn nodes_round_trip_byte_for_byte() {
        let text = r#"{"a":"x\/y","n":-3,"u":18446744073709551615,"f":1500.0,"g":0.1,"b":true,"z":null,"l":[1,{"k":"\u000a"}],"o":{}}"#;
        let node: Node = serde_json::from_str(text).unwrap();
        assert_eq!(
            String::from_utf8(to_server_json(&node).unwrap()).unwrap(),
            text
        );
        assert_eq!(
            node.path("L"),
            Some(&Node::Array(vec![
                Node::Integer("1".into()),
                Node::Object(vec![("k".into(), Node::String("\n".into()))]),
            ]))
        );
        let nested: Node = serde_json::from_str(r#"{"s":{"t":"Б"}}"#).unwrap();
        assert_eq!(nested.path("s.T"), Some(&Node::String("Б".into())));
    }

    #[test]
    fn nodes_compare_like_a_generic_sort() {
        let n = |t: &str| serde_json::from_str::<Node>(t).unwrap();
        let cmp = |a: &str, b: &str| Node::compare(Some(&n(a)), Some(&n(b)));
        assert_eq!(cmp("2", "10"), CmpOrdering::Less);
        assert_eq!(cmp("2.5", "2"), CmpOrdering::Greater);
        assert_eq!(cmp(r#""b""#, r#""A""#), CmpOrdering::Greater);
        assert_eq!(cmp("null", "1"), CmpOrdering::Less);
        assert_eq!(Node::compare(None, Some(&n("1"))), CmpOrdering::Less);
        assert_eq!(cmp("false", "true"), CmpOrdering::Less);
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

    #[test]
    fn etags_are_fresh() {
        let a = fresh_etag();
        let b = fresh_etag();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
