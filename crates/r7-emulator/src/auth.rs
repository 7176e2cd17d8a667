//! Sign-in: where `POST authentication` finds `userName` and `password`, and what a fresh token
//! looks like.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

/// The request parameters of one call, as the server's binder sees them: one list, searched
/// with ASCII case ignored, where the first value of a name wins. Query parameters come before
/// body parameters.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Params(Vec<(String, String)>);

/// Why a body gave no parameters the server would accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// An `application/json` body that is not a JSON object (`Unable to deserialize json`).
    NotAJsonObject,
}

impl Params {
    /// The first value bound to `name`, ASCII case ignored.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Adds the pairs of an `application/x-www-form-urlencoded` text (also a query string).
    pub(crate) fn add_form(&mut self, text: &[u8]) {
        for pair in text.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &[][..]),
            };
            self.0.push((form_decode(name), form_decode(value)));
        }
    }

    /// Adds the members of a JSON object body. Scalars bind as their text (`null` as an empty
    /// string); nested objects and arrays bind under other names (`name[key]`), so they are
    /// left out here. An empty body adds nothing.
    pub(crate) fn add_json(&mut self, body: &[u8]) -> Result<(), BodyError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|_| BodyError::NotAJsonObject)?;
        let serde_json::Value::Object(members) = value else {
            return Err(BodyError::NotAJsonObject);
        };
        for (name, value) in members {
            let text = match value {
                serde_json::Value::Null => String::new(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::String(s) => s,
                serde_json::Value::Array(_) | serde_json::Value::Object(_) => continue,
            };
            self.0.push((name, text));
        }
        Ok(())
    }
}

/// Decodes one form-encoded name or value: `+` is a space and `%XX` a byte; a `%` not followed
/// by two hex digits stays as it is; bytes that are not UTF-8 become U+FFFD.
pub(crate) fn form_decode(text: &[u8]) -> String {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = text.get(i + 1..i + 3).and_then(|h| {
                    let h = std::str::from_utf8(h).ok()?;
                    // `from_str_radix` would take a sign; only two hex digits will do.
                    h.bytes()
                        .all(|b| b.is_ascii_hexdigit())
                        .then(|| u8::from_str_radix(h, 16).ok())
                        .flatten()
                });
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A fresh token in the server's style: base64 of 47 random bytes (64 characters, ending in
/// `=`, and likely to hold `+` and `/`). The randomness comes from `RandomState`'s per-instance
/// keys over a process-wide counter: unpredictable enough for tests, not for real secrets.
pub(crate) fn fresh_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut bytes = Vec::with_capacity(48);
    for _ in 0..6 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        bytes.extend_from_slice(&RandomState::new().hash_one(n).to_le_bytes());
    }
    bytes.truncate(47);
    base64(&bytes)
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> shift) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding() {
        assert_eq!(form_decode(b"a+b%20c"), "a b c");
        assert_eq!(form_decode(b"admin%40example.com"), "admin@example.com");
        assert_eq!(form_decode(b"%2B%2b%3D"), "++=");
        assert_eq!(form_decode(b"%D0%9F%D1%80"), "Пр");
        assert_eq!(form_decode(b"100%"), "100%");
        assert_eq!(form_decode(b"%zz%4"), "%zz%4");
        assert_eq!(form_decode(b"%+1"), "% 1");
        assert_eq!(form_decode(b"%ff"), "\u{fffd}");
        assert_eq!(form_decode(b""), "");
    }

    #[test]
    fn form_params_first_value_wins_and_names_ignore_case() {
        let mut params = Params::default();
        params.add_form(b"UserName=a%40b&password=p+w&&flag&username=late");
        assert_eq!(params.get("userName"), Some("a@b"));
        assert_eq!(params.get("PASSWORD"), Some("p w"));
        assert_eq!(params.get("flag"), Some(""));
        assert_eq!(params.get("missing"), None);
    }

    #[test]
    fn json_params() {
        let mut params = Params::default();
        params
            .add_json(br#"{"userName":"u","password":123,"x":null,"o":{"a":1},"t":true}"#)
            .unwrap();
        assert_eq!(params.get("username"), Some("u"));
        assert_eq!(params.get("password"), Some("123"));
        assert_eq!(params.get("x"), Some(""));
        assert_eq!(params.get("o"), None);
        assert_eq!(params.get("t"), Some("true"));
        assert_eq!(params.add_json(b"  "), Ok(()));
        assert_eq!(params.add_json(b"[1]"), Err(BodyError::NotAJsonObject));
        assert_eq!(params.add_json(b"{"), Err(BodyError::NotAJsonObject));
        assert_eq!(params.add_json(b"\"s\""), Err(BodyError::NotAJsonObject));
    }

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn tokens_are_fresh_and_fit_a_header() {
        let a = fresh_token();
        let b = fresh_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert!(a.ends_with('=') && !a.ends_with("=="));
        assert!(a.bytes().all(|c| c.is_ascii_graphic() && c != b','));
    }
}
