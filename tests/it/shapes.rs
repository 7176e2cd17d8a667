//! Every response shape the opportunity endpoints return, read from realistic JSON and XML
//! fixtures (`tests/fixtures/{opportunity,contact,stage,tag,custom_field}/`): both forms must give the same value,
//! and the value must carry what the server wrote.

use std::fmt::Debug;

use r7_model::{BidType, Contact, ContactKind, CustomFieldType, ShareType, StageType};
use r7_proto::crm::category::*;
use r7_proto::crm::custom_field::*;
use r7_proto::crm::opportunity::*;
use r7_proto::crm::opportunity_stage::*;
use r7_proto::crm::tag::*;
use r7_proto::crm::task::*;
use r7_proto::{Endpoint, parse_response};

use crate::support::{fixture, response};

const JSON: &str = "application/json; charset=UTF-8";
const XML: &str = "text/xml; charset=UTF-8";

/// Parses one fixture file as a 200 response of `E`.
fn parse<E: Endpoint>(path: &str, content_type: &str) -> E::Output {
    let resp = response(200, Some(content_type), fixture(path));
    parse_response::<E>(&resp).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Parses `{name}.json` and `{name}.xml`, checks they give the same value and returns it.
fn both<E: Endpoint>(name: &str) -> E::Output
where
    E::Output: PartialEq + Debug,
{
    let json = parse::<E>(&format!("{name}.json"), JSON);
    let xml = parse::<E>(&format!("{name}.xml"), XML);
    assert_eq!(json, xml, "{name}: the JSON and the XML form differ");
    json
}

#[test]
fn a_single_deal() {
    let deal = both::<GetOpportunity>("opportunity/get");

    assert_eq!(deal.id, 42);
    assert_eq!(deal.title, "Поставка серверного оборудования");
    assert_eq!(
        deal.description,
        "Договор № 15/2024: поставка и монтаж, оплата ежемесячно"
    );
    assert_eq!(deal.bid_type, BidType::PerMonth);
    assert_eq!(deal.bid_value, 125000.0);
    assert_eq!(deal.per_period_value, 12);
    let currency = deal.bid_currency.as_ref().expect("bidCurrency");
    assert_eq!(
        (currency.abbreviation.as_str(), currency.symbol.as_str()),
        ("RUB", "₽")
    );
    assert!(currency.is_convertible && !currency.is_basic);
    assert_eq!(deal.success_probability, 35);

    // Tenant-local dates; the unset close date is the server's year-1 "no date".
    assert_eq!(
        deal.created.expect("created").to_string(),
        "2024-03-01T12:00:05.0000000+03:00"
    );
    assert_eq!(deal.actual_close_date, None);
    let expected = deal.expected_close_date.expect("expectedCloseDate");
    assert_eq!(
        (expected.year(), expected.month(), expected.day()),
        (2024, 6, 28)
    );
    assert_eq!(expected.offset_minutes(), 180);

    let kinds: Vec<_> = deal.members.iter().map(|m| m.kind()).collect();
    assert_eq!(kinds, [ContactKind::Company, ContactKind::Person]);
    let contact = deal.contact.as_ref().expect("contact");
    assert_eq!(contact, &deal.members[0]);
    assert_eq!(contact.display_name, "ООО «Ромашка»");
    assert_eq!(contact.share_type, ShareType::ReadWrite);
    assert!(deal.members[1].currency.is_none(), "currency: null");
    assert!(contact.small_foto_url.ends_with("cid=7&isc=True&ps=1"));

    let stage = deal.stage.as_ref().expect("stage");
    assert_eq!((stage.id.get(), stage.title.as_str()), (3, "Обсуждение"));
    assert_eq!((stage.sort_order, stage.relative_items_count), (0, 0));
    assert_eq!(stage.stage_type, StageType::Open);

    let creator = deal.create_by.as_ref().expect("createBy");
    assert_eq!(creator.title, "Менеджер по продажам");
    assert_eq!(
        creator.profile_url,
        "https://office.example.ru/Products/People/Profile.aspx?user=a.smirnova"
    );
    assert_eq!(deal.responsible.as_ref().expect("responsible").title, "");

    assert!(!deal.is_private && deal.access_list.is_empty() && deal.can_edit);
    let [field] = deal.custom_fields.as_slice() else {
        panic!("one custom field, got {:?}", deal.custom_fields)
    };
    assert_eq!(field.label, "Номер договора");
    assert_eq!(field.field_value, "Д-15/2024");
    assert_eq!(field.field_type, CustomFieldType::TextField);
    assert_eq!(field.mask, r#"{"size":"40"}"#);
    assert_eq!(field.entity_id, 42);
}

#[test]
fn a_page_of_deals() {
    let page = both::<ListOpportunities>("opportunity/list");

    // The server leaves `startIndex` out when it is 0; `nextIndex` is its off-by-one value.
    assert_eq!(page.count, Some(2));
    assert_eq!(page.start_index, None);
    assert_eq!(page.next_index, Some(3));
    assert_eq!(page.total, Some(5));
    assert_eq!(page.items.len(), 2);

    // The list form leaves the access list of a public deal out.
    let public = &page.items[0];
    assert_eq!(public.title, "Поставка серверного оборудования");
    assert!(public.access_list.is_empty() && !public.is_private);
    assert_eq!(public.bid_value, 125000.0);

    let private = &page.items[1];
    assert_eq!(private.id, 57);
    assert!(private.is_private);
    let access: Vec<_> = private
        .access_list
        .iter()
        .map(|e| e.display_name.as_str())
        .collect();
    assert_eq!(access, ["Смирнова Анна", "Кузнецов Дмитрий"]);
    assert_eq!(private.bid_type, BidType::FixedBid, "bidType 0 is left out");
    assert_eq!(private.bid_value, 480000.5);
    assert_eq!(private.per_period_value, 0);
    let currency = private.bid_currency.as_ref().expect("bidCurrency");
    assert_eq!(currency.abbreviation, "USD");
    assert!(currency.is_basic);
    assert!(private.members.is_empty() && private.contact.is_none());
    assert_eq!(private.description, "");
    assert_eq!(
        private.stage.as_ref().map(|s| s.stage_type),
        Some(StageType::ClosedAndWon)
    );
    assert_eq!(
        private.actual_close_date.expect("closed").to_string(),
        "2024-02-15T00:00:00.0000000+03:00"
    );
    assert!(private.custom_fields.is_empty());
}

#[test]
fn a_page_of_one_deal() {
    let page = both::<ListOpportunities>("opportunity/list_one");

    assert_eq!((page.count, page.total), (Some(1), Some(1)));
    assert_eq!((page.start_index, page.next_index), (None, None));
    let [deal] = page.items.as_slice() else {
        panic!("one deal, got {}", page.items.len())
    };
    assert_eq!(deal.id, 61);
    assert_eq!(deal.title, "Техническая поддержка на 2024 год");
    assert_eq!(deal.description, "Продление по счёту 2024/117");
    assert_eq!(deal.bid_type, BidType::PerYear);
    assert_eq!((deal.bid_value, deal.per_period_value), (36000.0, 1));
    assert_eq!(
        deal.contact.as_ref().map(|c| c.kind()),
        Some(ContactKind::Person)
    );
    assert_eq!(deal.members.len(), 1);
    assert_eq!(deal.actual_close_date, None);
    let stage = deal.stage.as_ref().expect("stage");
    assert_eq!((stage.id.get(), stage.description.as_str()), (1, ""));
}

#[test]
fn an_empty_page_of_deals() {
    let page = both::<ListOpportunities>("opportunity/list_empty");

    assert!(page.items.is_empty());
    assert_eq!(page.total, Some(0));
    assert_eq!(
        (page.count, page.start_index, page.next_index),
        (None, None, None)
    );
}

#[test]
fn the_members_of_a_deal() {
    let page = both::<ListOpportunityContacts>("contact/list");

    assert_eq!(page.count, Some(2));
    assert_eq!(
        (page.start_index, page.next_index, page.total),
        (None, None, None)
    );
    let [Contact::Company(company), Contact::Person(person)] = page.items.as_slice() else {
        panic!("a company and a person, got {:?}", page.items)
    };
    assert_eq!(page.items[0].kind(), ContactKind::Company);
    assert_eq!(company.company_name, "ООО «Ромашка»");
    assert_eq!(company.persons_count, 2);
    assert!(company.persons.is_empty(), "list endpoints send no persons");
    let [address] = company.addresses.as_slice() else {
        panic!("one address, got {:?}", company.addresses)
    };
    assert_eq!(address.street, "ул. Ленина, д. 15, офис 3/1");
    assert_eq!(
        (address.city.as_str(), address.state.as_str()),
        ("Москва", "")
    );
    assert_eq!(
        (address.category, address.is_primary),
        (r7_model::AddressCategory::Office, true)
    );
    assert_eq!(
        company.about.as_deref(),
        Some("Оптовый поставщик канцелярских товаров & оргтехники <с 2009 года>")
    );
    assert_eq!(company.industry, "Торговля");
    let status = company.contact_status.as_ref().expect("contactStatus");
    assert_eq!((status.title.as_str(), status.sort_order), ("Тёплый", 1));
    assert!(company.contact_type.is_none());
    let info_types: Vec<_> = company.common_data.iter().map(|i| i.info_type).collect();
    assert_eq!(
        info_types,
        [
            r7_model::ContactInfoType::Phone,
            r7_model::ContactInfoType::Email,
            r7_model::ContactInfoType::Website
        ]
    );
    assert_eq!(company.common_data[2].data, "https://romashka.example.ru/");
    assert_eq!(company.custom_fields[0].label, "ИНН");
    assert_eq!(company.tags, ["VIP", "опт"]);
    assert_eq!((company.task_count, company.have_late_tasks), (3, true));
    // The deal's primary contact: the server forces `canEdit` to false in this list.
    assert!(!company.can_edit && company.can_delete);
    assert_eq!(
        company.currency.as_ref().map(|c| c.abbreviation.as_str()),
        Some("RUB")
    );

    // The short form of the record is what the deal itself embeds.
    let deal = both::<GetOpportunity>("opportunity/get");
    let mut base = company.as_base();
    base.can_edit = true;
    assert_eq!(base, deal.members[0]);

    assert_eq!(page.items[1].kind(), ContactKind::Person);
    assert_eq!(
        (person.first_name.as_str(), person.last_name.as_str()),
        ("Иван", "Петров")
    );
    assert_eq!(person.title, "Коммерческий директор");
    let employer = person.company.as_ref().expect("company");
    assert_eq!(
        (employer.id.get(), employer.kind()),
        (7, ContactKind::Company)
    );
    assert_eq!(person.about.as_deref(), Some(""));
    assert!(person.addresses.is_empty() && person.custom_fields.is_empty());
    assert_eq!(
        person.tags,
        ["ЛПР"],
        "a one-item list reads the same from XML"
    );
    assert_eq!(person.common_data[1].category_name, "Mobile");
    assert_eq!((person.task_count, person.have_late_tasks), (0, false));
    assert_eq!(person.created.expect("created").offset_minutes(), 180);
    assert!(person.currency.is_none());
    assert_eq!(person.as_base(), deal.members[1]);
}

#[test]
fn a_single_stage() {
    let stage = both::<GetOpportunityStage>("stage/get");

    assert_eq!(stage.id, 3);
    assert_eq!(stage.relative_items_count, 3);
    assert_eq!(stage.title, "Обсуждение");
    assert_eq!(stage.description, "Клиент проявил интерес к предложению");
    assert_eq!(stage.color, "#B9AFD3");
    assert_eq!((stage.success_probability, stage.sort_order), (20, 0));
    assert_eq!(stage.stage_type, StageType::Open);
}

#[test]
fn all_stages() {
    let page = both::<ListOpportunityStages>("stage/list");

    assert_eq!(page.count, Some(3));
    assert_eq!(
        (page.start_index, page.next_index, page.total),
        (None, None, None)
    );
    let ids: Vec<_> = page.items.iter().map(|s| s.id).collect();
    assert_eq!(ids, [1, 3, 8]);
    let counts: Vec<_> = page.items.iter().map(|s| s.relative_items_count).collect();
    assert_eq!(
        counts,
        [1, 3, 0],
        "a stage without deals leaves the count out"
    );
    let types: Vec<_> = page.items.iter().map(|s| s.stage_type).collect();
    assert_eq!(
        types,
        [StageType::Open, StageType::Open, StageType::ClosedAndLost]
    );
    assert_eq!(page.items[0].description, "");
    assert_eq!(page.items[2].success_probability, 0);
    assert_eq!(page.items[2].title, "Сделка сорвалась");
}

#[test]
fn the_tags_of_a_type() {
    let page = both::<ListTags>("tag/list");
    let tags: Vec<(&str, i64)> = page
        .items
        .iter()
        .map(|t| (t.title.as_str(), t.relative_items_count))
        .collect();
    assert_eq!(
        tags,
        [("VIP", 2), ("внедрение", 1), ("Партнёр", 0)],
        "a tag nothing carries leaves the count out"
    );
    assert_eq!(page.count, Some(3));
}

#[test]
fn a_tag_name_and_a_list_of_names() {
    let created = both::<CreateTag>("tag/create");
    assert_eq!(created, "Партнёр");
    let names = both::<ListEntityTags>("tag/entity");
    assert_eq!(names.items, ["VIP", "внедрение"]);
}

#[test]
fn the_documentation_sample_of_a_custom_field_definition() {
    let page = both::<ListCustomFieldDefinitions>("custom_field/definitions");
    assert_eq!(page.items.len(), 1);
    let field = &page.items[0];
    assert_eq!(field.relative_items_count, 0);
    assert_eq!(field.entity_id, 14523423);
    assert_eq!(field.label, "Birthdate");
    assert_eq!(field.field_value, "2019-08-24T10:53:56.0466440Z");
    assert_eq!(field.field_type, CustomFieldType::Date);
    assert_eq!(field.position, 10);
    assert_eq!(field.mask, "");
    assert_eq!(field.id, 0);
}

#[test]
fn the_documentation_sample_of_a_task_category() {
    let category = parse::<GetTaskCategory>("category/task.json", JSON);
    assert_eq!(category.relative_items_count, 1);
    assert_eq!(category.image_path, "path to image");
    assert_eq!(category.title.as_deref(), Some("Appointment"));
    assert_eq!(category.description.as_deref(), Some(""));
    assert_eq!(category.color, None, "the sample sets no colour");
    assert_eq!(category.sort_order, 2);
    assert_eq!(category.id, 30);
}

#[test]
fn the_documentation_sample_of_a_task() {
    let task = parse::<ReopenTask>("task/reopen.json", JSON);
    let creator = task.create_by.as_ref().expect("createBy");
    assert_eq!(
        (creator.display_name.as_str(), creator.title.as_str()),
        ("Mike Zanyatski", "Manager")
    );
    assert_eq!(
        task.created.map(|d| d.to_string()).as_deref(),
        Some("2022-10-09T20:03:09.6137431Z")
    );
    assert_eq!(task.title, "Send a commercial offer");
    assert_eq!(task.deadline, task.created);
    assert_eq!(
        task.responsible.as_ref().map(|r| r.avatar_small.as_str()),
        Some("url to small avatar")
    );
    let category = task.category.as_ref().expect("category");
    assert_eq!(
        (category.id.get(), category.title.as_deref()),
        (30, Some("Appointment"))
    );
    assert_eq!((category.sort_order, category.relative_items_count), (2, 0));
    assert!(task.can_edit && !task.is_closed);
    assert_eq!((task.alert_value, task.id.get()), (0, 0));
    assert!(task.contact.is_none() && task.entity.is_none() && task.description.is_none());
}
