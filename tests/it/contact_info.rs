//! The contact detail routes through the client against the emulated portal, in JSON and in
//! XML: the lists of kinds and categories, create with its exact category names, update that
//! moves another contact's detail, the address routes and their stored JSON, delete
//! (`CRMApi.ContactInfo.cs`, `ContactInfoDao.cs`).

use r7_model::{AddressCategory, Contact, ContactInfo, ContactInfoType};
use r7_proto::crm::contact::GetContact;
use r7_proto::crm::contact_info::*;
use r7_proto::*;

use crate::support::{emulated, refused};

async fn contact_info(format: Format) {
    let (emulator, client) = emulated(format).await;

    // The lists of names, as the server's enums name them.
    let types = client
        .send(&ListContactInfoTypes::new())
        .await
        .expect("types");
    assert_eq!(types.items.len(), 18);
    assert_eq!(types.items[..3], ["Phone", "Email", "Website"]);
    assert_eq!(types.items[17], "VK");
    let phones = client
        .send(&ListContactInfoCategories::new(ContactInfoType::Phone))
        .await
        .expect("phone categories");
    assert_eq!(
        phones.items,
        ["Home", "Work", "Mobile", "Fax", "Direct", "Other"]
    );
    let skype = client
        .send(&ListContactInfoCategories::new(ContactInfoType::Skype))
        .await
        .expect("other categories");
    assert_eq!(skype.items, ["Home", "Work", "Other"]);

    // A contact's details, newest first.
    let details = client
        .send(&ListContactInfo::new(101))
        .await
        .expect("details");
    let ids: Vec<i64> = details.items.iter().map(|i| i.id.get()).collect();
    assert_eq!(ids, [502, 501]);
    assert_eq!(details.items[0].category_name, "Work");

    // A new mobile phone, primary: the company's other phone keeps its flag.
    let mobile = client
        .send(
            &CreateContactInfo::new(101, ContactInfoType::Phone, "+7 916 000-00-00", "Mobile")
                .is_primary(true),
        )
        .await
        .expect("created");
    assert_eq!(
        (
            mobile.category,
            mobile.category_name.as_str(),
            mobile.is_primary
        ),
        (2, "Mobile", true)
    );
    let old = client
        .send(&GetContactInfo::new(101, 501))
        .await
        .expect("the old phone");
    assert!(old.is_primary, "a primary flag never clears another's");
    // The category is the enum's name, exactly.
    let (status, _) = refused(
        client
            .send(&CreateContactInfo::new(
                101,
                ContactInfoType::Phone,
                "1",
                "mobile",
            ))
            .await,
    );
    assert_eq!(status, 400);
    let (status, _) = refused(
        client
            .send(&CreateContactInfo::new(
                999,
                ContactInfoType::Phone,
                "1",
                "Work",
            ))
            .await,
    );
    assert_eq!(status, 404);
    // The data of a kind, by name in the path.
    let numbers = client
        .send(&ListContactInfoData::new(101, ContactInfoType::Phone))
        .await
        .expect("phone numbers");
    assert_eq!(numbers.items, ["+7 495 123-45-67", "+7 916 000-00-00"]);

    // Another contact's detail: a 400 when read, moved here when changed.
    let (status, _) = refused(client.send(&GetContactInfo::new(101, 503)).await);
    assert_eq!(status, 400);
    let moved = client
        .send(
            &UpdateContactInfo::new(101, 503, "sales@north-wind.example")
                .info_type(ContactInfoType::Email)
                .category("Other"),
        )
        .await
        .expect("moved");
    assert_eq!(
        (moved.category_name.as_str(), moved.is_primary),
        ("Other", true)
    );
    let person = client
        .send(&ListContactInfo::new(102))
        .await
        .expect("102's details");
    assert!(person.items.is_empty(), "503 now belongs to 101");
    // The category is read only with a kind; an unknown one is ignored.
    let same = client
        .send(&UpdateContactInfo::new(101, 503, "x@example.ru").category("Home"))
        .await
        .expect("updated");
    assert_eq!(same.category_name, "Other");
    let (status, _) = refused(client.send(&UpdateContactInfo::new(101, 9999, "x")).await);
    assert_eq!(status, 500, "no check that the detail exists");

    // An address: stored as JSON text, read back into the contact's addresses.
    let office = client
        .send(
            &CreateContactAddress::new(101, AddressCategory::Billing)
                .street("ул. Ленина, 1")
                .city("Москва")
                .is_primary(true),
        )
        .await
        .expect("an address");
    assert_eq!(office.info_type, ContactInfoType::Address);
    assert_eq!(
        office.data,
        "{\n  \"street\": \"ул. Ленина, 1\",\n  \"city\": \"Москва\",\n  \"state\": \"\",\n  \"zip\": \"\",\n  \"country\": \"\",\n  \"category\": 3,\n  \"categoryName\": \"Billing\",\n  \"isPrimary\": true\n}"
    );
    let Contact::Company(north) = client.send(&GetContact::new(101)).await.expect("101") else {
        panic!("101 is a company");
    };
    let [address] = north.addresses.as_slice() else {
        panic!("one address: {:?}", north.addresses);
    };
    assert_eq!(
        (
            address.street.as_str(),
            address.category,
            address.is_primary
        ),
        ("ул. Ленина, 1", AddressCategory::Billing, true)
    );
    // The seed's office moves; a phone is no address (404).
    let moved = client
        .send(&UpdateContactAddress::new(103, 504, AddressCategory::Home).city("Kazan"))
        .await
        .expect("moved");
    assert_eq!((moved.category, moved.category_name.as_str()), (0, "Home"));
    assert!(!moved.data.contains("\"category\""), "Home is left out");
    let (status, _) = refused(
        client
            .send(&UpdateContactAddress::new(101, 501, AddressCategory::Home))
            .await,
    );
    assert_eq!(status, 404);

    // Delete answers the detail as it was, even another contact's.
    let gone = client
        .send(&DeleteContactInfo::new(102, 501))
        .await
        .expect("deleted");
    assert_eq!(gone.data, "+7 495 123-45-67");
    let (status, _) = refused(client.send(&DeleteContactInfo::new(102, 501)).await);
    assert_eq!(status, 404);

    // The hidden batch routes: the items answered as sent with new ids, the category name
    // the one sent; a bad address fails the batch before anything is saved.
    let before = client.send(&ListContactInfo::new(104)).await.expect("104");
    let batch = client
        .send(&CreateContactInfoBatch::new(
            104,
            [
                ContactInfo::new(ContactInfoType::Email, 1, "olga@north-wind.example")
                    .primary(true),
                ContactInfo::new(ContactInfoType::Phone, 2, "+7 900 000-00-00"),
            ],
        ))
        .await
        .expect("batch");
    let sent: Vec<_> = batch
        .items
        .iter()
        .map(|i| {
            (
                i.info_type,
                i.category,
                i.data.as_str(),
                i.is_primary,
                i.category_name.as_str(),
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            (
                ContactInfoType::Email,
                1,
                "olga@north-wind.example",
                true,
                ""
            ),
            (ContactInfoType::Phone, 2, "+7 900 000-00-00", false, "")
        ]
    );
    assert!(batch.items[0].id.get() > 0 && batch.items[1].id > batch.items[0].id);
    let after = client.send(&ListContactInfo::new(104)).await.expect("104");
    assert_eq!(after.items.len(), before.items.len() + 2);
    let stored = client
        .send(&GetContactInfo::new(104, batch.items[1].id))
        .await
        .expect("stored");
    assert_eq!(
        (stored.category_name.as_str(), stored.data.as_str()),
        ("Mobile", "+7 900 000-00-00")
    );
    let bad = CreateContactInfoBatch::new(
        104,
        [
            ContactInfo::new(ContactInfoType::Skype, 0, "olga.m"),
            ContactInfo::new(ContactInfoType::Address, 0, "not json"),
        ],
    );
    assert_eq!(refused(client.send(&bad).await).0, 400);
    let unchanged = client.send(&ListContactInfo::new(104)).await.expect("104");
    assert_eq!(unchanged.items.len(), after.items.len());
    // Replace: every detail goes, the address too; no items leaves none.
    let replaced = client
        .send(&ReplaceContactInfoBatch::new(
            103,
            [ContactInfo::new(
                ContactInfoType::Website,
                1,
                "https://hotel.example",
            )],
        ))
        .await
        .expect("replaced");
    let left = client.send(&ListContactInfo::new(103)).await.expect("103");
    assert_eq!(
        left.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        [replaced.items[0].id]
    );
    let hotel = client.send(&GetContact::new(103)).await.expect("103");
    let Contact::Company(hotel) = hotel else {
        panic!("a company")
    };
    assert!(hotel.addresses.is_empty(), "the address was replaced too");
    let none = client
        .send(&ReplaceContactInfoBatch::new(103, Vec::new()))
        .await
        .expect("cleared");
    assert!(none.items.is_empty());
    let left = client.send(&ListContactInfo::new(103)).await.expect("103");
    assert!(left.items.is_empty());
    assert_eq!(
        refused(
            client
                .send(&ReplaceContactInfoBatch::new(999, Vec::new()))
                .await
        )
        .0,
        404
    );

    emulator.shutdown().await;
}

#[tokio::test]
async fn contact_info_in_json() {
    contact_info(Format::Json).await;
}

#[tokio::test]
async fn contact_info_in_xml() {
    contact_info(Format::Xml).await;
}
