//! [`Employee`]: a portal user as other objects refer to it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::wire::nullable;

/// A portal user as embedded in CRM objects (the server's `EmployeeWraper`): the creator or the
/// person responsible for a deal, a member of an access list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Employee {
    /// The user's id.
    #[serde(alias = "Id", alias = "ID", deserialize_with = "nullable")]
    pub id: Uuid,
    /// Full name, in the portal's name-order setting.
    #[serde(alias = "DisplayName", deserialize_with = "nullable")]
    pub display_name: String,
    /// Job title; empty when the user has none (the server then leaves it out).
    #[serde(
        alias = "Title",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub title: String,
    /// Address of the small profile photo.
    #[serde(alias = "AvatarSmall", deserialize_with = "nullable")]
    pub avatar_small: String,
    /// Address of the user's profile page.
    #[serde(alias = "ProfileUrl", deserialize_with = "nullable")]
    pub profile_url: String,
}
