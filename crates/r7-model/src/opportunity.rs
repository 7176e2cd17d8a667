//! [`Opportunity`]: a deal of the CRM.

use serde::{Deserialize, Serialize};

use crate::wire::{is_zero_f64, is_zero_i32, nullable};
use crate::{ApiDateTime, BidType, ContactBase, Currency, CustomField, DealStage, Employee};

/// A CRM deal ("opportunity" on the wire; the server's `OpportunityWrapper`), as the opportunity
/// endpoints return it.
///
/// The server leaves members out when they hold their default value, so a missing member decodes
/// to `None`, an empty list, an empty string, `0` or `false`; `bidType` left out means
/// [`BidType::FixedBid`]. Names decode in camelCase (what the server sends) and in PascalCase
/// (what some documentation shows); unknown members are ignored.
///
/// `Serialize` writes the server's camelCase names in the server's order, leaving out what the
/// server leaves out, in the form of the single-deal endpoints (the lists `members`,
/// `accessList` and `customFields` are always written, empty or not).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Opportunity {
    /// The user who created the deal.
    #[serde(alias = "CreateBy", skip_serializing_if = "Option::is_none")]
    pub create_by: Option<Employee>,
    /// When the deal was created.
    #[serde(
        alias = "Created",
        with = "crate::datetime::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub created: Option<ApiDateTime>,
    /// Contacts taking part in the deal (the primary contact among them).
    #[serde(alias = "Members", deserialize_with = "nullable")]
    pub members: Vec<ContactBase>,
    /// The primary contact, if the deal has one.
    #[serde(alias = "Contact", skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactBase>,
    /// The deal's title.
    #[serde(alias = "Title", deserialize_with = "nullable")]
    pub title: String,
    /// The deal's description; empty when it has none.
    #[serde(alias = "Description", deserialize_with = "nullable")]
    pub description: String,
    /// The user responsible for the deal.
    #[serde(alias = "Responsible", skip_serializing_if = "Option::is_none")]
    pub responsible: Option<Employee>,
    /// How the amount is billed.
    #[serde(
        alias = "BidType",
        deserialize_with = "nullable",
        skip_serializing_if = "is_fixed_bid"
    )]
    pub bid_type: BidType,
    /// The amount, per period unless [`BidType::FixedBid`]; 0 when not set.
    ///
    /// The server keeps a .NET `decimal`; it is read here as `f64`, exact for amounts up to
    /// 15 significant digits (the XML form carries a double anyway).
    #[serde(
        alias = "BidValue",
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero_f64"
    )]
    pub bid_value: f64,
    /// The currency of the amount.
    #[serde(alias = "BidCurrency", skip_serializing_if = "Option::is_none")]
    pub bid_currency: Option<Currency>,
    /// Number of periods the amount is billed for; 0 when not set.
    #[serde(
        alias = "PerPeriodValue",
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero_i32"
    )]
    pub per_period_value: i32,
    /// The stage the deal is in.
    #[serde(alias = "Stage", skip_serializing_if = "Option::is_none")]
    pub stage: Option<DealStage>,
    /// Probability of success, in percent; 0 when not set.
    #[serde(
        alias = "SuccessProbability",
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero_i32"
    )]
    pub success_probability: i32,
    /// When the deal was actually closed, if it was.
    #[serde(
        alias = "ActualCloseDate",
        with = "crate::datetime::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub actual_close_date: Option<ApiDateTime>,
    /// When the deal is expected to close, if that is known.
    #[serde(
        alias = "ExpectedCloseDate",
        with = "crate::datetime::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub expected_close_date: Option<ApiDateTime>,
    /// Whether only the access list may see the deal.
    #[serde(alias = "IsPrivate", deserialize_with = "nullable")]
    pub is_private: bool,
    /// Users who may see a private deal.
    #[serde(alias = "AccessList", deserialize_with = "nullable")]
    pub access_list: Vec<Employee>,
    /// Whether the caller may edit the deal.
    #[serde(alias = "CanEdit", deserialize_with = "nullable")]
    pub can_edit: bool,
    /// Custom field values of the deal.
    #[serde(alias = "CustomFields", deserialize_with = "nullable")]
    pub custom_fields: Vec<CustomField>,
    /// The deal's id.
    #[serde(alias = "Id", alias = "ID", deserialize_with = "nullable")]
    pub id: i64,
}

fn is_fixed_bid(v: &BidType) -> bool {
    *v == BidType::FixedBid
}
