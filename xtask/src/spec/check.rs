//! The rules a spec must pass before anything is generated from it.

use std::collections::BTreeSet;

use super::{
    Base, DIR, Emulated, Endpoint, Location, OPS, Param, Prim, ResourceFile, Shape, Sources, Spec,
    SpecError, TypeRef, line_of,
};

/// Collects every problem of `spec` into `errors`.
pub(super) fn all(spec: &Spec, sources: &Sources, errors: &mut Vec<SpecError>) {
    let mut at = |file: &str, item: &str, kind: &str, message: String| {
        let text = sources
            .files
            .iter()
            .find(|(r, _)| r == file)
            .map_or("", |(_, t)| t.as_str());
        errors.push(SpecError {
            file: file.to_owned(),
            line: line_of(text, item),
            item: Some(format!("{kind} {item}")),
            message,
        });
    };
    let ids_file = format!("{DIR}/ids.toml");
    let enums_file = format!("{DIR}/enums.toml");
    let groups_file = format!("{DIR}/groups.toml");

    // One name per thing, across every kind: a name never means two things.
    let mut names = BTreeSet::new();
    let mut claim = |name: &str| names.insert(name.to_owned());
    for id in &spec.ids {
        if !claim(&id.name) {
            at(
                &ids_file,
                &id.name,
                "id",
                "the name is used twice in the spec".into(),
            );
        }
        if !["int", "guid", "key"].contains(&id.repr.as_str()) {
            at(
                &ids_file,
                &id.name,
                "id",
                format!("repr `{}` is not int, guid or key", id.repr),
            );
        }
        if !is_type_name(&id.name) || !id.name.ends_with("Id") {
            at(
                &ids_file,
                &id.name,
                "id",
                "an id's name is CamelCase and ends in `Id`".into(),
            );
        }
        if id.doc.trim().is_empty() {
            at(&ids_file, &id.name, "id", "the doc text is empty".into());
        }
    }
    for e in &spec.enums {
        if !claim(&e.name) {
            at(
                &enums_file,
                &e.name,
                "enum",
                "the name is used twice in the spec".into(),
            );
        }
        if e.doc.trim().is_empty() || e.server.trim().is_empty() || e.source.trim().is_empty() {
            at(
                &enums_file,
                &e.name,
                "enum",
                "server, source and doc are needed".into(),
            );
        }
        if !is_type_name(&e.name) {
            at(
                &enums_file,
                &e.name,
                "enum",
                "the name must be a CamelCase Rust type name".into(),
            );
        }
        if e.variants.iter().any(|v| v.doc.trim().is_empty()) {
            at(
                &enums_file,
                &e.name,
                "enum",
                "every variant needs a doc text".into(),
            );
        }
        let mut values = BTreeSet::new();
        let mut variant_names = BTreeSet::new();
        for v in &e.variants {
            if !values.insert(v.value) || !variant_names.insert(v.name.to_ascii_lowercase()) {
                at(
                    &enums_file,
                    &e.name,
                    "enum",
                    format!("variant `{}` repeats a name or a value", v.name),
                );
            }
            if !is_type_name(&v.name) || v.name == "Unknown" {
                at(
                    &enums_file,
                    &e.name,
                    "enum",
                    format!("variant `{}` must be CamelCase and not `Unknown`", v.name),
                );
            }
        }
        if !e.variants.iter().any(|v| v.value == 0) {
            at(&enums_file, &e.name, "enum", "a variant with value 0 is needed: it is what the server means when it leaves the member out".into());
        }
    }
    for file in &spec.types {
        let rel = format!("{DIR}/types/{}.toml", file.stem);
        for ty in &file.types {
            if !claim(&ty.name) {
                at(
                    &rel,
                    &ty.name,
                    "type",
                    "the name is used twice in the spec".into(),
                );
            }
            if !is_type_name(&ty.name) {
                at(
                    &rel,
                    &ty.name,
                    "type",
                    "the name must be a CamelCase Rust type name".into(),
                );
            }
            if ty.source.trim().is_empty() || ty.server.trim().is_empty() {
                at(
                    &rel,
                    &ty.name,
                    "type",
                    "server and source (file:line) are needed".into(),
                );
            }
            if let Some(base) = ty.extends.as_ref().filter(|b| spec.type_def(b).is_none()) {
                at(
                    &rel,
                    &ty.name,
                    "type",
                    format!("extends `{base}`, which is not a type"),
                );
            }
            check_union(spec, ty, &mut |m| at(&rel, &ty.name, "type", m));
            let chain = spec.chain(ty);
            let last = chain.last().and_then(|t| t.extends.as_deref());
            if last.is_some_and(|b| chain.iter().any(|t| t.name == b)) {
                at(
                    &rel,
                    &ty.name,
                    "type",
                    "extends loops back to itself".into(),
                );
            }
            let mut wire = BTreeSet::new();
            let mut rust = BTreeSet::new();
            for field in spec.fields_of(ty) {
                let what = format!("field `{}`", field.name);
                if !wire.insert(field.name.to_ascii_lowercase()) || !rust.insert(field.field()) {
                    at(
                        &rel,
                        &ty.name,
                        "type",
                        format!("{what} is declared twice (with what it extends)"),
                    );
                }
                let t = TypeRef::parse(&field.ty);
                match spec.base(&t.name) {
                    Some(Base::Prim(Prim::Index))
                    | Some(Base::Proto(_))
                    | Some(Base::Sort)
                    | Some(Base::Choice(_))
                    | None => {
                        at(
                            &rel,
                            &ty.name,
                            "type",
                            format!(
                                "{what}: type `{}` is not a built-in, id, enum or wire type",
                                field.ty
                            ),
                        );
                    }
                    _ => {}
                }
                if field.never_null && field.emit_default {
                    at(
                        &rel,
                        &ty.name,
                        "type",
                        format!("{what}: never_null only matters with emit_default = false"),
                    );
                }
                if field.doc.trim().is_empty() {
                    at(
                        &rel,
                        &ty.name,
                        "type",
                        format!("{what}: the doc text is empty"),
                    );
                }
            }
        }
    }
    for group in &spec.groups {
        if group.source.trim().is_empty() || group.doc.trim().is_empty() {
            at(
                &groups_file,
                &group.name,
                "group",
                "source and doc are needed".into(),
            );
        }
        if let Some(signature) = &group.signature {
            let mut listed: Vec<&str> = signature.iter().map(String::as_str).collect();
            let mut params: Vec<&str> = group.param.iter().map(|p| p.wire()).collect();
            listed.sort_unstable();
            params.sort_unstable();
            if listed != params {
                at(
                    &groups_file,
                    &group.name,
                    "group",
                    "signature must list each of the group's parameters once".into(),
                );
            }
        }
        if group.param.iter().any(|p| p.group.is_some()) {
            at(
                &groups_file,
                &group.name,
                "group",
                "a group cannot use another group".into(),
            );
        }
        for param in &group.param {
            param_basics(spec, param, &mut |m| {
                at(&groups_file, &group.name, "group", m)
            });
        }
        for message in check_filter_group(spec, group) {
            at(&groups_file, &group.name, "group", message);
        }
    }
    for resource in &spec.resources {
        let rel = format!("{DIR}/endpoints/{}.toml", resource.stem);
        if !resource
            .stem
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_')
        {
            at(
                &rel,
                &resource.stem,
                "resource",
                "a resource file is named in snake_case".into(),
            );
        }
        let sets = resource
            .sort
            .iter()
            .map(|s| (s, "sort"))
            .chain(resource.choice.iter().map(|c| (c, "choice")));
        for (sort, kind) in sets {
            if !claim(&sort.name) {
                at(
                    &rel,
                    &sort.name,
                    kind,
                    "the name is used twice in the spec".into(),
                );
            }
            if !is_type_name(&sort.name) {
                at(
                    &rel,
                    &sort.name,
                    kind,
                    "the name must be a CamelCase Rust type name".into(),
                );
            }
            let mut keys = BTreeSet::new();
            let mut variants = BTreeSet::new();
            if sort.keys.is_empty() {
                at(
                    &rel,
                    &sort.name,
                    kind,
                    format!("a {kind} needs at least one key"),
                );
            }
            for key in &sort.keys {
                if key.wire.trim().is_empty()
                    || !is_type_name(&key.name)
                    || !keys.insert(key.wire.to_ascii_lowercase())
                    || !variants.insert(key.name.clone())
                {
                    at(
                        &rel,
                        &sort.name,
                        kind,
                        format!(
                            "key `{}` must have a CamelCase name and a text, both used once",
                            key.name
                        ),
                    );
                }
            }
        }
        for endpoint in &resource.endpoint {
            if !claim(&endpoint.name) {
                at(
                    &rel,
                    &endpoint.name,
                    "endpoint",
                    "the name is used twice in the spec".into(),
                );
            }
            check_endpoint(spec, resource, endpoint, &mut |m| {
                at(&rel, &endpoint.name, "endpoint", m)
            });
        }
    }
}

