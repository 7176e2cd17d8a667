//! The spec (`spec/crm/`): the one description of the wire. This module holds its types as
//! the files spell them, loads every file, expands parameter groups, and runs the checks
//! (`check.rs`) before anything is generated. `schema.rs` documents every key and writes
//! `spec/SCHEMA.md`.

mod check;
pub(crate) mod schema;
#[cfg(test)]
mod tests;
mod types;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;

pub(crate) use types::{Base, Prim, Shape, TypeRef};

/// The folder of the CRM spec, relative to the workspace root.
pub(crate) const DIR: &str = "spec/crm";

/// `ids.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IdsFile {
    pub(crate) id: Vec<IdDef>,
}

/// One typed id.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IdDef {
    pub(crate) name: String,
    /// `int` (a C# `int`, held as `i64`) or `guid`.
    pub(crate) repr: String,
    pub(crate) doc: String,
}

/// `enums.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnumsFile {
    #[serde(rename = "enum")]
    pub(crate) enums: Vec<EnumDef>,
}

/// One integer enum.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnumDef {
    pub(crate) name: String,
    pub(crate) server: String,
    pub(crate) source: String,
    pub(crate) doc: String,
    pub(crate) variants: Vec<Variant>,
}

/// One value of an integer enum.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Variant {
    pub(crate) name: String,
    pub(crate) value: i32,
    pub(crate) doc: String,
}

/// A file of `types/`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TypesFile {
    #[serde(rename = "type")]
    pub(crate) types: Vec<TypeDef>,
    #[serde(skip)]
    pub(crate) stem: String,
}

/// One wire type (a server wrapper class).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TypeDef {
    pub(crate) name: String,
    pub(crate) server: String,
    pub(crate) source: String,
    pub(crate) extends: Option<String>,
    /// Only extended, never on the wire on its own (the server's abstract class): no Rust type
    /// of its own.
    #[serde(default, rename = "abstract")]
    pub(crate) is_abstract: bool,
    /// For a union: the `bool` member of the variants that tells which one a value is.
    pub(crate) tag: Option<String>,
    /// For a union: the types a value may be, each with its value of `tag`.
    #[serde(default)]
    pub(crate) variant: Vec<UnionVariant>,
    pub(crate) doc: String,
    #[serde(default)]
    pub(crate) field: Vec<FieldDef>,
}

impl TypeDef {
    /// Whether the type is a union of others (`variant`), not a struct of fields.
    pub(crate) fn is_union(&self) -> bool {
        !self.variant.is_empty() || self.tag.is_some()
    }
}

/// One type of a union.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UnionVariant {
    /// The Rust variant's name.
    pub(crate) name: String,
    /// The wire type it holds.
    #[serde(rename = "type")]
    pub(crate) ty: String,
    /// The tag's value that selects it.
    pub(crate) when: bool,
    pub(crate) doc: String,
}

/// One member of a wire type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FieldDef {
    pub(crate) name: String,
    pub(crate) rust: Option<String>,
    #[serde(rename = "type")]
    pub(crate) ty: String,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    #[serde(default = "yes")]
    pub(crate) emit_default: bool,
    #[serde(default)]
    pub(crate) never_null: bool,
    pub(crate) list_form: Option<ListForm>,
    pub(crate) doc: String,
}

/// How the list answers (`ToList...Wrapper` on the server) write a member differently from the
/// single answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ListForm {
    /// Left out of list answers.
    Omit,
    /// Left out of list answers when empty.
    OmitEmpty,
}

/// `inventory.toml`: every route of the CRM in the server source.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Inventory {
    pub(crate) commit: String,
    pub(crate) route: Vec<InventoryRoute>,
}

/// One route of the server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InventoryRoute {
    pub(crate) method: String,
    pub(crate) route: String,
    pub(crate) server: String,
    pub(crate) source: String,
    pub(crate) category: String,
    #[serde(default)]
    pub(crate) hidden: bool,
    #[serde(default)]
    pub(crate) category_inferred: bool,
}

/// `groups.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GroupsFile {
    pub(crate) group: Vec<Group>,
}

