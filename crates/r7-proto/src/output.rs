//! What endpoints return: single values, [`Page`]s of a list, or [`NoContent`].

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, Visitor};

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
// the methods that return a tag's name answer (`"response":"VIP"`), a boolean what the
// settings methods answer (`"response":true`, `<response>true</response>`).
single_value!(Authentication, String, bool);

/// What a method returning `Boolean?` answers: the value, or `None` for null, which the server
/// writes as `"response":{}` (and the XML form as `<response />`). A missing `response` reads as
/// null too, because the XML form cannot tell the two apart.
impl FromEnvelope for Option<bool> {
    type Payload = NullableBool;

    fn from_envelope(payload: Option<NullableBool>, _: PageInfo) -> Option<Self> {
        Some(payload.and_then(Option::from))
    }
}

/// A `Boolean?` as the envelope carries it: `true`/`false`, or `{}` (or `null`) for null: the
/// [`FromEnvelope::Payload`] of `Option<bool>`. The XML form's text arrives as a string, read
/// as the XML decoder reads any boolean (`true`, `True`, `1`...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NullableBool(Option<bool>);

impl From<NullableBool> for Option<bool> {
    fn from(value: NullableBool) -> Option<bool> {
        value.0
    }
}

impl<'de> Deserialize<'de> for NullableBool {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(NullableBoolVisitor)
            .map(NullableBool)
    }
}

struct NullableBoolVisitor;

impl<'de> Visitor<'de> for NullableBoolVisitor {
    type Value = Option<bool>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean, or {} for null")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<bool>, E> {
        Ok(Some(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<bool>, E> {
        let text = v.trim();
        if text.eq_ignore_ascii_case("true") || text == "1" {
            Ok(Some(true))
        } else if text.eq_ignore_ascii_case("false") || text == "0" {
            Ok(Some(false))
        } else {
            Err(E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<bool>, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<bool>, E> {
        Ok(None)
    }

    /// Only the empty object: one with members is some other answer, not a null.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<bool>, A::Error> {
        match map.next_key::<IgnoredAny>()? {
            None => Ok(None),
            Some(_) => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

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

#[cfg(test)]
mod tests {
    use std::marker::PhantomData;

    use super::*;
    use crate::{Endpoint, ResponseError, parse_response};

    /// A method that answers `T`, to read envelopes with.
    struct Answers<T>(PhantomData<T>);

    impl<T: FromEnvelope> Endpoint for Answers<T> {
        type Output = T;
        fn method(&self) -> http::Method {
            http::Method::PUT
        }
        fn path_template(&self) -> &str {
            "api/2.0/crm/settings"
        }
        fn write_path(&self, out: &mut String) {
            out.push_str("api/2.0/crm/settings");
        }
    }

    fn read<T: FromEnvelope>(content_type: &str, body: &str) -> Result<T, ResponseError> {
        let response = http::Response::builder()
            .status(200)
            .header("content-type", content_type)
            .body(body.to_owned())
            .expect("a response");
        parse_response::<Answers<T>>(&response)
    }

    fn json<T: FromEnvelope>(response: &str) -> Result<T, ResponseError> {
        let count = if response == "{}" {
            ""
        } else {
            r#""count":1,"#
        };
        let body = format!(r#"{{{count}"status":0,"statusCode":200,"response":{response}}}"#);
        read("application/json; charset=utf-8", &body)
    }

    fn xml<T: FromEnvelope>(response: &str) -> Result<T, ResponseError> {
        let body =
            format!("<result><status>0</status><statusCode>200</statusCode>{response}</result>");
        read("text/xml; charset=utf-8", &body)
    }

    #[test]
    fn a_boolean_answer_in_either_form() {
        assert!(json::<bool>("true").unwrap());
        assert!(!json::<bool>("false").unwrap());
        assert!(xml::<bool>("<response>true</response>").unwrap());
        assert!(!xml::<bool>("<response>False</response>").unwrap());
        assert!(matches!(
            json::<bool>(r#""yes""#),
            Err(ResponseError::Decode { .. })
        ));
        assert!(matches!(
            json::<bool>("{}"),
            Err(ResponseError::Decode { .. })
        ));
    }

    #[test]
    fn a_nullable_boolean_is_null_as_an_empty_object() {
        assert_eq!(json::<Option<bool>>("true").unwrap(), Some(true));
        assert_eq!(json::<Option<bool>>("false").unwrap(), Some(false));
        assert_eq!(json::<Option<bool>>("{}").unwrap(), None);
        assert_eq!(json::<Option<bool>>("null").unwrap(), None);
        assert_eq!(
            xml::<Option<bool>>("<response>true</response>").unwrap(),
            Some(true)
        );
        assert_eq!(
            xml::<Option<bool>>("<response>false</response>").unwrap(),
            Some(false)
        );
        assert_eq!(xml::<Option<bool>>("<response />").unwrap(), None);
        assert_eq!(xml::<Option<bool>>("").unwrap(), None, "no response");
        // An object with members, or another text, is not a null.
        for bad in [r#"{"value":true}"#, r#""maybe""#, "1.5"] {
            assert!(
                matches!(json::<Option<bool>>(bad), Err(ResponseError::Decode { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            xml::<Option<bool>>("<response>maybe</response>"),
            Err(ResponseError::Decode { .. })
        ));
    }
}
