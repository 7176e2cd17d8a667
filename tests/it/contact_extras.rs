//! The contact routes beyond the common ones, through the client against the emulated portal,
//! in JSON and in XML: tagging what a contact (or case) filter matches
//! (`CRMApi.Tag.cs:208`, `:305`), and the hidden "simple" lists of contacts with their first
//! open task, by e-mail and by the contact filter (`CRMApi.Contacts.cs:410`, `:440`).

use r7_emulator::Emulator;
use r7_hyper::{Client, Error};
use r7_model::{ApiDateTime, Contact, ContactInfoType, ContactListView, ContactWithTask};
use r7_proto::crm::contact::{ListContacts, UpdateContactStatus};
use r7_proto::crm::contact_info::CreateContactInfo;
use r7_proto::crm::contact_simple::*;
use r7_proto::crm::tag::*;
use r7_proto::crm::task::{CloseTask, CreateTask};
use r7_proto::*;

use crate::support::{emulated, refused};

/// The tags each of `ids` carries, in the server's order.
async fn tags_of(client: &Client, ids: &[i64]) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for id in ids {
        let tags = client.send(&ListContactTags::new(*id)).await.expect("tags");
        all.push(tags.items);
    }
    all
}

async fn tag_by_filter(format: Format) {
    let (emulator, client): (Emulator, Client) = emulated(format).await;
    let seed = [101, 102, 103, 104];
    let before = tags_of(&client, &seed).await;

    // The stage and the type are plain `int`s here: left out they are 0, so a company with a
    // status is not tagged, though the view matches it.
    client
        .send(&UpdateContactStatus::new(103, 14))
        .await
        .expect("103 is warm");
    let name = client
        .send(&AddTagToContactsByFilter::new("Partner").view(ContactListView::Company))
        .await
        .expect("tagged");
    assert_eq!(name, "Partner");
    let after = tags_of(&client, &seed).await;
    assert_eq!(after[0], ["Клиент", "Partner"], "101 has no status");
    assert_eq!(
        after[1..],
        before[1..],
        "only the companies without a status"
    );
    // -1 is "any status" (and "any type"): now the warm company too.
    client
        .send(
            &AddTagToContactsByFilter::new("Partner")
                .view(ContactListView::Company)
                .status_id(-1)
                .type_id(-1),
        )
        .await
        .expect("tagged");
    let after = tags_of(&client, &seed).await;
    assert_eq!(after[2], ["Partner"]);
    assert_eq!(
        (&after[1], &after[3]),
        (&before[1], &before[3]),
        "no person is tagged"
    );
    // Tags (all of them, case ignored) and the search text narrow it like the contact list.
    client
        .send(
            &AddTagToContactsByFilter::new("Лояльный")
                .tags(["клиент", "PARTNER"])
                .status_id(-1),
        )
        .await
        .expect("tagged");
    client
        .send(&AddTagToContactsByFilter::new("Мария").filter_value("мария"))
        .await
        .expect("tagged");
    let after = tags_of(&client, &seed).await;
    assert_eq!(after[0], ["Клиент", "Partner", "Лояльный"]);
    assert_eq!(after[2], ["Partner"], "103 lacks «Клиент»");
    assert_eq!(after[3], ["Мария"]);
    assert_eq!(after[1], before[1]);
    // What no contact matches changes nothing, and still answers the name.
    let name = client
        .send(&AddTagToContactsByFilter::new("Никто").tags(["нет такого"]))
        .await
        .expect("nothing matches");
    assert_eq!(name, "Никто");
    let contact_tags = client
        .send(&ListTags::new(TagEntityType::Contact))
        .await
        .expect("contact tags");
    assert!(contact_tags.items.iter().all(|t| t.title != "Никто"));
    // No filter at all is refused before sending; `all()` means it.
    let error = client
        .send(&AddTagToContactsByFilter::new("Все"))
        .await
        .expect_err("no filter");
    assert!(
        matches!(error, Error::Build(BuildError::InvalidArgument { .. })),
        "{error}"
    );

    // Cases: the emulator has none, so nothing is tagged, no tag is made, and the name comes
    // back as the server answers it when nothing matches.
    let name = client
        .send(&AddTagToCasesByFilter::new("VIP").is_closed(false))
        .await
        .expect("no case");
    assert_eq!(name, "VIP");
    let case_tags = client
        .send(&ListTags::new(TagEntityType::Case))
        .await
        .expect("case tags");
    assert!(case_tags.items.is_empty(), "{case_tags:?}");

    emulator.shutdown().await;
}

