//! [`ContactBase`]: a person or a company as deals refer to them; [`Contact`]: the full record.

use serde::{Deserialize, Serialize};

use crate::wire::{is_zero_i64, nullable};
use crate::{
    Address, ApiDateTime, ContactInfo, Currency, CustomField, Employee, ListItem, ShareType,
};

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

/// A CRM contact, person or company, as the full record (the server's `ContactWrapper`, which is
/// a `PersonWrapper` or a `CompanyWrapper` at run time): what the deal member endpoints
/// (`GET`/`POST`/`DELETE api/2.0/crm/opportunity/{id}/contact[/{contactid}]`) return.
///
/// One flat struct holds both shapes: the person members (`first_name`, `last_name`, `company`,
/// `title`) stay empty for a company, the company members (`company_name`, `persons`,
/// `persons_count`) stay empty for a person. [`Contact::kind`] tells them apart;
/// [`Contact::as_base`] gives the short form that deals embed.
///
/// The server leaves out the members that are `null` (and `personsCount`/`taskCount` when 0), so
/// a missing member decodes to an empty string, an empty list, `None` or 0. Names decode in
/// camelCase and PascalCase; unknown members are ignored. `Serialize` writes the server's
/// camelCase names in its order (the person or company members, then the contact members, then
/// the [`ContactBase`] members, `id` last), leaving out empty strings and lists, `None` and the
/// zero counts; `haveLateTasks` and `currency` (as `null`) are always written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Contact {
    /// A person's first name; empty for a company.
    #[serde(
        alias = "FirstName",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub first_name: String,
    /// A person's last name; empty for a company.
    #[serde(
        alias = "LastName",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub last_name: String,
    /// The company a person works for, if any.
    #[serde(alias = "Company", skip_serializing_if = "Option::is_none")]
    pub company: Option<ContactBase>,
    /// A person's job title; empty when none is set and for a company.
    #[serde(
        alias = "Title",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub title: String,
    /// A company's name; empty for a person.
    #[serde(
        alias = "CompanyName",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub company_name: String,
    /// The persons who work for a company. The list endpoints (the deal members among them) do
    /// not fill it in and send only [`Contact::persons_count`].
    #[serde(
        alias = "Persons",
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub persons: Vec<ContactBase>,
    /// The number of persons who work for a company; 0 for a person.
    #[serde(
        alias = "PersonsCount",
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero_i64"
    )]
    pub persons_count: i64,
    /// Postal addresses.
    #[serde(
        alias = "Addresses",
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub addresses: Vec<Address>,
    /// The user who created the contact.
    #[serde(alias = "CreateBy", skip_serializing_if = "Option::is_none")]
    pub create_by: Option<Employee>,
    /// When the contact was created.
    #[serde(
        alias = "Created",
        with = "crate::datetime::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub created: Option<ApiDateTime>,
    /// Free text about the contact.
    #[serde(
        alias = "About",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub about: String,
    /// The contact's industry.
    #[serde(
        alias = "Industry",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub industry: String,
    /// The contact's status ("temperature", such as "Cold"), if one is set.
    #[serde(alias = "ContactStatus", skip_serializing_if = "Option::is_none")]
    pub contact_status: Option<ListItem>,
    /// The contact's type (such as "Client"), if one is set. The list endpoints leave it out.
    #[serde(alias = "ContactType", skip_serializing_if = "Option::is_none")]
    pub contact_type: Option<ListItem>,
    /// Phone numbers, e-mail addresses, web sites and other contact details.
    #[serde(
        alias = "CommonData",
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub common_data: Vec<ContactInfo>,
    /// Custom field values of the contact.
    #[serde(
        alias = "CustomFields",
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub custom_fields: Vec<CustomField>,
    /// Tags, sorted by the server.
    #[serde(
        alias = "Tags",
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tags: Vec<String>,
    /// Number of tasks linked to the contact.
    #[serde(
        alias = "TaskCount",
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero_i64"
    )]
    pub task_count: i64,
    /// Whether some of those tasks are overdue.
    #[serde(alias = "HaveLateTasks", deserialize_with = "nullable")]
    pub have_late_tasks: bool,
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
    /// Whether the caller may edit the contact (always `false` for a deal's primary contact in
    /// the member list).
    #[serde(alias = "CanEdit", deserialize_with = "nullable")]
    pub can_edit: bool,
    /// Whether the caller may delete the contact.
    #[serde(alias = "CanDelete", deserialize_with = "nullable")]
    pub can_delete: bool,
    /// The contact's id.
    #[serde(alias = "Id", alias = "ID", deserialize_with = "nullable")]
    pub id: i64,
}

