//! The contact status, contact type and CRM settings routes through the client against the
//! emulated portal, in JSON and in XML: the default lists, what the server's create, update,
//! colour, reorder and delete do and answer (`CRMApi.ListItem.cs`, `ListItemDao.cs`), and the
//! bare values the settings routes answer (`CRMApi.Utils.cs`).
//!
//! No route can give a contact a status or a type yet; the refusals of an entry in use are
//! tested in the emulator (`behaviour/list_item.rs`).

use r7_hyper::Error;
use r7_model::{ContactStatus, ContactType, Uuid};
use r7_proto::crm::contact_status::*;
use r7_proto::crm::contact_type::*;
use r7_proto::crm::settings::*;
use r7_proto::{BuildError, Format, Page, Raw};

use crate::support::{delete_down_to_the_last, emulated, refused};

/// What the tests compare of an entry: id, title, description, colour, position and the number
/// of contacts.
type Seen<'a> = (
    i64,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    i32,
    i64,
);

/// The two wrappers have the same members.
trait Entry {
    fn seen(&self) -> Seen<'_>;
}

macro_rules! entry {
    ($($ty:ty),*) => {$(
        impl Entry for $ty {
            fn seen(&self) -> Seen<'_> {
                (
                    self.id.get(),
                    self.title.as_deref(),
                    self.description.as_deref(),
                    self.color.as_deref(),
                    self.sort_order,
                    self.relative_items_count,
                )
            }
        }
    )*};
}

entry!(ContactStatus, ContactType);

fn all<T: Entry>(page: &Page<T>) -> Vec<Seen<'_>> {
    page.items.iter().map(Entry::seen).collect()
}

fn ids<T: Entry>(page: &Page<T>) -> Vec<i64> {
    page.items.iter().map(|e| e.seen().0).collect()
}

/// (title, position) of each entry of a reorder's answer.
fn positions<T: Entry>(page: &Page<T>) -> Vec<(Option<&str>, i32)> {
    page.items
        .iter()
        .map(|e| (e.seen().1, e.seen().4))
        .collect()
}