#[tokio::test]
async fn tag_by_filter_in_json() {
    tag_by_filter(Format::Json).await;
}

#[tokio::test]
async fn tag_by_filter_in_xml() {
    tag_by_filter(Format::Xml).await;
}

/// The contacts' ids of the items, in the answer's order.
fn contact_ids(items: &[ContactWithTask]) -> Vec<i64> {
    items
        .iter()
        .map(|item| item.contact.as_ref().expect("a contact").id().get())
        .collect()
}

/// The contact of `id` among the items, with its task's id.
fn item(items: &[ContactWithTask], id: i64) -> (&Contact, Option<i64>) {
    let item = items
        .iter()
        .find(|i| i.contact.as_ref().is_some_and(|c| c.id().get() == id))
        .unwrap_or_else(|| panic!("{id} is answered"));
    let task = item.task.as_ref().map(|t| t.id.get());
    (item.contact.as_ref().expect("a contact"), task)
}

async fn by_email(client: &Client, term: &str, max_count: i32) -> Vec<i64> {
    let page = client
        .send(&SearchContactsByEmail::new(term, max_count))
        .await
        .expect("search by e-mail");
    contact_ids(&page.items)
}

async fn simple_lists(format: Format) {
    let (emulator, client): (Emulator, Client) = emulated(format).await;
    let me = emulator.current_user().id;
    let date = |text: &str| ApiDateTime::parse(text).expect("a date");

    // By e-mail: the company and the person with a north-wind address; the other two, who
    // have none, are not found even by their names.
    let found = client
        .send(&SearchContactsByEmail::new("North-Wind", 10))
        .await
        .expect("north-wind");
    assert_eq!(contact_ids(&found.items), [101, 102]);
    // The person, with its company and its details, and its open seeded task (a call, in the
    // "Phone call" category, without the count a single task's category has); none of what
    // only the other lists carry.
    let (person, task) = item(&found.items, 102);
    assert_eq!(task, Some(1));
    let Contact::Person(person) = person else {
        panic!("102 is a person")
    };
    assert_eq!(person.company.as_ref().map(|c| c.id.get()), Some(101));
    assert_eq!(person.common_data.len(), 1);
    assert_eq!(person.common_data[0].data, "a.smirnov@north-wind.example");
    assert!(person.tags.is_empty() && person.custom_fields.is_empty());
    assert_eq!((person.task_count, person.have_late_tasks), (0, false));
    let call = found.items[1].task.as_ref().expect("102's task");
    assert_eq!(call.title, "Позвонить по договору");
    assert_eq!(call.alert_value, 30);
    assert!(!call.is_closed && !call.can_edit && call.entity.is_none());
    let category = call.category.as_ref().expect("a category");
    assert_eq!((category.id.get(), category.relative_items_count), (1, 0));
    assert_eq!(call.responsible.as_ref().map(|r| r.id), Some(me));
    // The company's one task is done: no task; and its tags stay out of this form.
    let (company, task) = item(&found.items, 101);
    assert_eq!(task, None);
    assert!(company.tags().is_empty(), "{:?}", company.tags());
    assert_eq!(by_email(&client, "Мария", 10).await, [] as [i64; 0]);
    // The term runs over the stored name and the address joined by a space: a first or a last
    // name matches, the full name (stored as `Алексей!=!Смирнов`) does not; `_` is any
    // character; the name's end and the address's start match together.
    assert_eq!(by_email(&client, "смирнов", 10).await, [102]);
    assert_eq!(
        by_email(&client, "Алексей Смирнов", 10).await,
        [] as [i64; 0]
    );
    assert_eq!(
        by_email(&client, "north_wind.example", 10).await,
        [101, 102]
    );
    assert_eq!(by_email(&client, "ветер» info@", 10).await, [101]);
    // `maxCount` caps the rows; without one (0) or without a term nothing is found.
    assert_eq!(by_email(&client, "north-wind", 1).await, [101]);
    assert_eq!(by_email(&client, "north-wind", 0).await, [] as [i64; 0]);
    assert_eq!(by_email(&client, "", 10).await, [] as [i64; 0]);
    // A contact comes once for each of its addresses that matches.
    client
        .send(&CreateContactInfo::new(
            102,
            ContactInfoType::Email,
            "smirnov@mail.example",
            "Home",
        ))
        .await
        .expect("a second e-mail");
    assert_eq!(by_email(&client, "smirnov", 10).await, [102, 102]);
    assert_eq!(by_email(&client, "mail.example", 10).await, [102]);

    // The filter: every contact, by display name A to Z, where the contact list answers the
    // newest first.
    let all = client
        .send(&ListSimpleContacts::new())
        .await
        .expect("every contact");
    assert_eq!(contact_ids(&all.items), [103, 102, 104, 101]);
    assert_eq!(all.total, Some(4));
    let newest = client.send(&ListContacts::new()).await.expect("contacts");
    let newest: Vec<i64> = newest.items.iter().map(|c| c.id().get()).collect();
    assert_eq!(newest, [104, 103, 102, 101]);
    // It narrows as the contact list does: the persons, the search text, the tags.
    let persons = client
        .send(&ListSimpleContacts::new().view(ContactListView::Person))
        .await
        .expect("persons");
    assert_eq!(contact_ids(&persons.items), [102, 104]);
    assert_eq!(item(&persons.items, 104).1, None, "104 has no task yet");
    let maria = client
        .send(&ListSimpleContacts::new().filter_value("мария"))
        .await
        .expect("Мария");
    assert_eq!(contact_ids(&maria.items), [104]);
    let clients = client
        .send(&ListSimpleContacts::new().tags(["клиент"]))
        .await
        .expect("tagged");
    assert_eq!(contact_ids(&clients.items), [101]);
    // A page, another order.
    let page = client
        .send(
            &ListSimpleContacts::new()
                .sort_by(ContactSortBy::Id)
                .sort_order(SortOrder::Descending)
                .start_index(1)
                .count(2),
        )
        .await
        .expect("a page");
    assert_eq!(contact_ids(&page.items), [103, 102]);
    assert_eq!(page.total, Some(4));

    // The task is the open one with the lowest id, not the one due soonest; closed, the next.
    let later = client
        .send(&CreateTask::new("Later", date("2026-06-01T10:00:00+03:00"), me, 2).contact_id(104))
        .await
        .expect("a task for 104");
    let sooner = client
        .send(&CreateTask::new("Sooner", date("2025-01-01T10:00:00+03:00"), me, 3).contact_id(104))
        .await
        .expect("another");
    let persons = client
        .send(&ListSimpleContacts::new().view(ContactListView::Person))
        .await
        .expect("persons");
    assert_eq!(item(&persons.items, 104).1, Some(later.id.get()));
    client
        .send(&CloseTask::new(later.id))
        .await
        .expect("closed");
    let persons = client
        .send(&ListSimpleContacts::new().view(ContactListView::Person))
        .await
        .expect("persons");
    assert_eq!(item(&persons.items, 104).1, Some(sooner.id.get()));
    let (_, task) = item(&persons.items, 102);
    assert_eq!(task, Some(1), "102's task stays");

    // A task whose category is an entry of another list (a contact status, which the task
    // routes accept) is not among the task categories the wrapper looks it up in: the server
    // fails the answers that would show it, a 500, and only those.
    client
        .send(&CreateTask::new("Odd", date("2025-02-01T10:00:00+03:00"), me, 14).contact_id(103))
        .await
        .expect("a task in a status");
    let (status, message) = refused(
        client
            .send(&ListSimpleContacts::new().view(ContactListView::Company))
            .await,
    );
    assert_eq!(
        (status, message.as_str()),
        (500, "Sequence contains no matching element")
    );
    let persons = client
        .send(&ListSimpleContacts::new().view(ContactListView::Person))
        .await
        .expect("103 is not on this page");
    assert_eq!(contact_ids(&persons.items), [102, 104]);

    emulator.shutdown().await;
}

#[tokio::test]
async fn simple_lists_in_json() {
    simple_lists(Format::Json).await;
}

#[tokio::test]
async fn simple_lists_in_xml() {
    simple_lists(Format::Xml).await;
}
