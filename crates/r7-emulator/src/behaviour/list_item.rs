//! What the routes of the CRM's configurable lists share (`ListItemDao.cs`): task and history
//! categories, contact statuses and contact types live in one table and go through one DAO, so
//! their routes differ only in the wrapper they answer, what the DAO requires of each list, and
//! what uses an entry. The routes themselves are in `category`, `contact_status` and
//! `contact_type`.
//!
//! The DAO finds an entry by id in any list but by name only in its own; an entry in use (by
//! tasks, history events or contacts) cannot be edited or deleted.

use r7_model::{ContactStatus, ContactType, HistoryCategory, TaskCategory};

use super::category::image_path;
use crate::generated::Wire;
use crate::ops::{Call, Outcome, smart_list};
use crate::store::{Crm, ListItemRow, ListKind};
use crate::wire::{ApiError, Node, Reply, to_node};

/// An entry as a wrapper shows it: read from the database (`NULL` columns come back as ""), or
/// built from a request (what was not sent is `None`, left out).
pub(super) struct Read {
    pub(super) id: i64,
    pub(super) title: Option<String>,
    pub(super) description: Option<String>,
    pub(super) color: Option<String>,
    pub(super) image: Option<String>,
    pub(super) sort_order: i32,
}

/// A wrapper of `ListItemWrapper` (`ListItemWrapper.cs:397`) filled from a [`Read`], with the
/// number of rows using the entry; the wrappers are generated, non-exhaustive types with the
/// same members, and only the categories add one (their icon).
macro_rules! wrapper {
    ($ty:ident, $read:expr, $count:expr) => {{
        let read: Read = $read;
        let mut v = $ty::default();
        v.relative_items_count = $count;
        v.title = read.title;
        v.description = read.description;
        v.color = read.color;
        v.sort_order = read.sort_order;
        v.id = read.id.into();
        v
    }};
}

impl Read {
    pub(super) fn from_row(id: i64, row: &ListItemRow) -> Read {
        Read {
            id,
            title: Some(row.title.clone()),
            description: Some(row.description.clone().unwrap_or_default()),
            color: Some(row.color.clone().unwrap_or_default()),
            image: row.image.clone(),
            sort_order: row.sort_order,
        }
    }

    /// `TaskCategoryWrapper` with `count` tasks in the category: the icon's address always set,
    /// empty without one (`ListItemWrapper.cs:185`).
    pub(super) fn task_value(self, count: i64) -> TaskCategory {
        let image = image_path(self.image.as_deref());
        let mut v = wrapper!(TaskCategory, self, count);
        v.image_path = image;
        v
    }

    /// The entry as the wrapper of `kind` writes it, with the number of rows using it
    /// (`ToXWrapper`, `CRMApi.ListItem.cs:1103`).
    pub(super) fn node(self, crm: &Crm, kind: ListKind) -> Node {
        let count = crm.related_items(kind, self.id);
        match kind {
            ListKind::TaskCategory => to_node(&Wire(&self.task_value(count))),
            // The icon's address only with an icon, else `null` (`ListItemWrapper.cs:39`).
            ListKind::HistoryCategory => {
                let image = Some(image_path(self.image.as_deref())).filter(|p| !p.is_empty());
                let mut v = wrapper!(HistoryCategory, self, count);
                v.image_path = image;
                to_node(&Wire(&v))
            }
            ListKind::ContactStatus => to_node(&Wire(&wrapper!(ContactStatus, self, count))),
            ListKind::ContactType => to_node(&Wire(&wrapper!(ContactType, self, count))),
        }
    }
}

/// What a create or an update was sent, as the API method fills its `ListItem`.
pub(super) struct Sent {
    pub(super) title: Option<String>,
    pub(super) description: Option<String>,
    pub(super) color: Option<String>,
    /// The icon's file name (`additional_params`).
    pub(super) image: Option<String>,
}

/// `ListItemDao.IsExist(type, title)` (`ListItemDao.cs:129`): MySQL's default collation
/// compares without case and ignores trailing spaces.
fn by_title(crm: &Crm, kind: ListKind, title: &str) -> Option<i64> {
    let wanted = title.trim_end().to_lowercase();
    crm.list_items
        .iter()
        .find(|(_, r)| r.kind == kind && r.title.trim_end().to_lowercase() == wanted)
        .map(|(id, _)| id)
}

/// The entries of a list by position, ties by id (`GetItems`, `ListItemDao.cs:154`).
fn entries(crm: &Crm, kind: ListKind) -> Vec<(i64, &ListItemRow)> {
    let mut items: Vec<(i64, &ListItemRow)> = crm
        .list_items
        .iter()
        .filter(|(_, r)| r.kind == kind)
        .collect();
    items.sort_by_key(|(id, r)| (r.sort_order, *id));
    items
}

