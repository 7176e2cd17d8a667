//! The custom field routes through the client against the emulated portal, in JSON and in
//! XML: definitions per entity type, values, masks, and what the server changes and does not
//! (`CRMApi.CustomFields.cs`, `CustomFieldDao.cs`).

use r7_model::{CustomFieldId, CustomFieldType};
use r7_proto::crm::custom_field::*;
use r7_proto::crm::opportunity::GetOpportunity;
use r7_proto::*;

use crate::support::refused;

async fn custom_fields(format: Format) {
    let (emulator, client) = crate::support::emulated(format).await;
    let deals = CustomFieldEntityType::Opportunity;
    let ids = |fields: &[r7_model::CustomFieldDefinition]| -> Vec<i64> {
        fields.iter().map(|f| f.id.get()).collect()
    };

    // The seed's deal fields, by position, each with how many deals have a value; answers
    // about definitions carry the entity -1 and the value " ".
    let defined = client
        .send(&ListCustomFieldDefinitions::new(deals))
        .await
        .expect("definitions");
    assert_eq!(ids(&defined.items), [7, 8, 9, 10]);
    let counts: Vec<i64> = defined
        .items
        .iter()
        .map(|f| f.relative_items_count)
        .collect();
    assert_eq!(counts, [1, 1, 1, 0]);
    assert!(
        defined
            .items
            .iter()
            .all(|f| f.entity_id == -1 && f.field_value == " ")
    );

    // A contact field goes after every field of every type; persons and companies see it,
    // deals do not.
    let birthday = client
        .send(&CreateCustomField::new(
            CustomFieldEntityType::Contact,
            "Birthdate",
            CustomFieldType::Date,
        ))
        .await
        .expect("created");
    assert_eq!(
        (
            birthday.position,
            birthday.mask.as_str(),
            birthday.relative_items_count
        ),
        (11, "", 0)
    );
    for kind in [
        CustomFieldEntityType::Person,
        CustomFieldEntityType::Company,
        CustomFieldEntityType::Contact,
    ] {
        let list = client
            .send(&ListCustomFieldDefinitions::new(kind))
            .await
            .expect("definitions");
        assert_eq!(ids(&list.items), [birthday.id.get()], "{kind:?}");
    }
    let list = client
        .send(&ListCustomFieldDefinitions::new(deals))
        .await
        .expect("definitions");
    assert!(!ids(&list.items).contains(&birthday.id.get()));

    // Masks: a text field's size is clamped and rewritten; no mask is refused.
    let size = client
        .send(
            &CreateCustomField::new(deals, "Size", CustomFieldType::TextField)
                .mask(r#"{"size":"400"}"#),
        )
        .await
        .expect("created");
    assert_eq!(size.mask, r#"{"size":150}"#);
    let (status, message) = refused(
        client
            .send(&CreateCustomField::new(
                deals,
                "x",
                CustomFieldType::TextField,
            ))
            .await,
    );
    assert_eq!((status, message.as_str()), (400, "Mask is not valid"));

    // A value is answered as sent and stored trimmed; a person's value shows as a contact's.
    let set = client
        .send(&SetCustomFieldValue::new(
            CustomFieldEntityType::Person,
            102,
            birthday.id,
            " 1990-01-01 ",
        ))
        .await
        .expect("set");
    assert_eq!(
        (set.entity_id, set.field_value.as_str()),
        (102, " 1990-01-01 ")
    );
    for kind in [
        CustomFieldEntityType::Person,
        CustomFieldEntityType::Contact,
    ] {
        let values = client
            .send(&ListEntityCustomFields::new(kind, 102))
            .await
            .expect("values");
        let values: Vec<(i64, &str)> = values
            .items
            .iter()
            .map(|v| (v.entity_id, v.field_value.as_str()))
            .collect();
        assert_eq!(values, [(102, "1990-01-01")], "{kind:?}");
    }
    // A blank value deletes it.
    client
        .send(&SetCustomFieldValue::new(
            CustomFieldEntityType::Person,
            102,
            birthday.id,
            "  ",
        ))
        .await
        .expect("cleared");
    let values = client
        .send(&ListEntityCustomFields::new(
            CustomFieldEntityType::Person,
            102,
        ))
        .await
        .expect("values");
    assert!(values.items.is_empty());
    // A field that does not exist is dereferenced anyway: the server's 500.
    let (status, _) = refused(
        client
            .send(&SetCustomFieldValue::new(
                deals,
                1235,
                CustomFieldId::new(999),
                "x",
            ))
            .await,
    );
    assert_eq!(status, 500);

    // Once a field has values its kind stays: only the label and the mask change.
    let renamed = client
        .send(
            &UpdateCustomField::new(7, deals, "Номер", CustomFieldType::TextArea)
                .mask(r#"{"size":"40"}"#),
        )
        .await
        .expect("updated");
    assert_eq!(
        (
            renamed.label.as_str(),
            renamed.field_type,
            renamed.mask.as_str()
        ),
        ("Номер", CustomFieldType::TextField, r#"{"size":"40"}"#),
        "the mask as sent, the kind as it was"
    );
    // Without values it may become another kind.
    let area = client
        .send(
            &UpdateCustomField::new(size.id, deals, "Notes", CustomFieldType::TextArea)
                .mask(r#"{"rows":30}"#),
        )
        .await
        .expect("updated");
    assert_eq!(
        (area.field_type, area.mask.as_str()),
        (CustomFieldType::TextArea, r#"{"rows":25,"cols":1}"#)
    );
    // A select box with values may gain options but not lose any.
    client
        .send(&SetCustomFieldValue::new(
            deals,
            1236,
            CustomFieldId::new(10),
            "Сайт",
        ))
        .await
        .expect("set");
    let (status, _) = refused(
        client
            .send(
                &UpdateCustomField::new(10, deals, "Канал", CustomFieldType::SelectBox)
                    .mask(r#"["Партнёр","Сайт"]"#),
            )
            .await,
    );
    assert_eq!(status, 400);
    client
        .send(
            &UpdateCustomField::new(10, deals, "Канал", CustomFieldType::SelectBox)
                .mask(r#"["Партнёр","Сайт","Звонок","Почта"]"#),
        )
        .await
        .expect("an option added");

    // Reordering answers the old positions; the new ones show in the definitions.
    let reordered = client
        .send(&ReorderCustomFields::new([8, 7], deals))
        .await
        .expect("reordered");
    let answered: Vec<(i64, i64)> = reordered
        .items
        .iter()
        .map(|f| (f.id.get(), f.position))
        .collect();
    assert_eq!(answered, [(8, 8), (7, 7)]);
    let defined = client
        .send(&ListCustomFieldDefinitions::new(deals))
        .await
        .expect("definitions");
    assert_eq!(ids(&defined.items)[..2], [8, 7]);

    // Deleting a field answers it with the values it had, and takes them off the deals.
    let deleted = client
        .send(&DeleteCustomField::new(deals, 7))
        .await
        .expect("deleted");
    assert_eq!((deleted.id.get(), deleted.relative_items_count), (7, 1));
    let deal = client.send(&GetOpportunity::new(1235)).await.expect("deal");
    let left: Vec<i64> = deal.custom_fields.iter().map(|f| f.id.get()).collect();
    assert_eq!(left, [8]);
    let (status, _) = refused(client.send(&DeleteCustomField::new(deals, 7)).await);
    assert_eq!(status, 404);

    emulator.shutdown().await;
}

#[tokio::test]
async fn custom_fields_in_json() {
    custom_fields(Format::Json).await;
}

#[tokio::test]
async fn custom_fields_in_xml() {
    custom_fields(Format::Xml).await;
}

#[test]
fn an_int_enum_goes_as_its_number() {
    // CreateCustomFieldValue takes `int fieldType`: the binder converts digits only.
    let base = BaseUrl::parse("https://portal.example.com/").expect("base");
    let token = Token::new("token").expect("token");
    let request = build_request(
        &CreateCustomField::new(
            CustomFieldEntityType::Company,
            "Birthdate",
            CustomFieldType::Date,
        ),
        &RequestContext::new(&base, Some(&token)),
    )
    .expect("built");
    assert_eq!(&request.body()[..], b"label=Birthdate&fieldType=5");
}
