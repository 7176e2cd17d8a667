//! The hidden "simple" contact lists (`SearchContactsByEmail`, `CRMApi.Contacts.cs:410`, and
//! `GetSimpleContacts`, `:440`): contacts with their first open task, in the lighter form
//! `ToSimpleListContactWrapper` (`CRMApi.Contacts.cs:1857`) builds.
//!
//! The search by e-mail is the database's (`ContactDao.cs:353`); a portal with full-text search
//! asks its index instead, which the emulator does not have. The rows it returns come in no
//! order the query fixes; the emulator's is by contact, then by address, each by id.

use std::borrow::Cow;

use http::StatusCode;
use r7_model::{Contact, ContactInfoType, ContactWithTask, TaskBase};
use r7_proto::crm::contact::ContactSortBy;

use crate::behaviour::category;
use crate::behaviour::contact::{self, Form};
use crate::generated::Wire;
use crate::generated::args::{ListSimpleContactsArgs, SearchContactsByEmailArgs};
use crate::ops::{self, Call, Entity, Filtered, Outcome, Sorted, smart_list};
use crate::store::{ContactRow, Crm, ListKind, Table};
use crate::wire::{ApiError, Node, to_node};

/// What `taskCategories.First(x => x.ID == task.CategoryID)` throws (`CRMApi.Contacts.cs:1995`)
/// for a task whose category is not one of the task categories: an `InvalidOperationException`,
/// which the framework answers as a 500.
const NO_MATCHING_ELEMENT: ApiError = ApiError {
    status: StatusCode::INTERNAL_SERVER_ERROR,
    message: Cow::Borrowed("Sequence contains no matching element"),
    hresult: -2146233079,
};

/// The contact's members the wire form writes even when empty but that
/// `ToSimpleListContactWrapper` never assigns, so the server leaves them out (`null`).
const NEVER_ASSIGNED: [&str; 2] = ["addresses", "customFields"];

impl Entity for ContactWithTask {
    type Row = ContactRow;

    fn table(crm: &Crm) -> &Table<ContactRow> {
        &crm.contacts
    }

    fn table_mut(crm: &mut Crm) -> &mut Table<ContactRow> {
        &mut crm.contacts
    }

    /// One item of `ToSimpleListContactWrapper`; a task category it cannot find makes the
    /// whole answer fail, which the hooks check ([`wrap`]).
    fn read(crm: &Crm, id: i64) -> Option<ContactWithTask> {
        wrap(crm, id).ok().flatten()
    }

    fn one(&self) -> Node {
        node(self)
    }

    fn list_item(&self) -> Node {
        node(self)
    }
}

/// The item in the server's wire form, without the members it never assigns.
fn node(v: &ContactWithTask) -> Node {
    let mut node = to_node(&Wire(v));
    if let Node::Object(members) = &mut node {
        for (name, value) in members.iter_mut() {
            if let (true, Node::Object(contact)) = (name == "contact", value) {
                contact.retain(|(member, _)| !NEVER_ASSIGNED.contains(&member.as_str()));
            }
        }
    }
    node
}

/// The item for contact `id` (`CRMApi.Contacts.cs:1952-2003`): the quick wrapper with the
/// details and a person's company, but no tags, addresses, custom fields, status or counts;
/// and the contact's first open task. `None` when the contact does not exist.
fn wrap(crm: &Crm, id: i64) -> Result<Option<ContactWithTask>, ApiError> {
    let Some(mut contact) = contact::full(crm, id, Form::List) else {
        return Ok(None);
    };
    /// Empties what the quick wrapper leaves unset, in a `Person` or a `Company`.
    macro_rules! lighten {
        ($v:ident) => {
            $v.addresses.clear();
            $v.custom_fields.clear();
            $v.tags.clear();
            $v.contact_status = None;
            $v.task_count = 0;
            $v.have_late_tasks = false;
        };
    }
    match &mut contact {
        Contact::Person(v) => {
            lighten!(v);
        }
        Contact::Company(v) => {
            lighten!(v);
            v.persons_count = 0;
        }
    }
    let mut v = ContactWithTask::default();
    v.task = first_open_task(crm, id)?;
    v.contact = Some(contact);
    Ok(Some(v))
}

/// `TaskDao.GetNearestTask` (`TaskDao.cs:679`): min(id) of the contact's open tasks, so the
/// oldest open one, whatever its deadline; as a `TaskBaseWrapper` (`TaskWrapper.cs:122`) with
/// the category looked up among the task categories only (`CRMApi.Contacts.cs:1950`).
fn first_open_task(crm: &Crm, contact: i64) -> Result<Option<TaskBase>, ApiError> {
    let Some((id, row)) = crm
        .tasks
        .iter()
        .filter(|(_, t)| t.contact_id == contact && !t.is_closed)
        .min_by_key(|(id, _)| *id)
    else {
        return Ok(None);
    };
    let mut v = TaskBase::default();
    v.title.clone_from(&row.title);
    v.description = Some(row.description.clone().unwrap_or_default());
    v.deadline = row.deadline;
    v.alert_value = row.alert_value;
    v.responsible = Some(crm.employee(row.responsible));
    v.is_closed = row.is_closed;
    if row.category_id > 0 {
        let listed = crm
            .list_items
            .get(row.category_id)
            .is_some_and(|item| item.kind == ListKind::TaskCategory);
        if !listed {
            return Err(NO_MATCHING_ELEMENT);
        }
        // A `TaskCategoryBaseWrapper`: no count of its tasks.
        v.category = category::task_category(crm, row.category_id).map(|mut c| {
            c.relative_items_count = 0;
            c
        });
    }
    v.id = id.into();
    Ok(Some(v))
}

