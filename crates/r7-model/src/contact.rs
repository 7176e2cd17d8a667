//! Hand-written conveniences of the contact types (the types are generated from the spec).

#[cfg(test)]
use crate::Person;
use crate::{Contact, ContactBase, ContactInfo, ContactInfoType};

/// Whether a contact is a person or a company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactKind {
    /// A person.
    Person,
    /// A company.
    Company,
}

impl ContactKind {
    fn of(is_company: bool) -> ContactKind {
        if is_company {
            ContactKind::Company
        } else {
            ContactKind::Person
        }
    }
}

impl ContactBase {
    /// Whether this contact is a person or a company.
    pub fn kind(&self) -> ContactKind {
        ContactKind::of(self.is_company)
    }
}

impl ContactInfo {
    /// A detail to send (`POST`/`PUT contact/{id}/batch`): its kind, its category number (see
    /// [`ContactInfo::category`]) and its data; not primary, with no id, which the server gives.
    pub fn new(info_type: ContactInfoType, category: i32, data: impl Into<String>) -> Self {
        ContactInfo {
            info_type,
            category,
            data: data.into(),
            ..ContactInfo::default()
        }
    }

    /// The same detail, marked as the contact's primary one of its kind or not.
    pub fn primary(mut self, is_primary: bool) -> Self {
        self.is_primary = is_primary;
        self
    }
}

impl Contact {
    /// Whether this contact is a person or a company.
    pub fn kind(&self) -> ContactKind {
        match self {
            Contact::Person(_) => ContactKind::Person,
            Contact::Company(_) => ContactKind::Company,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AddressCategory, ContactInfoType, CustomFieldType, ShareType};

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
        let contact: Contact = serde_json::from_str(PERSON).unwrap();
        assert_eq!(contact.kind(), ContactKind::Person);
        let Contact::Person(person) = &contact else {
            panic!("a person: {contact:?}");
        };
        assert_eq!(person.first_name, "Иван");
        assert_eq!(person.last_name, "Петров");
        assert_eq!(person.title, "Директор");
        let company = person.company.as_ref().unwrap();
        assert_eq!(
            (company.id.get(), company.kind()),
            (7, ContactKind::Company)
        );
        assert_eq!(person.addresses[0].city, "Москва");
        assert_eq!(person.addresses[0].category, AddressCategory::Office);
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
        assert_eq!(person.common_data[0].info_type, ContactInfoType::Email);
        assert_eq!(
            person.custom_fields[0].field_type,
            CustomFieldType::TextField
        );
        assert_eq!(person.tags, ["VIP", "опт"]);
        assert_eq!((person.task_count, person.have_late_tasks), (2, true));
        assert_eq!(person.share_type, ShareType::Read);
        assert!(person.currency.is_none());
        assert_eq!(
            (person.can_edit, person.can_delete, person.id.get()),
            (false, true, 11)
        );
        // The shared members, without a match.
        assert_eq!(contact.display_name(), "Петров Иван");
        assert_eq!(contact.tags(), ["VIP", "опт"]);
        assert_eq!((contact.id().get(), contact.task_count()), (11, 2));

        let pascal: Contact = serde_json::from_str(&pascal(PERSON)).unwrap();
        assert_eq!(pascal, contact);
    }

    #[test]
    fn decodes_a_company() {
        let contact: Contact = serde_json::from_str(COMPANY).unwrap();
        assert_eq!(contact.kind(), ContactKind::Company);
        let Contact::Company(company) = &contact else {
            panic!("a company: {contact:?}");
        };
        assert_eq!(company.company_name, "ООО Ромашка");
        assert_eq!(company.persons.len(), 1);
        assert_eq!(company.persons[0].kind(), ContactKind::Person);
        assert_eq!(company.persons_count, 1);
        assert_eq!(company.industry, "Розничная торговля");
        assert_eq!(company.currency.as_ref().unwrap().abbreviation, "RUB");
        assert!(company.created.is_none() && company.contact_status.is_none());
        assert!(company.tags.is_empty() && company.addresses.is_empty());

        let pascal: Contact = serde_json::from_str(&pascal(COMPANY)).unwrap();
        assert_eq!(pascal, contact);
    }

    #[test]
    fn the_tag_may_come_anywhere_and_missing_means_a_person() {
        // The server writes `isCompany` among the last members; a document may put it first.
        let first: Contact =
            serde_json::from_str(r#"{"isCompany":true,"companyName":"A","id":3}"#).unwrap();
        let last: Contact =
            serde_json::from_str(r#"{"companyName":"A","id":3,"isCompany":true}"#).unwrap();
        assert_eq!(first, last);
        assert_eq!(first.kind(), ContactKind::Company);
        let untagged: Contact = serde_json::from_str(r#"{"firstName":"B","id":4}"#).unwrap();
        assert_eq!(untagged.kind(), ContactKind::Person);
        assert!(serde_json::from_str::<Contact>(r#"{"isCompany":"maybe"}"#).is_err());
    }

    #[test]
    fn null_and_missing_members_decode_to_defaults() {
        let contact: Contact = serde_json::from_str(
            r#"{"firstName":null,"company":null,"addresses":null,"tags":null,"created":null,
                "created2":"ignored","taskCount":null,"displayName":"X","id":5}"#,
        )
        .unwrap();
        let expected = Person {
            display_name: "X".into(),
            id: 5.into(),
            ..Person::default()
        };
        assert_eq!(contact, Contact::Person(expected));
    }

    #[test]
    fn as_base_keeps_the_short_form() {
        let person: Contact = serde_json::from_str(PERSON).unwrap();
        let base = person.as_base();
        assert_eq!(base.id, 11);
        assert_eq!(base.kind(), ContactKind::Person);
        assert_eq!(base.display_name, "Петров Иван");
        assert_eq!(&base.small_foto_url, person.small_foto_url());
        assert!(base.medium_foto_url.is_empty());
        assert_eq!(base.share_type, ShareType::Read);
        assert!(base.is_shared && !base.can_edit && base.can_delete);
    }

    #[test]
    fn a_contact_serializes_as_its_variant() {
        let company: Contact = serde_json::from_str(COMPANY).unwrap();
        let text = serde_json::to_string(&company).unwrap();
        assert_eq!(serde_json::from_str::<Contact>(&text).unwrap(), company);
    }
}
