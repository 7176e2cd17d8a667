//! The endpoint spec (`spec/crm.toml`): its types, and the checks it must pass before anything
//! is generated from it.

use std::collections::BTreeSet;
use std::fmt;

use serde::Deserialize;

/// The whole spec file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Spec {
    pub(crate) endpoint: Vec<Endpoint>,
}

/// One `[[endpoint]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Endpoint {
    pub(crate) name: String,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) output: String,
    #[serde(default = "yes")]
    pub(crate) auth: bool,
    pub(crate) idempotent: Option<bool>,
    #[serde(default)]
    pub(crate) undocumented: bool,
    #[serde(default)]
    pub(crate) paged: bool,
    pub(crate) sort_by: Option<Vec<String>>,
    /// What the endpoint does when no filter is set, e.g. "delete every deal the caller may
    /// delete": marks an endpoint that acts on everything its filter matches.
    pub(crate) destructive_filter: Option<String>,
    pub(crate) doc: String,
    #[serde(default)]
    pub(crate) param: Vec<Param>,
}

/// One `[[endpoint.param]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) rust: Option<String>,
    #[serde(rename = "in")]
    pub(crate) location: Location,
    #[serde(rename = "type")]
    pub(crate) ty: String,
    #[serde(default)]
    pub(crate) required: bool,
    #[serde(default)]
    pub(crate) nonempty: bool,
    pub(crate) allowed: Option<Vec<String>>,
    pub(crate) path_too: Option<String>,
    #[serde(default)]
    pub(crate) filter: bool,
    pub(crate) with: Option<String>,
    #[serde(default)]
    pub(crate) comma_cut: bool,
    pub(crate) doc: String,
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Location {
    Path,
    Query,
    Body,
}

fn yes() -> bool {
    true
}

/// The parameter types of the spec: (spec name, Rust type, whether it is a list).
pub(crate) const TYPES: &[(&str, &str, bool)] = &[
    ("id", "i64", false),
    ("int", "i32", false),
    ("bool", "bool", false),
    ("string", "String", false),
    ("decimal", "f64", false),
    ("datetime", "ApiDateTime", false),
    ("guid", "Uuid", false),
    ("BidType", "BidType", false),
    ("StageType", "StageType", false),
    ("ids", "i64", true),
    ("guids", "Uuid", true),
    ("strings", "String", true),
    ("custom_fields", "CustomFieldValue", true),
];

/// The types a `filter` parameter may have: those whose "set to a value the server applies"
/// the generated code can tell (`check::Narrows` in r7-proto).
pub(crate) const FILTER_TYPES: &[&str] =
    &["id", "guid", "string", "strings", "datetime", "StageType"];

/// The output types: (spec name, Rust type).
pub(crate) const OUTPUTS: &[(&str, &str)] = &[
    ("Opportunity", "Opportunity"),
    ("Contact", "Contact"),
    ("DealStage", "DealStage"),
    ("NoContent", "NoContent"),
    ("List<Opportunity>", "Page<Opportunity>"),
    ("List<Contact>", "Page<Contact>"),
    ("List<DealStage>", "Page<DealStage>"),
];

/// A problem in the spec, with where it is.
#[derive(Debug)]
pub(crate) struct SpecError {
    pub(crate) line: Option<usize>,
    pub(crate) endpoint: Option<String>,
    pub(crate) message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("spec/crm.toml")?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(endpoint) = &self.endpoint {
            write!(f, " (endpoint {endpoint})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl Param {
    /// The Rust field name.
    pub(crate) fn field(&self) -> String {
        self.rust.clone().unwrap_or_else(|| snake_case(&self.name))
    }

    /// (Rust element type, is a list), for a known type.
    pub(crate) fn rust_type(&self) -> Option<(&'static str, bool)> {
        TYPES
            .iter()
            .find(|(name, _, _)| *name == self.ty)
            .map(|(_, rust, list)| (*rust, *list))
    }
}

impl Endpoint {
    /// Whether the request may be repeated: as the spec says, else GET only.
    pub(crate) fn is_idempotent(&self) -> bool {
        self.idempotent.unwrap_or(self.method == "GET")
    }

    /// The placeholders of the path template, in order.
    pub(crate) fn placeholders(&self) -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        let mut rest = self.path.as_str();
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let inner = &rest[open + 1..open + close];
            let (name, constraint) = match inner.split_once(':') {
                Some((n, c)) => (n.to_owned(), Some(c.to_owned())),
                None => (inner.to_owned(), None),
            };
            out.push((name, constraint));
            rest = &rest[open + close + 1..];
        }
        out
    }

