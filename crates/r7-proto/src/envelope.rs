//! The response envelope every API method answers with.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// `{"count":1,"startIndex":0,"status":0,"statusCode":200,"response":...}`, or with `status: 1`
/// an `error` instead of `response`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Envelope<T> {
    #[serde(alias = "Status")]
    pub(crate) status: Option<EnvelopeStatus>,
    #[serde(alias = "StatusCode")]
    pub(crate) status_code: Option<i64>,
    #[serde(alias = "Count")]
    pub(crate) count: Option<u64>,
    #[serde(alias = "StartIndex")]
    pub(crate) start_index: Option<u64>,
    #[serde(alias = "NextIndex")]
    pub(crate) next_index: Option<u64>,
    #[serde(alias = "Total")]
    pub(crate) total: Option<u64>,
    #[serde(alias = "Response")]
    pub(crate) response: Option<T>,
    #[serde(alias = "Error")]
    pub(crate) error: Option<ErrorBody>,
}

/// The envelope's `error` member. `stack` and `data` are deliberately not kept: the stack is
/// server internals that must not travel into the caller's logs.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct ErrorBody {
    #[serde(alias = "Message")]
    pub(crate) message: Option<String>,
    #[serde(rename = "type", alias = "Type")]
    pub(crate) kind: Option<String>,
    #[serde(alias = "Hresult", alias = "HResult")]
    pub(crate) hresult: Option<i64>,
}

/// `status`: `0`/`1` as the server writes it, or the enum names `ok`/`error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EnvelopeStatus {
    Ok,
    Error,
}

impl<'de> Deserialize<'de> for EnvelopeStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StatusVisitor)
    }
}

struct StatusVisitor;

impl Visitor<'_> for StatusVisitor {
    type Value = EnvelopeStatus;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0, 1, \"ok\" or \"error\"")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<EnvelopeStatus, E> {
        match v {
            0 => Ok(EnvelopeStatus::Ok),
            1 => Ok(EnvelopeStatus::Error),
            _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<EnvelopeStatus, E> {
        u64::try_from(v)
            .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            .and_then(|v| self.visit_u64(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<EnvelopeStatus, E> {
        match v.trim() {
            "0" => Ok(EnvelopeStatus::Ok),
            "1" => Ok(EnvelopeStatus::Error),
            s if s.eq_ignore_ascii_case("ok") => Ok(EnvelopeStatus::Ok),
            s if s.eq_ignore_ascii_case("error") => Ok(EnvelopeStatus::Error),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}
