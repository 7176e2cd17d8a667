//! A memory budget for decoding an untrusted body, whatever its format.
//!
//! serde builds whatever the input describes: `[{},{},…]` decoded as a list of deals makes a
//! default deal of several hundred bytes from every three bytes of input, so a body well within
//! the client's size cap could take gigabytes. [`Budgeted`] wraps a `Deserializer` (serde_json's
//! or the XML one) and charges every element of every sequence and every entry of every map the
//! size of the value it becomes, times [`GROWTH`] (not the fields of a struct: the struct holds
//! them); decoding fails once the charges pass the budget, which [`Budget::for_body`] derives
//! from the body's length. Strings need no charge: each is at most as long as the input it was
//! read from. The charge is paid after the element was read, so an element's own lists are
//! charged first, and nothing is charged twice.
//!
//! What it assumes of the output types: their heap is in `Vec`s, maps and strings. A `Box`
//! (or `Rc`, `Arc`) in a list element is not charged beyond the pointer, and
//! `#[serde(flatten)]`, untagged and internally tagged enums buffer their input in serde's
//! private `Content` tree, which is not charged at all. None of the model types uses them;
//! the generated model of the whole CRM must not either, or must charge them here.
//!
//! The wrapper also refuses a struct written as a sequence (`"response": []` or `[1, "x"]`
//! where a deal belongs): serde's derived structs accept that form, which the server never
//! writes, so it could only turn a wrong answer into a value of defaults.

use std::cell::Cell;
use std::fmt;
use std::mem::size_of;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};

/// Charge per element as a multiple of its size. A `Vec` holds up to twice its length while it
/// grows, and for a moment both its old and its new buffer while it moves.
const GROWTH: usize = 3;

/// Charges allowed per byte of input. A real deal is 1–2 KB of JSON (more in XML) for 872 bytes
/// of struct and a contact about 1.8 KB for 1,040 bytes, so real answers are charged one to
/// three bytes per input byte; the values a body can make stay within ten times its size (the
/// charge covers the growth), which with the XML tree and the strings keeps decoding within
/// 16 times the body.
const PER_INPUT_BYTE: usize = 10;

/// Charges allowed whatever the input's length, so that small answers never come near the limit.
const BASE: usize = 256 * 1024;

/// What is left to spend while decoding one document.
#[derive(Debug)]
pub(crate) struct Budget {
    left: Cell<usize>,
    limit: usize,
}

impl Budget {
    /// The budget for a document of `len` bytes.
    pub(crate) fn for_input(len: usize) -> Self {
        Budget::for_body(len, len)
    }

    /// The budget for a body of `raw` bytes as it came, decoded from `utf8` bytes of UTF-8.
    ///
    /// A body transcoded to longer text (windows-1251 is one byte for a letter, UTF-8 two or
    /// three) pays up front for its UTF-8 copy and for the strings made from it, so that the
    /// bound holds for the body as it came, not only for its longer copy.
    pub(crate) fn for_body(raw: usize, utf8: usize) -> Self {
        let mut limit = raw.saturating_mul(PER_INPUT_BYTE).saturating_add(BASE);
        if utf8 > raw {
            limit = limit.saturating_sub(utf8.saturating_mul(2));
        }
        Budget {
            left: Cell::new(limit),
            limit,
        }
    }

    /// Spends what a value of type `T` in a sequence or a map costs.
    #[inline]
    fn charge<T, E: de::Error>(&self) -> Result<(), E> {
        let cost = size_of::<T>().saturating_mul(GROWTH);
        match self.left.get().checked_sub(cost) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => Err(self.spent()),
        }
    }

    /// The error once the budget is spent; out of line, so that the charge inlined into every
    /// sequence and map stays two instructions (this kept JSON decoding at serde_json's speed).
    #[cold]
    #[inline(never)]
    fn spent<E: de::Error>(&self) -> E {
        E::custom(format_args!(
            "the document would take more than {} bytes of memory to decode, far more than any \
             real answer of its size; it is malformed or hostile",
            self.limit
        ))
    }
}

