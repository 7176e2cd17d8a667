//! Answers byte for byte as the real server writes them: the envelope and its errors, JSON with
//! the escaping of the server's `JsonStringConverter`, XML made from that JSON as Json.NET's
//! `XmlNodeConverter` makes it, and the pages outside the API.
//!
//! Two of its functions are public, for tests that check a decoder against the emulator's exact
//! output: [`to_json`] and [`json_to_xml`].

mod envelope;
mod errors;
mod json;
mod node;
mod pages;
mod xml;

use serde::Serialize;

pub(crate) use crate::server::body::Body;
pub(crate) use envelope::{
    AUTH_COOKIE, Format, PageMeta, Reply, error, rate_limited, signed_in, success,
};
pub(crate) use errors::ApiError;
pub(crate) use node::{Node, to_node};
pub(crate) use pages::{
    bad_gateway_page, fresh_guid, not_found_page, oversized, preflight, unauthorized,
};

/// `value` as compact JSON with the server's string escaping: `/` as `\/`, control
/// characters as `\u00xx`, characters outside the BMP as surrogate pairs.
///
/// # Errors
///
/// When `value`'s `Serialize` fails (a map with non-string keys, say).
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    json::to_server_json(value)
}

/// The XML the server makes of a JSON document (Json.NET's conversion): root `<result>`,
/// an array as repeated elements of its member's name, `null` and `{}` as `<x />`.
///
/// # Errors
///
/// When `json` is not a JSON document.
pub fn json_to_xml(json: &[u8]) -> Result<String, serde_json::Error> {
    xml::json_to_xml(json)
}