/// SQL `LIKE`, case ignored as the CRM's collation ignores it: `%` stands for any run of
/// characters, `_` for any one (the server does not escape them, `LikeExp.cs:36`). MySQL's `\`
/// escape is not modelled.
fn like(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let pattern: Vec<char> = pattern.to_lowercase().chars().collect();
    let (mut t, mut p) = (0, 0);
    // The last `%` seen, and where in the text its run ends so far.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('%') => {
                star = Some((p, t));
                p += 1;
            }
            Some(c) if *c == '_' || *c == text[t] => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((at, end)) => {
                    star = Some((at, end + 1));
                    p = at + 1;
                    t = end + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '%')
}

/// `GET contact/simple/byEmail` (`ContactDao.SearchContactsByEmail`, `ContactDao.cs:353`):
/// nothing for an empty term or a `maxCount` below 1; else a row for each e-mail address whose
/// contact's stored name and the address, joined by a space, are `LIKE '%term%'`, up to
/// `maxCount` rows.
pub(crate) fn by_email(crm: &mut Crm, args: SearchContactsByEmailArgs, call: &Call) -> Outcome {
    let term = args.term.unwrap_or_default();
    let Ok(max) = usize::try_from(args.max_count) else {
        return Ok(smart_list(Vec::new(), &call.paging));
    };
    if term.is_empty() || max == 0 {
        return Ok(smart_list(Vec::new(), &call.paging));
    }
    let pattern = format!("%{term}%");
    let mut ids = Vec::new();
    for (id, row) in crm.contacts.iter() {
        let name = contact::stored_name(row);
        for (_, info) in crm.contact_info.iter() {
            if info.contact_id == id
                && info.info_type == ContactInfoType::Email
                && like(&format!("{name} {}", info.data), &pattern)
            {
                ids.push(id);
            }
        }
    }
    ids.truncate(max);
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(v) = wrap(crm, id)? {
            items.push(v.list_item());
        }
    }
    Ok(smart_list(items, &call.paging))
}

impl Filtered<ListSimpleContactsArgs> for ContactWithTask {
    /// `ContactDao.GetContacts`, as `GET contact/filter` calls it.
    fn matching(crm: &Crm, args: &ListSimpleContactsArgs, call: &Call) -> Vec<i64> {
        contact::matching(
            crm,
            &args.contact_filter,
            args.responsible_id,
            args.is_shared,
            call.paging.filter_value.as_deref(),
        )
    }
}

impl Sorted for ContactWithTask {
    type Key = ContactSortBy;

    /// `GetSimpleContacts` sorts by display name, A to Z, when `sortBy` is empty
    /// (`CRMApi.Contacts.cs:464`).
    const DEFAULT: ContactSortBy = ContactSortBy::DisplayName;

    fn keys() -> &'static [ContactSortBy] {
        ContactSortBy::ALL
    }

    fn name(key: ContactSortBy) -> &'static str {
        key.as_str()
    }

    /// The contact list's orders (`ContactDao.cs:827`): the same keys.
    fn sort(crm: &Crm, ids: &mut [i64], key: ContactSortBy, descending: bool) {
        <Contact as Sorted>::sort(crm, ids, key, descending);
    }
}

/// `GET contact/simple/filter` (`GetSimpleContacts`, `CRMApi.Contacts.cs:440`): the contact
/// list's DAO call and `total`, another default order and the lighter items. A task category
/// the wrapper cannot find fails the answer if its contact is among the rows the DAO reads: the
/// page (and the row after it), or, with a `sortBy` the DAO does not know, every match (all
/// wrapped before the framework cuts the page, `:497`).
pub(crate) fn list(crm: &mut Crm, args: ListSimpleContactsArgs, call: &Call) -> Outcome {
    let paging = &call.paging;
    let mut wrapped = <ContactWithTask as Filtered<_>>::matching(crm, &args, call);
    let key = match paging.sort_by.as_deref() {
        None => Some((
            ContactWithTask::DEFAULT,
            ContactWithTask::DEFAULT_DESCENDING,
        )),
        Some(text) => ops::sort_key::<ContactWithTask>(text).map(|key| (key, paging.descending)),
    };
    if let Some((key, descending)) = key {
        ContactWithTask::sort(crm, &mut wrapped, key, descending);
        // What `ops::list_filtered` reads: the page and one more row.
        wrapped = wrapped
            .into_iter()
            .skip(paging.start)
            .take(paging.count.saturating_add(1))
            .collect();
    }
    for id in wrapped {
        wrap(crm, id)?;
    }
    ops::list_filtered::<ContactWithTask, _>(crm, &args, call)
}

#[cfg(test)]
mod tests {
    use super::like;

    #[test]
    fn like_is_sql_like_with_case_ignored() {
        assert!(like(
            "Алексей!=!Смирнов a.smirnov@north-wind.example",
            "%NORTH-wind%"
        ));
        assert!(like("abc", "%"));
        assert!(like("abc", "a_c"));
        assert!(like("abc", "%b%"));
        assert!(like("aXbXc", "%x_x%"));
        assert!(like("mississippi", "%iss%ppi"));
        assert!(!like("abc", "a_"));
        assert!(!like("abc", "%d%"));
        assert!(!like("Алексей!=!Смирнов a@b", "%алексей смирнов%"));
        assert!(like("", "%"));
        assert!(!like("", "_"));
    }
}