/// A `Deserializer` that spends from a [`Budget`] (see the [module documentation](self)).
pub(crate) struct Budgeted<'b, D> {
    inner: D,
    budget: &'b Budget,
}

impl<'b, D> Budgeted<'b, D> {
    /// Wraps `inner`.
    pub(crate) fn new(inner: D, budget: &'b Budget) -> Self {
        Budgeted { inner, budget }
    }
}

/// A visitor, a seed or an access of the wrapped deserializer, wrapped in turn so that the
/// deserializers it hands out are [`Budgeted`] too.
struct Wrap<'b, T> {
    inner: T,
    budget: &'b Budget,
    /// Set for what `deserialize_struct` hands out. The fields of a struct live in the struct,
    /// whose size its container was charged, so its map entries cost nothing more; and a
    /// sequence is refused rather than read as the fields in order.
    is_struct: bool,
}

impl<'b, T> Wrap<'b, T> {
    #[inline]
    fn new(inner: T, budget: &'b Budget) -> Self {
        Wrap {
            inner,
            budget,
            is_struct: false,
        }
    }

    #[inline]
    fn new_struct(inner: T, budget: &'b Budget) -> Self {
        Wrap {
            inner,
            budget,
            is_struct: true,
        }
    }
}

macro_rules! forward_deserialize {
    ($($method:ident($($arg:ident: $ty:ty),*),)*) => {$(
        #[inline]
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            self.inner.$method($($arg,)* Wrap::new(visitor, self.budget))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Budgeted<'_, D> {
    type Error = D::Error;

    forward_deserialize! {
        deserialize_any(),
        deserialize_bool(),
        deserialize_i8(),
        deserialize_i16(),
        deserialize_i32(),
        deserialize_i64(),
        deserialize_i128(),
        deserialize_u8(),
        deserialize_u16(),
        deserialize_u32(),
        deserialize_u64(),
        deserialize_u128(),
        deserialize_f32(),
        deserialize_f64(),
        deserialize_char(),
        deserialize_str(),
        deserialize_string(),
        deserialize_bytes(),
        deserialize_byte_buf(),
        deserialize_option(),
        deserialize_unit(),
        deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str),
        deserialize_seq(),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_map(),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
        deserialize_identifier(),
        deserialize_ignored_any(),
    }

    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let visitor = Wrap::new_struct(visitor, self.budget);
        self.inner.deserialize_struct(name, fields, visitor)
    }

    #[inline]
    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty),)*) => {$(
        #[inline]
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.inner.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<'_, V> {
    type Value = V::Value;

    #[inline]
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    forward_visit! {
        visit_bool(bool),
        visit_i8(i8),
        visit_i16(i16),
        visit_i32(i32),
        visit_i64(i64),
        visit_i128(i128),
        visit_u8(u8),
        visit_u16(u16),
        visit_u32(u32),
        visit_u64(u64),
        visit_u128(u128),
        visit_f32(f32),
        visit_f64(f64),
        visit_char(char),
        visit_str(&str),
        visit_borrowed_str(&'de str),
        visit_string(String),
        visit_bytes(&[u8]),
        visit_borrowed_bytes(&'de [u8]),
        visit_byte_buf(Vec<u8>),
    }

    #[inline]
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    #[inline]
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    #[inline]
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Budgeted::new(d, self.budget))
    }

    #[inline]
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner
            .visit_newtype_struct(Budgeted::new(d, self.budget))
    }

    #[inline]
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        if self.is_struct {
            return Err(de::Error::invalid_type(Unexpected::Seq, &self));
        }
        self.inner.visit_seq(Wrap::new(seq, self.budget))
    }

    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let map = Wrap {
            is_struct: self.is_struct,
            ..Wrap::new(map, self.budget)
        };
        self.inner.visit_map(map)
    }

    #[inline]
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(Wrap::new(data, self.budget))
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Wrap<'_, S> {
    type Value = S::Value;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.inner.deserialize(Budgeted::new(d, self.budget))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Wrap<'_, A> {
    type Error = A::Error;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        let element = self.inner.next_element_seed(Wrap::new(seed, self.budget))?;
        if element.is_some() {
            self.budget.charge::<T::Value, A::Error>()?;
        }
        Ok(element)
    }

    /// None: a collection sized from the hint (serde allocates up to 1 MiB for it) would take
    /// memory before any element was charged.
    fn size_hint(&self) -> Option<usize> {
        None
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Wrap<'_, A> {
    type Error = A::Error;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let key = self.inner.next_key_seed(Wrap::new(seed, self.budget))?;
        if key.is_some() && !self.is_struct {
            self.budget.charge::<K::Value, A::Error>()?;
        }
        Ok(key)
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        let value = self.inner.next_value_seed(Wrap::new(seed, self.budget))?;
        if !self.is_struct {
            self.budget.charge::<V::Value, A::Error>()?;
        }
        Ok(value)
    }

    /// None, as for sequences.
    fn size_hint(&self) -> Option<usize> {
        None
    }
}

