//! [`BaseUrl`]: where the portal lives.

use std::fmt;
use std::str::FromStr;

use http::Uri;

/// The address of a portal: `http` or `https`, a host, an optional port and an optional
/// sub-path (`https://host/portal/`), always ending in `/`.
///
/// Endpoint paths (`api/2.0/...`) are appended to it, so a portal served under a sub-path
/// works. Anything that would make requests go somewhere unexpected is refused up front: a
/// missing scheme or host, a query, user info (credentials in the URL), a path that already
/// ends in `api/2.0`, a port that is empty, not a number or outside 1..=65535 (the `http`
/// crate reads such a port as "none", so the request, token included, would go to port 80
/// or 443), and a path with a `.` or `..` segment.
///
/// Dot segments (`/portal/../`, `/./`, and their percent-encoded forms such as `%2e%2E`) are
/// refused rather than resolved: the client sends the path as written, and a proxy or the
/// server may or may not resolve it, decode `%2e` first, or climb above the portal's sub-path,
/// so where the request lands would depend on software the caller cannot see. Refusing is
/// simpler than RFC 3986 §5.2.4 resolution and cannot go wrong; the caller writes the
/// resolved path.
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
        check_port(authority.as_str())?;
        check_dot_segments(uri.path())?;
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

/// Refuses a port the connection could not use. `http::Uri` accepts `host:`, `host:99999`
/// and `host:+80` but then reports no port at all, so the client would quietly connect to the
/// scheme's default port instead.
fn check_port(authority: &str) -> Result<(), InvalidBaseUrl> {
    // In `[::1]:8092` the colons inside the brackets belong to the address, not the port.
    let after_host = match authority.rfind(']') {
        Some(end) => &authority[end + 1..],
        None => authority,
    };
    let Some((_, port)) = after_host.rsplit_once(':') else {
        return Ok(());
    };
    if port.is_empty() {
        return Err(InvalidBaseUrl::new(
            "it has a ':' but no port after it; write the port number, or leave out the ':' for the default port",
        ));
    }
    match port.parse::<u16>() {
        _ if !port.bytes().all(|b| b.is_ascii_digit()) => Err(InvalidBaseUrl::new(format!(
            "port `{port}` is not a number; a port is a number from 1 to 65535"
        ))),
        Ok(0) => Err(InvalidBaseUrl::new(
            "port 0 cannot be connected to; a port is a number from 1 to 65535",
        )),
        Ok(_) => Ok(()),
        Err(_) => Err(InvalidBaseUrl::new(format!(
            "port `{port}` is out of range; a port is a number from 1 to 65535"
        ))),
    }
}

/// Refuses a path segment that is `.` or `..`, written plainly or percent-encoded (`%2e`, in
/// either case), for the reasons given on [`BaseUrl`].
fn check_dot_segments(path: &str) -> Result<(), InvalidBaseUrl> {
    for segment in path.split('/') {
        let decoded = segment.replace("%2e", ".").replace("%2E", ".");
        if decoded == "." || decoded == ".." {
            return Err(InvalidBaseUrl::new(format!(
                "its path has the segment `{segment}`; write the path without `.` or `..` segments"
            )));
        }
    }
    Ok(())
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
            ("http://[::1]:8092/", "http://[::1]:8092/", "/"),
            ("http://[::1]/", "http://[::1]/", "/"),
            (
                "https://[2001:db8::7]:65535/p",
                "https://[2001:db8::7]:65535/p",
                "/p/",
            ),
            (
                "https://portal.example.com:1/",
                "https://portal.example.com:1/",
                "/",
            ),
            // Dots inside a segment are ordinary characters.
            (
                "https://h/a..b/.x/..y/%2e%2ex/",
                "https://h/a..b/.x/..y/%2e%2ex/",
                "/a..b/.x/..y/%2e%2ex/",
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

    /// Ports `http::Uri` parses but reports as absent, so the request would go to 80 or 443.
    #[test]
    fn refuses_ports_that_would_fall_back_to_the_default_port() {
        for (bad, reason) in [
            (
                "https://portal.example.com:99999/",
                "port `99999` is out of range",
            ),
            (
                "https://portal.example.com:65536/",
                "port `65536` is out of range",
            ),
            ("http://[::1]:70000/", "port `70000` is out of range"),
            ("https://portal.example.com:/", "no port after it"),
            ("http://[::1]:/", "no port after it"),
            (
                "https://portal.example.com:0/",
                "port 0 cannot be connected to",
            ),
            (
                "https://portal.example.com:+80/",
                "port `+80` is not a number",
            ),
        ] {
            match BaseUrl::parse(bad) {
                Err(err) => assert!(err.to_string().contains(reason), "{bad:?}: {err}"),
                Ok(base) => panic!("{bad:?} was accepted as {base:?}"),
            }
        }
    }

    #[test]
    fn refuses_dot_segments_plain_or_percent_encoded() {
        for bad in [
            "https://portal.example.com/portal/../",
            "https://portal.example.com/portal/..",
            "https://portal.example.com/./",
            "https://portal.example.com/a/./b/",
            "https://portal.example.com/../../etc/",
            "https://portal.example.com/portal/%2e%2e/",
            "https://portal.example.com/portal/%2E%2e/",
            "https://portal.example.com/portal/.%2e/",
            "https://portal.example.com/portal/%2E./",
            "https://portal.example.com/%2e/",
        ] {
            match BaseUrl::parse(bad) {
                Err(err) => assert!(
                    err.to_string().contains("without `.` or `..` segments"),
                    "{bad:?}: {err}"
                ),
                Ok(base) => panic!("{bad:?} was accepted as {base:?}"),
            }
        }
    }
}