/// A parameter group.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Group {
    pub(crate) name: String,
    pub(crate) source: String,
    pub(crate) doc: String,
    /// The server method's parameter order, when it differs from the wire order: the order
    /// the binder converts them in.
    pub(crate) signature: Option<Vec<String>>,
    /// The wire type whose rows the group selects, when it is a filter the emulator applies.
    pub(crate) entity: Option<String>,
    /// The entity's columns whose words the search text (`filterValue`) must start.
    pub(crate) search: Option<Vec<String>>,
    /// Parameters given that make no condition match nothing (rather than everything).
    #[serde(default)]
    pub(crate) no_condition_matches_nothing: bool,
    pub(crate) param: Vec<Param>,
}

/// How a filter parameter selects rows: exactly one kind, naming an entity's column.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Predicate {
    pub(crate) eq: Option<String>,
    pub(crate) tags: Option<String>,
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    pub(crate) instead: Option<String>,
    pub(crate) of: Option<String>,
}

/// A file of `endpoints/`: one resource.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResourceFile {
    #[serde(default)]
    pub(crate) sort: Vec<Sort>,
    /// Fixed sets of texts a parameter takes (a route's alternation constraint), with the
    /// same keys as a sort.
    #[serde(default)]
    pub(crate) choice: Vec<Sort>,
    pub(crate) endpoint: Vec<Endpoint>,
    #[serde(skip)]
    pub(crate) stem: String,
}

/// The keys a list can be sorted by.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Sort {
    pub(crate) name: String,
    pub(crate) source: String,
    pub(crate) doc: String,
    pub(crate) keys: Vec<SortKey>,
}

/// One sort key.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SortKey {
    pub(crate) name: String,
    pub(crate) wire: String,
    pub(crate) doc: String,
}

/// How the emulator answers a route: a generic operation on an entity, or a hook.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Emulated {
    pub(crate) op: Option<String>,
    pub(crate) entity: Option<String>,
    pub(crate) with: Option<String>,
    pub(crate) field: Option<String>,
    #[serde(default)]
    pub(crate) positive: bool,
    pub(crate) hook: Option<String>,
}

/// The generic operations of `r7-emulator/src/ops.rs`.
pub(crate) const OPS: &[&str] = &[
    "get",
    "list",
    "create",
    "update",
    "delete",
    "delete_many",
    "delete_by_filter",
    "list_filtered",
    "set_field",
    "reorder",
    "link",
    "unlink",
    "linked",
];

/// One `[[endpoint]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Endpoint {
    pub(crate) name: String,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) source: String,
    pub(crate) emulator: Option<Emulated>,
    pub(crate) output: String,
    #[serde(default = "yes")]
    pub(crate) auth: bool,
    pub(crate) idempotent: Option<bool>,
    #[serde(default)]
    pub(crate) undocumented: bool,
    #[serde(default)]
    pub(crate) paged: bool,
    /// Whether a paged list's `total` counts every match (default true).
    #[serde(default = "yes")]
    pub(crate) total_counts_all: bool,
    pub(crate) sort_by: Option<String>,
    pub(crate) destructive_filter: Option<String>,
    pub(crate) doc: String,
    #[serde(default)]
    pub(crate) param: Vec<Param>,
    #[serde(default)]
    pub(crate) example: Vec<Example>,
    /// The parameters with groups expanded and paging appended, filled by [`load`].
    #[serde(skip)]
    pub(crate) params: Vec<Param>,
}

/// One `[[endpoint.param]]` or `[[group.param]]`: a parameter, or (endpoints only) the use of
/// a group.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Param {
    pub(crate) group: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) rust: Option<String>,
    #[serde(rename = "in")]
    pub(crate) location: Option<Location>,
    #[serde(rename = "type")]
    pub(crate) ty: Option<String>,
    pub(crate) binding: Option<String>,
    #[serde(default)]
    pub(crate) required: bool,
    #[serde(default)]
    pub(crate) nonempty: bool,
    /// An id whose values below 1 mean something (the system's history categories).
    #[serde(default)]
    pub(crate) negative: bool,
    pub(crate) allowed: Option<Vec<String>>,
    pub(crate) path_too: Option<String>,
    #[serde(default)]
    pub(crate) filter: bool,
    pub(crate) with: Option<String>,
    #[serde(default)]
    pub(crate) comma_cut: bool,
    pub(crate) predicate: Option<Predicate>,
    pub(crate) doc: Option<String>,
    /// The group this parameter came from, set by [`load`].
    #[serde(skip)]
    pub(crate) from_group: Option<String>,
}