/// The rules of a union (`tag` and `variant`) and of what refers to an abstract type.
fn check_union(spec: &Spec, ty: &crate::spec::TypeDef, fail: &mut dyn FnMut(String)) {
    for field in &ty.field {
        let t = TypeRef::parse(&field.ty);
        if spec.type_def(&t.name).is_some_and(|d| d.is_abstract) {
            fail(format!(
                "field `{}`: `{}` is abstract (only extended), so no value has that type",
                field.name, t.name
            ));
        }
    }
    if !ty.is_union() {
        return;
    }
    if ty.is_abstract || ty.extends.is_some() || !ty.field.is_empty() {
        fail("a union has variants only: no fields, no extends, not abstract".into());
    }
    let Some(tag) = ty.tag.as_deref() else {
        fail("a union needs `tag`, the bool member that tells its variants apart".into());
        return;
    };
    if ty.variant.len() != 2 || ty.variant[0].when == ty.variant[1].when {
        fail("a union has two variants, one for each value of its bool tag".into());
    }
    for v in &ty.variant {
        let what = format!("variant `{}`", v.name);
        if !is_type_name(&v.name) || v.doc.trim().is_empty() {
            fail(format!("{what}: a CamelCase name and a doc are needed"));
        }
        match spec.type_def(&v.ty) {
            None => fail(format!("{what}: `{}` is not a type", v.ty)),
            Some(t) if t.is_abstract || t.is_union() => {
                fail(format!("{what}: `{}` is abstract or a union", v.ty));
            }
            Some(t) => {
                let has_tag = spec
                    .fields_of(t)
                    .iter()
                    .any(|f| f.name == tag && f.ty == "bool");
                if !has_tag {
                    fail(format!("{what}: `{}` has no bool member `{tag}`", v.ty));
                }
            }
        }
    }
}

