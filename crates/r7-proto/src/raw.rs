//! [`Raw`]: an endpoint for any route, for what the SDK does not have yet.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use http::Method;
use serde::de::DeserializeOwned;

use crate::endpoint::{Auth, Body, Endpoint};
use crate::error::BuildError;
use crate::form::Form;
use crate::output::{FromEnvelope, PageInfo};
use crate::path::Segment;

/// Any route of the portal's API, sent like the generated endpoints: by the same client, with
/// its sign-in, retries, deadline and redaction of secrets.
///
/// The path is a template after the portal's address, without the format suffix:
/// `{name}` placeholders are filled by [`Raw::path_param`] and percent-encoded as one segment
/// each, and the template (not the filled path) is what logs show, so ids in placeholders never
/// reach a log. Query parameters and a form body (`application/x-www-form-urlencoded`, the form
/// the server binds in every case) are added by name. The answer's `response` decodes into `T`,
/// [`serde_json::Value`] unless [`Raw::output`] picks another type.
///
/// Only a GET is repeated after a failure in transit, unless [`Raw::idempotent`] says more.
///
/// ```
/// use r7_proto::{build_request, BaseUrl, Raw, RequestContext, Token};
///
/// let tags = Raw::get("api/2.0/crm/{entityType}/tag")
///     .path_param("entityType", "contact")
///     .query("count", 10);
/// let base = BaseUrl::parse("https://portal.example.com/")?;
/// let token = Token::new("my-token")?;
/// let request = build_request(&tags, &RequestContext::new(&base, Some(&token)))?;
/// assert_eq!(request.uri(), "https://portal.example.com/api/2.0/crm/contact/tag.json?count=10");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Raw<T = serde_json::Value> {
    method: Method,
    template: String,
    path_params: Vec<(String, String)>,
    query: Vec<(String, String)>,
    form: Vec<(String, String)>,
    auth: Auth,
    idempotent: bool,
    output: PhantomData<fn() -> T>,
}

impl Raw {
    /// A request with this method to the path template `path`.
    pub fn new(method: Method, path: impl Into<String>) -> Raw {
        let idempotent = method == Method::GET;
        Raw {
            method,
            template: path.into(),
            path_params: Vec::new(),
            query: Vec::new(),
            form: Vec::new(),
            auth: Auth::Required,
            idempotent,
            output: PhantomData,
        }
    }

    /// `GET path`.
    pub fn get(path: impl Into<String>) -> Raw {
        Raw::new(Method::GET, path)
    }

    /// `POST path`.
    pub fn post(path: impl Into<String>) -> Raw {
        Raw::new(Method::POST, path)
    }

    /// `PUT path`.
    pub fn put(path: impl Into<String>) -> Raw {
        Raw::new(Method::PUT, path)
    }

    /// `DELETE path`.
    pub fn delete(path: impl Into<String>) -> Raw {
        Raw::new(Method::DELETE, path)
    }
}

impl<T> Raw<T> {
    /// Fills the placeholder `{name}` of the path with `value`, encoded as one segment.
    pub fn path_param(mut self, name: impl Into<String>, value: impl fmt::Display) -> Self {
        self.path_params.push((name.into(), value.to_string()));
        self
    }

    /// Adds a query parameter; a name may repeat (`ids=1&ids=2`, the server's list form).
    pub fn query(mut self, name: impl Into<String>, value: impl fmt::Display) -> Self {
        self.query.push((name.into(), value.to_string()));
        self
    }

    /// Adds a form body parameter; a name may repeat.
    pub fn form(mut self, name: impl Into<String>, value: impl fmt::Display) -> Self {
        self.form.push((name.into(), value.to_string()));
        self
    }

    /// Whether sending the request twice does what sending it once does, so that it may be
    /// repeated after a failure in transit (default: for GET only).
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    /// Sends no token, for the few routes that need none.
    pub fn without_auth(mut self) -> Self {
        self.auth = Auth::None;
        self
    }

    /// The same request, with the answer's `response` decoded into `U`.
    pub fn output<U: DeserializeOwned>(self) -> Raw<U> {
        Raw {
            method: self.method,
            template: self.template,
            path_params: self.path_params,
            query: self.query,
            form: self.form,
            auth: self.auth,
            idempotent: self.idempotent,
            output: PhantomData,
        }
    }