/// An example exchange of an endpoint: the request on the wire and the answer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Example {
    /// Where the example comes from (a documentation page, the seed page).
    pub(crate) source: String,
    /// The endpoint's parameters by Rust field name.
    #[serde(default)]
    pub(crate) args: BTreeMap<String, toml::Value>,
    /// `METHOD path?query`, after the portal address, in the JSON form.
    pub(crate) request: String,
    /// The form body, if the request has one.
    pub(crate) body: Option<String>,
    /// The HTTP status of the answer.
    #[serde(default = "ok")]
    pub(crate) status: u16,
    /// Answer fixtures, below `tests/fixtures/` (`.json` or `.xml`).
    #[serde(default)]
    pub(crate) responses: Vec<String>,
    /// Whether the emulator's seed data has what the example asks for, so that the example is
    /// also sent to the emulator, in both formats, and must succeed (default true).
    #[serde(default = "yes")]
    pub(crate) emulated: bool,
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

fn ok() -> u16 {
    200
}

/// The whole spec, loaded and checked.
#[derive(Debug)]
pub(crate) struct Spec {
    pub(crate) ids: Vec<IdDef>,
    pub(crate) enums: Vec<EnumDef>,
    pub(crate) types: Vec<TypesFile>,
    pub(crate) groups: Vec<Group>,
    pub(crate) resources: Vec<ResourceFile>,
    pub(crate) inventory: Inventory,
}

/// A problem in the spec, with the file and line it is at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpecError {
    pub(crate) file: String,
    pub(crate) line: Option<usize>,
    pub(crate) item: Option<String>,
    pub(crate) message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(item) = &self.item {
            write!(f, " ({item})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The files of the spec as (path relative to the root, text), in a fixed order.
pub(crate) struct Sources {
    pub(crate) files: Vec<(String, String)>,
}

impl Sources {
    /// Reads every `.toml` of [`DIR`] under `root`.
    pub(crate) fn read(root: &Path) -> Result<Sources, String> {
        let mut files = Vec::new();
        for sub in ["", "types", "endpoints"] {
            let dir = root.join(DIR).join(sub);
            let entries = std::fs::read_dir(&dir)
                .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
            let mut names: Vec<String> = entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".toml"))
                .collect();
            names.sort();
            for name in names {
                let rel = if sub.is_empty() {
                    format!("{DIR}/{name}")
                } else {
                    format!("{DIR}/{sub}/{name}")
                };
                let text = std::fs::read_to_string(root.join(&rel))
                    .map_err(|e| format!("cannot read {rel}: {e}"))?;
                files.push((rel, text));
            }
        }
        Ok(Sources { files })
    }

    fn text(&self, rel: &str) -> &str {
        self.files
            .iter()
            .find(|(r, _)| r == rel)
            .map_or("", |(_, t)| t.as_str())
    }
}

/// The line of `name = "<name>"` in `text`, so that errors point into the file.
pub(crate) fn line_of(text: &str, name: &str) -> Option<usize> {
    let needle = format!("name = \"{name}\"");
    text.lines().position(|l| l.trim() == needle).map(|i| i + 1)
}

