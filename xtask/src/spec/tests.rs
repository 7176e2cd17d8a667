//! The rules of the spec, one case each: the real spec with one file replaced, added or
//! extended by a small text, and the exact messages (file, line, item) the loader must give.
//! Each base text passes on its own, so a case's messages come only from the rule it breaks.

use std::path::Path;

use super::{Sources, load};

const THING: &str = "spec/crm/endpoints/thing.toml";
const THING_TYPES: &str = "spec/crm/types/thing.toml";
const ENUMS: &str = "spec/crm/enums.toml";
const IDS: &str = "spec/crm/ids.toml";
const GROUPS: &str = "spec/crm/groups.toml";

/// A single read: `name` is on line 3, and every error of the endpoint points there.
const GOOD: &str = r#"# A test resource.
[[endpoint]]
name = "GetThing"
method = "GET"
path = "api/2.0/crm/thing/{id:[0-9]+}"
source = "CRMApi.Things.cs:10"
output = "Opportunity"
doc = "Reads a thing."
[[endpoint.param]]
name = "id"
in = "path"
type = "OpportunityId"
binding = "int"
required = true
doc = "The id."
[[endpoint.param]]
name = "full"
in = "query"
type = "bool"
binding = "bool"
doc = "Whether to read everything."
"#;

/// A route that deletes everything its filter matches.
const DESTRUCTIVE: &str = r#"# A test resource.
[[endpoint]]
name = "DeleteThings"
method = "DELETE"
path = "api/2.0/crm/thing/filter"
source = "CRMApi.Things.cs:20"
output = "Opportunity[]"
destructive_filter = "delete every thing"
doc = "Deletes things."
[[endpoint.param]]
name = "fromDate"
in = "query"
type = "datetime"
binding = "ApiDateTime"
filter = true
with = "toDate"
doc = "From."
[[endpoint.param]]
name = "toDate"
in = "query"
type = "datetime"
binding = "ApiDateTime"
filter = true
with = "fromDate"
doc = "To."
"#;

/// A paged list sorted by a `[[sort]]` of its file: the endpoint's `name` is on line 9.
const LIST: &str = r#"# A test resource.
[[sort]]
name = "ThingSortBy"
source = "CRMApi.Things.cs:30"
doc = "What things are sorted by."
keys = [{ name = "Title", wire = "title", doc = "The title." }]

[[endpoint]]
name = "ListThings"
method = "GET"
path = "api/2.0/crm/thing"
source = "CRMApi.Things.cs:31"
output = "Opportunity[]"
paged = true
sort_by = "ThingSortBy"
doc = "Lists things."
"#;

/// `GOOD` with an exchange from the documentation.
const EXAMPLE: &str = r#"[[endpoint.example]]
source = "the docs"
args = { id = 1 }
request = "GET api/2.0/crm/thing/1"
"#;

/// A wire type: `name` is on line 3.
const TYPE: &str = r#"# Test types.
[[type]]
name = "Thing"
server = "ThingWrapper"
source = "module/ASC.Api/ASC.Api.CRM/Wrappers/ThingWrapper.cs:1"
doc = "A thing."
[[type.field]]
name = "id"
type = "OpportunityId"
doc = "The thing's id."
"#;

/// An enum to append to `enums.toml`: `name` is on its second line.
const ENUM: &str = r#"[[enum]]
name = "Colour"
server = "Colour"
source = "web/studio/Colour.cs:1"
doc = "A colour."
variants = [
  { name = "Red", value = 0, doc = "Red." },
  { name = "Green", value = 1, doc = "Green." },
]
"#;

/// An id to append to `ids.toml`: `name` is on its second line.
const ID: &str = r#"[[id]]
name = "ThingId"
repr = "int"
doc = "The id of a thing."
"#;

/// A group to append to `groups.toml` (used by no endpoint): `name` is on its second line.
const GROUP: &str = r#"[[group]]
name = "thing_extra"
source = "module/ASC.Api/ASC.Api.CRM/CRMApi.Things.cs:40"
doc = "More about things."
[[group.param]]
name = "colour"
in = "query"
type = "string"
binding = "string"
doc = "The colour."
"#;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is in the workspace root")
}

/// The real spec, as `cargo xtask codegen` reads it, with the test resources' routes added to
/// the server's inventory (the tests' own endpoints are checked against it like the real ones).
fn real() -> Sources {
    let mut sources = Sources::read(root()).unwrap_or_else(|e| panic!("{e}"));
    let (_, inventory) = sources
        .files
        .iter_mut()
        .find(|(r, _)| r == "spec/crm/inventory.toml")
        .expect("the inventory is read");
    let routes = [
        ("GET", "thing/{id:[0-9]+}", "CRMApi.Things.cs:10"),
        ("PUT", "thing/{id:[0-9]+}", "CRMApi.Things.cs:10"),
        ("GET", "thing/{thingid:[0-9]+}", "CRMApi.Things.cs:10"),
        ("DELETE", "thing/filter", "CRMApi.Things.cs:20"),
        ("PUT", "thing/filter", "CRMApi.Things.cs:20"),
        ("GET", "thing/filter", "CRMApi.Things.cs:20"),
        ("GET", "{kind:(a|b)}/x", "CRMApi.Things.cs:40"),
        ("GET", "thing", "CRMApi.Things.cs:31"),
    ]
    .map(|(method, route, source)| {
        format!(
            "  {{ method = \"{method}\", route = \"{route}\", server = \"Thing\", source = \"{source}\", category = \"Things\" }},\n"
        )
    });
    let end = inventory.rfind(']').expect("the list ends");
    inventory.insert_str(end, &routes.concat());
    sources
}

/// The real spec with the file `rel` replaced by `text`, or added when there is none.
fn with_file(rel: &str, text: &str) -> Sources {
    let mut sources = real();
    match sources.files.iter_mut().find(|(r, _)| r == rel) {
        Some((_, old)) => *old = text.to_owned(),
        None => sources.files.push((rel.to_owned(), text.to_owned())),
    }
    sources
}

