//! The task and history category routes through the client against the emulated portal, in
//! JSON and in XML: the default lists, and what the server's create, update, icon, reorder and
//! delete do and answer (`CRMApi.ListItem.cs`, `ListItemDao.cs`).

use r7_proto::crm::category::*;
use r7_proto::*;

use crate::support::{delete_down_to_the_last, refused};

const IMAGES: &str = "/Products/CRM/App_Themes/default/images/";

async fn categories(format: Format) {
    let (emulator, client) = crate::support::emulated(format).await;

    // The lists a portal creates when the CRM is first opened, by position; entries read from
    // the database carry an empty description and colour.
    let tasks = client
        .send(&ListTaskCategories::new())
        .await
        .expect("task categories");
    assert_eq!(tasks.items.len(), 12);
    let first = &tasks.items[0];
    assert_eq!(
        (first.id.get(), first.title.as_deref(), first.sort_order),
        (1, Some("Phone call"), 1)
    );
    assert_eq!(first.image_path, format!("{IMAGES}task_category_call.png"));
    assert_eq!(
        (first.description.as_deref(), first.color.as_deref()),
        (Some(""), Some(""))
    );
    let history = client
        .send(&ListHistoryCategories::new())
        .await
        .expect("history categories");
    let titles: Vec<&str> = history
        .items
        .iter()
        .filter_map(|c| c.title.as_deref())
        .collect();
    assert_eq!(titles, ["Note", "Email", "Phone call", "Appointment"]);
    assert_eq!(history.items[0].id, 20);
    // Each counts the seed's events in it.
    let counts: Vec<i64> = history
        .items
        .iter()
        .map(|c| c.relative_items_count)
        .collect();
    assert_eq!(counts, [2, 1, 1, 0]);

    // A new category goes last; the answer is what was sent, with no position and no colour.
    let visit = client
        .send(&CreateTaskCategory::new(
            "Visit",
            "icons/task_category_meeting.png",
        ))
        .await
        .expect("created");
    assert_eq!(visit.title.as_deref(), Some("Visit"));
    assert_eq!(
        visit.image_path,
        format!("{IMAGES}task_category_meeting.png"),
        "the file name only"
    );
    assert_eq!((visit.sort_order, visit.color.as_deref()), (0, None));
    let stored = client
        .send(&GetTaskCategory::new(visit.id))
        .await
        .expect("read back");
    assert_eq!(stored.sort_order, 13, "after the twelve");
    // A name the list has (case ignored) creates nothing and answers the existing id.
    let again = client
        .send(&CreateTaskCategory::new("VISIT", "task_category_fax.png"))
        .await
        .expect("answered");
    assert_eq!(again.id, visit.id);
    let count = client
        .send(&ListTaskCategories::new())
        .await
        .expect("task categories")
        .items
        .len();
    assert_eq!(count, 13);

    // An update keeps the position and clears the colour; it answers what was sent.
    let renamed = client
        .send(&UpdateTaskCategory::new(visit.id, "Site visit").description("On site"))
        .await
        .expect("updated");
    assert_eq!(
        (
            renamed.title.as_deref(),
            renamed.description.as_deref(),
            renamed.sort_order
        ),
        (Some("Site visit"), Some("On site"), 0)
    );
    assert_eq!(renamed.image_path, "", "no image sent: none stored");
    let stored = client
        .send(&GetTaskCategory::new(visit.id))
        .await
        .expect("read back");
    assert_eq!(
        (stored.sort_order, stored.title.as_deref()),
        (13, Some("Site visit"))
    );

    // A history category without an icon has `imagePath: null`, a task category "".
    let icon = client
        .send(&UpdateHistoryCategoryIcon::new(20, ""))
        .await
        .expect("icon cleared");
    assert_eq!(icon.image_path, None);

    // Reorder by name: the answer shows the positions from before.
    let reordered = client
        .send(&ReorderHistoryCategories::new(["Appointment", "Note"]))
        .await
        .expect("reordered");
    let answered: Vec<(Option<&str>, i32)> = reordered
        .items
        .iter()
        .map(|c| (c.title.as_deref(), c.sort_order))
        .collect();
    assert_eq!(answered, [(Some("Appointment"), 4), (Some("Note"), 1)]);
    let history = client
        .send(&ListHistoryCategories::new())
        .await
        .expect("history categories");
    let ids: Vec<i64> = history.items.iter().map(|c| c.id.get()).collect();
    assert_eq!(ids, [23, 20, 21, 22]);
    // A name the list does not have: the server's 500, after the others have moved.
    let (status, _) = refused(
        client
            .send(&ReorderHistoryCategories::new(["Email", "Nothing"]))
            .await,
    );
    assert_eq!(status, 500);
    let history = client
        .send(&ListHistoryCategories::new())
        .await
        .expect("history categories");
    assert_eq!(history.items[0].id, 21, "Email moved anyway");

    // The lookups by id do not check the list: a history category reads as a task category.
    let odd = client
        .send(&GetTaskCategory::new(20))
        .await
        .expect("any list's entry");
    assert_eq!(odd.title.as_deref(), Some("Note"));

    // Deleting answers the category as it was; the last one of a list stays.
    let deleted = client
        .send(&DeleteTaskCategory::new(visit.id))
        .await
        .expect("deleted");
    assert_eq!(deleted.title.as_deref(), Some("Site visit"));
    let (status, _) = refused(client.send(&GetTaskCategory::new(visit.id)).await);
    assert_eq!(status, 404);
    // A history category in use is neither changed nor deleted, and nothing takes over its
    // events: they go first.
    let in_use = "There are some history events with this category.";
    let (status, message) = refused(client.send(&DeleteHistoryCategory::new(22)).await);
    assert_eq!(
        (status, message),
        (400, format!("Can't be deleted. {in_use}"))
    );
    let (status, message) = refused(client.send(&UpdateHistoryCategory::new(22, "Call")).await);
    assert_eq!(
        (status, message),
        (400, format!("Can't be edited. {in_use}"))
    );
    for event in 1..=4 {
        client
            .send(&r7_proto::crm::history::DeleteHistoryEvent::new(event))
            .await
            .expect("event deleted");
    }
    let last = "The last history category cannot be deleted";
    delete_down_to_the_last(&client, DeleteHistoryCategory::new, &[20, 21, 22], 23, last).await;

    emulator.shutdown().await;
}

#[tokio::test]
async fn categories_in_json() {
    categories(Format::Json).await;
}

#[tokio::test]
async fn categories_in_xml() {
    categories(Format::Xml).await;
}