async fn statuses(format: Format) {
    let (emulator, client) = emulated(format).await;
    let to = &client;
    let list = move || async move { to.send(&ListContactStatuses::new()).await };
    let get = move |id: i64| async move { to.send(&GetContactStatus::new(id)).await };

    // The statuses a portal creates when the CRM is first opened, by position, with their
    // colours; entries read from the database carry an empty description. No contact has one.
    let seeded = list().await.expect("statuses");
    assert_eq!(
        all(&seeded),
        [
            (13, Some("Cold"), Some(""), Some("#8a98d8"), 1, 0),
            (14, Some("Warm"), Some(""), Some("#ffd267"), 2, 0),
            (15, Some("Hot"), Some(""), Some("#df7895"), 3, 0),
        ]
    );
    assert_eq!(get(13).await.expect("one status"), seeded.items[0]);

    // A new status goes last; the answer is what was sent, with no position.
    let frozen = client
        .send(&CreateContactStatus::new("Frozen", "#a7fc00").description("Below zero"))
        .await
        .expect("created");
    assert_eq!(
        frozen.seen(),
        (
            24,
            Some("Frozen"),
            Some("Below zero"),
            Some("#a7fc00"),
            0,
            0
        ),
        "the next id after the seeded lists' 23 entries"
    );
    let stored = get(24).await.expect("read back");
    assert_eq!(stored.sort_order, 4, "after the three");
    // A name the list has (case and trailing blanks ignored) creates nothing and changes
    // nothing: the existing id, with the values sent.
    let again = client
        .send(&CreateContactStatus::new("frozen ", "#000000"))
        .await
        .expect("answered");
    assert_eq!(
        again.seen(),
        (24, Some("frozen "), None, Some("#000000"), 0, 0)
    );
    assert_eq!(get(24).await.expect("read back"), stored);
    // A status needs a colour: the client does not send one without it, and the portal
    // refuses one sent anyway.
    let error = client
        .send(&CreateContactStatus::new("Icy", ""))
        .await
        .expect_err("refused before sending");
    assert!(
        matches!(error, Error::Build(BuildError::InvalidArgument { .. })),
        "{error:?}"
    );
    let without = Raw::post("api/2.0/crm/contact/status").form("title", "Icy");
    assert_eq!(refused(client.send(&without).await).0, 400);
    assert_eq!(list().await.expect("statuses").len(), 4);

    // An update answers what was sent; a colour not sent is cleared, the position kept.
    let renamed = client
        .send(&UpdateContactStatusFields::new(24, "Glacial").description("Very cold"))
        .await
        .expect("updated");
    assert_eq!(
        renamed.seen(),
        (24, Some("Glacial"), Some("Very cold"), None, 0, 0)
    );
    assert_eq!(
        get(24).await.expect("read back").seen(),
        (24, Some("Glacial"), Some("Very cold"), Some(""), 4, 0)
    );

    // The colour has a route of its own; the answer is the status as stored.
    let painted = client
        .send(&UpdateContactStatusColor::new(24, "#00ffff"))
        .await
        .expect("recoloured");
    assert_eq!(
        painted.seen(),
        (
            24,
            Some("Glacial"),
            Some("Very cold"),
            Some("#00ffff"),
            4,
            0
        )
    );

    // Reorder by name: the answer shows the positions from before, the list the new ones.
    let reordered = client
        .send(&ReorderContactStatuses::new(["Glacial", "Hot"]))
        .await
        .expect("reordered");
    assert_eq!(
        positions(&reordered),
        [(Some("Glacial"), 4), (Some("Hot"), 3)]
    );
    let listed = list().await.expect("statuses");
    assert_eq!(
        ids(&listed),
        [24, 13, 15, 14],
        "Glacial 0, Cold, Hot 1, Warm 2"
    );
    // A name the list does not have: the server's 500, after the others have moved.
    let unknown = ReorderContactStatuses::new(["Warm", "Nothing"]);
    assert_eq!(refused(client.send(&unknown).await).0, 500);
    let listed = list().await.expect("statuses");
    assert_eq!(ids(&listed)[0], 14, "Warm moved anyway");

    // Deleting answers the status as it was; the last one stays.
    let deleted = client
        .send(&DeleteContactStatus::new(24))
        .await
        .expect("deleted");
    assert_eq!(
        deleted.seen(),
        (
            24,
            Some("Glacial"),
            Some("Very cold"),
            Some("#00ffff"),
            0,
            0
        ),
        "as read before the delete: at position 0, which is left out"
    );
    assert_eq!(refused(get(24).await).0, 404);
    let last = "The last contact status cannot be deleted";
    delete_down_to_the_last(&client, DeleteContactStatus::new, &[13, 14], 15, last).await;

    emulator.shutdown().await;
}

#[tokio::test]
async fn contact_statuses_in_json() {
    statuses(Format::Json).await;
}

#[tokio::test]
async fn contact_statuses_in_xml() {
    statuses(Format::Xml).await;
}