/// The real spec with `extra` appended to its file `rel`, and the line `extra` starts on.
fn appended(rel: &str, extra: &str) -> (Sources, usize) {
    let mut sources = real();
    let (_, text) = sources
        .files
        .iter_mut()
        .find(|(r, _)| r == rel)
        .unwrap_or_else(|| panic!("{rel} is not in the spec"));
    let kept = text.trim_end().to_owned();
    let start = kept.lines().count() + 2;
    *text = format!("{kept}\n\n{extra}");
    (sources, start)
}

/// Every message the loader gives, in order; none when the spec loads.
fn messages(sources: &Sources) -> Vec<String> {
    match load(sources) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

/// The messages for the real spec with `endpoints/thing.toml` holding `text`.
fn thing(text: &str) -> Vec<String> {
    messages(&with_file(THING, text))
}

/// The one message `message` about `item`, at `file:line`.
fn one(file: &str, line: usize, item: &str, message: &str) -> Vec<String> {
    vec![format!("{file}:{line} ({item}): {message}")]
}

#[test]
fn the_real_spec_loads_with_no_errors() {
    let sources = real();
    for file in ["ids.toml", "enums.toml", "groups.toml"] {
        let rel = format!("spec/crm/{file}");
        assert!(
            sources.files.iter().any(|(r, _)| *r == rel),
            "{rel} is not read"
        );
    }
    assert!(
        sources
            .files
            .iter()
            .any(|(r, _)| r.starts_with("spec/crm/types/"))
    );
    assert!(
        sources
            .files
            .iter()
            .any(|(r, _)| r.starts_with("spec/crm/endpoints/"))
    );
    let spec = load(&sources).unwrap_or_else(|errors| {
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        panic!("the spec has errors:\n{}", errors.join("\n"))
    });
    assert!(spec.all_endpoints().count() > 0);
    assert!(spec.all_types().count() > 0);
}

#[test]
fn a_good_spec_passes() {
    assert_eq!(thing(GOOD), Vec::<String>::new());
    assert_eq!(thing(DESTRUCTIVE), Vec::<String>::new());
    // A `bool?` narrows when it is sent at all (the case filter's `isClosed`).
    let nullable_bool = DESTRUCTIVE
        .replacen("type = \"datetime\"", "type = \"bool\"", 1)
        .replacen("binding = \"ApiDateTime\"", "binding = \"bool?\"", 1);
    assert_eq!(thing(&nullable_bool), Vec::<String>::new());
    assert_eq!(thing(LIST), Vec::<String>::new());
    assert_eq!(thing(&format!("{GOOD}{EXAMPLE}")), Vec::<String>::new());
    assert_eq!(
        thing(&GOOD.replace("output = \"Opportunity\"", "output = \"none\"")),
        Vec::<String>::new()
    );
    assert_eq!(
        thing(&GOOD.replace("output = \"Opportunity\"", "output = \"Opportunity[]\"")),
        Vec::<String>::new()
    );
    assert_eq!(
        thing(&format!(
            "{GOOD}[[endpoint.param]]\ngroup = \"search_text\"\n"
        )),
        Vec::<String>::new()
    );
    assert_eq!(
        messages(&with_file(THING_TYPES, TYPE)),
        Vec::<String>::new()
    );
    assert_eq!(messages(&appended(ENUMS, ENUM).0), Vec::<String>::new());
    assert_eq!(messages(&appended(IDS, ID).0), Vec::<String>::new());
    assert_eq!(messages(&appended(GROUPS, GROUP).0), Vec::<String>::new());
    assert_eq!(
        thing(&LIST.replace("paged = true", "paged = true\ntotal_counts_all = false")),
        Vec::<String>::new()
    );
    assert_eq!(
        thing(&GOOD.replace("required = true", "required = true\nnegative = true")),
        Vec::<String>::new()
    );
}

#[test]
fn an_output_is_a_value_the_server_returns() {
    let output = |to: &str| GOOD.replace("output = \"Opportunity\"", &format!("output = {to:?}"));
    for good in ["string", "string[]", "bool", "bool?", "Opportunity?"] {
        assert_eq!(thing(&output(good)), Vec::<String>::new(), "{good}");
    }
    // Only a `Boolean?` method or one returning a struct answers "no value" (`{}`); a
    // union's null would read as neither variant; no method returns a list of booleans, a
    // bare number or an id.
    for bad in ["string?", "Contact?", "bool[]", "int", "long?", "guid"] {
        assert_eq!(
            thing(&output(bad)),
            one(
                THING,
                3,
                "endpoint GetThing",
                &format!(
                    "output `{bad}` is not a wire type, `Type?` (a struct), `string`, `bool`, \
                     `bool?`, a list of one (`Type[]`) or `none`"
                )
            ),
            "{bad}"
        );
    }
}

#[test]
fn paging_and_id_modifiers_go_where_they_mean_something() {
    assert_eq!(
        thing(&GOOD.replace(
            "source = \"CRMApi.Things.cs:10\"",
            "source = \"CRMApi.Things.cs:10\"\ntotal_counts_all = false"
        )),
        one(
            THING,
            3,
            "endpoint GetThing",
            "total_counts_all needs paged = true"
        )
    );
    assert_eq!(
        thing(&GOOD.replace("binding = \"bool\"", "binding = \"bool\"\nnegative = true")),
        one(
            THING,
            3,
            "endpoint GetThing",
            "parameter `full`: `negative` is for an `int` id"
        )
    );
    let key = "[[id]]\nname = \"ThingId\"\nrepr = \"key\"\ndoc = \"A thing's id.\"\n";
    let (mut sources, _) = appended(IDS, key);
    sources
        .files
        .push((THING.into(), GOOD.replace("OpportunityId", "ThingId")));
    assert_eq!(
        messages(&sources),
        one(
            THING,
            3,
            "endpoint GetThing",
            "parameter `id`: `ThingId` is a `key` id, which only wire types hold; no parameter takes one"
        )
    );
}

#[test]
fn every_route_that_acts_on_all_matches_declares_its_filter() {
    let no_declaration = DESTRUCTIVE
        .replace("destructive_filter = \"delete every thing\"\n", "")
        .replace("filter = true\n", "");
    let cases = [
        (
            no_declaration.clone(),
            "a non-GET route with a `filter` segment acts on everything that matches; \
             declare destructive_filter (what it does with no filter)",
        ),
        (
            no_declaration.replace("method = \"DELETE\"", "method = \"PUT\""),
            "a non-GET route with a `filter` segment acts on everything that matches; \
             declare destructive_filter (what it does with no filter)",
        ),
        (
            DESTRUCTIVE.replace("filter = true\n", ""),
            "destructive_filter needs at least one parameter with filter = true",
        ),
        (
            DESTRUCTIVE.replace("\"delete every thing\"", "\" \""),
            "destructive_filter must say what happens with no filter",
        ),
        (
            DESTRUCTIVE.replace("method = \"DELETE\"", "method = \"GET\""),
            "destructive_filter is for endpoints that change or delete",
        ),
        (
            DESTRUCTIVE.replace("with = \"toDate\"", "with = \"tooDate\""),
            "parameter `fromDate`: with must name another optional single-valued parameter",
        ),
        (
            DESTRUCTIVE.replace("with = \"toDate\"", "with = \"fromDate\""),
            "parameter `fromDate`: with must name another optional single-valued parameter",
        ),
        (
            DESTRUCTIVE.replacen("type = \"datetime\"", "type = \"bool\"", 1),
            "parameter `fromDate`: a filter must be optional and an id, an enum, a date, \
             a `bool?`, a string or strings",
        ),
        (
            DESTRUCTIVE
                .replacen("type = \"datetime\"", "type = \"bool\"", 1)
                .replacen("binding = \"ApiDateTime\"", "binding = \"bool\"", 1),
            "parameter `fromDate`: a filter must be optional and an id, an enum, a date, \
             a `bool?`, a string or strings",
        ),
        (
            DESTRUCTIVE
                .replace("with = \"toDate\"\n", "required = true\n")
                .replace("with = \"fromDate\"\n", ""),
            "parameter `fromDate`: a filter must be optional and an id, an enum, a date, \
             a `bool?`, a string or strings",
        ),
        (
            DESTRUCTIVE.replacen("doc = \"From.\"", "doc = \"From.\"\ncomma_cut = true", 1),
            "parameter `fromDate`: comma_cut applies to strings",
        ),
        (
            DESTRUCTIVE.replacen("with = \"toDate\"", "rust = \"all\"", 1),
            "parameter `fromDate`: the Rust field `all` is the opt-in of a destructive_filter \
             endpoint",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            thing(&text),
            one(THING, 3, "endpoint DeleteThings", expected),
            "{text}"
        );
    }
    // A filter outside a destructive_filter endpoint (a group's are allowed: lists use them).
    let text = GOOD.replace(
        "type = \"bool\"\nbinding = \"bool\"",
        "type = \"string\"\nbinding = \"string\"\nfilter = true",
    );
    assert_eq!(
        thing(&text),
        one(
            THING,
            3,
            "endpoint GetThing",
            "parameter `full`: filter needs destructive_filter on the endpoint"
        )
    );
}

#[test]
fn each_rule_is_reported_with_its_place() {
    let cases = [
        (
            GOOD.replace("{id:[0-9]+}", "{thingid:[0-9]+}"),
            "the path's placeholders {\"thingid\"} differ from its path parameters {\"id\"}",
        ),
        (
            GOOD.replace("in = \"query\"", "in = \"body\""),
            "parameter `full`: a GET request has no body",
        ),
        (
            GOOD.replace("type = \"bool\"", "type = \"uuid\""),
            "parameter `full`: type `uuid` is not one of string, bool, int, long, decimal, \
             datetime, guid, index, an id, an enum, SortOrder, CustomFieldValue, TextPair, Upload, ContactInfo[] (in a body) or sort",
        ),
        (
            GOOD.replace("type = \"bool\"", "type = \"Opportunity\""),
            "parameter `full`: type `Opportunity` is not one of string, bool, int, long, \
             decimal, datetime, guid, index, an id, an enum, SortOrder, CustomFieldValue, TextPair, Upload, ContactInfo[] (in a body) or sort",
        ),
        (
            GOOD.replace("type = \"bool\"", "type = \"bool?\""),
            "parameter `full`: a parameter is optional by `required`, not by `?`",
        ),
        (
            GOOD.replace("type = \"OpportunityId\"", "type = \"OpportunityId[]\""),
            "parameter `id`: a path parameter must be a required id, int, enum, choice or string",
        ),
        (
            GOOD.replace("type = \"bool\"", "type = \"sort\""),
            "parameter `full`: type sort is the paging group's sortBy",
        ),
        (
            GOOD.replace(
                "binding = \"bool\"",
                "binding = \"bool\"\npath_too = \"id\"",
            ),
            "parameter `full`: path_too needs a required single query or body value",
        ),
        (
            GOOD.replace("output = \"Opportunity\"", "output = \"Thing\""),
            "output `Thing` is not a wire type, `Type?` (a struct), `string`, `bool`, `bool?`, a list of one (`Type[]`) or `none`",
        ),
        (
            GOOD.replace("output = \"Opportunity\"", "output = \"OpportunityId\""),
            "output `OpportunityId` is not a wire type, `Type?` (a struct), `string`, `bool`, `bool?`, a list of one (`Type[]`) or `none`",
        ),
        // The second declaration is reported at the first one's line: `line_of` finds the
        // first `name = "GetThing"` of the file.
        (
            format!("{GOOD}{GOOD}"),
            "the name is used twice in the spec",
        ),
        (
            GOOD.replace("method = \"GET\"", "method = \"PATCH\""),
            "method `PATCH` is not GET, POST, PUT or DELETE",
        ),
        (
            GOOD.replace("api/2.0/crm/", "api/crm/"),
            "the path must start with api/2.0/",
        ),
        (
            GOOD.replace("doc = \"Reads a thing.\"", "doc = \" \""),
            "the doc text is empty",
        ),
        (
            GOOD.replace("doc = \"The id.\"", "doc = \"\""),
            "parameter `id`: the doc text is empty",
        ),
        (
            GOOD.replace("name = \"full\"", "name = \"id\""),
            "parameter `id`: Rust field `id` is used twice",
        ),
        (
            format!(
                "{GOOD}[[endpoint.param]]\nname = \"full\"\nrust = \"full_too\"\n\
                 in = \"query\"\ntype = \"bool\"\nbinding = \"bool\"\ndoc = \"Again.\"\n"
            ),
            "parameter `full` is declared twice",
        ),
        (
            GOOD.replace("name = \"GetThing\"", "name = \"get_thing\""),
            "the name must be a CamelCase Rust type name",
        ),
    ];
    for (text, expected) in cases {
        let found = thing(&text);
        let item = if text.contains("get_thing") {
            "endpoint get_thing"
        } else {
            "endpoint GetThing"
        };
        assert_eq!(found, one(THING, 3, item, expected), "{text}");
    }
    // A parse error names the file and the line. (Not asserted for a key at the start of a
    // line: `parse` in mod.rs counts the lines before the error, one short when the error
    // starts a line, so `flavour` on line 9 is reported at line 8.)
    let found = thing(&GOOD.replace(
        "doc = \"Reads a thing.\"",
        "doc = \"Reads a thing.\"\nflavour = 1",
    ));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with(&format!("{THING}:")), "{found:?}");
    assert!(
        found[0].contains(": unknown field `flavour`, expected one of `name`, `method`"),
        "{found:?}"
    );
    let found = thing(&LIST.replace("\"The title.\" }", "\"The title.\", flavour = 1 }"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(&format!("{THING}:6: unknown field `flavour`")),
        "{found:?}"
    );
    let found = thing(&LIST.replace("paged = true", "paged = \"yes\""));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with(&format!("{THING}:14: ")), "{found:?}");
    // So does a file that is not part of the layout.
    assert_eq!(
        messages(&with_file("spec/crm/other.toml", GOOD)),
        [
            "spec/crm/other.toml: not a file of the spec (ids, enums, groups, inventory, types/*, endpoints/*)"
        ]
    );
}

