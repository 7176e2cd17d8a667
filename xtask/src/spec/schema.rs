//! Every key of the spec with what it means: written to `spec/SCHEMA.md` by `cargo xtask
//! codegen`, and tested against the loader's own field lists so that the two cannot drift.

use std::fmt::Write;

/// One table of the spec: its header, where it lives, and (key, meaning) for each key.
type Table = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// Every table of the spec.
pub(crate) const TABLES: &[Table] = &[
    (
        "[[id]]",
        "`ids.toml`: typed ids, one Rust type per kind of object",
        &[
            ("name", "Rust type name, ending in `Id` (`OpportunityId`)"),
            (
                "repr",
                "`int` (the server's C# `int`, held as `i64`), `guid` (a `Uuid`) or `key` (a C# `object` \\
                 that is a number or a text; wire types only, never a parameter)",
            ),
            ("doc", "rustdoc of the type"),
        ],
    ),
    (
        "[[enum]]",
        "`enums.toml`: integer enums; unknown numbers decode to `Unknown(n)`",
        &[
            ("name", "Rust type name"),
            ("server", "the server's C# enum"),
            ("source", "its file and line, from the repository root"),
            ("doc", "rustdoc of the type"),
            (
                "variants",
                "`{ name, value, doc }` each: the C# name (what the binder accepts), the number, rustdoc",
            ),
        ],
    ),
    (
        "[[type]]",
        "`types/<file>.toml`: wire types (the server's wrapper classes); generated into `r7-model/src/generated/<file>.rs`",
        &[
            ("name", "Rust type name"),
            ("server", "the server's class (`OpportunityWrapper`)"),
            ("source", "its file and line, from the repository root"),
            (
                "extends",
                "a type whose fields follow this type's own, as the server writes a derived class (flattened by the generator, not `serde(flatten)`)",
            ),
            (
                "abstract",
                "`true` for a base class the server never sends on its own: it is only extended, and has no Rust type",
            ),
            (
                "tag",
                "makes the type a union (an enum over `variant`): the `bool` member of the variants that tells them apart, such as `isCompany`",
            ),
            (
                "variant",
                "a union's types, `{ name, type, when, doc }`: the Rust variant, the wire type it holds and the tag's value that selects it",
            ),
            ("doc", "rustdoc of the type"),
            (
                "field",
                "the members, `[[type.field]]`, in the server's order",
            ),
        ],
    ),
    (
        "[[type.field]]",
        "a member of a wire type",
        &[
            (
                "name",
                "wire name (camelCase, as the server writes it); a PascalCase alias is always accepted too",
            ),
            (
                "rust",
                "Rust field name (default: the wire name in snake_case)",
            ),
            (
                "type",
                "`string`, `bool`, `int`, `long`, `decimal`, `datetime`, `guid`, an id, an enum or a wire type; `T?` may be absent, `T[]` is a list",
            ),
            ("aliases", "more names it decodes from (`ID`)"),
            (
                "emit_default",
                "the server's `DataMember(EmitDefaultValue)`: `false` leaves the member out when it is null or 0 (default `true`)",
            ),
            (
                "never_null",
                "with `emit_default = false`: the server always sets it, so it is written even when empty",
            ),
            (
                "list_form",
                "how list answers write it differently from single ones: `omit` (left out) or `omit_empty` (left out when empty)",
            ),
            ("doc", "rustdoc of the field"),
        ],
    ),
    (
        "inventory.toml",
        "every route of the CRM in the server source, which coverage is counted against",
        &[
            (
                "commit",
                "the ONLYOFFICE/CommunityServer commit the routes were read at",
            ),
            (
                "route",
                "the routes, each an inline table of `route = [...]`",
            ),
        ],
    ),
    (
        "inventory route",
        "`{ method, route, server, source, category }`, read from a route attribute of `CRMApi*.cs`",
        &[
            (
                "method",
                "GET (`[Read]`), POST (`[Create]`), PUT (`[Update]`) or DELETE (`[Delete]`)",
            ),
            (
                "route",
                "the attribute's route, after `api/2.0/crm/`, constraints included",
            ),
            ("server", "the C# method it routes to"),
            (
                "source",
                "the attribute's file and line; an endpoint's `source` must be this",
            ),
            ("category", "the `<category>` of the method's doc comment"),
            (
                "hidden",
                "the doc comment says `<visible>false</visible>` (default false)",
            ),
            (
                "category_inferred",
                "the doc comment has no `<category>`; the category is the file's (default false)",
            ),
        ],
    ),
    (
        "[[group]]",
        "`groups.toml`: parameters several endpoints take alike",
        &[
            (
                "name",
                "what endpoints name in `[[endpoint.param]] group = ...`",
            ),
            ("source", "where the server defines them"),
            ("doc", "what the group is"),
            (
                "signature",
                "the server method's parameter order when it differs from the wire order: the emulator binds in it, so the first value that does not convert is the one reported",
            ),
            (
                "entity",
                "a filter the emulator applies: the wire type whose rows it selects; every parameter then has a `predicate`",
            ),
            (
                "search",
                "with `entity`: the columns the search text's words must each start a word of",
            ),
            (
                "no_condition_matches_nothing",
                "with `entity`: parameters given that make no condition (a lone date, a blank search) match nothing rather than everything (default false)",
            ),
            (
                "param",
                "the parameters, `[[group.param]]`, with the keys of `[[endpoint.param]]`; `in` may be left to the use",
            ),
        ],
    ),
    (
        "[group.param.predicate]",
        "how a parameter of an `entity` group selects rows, one kind naming a column of `r7-emulator/src/behaviour/<entity>.rs`'s `columns`: `{ eq = \"stage_id\" }`; the value the binder gives for \"not sent\" (0, the nil GUID, none) selects everything",
        &[
            ("eq", "the column equals the value"),
            (
                "tags",
                "the column (a list of tags) has every tag given, trimmed, case ignored",
            ),
            (
                "from",
                "the column is at or after the value; a condition only with its `to`, named by `with`",
            ),
            (
                "to",
                "the column is at or before the value; a condition only with its `from`",
            ),
            (
                "instead",
                "a `bool?` that, when true, matches the parameter `of` against this column (a list that must contain it) instead of its own",
            ),
            ("of", "with `instead`: the parameter it changes"),
        ],
    ),
    (
        "[[sort]]",
        "`endpoints/<resource>.toml`: the keys a list can be sorted by, generated as an enum",
        &[
            ("name", "Rust type name"),
            ("source", "where the server parses them"),
            ("doc", "rustdoc of the type"),
            (
                "keys",
                "`{ name, wire, doc }` each: variant, the text sent as `sortBy`, rustdoc",
            ),
        ],
    ),
    (
        "[[choice]]",
        "`endpoints/<resource>.toml`: a fixed set of texts a parameter of the same file takes, generated as an enum; a route's alternation constraint (`{entityType:(contact|opportunity|case)}`) must be a choice with exactly its texts, in order",
        &[
            ("name", "Rust type name"),
            ("source", "where the server reads the text"),
            ("doc", "rustdoc of the type"),
            (
                "keys",
                "`{ name, wire, doc }` each: variant, the text sent, rustdoc",
            ),
        ],
    ),
    (
        "[[endpoint]]",
        "`endpoints/<resource>.toml`: one route; generated into `r7_proto::crm::<resource>`",
        &[
            ("name", "Rust type name, unique in the whole spec"),
            ("method", "GET, POST, PUT or DELETE"),
            (
                "path",
                "the route after the portal address; `{name:regex}` is a path parameter with the server's constraint",
            ),
            (
                "source",
                "file and line of the route attribute in module/ASC.Api/ASC.Api.CRM/ (`CRMApi.Deals.cs:52`)",
            ),
            (
                "emulator",
                "how the emulator answers the route, a `[endpoint.emulator]` table; without it the emulator answers 501 \"not emulated\"",
            ),
            (
                "output",
                "a wire type, a list of one (`Opportunity[]`, a `Page`), `string` (a text, counted by its length), `bool`, `bool?` (a `Boolean?` method: `{}` in JSON, `<response />` in XML, for null), `Type?` (a struct a method may answer as null, the same way) or `none`",
            ),
            ("auth", "whether a token is needed (default true)"),
            (
                "idempotent",
                "whether a transport may repeat the request (default: true for GET only)",
            ),
            (
                "undocumented",
                "hidden in the server's documentation, still routed (default false)",
            ),
            ("paged", "a GET list: appends the `paging` group"),
            (
                "total_counts_all",
                "with `paged`: `false` where the answer's `total` is not the number of matches \\
                 (the framework's own, set to one more than a full page), so paging ignores it \\
                 (default true)",
            ),
            (
                "sort_by",
                "the `[[sort]]` that `sortBy` takes (default: any member name, as text)",
            ),
            (
                "destructive_filter",
                "for a route that changes or deletes everything its filter matches: what it does with no filter. Every non-GET route with a `filter` segment must declare it; the generated `validate()` then refuses a request none of whose `filter` parameters narrows the match, unless it was made with the generated `all()`",
            ),
            ("doc", "rustdoc of the endpoint"),
            (
                "param",
                "the parameters, `[[endpoint.param]]`, in wire order",
            ),
            (
                "example",
                "exchanges from the documentation, `[[endpoint.example]]`, tested as they are",
            ),
        ],
    ),
    (
        "[[endpoint.param]]",
        "a parameter, or the use of a group (`group` and, optionally, `in`)",
        &[
            ("group", "use this group's parameters here"),
            ("name", "wire name, exactly as the server binds it"),
            (
                "rust",
                "Rust field name (default: the wire name in snake_case)",
            ),
            ("in", "path, query or body (bodies are sent form-encoded)"),
            (
                "type",
                "`string`, `bool`, `int`, `long`, `decimal`, `datetime`, `guid`, `index`, an id, an enum, `SortOrder`, `CustomFieldValue`, `TextPair`, `Upload` (a file: the body goes multipart), `ContactInfo[]` (in a body) or `sort`; `T[]` is a list",
            ),
            (
                "binding",
                "the server's C# type of the parameter (`int`, `int?`, `IEnumerable<int>`, `Guid`, `ApiDateTime`): it fixes what a missing value binds to",
            ),
            (
                "required",
                "whether `new()` takes it (default false: a builder method sets it)",
            ),
            (
                "nonempty",
                "for strings and lists: empty is refused before sending",
            ),
            (
                "negative",
                "for an `int` id: 0 and negative values mean something (the system's history \\
                 categories), so the client sends them instead of refusing them",
            ),
            ("allowed", "for strings: the values the server accepts"),
            (
                "path_too",
                "also fill the path placeholder of this name with the same value",
            ),
            (
                "filter",
                "narrows what a destructive_filter endpoint acts on, when set to a value the server applies (not the nil GUID, not a blank text or tag)",
            ),
            (
                "with",
                "the server applies this parameter only together with the named one; alone it is refused before sending",
            ),
            (
                "comma_cut",
                "the server keeps only the text before the first comma; a comma is refused before sending",
            ),
            (
                "predicate",
                "in a group with `entity`: how the emulator selects rows with it, a `[group.param.predicate]` table",
            ),
            ("doc", "rustdoc of the field, a noun phrase or a sentence"),
        ],
    ),
    (
        "[endpoint.emulator]",
        "`emulator = { op = \"get\", entity = \"Opportunity\", positive = true }` or `emulator = { hook = \"move_to_stage\" }`; generated into `r7-emulator/src/generated/dispatch.rs`, where a name that does not exist does not compile",
        &[
            (
                "op",
                "a generic operation of `r7-emulator/src/ops.rs`: get, list, list_filtered, create, update, delete, delete_many, delete_by_filter, set_field, reorder, link, unlink, linked",
            ),
            (
                "entity",
                "the wire type the operation acts on (its rows and forms are in `r7-emulator/src/behaviour/`)",
            ),
            ("with", "link, unlink, linked: the wire type linked to"),
            ("field", "set_field: the row's column the one argument sets"),
            (
                "positive",
                "whether the method refuses a path id of 0 or less (`ArgumentException`) before it reads anything (default false)",
            ),
            (
                "hook",
                "instead of `op`: a function of `r7-emulator/src/behaviour/<resource>.rs` taking the endpoint's arguments, for a method no generic operation does",
            ),
        ],
    ),
    (
        "[[endpoint.example]]",
        "an exchange the documentation or the server gives; generated into `tests/it/generated/examples.rs`",
        &[
            ("source", "where it comes from"),
            ("args", "the endpoint's parameters by Rust field name"),
            (
                "request",
                "`METHOD path?query` after the portal address, in the JSON form",
            ),
            ("body", "the form body, if any"),
            (
                "status",
                "the HTTP status of the answer (default 200); an error status is what the emulator must answer the example with",
            ),
            (
                "emulated",
                "whether the emulator's seed has what the example asks for: it is then also sent to the emulator in both formats and must succeed (default true)",
            ),
            (
                "responses",
                "answer fixtures below `tests/fixtures/`, `.json` or `.xml`",
            ),
        ],
    ),
];

