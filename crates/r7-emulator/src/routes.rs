//! Route matching with ASP.NET routing's rules, driven by the endpoint table of `r7-proto`
//! ([`r7_proto::ENDPOINTS`]): literal segments ignore ASCII case, a route constraint must match
//! the whole segment, and each route also exists with a format suffix.

use std::sync::OnceLock;

use http::Method;
use r7_proto::{ENDPOINTS, EndpointInfo};

/// A request that matched a route of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Matched {
    /// The endpoint.
    pub(crate) id: r7_proto::EndpointId,
    /// The endpoint's name in the table, e.g. `GetOpportunity`.
    pub(crate) name: &'static str,
    /// The placeholder values of the path, by placeholder name, as they were in the path.
    pub(crate) values: Vec<(&'static str, String)>,
    /// The path ends in `.xml` or `.tml` (exact case), the suffixes the server answers in XML
    /// unless the request itself is JSON.
    pub(crate) xml_suffix: bool,
}

/// The suffixes every route is also registered with.
const SUFFIXES: [&str; 3] = [".json", ".xml", ".tml"];

/// One segment of a route template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// A literal, compared with ASCII case ignored.
    Literal(&'static str),
    /// `{name:constraint}` or `{name}`.
    Value {
        name: &'static str,
        constraint: Constraint,
    },
}

/// A route constraint, matched against the whole segment (`^(regex)$`). Only what the table
/// uses is understood: one bracketed character class with `+` or `*`, such as `[0-9]+`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Constraint {
    /// No constraint: any non-empty segment.
    Any,
    /// A character class (inclusive ASCII byte ranges) repeated; `at_least` is 1 for `+`, 0
    /// for `*`.
    Class {
        ranges: Vec<(u8, u8)>,
        at_least: usize,
    },
    /// An alternation, `(contact|opportunity|case)`: one of the texts, case ignored (the
    /// server's routing matches constraints as `^(...)$` without case).
    OneOf(Vec<&'static str>),
    /// A constraint this matcher cannot read; it matches nothing (and a unit test fails).
    Unsupported(&'static str),
}

impl Constraint {
    fn parse(text: &'static str) -> Constraint {
        let unsupported = Constraint::Unsupported(text);
        if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
            let texts: Vec<&'static str> = inner.split('|').collect();
            let plain = texts
                .iter()
                .all(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric()));
            return if plain {
                Constraint::OneOf(texts)
            } else {
                unsupported
            };
        }
        let Some(rest) = text.strip_prefix('[') else {
            return unsupported;
        };
        let Some((class, quantifier)) = rest.split_once(']') else {
            return unsupported;
        };
        let at_least = match quantifier {
            "+" => 1,
            "*" => 0,
            _ => return unsupported,
        };
        let bytes = class.as_bytes();
        if bytes.is_empty() || bytes[0] == b'^' || bytes.contains(&b'\\') || !class.is_ascii() {
            return unsupported;
        }
        let mut ranges = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if i + 2 < bytes.len() && bytes[i + 1] == b'-' {
                if bytes[i] > bytes[i + 2] {
                    return unsupported;
                }
                ranges.push((bytes[i], bytes[i + 2]));
                i += 3;
            } else {
                ranges.push((bytes[i], bytes[i]));
                i += 1;
            }
        }
        Constraint::Class { ranges, at_least }
    }

    fn matches(&self, segment: &str) -> bool {
        match self {
            Constraint::Any => !segment.is_empty(),
            Constraint::Class { ranges, at_least } => {
                segment.len() >= *at_least
                    && segment
                        .bytes()
                        .all(|b| ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&b)))
            }
            Constraint::OneOf(texts) => texts.iter().any(|t| t.eq_ignore_ascii_case(segment)),
            Constraint::Unsupported(_) => false,
        }
    }
}

