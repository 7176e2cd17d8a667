//! What endpoints return: single values, [`Page`]s of a list, or [`NoContent`].

use serde::de::{DeserializeOwned, IgnoredAny};

use crate::endpoints::Authentication;

/// The paging numbers of a response envelope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageInfo {
    /// `count`: the number of items in this answer.
    pub count: Option<u64>,
    /// `startIndex`: the offset that was asked for.
    pub start_index: Option<u64>,
    /// `nextIndex`: as the server computes it (one too high; prefer `start_index + count`).
    pub next_index: Option<u64>,
    /// `total`: the number of items in all pages, when the server says.
    pub total: Option<u64>,
}

/// A type an endpoint returns, made from the envelope's `response` and paging numbers.
///
/// Implemented for the model's wire types, [`Page`], [`NoContent`] and [`crate::RawReply`];
/// endpoint definitions pick one.
pub trait FromEnvelope: Sized {
    /// What `response` is decoded into.
    type Payload: DeserializeOwned;

    /// The value; `None` when a required `response` was missing.
    fn from_envelope(payload: Option<Self::Payload>, page: PageInfo) -> Option<Self>;

    /// The value of an HTTP 204 (No Content) answer, which has no body and so no envelope;
    /// `None` (the default) for outputs that carry something, for which a 204 is an error.
    fn from_no_content() -> Option<Self> {
        None
    }
}

macro_rules! single_value {
    ($($ty:ty),*) => {$(
        impl FromEnvelope for $ty {
            type Payload = $ty;
            fn from_envelope(payload: Option<$ty>, _: PageInfo) -> Option<$ty> {
                payload
            }
        }
    )*};
}

// The wire types of the model get theirs from the spec (`generated/wire.rs`). A text is what
// the methods that return a tag's name answer (`"response":"VIP"`).
single_value!(Authentication, String);

/// One page of a list, with the envelope's paging numbers.
///
/// The server applies `startIndex` and `count` to every list; `total` is set by the endpoints
/// that count (deal search) and whenever a list was cut. In the XML form an empty list has no
/// `response` element at all, which reads as an empty page here too.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// `count`: the number of items in this answer.
    pub count: Option<u64>,
    /// `startIndex`: the offset that was asked for.
    pub start_index: Option<u64>,
    /// `nextIndex` as the server computes it: one too high, so paging does not use it.
    pub next_index: Option<u64>,
    /// `total`: the number of items in all pages, when the server says.
    pub total: Option<u64>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page {
            items: Vec::new(),
            count: None,
            start_index: None,
            next_index: None,
            total: None,
        }
    }
}

impl<T> Page<T> {
    /// The number of items in this page.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether this page has no items.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<T: DeserializeOwned> FromEnvelope for Page<T> {
    type Payload = Vec<T>;

    fn from_envelope(payload: Option<Vec<T>>, page: PageInfo) -> Option<Self> {
        Some(Page {
            items: payload.unwrap_or_default(),
            count: page.count,
            start_index: page.start_index,
            next_index: page.next_index,
            total: page.total,
        })
    }
}

/// The answer of a method that returns nothing (the server sends `"response": {}`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct NoContent;

impl FromEnvelope for NoContent {
    type Payload = IgnoredAny;

    fn from_envelope(_: Option<IgnoredAny>, _: PageInfo) -> Option<Self> {
        Some(NoContent)
    }

    /// A proxy or a later server version may answer a method that returns nothing with a bare
    /// 204 instead of the `{}` envelope: it says the same.
    fn from_no_content() -> Option<Self> {
        Some(NoContent)
    }
}
