//! [`Token`]: the portal's authentication token, kept out of logs.

use std::fmt;

use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

/// A portal authentication token, as `POST api/2.0/authentication` returns it.
///
/// Its `Debug` prints `Token(<redacted>)` and it has no `Display`, so it cannot end up in a log
/// line or an error message by accident; its memory is wiped when it is dropped (`secrecy`).
/// Requests carry it in a header marked sensitive.
///
/// ```
/// let token = r7_proto::Token::new("secret-value")?;
/// assert_eq!(format!("{token:?}"), "Token(<redacted>)");
/// # Ok::<(), r7_proto::InvalidToken>(())
/// ```
#[derive(Clone)]
pub struct Token {
    value: SecretString,
}

/// A token that cannot be sent in an HTTP header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid token: {reason} (the token itself is not shown)")]
pub struct InvalidToken {
    reason: &'static str,
}

impl Token {
    /// Wraps a token string.
    ///
    /// Fails when the token is empty or holds characters that cannot travel in a header
    /// (control characters such as CR or LF, spaces, non-ASCII), so a bad value is refused here,
    /// not when a request is already being sent.
    pub fn new(value: impl Into<String>) -> Result<Self, InvalidToken> {
        let value = value.into();
        let value = value.trim();
        if value.is_empty() {
            return Err(InvalidToken {
                reason: "it is empty",
            });
        }
        if !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidToken {
                reason: "it contains spaces, control characters or non-ASCII characters",
            });
        }
        Ok(Token {
            value: SecretString::from(value),
        })
    }

    /// The token text, for callers that must store or forward it. Handle with care.
    pub fn expose(&self) -> &str {
        self.value.expose_secret()
    }

    /// The `Authorization` header value for `scheme`, marked sensitive so that HTTP libraries
    /// leave it out of their logs.
    pub(crate) fn header_value(&self, scheme: AuthScheme) -> HeaderValue {
        // `Token::new` admits only visible ASCII, which is always a valid header value. The raw
        // scheme copies the token once (into the header), not twice.
        let value = match scheme {
            AuthScheme::Raw => HeaderValue::from_str(self.expose()),
            AuthScheme::Bearer => HeaderValue::from_str(&format!("Bearer {}", self.expose())),
        };
        let mut value = value.unwrap_or_else(|_| HeaderValue::from_static(""));
        value.set_sensitive(true);
        value
    }
}

impl PartialEq for Token {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Token {}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// How the token is written in the `Authorization` header. The server accepts both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AuthScheme {
    /// `Authorization: <token>`, the form the portal's documentation shows. The default.
    #[default]
    Raw,
    /// `Authorization: Bearer <token>`.
    Bearer,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_values_a_header_cannot_carry() {
        for bad in ["", "   ", "abc\r\nX-Evil: 1", "a b", "токен", "a\0b"] {
            let err = Token::new(bad).unwrap_err();
            assert!(!err.to_string().contains(bad.trim()) || bad.trim().is_empty());
        }
    }

    #[test]
    fn never_shows_the_value() {
        let token = Token::new("s3cr3t-t0ken").unwrap();
        assert_eq!(format!("{token:?}"), "Token(<redacted>)");
        assert_eq!(format!("{token:#?}"), "Token(<redacted>)");
        let header = token.header_value(AuthScheme::Raw);
        assert!(header.is_sensitive());
        assert_eq!(header, "s3cr3t-t0ken");
        assert_eq!(
            token.header_value(AuthScheme::Bearer),
            "Bearer s3cr3t-t0ken"
        );
    }
}