/// A route of the table, split into segments.
#[derive(Debug)]
struct Route {
    info: &'static EndpointInfo,
    segments: Vec<Segment>,
}

fn compile(info: &'static EndpointInfo) -> Route {
    let segments = info
        .route
        .split('/')
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(inner) => match inner.split_once(':') {
                    Some((name, constraint)) => Segment::Value {
                        name,
                        constraint: Constraint::parse(constraint),
                    },
                    None => Segment::Value {
                        name: inner,
                        constraint: Constraint::Any,
                    },
                },
                None => Segment::Literal(segment),
            },
        )
        .collect();
    Route { info, segments }
}

/// The table's routes, compiled once.
fn routes() -> &'static [Route] {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    ROUTES.get_or_init(|| ENDPOINTS.iter().map(compile).collect())
}

/// Matches a request against every route of [`r7_proto::ENDPOINTS`] with this method. When
/// several match, the one whose first differing segment is a literal wins (ASP.NET puts
/// literal routes first), then the one registered first ([`registration`]).
pub(crate) fn match_route(method: &Method, path: &str) -> Option<Matched> {
    let rest = path.strip_prefix('/')?;
    let mut segments: Vec<&str> = rest.split('/').collect();
    let last = segments.pop()?;
    let (stem, suffix) = split_suffix(last)?;
    segments.push(stem);
    let mut best: Option<(Vec<bool>, (usize, usize), Matched)> = None;
    for route in routes() {
        if route.info.method != method.as_str() || route.segments.len() != segments.len() {
            continue;
        }
        let mut values = Vec::new();
        let mut shape = Vec::with_capacity(segments.len());
        let fits =
            route
                .segments
                .iter()
                .zip(&segments)
                .all(|(template, &segment)| match template {
                    Segment::Literal(literal) => {
                        shape.push(false);
                        literal.eq_ignore_ascii_case(segment)
                    }
                    Segment::Value { name, constraint } => {
                        shape.push(true);
                        values.push((*name, segment.to_owned()));
                        constraint.matches(segment)
                    }
                });
        if !fits {
            continue;
        }
        let order = registration(route.info.path_template);
        if best
            .as_ref()
            .is_none_or(|(best_shape, best_order, _)| (&shape, order) < (best_shape, *best_order))
        {
            let matched = Matched {
                id: route.info.id,
                name: route.info.name,
                values,
                xml_suffix: matches!(suffix, ".xml" | ".tml"),
            };
            best = Some((shape, order, matched));
        }
    }
    best.map(|(_, _, matched)| matched)
}