/// `GET {list}` (`CRMApi.ListItem.cs:982`, `:1008`, `:1034`, `:1060`): every entry by position.
pub(super) fn list(crm: &Crm, kind: ListKind, call: &Call) -> Outcome {
    let items = entries(crm, kind)
        .into_iter()
        .map(|(id, row)| Read::from_row(id, row).node(crm, kind))
        .collect();
    Ok(smart_list(items, &call.paging))
}

/// `GET {list}/{id}` (`CRMApi.ListItem.cs:757`, `:916`, `:960`): any list's entry, as this
/// list's.
pub(super) fn get(crm: &Crm, kind: ListKind, id: i64) -> Outcome {
    if id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    let row = crm.list_items.get(id).ok_or(ApiError::NOT_FOUND)?;
    Ok(Reply::One(Read::from_row(id, row).node(crm, kind)))
}

/// `Path.GetFileName`: what follows the last separator.
fn file_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// `CreateItem` (`ListItemDao.cs:358`) and the answer built from the request
/// (`CRMApi.ListItem.cs:244`, `:588`, `:784`).
pub(super) fn create(crm: &mut Crm, kind: ListKind, sent: Sent) -> Outcome {
    let Sent {
        title,
        description,
        color,
        mut image,
    } = sent;
    let title = title.unwrap_or_default();
    let id = match by_title(crm, kind, &title) {
        // A name the list has: its id, nothing changed, nothing else checked.
        Some(id) => id,
        None => {
            if title.is_empty() {
                return Err(ApiError::ARGUMENT);
            }
            // What each list requires (`ListItemDao.cs:367`, `:373`).
            match kind {
                ListKind::TaskCategory | ListKind::HistoryCategory => {
                    let name = image.as_deref().filter(|i| !i.is_empty());
                    let name = name.ok_or(ApiError::ARGUMENT)?;
                    image = Some(file_name(name).to_owned());
                }
                ListKind::ContactStatus if color.as_deref().is_none_or(str::is_empty) => {
                    return Err(ApiError::ARGUMENT);
                }
                ListKind::ContactStatus | ListKind::ContactType => {}
            }
            let sort_order = entries(crm, kind)
                .iter()
                .map(|(_, r)| r.sort_order)
                .max()
                .unwrap_or(0)
                + 1;
            let id = crm.list_items.next_id();
            crm.list_items.insert(
                id,
                ListItemRow {
                    kind,
                    title: title.clone(),
                    description: description.clone(),
                    color: color.clone(),
                    image: image.clone(),
                    sort_order,
                },
            );
            id
        }
    };
    let answer = Read {
        id,
        title: Some(title),
        description,
        color,
        image,
        sort_order: 0,
    };
    Ok(Reply::One(answer.node(crm, kind)))
}

/// `EditItem` (`ListItemDao.cs:396`): name, description, colour and icon as sent (what was not
/// sent is cleared), the position kept; the answer built from the request
/// (`CRMApi.ListItem.cs:283`, `:629`, `:822`).
pub(super) fn update(crm: &mut Crm, kind: ListKind, id: i64, sent: Sent) -> Outcome {
    let title = sent.title.filter(|t| !t.is_empty());
    let (true, Some(title)) = (id > 0, title) else {
        return Err(ApiError::ARGUMENT);
    };
    // `IsExist(id)` looks in every list (`ListItemDao.cs:141`).
    if !crm.list_items.contains(id) {
        return Err(ApiError::NOT_FOUND);
    }
    if crm.related_items(kind, id) > 0 {
        return Err(in_use(kind, "edited"));
    }
    let row = crm.list_items.get_mut(id).ok_or(ApiError::NOT_FOUND)?;
    row.title.clone_from(&title);
    row.description.clone_from(&sent.description);
    row.color.clone_from(&sent.color);
    row.image.clone_from(&sent.image);
    let answer = Read {
        id,
        title: Some(title),
        description: sent.description,
        color: sent.color,
        image: sent.image,
        sort_order: 0,
    };
    Ok(Reply::One(answer.node(crm, kind)))
}

/// The column a route of its own changes.
#[derive(Clone, Copy)]
pub(super) enum Column {
    /// `ChangePicture` (`ListItemDao.cs:421`).
    Image,
    /// `ChangeColor` (`ListItemDao.cs:249`).
    Color,
}

