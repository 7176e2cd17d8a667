//! Arbitrary text through `ApiDateTime::parse`.
//!
//! Never panics; whatever parses writes back in the server's form (7 fraction digits, `Z` or
//! `±HH:MM`), and that text parses to the same value; `parse` and `parse_optional` agree; the
//! instant survives `unix_nanos` / `from_unix_nanos` at the value's own offset.

#![no_main]

use libfuzzer_sys::fuzz_target;
use r7_model::ApiDateTime;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = ApiDateTime::parse(text);
    let optional = ApiDateTime::parse_optional(text);
    match (&parsed, &optional) {
        (Ok(v), Ok(Some(o))) => assert_eq!(v, o),
        // The server's "no date": refused by `parse`, `None` from `parse_optional`.
        (Err(_), Ok(None)) | (Err(_), Err(_)) => {}
        _ => panic!("parse and parse_optional disagree on {text:?}: {parsed:?} / {optional:?}"),
    }
    let Ok(value) = parsed else {
        return;
    };

    let written = value.to_string();
    let again = ApiDateTime::parse(&written)
        .unwrap_or_else(|e| panic!("{text:?} wrote {written:?}, which does not parse: {e}"));
    assert_eq!(again, value, "{text:?} -> {written:?}");
    assert_eq!(again.to_string(), written);

    // The written form: `yyyy-MM-ddTHH:mm:ss.fffffff` then `Z` or `±HH:MM`.
    let bytes = written.as_bytes();
    assert_eq!(bytes[19], b'.', "{written:?}");
    assert!(bytes[20..27].iter().all(u8::is_ascii_digit), "{written:?}");
    match &written[27..] {
        "Z" => assert_eq!(value.offset_minutes(), 0),
        offset => {
            assert_eq!(offset.len(), 6, "{written:?}");
            assert_ne!(value.offset_minutes(), 0);
        }
    }

    // Through Unix time and back at the same offset.
    let nanos = value.unix_nanos();
    let back = ApiDateTime::from_unix_nanos(nanos, value.offset_minutes())
        .unwrap_or_else(|e| panic!("{written}: from_unix_nanos failed: {e}"));
    assert_eq!(back, value);
    // Another offset either fits in years 1..=9999 or is refused; it keeps the instant.
    if let Ok(utc) = value.with_offset(0) {
        assert_eq!(utc.unix_nanos(), nanos);
    }
});
