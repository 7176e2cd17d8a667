//! The [`Endpoint`] trait: what one API method is, with no I/O.

use crate::error::BuildError;
use crate::output::FromEnvelope;
use bytes::Bytes;
use http::Method;

/// Whether an endpoint needs the caller to be signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Auth {
    /// A token is required; building the request without one fails.
    Required,
    /// The endpoint works without a token (authentication itself).
    None,
}

/// A request body and its media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// The `Content-Type` to send.
    pub content_type: &'static str,
    /// The encoded body.
    pub bytes: Bytes,
}

/// One method of the portal's API, described as data.
///
/// An endpoint value holds the method's parameters; the associated items say how to send it
/// and what comes back. [`crate::build_request`] turns it into an `http::Request` and
/// [`crate::parse_response`] turns the `http::Response` into [`Endpoint::Output`] or a typed
/// error. Nothing here performs I/O, so any HTTP client can send endpoints.
pub trait Endpoint {
    /// What a successful response gives: a model value, a [`crate::Page`] of a list, or
    /// [`crate::NoContent`].
    type Output: FromEnvelope;

    /// The HTTP method.
    const METHOD: Method;

    /// The path after the portal's base address, with `{name}` placeholders for path parameters,
    /// e.g. `api/2.0/crm/opportunity/{opportunityid}`. It is also the name under which requests
    /// are logged, so ids never reach a log.
    const PATH_TEMPLATE: &'static str;

    /// Whether a token is required.
    const AUTH: Auth = Auth::Required;

    /// Whether sending the request twice has the same effect as sending it once, so that a
    /// transport may repeat it after a failure in transit.
    const IDEMPOTENT: bool = false;

    /// Whether requests or responses carry secrets (passwords, tokens), so that neither bodies nor
    /// response snippets may appear in errors or logs.
    const SENSITIVE: bool = false;

    /// Checks the parameters before anything is built or sent.
    fn validate(&self) -> Result<(), BuildError> {
        Ok(())
    }

    /// The unencoded value of the path placeholder `name`, or `None` if the endpoint has no such
    /// parameter. Values are percent-encoded when the path is built.
    fn path_param(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }

    /// Query parameters as unencoded name/value pairs; a name may repeat.
    fn query(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// The request body, if the method has one.
    fn body(&self) -> Result<Option<Body>, BuildError> {
        Ok(None)
    }
}

/// A list endpoint that takes the server's paging parameters (`startIndex`, `count`).
pub trait Paged: Endpoint + Clone {
    /// The requested offset (`startIndex`), if set.
    fn page_start(&self) -> Option<u64>;

    /// The requested page size (`count`), if set.
    fn page_size(&self) -> Option<u64>;

    /// The same request for the page at `start_index` with `count` items.
    fn with_page(&self, start_index: u64, count: u64) -> Self;
}

/// What one endpoint is, as data: for tables, routing and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointInfo {
    /// The Rust type's name, e.g. `DeleteOpportunity`.
    pub name: &'static str,
    /// The HTTP method, e.g. `DELETE`.
    pub method: &'static str,
    /// The path template with plain placeholders, as [`Endpoint::PATH_TEMPLATE`].
    pub path_template: &'static str,
    /// The server's route: the template with each placeholder's constraint, e.g.
    /// `api/2.0/crm/opportunity/{opportunityid:[0-9]+}`.
    pub route: &'static str,
    /// Whether a token is required.
    pub auth: Auth,
    /// Whether the request may be repeated.
    pub idempotent: bool,
    /// Whether the server's documentation hides it.
    pub undocumented: bool,
    /// The output type's name, e.g. `List<Opportunity>`.
    pub output: &'static str,
}