    /// The placeholders of the template, in order.
    fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.template
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
    }

    fn value_of(&self, name: &str) -> Option<&str> {
        self.path_params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl<T> Clone for Raw<T> {
    fn clone(&self) -> Self {
        Raw {
            method: self.method.clone(),
            template: self.template.clone(),
            path_params: self.path_params.clone(),
            query: self.query.clone(),
            form: self.form.clone(),
            auth: self.auth,
            idempotent: self.idempotent,
            output: PhantomData,
        }
    }
}

/// Values may hold personal data, so `Debug` shows the names only.
impl<T> fmt::Debug for Raw<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |pairs: &[(String, String)]| -> Vec<String> {
            pairs.iter().map(|(n, _)| n.clone()).collect()
        };
        f.debug_struct("Raw")
            .field("method", &self.method)
            .field("path", &self.template)
            .field("path_params", &names(&self.path_params))
            .field("query", &names(&self.query))
            .field("form", &names(&self.form))
            .finish()
    }
}

fn invalid(name: &str, reason: impl Into<String>) -> BuildError {
    BuildError::InvalidArgument {
        name: name.to_owned(),
        reason: reason.into(),
    }
}

impl<T: DeserializeOwned> Endpoint for Raw<T> {
    type Output = RawReply<T>;

    fn method(&self) -> Method {
        self.method.clone()
    }

    fn path_template(&self) -> &str {
        &self.template
    }

    fn auth(&self) -> Auth {
        self.auth
    }

    fn idempotent(&self) -> bool {
        self.idempotent
    }

    fn validate(&self) -> Result<(), BuildError> {
        let path = self.template.as_str();
        if !path.starts_with("api/") || path.contains(['?', '#', '\\']) {
            return Err(invalid(
                "path",
                "must be a route after the portal's address, such as `api/2.0/crm/contact/{id}`, \
                 without `?`, `#` or `\\` (add query parameters with `query`)",
            ));
        }
        if path
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
        {
            return Err(invalid("path", "must not have empty, `.` or `..` segments"));
        }
        if path.ends_with(".json") || path.ends_with(".xml") {
            return Err(invalid(
                "path",
                "must not end in .json or .xml: the client adds the suffix of its format",
            ));
        }
        for name in self.placeholders() {
            match self.value_of(name) {
                None => {
                    return Err(invalid(
                        name,
                        "the path has this placeholder; fill it with `path_param`",
                    ));
                }
                Some("") => return Err(invalid(name, "must not be empty (it is a path segment)")),
                Some(_) => {}
            }
        }
        for (name, _) in &self.path_params {
            if !self.placeholders().any(|p| p == name) {
                return Err(invalid(name, "the path has no such placeholder"));
            }
        }
        Ok(())
    }

    fn write_path(&self, out: &mut String) {
        let mut rest = self.template.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}').map(|i| open + i) else {
                break;
            };
            if let Some(value) = self.value_of(&rest[open + 1..close]) {
                value.to_owned().write_segment(out);
            }
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
    }

    fn query(&self) -> Vec<(Cow<'static, str>, String)> {
        self.query
            .iter()
            .map(|(n, v)| (Cow::Owned(n.clone()), v.clone()))
            .collect()
    }

    fn body(&self) -> Result<Option<Body>, BuildError> {
        if self.form.is_empty() {
            return Ok(None);
        }
        let mut form = Form::default();
        for (name, value) in &self.form {
            form.text(name.clone(), value.clone());
        }
        form.into_body()
    }
}

/// What a [`Raw`] request gives: the envelope's `response` and its paging numbers.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RawReply<T> {
    /// The envelope's `response`, decoded.
    pub response: T,
    /// The envelope's paging numbers (for lists).
    pub page: PageInfo,
}

impl<T: DeserializeOwned> FromEnvelope for RawReply<T> {
    type Payload = T;

    /// A missing `response` (an XML answer with an empty list, a method that returns nothing)
    /// decodes as `null` does, so `serde_json::Value` gives `Null` and `Option<_>` gives `None`.
    fn from_envelope(payload: Option<T>, page: PageInfo) -> Option<Self> {
        let response = match payload {
            Some(response) => response,
            None => T::deserialize(serde_json::Value::Null).ok()?,
        };
        Some(RawReply { response, page })
    }

    fn from_no_content() -> Option<Self> {
        Self::from_envelope(None, PageInfo::default())
    }
}