#[test]
fn every_parameter_says_how_the_server_binds_it() {
    let missing = "parameter `id`: binding (the server's C# type of the parameter) is needed";
    for text in [
        GOOD.replacen("binding = \"int\"\n", "", 1),
        GOOD.replacen("binding = \"int\"", "binding = \"?\"", 1),
        GOOD.replacen("binding = \"int\"", "binding = \" \"", 1),
    ] {
        assert_eq!(
            thing(&text),
            one(THING, 3, "endpoint GetThing", missing),
            "{text}"
        );
    }
    // In a group, the group is named.
    let (sources, start) = appended(GROUPS, &GROUP.replace("binding = \"string\"\n", ""));
    assert_eq!(
        messages(&sources),
        one(
            GROUPS,
            start + 1,
            "group thing_extra",
            "parameter `colour`: binding (the server's C# type of the parameter) is needed"
        )
    );
}

#[test]
fn groups_are_known_and_flat() {
    assert_eq!(
        thing(&format!("{GOOD}[[endpoint.param]]\ngroup = \"nothing\"\n")),
        one(
            THING,
            3,
            "endpoint GetThing",
            "group `nothing` is not in groups.toml"
        )
    );
    let (sources, start) = appended(
        GROUPS,
        &format!(
            "{GROUP}[[group.param]]\ngroup = \"paging\"\nname = \"size\"\ntype = \"int\"\n\
             binding = \"int\"\ndoc = \"The size.\"\n"
        ),
    );
    assert_eq!(
        messages(&sources),
        one(
            GROUPS,
            start + 1,
            "group thing_extra",
            "a group cannot use another group"
        )
    );
    // A group that leaves `in` open needs it from each use.
    let (sources, _) = appended(GROUPS, &GROUP.replace("in = \"query\"\n", ""));
    assert_eq!(messages(&sources), Vec::<String>::new());
    let mut sources = with_file(
        THING,
        &format!("{GOOD}[[endpoint.param]]\ngroup = \"thing_extra\"\n"),
    );
    let (_, text) = sources
        .files
        .iter_mut()
        .find(|(r, _)| r == GROUPS)
        .expect("groups.toml");
    *text = format!(
        "{}\n\n{}",
        text.trim_end(),
        GROUP.replace("in = \"query\"\n", "")
    );
    assert_eq!(
        messages(&sources),
        one(
            THING,
            3,
            "endpoint GetThing",
            "parameter `colour`: `in` (path, query or body) is needed"
        )
    );
}

