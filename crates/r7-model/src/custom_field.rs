//! [`CustomField`]: a user-defined field and its value on one object.

use serde::{Deserialize, Serialize};

use crate::CustomFieldType;
use crate::wire::{is_zero_i64, nullable};

/// A custom field with its value on a CRM object (the server's `CustomFieldBaseWrapper`; the
/// definition endpoints add `relativeItemsCount`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CustomField {
    /// Number of objects that use the field; only definition lists send it.
    #[serde(
        alias = "RelativeItemsCount",
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero_i64"
    )]
    pub relative_items_count: i64,
    /// Id of the object the value belongs to (0 for headings).
    #[serde(alias = "EntityId", deserialize_with = "nullable")]
    pub entity_id: i64,
    /// The field's label.
    #[serde(alias = "Label", deserialize_with = "nullable")]
    pub label: String,
    /// The value as text (dates too; check boxes as `true`/`false`).
    #[serde(alias = "FieldValue", deserialize_with = "nullable")]
    pub field_value: String,
    /// The kind of field.
    #[serde(alias = "FieldType", deserialize_with = "nullable")]
    pub field_type: CustomFieldType,
    /// Position among the fields.
    #[serde(alias = "Position", deserialize_with = "nullable")]
    pub position: i64,
    /// The field's options as JSON text (for example the choices of a select box); may be empty.
    #[serde(alias = "Mask", deserialize_with = "nullable")]
    pub mask: String,
    /// The field's id.
    #[serde(alias = "Id", alias = "ID", deserialize_with = "nullable")]
    pub id: i64,
}
