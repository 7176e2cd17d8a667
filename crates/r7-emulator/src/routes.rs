//! Route matching with ASP.NET routing's rules: literal segments ignore ASCII case, a route
//! constraint must match the whole segment, and each route also exists with a format suffix.

use http::Method;

/// What a request asks the deal endpoints to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    /// `GET opportunity/{opportunityid}` (`GetDealByID`).
    Get,
    /// `DELETE opportunity/{opportunityid}` (`DeleteDeal`).
    Delete,
}

/// A request that matched a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Matched<'a> {
    pub(crate) operation: Operation,
    /// The `{opportunityid}` route value: ASCII digits, not yet converted.
    pub(crate) id: &'a str,
    /// The path ends in `.xml` or `.tml` (exact case), the suffixes the server answers in XML
    /// unless the request itself is JSON.
    pub(crate) xml_suffix: bool,
}

const PREFIX: [&str; 4] = ["api", "2.0", "crm", "opportunity"];

/// The suffixes every route is also registered with.
const SUFFIXES: [&str; 3] = [".json", ".xml", ".tml"];

/// Matches `{GET,DELETE} /api/2.0/crm/opportunity/{opportunityid:[0-9]+}[.json|.xml|.tml]`.
pub(crate) fn match_route<'a>(method: &Method, path: &'a str) -> Option<Matched<'a>> {
    let operation = match *method {
        Method::GET => Operation::Get,
        Method::DELETE => Operation::Delete,
        // No 405 on the real server: another method simply fails the route's constraint.
        _ => return None,
    };
    let mut segments = path.strip_prefix('/')?.split('/');
    for literal in PREFIX {
        if !segments.next()?.eq_ignore_ascii_case(literal) {
            return None;
        }
    }
    let last = segments.next()?;
    if segments.next().is_some() {
        return None;
    }
    let (id, suffix) = split_suffix(last)?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Matched {
        operation,
        id,
        xml_suffix: matches!(suffix, ".xml" | ".tml"),
    })
}

/// Matches `POST /api/2.0/authentication[.json|.xml|.tml]` and tells whether the suffix asks
/// for XML. Any other method has no route, as everywhere on the server.
pub(crate) fn match_authentication(method: &Method, path: &str) -> Option<bool> {
    if *method != Method::POST {
        return None;
    }
    let mut segments = path.strip_prefix('/')?.split('/');
    for literal in ["api", "2.0"] {
        if !segments.next()?.eq_ignore_ascii_case(literal) {
            return None;
        }
    }
    let last = segments.next()?;
    if segments.next().is_some() {
        return None;
    }
    let (stem, suffix) = split_suffix(last)?;
    stem.eq_ignore_ascii_case("authentication")
        .then_some(matches!(suffix, ".xml" | ".tml"))
}

/// Splits a known suffix off the last segment; the suffix keeps its case because routing
/// ignores it but the XML check does not.
fn split_suffix(segment: &str) -> Option<(&str, &str)> {
    let Some(dot) = segment.rfind('.') else {
        return Some((segment, ""));
    };
    let (stem, suffix) = segment.split_at(dot);
    SUFFIXES
        .iter()
        .any(|known| known.eq_ignore_ascii_case(suffix))
        .then_some((stem, suffix))
}

/// Whether a path is under `api/2.0/`, where the API answers CORS preflight requests.
pub(crate) fn is_api_path(path: &str) -> bool {
    let mut segments = path.strip_prefix('/').unwrap_or(path).split('/');
    matches!(
        (segments.next(), segments.next()),
        (Some(api), Some(version))
            if api.eq_ignore_ascii_case("api") && version == "2.0"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str) -> Option<Matched<'_>> {
        match_route(&Method::GET, path)
    }

    #[test]
    fn matches_the_route_with_and_without_suffix() {
        let m = get("/api/2.0/crm/opportunity/1234").unwrap();
        assert_eq!(
            (m.operation, m.id, m.xml_suffix),
            (Operation::Get, "1234", false)
        );
        assert!(
            !get("/api/2.0/crm/opportunity/1234.json")
                .unwrap()
                .xml_suffix
        );
        assert!(get("/api/2.0/crm/opportunity/1234.xml").unwrap().xml_suffix);
        assert!(get("/api/2.0/crm/opportunity/1234.tml").unwrap().xml_suffix);
        let upper = get("/API/2.0/CRM/Opportunity/0012.XML").unwrap();
        assert_eq!((upper.id, upper.xml_suffix), ("0012", false));
        let delete = match_route(&Method::DELETE, "/api/2.0/crm/opportunity/5").unwrap();
        assert_eq!(delete.operation, Operation::Delete);
        assert_eq!(
            get("/api/2.0/crm/opportunity/99999999999").unwrap().id,
            "99999999999"
        );
    }

    #[test]
    fn everything_else_has_no_route() {
        for path in [
            "/api/2.0/crm/opportunity/abc",
            "/api/2.0/crm/opportunity/-1",
            "/api/2.0/crm/opportunity/+1",
            "/api/2.0/crm/opportunity/1 ",
            "/api/2.0/crm/opportunity/١٢",
            "/api/2.0/crm/opportunity/",
            "/api/2.0/crm/opportunity/.json",
            "/api/2.0/crm/opportunity/1.txt",
            "/api/2.0/crm/opportunity/1.json.json",
            "/api/2.0/crm/opportunity/1/",
            "/api/2.0/crm/opportunity/1/contact",
            "/api/2.0/crm/opportunity",
            "/api/2.0/crm/contact/1",
            "/api/2.1/crm/opportunity/1",
            "//api/2.0/crm/opportunity/1",
            "api/2.0/crm/opportunity/1",
            "",
            "/",
        ] {
            assert_eq!(get(path), None, "{path:?}");
        }
        for method in [Method::POST, Method::PUT, Method::HEAD, Method::PATCH] {
            assert_eq!(match_route(&method, "/api/2.0/crm/opportunity/1"), None);
        }
    }

    #[test]
    fn authentication_route() {
        let post = |path| match_authentication(&Method::POST, path);
        assert_eq!(post("/api/2.0/authentication"), Some(false));
        assert_eq!(post("/api/2.0/authentication.json"), Some(false));
        assert_eq!(post("/API/2.0/Authentication.xml"), Some(true));
        assert_eq!(post("/api/2.0/authentication.tml"), Some(true));
        assert_eq!(post("/api/2.0/authentication.XML"), Some(false));
        for path in [
            "/api/2.0/authentication/",
            "/api/2.0/authentication/123456",
            "/api/2.0/authentication.txt",
            "/api/2.0/authenticate",
            "/api/2.0/crm/authentication",
            "/api/2.1/authentication",
            "api/2.0/authentication",
        ] {
            assert_eq!(post(path), None, "{path:?}");
        }
        for method in [Method::GET, Method::PUT, Method::DELETE] {
            assert_eq!(
                match_authentication(&method, "/api/2.0/authentication"),
                None
            );
        }
    }

    #[test]
    fn api_paths() {
        assert!(is_api_path("/api/2.0/crm/opportunity/1"));
        assert!(is_api_path("/API/2.0/anything"));
        assert!(!is_api_path("/api/2.1/crm"));
        assert!(!is_api_path("/"));
    }
}
