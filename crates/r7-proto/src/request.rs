//! Turning an [`Endpoint`] into an `http::Request`.

use std::borrow::Cow;

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::{HeaderValue, Request, Uri};

use crate::endpoint::{Auth, Endpoint};
use crate::error::BuildError;
use crate::path::write_query;
use crate::{AuthScheme, BaseUrl, Format, Token};

/// `User-Agent` of requests built here.
const USER_AGENT_VALUE: &str = concat!("r7/", env!("CARGO_PKG_VERSION"));

/// Where and how requests are sent: what every request of one client shares.
#[derive(Debug, Clone)]
pub struct RequestContext<'a> {
    /// The portal's address.
    pub base_url: &'a BaseUrl,
    /// The response format to ask for.
    pub format: Format,
    /// The token, if signed in.
    pub token: Option<&'a Token>,
    /// How the token is written in `Authorization`.
    pub auth_scheme: AuthScheme,
}

impl<'a> RequestContext<'a> {
    /// A context for JSON requests with the raw token scheme.
    pub fn new(base_url: &'a BaseUrl, token: Option<&'a Token>) -> Self {
        RequestContext {
            base_url,
            format: Format::Json,
            token,
            auth_scheme: AuthScheme::Raw,
        }
    }

    /// The same context asking for `format`.
    pub fn with_format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }
}

/// Builds the HTTP request for `endpoint`.
///
/// The endpoint's parameters are validated first, so a value the server would refuse (such as an
/// opportunity id of 0) fails here and nothing is sent. The path is the base address's path,
/// then the rendered template with every parameter percent-encoded as one segment, then the
/// format's suffix (`.json` / `.xml`). The token goes in `Authorization`, marked sensitive.
/// `Content-Type` is sent only with a body.
///
/// ```
/// use r7_proto::crm::opportunity::DeleteOpportunity;
/// use r7_proto::{build_request, BaseUrl, RequestContext, Token};
///
/// let base = BaseUrl::parse("https://portal.example.com/")?;
/// let token = Token::new("my-token")?;
/// let request = build_request(&DeleteOpportunity::new(1234), &RequestContext::new(&base, Some(&token)))?;
/// assert_eq!(request.method(), http::Method::DELETE);
/// assert_eq!(request.uri(), "https://portal.example.com/api/2.0/crm/opportunity/1234.json");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn build_request<E: Endpoint>(
    endpoint: &E,
    context: &RequestContext<'_>,
) -> Result<Request<Bytes>, BuildError> {
    endpoint.validate()?;
    let token = match (endpoint.auth(), context.token) {
        (Auth::Required, None) => return Err(BuildError::MissingToken),
        (_, token) => token,
    };

    let mut uri = String::with_capacity(
        context.base_url.as_str().len() + endpoint.path_template().len() + 16,
    );
    uri.push_str(context.base_url.as_str());
    endpoint.write_path(&mut uri);
    uri.push_str(context.format.suffix());
    let query = endpoint.query();
    if !query.is_empty() {
        uri.push('?');
        write_query(&mut uri, &query);
    }
    let uri = Uri::try_from(uri).map_err(http::Error::from)?;

    // Filled in place rather than through `Request::builder`, which moves the whole request
    // through a `Result` at every step: this is on the path of every call.
    let (content_type, body) = match endpoint.body()? {
        Some(body) => (Some(body.content_type), body.bytes),
        None => (None, Bytes::new()),
    };
    let mut request = Request::new(body);
    *request.method_mut() = endpoint.method();
    *request.uri_mut() = uri;
    let headers = request.headers_mut();
    headers.reserve(4);
    headers.insert(
        ACCEPT,
        HeaderValue::from_static(context.format.media_type()),
    );
    headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
    if let Some(token) = token {
        headers.insert(AUTHORIZATION, token.header_value(context.auth_scheme));
    }
    if let Some(content_type) = content_type {
        let value = match content_type {
            Cow::Borrowed(text) => HeaderValue::from_static(text),
            Cow::Owned(text) => HeaderValue::try_from(text).map_err(http::Error::from)?,
        };
        headers.insert(CONTENT_TYPE, value);
    }
    Ok(request)
}