#[test]
fn a_name_means_one_thing_in_the_whole_spec() {
    let twice = "the name is used twice in the spec";
    // An endpoint named like a wire type.
    assert_eq!(
        thing(&GOOD.replace("name = \"GetThing\"", "name = \"Opportunity\"")),
        one(THING, 3, "endpoint Opportunity", twice)
    );
    // An endpoint named like an id.
    assert_eq!(
        thing(&GOOD.replace("name = \"GetThing\"", "name = \"OpportunityId\"")),
        one(THING, 3, "endpoint OpportunityId", twice)
    );
    // A sort named like an enum.
    assert_eq!(
        thing(&LIST.replace("ThingSortBy", "StageType")),
        one(THING, 3, "sort StageType", twice)
    );
    // A wire type named like one in another file.
    assert_eq!(
        messages(&with_file(
            THING_TYPES,
            &TYPE.replace("name = \"Thing\"", "name = \"Opportunity\"")
        )),
        one(THING_TYPES, 3, "type Opportunity", twice)
    );
    // A wire type named like an enum: the later kind is reported (ids, enums, types, then
    // the endpoint files' sorts and endpoints).
    assert_eq!(
        messages(&with_file(
            THING_TYPES,
            &TYPE.replace("name = \"Thing\"", "name = \"BidType\"")
        )),
        one(THING_TYPES, 3, "type BidType", twice)
    );
}

