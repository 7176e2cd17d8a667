//! The task routes through the client against the emulated portal, in JSON and in XML: what a
//! task embeds, the filter and its orders, create, the full-replacement update, close and
//! reopen, delete, and how categories count and keep their tasks (`CRMApi.Tasks.cs`,
//! `TaskDao.cs`, `ListItemDao.cs`).

use r7_model::ApiDateTime;
use r7_proto::crm::category::{DeleteTaskCategory, GetTaskCategory, UpdateTaskCategory};
use r7_proto::crm::task::*;
use r7_proto::*;

use crate::support::refused;

async fn tasks(format: Format) {
    let (emulator, client) = crate::support::emulated(format).await;
    let me = emulator.current_user().id;
    let date = |text: &str| ApiDateTime::parse(text).expect("a date");

    // A seeded task for a person and a deal: its contact with the e-mail field, the deal as
    // its entity, and its category counting its tasks.
    let call = client.send(&GetTask::new(1)).await.expect("task 1");
    assert_eq!(call.title, "Позвонить по договору");
    assert_eq!(call.contact.as_ref().map(|c| c.id.get()), Some(102));
    let entity = call.entity.as_ref().expect("the deal");
    assert_eq!(
        (entity.entity_type.as_str(), entity.entity_id),
        ("opportunity", 1235)
    );
    let category = call.category.as_ref().expect("a category");
    assert_eq!((category.id.get(), category.relative_items_count), (1, 1));
    assert_eq!(
        (call.alert_value, call.is_closed, call.can_edit),
        (30, false, true)
    );

    // The list: open tasks first, then by deadline; a list's category has no count.
    let all = client.send(&ListTasks::new()).await.expect("tasks");
    let ids: Vec<i64> = all.items.iter().map(|t| t.id.get()).collect();
    assert_eq!(ids, [1, 3, 2], "open ones by deadline, then the done one");
    assert_eq!(all.total, Some(3));
    assert!(all.items.iter().all(|t| {
        t.category
            .as_ref()
            .is_some_and(|c| c.relative_items_count == 0)
    }));
    // A company's tasks include its people's, not its deals'.
    let company = client
        .send(
            &ListTasks::new()
                .entity_type(TaskFilterEntity::Contact)
                .entity_id(101),
        )
        .await
        .expect("the company's tasks");
    let mut ids: Vec<i64> = company.items.iter().map(|t| t.id.get()).collect();
    ids.sort_unstable();
    assert_eq!(ids, [1, 2]);
    // Dates bound the deadline, each on its own.
    let after = client
        .send(&ListTasks::new().from_date(date("2024-04-01T00:00:00Z")))
        .await
        .expect("due in April or later");
    let ids: Vec<i64> = after.items.iter().map(|t| t.id.get()).collect();
    assert_eq!(ids, [1, 3]);
    let done = client
        .send(&ListTasks::new().is_closed(true))
        .await
        .expect("done tasks");
    assert_eq!(done.items.len(), 1);
    let by_title = client
        .send(
            &ListTasks::new()
                .sort_by(TaskSortBy::Title)
                .sort_order(SortOrder::Descending),
        )
        .await
        .expect("by title");
    let ids: Vec<i64> = by_title.items.iter().map(|t| t.id.get()).collect();
    // "Позвонить…" after "Подготовить…" descending; the done task still last.
    assert_eq!(ids, [1, 3, 2], "still open first");
    let by_title = client
        .send(&ListTasks::new().sort_by(TaskSortBy::Title))
        .await
        .expect("by title");
    let ids: Vec<i64> = by_title.items.iter().map(|t| t.id.get()).collect();
    assert_eq!(ids, [3, 1, 2]);

    // Create: the answer has the description as sent; the server checks the category.
    let created = client
        .send(
            &CreateTask::new(
                "Send the contract",
                date("2025-07-01T10:00:00+03:00"),
                me,
                2,
            )
            .contact_id(104)
            .entity_type(TaskLinkType::Opportunity)
            .entity_id(1236),
        )
        .await
        .expect("created");
    assert_eq!(created.description, None, "none sent: left out");
    assert_eq!(created.entity.as_ref().map(|e| e.entity_id), Some(1236));
    let (status, message) = refused(
        client
            .send(&CreateTask::new("x", date("2025-07-01T10:00:00Z"), me, 999))
            .await,
    );
    assert_eq!((status, message.as_str()), (404, "Category is not found"));
    let read = client
        .send(&GetTask::new(created.id))
        .await
        .expect("read back");
    assert_eq!(read.description.as_deref(), Some(""), "read back: empty");

    // Update replaces everything it does not send: the contact and the deal are gone.
    let updated = client
        .send(&UpdateTask::new(
            created.id,
            "Send the contract",
            date("2025-07-08T10:00:00+03:00"),
            me,
            2,
        ))
        .await
        .expect("updated");
    assert!(updated.contact.is_none() && updated.entity.is_none());
    assert_eq!(updated.created, read.created, "the creation stays");

    // Close and reopen; a task that does not exist is a 400 there.
    let closed = client
        .send(&CloseTask::new(created.id))
        .await
        .expect("closed");
    assert!(closed.is_closed);
    let reopened = client
        .send(&ReopenTask::new(created.id))
        .await
        .expect("reopened");
    assert!(!reopened.is_closed);
    let (status, _) = refused(client.send(&CloseTask::new(999)).await);
    assert_eq!(status, 400);

    // A category with tasks cannot be edited; deleting it moves its tasks.
    let (status, message) = refused(client.send(&UpdateTaskCategory::new(2, "Deals")).await);
    assert_eq!(
        (status, message.as_str()),
        (
            400,
            "Can't be edited. There are some tasks with this category."
        )
    );
    let (status, _) = refused(
        client
            .send(&DeleteTaskCategory::new(2).new_category_id(2))
            .await,
    );
    assert_eq!(status, 400);
    client
        .send(&DeleteTaskCategory::new(2).new_category_id(5))
        .await
        .expect("deleted, tasks moved");
    let moved = client.send(&GetTask::new(created.id)).await.expect("moved");
    assert_eq!(moved.category.map(|c| c.id.get()), Some(5));
    let fax = client
        .send(&GetTaskCategory::new(5))
        .await
        .expect("category 5");
    assert_eq!(fax.relative_items_count, 1);

    // Delete answers the task as it was, its category no longer counting it.
    let deleted = client
        .send(&DeleteTask::new(created.id))
        .await
        .expect("deleted");
    assert_eq!(deleted.category.map(|c| c.relative_items_count), Some(0));
    let (status, _) = refused(client.send(&GetTask::new(created.id)).await);
    assert_eq!(status, 404);

    emulator.shutdown().await;
}

#[tokio::test]
async fn tasks_in_json() {
    tasks(Format::Json).await;
}

#[tokio::test]
async fn tasks_in_xml() {
    tasks(Format::Xml).await;
}
