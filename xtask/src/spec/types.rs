//! The type language of the spec: `Name`, `Name?` (may be absent) and `Name[]` (a list).

/// How many values a type holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    One,
    Option,
    List,
}

/// A type as the spec writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypeRef {
    pub(crate) name: String,
    pub(crate) shape: Shape,
}

impl TypeRef {
    pub(crate) fn parse(text: &str) -> TypeRef {
        let text = text.trim();
        if let Some(name) = text.strip_suffix("[]") {
            TypeRef {
                name: name.to_owned(),
                shape: Shape::List,
            }
        } else if let Some(name) = text.strip_suffix('?') {
            TypeRef {
                name: name.to_owned(),
                shape: Shape::Option,
            }
        } else {
            TypeRef {
                name: text.to_owned(),
                shape: Shape::One,
            }
        }
    }
}

/// The built-in scalar types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prim {
    String,
    Bool,
    Int,
    Long,
    Decimal,
    DateTime,
    Guid,
    Index,
}

/// Every built-in type: (spec name, Rust type).
pub(crate) const PRIMS: &[(&str, Prim, &str)] = &[
    ("string", Prim::String, "String"),
    ("bool", Prim::Bool, "bool"),
    ("int", Prim::Int, "i32"),
    ("long", Prim::Long, "i64"),
    ("decimal", Prim::Decimal, "f64"),
    ("datetime", Prim::DateTime, "ApiDateTime"),
    ("guid", Prim::Guid, "Uuid"),
    ("index", Prim::Index, "u64"),
];

impl Prim {
    pub(crate) fn parse(name: &str) -> Option<Prim> {
        PRIMS
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, p, _)| *p)
    }

    pub(crate) fn rust(self) -> &'static str {
        PRIMS
            .iter()
            .find(|(_, p, _)| *p == self)
            .map_or("()", |(_, _, r)| r)
    }
}

/// What a type name refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Base {
    /// A built-in scalar.
    Prim(Prim),
    /// A typed id of `ids.toml`.
    Id(String),
    /// An integer enum of `enums.toml`.
    Enum(String),
    /// A wire type of `types/` (fields and outputs only).
    Model(String),
    /// A request-side type of r7-proto (`SortOrder`, `CustomFieldValue`, `TextPair`, `Upload`;
    /// parameters only).
    Proto(String),
    /// `sort`: the endpoint's sort keys (its `sort_by` enum), or a member name as text.
    Sort,
    /// A `[[choice]]` of a resource file: one of a fixed set of texts (parameters only).
    Choice(String),
}

impl Base {
    /// The Rust type, `sort_by` being the endpoint's sort enum if it has one.
    pub(crate) fn rust(&self, sort_by: Option<&str>) -> String {
        match self {
            Base::Prim(p) => p.rust().to_owned(),
            Base::Id(n) | Base::Enum(n) | Base::Model(n) | Base::Proto(n) | Base::Choice(n) => {
                n.clone()
            }
            Base::Sort => sort_by.unwrap_or("String").to_owned(),
        }
    }
}
