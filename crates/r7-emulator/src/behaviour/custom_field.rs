//! Custom fields of every entity type (`CRMApi.CustomFields.cs`, `CustomFieldDao.cs`):
//! definitions, values, and the masks the server validates and rewrites.
//!
//! The answers about definitions carry the entity id -1 and the value " " (the DAO selects
//! those literals, `CustomFieldDao.cs:469`).

use r7_model::{CustomField, CustomFieldDefinition, CustomFieldType};

use crate::generated::args::{
    CreateCustomFieldArgs, ListCustomFieldDefinitionsArgs, ListEntityCustomFieldsArgs,
    ReorderCustomFieldsArgs, SetCustomFieldValueArgs, UpdateCustomFieldArgs,
};
use crate::generated::{Wire, WireList};
use crate::ops::{Call, Entity, Outcome, list_of, smart_list};
use crate::store::{Crm, FieldEntity, FieldRow, Table, custom_field};
use crate::wire::{ApiError, Node, Reply, to_node};

impl Entity for CustomFieldDefinition {
    type Row = FieldRow;

    fn table(crm: &Crm) -> &Table<FieldRow> {
        &crm.fields
    }

    fn table_mut(crm: &mut Crm) -> &mut Table<FieldRow> {
        &mut crm.fields
    }

    /// `ToCustomFieldWrapper` (`CRMApi.CustomFields.cs:340`): the definition with the number of
    /// its values.
    fn read(crm: &Crm, id: i64) -> Option<CustomFieldDefinition> {
        let base = definition(crm, id)?;
        let mut v = CustomFieldDefinition::default();
        v.relative_items_count = crm.field_value_count(id);
        v.entity_id = base.entity_id;
        v.label = base.label;
        v.field_value = base.field_value;
        v.field_type = base.field_type;
        v.position = base.position;
        v.mask = base.mask;
        v.id = base.id;
        Some(v)
    }

    fn one(&self) -> Node {
        to_node(&Wire(self))
    }

    fn list_item(&self) -> Node {
        to_node(&WireList(self))
    }

    /// `DeleteField` (`CustomFieldDao.cs:501`): the definition and all its values.
    fn remove(crm: &mut Crm, id: i64) {
        crm.fields.remove(id);
        crm.field_values.retain(|(_, _, field), _| *field != id);
    }
}

/// `GetFieldDescription` (`CustomFieldDao.cs:442`) as the base wrapper: entity -1, value " ".
fn definition(crm: &Crm, id: i64) -> Option<CustomField> {
    let mut v = custom_field(id, crm.fields.get(id)?);
    v.entity_id = -1;
    v.field_value = " ".to_owned();
    Some(v)
}

/// `ToEntityType` (`CRMApi.cs:56`) for the texts the routes allow (matched in any case).
fn kind(text: Option<&str>) -> Result<FieldEntity, ApiError> {
    match text.map(str::to_lowercase).as_deref() {
        Some("contact") => Ok(FieldEntity::Contact),
        Some("person") => Ok(FieldEntity::Person),
        Some("company") => Ok(FieldEntity::Company),
        Some("opportunity") => Ok(FieldEntity::Opportunity),
        Some("case") => Ok(FieldEntity::Case),
        _ => Err(ApiError::ARGUMENT),
    }
}

/// `ArgumentException(CRMErrorsResource.CustomFieldMaskNotValid)`.
fn mask_not_valid() -> ApiError {
    ApiError::argument("Mask is not valid")
}

/// Json.NET's `JsonReaderException` for a select box mask that is not JSON, rethrown by
/// `GetValidMask` (`CustomFieldDao.cs:195`): not an `ArgumentException`, so a 500. Its message
/// names where the reader stopped; the emulator's says only what failed.
fn json_reader_error() -> ApiError {
    ApiError {
        status: http::StatusCode::INTERNAL_SERVER_ERROR,
        message: std::borrow::Cow::Borrowed("The mask is not JSON."),
        hresult: -2146233088,
    }
}