#[test]
fn types_name_only_known_types() {
    assert_eq!(
        messages(&with_file(
            THING_TYPES,
            &TYPE.replace(
                "doc = \"A thing.\"",
                "extends = \"Nothing\"\ndoc = \"A thing.\""
            )
        )),
        one(
            THING_TYPES,
            3,
            "type Thing",
            "extends `Nothing`, which is not a type"
        )
    );
    // A type that extends a known one passes.
    assert_eq!(
        messages(&with_file(
            THING_TYPES,
            &TYPE.replace(
                "doc = \"A thing.\"",
                "extends = \"Currency\"\ndoc = \"A thing.\""
            )
        )),
        Vec::<String>::new()
    );
    for (ty, shown) in [
        ("Widget", "Widget"),
        ("Widget[]", "Widget[]"),
        ("index", "index"),
        ("SortOrder", "SortOrder"),
        ("sort", "sort"),
    ] {
        let text = TYPE.replace("type = \"OpportunityId\"", &format!("type = \"{ty}\""));
        assert_eq!(
            messages(&with_file(THING_TYPES, &text)),
            one(
                THING_TYPES,
                3,
                "type Thing",
                &format!("field `id`: type `{shown}` is not a built-in, id, enum or wire type")
            ),
            "{text}"
        );
    }
    // A field repeated through what the type extends (Currency has `title`).
    let text = TYPE
        .replace(
            "doc = \"A thing.\"",
            "extends = \"Currency\"\ndoc = \"A thing.\"",
        )
        .replace("name = \"id\"", "name = \"title\"")
        .replace("type = \"OpportunityId\"", "type = \"string\"");
    assert_eq!(
        messages(&with_file(THING_TYPES, &text)),
        one(
            THING_TYPES,
            3,
            "type Thing",
            "field `title` is declared twice (with what it extends)"
        )
    );
    for (name, rust) in [("Id", "other_id"), ("thingId", "id")] {
        let text = format!(
            "{TYPE}[[type.field]]\nname = \"{name}\"\nrust = \"{rust}\"\ntype = \"int\"\n\
             doc = \"Again.\"\n"
        );
        assert_eq!(
            messages(&with_file(THING_TYPES, &text)),
            one(
                THING_TYPES,
                3,
                "type Thing",
                &format!("field `{name}` is declared twice (with what it extends)")
            ),
            "{text}"
        );
    }
    assert_eq!(
        messages(&with_file(
            THING_TYPES,
            &TYPE.replace(
                "doc = \"The thing's id.\"",
                "never_null = true\ndoc = \"The thing's id.\""
            )
        )),
        one(
            THING_TYPES,
            3,
            "type Thing",
            "field `id`: never_null only matters with emit_default = false"
        )
    );
}

#[test]
fn enums_and_ids_follow_their_rules() {
    let no_zero = ENUM
        .replace("value = 0", "value = 2")
        .replace("value = 1", "value = 3");
    let (sources, start) = appended(ENUMS, &no_zero);
    assert_eq!(
        messages(&sources),
        one(
            ENUMS,
            start + 1,
            "enum Colour",
            "a variant with value 0 is needed: it is what the server means when it leaves the \
             member out"
        )
    );
    let (sources, start) = appended(ENUMS, &ENUM.replace("value = 1", "value = 0"));
    assert_eq!(
        messages(&sources),
        one(
            ENUMS,
            start + 1,
            "enum Colour",
            "variant `Green` repeats a name or a value"
        )
    );
    let (sources, start) = appended(ENUMS, &ENUM.replace("\"Green\"", "\"RED\""));
    assert_eq!(
        messages(&sources),
        one(
            ENUMS,
            start + 1,
            "enum Colour",
            "variant `RED` repeats a name or a value"
        )
    );
    let (sources, start) = appended(ENUMS, &ENUM.replace("\"Green\"", "\"Unknown\""));
    assert_eq!(
        messages(&sources),
        one(
            ENUMS,
            start + 1,
            "enum Colour",
            "variant `Unknown` must be CamelCase and not `Unknown`"
        )
    );
    let (sources, start) = appended(IDS, &ID.replace("repr = \"int\"", "repr = \"long\""));
    assert_eq!(
        messages(&sources),
        one(
            IDS,
            start + 1,
            "id ThingId",
            "repr `long` is not int, guid or key"
        )
    );
    let (sources, start) = appended(IDS, &ID.replace("ThingId", "ThingKey"));
    assert_eq!(
        messages(&sources),
        one(
            IDS,
            start + 1,
            "id ThingKey",
            "an id's name is CamelCase and ends in `Id`"
        )
    );
}

#[test]
fn examples_name_the_endpoints_parameters() {
    let cases = [
        (
            EXAMPLE.replace("{ id = 1 }", "{ id = 1, colour = \"red\" }"),
            "example from the docs: `colour` is not a parameter",
        ),
        (
            EXAMPLE.replace("{ id = 1 }", "{ full = true }"),
            "example from the docs: the required `id` is missing",
        ),
        (
            EXAMPLE.replace("request = \"GET ", "request = \"POST "),
            "example from the docs: the request must start with `GET `",
        ),
    ];
    for (example, expected) in cases {
        let text = format!("{GOOD}{example}");
        assert_eq!(
            thing(&text),
            one(THING, 3, "endpoint GetThing", expected),
            "{text}"
        );
    }
    // Arguments are named by Rust field, not by wire name.
    let text = format!(
        "{}{EXAMPLE}",
        GOOD.replace("name = \"id\"", "name = \"id\"\nrust = \"thing_id\"")
    );
    let item = "endpoint GetThing";
    let mut expected = one(
        THING,
        3,
        item,
        "example from the docs: `id` is not a parameter",
    );
    expected.extend(one(
        THING,
        3,
        item,
        "example from the docs: the required `thing_id` is missing",
    ));
    assert_eq!(thing(&text), expected);
}