async fn types(format: Format) {
    let (emulator, client) = emulated(format).await;
    let to = &client;
    let list = move || async move { to.send(&ListContactTypes::new()).await };
    let get = move |id: i64| async move { to.send(&GetContactType::new(id)).await };

    // The types a portal creates, by position, with no colour and no description.
    let seeded = list().await.expect("types");
    assert_eq!(
        all(&seeded),
        [
            (16, Some("Client"), Some(""), Some(""), 1, 0),
            (17, Some("Supplier"), Some(""), Some(""), 2, 0),
            (18, Some("Partner"), Some(""), Some(""), 3, 0),
            (19, Some("Competitor"), Some(""), Some(""), 4, 0),
        ]
    );

    // A new type is a name: the method stores and answers an empty description, no colour.
    let reseller = client
        .send(&CreateContactType::new("Reseller"))
        .await
        .expect("created");
    assert_eq!(
        reseller.seen(),
        (24, Some("Reseller"), Some(""), None, 0, 0)
    );
    assert_eq!(get(24).await.expect("read back").sort_order, 5);
    let again = client
        .send(&CreateContactType::new("CLIENT"))
        .await
        .expect("answered");
    assert_eq!(
        again.seen(),
        (16, Some("CLIENT"), Some(""), None, 0, 0),
        "the existing id, with the name sent"
    );
    assert_eq!(list().await.expect("types").len(), 5);

    // The status colour route colours any list's entry; a type's update clears it again and
    // keeps the position, answering only what was sent.
    client
        .send(&UpdateContactStatusColor::new(24, "#123456"))
        .await
        .expect("coloured");
    assert_eq!(
        get(24).await.expect("read back").color.as_deref(),
        Some("#123456")
    );
    let renamed = client
        .send(&UpdateContactType::new(24, "Distributor"))
        .await
        .expect("updated");
    assert_eq!(renamed.seen(), (24, Some("Distributor"), None, None, 0, 0));
    assert_eq!(
        get(24).await.expect("read back").seen(),
        (24, Some("Distributor"), Some(""), Some(""), 5, 0)
    );

    // Reorder by name, answered with the positions from before.
    let reordered = client
        .send(&ReorderContactTypes::new(["Competitor", "Distributor"]))
        .await
        .expect("reordered");
    assert_eq!(
        positions(&reordered),
        [(Some("Competitor"), 4), (Some("Distributor"), 5)]
    );
    assert_eq!(ids(&list().await.expect("types")), [19, 16, 24, 17, 18]);
    let unknown = ReorderContactTypes::new(["Partner", "Nobody"]);
    assert_eq!(refused(client.send(&unknown).await).0, 500);
    assert_eq!(
        ids(&list().await.expect("types"))[0],
        18,
        "Partner moved anyway"
    );

    // Deleting answers the type as it was; the last one stays.
    let deleted = client
        .send(&DeleteContactType::new(24))
        .await
        .expect("deleted");
    assert_eq!(deleted.title.as_deref(), Some("Distributor"));
    let last = "The last contact type cannot be deleted";
    delete_down_to_the_last(&client, DeleteContactType::new, &[16, 17, 18], 19, last).await;

    emulator.shutdown().await;
}

#[tokio::test]
async fn contact_types_in_json() {
    types(Format::Json).await;
}

#[tokio::test]
async fn contact_types_in_xml() {
    types(Format::Xml).await;
}

async fn settings(format: Format) {
    let (emulator, client) = emulated(format).await;

    // The ask-each-time settings echo true, false, or null (not sent).
    for value in [Some(true), Some(false), None] {
        let mut status = UpdateContactStatusSettings::new();
        let mut tag = UpdateContactTagSettings::new();
        if let Some(value) = value {
            status = status.change_group_auto(value);
            tag = tag.add_group_auto(value);
        }
        assert_eq!(client.send(&status).await.expect("status setting"), value);
        assert_eq!(client.send(&tag).await.expect("tag setting"), value);
    }
    if format == Format::Json {
        // A null is the empty object, with no count.
        let raw = client
            .send(&Raw::put("api/2.0/crm/contact/tag/settings"))
            .await
            .expect("null");
        assert_eq!(
            (raw.response, raw.page.count),
            (serde_json::json!({}), None)
        );
    }
    for value in [true, false] {
        let answer = client
            .send(&UpdateMailToHistorySettings::new(value))
            .await
            .expect("mail setting");
        assert_eq!(answer, value);
    }

    // `PUT settings` answers whether the CRM is set up: true unless told otherwise.
    let key: Uuid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
        .parse()
        .expect("a GUID");
    let set = SetPortalConfigured::new()
        .configured(false)
        .web_form_key(key);
    assert!(!client.send(&set).await.expect("not set up"));
    assert!(
        client
            .send(&SetPortalConfigured::new())
            .await
            .expect("set up")
    );

    // Each change of the form key answers a fresh GUID in the "D" form, counted by its length.
    let first = client
        .send(&ChangeWebFormKey::new())
        .await
        .expect("a new key");
    let parsed: Uuid = first.parse().expect("a GUID");
    assert_eq!(
        first,
        parsed.hyphenated().to_string(),
        "lower case, hyphens"
    );
    assert_ne!(parsed, key);
    let raw = client
        .send(&Raw::put("api/2.0/crm/settings/webformkey/change").output::<String>())
        .await
        .expect("another key");
    assert_eq!(raw.page.count, Some(36));
    assert_ne!(raw.response, first);
    assert!(raw.response.parse::<Uuid>().is_ok());

    emulator.shutdown().await;
}

#[tokio::test]
async fn settings_in_json() {
    settings(Format::Json).await;
}

#[tokio::test]
async fn settings_in_xml() {
    settings(Format::Xml).await;
}