/// One column of any list's entry, whatever it is sent (not checked, even while the entry is in
/// use); the entry as read, with the value sent in place (`CRMApi.ListItem.cs:322`, `:668`).
pub(super) fn set(
    crm: &mut Crm,
    kind: ListKind,
    id: i64,
    column: Column,
    value: Option<String>,
) -> Outcome {
    if id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    let row = crm.list_items.get_mut(id).ok_or(ApiError::NOT_FOUND)?;
    let mut read = Read::from_row(id, row);
    // The answer has the value sent, not the column read back: an unsent colour is left out,
    // not "".
    match column {
        Column::Image => {
            row.image.clone_from(&value);
            read.image = value;
        }
        Column::Color => {
            row.color.clone_from(&value);
            read.color = value;
        }
    }
    Ok(Reply::One(read.node(crm, kind)))
}

/// `ReorderItems` by name (`ListItemDao.cs:524`): positions 0, 1, 2...; the answer read before.
/// A name the list does not have is dereferenced after the reorder: the server's 500.
pub(super) fn reorder(crm: &mut Crm, kind: ListKind, titles: &[String], call: &Call) -> Outcome {
    let before: Vec<Option<Read>> = titles
        .iter()
        .map(|t| {
            by_title(crm, kind, t).and_then(|id| Some(Read::from_row(id, crm.list_items.get(id)?)))
        })
        .collect();
    for (position, title) in (0..).zip(titles) {
        let wanted = title.trim_end().to_lowercase();
        for (_, row) in crm.list_items.iter_mut() {
            if row.kind == kind && row.title.trim_end().to_lowercase() == wanted {
                row.sort_order = position;
            }
        }
    }
    let items: Vec<Node> = before
        .into_iter()
        .map(|r| r.map(|r| r.node(crm, kind)).ok_or(ApiError::NULL_REFERENCE))
        .collect::<Result<_, _>>()?;
    Ok(smart_list(items, &call.paging))
}

/// `EditItem` and `DeleteItem` refuse an entry in use (`ListItemDao.cs:399`, `:502`).
pub(super) fn in_use(kind: ListKind, what: &str) -> ApiError {
    let rows = match kind {
        ListKind::TaskCategory => "some tasks with this category",
        ListKind::HistoryCategory => "some history events with this category",
        ListKind::ContactStatus | ListKind::ContactType => "some related contacts",
    };
    ApiError::argument(format!("Can't be {what}. There are {rows}."))
}

/// The checks of a delete (`CRMApi.ListItem.cs:379`, `:553`, `:727`, `:886`): the entry exists
/// in any list, and is not the last of its own.
pub(super) fn deletable(
    crm: &Crm,
    kind: ListKind,
    id: i64,
    last: &'static str,
) -> Result<Read, ApiError> {
    let row = crm.list_items.get(id).ok_or(ApiError::NOT_FOUND)?;
    if entries(crm, kind).len() < 2 {
        return Err(ApiError::argument(last));
    }
    Ok(Read::from_row(id, row))
}

/// `DeleteItem` (`ListItemDao.cs:521`): only an entry of this list is deleted; another list's
/// id answers as if it were.
pub(super) fn delete_row(crm: &mut Crm, kind: ListKind, id: i64) {
    if crm.list_items.get(id).is_some_and(|r| r.kind == kind) {
        crm.list_items.remove(id);
    }
}

/// The delete of a list whose rows no other entry takes over (history categories, contact
/// statuses and types: `ListItemDao.cs:506`, `:514`): refused while in use, and answered as it
/// was read before (`CRMApi.ListItem.cs:390`, `:738`, `:897`).
pub(super) fn delete(crm: &mut Crm, kind: ListKind, id: i64, last: &'static str) -> Outcome {
    if id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    let answer = deletable(crm, kind, id, last)?.node(crm, kind);
    if crm.related_items(kind, id) > 0 {
        return Err(in_use(kind, "deleted"));
    }
    delete_row(crm, kind, id);
    Ok(Reply::One(answer))
}

#[cfg(test)]
mod tests {
    use r7_proto::EndpointId::{
        CreateContactStatus, DeleteContactStatus, DeleteContactType, GetContactStatus,
        GetContactType, ListContactStatuses, UpdateContactStatusColor, UpdateContactStatusFields,
        UpdateContactType,
    };

    use super::*;
    use crate::ops::testing::{call, crm, ids, one, page, run};

    /// Gives the seed's contact `contact` the status or type `entry`, as a contact route will.
    fn give(crm: &mut Crm, contact: i64, kind: ListKind, entry: i64) {
        let row = crm.contacts.get_mut(contact).expect("a seeded contact");
        match kind {
            ListKind::ContactStatus => row.status_id = entry,
            _ => row.contact_type_id = entry,
        }
    }

