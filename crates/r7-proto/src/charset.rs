//! The character set of a response body: UTF-8, or text transcoded to it.
//!
//! The portal writes UTF-8, but installations behind an old proxy or with a changed
//! `globalization` setting answer in `windows-1251` or `koi8-r`, and say so in the
//! `Content-Type` charset. Reading those bytes as UTF-8 would fail at the first Cyrillic
//! letter, or worse, decode other single-byte text as something it is not; so they are
//! transcoded by the WHATWG Encoding Standard's decoders (`encoding_rs`), and a charset that
//! is not known is refused by name.

use std::borrow::Cow;

use encoding_rs::{Encoding, REPLACEMENT, UTF_8};

/// Why a body could not be brought to UTF-8.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CharsetError {
    /// The `charset` names no encoding this client knows (or one that cannot be decoded
    /// safely, such as ISO-2022-KR, which the standard maps to "replacement").
    Unknown(String),
    /// The bytes are not valid text in the named charset.
    Malformed(&'static str),
}

/// Longest charset label kept for an error message; the header is the server's text.
const MAX_LABEL_CHARS: usize = 40;

/// `body` in UTF-8: borrowed when the `Content-Type` names no charset or UTF-8 (the bytes are
/// then checked by the decoder itself), transcoded otherwise.
pub(crate) fn to_utf8<'b>(
    content_type: Option<&str>,
    body: &'b [u8],
) -> Result<Cow<'b, [u8]>, CharsetError> {
    let Some(label) = content_type.and_then(charset) else {
        return Ok(Cow::Borrowed(body));
    };
    // What the portal sends, answered without a look-up in the label table.
    if label.eq_ignore_ascii_case("utf-8") {
        return Ok(Cow::Borrowed(body));
    }
    let encoding = match Encoding::for_label(label.as_bytes()) {
        Some(encoding) if encoding == REPLACEMENT => None,
        other => other,
    };
    let Some(encoding) = encoding else {
        let label: String = label.chars().take(MAX_LABEL_CHARS).collect();
        return Err(CharsetError::Unknown(label));
    };
    if encoding == UTF_8 {
        return Ok(Cow::Borrowed(body));
    }
    // Without replacement: a byte the charset does not define is an error, not a U+FFFD that
    // would pass for text.
    match encoding.decode_without_bom_handling_and_without_replacement(body) {
        Some(Cow::Borrowed(text)) => Ok(Cow::Borrowed(text.as_bytes())),
        Some(Cow::Owned(text)) => Ok(Cow::Owned(text.into_bytes())),
        None => Err(CharsetError::Malformed(encoding.name())),
    }
}

/// The `charset` parameter of a `Content-Type`, without quotes.
fn charset(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_charset_parameter() {
        assert_eq!(charset("application/json; charset=UTF-8"), Some("UTF-8"));
        assert_eq!(charset("text/xml;Charset=\"koi8-r\""), Some("koi8-r"));
        assert_eq!(charset("text/xml; q=1 ; charset = cp1251 "), Some("cp1251"));
        assert_eq!(charset("application/json"), None);
    }

    #[test]
    fn transcodes_known_charsets_and_names_unknown_ones() {
        // "Сделка" in windows-1251 and in koi8-r.
        let cp1251 = b"\xd1\xe4\xe5\xeb\xea\xe0";
        let koi8 = b"\xf3\xc4\xc5\xcc\xcb\xc1";
        for (content_type, body) in [
            ("text/xml; charset=windows-1251", &cp1251[..]),
            ("text/xml; charset=cp1251", &cp1251[..]),
            ("application/json; charset=KOI8-R", &koi8[..]),
        ] {
            let text = to_utf8(Some(content_type), body).unwrap();
            assert_eq!(std::str::from_utf8(&text), Ok("Сделка"), "{content_type}");
        }
        assert!(matches!(
            to_utf8(Some("text/xml; charset=utf-8"), b"\xff"),
            Ok(Cow::Borrowed(b"\xff"))
        ));
        assert_eq!(
            to_utf8(Some("text/xml; charset=klingon"), b"x"),
            Err(CharsetError::Unknown("klingon".to_owned()))
        );
        assert_eq!(
            to_utf8(Some("text/xml; charset=iso-2022-kr"), b"x"),
            Err(CharsetError::Unknown("iso-2022-kr".to_owned()))
        );
        // windows-1253 leaves 0xAA undefined (every byte of windows-1251 is defined).
        assert_eq!(
            to_utf8(Some("text/xml; charset=windows-1253"), b"a\xaa"),
            Err(CharsetError::Malformed("windows-1253"))
        );
    }
}