#[test]
fn lists_are_paged_and_sorted_by_their_own_keys() {
    let item = "endpoint ListThings";
    assert_eq!(
        thing(&LIST.replace("sort_by = \"ThingSortBy\"", "sort_by = \"NoSuchSort\"")),
        one(
            THING,
            9,
            item,
            "sort_by `NoSuchSort` is not a [[sort]] of any endpoint file"
        )
    );
    // A sort of another resource file is the same server enum, which that file's module
    // declares and this one re-exports.
    assert_eq!(
        thing(&LIST.replace(
            "sort_by = \"ThingSortBy\"",
            "sort_by = \"OpportunitySortBy\""
        )),
        Vec::<String>::new()
    );
    assert_eq!(
        thing(&LIST.replace("paged = true\n", "")),
        one(THING, 9, item, "sort_by needs paged = true")
    );
    assert_eq!(
        thing(&LIST.replace("output = \"Opportunity[]\"", "output = \"Opportunity\"")),
        one(THING, 9, item, "only a GET returning a list can be paged")
    );
}

#[test]
fn an_endpoint_names_the_line_of_its_route() {
    for source in [
        "CRMApi.Things.cs",
        "CRMApi.Things.cs:",
        "CRMApi.Things.cs:ten",
        "CRMApi.Things.cs:10:3",
        ".cs:10",
        "CRMApi.Things:10",
    ] {
        let text = GOOD.replace("CRMApi.Things.cs:10", source);
        assert_eq!(
            thing(&text),
            one(
                THING,
                3,
                "endpoint GetThing",
                &format!(
                    "source `{source}` must be the route's file and line, such as \
                     CRMApi.Deals.cs:52"
                )
            ),
            "{text}"
        );
    }
}

#[test]
fn a_group_use_says_only_the_group_and_where_it_travels() {
    // Keys of a parameter on a group use would be ignored: refused.
    let put = GOOD.replace("method = \"GET\"", "method = \"PUT\"");
    assert_eq!(
        thing(&format!(
            "{put}[[endpoint.param]]\ngroup = \"access\"\nrequired = true\n"
        )),
        one(
            THING,
            3,
            "endpoint GetThing",
            "the use of group `access` may only say `group` and `in`; its parameters are the group's"
        )
    );
    // `access` fixes `in = "body"`: a use that says otherwise would be ignored, so it is refused.
    assert_eq!(
        thing(&format!(
            "{put}[[endpoint.param]]\ngroup = \"access\"\nin = \"query\"\n"
        )),
        one(
            THING,
            3,
            "endpoint GetThing",
            "group `access` says where its parameters travel; its use cannot say `in`"
        )
    );
    assert_eq!(
        thing(&format!("{put}[[endpoint.param]]\ngroup = \"access\"\n")),
        Vec::<String>::new()
    );
}

#[test]
fn a_type_cannot_extend_itself() {
    let looped = TYPE.replace(
        "doc = \"A thing.\"",
        "extends = \"Thing\"\ndoc = \"A thing.\"",
    );
    assert_eq!(
        messages(&with_file(THING_TYPES, &looped)),
        one(THING_TYPES, 3, "type Thing", "extends loops back to itself")
    );
    let two = format!(
        "{}\n{}",
        TYPE.replace(
            "doc = \"A thing.\"",
            "extends = \"Other\"\ndoc = \"A thing.\""
        ),
        TYPE.replace("# Test types.\n", "")
            .replace("name = \"Thing\"", "name = \"Other\"")
            .replace(
                "doc = \"A thing.\"",
                "extends = \"Thing\"\ndoc = \"A thing.\""
            )
            .replace("name = \"id\"", "name = \"otherId\"")
    );
    let found = messages(&with_file(THING_TYPES, &two));
    assert!(
        found
            .iter()
            .filter(|m| m.ends_with("extends loops back to itself"))
            .count()
            == 2,
        "{found:?}"
    );
}

#[test]
fn sorts_and_enums_are_complete() {
    let sort = |keys: &str| {
        LIST.replace(
            "[[endpoint]]",
            &format!(
                "[[sort]]\nname = \"ThingSort\"\nsource = \"CRMApi.Things.cs:1\"\ndoc = \"Keys.\"\nkeys = [{keys}]\n\n[[endpoint]]"
            ),
        )
    };
    let good = sort("{ name = \"Title\", wire = \"title\", doc = \"The title.\" }");
    assert!(
        thing(&good).iter().all(|m| !m.contains("sort ThingSort")),
        "{:?}",
        thing(&good)
    );
    for keys in [
        "",
        "{ name = \"Title\", wire = \"title\", doc = \"T.\" }, { name = \"Name\", wire = \"TITLE\", doc = \"N.\" }",
        "{ name = \"title\", wire = \"title\", doc = \"T.\" }",
        "{ name = \"Title\", wire = \" \", doc = \"T.\" }",
    ] {
        let found = thing(&sort(keys));
        assert!(
            found.iter().any(|m| m.contains("(sort ThingSort)")),
            "{keys}: {found:?}"
        );
    }
    let (sources, start) = appended(ENUMS, &ENUM.replace("doc = \"Green.\"", "doc = \" \""));
    assert_eq!(
        messages(&sources),
        one(
            ENUMS,
            start + 1,
            "enum Colour",
            "every variant needs a doc text"
        )
    );
    let (sources, start) = appended(ENUMS, &ENUM.replace("server = \"Colour\"", "server = \"\""));
    assert_eq!(
        messages(&sources),
        one(
            ENUMS,
            start + 1,
            "enum Colour",
            "server, source and doc are needed"
        )
    );
}

