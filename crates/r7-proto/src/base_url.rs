//! [`BaseUrl`]: where the portal lives.

use std::fmt;
use std::str::FromStr;

use http::Uri;

/// The address of a portal: `http` or `https`, a host, an optional port and an optional
/// sub-path (`https://host/portal/`), always ending in `/`.
///
/// Endpoint paths (`api/2.0/...`) are appended to it, so a portal served under a sub-path
/// works. Anything that would make requests go somewhere unexpected is refused up front: a
/// missing scheme or host, a query, user info (credentials in the URL), or a path that already
/// ends in `api/2.0`.
///
/// ```
/// let base: r7_proto::BaseUrl = "https://portal.example.com/office".parse()?;
/// assert_eq!(base.as_str(), "https://portal.example.com/office/");
/// # Ok::<(), r7_proto::InvalidBaseUrl>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl {
    /// `scheme://authority/path/`, always ending in `/`.
    text: String,
    /// Length of `scheme://authority`, where the path starts.
    path_start: usize,
}

/// Why a string is not a usable portal address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid portal base URL: {reason}")]
pub struct InvalidBaseUrl {
    reason: String,
}

impl InvalidBaseUrl {
    fn new(reason: impl Into<String>) -> Self {
        InvalidBaseUrl {
            reason: reason.into(),
        }
    }
}

impl BaseUrl {
    /// Parses and normalises a portal address.
    pub fn parse(text: &str) -> Result<Self, InvalidBaseUrl> {
        let text = text.trim();
        if text.contains('#') {
            return Err(InvalidBaseUrl::new("it must not contain a fragment ('#')"));
        }
        let uri: Uri = text.parse().map_err(|e| {
            InvalidBaseUrl::new(format!(
                "{e}; expected something like https://portal.example.com/"
            ))
        })?;
        let scheme = match uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("https") => "https",
            Some(s) if s.eq_ignore_ascii_case("http") => "http",
            Some(other) => {
                return Err(InvalidBaseUrl::new(format!(
                    "scheme `{other}` is not supported; use http or https"
                )));
            }
            None => {
                return Err(InvalidBaseUrl::new(
                    "it has no scheme; start it with https:// (or http:// for a local portal)",
                ));
            }
        };
        let authority = uri
            .authority()
            .ok_or_else(|| InvalidBaseUrl::new("it has no host"))?;
        if authority.as_str().contains('@') {
            return Err(InvalidBaseUrl::new(
                "it must not contain user info (credentials); pass a token instead",
            ));
        }
        if authority.host().is_empty() {
            return Err(InvalidBaseUrl::new("it has no host"));
        }
        if uri.query().is_some() {
            return Err(InvalidBaseUrl::new("it must not contain a query ('?')"));
        }
        let mut path = uri.path().to_owned();
        if !path.ends_with('/') {
            path.push('/');
        }
        if path.to_ascii_lowercase().ends_with("/api/2.0/") {
            return Err(InvalidBaseUrl::new(
                "give the portal's address without the trailing `api/2.0`; endpoint paths include it",
            ));
        }
        let prefix = format!("{scheme}://{}", authority.as_str().to_ascii_lowercase());
        Ok(BaseUrl {
            path_start: prefix.len(),
            text: prefix + &path,
        })
    }

    /// The normalised address, ending in `/`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The path part, from the first `/` on (`/` or `/portal/`).
    pub fn path(&self) -> &str {
        &self.text[self.path_start..]
    }

    /// Whether requests go over TLS.
    pub fn is_https(&self) -> bool {
        self.text.starts_with("https:")
    }
}

impl FromStr for BaseUrl {
    type Err = InvalidBaseUrl;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BaseUrl::parse(s)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({})", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_to_a_trailing_slash() {
        for (input, expected, path) in [
            (
                "https://portal.example.com",
                "https://portal.example.com/",
                "/",
            ),
            (
                "https://portal.example.com/",
                "https://portal.example.com/",
                "/",
            ),
            (
                "HTTPS://Portal.Example.com/sub",
                "https://portal.example.com/sub",
                "/sub/",
            ),
            (
                "http://127.0.0.1:8092/a/b/",
                "http://127.0.0.1:8092/a/b/",
                "/a/b/",
            ),
        ] {
            let base = BaseUrl::parse(input).unwrap();
            assert_eq!(base.path(), path, "{input}");
            assert!(base.as_str().ends_with('/'));
            assert!(
                base.as_str().starts_with(expected.trim_end_matches('/')),
                "{input}"
            );
        }
    }

    #[test]
    fn refuses_addresses_that_would_misroute_requests() {
        for bad in [
            "",
            "portal.example.com",
            "ftp://portal.example.com/",
            "https://user:pass@portal.example.com/",
            "https://portal.example.com/?x=1",
            "https://portal.example.com/#top",
            "https://portal.example.com/api/2.0",
            "https://portal.example.com/api/2.0/",
            "https:///nohost",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad:?} should be refused");
        }
        let err = BaseUrl::parse("https://user:hunter2@portal.example.com/").unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
    }
}