    /// The path template without constraints: `{name:regex}` becomes `{name}`.
    pub(crate) fn template(&self) -> String {
        let mut out = self.path.clone();
        for (name, constraint) in self.placeholders() {
            if let Some(constraint) = constraint {
                out = out.replace(&format!("{{{name}:{constraint}}}"), &format!("{{{name}}}"));
            }
        }
        out
    }

    /// The Rust type of the output.
    pub(crate) fn output_type(&self) -> Option<&'static str> {
        OUTPUTS
            .iter()
            .find(|(name, _)| *name == self.output)
            .map(|(_, rust)| *rust)
    }
}

/// `opportunityStagesid` → `opportunity_stagesid`.
pub(crate) fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses the spec text and checks it; every problem found is reported, with its line.
pub(crate) fn load(text: &str) -> Result<Spec, Vec<SpecError>> {
    let spec: Spec = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
        vec![SpecError {
            line,
            endpoint: None,
            message: e.message().to_owned(),
        }]
    })?;
    let errors = validate(&spec, text);
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors)
    }
}

/// The line of `name = "<endpoint>"`, so that errors point into the file.
fn line_of(text: &str, endpoint: &str) -> Option<usize> {
    let needle = format!("name = \"{endpoint}\"");
    text.lines().position(|l| l.trim() == needle).map(|i| i + 1)
}