impl Contact {
    /// Whether this contact is a person or a company.
    pub fn kind(&self) -> ContactKind {
        if self.is_company {
            ContactKind::Company
        } else {
            ContactKind::Person
        }
    }

    /// The short form of this contact, as deals embed it (`contact`, `members`).
    pub fn as_base(&self) -> ContactBase {
        ContactBase {
            small_foto_url: self.small_foto_url.clone(),
            medium_foto_url: self.medium_foto_url.clone(),
            display_name: self.display_name.clone(),
            is_company: self.is_company,
            access_list: self.access_list.clone(),
            is_private: self.is_private,
            is_shared: self.is_shared,
            share_type: self.share_type,
            currency: self.currency.clone(),
            can_edit: self.can_edit,
            can_delete: self.can_delete,
            id: self.id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CustomFieldType;

    const PERSON: &str = concat!(
        r#"{"firstName":"Иван","lastName":"Петров","#,
        r#""company":{"smallFotoUrl":"/Products/CRM/HttpHandlers/filehandler.ashx?action=contactphotoulr&cid=7&isc=True&ps=1","#,
        r#""displayName":"ООО Ромашка","isCompany":true,"isPrivate":false,"isShared":false,"#,
        r#""shareType":0,"currency":null,"canEdit":true,"canDelete":false,"id":7},"#,
        r#""title":"Директор","#,
        r#""addresses":[{"street":"ул. Ленина, 15","city":"Москва","zip":"101000","country":"Россия","category":2,"categoryName":"Office","isPrimary":true}],"#,
        r#""createBy":{"id":"1f3b2c4d-0000-4000-8000-000000000001","displayName":"Смирнова Анна","avatarSmall":"/a.png","profileUrl":"https://crm.example/p"},"#,
        r#""created":"2024-03-01T12:00:05.0000000+03:00","about":"Лицо, принимающее решения","#,
        r##""contactStatus":{"title":"Тёплый","color":"#ffb45e","sortOrder":1,"id":2},"##,
        r#""contactType":{"title":"Клиент","id":5},"#,
        r#""commonData":[{"id":31,"infoType":1,"category":1,"data":"ivan@example.ru","categoryName":"Work","isPrimary":true}],"#,
        r#""customFields":[{"entityId":11,"label":"ИНН","fieldValue":"7700000000","fieldType":0,"position":0,"mask":"","id":3}],"#,
        r#""tags":["VIP","опт"],"taskCount":2,"haveLateTasks":true,"#,
        r#""smallFotoUrl":"/Products/CRM/HttpHandlers/filehandler.ashx?action=contactphotoulr&cid=11&isc=False&ps=1","#,
        r#""displayName":"Петров Иван","isCompany":false,"isPrivate":false,"isShared":true,"#,
        r#""shareType":2,"currency":null,"canEdit":false,"canDelete":true,"id":11}"#
    );

    const COMPANY: &str = concat!(
        r#"{"companyName":"ООО Ромашка","#,
        r#""persons":[{"displayName":"Петров Иван","isCompany":false,"isPrivate":false,"isShared":false,"shareType":0,"currency":null,"canEdit":true,"canDelete":true,"id":11}],"#,
        r#""personsCount":1,"industry":"Розничная торговля","#,
        r#""commonData":[{"id":32,"infoType":0,"category":1,"data":"+7 495 000-00-00","categoryName":"Work","isPrimary":true}],"#,
        r#""haveLateTasks":false,"displayName":"ООО Ромашка","isCompany":true,"#,
        r#""isPrivate":false,"isShared":false,"shareType":0,"#,
        r#""currency":{"title":"Rouble","symbol":"₽","abbreviation":"RUB","cultureName":"RU","isConvertable":true,"isBasic":false},"#,
        r#""canEdit":true,"canDelete":true,"id":7}"#
    );

    /// Renames the members of a JSON text to PascalCase (except `id`), as some documentation
    /// shows them.
    fn pascal(json: &str) -> String {
        fn walk(v: serde_json::Value) -> serde_json::Value {
            match v {
                serde_json::Value::Object(map) => map
                    .into_iter()
                    .map(|(k, v)| {
                        let k = if k == "id" {
                            k
                        } else {
                            let mut c = k.chars();
                            c.next()
                                .map(|f| f.to_uppercase().chain(c).collect())
                                .unwrap_or_default()
                        };
                        (k, walk(v))
                    })
                    .collect(),
                serde_json::Value::Array(items) => items.into_iter().map(walk).collect(),
                other => other,
            }
        }
        walk(serde_json::from_str(json).unwrap()).to_string()
    }

    #[test]
    fn decodes_a_person() {
        let person: Contact = serde_json::from_str(PERSON).unwrap();
        assert_eq!(person.kind(), ContactKind::Person);
        assert_eq!(person.first_name, "Иван");
        assert_eq!(person.last_name, "Петров");
        assert_eq!(person.title, "Директор");
        let company = person.company.as_ref().unwrap();
        assert_eq!((company.id, company.kind()), (7, ContactKind::Company));
        assert_eq!(person.addresses[0].city, "Москва");
        assert_eq!(person.addresses[0].category, 2);
        assert!(person.addresses[0].is_primary);
        assert_eq!(
            person.create_by.as_ref().unwrap().display_name,
            "Смирнова Анна"
        );
        assert_eq!(
            person.created.unwrap().to_string(),
            "2024-03-01T12:00:05.0000000+03:00"
        );
        assert_eq!(person.contact_status.as_ref().unwrap().sort_order, 1);
        assert_eq!(person.contact_type.as_ref().unwrap().title, "Клиент");
        assert_eq!(person.common_data[0].data, "ivan@example.ru");
        assert_eq!(person.common_data[0].info_type, 1);
        assert_eq!(
            person.custom_fields[0].field_type,
            CustomFieldType::TextField
        );
        assert_eq!(person.tags, ["VIP", "опт"]);
        assert_eq!((person.task_count, person.have_late_tasks), (2, true));
        assert_eq!(person.share_type, ShareType::Read);
        assert!(person.currency.is_none());
        assert_eq!(
            (person.can_edit, person.can_delete, person.id),
            (false, true, 11)
        );
        assert!(person.company_name.is_empty() && person.persons.is_empty());

        let pascal: Contact = serde_json::from_str(&pascal(PERSON)).unwrap();
        assert_eq!(pascal, person);
    }

    #[test]
    fn decodes_a_company() {
        let company: Contact = serde_json::from_str(COMPANY).unwrap();
        assert_eq!(company.kind(), ContactKind::Company);
        assert_eq!(company.company_name, "ООО Ромашка");
        assert_eq!(company.persons.len(), 1);
        assert_eq!(company.persons[0].kind(), ContactKind::Person);
        assert_eq!(company.persons_count, 1);
        assert_eq!(company.industry, "Розничная торговля");
        assert_eq!(company.currency.as_ref().unwrap().abbreviation, "RUB");
        assert!(company.first_name.is_empty() && company.company.is_none());
        assert!(company.created.is_none() && company.contact_status.is_none());
        assert!(company.tags.is_empty() && company.addresses.is_empty());

        let pascal: Contact = serde_json::from_str(&pascal(COMPANY)).unwrap();
        assert_eq!(pascal, company);
    }

    #[test]
    fn serializes_in_the_server_order() {
        for json in [PERSON, COMPANY] {
            let contact: Contact = serde_json::from_str(json).unwrap();
            assert_eq!(serde_json::to_string(&contact).unwrap(), json);
        }
    }

    #[test]
    fn null_and_missing_members_decode_to_defaults() {
        let contact: Contact = serde_json::from_str(
            r#"{"firstName":null,"company":null,"addresses":null,"tags":null,"created":null,
                "created2":"ignored","taskCount":null,"displayName":"X","id":5}"#,
        )
        .unwrap();
        assert_eq!(
            contact,
            Contact {
                display_name: "X".into(),
                id: 5,
                ..Contact::default()
            }
        );
        assert_eq!(
            serde_json::to_string(&contact).unwrap(),
            r#"{"haveLateTasks":false,"displayName":"X","isCompany":false,"isPrivate":false,"isShared":false,"shareType":0,"currency":null,"canEdit":false,"canDelete":false,"id":5}"#
        );
    }

    #[test]
    fn as_base_keeps_the_short_form() {
        let person: Contact = serde_json::from_str(PERSON).unwrap();
        let base = person.as_base();
        assert_eq!(base.id, 11);
        assert_eq!(base.kind(), ContactKind::Person);
        assert_eq!(base.display_name, "Петров Иван");
        assert_eq!(base.small_foto_url, person.small_foto_url);
        assert!(base.medium_foto_url.is_empty());
        assert_eq!(base.share_type, ShareType::Read);
        assert!(base.is_shared && !base.can_edit && base.can_delete);
        let expected = r#"{"smallFotoUrl":"/Products/CRM/HttpHandlers/filehandler.ashx?action=contactphotoulr&cid=11&isc=False&ps=1","displayName":"Петров Иван","isCompany":false,"isPrivate":false,"isShared":true,"shareType":2,"currency":null,"canEdit":false,"canDelete":true,"id":11}"#;
        assert_eq!(serde_json::to_string(&base).unwrap(), expected);
    }
}
