//! The macro behind the integer-coded enums of the CRM wire (`generated/enums.rs`).
//!
//! The server writes these as numbers and accepts numbers or names. A number this crate does not
//! know decodes to the `Unknown` variant instead of failing, so a newer server cannot break an
//! older client; it is written back as the same number.

use std::fmt;

use serde::de::{self, Visitor};

macro_rules! int_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know; the number as the server sent it.
            Unknown(i32),
        }

        impl $name {
            /// Every known variant, in the server's numeric order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The variant for a wire number; unknown numbers give `Unknown(n)`.
            pub fn from_i32(value: i32) -> Self {
                match value {
                    $( $value => $name::$variant, )+
                    other => $name::Unknown(other),
                }
            }

            /// The wire number.
            pub fn to_i32(self) -> i32 {
                match self {
                    $( $name::$variant => $value, )+
                    $name::Unknown(other) => other,
                }
            }

            /// The server's name for the value (what its binder accepts in requests), or `None`
            /// for `Unknown`.
            pub fn name(self) -> Option<&'static str> {
                match self {
                    $( $name::$variant => Some(stringify!($variant)), )+
                    $name::Unknown(_) => None,
                }
            }

            /// Looks a variant up by the server's name, ignoring ASCII case.
            pub fn from_name(name: &str) -> Option<Self> {
                $( if name.eq_ignore_ascii_case(stringify!($variant)) {
                    return Some($name::$variant);
                } )+
                None
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::from_i32(0)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "unknown ({})", self.to_i32()),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i32(self.to_i32())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer
                    .deserialize_any($crate::enums::IntEnumVisitor(stringify!($name)))
                    .map($name::from_i32_or_name)
                    .and_then(|v| v.ok_or_else(|| serde::de::Error::custom(concat!(
                        "unknown ", stringify!($name), " name"
                    ))))
            }
        }

        impl $name {
            fn from_i32_or_name(raw: $crate::enums::RawEnum) -> Option<Self> {
                match raw {
                    $crate::enums::RawEnum::Number(n) => Some($name::from_i32(n)),
                    $crate::enums::RawEnum::Name(s) => $name::from_name(&s),
                }
            }
        }
    };
}

/// What an enum value looked like on the wire, before it is matched to a variant.
pub(crate) enum RawEnum {
    Number(i32),
    Name(String),
}

pub(crate) struct IntEnumVisitor(pub(crate) &'static str);

impl Visitor<'_> for IntEnumVisitor {
    type Value = RawEnum;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a number or name of {}", self.0)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawEnum, E> {
        i32::try_from(v)
            .map(RawEnum::Number)
            .map_err(|_| E::custom(format_args!("{} value {v} is out of range", self.0)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawEnum, E> {
        i32::try_from(v)
            .map(RawEnum::Number)
            .map_err(|_| E::custom(format_args!("{} value {v} is out of range", self.0)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawEnum, E> {
        let v = v.trim();
        match v.parse::<i64>() {
            Ok(n) => self.visit_i64(n),
            Err(_) => Ok(RawEnum::Name(v.to_owned())),
        }
    }
}

pub(crate) use int_enum;

#[cfg(test)]
mod tests {
    use crate::{BidType, CustomFieldType, ShareType, StageType};

    #[test]
    fn known_numbers_and_names_decode() {
        assert_eq!(
            serde_json::from_str::<BidType>("3").unwrap(),
            BidType::PerWeek
        );
        assert_eq!(
            serde_json::from_str::<BidType>("\"perweek\"").unwrap(),
            BidType::PerWeek
        );
        assert_eq!(
            serde_json::from_str::<BidType>("\"3\"").unwrap(),
            BidType::PerWeek
        );
        assert_eq!(
            serde_json::from_str::<StageType>("\"ClosedAndWon\"").unwrap(),
            StageType::ClosedAndWon
        );
    }

    #[test]
    fn unknown_numbers_are_kept_not_refused() {
        let v: ShareType = serde_json::from_str("7").unwrap();
        assert_eq!(v, ShareType::Unknown(7));
        assert_eq!(serde_json::to_string(&v).unwrap(), "7");
        assert_eq!(v.to_string(), "unknown (7)");
        assert!(serde_json::from_str::<ShareType>("\"Sideways\"").is_err());
        assert!(serde_json::from_str::<ShareType>("4294967296").is_err());
    }

    #[test]
    fn round_trips_every_known_value() {
        for v in CustomFieldType::KNOWN {
            let json = serde_json::to_string(v).unwrap();
            assert_eq!(&serde_json::from_str::<CustomFieldType>(&json).unwrap(), v);
            assert_eq!(CustomFieldType::from_name(v.name().unwrap()), Some(*v));
        }
        assert_eq!(BidType::default(), BidType::FixedBid);
    }
}
