//! The macros behind the typed ids (`generated/ids.rs`): one newtype per kind of object.
//!
//! An id converts from its number (or GUID) with `From`, so `GetOpportunity::new(1234)` reads
//! as before, but two kinds of id never convert into each other: passing a deal's id where a
//! stage's is meant does not compile.
//!
//! ```compile_fail
//! use r7_model::{OpportunityId, OpportunityStageId};
//! fn move_to(deal: OpportunityId, stage: OpportunityStageId) {}
//! let (deal, stage) = (OpportunityId::new(1234), OpportunityStageId::new(30));
//! move_to(stage, deal);
//! ```

/// An id the server holds as a C# `int`.
macro_rules! int_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// Written and read as the bare number; compares equal to an `i64` of the same value.
        #[derive(
            Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// The id with this number.
            pub const fn new(value: i64) -> Self {
                $name(value)
            }

            /// The number.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(value: i64) -> Self {
                $name(value)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl PartialEq<i64> for $name {
            fn eq(&self, other: &i64) -> bool {
                self.0 == *other
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.trim().parse().map($name)
            }
        }
    };
}

/// An id the server holds as a GUID (portal users).
macro_rules! guid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// Written and read as the GUID's text, lower-case and hyphenated.
        #[derive(
            Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// The id with this GUID.
            pub const fn new(value: uuid::Uuid) -> Self {
                $name(value)
            }

            /// The GUID.
            pub const fn get(self) -> uuid::Uuid {
                self.0
            }
        }

        impl From<uuid::Uuid> for $name {
            fn from(value: uuid::Uuid) -> Self {
                $name(value)
            }
        }

        impl From<$name> for uuid::Uuid {
            fn from(id: $name) -> uuid::Uuid {
                id.0
            }
        }

        impl PartialEq<uuid::Uuid> for $name {
            fn eq(&self, other: &uuid::Uuid) -> bool {
                self.0 == *other
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.trim().parse().map($name)
            }
        }
    };
}

/// An id the server holds as a C# `object`: a number for what the portal stores itself, a text
/// for what a connected third-party storage holds (the Documents module's file ids).
macro_rules! key_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// Read from a JSON number or string (XML gives only text); an all-digit text that fits
        /// an `i64` is the number, so the JSON and XML forms of one answer give equal ids.
        /// Written back as the number or the text it holds.
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(crate::id::Key);

        impl $name {
            /// The id as a number, when it is one.
            pub fn number(&self) -> Option<i64> {
                match &self.0 {
                    crate::id::Key::Number(n) => Some(*n),
                    crate::id::Key::Text(_) => None,
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name(crate::id::Key::Number(0))
            }
        }

        impl From<i64> for $name {
            fn from(value: i64) -> Self {
                $name(crate::id::Key::Number(value))
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                $name(crate::id::Key::from_text(text))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match &self.0 {
                    crate::id::Key::Number(n) => std::fmt::Display::fmt(n, f),
                    crate::id::Key::Text(t) => f.write_str(t),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match &self.0 {
                    crate::id::Key::Number(n) => s.serialize_i64(*n),
                    crate::id::Key::Text(t) => s.serialize_str(t),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(crate::id::KeyVisitor).map($name)
            }
        }
    };
}

/// What a [`key_id!`] id holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    Number(i64),
    Text(String),
}

impl Key {
    pub(crate) fn from_text(text: &str) -> Key {
        let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'-');
        match text.parse::<i64>() {
            Ok(n) if digits => Key::Number(n),
            _ => Key::Text(text.to_owned()),
        }
    }
}

/// Reads a [`Key`] from a number or a text.
pub(crate) struct KeyVisitor;

impl serde::de::Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an id, as a number or a string")
    }

    fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Key, E> {
        Ok(Key::Number(n))
    }

    fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Key, E> {
        i64::try_from(n)
            .map(Key::Number)
            .map_err(|_| E::custom("the id does not fit an i64"))
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Key, E> {
        Ok(Key::from_text(text))
    }
}

pub(crate) use {guid_id, int_id, key_id};

#[cfg(test)]
mod tests {
    use crate::FileId;

    #[test]
    fn a_key_id_reads_a_number_or_a_text_and_writes_it_back() {
        let number: FileId = serde_json::from_str("5").expect("a number");
        let text: FileId = serde_json::from_str("\"5\"").expect("digits as text (XML)");
        assert_eq!(number, text);
        assert_eq!(number.number(), Some(5));
        assert_eq!(serde_json::to_string(&number).expect("written"), "5");
        let third_party: FileId = serde_json::from_str("\"sbox-12-|doc.docx\"").expect("a text");
        assert_eq!(third_party.number(), None);
        assert_eq!(third_party.to_string(), "sbox-12-|doc.docx");
        assert_eq!(
            serde_json::to_string(&third_party).expect("written"),
            "\"sbox-12-|doc.docx\""
        );
        assert!(serde_json::from_str::<FileId>("true").is_err());
        assert_eq!(FileId::from("-3").number(), Some(-3));
        assert_eq!(FileId::from("1-2").number(), None);
    }
}