/// A number of a mask member as `JToken.Value<int>` reads it: a number, or a text of one.
fn number(node: Option<&Node>) -> Option<i64> {
    match node? {
        Node::Integer(n) => n.parse().ok(),
        Node::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The mask with `members` set to their clamped numbers, written compactly; `None` when the
/// mask is not a JSON object whose members are numbers.
fn clamped(mask: &str, members: &[(&str, i64, i64)]) -> Option<String> {
    let Node::Object(mut object) = serde_json::from_str::<Node>(mask).ok()? else {
        return None;
    };
    for (name, high, _) in members {
        let value = match object.iter().find(|(k, _)| k == name) {
            Some((_, node)) => number(Some(node))?,
            None => 0,
        };
        // 0 (or missing) becomes 1, more than the limit the limit; a negative number stays.
        let value = if value == 0 { 1 } else { value.min(*high) };
        let node = Node::Integer(value.to_string());
        match object.iter_mut().find(|(k, _)| k == name) {
            Some((_, slot)) => *slot = node,
            None => object.push(((*name).to_owned(), node)),
        }
    }
    let text = crate::wire::to_json(&Node::Object(object)).ok()?;
    String::from_utf8(text).ok()
}

/// The same members at their fallbacks, when the mask does not parse.
fn fallback(members: &[(&str, i64, i64)]) -> String {
    let parts: Vec<String> = members
        .iter()
        .map(|(name, _, default)| format!("\"{name}\":{default}"))
        .collect();
    format!("{{{}}}", parts.join(","))
}

/// `GetValidMask` (`CustomFieldDao.cs:112`): what the server stores as a field's mask.
fn valid_mask(field_type: CustomFieldType, mask: Option<&str>) -> Result<String, ApiError> {
    const SIZE: &[(&str, i64, i64)] = &[("size", 150, 40)];
    const AREA: &[(&str, i64, i64)] = &[("rows", 25, 2), ("cols", 150, 40)];
    if matches!(
        field_type,
        CustomFieldType::CheckBox | CustomFieldType::Heading | CustomFieldType::Date
    ) {
        return Ok(String::new());
    }
    let mask = mask.filter(|m| !m.is_empty()).ok_or_else(mask_not_valid)?;
    Ok(match field_type {
        CustomFieldType::TextField => clamped(mask, SIZE).unwrap_or_else(|| fallback(SIZE)),
        CustomFieldType::TextArea => clamped(mask, AREA).unwrap_or_else(|| fallback(AREA)),
        CustomFieldType::SelectBox => match serde_json::from_str::<Node>(mask) {
            // An array is kept exactly as sent.
            Ok(Node::Array(_)) => mask.to_owned(),
            Ok(_) => return Err(mask_not_valid()),
            Err(_) => return Err(json_reader_error()),
        },
        _ => "{}".to_owned(),
    })
}

/// `GET {entityType}/customfield/definitions` (`CRMApi.CustomFields.cs:50`).
pub(crate) fn definitions(
    crm: &mut Crm,
    args: ListCustomFieldDefinitionsArgs,
    call: &Call,
) -> Outcome {
    let kind = kind(args.entity_type.as_deref())?;
    let fields: Vec<CustomFieldDefinition> = crm
        .fields_of(kind)
        .into_iter()
        .filter_map(|(id, _)| CustomFieldDefinition::read(crm, id))
        .collect();
    Ok(list_of(&fields, &call.paging))
}

/// `GET {entityType}/{id}/customfield` (`CRMApi.CustomFields.cs:67`): an id of 0 answers every
/// object's values of the type, by object and position (`CustomFieldDao.cs:420`).
pub(crate) fn values(crm: &mut Crm, args: ListEntityCustomFieldsArgs, call: &Call) -> Outcome {
    let kind = kind(args.entity_type.as_deref())?;
    let fields = if args.entity_id == 0 {
        let defined: Vec<(i64, &FieldRow)> = crm.fields_of(kind);
        let mut all: Vec<(i64, i64, CustomField)> = crm
            .field_values
            .iter()
            .filter_map(|((_, entity, field), value)| {
                let row = defined.iter().find(|(id, _)| id == field)?.1;
                let mut v = custom_field(*field, row);
                v.entity_id = *entity;
                v.field_value.clone_from(value);
                Some((*entity, row.sort_order, v))
            })
            .collect();
        all.sort_by_key(|(entity, position, v)| (*entity, *position, v.id));
        all.into_iter().map(|(_, _, v)| v).collect()
    } else {
        crm.field_values_of(kind, args.entity_id)
    };
    let items = fields.iter().map(|f| to_node(&WireList(f))).collect();
    Ok(smart_list(items, &call.paging))
}

/// `POST {entityType}/{id}/customfield/{fieldid}` (`CRMApi.CustomFields.cs:87`;
/// `CustomFieldDao.SetFieldValue`, `:65`): the value stored trimmed, deleted when blank.
pub(crate) fn set_value(crm: &mut Crm, args: SetCustomFieldValueArgs, _: &Call) -> Outcome {
    // A field that does not exist, or no value, is dereferenced anyway: a 500.
    let mut answer = definition(crm, args.field_id).ok_or(ApiError::NULL_REFERENCE)?;
    let kind = kind(args.entity_type.as_deref())?;
    let value = args.field_value.ok_or(ApiError::NULL_REFERENCE)?;
    let key = (kind, args.entity_id, args.field_id);
    crm.field_values.remove(&key);
    if !value.trim().is_empty() {
        crm.field_values.insert(key, value.trim().to_owned());
    }
    answer.entity_id = args.entity_id;
    answer.field_value = value;
    Ok(Reply::One(to_node(&Wire(&answer))))
}

/// `POST {entityType}/customfield` (`CRMApi.CustomFields.cs:196`; `CreateField`,
/// `CustomFieldDao.cs:204`): after every field of every type (the first gets 1).
pub(crate) fn create(crm: &mut Crm, args: CreateCustomFieldArgs, _: &Call) -> Outcome {
    let kind = kind(args.entity_type.as_deref())?;
    let label = args
        .label
        .filter(|l| !l.is_empty())
        .ok_or(ApiError::ARGUMENT)?;
    let field_type = CustomFieldType::from_i32(i32::try_from(args.field_type).unwrap_or(-1));
    let mask = valid_mask(field_type, args.mask.as_deref())?;
    let sort_order = crm
        .fields
        .iter()
        .map(|(_, f)| f.sort_order)
        .max()
        .unwrap_or(0)
        + 1;
    let id = crm.fields.next_id();
    crm.fields.insert(
        id,
        FieldRow {
            entity: kind,
            label,
            field_type,
            mask,
            sort_order,
        },
    );
    let answer = CustomFieldDefinition::read(crm, id).ok_or(ApiError::NOT_FOUND)?;
    Ok(Reply::One(answer.one()))
}

/// `PUT {entityType}/customfield/{id}` (`CRMApi.CustomFields.cs:236`; `EditItem`,
/// `CustomFieldDao.cs:262`): with values, only the label and the mask change, a select box
/// may only gain options, and the mask is stored as sent.
pub(crate) fn update(crm: &mut Crm, args: UpdateCustomFieldArgs, _: &Call) -> Outcome {
    let id = args.field_id;
    if id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    let old = crm.fields.get(id).cloned().ok_or(ApiError::NOT_FOUND)?;
    let label = args
        .label
        .filter(|l| !l.is_empty())
        .ok_or(ApiError::ARGUMENT)?;
    let (field_type, mask) = if crm.field_value_count(id) == 0 {
        let field_type = CustomFieldType::from_i32(i32::try_from(args.field_type).unwrap_or(-1));
        (field_type, valid_mask(field_type, args.mask.as_deref())?)
    } else {
        let mask = args.mask.unwrap_or_default();
        if old.field_type == CustomFieldType::SelectBox {
            if mask != old.mask && !mask.is_empty() {
                let options = |text: &str| match serde_json::from_str::<Node>(text) {
                    Ok(Node::Array(items)) => Some(items),
                    _ => None,
                };
                let (Some(new), Some(before)) = (options(&mask), options(&old.mask)) else {
                    return Err(mask_not_valid());
                };
                if !before.iter().all(|item| new.contains(item)) {
                    return Err(mask_not_valid());
                }
            }
        } else {
            valid_mask(old.field_type, Some(&mask))?;
        }
        (old.field_type, mask)
    };
    crm.fields.insert(
        id,
        FieldRow {
            label,
            field_type,
            mask,
            ..old
        },
    );
    let answer = CustomFieldDefinition::read(crm, id).ok_or(ApiError::NOT_FOUND)?;
    Ok(Reply::One(answer.one()))
}

/// `PUT {entityType}/customfield/reorder` (`CRMApi.CustomFields.cs:314`): the answer is read
/// before the reorder, so it shows the old positions.
pub(crate) fn reorder(crm: &mut Crm, args: ReorderCustomFieldsArgs, call: &Call) -> Outcome {
    let answer: Vec<CustomField> = args
        .field_ids
        .iter()
        .map(|id| definition(crm, *id).ok_or(ApiError::NOT_FOUND))
        .collect::<Result<_, _>>()?;
    for (position, id) in args.field_ids.iter().enumerate() {
        if let Some(row) = crm.fields.get_mut(*id) {
            row.sort_order = i64::try_from(position).unwrap_or(i64::MAX);
        }
    }
    let items = answer.iter().map(|f| to_node(&WireList(f))).collect();
    Ok(smart_list(items, &call.paging))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_are_checked_and_rewritten_as_the_server_does() {
        let mask = |t, m: Option<&str>| valid_mask(t, m);
        use CustomFieldType::*;
        assert_eq!(mask(Date, Some("anything")).unwrap(), "");
        assert_eq!(mask(CheckBox, None).unwrap(), "");
        assert_eq!(mask(TextField, None).unwrap_err(), mask_not_valid());
        assert_eq!(
            mask(TextField, Some(r#"{"size":"40"}"#)).unwrap(),
            r#"{"size":40}"#
        );
        assert_eq!(
            mask(TextField, Some(r#"{"size":400}"#)).unwrap(),
            r#"{"size":150}"#
        );
        assert_eq!(
            mask(TextField, Some(r#"{"size":0}"#)).unwrap(),
            r#"{"size":1}"#
        );
        assert_eq!(mask(TextField, Some("[1]")).unwrap(), r#"{"size":40}"#);
        assert_eq!(
            mask(TextArea, Some(r#"{"rows":"30","cols":2}"#)).unwrap(),
            r#"{"rows":25,"cols":2}"#
        );
        assert_eq!(
            mask(TextArea, Some("x")).unwrap(),
            r#"{"rows":2,"cols":40}"#
        );
        assert_eq!(
            mask(SelectBox, Some(r#"[ "a", "b" ]"#)).unwrap(),
            r#"[ "a", "b" ]"#
        );
        assert_eq!(
            mask(SelectBox, Some(r#"{"a":1}"#)).unwrap_err(),
            mask_not_valid()
        );
        assert_eq!(
            mask(SelectBox, Some("[")).unwrap_err().status,
            http::StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}

#[cfg(test)]
mod writer {
    use r7_model::CustomFieldDefinition;

    use crate::ops::Entity;
    use crate::wire::Node;

    #[test]
    fn a_definition_is_written_as_the_documentation_sample_shows_it() {
        // The sample of the documentation page, compacted with the server's escaping: decoded
        // into the model and written back by the emulator, member for member in its order.
        let fixture = include_str!("../../../../tests/fixtures/custom_field/definitions.json");
        let envelope: Node = serde_json::from_str(fixture).expect("the fixture is JSON");
        let Some(Node::Array(items)) = envelope.path("response") else {
            panic!("a list");
        };
        let expected = crate::wire::to_json(&items[0]).expect("written");
        let field: CustomFieldDefinition = serde_json::from_slice(&expected).expect("decodes");
        let written = crate::wire::to_json(&field.one()).expect("written");
        assert_eq!(String::from_utf8(written), String::from_utf8(expected));
    }
}