#[test]
fn a_group_signature_lists_each_of_its_parameters_once() {
    let with = |signature: &str| {
        GROUP.replace(
            "doc = \"More about things.\"",
            &format!("doc = \"More about things.\"\nsignature = {signature}"),
        )
    };
    let (sources, _) = appended(GROUPS, &with("[\"colour\"]"));
    assert_eq!(messages(&sources), Vec::<String>::new());
    for bad in ["[]", "[\"colour\", \"colour\"]", "[\"color\"]"] {
        let (sources, start) = appended(GROUPS, &with(bad));
        assert_eq!(
            messages(&sources),
            one(
                GROUPS,
                start + 1,
                "group thing_extra",
                "signature must list each of the group's parameters once"
            ),
            "{bad}"
        );
    }
}

#[test]
fn the_emulator_table_names_an_operation_it_can_call() {
    let with =
        |table: &str| GOOD.replacen("output = ", &format!("emulator = {table}\noutput = "), 1);
    assert_eq!(
        thing(&with(
            r#"{ op = "get", entity = "Opportunity", positive = true }"#
        )),
        Vec::<String>::new()
    );
    assert_eq!(
        thing(&with(r#"{ hook = "read_thing" }"#)),
        Vec::<String>::new()
    );
    let cases = [
        (
            r#"{ op = "fetch", entity = "Opportunity" }"#,
            "emulator: `fetch` is not a generic operation (get, list, create, update, delete, delete_many, delete_by_filter, list_filtered, set_field, reorder, link, unlink, linked)",
        ),
        (
            r#"{ op = "get", entity = "Thing" }"#,
            "emulator: entity `Thing` is not a wire type",
        ),
        (
            r#"{ op = "get", entity = "Opportunity", hook = "x" }"#,
            "emulator: give either `op` or `hook`",
        ),
        (
            r#"{ hook = "ReadThing" }"#,
            "emulator: hook `ReadThing` must be a snake_case function name",
        ),
        (
            r#"{ op = "link", entity = "Opportunity" }"#,
            "emulator: op `link` needs `with`",
        ),
        (
            r#"{ op = "set_field", entity = "Opportunity" }"#,
            "emulator: `field` goes with op `set_field`, and only with it",
        ),
        // The endpoint has one path id and one other parameter, not a list of ids.
        (
            r#"{ op = "delete_many", entity = "Opportunity" }"#,
            "emulator: op `delete_many` needs exactly one other parameter, an `IEnumerable<int>`",
        ),
    ];
    for (table, message) in cases {
        assert_eq!(
            thing(&with(table)),
            one(THING, 3, "endpoint GetThing", message),
            "{table}"
        );
    }
}

#[test]
fn every_emulated_route_has_an_example_sent_to_the_emulator() {
    // Each such example is a wire test and a conformance case in both formats
    // (tests/it/generated/examples.rs), so no emulated route goes untried.
    let spec = load(&real()).unwrap_or_else(|_| panic!("the spec loads"));
    let untried: Vec<&str> = spec
        .all_endpoints()
        .filter(|(_, e)| e.emulator.is_some())
        .filter(|(_, e)| !e.example.iter().any(|x| x.emulated))
        .map(|(_, e)| e.name.as_str())
        .collect();
    assert_eq!(untried, Vec::<&str>::new());
}

#[test]
fn a_filter_group_gives_each_parameter_one_predicate() {
    let group = |extra: &str, predicate: &str| {
        GROUP
            .replacen(
                "doc = \"More about things.\"\n",
                &format!("doc = \"More about things.\"\n{extra}"),
                1,
            )
            .replacen(
                "doc = \"The colour.\"",
                &format!("{predicate}doc = \"The colour.\""),
                1,
            )
    };
    let problems = |text: String| {
        let (sources, start) = appended(GROUPS, &text);
        (messages(&sources), start)
    };
    let (found, _) = problems(group(
        "entity = \"Opportunity\"\n",
        "predicate = { eq = \"title\" }\n",
    ));
    assert_eq!(found, Vec::<String>::new());
    let cases = [
        (
            group("", "predicate = { eq = \"title\" }\n"),
            "a `predicate` needs the group's `entity`",
        ),
        (
            group("entity = \"Opportunity\"\n", ""),
            "parameter `colour`: a filter of an entity needs a `predicate`",
        ),
        (
            group(
                "entity = \"Opportunity\"\n",
                "predicate = { eq = \"title\", tags = \"tags\" }\n",
            ),
            "parameter `colour`: a predicate is exactly one of eq, tags, from, to, instead",
        ),
        (
            group(
                "entity = \"Opportunity\"\n",
                "predicate = { instead = \"members\" }\n",
            ),
            "parameter `colour`: `instead` needs `of`, an `eq` parameter of the group",
        ),
        (
            group(
                "entity = \"Opportunity\"\n",
                "predicate = { from = \"created\" }\n",
            ),
            "parameter `colour`: a range half needs `with` naming its other half on the same column",
        ),
        (
            group("entity = \"Thing\"\n", "predicate = { eq = \"title\" }\n"),
            "entity `Thing` is not a wire type",
        ),
    ];
    for (text, message) in cases {
        let (found, start) = problems(text.clone());
        assert_eq!(
            found,
            one(GROUPS, start + 1, "group thing_extra", message),
            "{text}"
        );
    }
}

#[test]
fn every_endpoint_is_a_route_of_the_server_at_the_line_it_cites() {
    let moved = GOOD.replacen("CRMApi.Things.cs:10", "CRMApi.Things.cs:11", 1);
    assert_eq!(
        thing(&moved),
        one(
            THING,
            3,
            "endpoint GetThing",
            "source `CRMApi.Things.cs:11`, but the server's route is at `CRMApi.Things.cs:10` (Thing)"
        )
    );
    let unknown = GOOD.replacen(
        "api/2.0/crm/thing/{id:[0-9]+}",
        "api/2.0/crm/thing/{id:[0-9]+}/x",
        1,
    );
    assert_eq!(
        thing(&unknown),
        one(
            THING,
            3,
            "endpoint GetThing",
            "`GET thing/{id:[0-9]+}/x` is not a route of the server (inventory.toml)"
        )
    );
}

#[test]
fn the_inventory_has_every_route_of_the_server_once() {
    // The fact sheet's count, read independently from the same source: 267 routes, 41 hidden
    // (../shared/reference/crm-api-facts.md, §8).
    let spec = load(&real()).unwrap_or_else(|_| panic!("the spec loads"));
    let server: Vec<_> = spec
        .inventory
        .route
        .iter()
        .filter(|r| r.category != "Things")
        .collect();
    assert_eq!(server.len(), 267);
    assert_eq!(server.iter().filter(|r| r.hidden).count(), 41);
    let mut keys: Vec<(&str, &str)> = server
        .iter()
        .map(|r| (r.method.as_str(), r.route.as_str()))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), 267, "each method and route once");
    for route in &server {
        let (file, line) = route.source.split_once(':').expect("file:line");
        assert!(
            file.starts_with("CRMApi.") && file.ends_with(".cs"),
            "{route:?}"
        );
        assert!(line.parse::<u32>().is_ok(), "{route:?}");
        assert!(
            !route.server.is_empty() && !route.category.is_empty(),
            "{route:?}"
        );
    }
}