fn is_type_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The types a `filter` parameter may have: those whose "set to a value the server applies"
/// the generated code can tell.
/// A `bool` narrows only as a `bool?`: a plain `bool` the server binds as `false` when it is
/// left out, so sending `false` would look like a filter and narrow nothing.
fn filter_type(spec: &Spec, t: &TypeRef, binding: Option<&str>) -> bool {
    matches!(
        (spec.base(&t.name), t.shape),
        (
            Some(Base::Id(_) | Base::Enum(_) | Base::Prim(Prim::DateTime)),
            Shape::One
        ) | (Some(Base::Prim(Prim::String)), _)
    ) || (t == &TypeRef::parse("bool") && binding == Some("bool?"))
}

/// The rules for one parameter on its own.
fn param_basics(spec: &Spec, param: &Param, fail: &mut dyn FnMut(String)) {
    let what = format!("parameter `{}`", param.wire());
    if param.name.is_none() || param.ty.is_none() || param.doc.is_none() {
        fail(format!("{what}: name, type and doc are needed"));
        return;
    }
    if param
        .binding
        .as_deref()
        .is_none_or(|b| b.trim().is_empty() || b == "?")
    {
        fail(format!(
            "{what}: binding (the server's C# type of the parameter) is needed"
        ));
    }
    if param.doc.as_deref().is_some_and(|d| d.trim().is_empty()) {
        fail(format!("{what}: the doc text is empty"));
    }
    let t = param.type_ref();
    match spec.base(&t.name) {
        // The one wire type a method binds from a request: `IEnumerable<ContactInfoWrapper>`.
        Some(Base::Model(m))
            if m == "ContactInfo"
                && t.shape == Shape::List
                && param.location == Some(super::Location::Body) => {}
        Some(Base::Model(_)) | None => {
            let known: Vec<&str> = super::types::PRIMS.iter().map(|(n, _, _)| *n).collect();
            fail(format!(
                "{what}: type `{}` is not one of {}, an id, an enum, SortOrder, CustomFieldValue, \
                 TextPair, Upload, ContactInfo[] (in a body) or sort",
                param.ty.as_deref().unwrap_or_default(),
                known.join(", ")
            ));
        }
        Some(Base::Id(id)) if spec.ids.iter().any(|i| i.name == id && i.repr == "key") => {
            fail(format!(
                "{what}: `{id}` is a `key` id, which only wire types hold; no parameter takes one"
            ));
        }
        _ if t.shape == Shape::Option => {
            fail(format!(
                "{what}: a parameter is optional by `required`, not by `?`"
            ));
        }
        _ => {}
    }
    if param.allowed.is_some() && t.name != "string" {
        fail(format!("{what}: allowed values need type string"));
    }
    let int_id = matches!(spec.base(&t.name), Some(Base::Id(n)) if spec.id_def(&n).is_some_and(|d| d.repr == "int"));
    if param.negative && !int_id {
        fail(format!("{what}: `negative` is for an `int` id"));
    }
    if param.nonempty && !(t.name == "string" || t.shape == Shape::List) {
        fail(format!("{what}: nonempty applies to strings and lists"));
    }
    if param.comma_cut && t != TypeRef::parse("string") {
        fail(format!("{what}: comma_cut applies to strings"));
    }
    if param.filter && (param.required || !filter_type(spec, &t, param.binding.as_deref())) {
        fail(format!(
            "{what}: a filter must be optional and an id, an enum, a date, a `bool?`, a string \
             or strings"
        ));
    }
}

