//! What a fresh sign-in token looks like.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

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
