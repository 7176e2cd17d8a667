//! [`DealStage`]: a step of the sales pipeline.

use serde::{Deserialize, Serialize};

use crate::StageType;
use crate::wire::{is_zero_i32, is_zero_i64, nullable};

/// A deal stage ("milestone" in the server's code): embedded in every opportunity, and returned
/// by the stage endpoints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DealStage {
    /// Number of deals in this stage; only the stage endpoints send it, and not when it is 0.
    #[serde(
        alias = "RelativeItemsCount",
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero_i64"
    )]
    pub relative_items_count: i64,
    /// Probability of success, in percent, that deals take when they enter the stage.
    #[serde(alias = "SuccessProbability", deserialize_with = "nullable")]
    pub success_probability: i32,
    /// Whether the stage is open or closes the deal.
    #[serde(alias = "StageType", deserialize_with = "nullable")]
    pub stage_type: StageType,
    /// Name of the stage.
    #[serde(
        alias = "Title",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub title: String,
    /// Description of the stage.
    #[serde(
        alias = "Description",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub description: String,
    /// Colour, such as `#B9AFD3`.
    #[serde(
        alias = "Color",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub color: String,
    /// Position in the pipeline. Real servers leave it out of embedded stages (so it reads 0);
    /// the documentation's samples carry it.
    #[serde(
        alias = "SortOrder",
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero_i32"
    )]
    pub sort_order: i32,
    /// The stage's id.
    #[serde(alias = "Id", alias = "ID", deserialize_with = "nullable")]
    pub id: i64,
}
