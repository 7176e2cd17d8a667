//! Rendering a path template with percent-encoded parameters.

use percent_encoding::{AsciiSet, utf8_percent_encode};

use std::borrow::Cow;

/// Everything but the unreserved characters of RFC 3986 (`A-Z a-z 0-9 - . _ ~`): a parameter can
/// neither add a path segment (`/`, and `\`, which WHATWG URL parsers and .NET's `Uri` read as
/// `/`), nor end the path (`?`, `#`), nor start a matrix parameter (`;`) or smuggle in a
/// pre-encoded character (`%2F`), while `-`, `.`, `_` and `~` stay readable.
const PATH_SEGMENT: &AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The same set for query names and values: `&`, `=`, `+`, `#` and `%` cannot start another
/// parameter or change how a value decodes.
const QUERY_COMPONENT: &AsciiSet = PATH_SEGMENT;

/// Percent-encodes one path segment. `.` and `..` are encoded too, because clients and proxies
/// would otherwise resolve them as "this" and "parent" directory.
pub fn encode_path_segment(value: &str) -> String {
    match value {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        _ => utf8_percent_encode(value, PATH_SEGMENT).to_string(),
    }
}

/// A value that can be one path segment.
pub(crate) trait Segment {
    /// Appends the value, percent-encoded, to `out`.
    fn write_segment(&self, out: &mut String);
}

/// A text segment: every character but the unreserved ones is encoded, and `.` and `..` too.
/// An empty text is refused by `check::segment` before the path is written.
impl Segment for String {
    fn write_segment(&self, out: &mut String) {
        match self.as_str() {
            "." => out.push_str("%2E"),
            ".." => out.push_str("%2E%2E"),
            // Encoded straight into the request's URI: no string of its own per segment.
            value => out.extend(utf8_percent_encode(value, PATH_SEGMENT)),
        }
    }
}

/// A number segment: the id of a contact, deal or case in the routes that take any of them.
impl Segment for i32 {
    fn write_segment(&self, out: &mut String) {
        use std::fmt::Write as _;
        let _ = write!(out, "{self}");
    }
}

/// Appends query pairs to `out` as `a=1&b=2`.
pub(crate) fn write_query(out: &mut String, pairs: &[(Cow<'static, str>, String)]) {
    for (at, (name, value)) in pairs.iter().enumerate() {
        if at > 0 {
            out.push('&');
        }
        out.extend(utf8_percent_encode(name.as_ref(), QUERY_COMPONENT));
        out.push('=');
        out.extend(utf8_percent_encode(value, QUERY_COMPONENT));
    }
}

/// Percent-encodes one query or form component.
pub(crate) fn encode_query_component(text: &str) -> String {
    utf8_percent_encode(text, QUERY_COMPONENT).to_string()
}

/// Encodes query pairs as `a=1&b=2`.
pub(crate) fn encode_query(pairs: &[(Cow<'static, str>, String)]) -> String {
    let mut out = String::new();
    write_query(&mut out, pairs);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_cannot_change_the_path() {
        for (raw, encoded) in [
            ("1234", "1234"),
            ("a/b", "a%2Fb"),
            ("a%2Fb", "a%252Fb"),
            ("../x", "..%2Fx"),
            ("..", "%2E%2E"),
            (".", "%2E"),
            ("a?b#c", "a%3Fb%23c"),
            ("a b", "a%20b"),
            ("д.json", "%D0%B4.json"),
            ("x-y_z~1.2", "x-y_z~1.2"),
            ("line\r\nbreak", "line%0D%0Abreak"),
            ("a\\..\\b", "a%5C..%5Cb"),
            ("a;b=c", "a%3Bb%3Dc"),
        ] {
            assert_eq!(encode_path_segment(raw), encoded, "{raw:?}");
        }
    }

    #[test]
    fn query_values_are_always_encoded() {
        let q = encode_query(&[
            ("filterValue".into(), "a b&c=d".to_owned()),
            (
                "fromDate".into(),
                "2022-10-08T18:03:33.1944111+03:00".to_owned(),
            ),
            ("tags".into(), "вип".to_owned()),
        ]);
        assert_eq!(
            q,
            "filterValue=a%20b%26c%3Dd&fromDate=2022-10-08T18%3A03%3A33.1944111%2B03%3A00&tags=%D0%B2%D0%B8%D0%BF"
        );
    }
}
