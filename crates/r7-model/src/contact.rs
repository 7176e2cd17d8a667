//! [`ContactBase`]: a person or a company as deals refer to them.

use serde::{Deserialize, Serialize};

use crate::wire::nullable;
use crate::{Currency, Employee, ShareType};

/// Whether a contact is a person or a company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactKind {
    /// A person.
    Person,
    /// A company.
    Company,
}

/// A CRM contact, person or company, in the short form embedded in deals (the server's
/// `ContactBaseWrapper`: a deal's primary `contact` and its `members`).
///
/// Persons and companies have the same members in this form; [`ContactBase::kind`] tells them
/// apart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContactBase {
    /// Address of the small photo; empty when the server sends none.
    #[serde(
        alias = "SmallFotoUrl",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub small_foto_url: String,
    /// Address of the medium photo; empty when the server sends none.
    #[serde(
        alias = "MediumFotoUrl",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub medium_foto_url: String,
    /// The person's full name or the company's name.
    #[serde(alias = "DisplayName", deserialize_with = "nullable")]
    pub display_name: String,
    /// `true` for a company, `false` for a person.
    #[serde(alias = "IsCompany", deserialize_with = "nullable")]
    pub is_company: bool,
    /// Users who may see a private contact; empty for public ones.
    #[serde(
        alias = "AccessList",
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub access_list: Vec<Employee>,
    /// Whether only the access list may see the contact.
    #[serde(alias = "IsPrivate", deserialize_with = "nullable")]
    pub is_private: bool,
    /// Whether the contact is shared (`shareType` is read or read-write).
    #[serde(alias = "IsShared", deserialize_with = "nullable")]
    pub is_shared: bool,
    /// How the contact is shared.
    #[serde(alias = "ShareType", deserialize_with = "nullable")]
    pub share_type: ShareType,
    /// The contact's currency; the server writes `null` when it has none.
    #[serde(alias = "Currency")]
    pub currency: Option<Currency>,
    /// Whether the caller may edit the contact.
    #[serde(alias = "CanEdit", deserialize_with = "nullable")]
    pub can_edit: bool,
    /// Whether the caller may delete the contact.
    #[serde(alias = "CanDelete", deserialize_with = "nullable")]
    pub can_delete: bool,
    /// The contact's id.
    #[serde(alias = "Id", alias = "ID", deserialize_with = "nullable")]
    pub id: i64,
}

impl ContactBase {
    /// Whether this contact is a person or a company.
    pub fn kind(&self) -> ContactKind {
        if self.is_company {
            ContactKind::Company
        } else {
            ContactKind::Person
        }
    }
}
