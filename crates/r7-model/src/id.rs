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

pub(crate) use {guid_id, int_id};