fn parse<T: for<'de> Deserialize<'de>>(rel: &str, text: &str) -> Result<T, SpecError> {
    toml::from_str(text).map_err(|e| SpecError {
        file: rel.to_owned(),
        // The line the error starts on: one more than the line ends before it.
        line: e.span().map(|span| {
            text.as_bytes()[..span.start.min(text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1
        }),
        item: None,
        message: e.message().to_owned(),
    })
}

fn stem(rel: &str) -> String {
    Path::new(rel)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Parses every file, expands groups and checks the result; every problem found is reported.
pub(crate) fn load(sources: &Sources) -> Result<Spec, Vec<SpecError>> {
    let mut errors = Vec::new();
    let mut spec = Spec {
        ids: Vec::new(),
        enums: Vec::new(),
        types: Vec::new(),
        groups: Vec::new(),
        resources: Vec::new(),
        inventory: Inventory::default(),
    };
    for (rel, text) in &sources.files {
        let file = rel.strip_prefix(DIR).unwrap_or(rel).trim_start_matches('/');
        let result = match file {
            "ids.toml" => parse::<IdsFile>(rel, text).map(|f| spec.ids = f.id),
            "enums.toml" => parse::<EnumsFile>(rel, text).map(|f| spec.enums = f.enums),
            "groups.toml" => parse::<GroupsFile>(rel, text).map(|f| spec.groups = f.group),
            "inventory.toml" => parse::<Inventory>(rel, text).map(|f| spec.inventory = f),
            _ if file.starts_with("types/") => parse::<TypesFile>(rel, text).map(|mut f| {
                f.stem = stem(rel);
                spec.types.push(f);
            }),
            _ if file.starts_with("endpoints/") => parse::<ResourceFile>(rel, text).map(|mut f| {
                f.stem = stem(rel);
                spec.resources.push(f);
            }),
            _ => Err(SpecError {
                file: rel.clone(),
                line: None,
                item: None,
                message:
                    "not a file of the spec (ids, enums, groups, inventory, types/*, endpoints/*)"
                        .into(),
            }),
        };
        if let Err(e) = result {
            errors.push(e);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    expand_groups(&mut spec, sources, &mut errors);
    check::all(&spec, sources, &mut errors);
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors)
    }
}

/// Fills `Endpoint::params`: group uses replaced by the group's parameters (with the use's
/// `in` where the group leaves it open), and `paging` appended to paged endpoints.
fn expand_groups(spec: &mut Spec, sources: &Sources, errors: &mut Vec<SpecError>) {
    let groups: BTreeMap<&str, &Group> = spec.groups.iter().map(|g| (g.name.as_str(), g)).collect();
    for resource in &mut spec.resources {
        let rel = format!("{DIR}/endpoints/{}.toml", resource.stem);
        for endpoint in &mut resource.endpoint {
            let mut params = Vec::new();
            let mut uses: Vec<&Param> = endpoint.param.iter().collect();
            let paging = Param {
                group: Some("paging".into()),
                ..Param::default()
            };
            if endpoint.paged {
                uses.push(&paging);
            }
            for param in uses {
                let Some(name) = &param.group else {
                    params.push(param.clone());
                    continue;
                };
                let Some(group) = groups.get(name.as_str()) else {
                    errors.push(SpecError {
                        file: rel.clone(),
                        line: line_of(sources.text(&rel), &endpoint.name),
                        item: Some(format!("endpoint {}", endpoint.name)),
                        message: format!("group `{name}` is not in groups.toml"),
                    });
                    continue;
                };
                for member in &group.param {
                    let mut member = member.clone();
                    member.location = member.location.or(param.location);
                    member.from_group = Some(name.clone());
                    params.push(member);
                }
            }
            endpoint.params = params;
        }
    }
}

impl Param {
    /// The wire name.
    pub(crate) fn wire(&self) -> &str {
        self.name.as_deref().unwrap_or_default()
    }

    /// The Rust field name.
    pub(crate) fn field(&self) -> String {
        self.rust.clone().unwrap_or_else(|| snake_case(self.wire()))
    }

    /// The parsed type.
    pub(crate) fn type_ref(&self) -> TypeRef {
        TypeRef::parse(self.ty.as_deref().unwrap_or_default())
    }

    pub(crate) fn is_list(&self) -> bool {
        self.type_ref().shape == Shape::List
    }
}

impl Endpoint {
    /// Whether the request may be repeated: as the spec says, else GET only.
    pub(crate) fn is_idempotent(&self) -> bool {
        self.idempotent.unwrap_or(self.method == "GET")
    }

    /// The placeholders of the path template, in order, with their constraints.
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

    /// The output as a type: `none` is no content.
    pub(crate) fn output_ref(&self) -> Option<TypeRef> {
        (self.output != "none").then(|| TypeRef::parse(&self.output))
    }

    /// The route's source file and line, from the workspace root.
    pub(crate) fn source_path(&self) -> String {
        format!("module/ASC.Api/ASC.Api.CRM/{}", self.source)
    }
}

impl Spec {
    /// Every wire type, in file order.
    pub(crate) fn all_types(&self) -> impl Iterator<Item = &TypeDef> {
        self.types.iter().flat_map(|f| f.types.iter())
    }

    /// Every endpoint with its resource, in file order.
    pub(crate) fn all_endpoints(&self) -> impl Iterator<Item = (&ResourceFile, &Endpoint)> {
        self.resources
            .iter()
            .flat_map(|r| r.endpoint.iter().map(move |e| (r, e)))
    }

    /// The types that have a Rust type of their own (every one but the abstract ones).
    pub(crate) fn concrete_types(&self) -> impl Iterator<Item = &TypeDef> {
        self.all_types().filter(|t| !t.is_abstract)
    }

    /// The nearest type `ty` extends that has a Rust type of its own.
    pub(crate) fn concrete_base<'a>(&'a self, ty: &'a TypeDef) -> Option<&'a TypeDef> {
        self.chain(ty).into_iter().skip(1).find(|t| !t.is_abstract)
    }

    pub(crate) fn type_def(&self, name: &str) -> Option<&TypeDef> {
        self.all_types().find(|t| t.name == name)
    }

    pub(crate) fn id_def(&self, name: &str) -> Option<&IdDef> {
        self.ids.iter().find(|i| i.name == name)
    }

    /// A `[[choice]]` of any resource file.
    pub(crate) fn choice(&self, name: &str) -> Option<&Sort> {
        self.resources
            .iter()
            .flat_map(|r| r.choice.iter())
            .find(|c| c.name == name)
    }

    pub(crate) fn is_enum(&self, name: &str) -> bool {
        self.enums.iter().any(|e| e.name == name)
    }

    /// What a base type name is in this spec.
    pub(crate) fn base(&self, name: &str) -> Option<Base> {
        if let Some(prim) = Prim::parse(name) {
            return Some(Base::Prim(prim));
        }
        if self.id_def(name).is_some() {
            return Some(Base::Id(name.to_owned()));
        }
        if self.is_enum(name) {
            return Some(Base::Enum(name.to_owned()));
        }
        if self.type_def(name).is_some() {
            return Some(Base::Model(name.to_owned()));
        }
        if self.choice(name).is_some() {
            return Some(Base::Choice(name.to_owned()));
        }
        match name {
            "SortOrder" | "CustomFieldValue" | "TextPair" | "Upload" => {
                Some(Base::Proto(name.to_owned()))
            }
            "sort" => Some(Base::Sort),
            _ => None,
        }
    }

    /// The fields of a type, with those of the type it extends after its own (the server's
    /// member order: the derived class's members, then the base class's).
    pub(crate) fn fields_of<'a>(&'a self, ty: &'a TypeDef) -> Vec<&'a FieldDef> {
        self.chain(ty)
            .into_iter()
            .flat_map(|t| t.field.iter())
            .collect()
    }

    /// `ty` and the types it extends, in order; a loop is cut where it comes back (and
    /// reported by the checks).
    pub(crate) fn chain<'a>(&'a self, ty: &'a TypeDef) -> Vec<&'a TypeDef> {
        let mut chain = vec![ty];
        let mut next = ty.extends.as_deref().and_then(|b| self.type_def(b));
        while let Some(base) = next {
            if chain.iter().any(|t| t.name == base.name) {
                break;
            }
            chain.push(base);
            next = base.extends.as_deref().and_then(|b| self.type_def(b));
        }
        chain
    }
}

impl FieldDef {
    /// The Rust field name.
    pub(crate) fn field(&self) -> String {
        self.rust.clone().unwrap_or_else(|| snake_case(&self.name))
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