/// The text of `spec/SCHEMA.md`.
pub(crate) fn render() -> String {
    let mut out = String::from(
        "<!-- @generated by `cargo xtask codegen` from xtask/src/spec/schema.rs. Do not edit. -->\n\n\
         # The spec's schema\n\n\
         `spec/crm/` describes the wire of the CRM: `ids.toml`, `enums.toml`, `groups.toml`,\n\
         `types/*.toml` and `endpoints/*.toml`. `cargo xtask codegen` generates the model, the\n\
         endpoints, the endpoint table, the emulator's wire writers and the example tests from it;\n\
         `cargo xtask codegen --check` fails when anything generated is stale, missing or extra,\n\
         or when the spec breaks a rule (with the file and line). Facts come from the ONLYOFFICE\n\
         Community Server source (7c503dfb5e9f); where the published documentation disagrees, the\n\
         source wins and a comment in the spec says so.\n",
    );
    for (table, place, keys) in TABLES {
        let _ = write!(
            out,
            "\n## `{table}`\n\n{place}.\n\n| key | meaning |\n|---|---|\n"
        );
        for (key, meaning) in *keys {
            let _ = writeln!(out, "| `{key}` | {meaning} |");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde::de::{self, Deserializer, Visitor};

    use super::TABLES;
    use crate::spec::{
        Emulated, Endpoint, EnumDef, Example, FieldDef, Group, IdDef, Inventory, InventoryRoute,
        Param, Predicate, Sort, TypeDef,
    };

    /// A deserializer that only records the field names `T`'s derive asks for.
    struct Fields(Option<&'static [&'static str]>);

    #[derive(Debug)]
    struct Stop;

    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("stop")
        }
    }
    impl std::error::Error for Stop {}
    impl de::Error for Stop {
        fn custom<T: std::fmt::Display>(_: T) -> Self {
            Stop
        }
    }

    impl<'de> Deserializer<'de> for &mut Fields {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            self.0 = Some(fields);
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 u8 u16 u32 u64 f32 f64 char str string bytes byte_buf option
            unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }

    fn fields<T: for<'de> Deserialize<'de>>() -> Vec<&'static str> {
        let mut d = Fields(None);
        let _ = T::deserialize(&mut d);
        let mut out = d.0.unwrap_or_default().to_vec();
        out.sort_unstable();
        out
    }

    fn documented(table: &str) -> Vec<&'static str> {
        let mut keys: Vec<&str> = TABLES
            .iter()
            .find(|(t, _, _)| *t == table)
            .map(|(_, _, keys)| keys.iter().map(|(k, _)| *k).collect())
            .unwrap_or_default();
        keys.sort_unstable();
        keys
    }

    #[test]
    fn the_schema_documents_exactly_the_keys_the_loader_reads() {
        let cases = [
            ("[[id]]", fields::<IdDef>()),
            ("[[enum]]", fields::<EnumDef>()),
            ("[[type]]", fields::<TypeDef>()),
            ("[[type.field]]", fields::<FieldDef>()),
            ("[[group]]", fields::<Group>()),
            ("[[sort]]", fields::<Sort>()),
            ("[[choice]]", fields::<Sort>()),
            ("[[endpoint]]", fields::<Endpoint>()),
            ("[[endpoint.param]]", fields::<Param>()),
            ("[endpoint.emulator]", fields::<Emulated>()),
            ("inventory.toml", fields::<Inventory>()),
            ("inventory route", fields::<InventoryRoute>()),
            ("[group.param.predicate]", fields::<Predicate>()),
            ("[[endpoint.example]]", fields::<Example>()),
        ];
        for (table, loaded) in cases {
            assert_eq!(documented(table), loaded, "{table}");
        }
    }
}
