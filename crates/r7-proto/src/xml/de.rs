//! The serde `Deserializer` over the tree.
//!
//! The XML carries no types, so this is driven by what the target type asks for: text becomes a
//! number when a number is wanted. The unit of input is a *group*: all the sibling elements that
//! share one name, which is how the server writes an array. Elements are indexes into the
//! [`Doc`]; a group is a slice of them.

use std::fmt;
use std::ops::Range;

use serde::de::value::StrDeserializer;
use serde::de::{
    DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

use super::tree::{Content, Doc};
use super::{Location, XmlError, short};

/// Where a value sits in the document: a chain of element names up to the root, kept on the
/// stack and only turned into text when an error needs it.
pub(super) struct Path<'p> {
    name: &'p str,
    /// Position among the repeated elements of a list.
    index: Option<usize>,
    parent: Option<&'p Path<'p>>,
}

impl<'p> Path<'p> {
    pub(super) fn root(name: &'p str) -> Self {
        Path {
            name,
            index: None,
            parent: None,
        }
    }

    fn child(name: &'p str, parent: &'p Path<'p>) -> Self {
        Path {
            name,
            index: None,
            parent: Some(parent),
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            write!(f, "{parent}/")?;
        }
        f.write_str(&short(self.name))?;
        match self.index {
            Some(i) => write!(f, "[{i}]"),
            None => Ok(()),
        }
    }
}

/// Tags an error that carries no location yet with the element it came from.
fn located<T>(path: &Path<'_>, result: Result<T, XmlError>) -> Result<T, XmlError> {
    result.map_err(|e| e.at(path))
}

/// Deserializer for one group of same-named sibling elements (never empty).
pub(super) struct De<'p> {
    doc: &'p Doc<'p>,
    nodes: &'p [u32],
    path: &'p Path<'p>,
}

impl<'p> De<'p> {
    pub(super) fn new(doc: &'p Doc<'p>, nodes: &'p [u32], path: &'p Path<'p>) -> Self {
        De { doc, nodes, path }
    }

    fn error(&self, message: impl fmt::Display) -> XmlError {
        XmlError::new(message, Location::Path(self.path.to_string()))
    }

    /// The only element of the group: anything but a list must not silently drop elements.
    fn one(&self) -> Result<u32, XmlError> {
        match self.nodes {
            [node] => Ok(*node),
            nodes => Err(self.error(format_args!(
                "expected one <{}> element, found {}",
                short(self.path.name),
                nodes.len()
            ))),
        }
    }

    /// What the only element holds.
    fn content(&self) -> Result<Content<'p>, XmlError> {
        Ok(self.doc.content(self.one()?))
    }

    /// Whether the group is one self-closed element.
    fn is_null(&self) -> bool {
        matches!(self.nodes, [node] if self.doc.content(*node) == Content::Null)
    }

    /// The text of the only element; a self-closed one reads as empty text.
    fn text(&self) -> Result<&'p str, XmlError> {
        match self.content()? {
            Content::Null => Ok(""),
            Content::Text(text) => Ok(text),
            Content::Children => Err(self.error("expected text, found child elements")),
        }
    }

    fn parse<T: std::str::FromStr>(&self, what: &str) -> Result<T, XmlError> {
        let text = self.text()?.trim();
        text.parse()
            .map_err(|_| self.error(format_args!("expected {what}, found {:?}", short(text))))
    }
}

macro_rules! numbers {
    ($($method:ident $visit:ident $ty:ident,)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, XmlError> {
            let value: $ty = self.parse(concat!("a number (", stringify!($ty), ")"))?;
            located(self.path, visitor.$visit(value))
        }
    )*};
}

/// Floats as JSON has them: Rust's `FromStr` also reads `inf`, `NaN`, `infinity` and turns
/// `1e400` into infinity, none of which JSON can carry, so the two forms would disagree (and a
/// value read from XML would not survive being written back as JSON).
macro_rules! floats {
    ($($method:ident $visit:ident $ty:ident,)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, XmlError> {
            let what = concat!("a finite number (", stringify!($ty), ")");
            let value: $ty = self.parse(what)?;
            if !value.is_finite() {
                let text = self.text()?.trim();
                return Err(self.error(format_args!("expected {what}, found {:?}", short(text))));
            }
            located(self.path, visitor.$visit(value))
        }
    )*};
}

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*) => $target:ident,)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, XmlError> {
            self.$target(visitor)
        }
    )*};
}

