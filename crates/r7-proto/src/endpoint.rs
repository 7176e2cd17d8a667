//! The [`Endpoint`] trait: what one API method is, with no I/O.

use std::borrow::Cow;

use bytes::Bytes;
use http::Method;

use crate::error::BuildError;
use crate::generated::EndpointId;
use crate::output::FromEnvelope;

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
    /// The `Content-Type` to send (a multipart body's names its boundary).
    pub content_type: Cow<'static, str>,
    /// The encoded body.
    pub bytes: Bytes,
}

/// One method of the portal's API, described as data.
///
/// An endpoint value holds the method's parameters; its methods say how to send it and
/// [`Endpoint::Output`] what comes back. [`crate::build_request`] turns it into an
/// `http::Request` and [`crate::parse_response`] turns the `http::Response` into the output or a
/// typed error. Nothing here performs I/O, so any HTTP client can send endpoints.
///
/// The generated endpoints (`crate::crm::...`) implement it from the spec; [`crate::Raw`] is an
/// endpoint for any route the SDK does not have yet.
pub trait Endpoint {
    /// What a successful response gives: a model value, a [`crate::Page`] of a list, or
    /// [`crate::NoContent`].
    type Output: FromEnvelope;

    /// Whether requests or responses carry secrets (passwords, tokens), so that neither bodies nor
    /// response snippets may appear in errors or logs.
    const SENSITIVE: bool = false;

    /// Which generated endpoint this is; `None` for hand-written and raw ones.
    fn id(&self) -> Option<EndpointId> {
        None
    }

    /// The HTTP method.
    fn method(&self) -> Method;

    /// The path after the portal's base address, with `{name}` placeholders for path parameters,
    /// e.g. `api/2.0/crm/opportunity/{opportunityid}`. It is the name under which requests are
    /// logged, so ids never reach a log.
    fn path_template(&self) -> &str;

    /// Whether a token is required.
    fn auth(&self) -> Auth {
        Auth::Required
    }

    /// Whether sending the request twice has the same effect as sending it once, so that a
    /// transport may repeat it after a failure in transit.
    fn idempotent(&self) -> bool {
        false
    }

    /// Checks the parameters before anything is built or sent.
    fn validate(&self) -> Result<(), BuildError> {
        Ok(())
    }

    /// Appends the path (the template with every parameter percent-encoded as one segment) to
    /// `out`. Called only after [`Endpoint::validate`] passed.
    fn write_path(&self, out: &mut String);

    /// Query parameters as unencoded name/value pairs; a name may repeat.
    fn query(&self) -> Vec<(Cow<'static, str>, String)> {
        Vec::new()
    }

    /// The request body, if the method has one.
    fn body(&self) -> Result<Option<Body>, BuildError> {
        Ok(None)
    }
}

/// A list endpoint that takes the server's paging parameters (`startIndex`, `count`).
pub trait Paged: Endpoint + Clone {
    /// Whether the answer's `total` is the number of items in all pages. It is not where the
    /// method leaves `total` to the server's framework, which sets it only on a full page and
    /// then to one more than the page (`GET history/filter`); a walk through the pages must
    /// then go on until a page comes back short.
    const TOTAL_COUNTS_ALL: bool = true;

    /// The requested offset (`startIndex`), if set.
    fn page_start(&self) -> Option<u64>;

    /// The requested page size (`count`), if set.
    fn page_size(&self) -> Option<u64>;

    /// The same request for the page at `start_index` with `count` items.
    fn with_page(&self, start_index: u64, count: u64) -> Self;
}

/// What one generated endpoint is, as data: for tables, routing and tests
/// ([`crate::ENDPOINTS`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EndpointInfo {
    /// Which endpoint.
    pub id: EndpointId,
    /// The Rust type's name, e.g. `DeleteOpportunity`.
    pub name: &'static str,
    /// The module of `crate::crm` it is in, e.g. `opportunity`.
    pub resource: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template with plain placeholders, as [`Endpoint::path_template`].
    pub path_template: &'static str,
    /// The server's route: the template with each placeholder's constraint, e.g.
    /// `api/2.0/crm/opportunity/{opportunityid:[0-9]+}`.
    pub route: &'static str,
    /// The file and line of the route in the server's source.
    pub source: &'static str,
    /// Whether a token is required.
    pub auth: Auth,
    /// Whether the request may be repeated.
    pub idempotent: bool,
    /// Whether the server's documentation hides it.
    pub undocumented: bool,
    /// Whether it takes the framework's paging parameters.
    pub paged: bool,
    /// The output as the spec writes it, e.g. `Opportunity[]` (a page), or `none`.
    pub output: &'static str,
    /// The parameters, in wire order.
    pub params: &'static [ParamInfo],
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamLocation {
    /// A path segment.
    Path,
    /// The query string.
    Query,
    /// The form body.
    Body,
}

/// One parameter of an endpoint, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParamInfo {
    /// The wire name, as the server binds it.
    pub name: &'static str,
    /// The Rust field name.
    pub field: &'static str,
    /// Where it travels.
    pub location: ParamLocation,
    /// The type as the spec writes it (`OpportunityId`, `string[]`).
    pub sdk_type: &'static str,
    /// The server's C# type of the parameter (`int`, `IEnumerable<Guid>`): what a missing value
    /// binds to follows from it.
    pub binding: &'static str,
    /// Whether the constructor takes it.
    pub required: bool,
}