impl<'de, 'b, A: EnumAccess<'de>> EnumAccess<'de> for Wrap<'b, A> {
    type Error = A::Error;
    type Variant = Wrap<'b, A::Variant>;

    #[inline]
    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), A::Error> {
        let (value, variant) = self.inner.variant_seed(Wrap::new(seed, self.budget))?;
        Ok((value, Wrap::new(variant, self.budget)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Wrap<'_, A> {
    type Error = A::Error;

    #[inline]
    fn unit_variant(self) -> Result<(), A::Error> {
        self.inner.unit_variant()
    }

    #[inline]
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.inner
            .newtype_variant_seed(Wrap::new(seed, self.budget))
    }

    #[inline]
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.inner
            .tuple_variant(len, Wrap::new(visitor, self.budget))
    }

    #[inline]
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.inner
            .struct_variant(fields, Wrap::new_struct(visitor, self.budget))
    }
}

#[cfg(test)]
mod tests {
    use r7_model::{Contact, Opportunity, OpportunityStage};
    use serde::Deserialize;

    use super::*;

    /// The part of a list answer that costs memory.
    #[derive(Deserialize)]
    struct List<T> {
        #[serde(rename = "response")]
        _items: Vec<T>,
    }

    /// What decoding `json` as `T` spends.
    fn spent<T: serde::de::DeserializeOwned>(json: &[u8]) -> usize {
        let budget = Budget::for_input(json.len());
        let mut de = serde_json::Deserializer::from_slice(json);
        T::deserialize(Budgeted::new(&mut de, &budget)).expect("the fixture decodes");
        budget.limit - budget.left.get()
    }

    #[test]
    fn real_answers_spend_a_small_part_of_the_budget() {
        type Spent = fn(&[u8]) -> usize;
        let lists: [(&[u8], Spent); 3] = [
            (
                include_bytes!("../../../tests/fixtures/opportunity/list.json"),
                spent::<List<Opportunity>>,
            ),
            (
                include_bytes!("../../../tests/fixtures/contact/list.json"),
                spent::<List<Contact>>,
            ),
            (
                include_bytes!("../../../tests/fixtures/stage/list.json"),
                spent::<List<OpportunityStage>>,
            ),
        ];
        for (json, spent) in lists {
            let spent = spent(json);
            // A third of what the budget allows per byte (it also has BASE on top).
            assert!(
                spent <= json.len() * PER_INPUT_BYTE / 3,
                "{spent} bytes charged for {} bytes of JSON",
                json.len()
            );
        }
    }

    #[test]
    fn a_list_of_empty_objects_runs_out() {
        let mut json = String::from(r#"{"response":["#);
        json.push_str(&"{},".repeat(100_000));
        json.push_str("{}]}");
        let budget = Budget::for_input(json.len());
        let mut de = serde_json::Deserializer::from_str(&json);
        let err = List::<Opportunity>::deserialize(Budgeted::new(&mut de, &budget))
            .err()
            .expect("over the budget");
        assert!(err.to_string().contains("more than"), "{err}");
        // Ignored values cost nothing: a reply whose content is skipped never runs out.
        let mut de = serde_json::Deserializer::from_str(&json);
        let budget = Budget::for_input(json.len());
        serde::de::IgnoredAny::deserialize(Budgeted::new(&mut de, &budget)).expect("ignored");
    }
}