fn validate(spec: &Spec, text: &str) -> Vec<SpecError> {
    let mut errors = Vec::new();
    let mut names = BTreeSet::new();
    for endpoint in &spec.endpoint {
        let mut fail = |message: String| {
            errors.push(SpecError {
                line: line_of(text, &endpoint.name),
                endpoint: Some(endpoint.name.clone()),
                message,
            })
        };
        if !names.insert(endpoint.name.as_str()) {
            fail("a second endpoint has this name; names must be unique".into());
        }
        let valid_name = endpoint
            .name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase())
            && endpoint.name.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid_name {
            fail("the name must be a CamelCase Rust type name".into());
        }
        if !["GET", "POST", "PUT", "DELETE"].contains(&endpoint.method.as_str()) {
            fail(format!(
                "method `{}` is not GET, POST, PUT or DELETE",
                endpoint.method
            ));
        }
        if !endpoint.path.starts_with("api/2.0/") {
            fail("the path must start with api/2.0/".into());
        }
        if endpoint.output_type().is_none() {
            let known: Vec<_> = OUTPUTS.iter().map(|(n, _)| *n).collect();
            fail(format!(
                "output `{}` is not a known type ({})",
                endpoint.output,
                known.join(", ")
            ));
        }
        if endpoint.doc.trim().is_empty() {
            fail("the doc text is empty".into());
        }
        if endpoint.paged && (endpoint.method != "GET" || !endpoint.output.starts_with("List<")) {
            fail("only a GET returning a List can be paged".into());
        }
        if endpoint.sort_by.is_some() && !endpoint.paged {
            fail("sort_by needs paged = true".into());
        }
        // The server's routes that act on "everything that matches" are the non-GET ones with a
        // `filter` segment (opportunity/filter, contact/filter/access, case/filter/taglist, ...):
        // each must say so, so that an empty filter is refused before it acts on everything.
        let acts_on_matches =
            endpoint.method != "GET" && endpoint.path.split('/').any(|s| s == "filter");
        match &endpoint.destructive_filter {
            None if acts_on_matches => fail(
                "a non-GET route with a `filter` segment acts on everything that matches; \
                 declare destructive_filter (what it does with no filter)"
                    .into(),
            ),
            Some(_) if endpoint.method == "GET" => {
                fail("destructive_filter is for endpoints that change or delete".into());
            }
            Some(effect) if effect.trim().is_empty() => {
                fail("destructive_filter must say what happens with no filter".into());
            }
            Some(_) if !endpoint.param.iter().any(|p| p.filter) => {
                fail("destructive_filter needs at least one parameter with filter = true".into());
            }
            _ => {}
        }

        let placeholders: BTreeSet<String> = endpoint
            .placeholders()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        let mut bound = BTreeSet::new();
        let mut fields = BTreeSet::new();
        let mut wire = BTreeSet::new();
        for param in &endpoint.param {
            let what = format!("parameter `{}`", param.name);
            if !fields.insert(param.field()) {
                fail(format!(
                    "{what}: Rust field `{}` is used twice",
                    param.field()
                ));
            }
            if !wire.insert((param.location, param.name.clone())) {
                fail(format!("{what} is declared twice"));
            }
            let Some((_, list)) = param.rust_type() else {
                let known: Vec<_> = TYPES.iter().map(|(n, _, _)| *n).collect();
                fail(format!(
                    "{what}: type `{}` is not one of {}",
                    param.ty,
                    known.join(", ")
                ));
                continue;
            };
            if param.doc.trim().is_empty() {
                fail(format!("{what}: the doc text is empty"));
            }
            match param.location {
                Location::Path => {
                    bound.insert(param.name.clone());
                    if !param.required || list || !matches!(param.ty.as_str(), "id" | "string") {
                        fail(format!(
                            "{what}: a path parameter must be a required id or string"
                        ));
                    }
                }
                Location::Body if endpoint.method == "GET" => {
                    fail(format!("{what}: a GET request has no body"));
                }
                _ => {}
            }
            if let Some(target) = &param.path_too {
                if param.location == Location::Path || !param.required || list {
                    fail(format!(
                        "{what}: path_too needs a required single query or body value"
                    ));
                }
                bound.insert(target.clone());
            }
            if param.allowed.is_some() && param.ty != "string" {
                fail(format!("{what}: allowed values need type string"));
            }
            if param.nonempty && !(param.ty == "string" || list) {
                fail(format!("{what}: nonempty applies to strings and lists"));
            }
            if endpoint.destructive_filter.is_some() && param.field() == "all" {
                fail(format!(
                    "{what}: the Rust field `all` is the opt-in of a destructive_filter endpoint"
                ));
            }
            if param.filter {
                if endpoint.destructive_filter.is_none() {
                    fail(format!(
                        "{what}: filter needs destructive_filter on the endpoint"
                    ));
                }
                if param.required || !FILTER_TYPES.contains(&param.ty.as_str()) {
                    fail(format!(
                        "{what}: a filter must be optional and of type {}",
                        FILTER_TYPES.join(", ")
                    ));
                }
            }
            if let Some(partner) = &param.with {
                let single_optional =
                    |p: &Param| !p.required && p.rust_type().is_some_and(|(_, list)| !list);
                let found = endpoint.param.iter().find(|p| &p.name == partner);
                if partner == &param.name
                    || !single_optional(param)
                    || !found.is_some_and(single_optional)
                {
                    fail(format!(
                        "{what}: with must name another optional single-valued parameter"
                    ));
                }
            }
            if param.comma_cut && param.ty != "string" {
                fail(format!("{what}: comma_cut applies to strings"));
            }
        }
        if bound != placeholders {
            fail(format!(
                "the path's placeholders {placeholders:?} differ from its path parameters {bound:?}"
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[endpoint]]
name = "GetThing"
method = "GET"
path = "api/2.0/crm/thing/{id:[0-9]+}"
output = "Opportunity"
doc = "Reads a thing."
[[endpoint.param]]
name = "id"
in = "path"
type = "id"
required = true
doc = "The id."
"#;

    const DESTRUCTIVE: &str = r#"
[[endpoint]]
name = "DeleteThings"
method = "DELETE"
path = "api/2.0/crm/thing/filter"
output = "List<Opportunity>"
destructive_filter = "delete every thing"
doc = "Deletes things."
[[endpoint.param]]
name = "fromDate"
in = "query"
type = "datetime"
filter = true
with = "toDate"
doc = "From."
[[endpoint.param]]
name = "toDate"
in = "query"
type = "datetime"
filter = true
with = "fromDate"
doc = "To."
"#;

    fn messages(text: &str) -> Vec<String> {
        match load(text) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_good_spec_passes() {
        assert_eq!(messages(GOOD), Vec::<String>::new());
        assert_eq!(messages(DESTRUCTIVE), Vec::<String>::new());
    }

    #[test]
    fn every_route_that_acts_on_all_matches_declares_its_filter() {
        let cases = [
            (
                DESTRUCTIVE.replace("destructive_filter = \"delete every thing\"\n", ""),
                "declare destructive_filter",
            ),
            (
                DESTRUCTIVE
                    .replace("method = \"DELETE\"", "method = \"PUT\"")
                    .replace("destructive_filter = \"delete every thing\"\n", ""),
                "declare destructive_filter",
            ),
            (
                DESTRUCTIVE.replace("filter = true\n", ""),
                "at least one parameter with filter = true",
            ),
            (
                DESTRUCTIVE.replace("\"delete every thing\"", "\" \""),
                "must say what happens",
            ),
            (
                DESTRUCTIVE.replace("method = \"DELETE\"", "method = \"GET\""),
                "destructive_filter is for endpoints that change or delete",
            ),
            (
                DESTRUCTIVE.replace("with = \"toDate\"", "with = \"tooDate\""),
                "with must name another",
            ),
            (
                DESTRUCTIVE.replace("with = \"toDate\"", "with = \"fromDate\""),
                "with must name another",
            ),
            (
                DESTRUCTIVE.replacen("type = \"datetime\"", "type = \"bool\"", 1),
                "a filter must be optional and of type",
            ),
            (
                DESTRUCTIVE.replacen("doc = \"From.\"", "doc = \"From.\"\ncomma_cut = true", 1),
                "comma_cut applies to strings",
            ),
            (
                GOOD.replace("required = true", "required = true\nfilter = true"),
                "filter needs destructive_filter",
            ),
            (
                DESTRUCTIVE.replacen("with = \"toDate\"", "rust = \"all\"", 1),
                "the Rust field `all` is the opt-in",
            ),
        ];
        for (text, expected) in cases {
            let found = messages(&text);
            assert!(
                found.iter().any(|m| m.contains(expected)),
                "expected {expected:?} in {found:?}"
            );
        }
    }

    #[test]
    fn each_rule_is_reported_with_its_place() {
        let cases = [
            (
                GOOD.replace("{id:[0-9]+}", "{thingid:[0-9]+}"),
                "placeholders",
            ),
            (
                GOOD.replace("in = \"path\"", "in = \"body\""),
                "a GET request has no body",
            ),
            (
                GOOD.replace("type = \"id\"", "type = \"uuid\""),
                "type `uuid` is not one of",
            ),
            (
                GOOD.replace("output = \"Opportunity\"", "output = \"Thing\""),
                "output `Thing`",
            ),
            (format!("{GOOD}{GOOD}"), "names must be unique"),
            (
                GOOD.replace("method = \"GET\"", "method = \"PATCH\""),
                "method `PATCH`",
            ),
            (
                GOOD.replace("doc = \"Reads a thing.\"", "doc = \"Reads.\"\nflavour = 1"),
                "unknown field",
            ),
        ];
        for (text, expected) in cases {
            let found = messages(&text);
            assert!(
                found
                    .iter()
                    .any(|m| m.contains(expected) && m.starts_with("spec/crm.toml:")),
                "expected {expected:?} in {found:?}"
            );
        }
        let found = messages(&GOOD.replace("type = \"id\"", "type = \"uuid\""));
        assert!(found[0].contains(":3 (endpoint GetThing)"), "{found:?}");
    }
}