impl<'de> Deserializer<'de> for De<'_> {
    type Error = XmlError;

    /// Self-describing as far as XML goes: `()`, strings, maps and (for a group) sequences.
    /// The model's integer enums read numbers from the string.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, XmlError> {
        let path = self.path;
        if self.nodes.len() > 1 {
            return located(
                path,
                visitor.visit_seq(Seq::new(self.doc, self.nodes, path)),
            );
        }
        let result = match self.content()? {
            Content::Null => visitor.visit_unit(),
            Content::Text(text) => visitor.visit_str(text),
            Content::Children => visitor.visit_map(Map::new(self.doc, self.one()?, path)),
        };
        located(path, result)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, XmlError> {
        let text = self.text()?.trim();
        // .NET writes `True` in some documents; `1`/`0` cost nothing to accept.
        let value = if text.eq_ignore_ascii_case("true") || text == "1" {
            true
        } else if text.eq_ignore_ascii_case("false") || text == "0" {
            false
        } else {
            return Err(self.error(format_args!("expected a boolean, found {:?}", short(text))));
        };
        located(self.path, visitor.visit_bool(value))
    }

    numbers! {
        deserialize_i8 visit_i8 i8,
        deserialize_i16 visit_i16 i16,
        deserialize_i32 visit_i32 i32,
        deserialize_i64 visit_i64 i64,
        deserialize_i128 visit_i128 i128,
        deserialize_u8 visit_u8 u8,
        deserialize_u16 visit_u16 u16,
        deserialize_u32 visit_u32 u32,
        deserialize_u64 visit_u64 u64,
        deserialize_u128 visit_u128 u128,
    }

    floats! {
        deserialize_f32 visit_f32 f32,
        deserialize_f64 visit_f64 f64,
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, XmlError> {
        let text = self.text()?;
        located(self.path, visitor.visit_str(text))
    }

    // serde's visitors for the first five all accept a string.
    forward! {
        deserialize_char() => deserialize_str,
        deserialize_string() => deserialize_str,
        deserialize_bytes() => deserialize_str,
        deserialize_byte_buf() => deserialize_str,
        deserialize_identifier() => deserialize_str,
        deserialize_unit() => deserialize_ignored_any,
        deserialize_unit_struct(_name: &'static str) => deserialize_ignored_any,
        deserialize_tuple(_len: usize) => deserialize_seq,
        deserialize_tuple_struct(_name: &'static str, _len: usize) => deserialize_seq,
        deserialize_struct(_name: &'static str, _fields: &'static [&'static str]) => deserialize_map,
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, XmlError> {
        let path = self.path;
        let result = match self.is_null() {
            true => visitor.visit_none(),
            false => visitor.visit_some(self),
        };
        located(path, result)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, XmlError> {
        let path = self.path;
        located(path, visitor.visit_newtype_struct(self))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, XmlError> {
        // `null` in place of an array. (A one-item array of `{}` looks the same and is lost.)
        let nodes = match self.is_null() {
            true => &[][..],
            false => self.nodes,
        };
        located(
            self.path,
            visitor.visit_seq(Seq::new(self.doc, nodes, self.path)),
        )
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, XmlError> {
        let map = match self.content()? {
            Content::Children => Map::new(self.doc, self.one()?, self.path),
            // `null`, `{}` and an object whose members were all left out.
            Content::Null => Map::empty(self.doc, self.path),
            Content::Text(text) if text.trim().is_empty() => Map::empty(self.doc, self.path),
            Content::Text(text) => {
                let message = format_args!("expected child elements, found text {:?}", short(text));
                return Err(self.error(message));
            }
        };
        located(self.path, visitor.visit_map(map))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, XmlError> {
        let result = match self.content()? {
            Content::Text(text) => {
                let name: StrDeserializer<'_, XmlError> = text.trim().into_deserializer();
                visitor.visit_enum(name)
            }
            Content::Children => {
                let mut children = self.doc.children(self.one()?);
                match (children.next(), children.next()) {
                    (Some(node), None) => visitor.visit_enum(Variant {
                        doc: self.doc,
                        node,
                        path: self.path,
                    }),
                    _ => Err(self.error("expected one child element naming the variant")),
                }
            }
            Content::Null => Err(self.error("expected a variant name, found an empty element")),
        };
        located(self.path, result)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, XmlError> {
        located(self.path, visitor.visit_unit())
    }
}

/// The elements of a group, one by one.
struct Seq<'p> {
    doc: &'p Doc<'p>,
    nodes: std::iter::Enumerate<std::slice::Iter<'p, u32>>,
    path: &'p Path<'p>,
}

impl<'p> Seq<'p> {
    fn new(doc: &'p Doc<'p>, nodes: &'p [u32], path: &'p Path<'p>) -> Self {
        let nodes = nodes.iter().enumerate();
        Seq { doc, nodes, path }
    }
}

impl<'de> SeqAccess<'de> for Seq<'_> {
    type Error = XmlError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, XmlError> {
        let Some((index, node)) = self.nodes.next() else {
            return Ok(None);
        };
        let path = Path {
            index: Some(index),
            ..*self.path
        };
        let value = seed.deserialize(De::new(self.doc, std::slice::from_ref(node), &path));
        // Errors raised after the value was read (as by `deserialize_with`) belong here too.
        located(&path, value).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.nodes.len())
    }
}

/// The children of an element, grouped by name, in the order of their names.
///
/// One array of the children's indexes, sorted by name and then by place: each group is a run
/// of it. This costs one allocation per element with children and four bytes per child,
/// where a list per name would cost an allocation per name and hashing, or a scan that turns
/// quadratic with thousands of distinct names.
struct Map<'p> {
    doc: &'p Doc<'p>,
    children: Vec<u32>,
    /// Where the next group starts in `children`.
    next: usize,
    /// The group whose key was handed out last.
    value: Option<Range<usize>>,
    path: &'p Path<'p>,
}

impl<'p> Map<'p> {
    fn new(doc: &'p Doc<'p>, parent: u32, path: &'p Path<'p>) -> Self {
        let mut children = Vec::with_capacity(doc.children(parent).count());
        children.extend(doc.children(parent));
        // Indexes are unique, so an unstable sort gives the one order by (name, place).
        children.sort_unstable_by(|&a, &b| doc.name(a).cmp(doc.name(b)).then(a.cmp(&b)));
        Map {
            doc,
            children,
            next: 0,
            value: None,
            path,
        }
    }

    fn empty(doc: &'p Doc<'p>, path: &'p Path<'p>) -> Self {
        Map {
            doc,
            children: Vec::new(),
            next: 0,
            value: None,
            path,
        }
    }
}

impl<'de> MapAccess<'de> for Map<'_> {
    type Error = XmlError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, XmlError> {
        let start = self.next;
        let Some(&first) = self.children.get(start) else {
            return Ok(None);
        };
        let name = self.doc.name(first);
        let len = self.children[start..]
            .iter()
            .take_while(|&&node| self.doc.name(node) == name)
            .count();
        self.next = start + len;
        let key: StrDeserializer<'_, XmlError> = name.into_deserializer();
        let key = located(self.path, seed.deserialize(key))?;
        self.value = Some(start..self.next);
        Ok(Some(key))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, XmlError> {
        let nodes = self
            .value
            .take()
            .and_then(|group| self.children.get(group))
            .ok_or_else(|| XmlError::new("value asked for before its key", Location::Unknown))?;
        let name = nodes.first().map_or("", |&node| self.doc.name(node));
        let path = Path::child(name, self.path);
        located(&path, seed.deserialize(De::new(self.doc, nodes, &path)))
    }
}

/// An externally tagged variant: `<parent><Variant>content</Variant></parent>`.
struct Variant<'p> {
    doc: &'p Doc<'p>,
    node: u32,
    path: &'p Path<'p>,
}

impl<'de, 'p> EnumAccess<'de> for Variant<'p> {
    type Error = XmlError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), XmlError> {
        let name: StrDeserializer<'_, XmlError> = self.doc.name(self.node).into_deserializer();
        Ok((seed.deserialize(name)?, self))
    }
}

impl<'de> VariantAccess<'de> for Variant<'_> {
    type Error = XmlError;

    fn unit_variant(self) -> Result<(), XmlError> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, XmlError> {
        let path = Path::child(self.doc.name(self.node), self.path);
        located(
            &path,
            seed.deserialize(De::new(self.doc, &[self.node], &path)),
        )
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, XmlError> {
        let path = Path::child(self.doc.name(self.node), self.path);
        De::new(self.doc, &[self.node], &path).deserialize_seq(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, XmlError> {
        let path = Path::child(self.doc.name(self.node), self.path);
        De::new(self.doc, &[self.node], &path).deserialize_map(visitor)
    }
}