fn check_endpoint(
    spec: &Spec,
    resource: &ResourceFile,
    endpoint: &Endpoint,
    fail: &mut dyn FnMut(String),
) {
    if !is_type_name(&endpoint.name) {
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
    let source_ok = endpoint
        .source
        .split_once(".cs:")
        .is_some_and(|(file, line)| {
            !file.is_empty() && !line.is_empty() && line.chars().all(|c| c.is_ascii_digit())
        });
    if !source_ok {
        fail(format!(
            "source `{}` must be the route's file and line, such as CRMApi.Deals.cs:52",
            endpoint.source
        ));
    }
    let method_ok = ["GET", "POST", "PUT", "DELETE"].contains(&endpoint.method.as_str());
    // Checked once the method, the path's start and the source are well formed.
    let checkable = source_ok && method_ok && endpoint.path.starts_with("api/2.0/crm/");
    if let Some(message) = check_inventory(spec, endpoint).filter(|_| checkable) {
        fail(message);
    }
    if let Some(emulated) = &endpoint.emulator {
        for message in check_emulated(spec, endpoint, emulated) {
            fail(message);
        }
    }
    // `bool?` and a struct's `T?` are the outputs that may be absent: methods that may return
    // null answer `{}` (and `<response />`), which reads as `None`.
    let output = endpoint.output_ref();
    let union = output
        .as_ref()
        .and_then(|t| spec.type_def(&t.name))
        .is_some_and(|d| d.is_union());
    match output.map(|t| (spec.base(&t.name), t.shape)) {
        None
        | Some((Some(Base::Model(_) | Base::Prim(Prim::String)), Shape::One | Shape::List))
        | Some((Some(Base::Prim(Prim::Bool)), Shape::One | Shape::Option)) => {}
        Some((Some(Base::Model(_)), Shape::Option)) if !union => {}
        Some(_) => fail(format!(
            "output `{}` is not a wire type, `Type?` (a struct), `string`, `bool`, `bool?`, a list of one (`Type[]`) or `none`",
            endpoint.output
        )),
    }
    if endpoint.doc.trim().is_empty() {
        fail("the doc text is empty".into());
    }
    let is_list = endpoint
        .output_ref()
        .is_some_and(|t| t.shape == Shape::List);
    if endpoint.paged && (endpoint.method != "GET" || !is_list) {
        fail("only a GET returning a list can be paged".into());
    }
    if !endpoint.total_counts_all && !endpoint.paged {
        fail("total_counts_all needs paged = true".into());
    }
    if let Some(sort) = &endpoint.sort_by {
        if !endpoint.paged {
            fail("sort_by needs paged = true".into());
        }
        let known = |r: &super::ResourceFile| r.sort.iter().any(|s| &s.name == sort);
        if !known(resource) && !spec.resources.iter().any(known) {
            fail(format!(
                "sort_by `{sort}` is not a [[sort]] of any endpoint file"
            ));
        }
    }
    // A choice is generated into its own file's module, so only that file's routes see it.
    for param in &endpoint.params {
        let name = param.type_ref().name;
        if spec.choice(&name).is_some() && !resource.choice.iter().any(|c| c.name == name) {
            fail(format!(
                "parameter `{}`: choice `{name}` is not a [[choice]] of this file",
                param.wire()
            ));
        }
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
        Some(_) if !endpoint.params.iter().any(|p| p.filter) => {
            fail("destructive_filter needs at least one parameter with filter = true".into());
        }
        _ => {}
    }

    let placeholders: BTreeSet<String> = endpoint
        .placeholders()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    for used in endpoint.param.iter().filter(|p| p.group.is_some()) {
        let name = used.group.as_deref().unwrap_or_default();
        let only_group_and_in = Param {
            group: used.group.clone(),
            location: used.location,
            ..Param::default()
        };
        if format!("{used:?}") != format!("{only_group_and_in:?}") {
            fail(format!(
                "the use of group `{name}` may only say `group` and `in`; its parameters are the group's"
            ));
        }
        let fixed = spec
            .groups
            .iter()
            .find(|g| g.name == name)
            .is_some_and(|g| g.param.iter().any(|p| p.location.is_some()));
        if used.location.is_some() && fixed {
            fail(format!(
                "group `{name}` says where its parameters travel; its use cannot say `in`"
            ));
        }
    }
    let mut bound = BTreeSet::new();
    let mut fields = BTreeSet::new();
    let mut wire = BTreeSet::new();
    for param in &endpoint.params {
        if param.from_group.is_none() {
            param_basics(spec, param, fail);
        }
        let what = format!("parameter `{}`", param.wire());
        let Some(location) = param.location else {
            fail(format!("{what}: `in` (path, query or body) is needed"));
            continue;
        };
        if !fields.insert(param.field()) {
            fail(format!(
                "{what}: Rust field `{}` is used twice",
                param.field()
            ));
        }
        if !wire.insert((location, param.wire().to_owned())) {
            fail(format!("{what} is declared twice"));
        }
        let t = param.type_ref();
        if t.name == "sort" && param.from_group.as_deref() != Some("paging") {
            fail(format!("{what}: type sort is the paging group's sortBy"));
        }
        match location {
            Location::Path => {
                bound.insert(param.wire().to_owned());
                let segment = matches!(
                    spec.base(&t.name),
                    Some(Base::Id(_) | Base::Choice(_) | Base::Enum(_) | Base::Prim(Prim::Int))
                ) || t.name == "string";
                if !param.required || t.shape != Shape::One || !segment {
                    fail(format!(
                        "{what}: a path parameter must be a required id, int, enum, choice or string"
                    ));
                }
            }
            Location::Body if endpoint.method == "GET" => {
                fail(format!("{what}: a GET request has no body"));
            }
            _ => {}
        }
        if let Some(target) = &param.path_too {
            if location == Location::Path || !param.required || t.shape != Shape::One {
                fail(format!(
                    "{what}: path_too needs a required single query or body value"
                ));
            }
            bound.insert(target.clone());
        }
        if endpoint.destructive_filter.is_some() && param.field() == "all" {
            fail(format!(
                "{what}: the Rust field `all` is the opt-in of a destructive_filter endpoint"
            ));
        }
        if param.filter && endpoint.destructive_filter.is_none() && param.from_group.is_none() {
            fail(format!(
                "{what}: filter needs destructive_filter on the endpoint"
            ));
        }
        if let Some(partner) = &param.with {
            let single_optional = |p: &Param| !p.required && !p.is_list();
            let found = endpoint.params.iter().find(|p| p.wire() == partner);
            if partner == param.wire()
                || !single_optional(param)
                || !found.is_some_and(single_optional)
            {
                fail(format!(
                    "{what}: with must name another optional single-valued parameter"
                ));
            }
        }
    }
    if bound != placeholders {
        fail(format!(
            "the path's placeholders {placeholders:?} differ from its path parameters {bound:?}"
        ));
    }
    // An alternation constraint, `{entityType:(contact|opportunity|case)}`, is a choice with
    // exactly those texts, in that order; a choice in the path has that constraint.
    for (name, constraint) in endpoint.placeholders() {
        let alternation = constraint
            .as_deref()
            .and_then(|c| c.strip_prefix('(')?.strip_suffix(')'))
            .map(|inner| inner.split('|').map(str::to_owned).collect::<Vec<_>>());
        let param = endpoint
            .params
            .iter()
            .find(|p| p.location == Some(Location::Path) && p.wire() == name);
        let choice = param.and_then(|p| spec.choice(&p.type_ref().name));
        match (alternation, choice) {
            (Some(texts), Some(choice)) => {
                let wires: Vec<String> = choice.keys.iter().map(|k| k.wire.clone()).collect();
                if wires != texts {
                    fail(format!(
                        "placeholder `{name}`: choice `{}` has {wires:?}, the route allows {texts:?}",
                        choice.name
                    ));
                }
            }
            (Some(texts), None) if param.is_some() => fail(format!(
                "placeholder `{name}` allows only {texts:?}: its parameter's type is a [[choice]] of those"
            )),
            (None, Some(choice)) => fail(format!(
                "placeholder `{name}`: a choice (`{}`) in the path needs the route's alternation constraint",
                choice.name
            )),
            _ => {}
        }
    }
    for example in &endpoint.example {
        for key in example.args.keys() {
            if !endpoint.params.iter().any(|p| &p.field() == key) {
                fail(format!(
                    "example from {}: `{key}` is not a parameter",
                    example.source
                ));
            }
        }
        for param in endpoint.params.iter().filter(|p| p.required) {
            if !example.args.contains_key(&param.field()) {
                fail(format!(
                    "example from {}: the required `{}` is missing",
                    example.source,
                    param.field()
                ));
            }
        }
        if !example
            .request
            .starts_with(&format!("{} ", endpoint.method))
        {
            fail(format!(
                "example from {}: the request must start with `{} `",
                example.source, endpoint.method
            ));
        }
    }
}

/// What is wrong with an endpoint's `emulator` table: an operation that does not exist, an
/// entity that is not a wire type, a hook that is not a function name, or the arguments an
/// operation needs that the endpoint does not have.
fn check_emulated(spec: &Spec, endpoint: &Endpoint, emulated: &Emulated) -> Vec<String> {
    let mut problems = Vec::new();
    let is_type = |name: &str| matches!(spec.base(name), Some(Base::Model(_)));
    match (&emulated.op, &emulated.hook) {
        (Some(_), Some(_)) | (None, None) => {
            problems.push("emulator: give either `op` or `hook`".to_owned());
        }
        (None, Some(hook)) => {
            let snake = hook.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && hook
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !snake {
                problems.push(format!(
                    "emulator: hook `{hook}` must be a snake_case function name"
                ));
            }
            if emulated.entity.is_some() || emulated.with.is_some() || emulated.field.is_some() {
                problems.push("emulator: a hook takes no `entity`, `with` or `field`".to_owned());
            }
        }
        (Some(op), None) => {
            if !OPS.contains(&op.as_str()) {
                problems.push(format!(
                    "emulator: `{op}` is not a generic operation ({})",
                    OPS.join(", ")
                ));
            }
            match emulated.entity.as_deref() {
                Some(entity) if is_type(entity) => {}
                Some(entity) => {
                    problems.push(format!("emulator: entity `{entity}` is not a wire type"))
                }
                None => problems.push(format!("emulator: op `{op}` needs an `entity`")),
            }
            let linking = matches!(op.as_str(), "link" | "unlink" | "linked");
            match (linking, emulated.with.as_deref()) {
                (true, Some(with)) if is_type(with) => {}
                (true, Some(with)) => {
                    problems.push(format!("emulator: with `{with}` is not a wire type"))
                }
                (true, None) => problems.push(format!("emulator: op `{op}` needs `with`")),
                (false, Some(_)) => problems.push(format!("emulator: op `{op}` takes no `with`")),
                (false, None) => {}
            }
            if (op == "set_field") != emulated.field.is_some() {
                problems.push(
                    "emulator: `field` goes with op `set_field`, and only with it".to_owned(),
                );
            }
            // Which arguments the operation takes, once the table itself is right.
            if problems.is_empty()
                && let Err(message) = crate::codegen::emulator::op_call(endpoint, emulated)
            {
                problems.push(message);
            }
        }
    }
    problems
}

/// What is wrong with a group's filter keys: a predicate outside an `entity` group, a
/// parameter of one without a predicate (the emulator would drop it silently), a predicate of
/// no kind or two, an `of` that names no parameter, a range half without its other half.
fn check_filter_group(spec: &Spec, group: &super::Group) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(entity) = &group.entity else {
        if group.search.is_some() || group.no_condition_matches_nothing {
            problems
                .push("`search` and `no_condition_matches_nothing` need an `entity`".to_owned());
        }
        if group.param.iter().any(|p| p.predicate.is_some()) {
            problems.push("a `predicate` needs the group's `entity`".to_owned());
        }
        return problems;
    };
    if !matches!(spec.base(entity), Some(Base::Model(_))) {
        problems.push(format!("entity `{entity}` is not a wire type"));
    }
    for param in &group.param {
        let name = param.wire();
        let Some(p) = &param.predicate else {
            problems.push(format!(
                "parameter `{name}`: a filter of an entity needs a `predicate`"
            ));
            continue;
        };
        let kinds = [&p.eq, &p.tags, &p.from, &p.to, &p.instead]
            .iter()
            .filter(|k| k.is_some())
            .count();
        if kinds != 1 {
            problems.push(format!(
                "parameter `{name}`: a predicate is exactly one of eq, tags, from, to, instead"
            ));
        }
        match (&p.instead, &p.of) {
            (Some(_), Some(of))
                if group.param.iter().any(|o| {
                    o.wire() == of && o.predicate.as_ref().is_some_and(|q| q.eq.is_some())
                }) => {}
            (Some(_), _) => problems.push(format!(
                "parameter `{name}`: `instead` needs `of`, an `eq` parameter of the group"
            )),
            (None, Some(_)) => {
                problems.push(format!("parameter `{name}`: `of` goes with `instead`"))
            }
            (None, None) => {}
        }
        let half = p.from.as_ref().or(p.to.as_ref());
        if let Some(column) = half {
            let other = param
                .with
                .as_deref()
                .and_then(|w| group.param.iter().find(|o| o.wire() == w))
                .and_then(|o| o.predicate.as_ref());
            let pairs = other.is_some_and(|o| {
                let theirs = if p.from.is_some() { &o.to } else { &o.from };
                theirs.as_deref() == Some(column.as_str())
            });
            if !pairs {
                problems.push(format!(
                    "parameter `{name}`: a range half needs `with` naming its other half on the same column"
                ));
            }
        }
    }
    problems
}

/// The endpoint's route as the server has it: the same method and route in inventory.toml,
/// at the line its `source` cites.
fn check_inventory(spec: &Spec, endpoint: &Endpoint) -> Option<String> {
    let route = endpoint
        .path
        .strip_prefix("api/2.0/crm/")
        .unwrap_or(&endpoint.path);
    let Some(found) = spec
        .inventory
        .route
        .iter()
        .find(|r| r.method == endpoint.method && r.route == route)
    else {
        return Some(format!(
            "`{} {route}` is not a route of the server (inventory.toml)",
            endpoint.method
        ));
    };
    (found.source != endpoint.source).then(|| {
        format!(
            "source `{}`, but the server's route is at `{}` ({})",
            endpoint.source, found.source, found.server
        )
    })
}
