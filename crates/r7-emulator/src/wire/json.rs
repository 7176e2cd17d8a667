//! JSON written byte for byte as the server writes it.

use std::io;

use serde::Serialize;

/// Serializes `value` as compact JSON with the server's string escaping.
pub(crate) fn to_server_json<T: Serialize + ?Sized>(
    value: &T,
) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(1024);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, ServerFormatter);
    value.serialize(&mut serializer)?;
    Ok(out)
}

/// Compact JSON with the escaping of the server's `JsonStringConverter`: `/` as `\/`, control
/// characters as lower-case `\u00xx` (a newline is `\u000a`, not `\n`), characters outside the
/// BMP as a pair of `\uxxxx` surrogates, U+FFFE/U+FFFF as `\ufffe`/`\uffff`; all other
/// non-ASCII text raw UTF-8.
struct ServerFormatter;

impl serde_json::ser::Formatter for ServerFormatter {
    fn write_string_fragment<W>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        // Most text has nothing to escape: a byte scan (which the compiler vectorises) spares
        // it the walk char by char. Every character escaped below contains `/` or a byte of
        // 0xEF or above (U+FFFE/U+FFFF start with 0xEF, characters beyond the BMP with 0xF0+).
        if !fragment.bytes().any(|b| b == b'/' || b >= 0xEF) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut plain_from = 0;
        for (at, c) in fragment.char_indices() {
            let needs_escape = c == '/' || c > '\u{FFFF}' || c == '\u{FFFE}' || c == '\u{FFFF}';
            if !needs_escape {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[plain_from..at])?;
            plain_from = at + c.len_utf8();
            if c == '/' {
                writer.write_all(b"\\/")?;
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
        }
        writer.write_all(&fragment.as_bytes()[plain_from..])
    }

    fn write_char_escape<W>(
        &mut self,
        writer: &mut W,
        char_escape: serde_json::ser::CharEscape,
    ) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        use serde_json::ser::CharEscape;
        let control = match char_escape {
            CharEscape::Quote => return writer.write_all(b"\\\""),
            CharEscape::ReverseSolidus => return writer.write_all(b"\\\\"),
            CharEscape::Solidus => return writer.write_all(b"\\/"),
            CharEscape::Backspace => 0x08,
            CharEscape::FormFeed => 0x0c,
            CharEscape::LineFeed => 0x0a,
            CharEscape::CarriageReturn => 0x0d,
            CharEscape::Tab => 0x09,
            CharEscape::AsciiControl(byte) => byte,
        };
        write!(writer, "\\u{control:04x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(value: &impl Serialize) -> String {
        String::from_utf8(to_server_json(value).unwrap()).unwrap()
    }

    #[test]
    fn strings_are_escaped_like_the_server() {
        assert_eq!(json(&"a/b"), r#""a\/b""#);
        assert_eq!(
            json(&"line\nnext\ttab\r"),
            r#""line\u000anext\u0009tab\u000d""#
        );
        assert_eq!(json(&"\u{1}\u{1f}"), r#""\u0001\u001f""#);
        assert_eq!(json(&"q\"b\\"), r#""q\"b\\""#);
        assert_eq!(json(&"₽ Рубль"), "\"₽ Рубль\"");
        assert_eq!(json(&"😀"), r#""\ud83d\ude00""#);
        assert_eq!(json(&"\u{fffe}x\u{ffff}"), r#""\ufffex\uffff""#);
        assert_eq!(json(&"</a>"), r#""<\/a>""#);
    }

    #[test]
    fn numbers_and_keys_are_written_compactly() {
        #[derive(Serialize)]
        struct S {
            #[serde(rename = "a/b")]
            key: f64,
            n: i64,
        }
        assert_eq!(json(&S { key: 1500.0, n: -3 }), r#"{"a\/b":1500.0,"n":-3}"#);
    }
}
