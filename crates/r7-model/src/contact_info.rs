//! What full contact records embed: [`Address`], [`ContactInfo`] and [`ListItem`].

use serde::{Deserialize, Serialize};

use crate::wire::{is_zero_i32, nullable};

/// A postal address of a contact (the server's `Address`, built from a contact-info row of type
/// address).
///
/// The server leaves every member out when it holds its default value (`null`, `0`, `false`);
/// an empty string it does write (`"state":""`), which decodes to the same empty `String`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Address {
    /// Street and house.
    #[serde(
        alias = "Street",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub street: String,
    /// City.
    #[serde(
        alias = "City",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub city: String,
    /// State or region.
    #[serde(
        alias = "State",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub state: String,
    /// Postal code.
    #[serde(
        alias = "Zip",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub zip: String,
    /// Country.
    #[serde(
        alias = "Country",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub country: String,
    /// The server's `AddressCategory` number: 0 home (left out on the wire), 1 postal,
    /// 2 office, 3 billing, 4 other, 5 work.
    #[serde(
        alias = "Category",
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero_i32"
    )]
    pub category: i32,
    /// The category's name in the caller's language, such as "Office".
    #[serde(
        alias = "CategoryName",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub category_name: String,
    /// Whether this is the contact's primary address.
    #[serde(
        alias = "IsPrimary",
        deserialize_with = "nullable",
        skip_serializing_if = "is_false"
    )]
    pub is_primary: bool,
}

/// One item of a contact's "common data": a phone number, an e-mail address, a web site, a
/// messenger account and so on (the server's `ContactInfoWrapper`). Addresses come separately,
/// as [`Address`].
///
/// The server writes every member, `id` first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContactInfo {
    /// The item's id.
    #[serde(alias = "Id", alias = "ID", deserialize_with = "nullable")]
    pub id: i64,
    /// The server's `ContactInfoType` number: 0 phone, 1 e-mail, 2 web site, 3 Skype,
    /// 4 Twitter, 5 LinkedIn, 6 Facebook, 7 address, 8 LiveJournal, 9 MySpace, 10 GMail,
    /// 11 Blogger, 12 Yahoo, 13 MSN, 14 ICQ, 15 Jabber, 16 AIM, 17 VK.
    #[serde(alias = "InfoType", deserialize_with = "nullable")]
    pub info_type: i32,
    /// Category number; its meaning depends on the type (phones: 0 home, 1 work, 2 mobile,
    /// 3 fax, 4 direct, 5 other; most others: 0 home, 1 work, 2 other).
    #[serde(alias = "Category", deserialize_with = "nullable")]
    pub category: i32,
    /// The value: the number, the address, the account name.
    #[serde(alias = "Data", deserialize_with = "nullable")]
    pub data: String,
    /// The category's name in the caller's language, such as "Work".
    #[serde(alias = "CategoryName", deserialize_with = "nullable")]
    pub category_name: String,
    /// Whether this is the contact's primary item of its type.
    #[serde(alias = "IsPrimary", deserialize_with = "nullable")]
    pub is_primary: bool,
}

/// An entry of one of the CRM's configurable lists, as contacts embed them: the contact status
/// ("temperature") and the contact type (the server's `ContactStatusBaseWrapper` and
/// `ContactTypeBaseWrapper`).
///
/// The server leaves out `title`, `description` and `color` when they are `null`, and
/// `sortOrder` when it is 0.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListItem {
    /// The entry's name, such as "Cold".
    #[serde(
        alias = "Title",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub title: String,
    /// The entry's description.
    #[serde(
        alias = "Description",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub description: String,
    /// Colour, such as `#6bbd72`.
    #[serde(
        alias = "Color",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub color: String,
    /// Position in the list.
    #[serde(
        alias = "SortOrder",
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero_i32"
    )]
    pub sort_order: i32,
    /// The entry's id.
    #[serde(alias = "Id", alias = "ID", deserialize_with = "nullable")]
    pub id: i64,
}

fn is_false(v: &bool) -> bool {
    !*v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_leaves_out_defaults_and_keeps_order() {
        let address: Address = serde_json::from_str(
            r#"{"Street":"ул. Ленина, 15","city":"Москва","state":"","zip":"101000",
                "country":"Россия","category":0,"categoryName":null,"isPrimary":false}"#,
        )
        .unwrap();
        assert_eq!(address.street, "ул. Ленина, 15");
        assert_eq!(
            serde_json::to_string(&address).unwrap(),
            r#"{"street":"ул. Ленина, 15","city":"Москва","zip":"101000","country":"Россия"}"#
        );
    }

    #[test]
    fn contact_info_writes_id_first_and_everything() {
        let info: ContactInfo = serde_json::from_str(
            r#"{"IsPrimary":true,"Data":"+7 495 000-00-00","InfoType":0,"Category":1,
                "CategoryName":"Work","ID":12}"#,
        )
        .unwrap();
        assert_eq!(
            serde_json::to_string(&info).unwrap(),
            r#"{"id":12,"infoType":0,"category":1,"data":"+7 495 000-00-00","categoryName":"Work","isPrimary":true}"#
        );
        assert_eq!(
            serde_json::to_string(&ContactInfo::default()).unwrap(),
            r#"{"id":0,"infoType":0,"category":0,"data":"","categoryName":"","isPrimary":false}"#
        );
    }

    #[test]
    fn list_item_leaves_out_defaults() {
        let item: ListItem =
            serde_json::from_str(r##"{"title":"Cold","color":"#8a98d8","sortOrder":0,"id":1}"##)
                .unwrap();
        assert_eq!(
            serde_json::to_string(&item).unwrap(),
            r##"{"title":"Cold","color":"#8a98d8","id":1}"##
        );
    }
}