/// Where the framework registers a route among those of the same shape
/// (`ApiRouteRegistrator.cs:40`): by the place of its first `{`, then of its last `}`, in the
/// route without its constraints. So `contact/{contactid}/data/{id}` comes before
/// `contact/{contactid}/data/{infoType}`, and a number always reaches the first.
fn registration(template: &str) -> (usize, usize) {
    let first = template.find('{').map_or(0, |n| n + 1);
    let last = template.rfind('}').map_or(0, |n| n + 1);
    (first, last)
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
/// ignores it but the XML check does not. A segment with another dot suffix has no route.
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

    fn route(method: Method, path: &str) -> Option<(&'static str, Vec<(&'static str, String)>)> {
        match_route(&method, path).map(|m| (m.name, m.values))
    }

    fn endpoint(method: Method, path: &str) -> Option<&'static str> {
        route(method, path).map(|(name, _)| name)
    }

    #[test]
    fn every_constraint_in_the_table_is_understood() {
        for route in routes() {
            for segment in &route.segments {
                if let Segment::Value { constraint, .. } = segment {
                    assert!(
                        !matches!(constraint, Constraint::Unsupported(_)),
                        "{}: {constraint:?}",
                        route.info.route
                    );
                }
            }
        }
    }

    /// Fills each placeholder of a route as a client would: a number where the route wants
    /// digits, a word where it takes any text.
    fn sample_path(info: &EndpointInfo) -> String {
        let segments: Vec<String> = info
            .route
            .split('/')
            .enumerate()
            .map(|(i, s)| {
                if let Some(alternation) = s.split_once(":(") {
                    // The first text an alternation allows.
                    alternation
                        .1
                        .split(['|', ')'])
                        .next()
                        .unwrap_or_default()
                        .to_owned()
                } else if s.starts_with('{') && s.contains(':') {
                    (10 + i).to_string()
                } else if s.starts_with('{') {
                    format!("text{i}")
                } else {
                    s.to_owned()
                }
            })
            .collect();
        format!("/{}", segments.join("/"))
    }

    #[test]
    fn every_endpoint_of_the_table_routes_to_itself() {
        for info in ENDPOINTS {
            let method = info.method.clone();
            let path = sample_path(info);
            for suffix in ["", ".json", ".xml", ".JSON"] {
                let matched = match_route(&method, &format!("{path}{suffix}"))
                    .unwrap_or_else(|| panic!("{} {path}{suffix} has no route", info.method));
                assert_eq!(matched.name, info.name, "{path}{suffix}");
                assert_eq!(matched.xml_suffix, suffix == ".xml");
                let placeholders = info.route.matches('{').count();
                assert_eq!(matched.values.len(), placeholders, "{path}");
            }
        }
    }

    #[test]
    fn a_number_goes_to_the_route_registered_first() {
        let get = |path: &str| match_route(&Method::GET, path).map(|m| m.name);
        assert_eq!(
            get("/api/2.0/crm/contact/5/data/1.json"),
            Some("GetContactInfo")
        );
        assert_eq!(
            get("/api/2.0/crm/contact/5/data/Email.json"),
            Some("ListContactInfoData")
        );
        assert_eq!(registration("a/{b}/c/{id}"), (3, 12));
    }

    #[test]
    fn matches_the_route_with_and_without_suffix() {
        let (name, values) = route(Method::GET, "/api/2.0/crm/opportunity/1234").unwrap();
        assert_eq!(name, "GetOpportunity");
        assert_eq!(values, [("opportunityid", "1234".to_owned())]);
        let m = match_route(&Method::GET, "/api/2.0/crm/opportunity/1234.xml").unwrap();
        assert!(m.xml_suffix);
        assert!(
            match_route(&Method::GET, "/api/2.0/crm/opportunity/1234.tml")
                .unwrap()
                .xml_suffix
        );
        let upper = match_route(&Method::GET, "/API/2.0/CRM/Opportunity/0012.XML").unwrap();
        assert_eq!(
            (upper.values[0].1.as_str(), upper.xml_suffix),
            ("0012", false)
        );
        assert_eq!(
            endpoint(Method::DELETE, "/api/2.0/crm/opportunity/5"),
            Some("DeleteOpportunity")
        );
        assert_eq!(
            route(Method::GET, "/api/2.0/crm/opportunity/99999999999")
                .unwrap()
                .1[0]
                .1,
            "99999999999"
        );
    }

    #[test]
    fn literals_win_over_placeholders_and_methods_choose() {
        let cases = [
            (Method::GET, "opportunity/filter", "ListOpportunities"),
            (Method::GET, "Opportunity/Filter.json", "ListOpportunities"),
            (
                Method::DELETE,
                "opportunity/filter",
                "DeleteOpportunitiesByFilter",
            ),
            (
                Method::PUT,
                "opportunity/filter/access",
                "SetOpportunityAccessByFilter",
            ),
            (
                Method::PUT,
                "opportunity/access",
                "SetOpportunityAccessByIds",
            ),
            (Method::PUT, "opportunity/7/access", "SetOpportunityAccess"),
            (Method::PUT, "opportunity", "DeleteOpportunities"),
            (Method::POST, "opportunity", "CreateOpportunity"),
            (Method::PUT, "opportunity/7", "UpdateOpportunity"),
            (
                Method::PUT,
                "opportunity/stage/reorder",
                "ReorderOpportunityStages",
            ),
            (
                Method::PUT,
                "opportunity/stage/3",
                "UpdateOpportunityStageFields",
            ),
            (
                Method::PUT,
                "opportunity/stage/3/color",
                "UpdateOpportunityStageColor",
            ),
            (Method::GET, "opportunity/stage", "ListOpportunityStages"),
            (Method::POST, "opportunity/stage", "CreateOpportunityStage"),
            (Method::GET, "opportunity/stage/3", "GetOpportunityStage"),
            (
                Method::DELETE,
                "opportunity/stage/3",
                "DeleteOpportunityStage",
            ),
            (
                Method::PUT,
                "opportunity/7/stage/3",
                "UpdateOpportunityStage",
            ),
            (
                Method::GET,
                "opportunity/byprefix",
                "ListOpportunitiesByPrefix",
            ),
            (
                Method::GET,
                "opportunity/bycontact/5",
                "ListOpportunitiesByContact",
            ),
            (
                Method::GET,
                "opportunity/7/contact",
                "ListOpportunityContacts",
            ),
            (
                Method::POST,
                "opportunity/7/contact/5",
                "AddOpportunityContact",
            ),
            (
                Method::DELETE,
                "opportunity/7/contact/5",
                "RemoveOpportunityContact",
            ),
            (
                Method::PUT,
                "opportunity/7/creationdate",
                "SetOpportunityCreationDate",
            ),
            (
                Method::PUT,
                "opportunity/7/lastmodifeddate",
                "SetOpportunityLastModifiedDate",
            ),
        ];
        for (method, path, expected) in cases {
            let full = format!("/api/2.0/crm/{path}");
            assert_eq!(
                endpoint(method.clone(), &full),
                Some(expected),
                "{method} {path}"
            );
        }
        // The stage route's values are named after the template.
        let (_, values) = route(Method::PUT, "/api/2.0/crm/opportunity/7/stage/3").unwrap();
        assert_eq!(
            values,
            [("opportunityid", "7".to_owned()), ("id", "3".to_owned())]
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
            "/api/2.0/crm/opportunity/1/contact/x",
            "/api/2.0/crm/opportunity",
            "/api/2.0/crm/opportunity/stage/x",
            "/api/2.0/crm/invoice/1",
            "/api/2.1/crm/opportunity/1",
            "//api/2.0/crm/opportunity/1",
            "api/2.0/crm/opportunity/1",
            "",
            "/",
        ] {
            assert_eq!(match_route(&Method::GET, path), None, "{path:?}");
        }
        for method in [Method::POST, Method::HEAD, Method::PATCH] {
            assert_eq!(match_route(&method, "/api/2.0/crm/opportunity/1"), None);
        }
        assert_eq!(
            match_route(&Method::GET, "/api/2.0/crm/opportunity/access"),
            None
        );
    }

    #[test]
    fn constraints() {
        let digits = Constraint::parse("[0-9]+");
        assert!(digits.matches("0") && digits.matches("0123"));
        assert!(!digits.matches("") && !digits.matches("1a") && !digits.matches("-1"));
        let star = Constraint::parse("[a-cx]*");
        assert!(star.matches("") && star.matches("abcx") && !star.matches("d"));
        let kinds = Constraint::parse("(contact|opportunity|case)");
        assert!(kinds.matches("case") && kinds.matches("Contact") && kinds.matches("OPPORTUNITY"));
        assert!(!kinds.matches("cases") && !kinds.matches("") && !kinds.matches("con"));
        for bad in ["(a|)", "(a.b|c)", "[0-9]", "[^0-9]+", "[9-0]+", "\\d+"] {
            assert!(
                matches!(Constraint::parse(bad), Constraint::Unsupported(_)),
                "{bad}"
            );
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
