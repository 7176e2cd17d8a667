//! The history routes through the client against the emulated portal, in JSON and in XML: what
//! an event embeds, the filter, its orders and its odd `total`, create with its checks, and
//! delete with the server's 500 after the fact (`CRMApi.RelationshipEvent.cs`,
//! `RelationshipEventDao.cs`).

use r7_model::ApiDateTime;
use r7_proto::crm::category::ListHistoryCategories;
use r7_proto::crm::history::*;
use r7_proto::crm::opportunity::DeleteOpportunity;
use r7_proto::*;

use crate::support::{emulated, refused};

fn ids(page: &Page<r7_model::HistoryEvent>) -> Vec<i64> {
    page.items.iter().map(|e| e.id.get()).collect()
}

async fn history(format: Format) {
    let (emulator, client) = emulated(format).await;
    let date = |text: &str| ApiDateTime::parse(text).expect("a date");

    // Newest first, whatever `sortOrder` says without a `sortBy`; a page that is not full
    // has no `total`.
    let all = client.send(&ListHistory::new()).await.expect("history");
    assert_eq!(ids(&all), [4, 1, 2, 3]);
    assert_eq!(all.total, None);
    let ascending = client
        .send(&ListHistory::new().sort_order(SortOrder::Ascending))
        .await
        .expect("history");
    assert_eq!(ids(&ascending), [4, 1, 2, 3]);
    let oldest = client
        .send(
            &ListHistory::new()
                .sort_by(HistorySortBy::Created)
                .sort_order(SortOrder::Ascending),
        )
        .await
        .expect("history");
    assert_eq!(ids(&oldest), [3, 2, 1, 4]);

    // What an event embeds: the user, the category as read, the contact in its short form,
    // the deal as its entity, and an empty list of files.
    let call = &all.items[1];
    assert_eq!(call.content, "Обсудили сроки поставки");
    assert_eq!(
        call.created,
        Some(date("2024-03-21T10:00:00.0000000+03:00"))
    );
    let category = call.category.as_ref().expect("a category");
    assert_eq!(
        (category.id.get(), category.title.as_deref()),
        (22, Some("Phone call"))
    );
    assert_eq!(
        category.image_path.as_deref(),
        Some("/Products/CRM/App_Themes/default/images/event_category_call.png")
    );
    assert_eq!(
        (category.description.as_deref(), category.color.as_deref()),
        (Some(""), Some(""))
    );
    assert_eq!(call.contact.as_ref().map(|c| c.id.get()), Some(102));
    let deal = call.entity.as_ref().expect("the deal");
    assert_eq!(
        (deal.entity_type.as_str(), deal.entity_id),
        ("opportunity", 1235)
    );
    assert!(call.files.is_empty());
    assert!(call.can_edit);
    assert_eq!(
        call.create_by.as_ref().map(|u| u.id),
        Some(emulator.current_user().id)
    );
    // An event on a contact only has no entity; one on a deal only no contact.
    assert!(all.items[2].entity.is_none());
    assert!(all.items[0].contact.is_none());

    // A company's events are its own and its people's; a deal's are its own.
    let company = client
        .send(
            &ListHistory::new()
                .entity_type(HistoryFilterEntity::Contact)
                .entity_id(101),
        )
        .await
        .expect("the company's events");
    assert_eq!(ids(&company), [1, 2]);
    let person = client
        .send(
            &ListHistory::new()
                .entity_type(HistoryFilterEntity::Contact)
                .entity_id(102),
        )
        .await
        .expect("the person's events");
    assert_eq!(ids(&person), [1]);
    let on_deal = client
        .send(
            &ListHistory::new()
                .entity_type(HistoryFilterEntity::Opportunity)
                .entity_id(1234),
        )
        .await
        .expect("the deal's events");
    assert_eq!(ids(&on_deal), [4]);
    // What does not exist is a 404; an id without its kind a 400.
    for kind in [
        HistoryFilterEntity::Contact,
        HistoryFilterEntity::Opportunity,
        HistoryFilterEntity::Case,
    ] {
        let (status, _) = refused(
            client
                .send(&ListHistory::new().entity_type(kind).entity_id(999))
                .await,
        );
        assert_eq!(status, 404, "{kind:?} 999");
    }
    let (status, _) = refused(client.send(&ListHistory::new().entity_id(101)).await);
    assert_eq!(status, 400);

    // The other filters: category, author, the start of a word, and a day that runs to its end.
    let notes = client
        .send(&ListHistory::new().category_id(20))
        .await
        .expect("notes");
    assert_eq!(ids(&notes), [2, 3]);
    let nobody = client
        .send(&ListHistory::new().create_by(r7_model::Uuid::from_u128(7)))
        .await
        .expect("by nobody");
    assert!(nobody.items.is_empty());
    let words = client
        .send(&ListHistory::new().filter_value("сроки"))
        .await
        .expect("a word");
    assert_eq!(ids(&words), [1]);
    let inside = client
        .send(&ListHistory::new().filter_value("оставки"))
        .await
        .expect("inside a word");
    assert!(inside.items.is_empty(), "only the start of a word matches");
    let day = client
        .send(
            &ListHistory::new()
                .from_date(date("2024-03-15T00:00:00.0000000Z"))
                .to_date(date("2024-03-15T00:00:00.0000000Z")),
        )
        .await
        .expect("one day");
    assert_eq!(ids(&day), [2], "13:30 UTC is within the day `to` names");

    // `total` is one more than a full page, not the number of matches, so a walk through the
    // pages goes on until a short page, here past the second page.
    let page = client
        .send(&ListHistory::new().count(2))
        .await
        .expect("a page");
    assert_eq!((ids(&page), page.total), (vec![4, 1], Some(3)));
    let walked = client
        .all(&ListHistory::new().count(1))
        .await
        .expect("every page");
    let walked: Vec<i64> = walked.iter().map(|e| e.id.get()).collect();
    assert_eq!(walked, [4, 1, 2, 3]);

    // A new event: on a person and a deal, at the time given, with files that do not show.
    let created = client
        .send(
            &CreateHistoryEvent::new("Called about delivery", 22)
                .contact_id(102)
                .entity_type(HistoryLinkType::Opportunity)
                .entity_id(1235)
                .created(date("2024-05-02T15:00:00.0000000+03:00"))
                .file_ids([5, 6]),
        )
        .await
        .expect("created");
    assert_eq!(created.content, "Called about delivery");
    assert_eq!(
        created.created,
        Some(date("2024-05-02T15:00:00.0000000+03:00"))
    );
    assert_eq!(created.contact.as_ref().map(|c| c.id.get()), Some(102));
    assert_eq!(created.entity.as_ref().map(|e| e.entity_id), Some(1235));
    assert!(created.files.is_empty());
    let categories = client
        .send(&ListHistoryCategories::new())
        .await
        .expect("categories");
    let calls = categories.items.iter().find(|c| c.id == 22).expect("calls");
    assert_eq!(calls.relative_items_count, 2, "the category counts it");
    // A system category: a title and an icon, nothing else.
    let closed = client
        .send(&CreateHistoryEvent::new("Done", -1).contact_id(104))
        .await
        .expect("a system category");
    let system = closed.category.as_ref().expect("the category");
    assert_eq!(
        (
            system.title.as_deref(),
            system.description.as_deref(),
            system.sort_order
        ),
        (Some("Task is closed"), None, 0)
    );

    // What the server refuses, all with a 400: a contact, a deal or a case that does not
    // exist, an unknown category, an event on nothing, a mail without the portal's mail.
    let refusals = [
        CreateHistoryEvent::new("x", 20).contact_id(999),
        CreateHistoryEvent::new("x", 20)
            .entity_type(HistoryLinkType::Opportunity)
            .entity_id(999),
        CreateHistoryEvent::new("x", 20)
            .entity_type(HistoryLinkType::Case)
            .entity_id(1),
        CreateHistoryEvent::new("x", 999).contact_id(102),
        CreateHistoryEvent::new("x", 20),
        CreateHistoryEvent::new("x", 20).entity_id(1235),
    ];
    for request in &refusals {
        let (status, _) = refused(client.send(request).await);
        assert_eq!(status, 400, "{request:?}");
    }
    let (status, message) = refused(
        client
            .send(&CreateHistoryEvent::new("{\"message_id\":1}", -3).contact_id(102))
            .await,
    );
    assert_eq!(
        (status, message.as_str()),
        (400, "Mail message cannot be found")
    );
    let long = "a".repeat(65_001);
    let (status, message) = refused(
        client
            .send(&CreateHistoryEvent::new(long, 20).contact_id(102))
            .await,
    );
    assert_eq!(
        (status, message.as_str()),
        (400, "Data too long for column 'content'")
    );

    // Delete answers the event as it was; a second time it is gone.
    let deleted = client
        .send(&DeleteHistoryEvent::new(3))
        .await
        .expect("deleted");
    assert_eq!(deleted.content, "Prefers e-mail to calls");
    let (status, _) = refused(client.send(&DeleteHistoryEvent::new(3)).await);
    assert_eq!(status, 404);
    // An event whose category has gone (a task category, which only its tasks keep): deleted,
    // then the 500 of the audit record, which reads the category's title.
    let thanks = client
        .send(&CreateHistoryEvent::new("Thanked them", 12).contact_id(102))
        .await
        .expect("on a task category");
    client
        .send(&r7_proto::crm::category::DeleteTaskCategory::new(12))
        .await
        .expect("category deleted");
    let (status, _) = refused(client.send(&DeleteHistoryEvent::new(thanks.id)).await);
    assert_eq!(status, 500);
    let (status, _) = refused(client.send(&DeleteHistoryEvent::new(thanks.id)).await);
    assert_eq!(status, 404, "the 500 came after the delete");

    // A deal's events and tasks go with it.
    client
        .send(&DeleteOpportunity::new(1235))
        .await
        .expect("deal deleted");
    let left = client.send(&ListHistory::new()).await.expect("history");
    assert_eq!(ids(&left), [closed.id.get(), 4, 2]);
    let (status, _) = refused(client.send(&r7_proto::crm::task::GetTask::new(1)).await);
    assert_eq!(status, 404, "the deal's task");

    emulator.shutdown().await;
}

#[tokio::test]
async fn history_in_json() {
    history(Format::Json).await;
}

#[tokio::test]
async fn history_in_xml() {
    history(Format::Xml).await;
}