    fn count(node: &Node) -> Option<&Node> {
        node.path("relativeItemsCount")
    }

    #[test]
    fn an_entry_contacts_have_is_counted_recoloured_but_neither_edited_nor_deleted() {
        let mut crm = crm();
        give(&mut crm, 101, ListKind::ContactStatus, 14);
        give(&mut crm, 102, ListKind::ContactStatus, 14);
        give(&mut crm, 102, ListKind::ContactType, 16);
        assert_eq!(crm.contacts_using(ListKind::ContactStatus, 14), 2);
        assert_eq!(
            crm.contacts_using(ListKind::ContactType, 14),
            0,
            "by column"
        );

        let warm = one(run(GetContactStatus, &mut crm, &call("contactStatusid=14", "")).unwrap());
        assert_eq!(count(&warm), Some(&Node::Integer("2".into())));
        let (items, _) = page(run(ListContactStatuses, &mut crm, &call("", "")).unwrap());
        assert_eq!(ids(&items), [13, 14, 15]);
        assert_eq!(count(&items[0]), None, "0 is left out");
        assert_eq!(count(&items[1]), Some(&Node::Integer("2".into())));

        let edited = "Can't be edited. There are some related contacts.";
        let deleted = "Can't be deleted. There are some related contacts.";
        let rename = call("id=14&title=Tepid&color=%23000000", "");
        let error = run(UpdateContactStatusFields, &mut crm, &rename).unwrap_err();
        assert_eq!(
            (error.status.as_u16(), error.message.as_ref()),
            (400, edited)
        );
        let error = run(
            DeleteContactStatus,
            &mut crm,
            &call("contactStatusid=14", ""),
        )
        .unwrap_err();
        assert_eq!(error.message, deleted);
        let error = run(UpdateContactType, &mut crm, &call("id=16&title=Buyer", "")).unwrap_err();
        assert_eq!(error.message, edited);
        let error = run(DeleteContactType, &mut crm, &call("contactTypeid=16", "")).unwrap_err();
        assert_eq!(error.message, deleted);
        assert_eq!(
            crm.list_items.get(14).map(|r| r.title.as_str()),
            Some("Warm")
        );

        // The colour route has no such check, and answers the real count.
        let recoloured = call("id=14&color=%23123456", "");
        let warm = one(run(UpdateContactStatusColor, &mut crm, &recoloured).unwrap());
        assert_eq!(warm.path("color"), Some(&Node::String("#123456".into())));
        assert_eq!(count(&warm), Some(&Node::Integer("2".into())));

        // Once no contact has it, it goes like any other.
        crm.contacts.remove(101);
        crm.contacts.remove(102);
        run(UpdateContactStatusFields, &mut crm, &rename).expect("edited");
        run(DeleteContactType, &mut crm, &call("contactTypeid=16", "")).expect("deleted");
    }

    #[test]
    fn the_dao_requires_a_colour_of_a_new_status_only() {
        let mut crm = crm();
        for form in ["title=Frozen", "title=Frozen&color="] {
            let error = run(CreateContactStatus, &mut crm, &call(form, "")).unwrap_err();
            assert_eq!(error, ApiError::ARGUMENT, "{form}");
        }
        // A name the list has is answered before anything is checked.
        let cold = one(run(CreateContactStatus, &mut crm, &call("title=cold", "")).unwrap());
        assert_eq!(cold.path("id"), Some(&Node::Integer("13".into())));
        assert_eq!(cold.path("color"), None, "the values sent");
        assert_eq!(
            crm.list_items.get(13).and_then(|r| r.color.as_deref()),
            Some("#8a98d8")
        );
    }

    #[test]
    fn the_routes_of_one_list_take_any_lists_id() {
        let mut crm = crm();
        // A contact type read and recoloured through the status routes, and a status through
        // the type's; only a delete checks the list, and then deletes nothing.
        let client = one(run(GetContactStatus, &mut crm, &call("contactStatusid=16", "")).unwrap());
        assert_eq!(client.path("title"), Some(&Node::String("Client".into())));
        let painted = call("id=16&color=%23abcdef", "");
        run(UpdateContactStatusColor, &mut crm, &painted).expect("coloured");
        let client = one(run(GetContactType, &mut crm, &call("contactTypeid=16", "")).unwrap());
        assert_eq!(client.path("color"), Some(&Node::String("#abcdef".into())));
        let answered = run(DeleteContactType, &mut crm, &call("contactTypeid=13", "")).unwrap();
        assert_eq!(
            one(answered).path("title"),
            Some(&Node::String("Cold".into()))
        );
        assert!(
            crm.list_items.contains(13),
            "a status is not deleted as a type"
        );
    }
}
