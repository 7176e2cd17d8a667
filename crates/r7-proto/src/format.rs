//! [`Format`]: JSON or XML on the wire.

use std::fmt;

/// The wire format of a response.
///
/// The server picks the format from the request path alone: XML when the path ends in `.xml`
/// (and the request body is not JSON), JSON otherwise; `Accept` is ignored. Requests built by this
/// crate therefore carry the matching suffix, and responses are decoded by their own
/// `Content-Type`, never by what was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// JSON (`.json` suffix, `application/json`). The default.
    #[default]
    Json,
    /// XML (`.xml` suffix, `text/xml`), the server's mechanical conversion of its JSON.
    Xml,
}

impl Format {
    /// The path suffix that selects this format, with its dot.
    pub fn suffix(self) -> &'static str {
        match self {
            Format::Json => ".json",
            Format::Xml => ".xml",
        }
    }

    /// The media type of this format, as sent in `Accept`.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Xml => "text/xml",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Json => "JSON",
            Format::Xml => "XML",
        })
    }
}
