//! [`Currency`]: a currency as the CRM describes it.

use serde::{Deserialize, Serialize};

use crate::wire::nullable;

/// A currency known to the portal (the server's `CurrencyInfoWrapper`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Currency {
    /// Localised name, such as "Rouble".
    #[serde(alias = "Title", deserialize_with = "nullable")]
    pub title: String,
    /// Symbol, such as "₽".
    #[serde(alias = "Symbol", deserialize_with = "nullable")]
    pub symbol: String,
    /// ISO 4217 code, such as "RUB"; this is what requests send as `bidCurrencyAbbr`.
    #[serde(alias = "Abbreviation", deserialize_with = "nullable")]
    pub abbreviation: String,
    /// Culture name, such as "RU".
    #[serde(alias = "CultureName", deserialize_with = "nullable")]
    pub culture_name: String,
    /// Whether the portal can convert amounts in this currency (the wire name is spelt
    /// `isConvertable`).
    #[serde(
        rename = "isConvertable",
        alias = "IsConvertable",
        deserialize_with = "nullable"
    )]
    pub is_convertible: bool,
    /// Whether this is one of the portal's basic currencies.
    #[serde(alias = "IsBasic", deserialize_with = "nullable")]
    pub is_basic: bool,
}
