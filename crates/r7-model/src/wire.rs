//! Small serde helpers of the generated model types.

use serde::{Deserialize, Deserializer};

/// Decodes `null` (and, through `#[serde(default)]`, a missing member) as the type's default, so
/// that a server which writes `"members": null` or `"title": null` does not fail the whole decode.
pub(crate) fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