#[test]
fn a_choice_is_used_by_its_own_file_and_matches_the_route() {
    // A choice of tag.toml in another file's route.
    let borrowed = GOOD.replacen(
        "name = \"full\"\nin = \"query\"\ntype = \"bool\"\nbinding = \"bool\"",
        "name = \"full\"\nin = \"query\"\ntype = \"TagEntityType\"\nbinding = \"string\"",
        1,
    );
    assert_eq!(
        thing(&borrowed),
        one(
            THING,
            3,
            "endpoint GetThing",
            "parameter `full`: choice `TagEntityType` is not a [[choice]] of this file"
        )
    );
}

#[test]
fn an_alternation_in_the_route_is_a_choice_with_its_texts() {
    let route = |ty: &str| {
        format!(
            r#"# A test resource.
[[choice]]
name = "ThingKind"
source = "CRMApi.Things.cs:40"
doc = "Kinds."
keys = [{{ name = "A", wire = "a", doc = "A." }}, {{ name = "C", wire = "c", doc = "C." }}]

[[endpoint]]
name = "GetKinds"
method = "GET"
path = "api/2.0/crm/{{kind:(a|b)}}/x"
source = "CRMApi.Things.cs:40"
output = "Opportunity"
doc = "Reads kinds."
[[endpoint.param]]
name = "kind"
in = "path"
type = "{ty}"
binding = "string"
required = true
doc = "The kind."
"#
        )
    };
    assert_eq!(
        thing(&route("string")),
        one(
            THING,
            9,
            "endpoint GetKinds",
            "placeholder `kind` allows only [\"a\", \"b\"]: its parameter's type is a [[choice]] of those"
        )
    );
    assert_eq!(
        thing(&route("ThingKind")),
        one(
            THING,
            9,
            "endpoint GetKinds",
            "placeholder `kind`: choice `ThingKind` has [\"a\", \"c\"], the route allows [\"a\", \"b\"]"
        )
    );
}

/// A union of `Thing` (a person-like type with the tag) and the real `Company`.
const UNION: &str = r#"
[[type]]
name = "Either"
server = "EitherWrapper"
source = "module/ASC.Api/ASC.Api.CRM/Wrappers/EitherWrapper.cs:1"
tag = "isCompany"
doc = "One or the other."
[[type.variant]]
name = "Thing"
type = "Thing"
when = false
doc = "A thing."
[[type.variant]]
name = "Company"
type = "Company"
when = true
doc = "A company."
"#;

#[test]
fn a_union_names_two_types_that_carry_its_tag() {
    let tagged = TYPE.replace(
        "[[type.field]]\nname = \"id\"",
        "[[type.field]]\nname = \"isCompany\"\ntype = \"bool\"\ndoc = \"No.\"\n[[type.field]]\nname = \"id\"",
    );
    assert_eq!(
        messages(&with_file(THING_TYPES, &format!("{tagged}{UNION}"))),
        Vec::<String>::new()
    );
    let cases = [
        (
            format!("{TYPE}{UNION}"),
            "variant `Thing`: `Thing` has no bool member `isCompany`",
        ),
        (
            format!("{tagged}{}", UNION.replace("when = true", "when = false")),
            "a union has two variants, one for each value of its bool tag",
        ),
        (
            format!(
                "{tagged}{}",
                UNION.replace("type = \"Company\"", "type = \"ContactCommon\"")
            ),
            "variant `Company`: `ContactCommon` is abstract or a union",
        ),
        (
            format!(
                "{tagged}{}",
                UNION.replace(
                    "tag = \"isCompany\"\n",
                    "tag = \"isCompany\"\nextends = \"Company\"\n"
                )
            ),
            "a union has variants only: no fields, no extends, not abstract",
        ),
    ];
    for (text, expected) in cases {
        let line = text
            .lines()
            .position(|l| l == "name = \"Either\"")
            .map_or(0, |n| n + 1);
        assert_eq!(
            messages(&with_file(THING_TYPES, &text)),
            one(THING_TYPES, line, "type Either", expected),
            "{text}"
        );
    }
    // A field cannot hold an abstract type.
    let text = TYPE.replace("type = \"OpportunityId\"", "type = \"ContactCommon\"");
    assert_eq!(
        messages(&with_file(THING_TYPES, &text)),
        one(
            THING_TYPES,
            3,
            "type Thing",
            "field `id`: `ContactCommon` is abstract (only extended), so no value has that type"
        )
    );
}
