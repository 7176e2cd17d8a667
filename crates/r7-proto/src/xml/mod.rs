//! Decoding of the portal's XML responses with serde.
//!
//! The server makes its XML by converting the JSON response mechanically (Json.NET's
//! `XmlNodeConverter`): the root is `<result>`, element names are the JSON member names, an array
//! becomes sibling elements that repeat the member's name (an empty array leaves no element at
//! all), `null` becomes a self-closed element such as `<currency />`, and every scalar is text.
//! This module reverses that, guided by the target type, so the same `Deserialize` impls (those of
//! `r7-model`) read both forms:
//!
//! * a number or a boolean is parsed from the element's text (`True`, `true` and `1` are true);
//! * a self-closed element is `None` for an `Option` and an empty list for a `Vec`;
//! * a field of type `Vec<T>` takes every element of that name, in order; one element gives a
//!   one-item list, as the XML cannot tell a one-item array from a single value;
//! * unknown elements are skipped, and attributes, comments and namespace prefixes are ignored.
//!
//! ```
//! #[derive(serde::Deserialize)]
//! struct Envelope {
//!     status: i32,
//!     #[serde(default)]
//!     response: Vec<r7_proto::model::OpportunityStage>,
//! }
//!
//! let xml = "<result><status>0</status>\
//!     <response><stageType>0</stageType><title>Initial</title><id>1</id></response>\
//!     <response><stageType>1</stageType><title>Won</title><id>6</id></response></result>";
//! let envelope: Envelope = r7_proto::xml::from_str(xml)?;
//! assert_eq!(envelope.status, 0);
//! assert_eq!(envelope.response[1].title, "Won");
//! # Ok::<(), r7_proto::xml::XmlError>(())
//! ```
//!
//! The input is untrusted: a `<!DOCTYPE>` is refused (so no entity can be declared or expanded),
//! only the five predefined entities and character references are accepted, elements may nest
//! at most 64 deep, and decoding stops with an error once the values it builds would take far more
//! memory than a real answer of the document's size (such as a list of deals made of thousands of
//! `<response />`).

mod de;
mod tree;

#[cfg(test)]
mod tests;

use std::fmt;

use serde::de::DeserializeOwned;

use crate::budget::{Budget, Budgeted};

/// Longest message kept in an [`XmlError`]; serde and quick-xml messages may quote input.
const MAX_MESSAGE_CHARS: usize = 256;

/// Decodes `T` from the content of the root element of an XML document in UTF-8.
///
/// The root element's name is not checked (the server always writes `<result>`).
///
/// # Errors
///
/// Fails when the bytes are not UTF-8, when the document is not well-formed or breaks the limits
/// described in the [module documentation](self), and when the content does not fit `T`.
pub fn from_slice<T: DeserializeOwned>(xml: &[u8]) -> Result<T, XmlError> {
    from_slice_within(xml, &Budget::for_input(xml.len()))
}

/// [`from_slice`] with the memory budget of the response the document came in.
pub(crate) fn from_slice_within<T: DeserializeOwned>(
    xml: &[u8],
    budget: &Budget,
) -> Result<T, XmlError> {
    let xml = std::str::from_utf8(xml).map_err(|e| {
        XmlError::new(
            "the document is not valid UTF-8",
            Location::Byte(e.valid_up_to() as u64),
        )
    })?;
    from_str_within(xml, budget)
}

/// Decodes `T` from the content of the root element of an XML document.
///
/// The root element's name is not checked (the server always writes `<result>`).
///
/// # Errors
///
/// As [`from_slice`], except that a `&str` is UTF-8 already.
pub fn from_str<T: DeserializeOwned>(xml: &str) -> Result<T, XmlError> {
    from_str_within(xml, &Budget::for_input(xml.len()))
}

fn from_str_within<T: DeserializeOwned>(xml: &str, budget: &Budget) -> Result<T, XmlError> {
    let doc = tree::parse(xml)?;
    let path = de::Path::root(doc.name(0));
    T::deserialize(Budgeted::new(de::De::new(&doc, &[0], &path), budget))
}

/// Why an XML document could not be decoded: what went wrong, and where.
///
/// The message names the byte offset of a syntax error, or the path of the element whose content
/// did not fit (such as `result/response/stage/sortOrder`, with `[i]` for the i-th of repeated
/// elements). It quotes at most a short snippet of the input.
#[derive(Debug, thiserror::Error)]
#[error("{location}{message}")]
pub struct XmlError {
    message: String,
    location: Location,
}

/// Where an [`XmlError`] happened.
#[derive(Debug)]
enum Location {
    /// Not known (yet): set by the deserializer on the way out.
    Unknown,
    /// Byte offset in the document, for errors of the XML syntax and limits.
    Byte(u64),
    /// Path of an element, for content that does not fit the target type.
    Path(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Unknown => f.write_str("XML: "),
            Location::Byte(at) => write!(f, "invalid XML at byte {at}: "),
            Location::Path(path) => write!(f, "XML element {path}: "),
        }
    }
}

impl XmlError {
    fn new(message: impl fmt::Display, location: Location) -> Self {
        let mut message = message.to_string();
        if let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE_CHARS) {
            message.truncate(cut);
            message.push('…');
        }
        XmlError { message, location }
    }

    /// Records the element path, unless a deeper element already did.
    fn at(mut self, path: &de::Path<'_>) -> Self {
        if let Location::Unknown = self.location {
            self.location = Location::Path(path.to_string());
        }
        self
    }

    /// What went wrong, without the location.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The path of the element whose content did not fit, such as `result/response/id`, if the
    /// error is about content rather than syntax.
    pub fn path(&self) -> Option<&str> {
        match &self.location {
            Location::Path(path) => Some(path),
            _ => None,
        }
    }

    /// The byte offset in the document of a syntax error (or of invalid UTF-8).
    pub fn byte_offset(&self) -> Option<u64> {
        match self.location {
            Location::Byte(at) => Some(at),
            _ => None,
        }
    }
}

impl serde::de::Error for XmlError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        XmlError::new(msg, Location::Unknown)
    }
}

/// At most 64 characters of `text` (with `…` when cut), so that messages stay short.
fn short(text: &str) -> String {
    match text.char_indices().nth(64) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
