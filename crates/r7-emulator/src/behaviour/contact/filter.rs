//! The contact filter (`ContactDao.WhereConditional`, `ContactDao.cs:609`), its orders
//! (`ContactDao.cs:827`) and the routes that act on what it selects.

use std::cmp::Ordering;

use r7_model::{Contact, ContactListView, ShareType, Uuid};
use r7_proto::crm::contact::ContactSortBy;

use super::{base, share};
use crate::generated::args::{
    ContactFilterArgs, DeleteContactsByFilterArgs, ListContactsArgs, SetContactsAccessByFilterArgs,
};
use crate::ops::{self, Call, Entity, Filtered, Outcome, Sorted, smart_list};
use crate::store::{ContactRow, Crm, TagKind};
use crate::wire::{Node, to_node};

/// The end of a `to` day: plus a day, less a minute (`ContactDao.cs:726`).
const DAY_LESS_A_MINUTE: i128 = (24 * 60 - 1) * 60 * 1_000_000_000;

/// What the database's `display_name` column holds: a company's name, or a person's first and
/// last names joined by `!=!` (`ContactDao.cs:1317`), which the search and the order read.
pub(crate) fn stored_name(row: &ContactRow) -> String {
    if row.is_company {
        row.company_name.clone()
    } else {
        format!("{}!=!{}", row.first_name, row.last_name)
    }
}

/// The ids the filter keeps, by id. `responsible` and `shared` are the list's own parameters.
pub(crate) fn matching(
    crm: &Crm,
    filter: &ContactFilterArgs,
    responsible: Option<Uuid>,
    shared: Option<bool>,
    search: Option<&str>,
) -> Vec<i64> {
    let created = |row: &ContactRow| row.created.map_or(i128::MIN, |d| d.unix_nanos());
    let from = filter.from_date.map(|d| d.unix_nanos());
    let to = filter.to_date.map(|d| d.unix_nanos() + DAY_LESS_A_MINUTE);
    let members: Vec<i64> = crm
        .deals
        .ids()
        .into_iter()
        .flat_map(|deal| crm.deal_members.of(deal))
        .collect();
    crm.contacts
        .iter()
        .filter(|(_, c)| match filter.view {
            ContactListView::Company => c.is_company,
            ContactListView::Person => !c.is_company,
            _ => true,
        })
        .filter(|(id, _)| filter.view != ContactListView::WithOpportunity || members.contains(id))
        .filter(|(_, c)| filter.status_id.is_none_or(|s| s < 0 || c.status_id == s))
        .filter(|(_, c)| {
            filter
                .type_id
                .is_none_or(|t| t < 0 || c.contact_type_id == t)
        })
        .filter(|(_, c)| from.is_none_or(|from| created(c) >= from))
        .filter(|(_, c)| to.is_none_or(|to| created(c) <= to))
        .filter(|(id, _)| {
            filter.tags.is_empty()
                || crate::filter::has_tags(&crm.tags.of(TagKind::Contact, *id), &filter.tags)
        })
        // A user: the private contacts it is on the access list of; the nil GUID: the contacts
        // with no access list (`ContactDao.cs:628`).
        .filter(|(_, c)| match responsible {
            None => true,
            Some(user) if user.is_nil() => c.access.is_empty(),
            Some(user) => c.access.contains(&user),
        })
        .filter(|(_, c)| shared.is_none_or(|s| s == (c.share_type != ShareType::None)))
        .filter(|(_, c)| search.is_none_or(|text| crate::filter::words(text, &[stored_name(c)])))
        .map(|(id, _)| id)
        .collect()
}

impl Filtered<ListContactsArgs> for Contact {
    fn matching(crm: &Crm, args: &ListContactsArgs, call: &Call) -> Vec<i64> {
        let search = call.paging.filter_value.as_deref();
        matching(
            crm,
            &args.contact_filter,
            args.responsible_id,
            args.is_shared,
            search,
        )
    }
}

impl Sorted for Contact {
    type Key = ContactSortBy;

    /// `GetContacts` sorts newest first when `sortBy` is empty (`CRMApi.Contacts.cs:323`).
    const DEFAULT: ContactSortBy = ContactSortBy::Created;
    const DEFAULT_DESCENDING: bool = true;

    fn keys() -> &'static [ContactSortBy] {
        ContactSortBy::ALL
    }

    fn name(key: ContactSortBy) -> &'static str {
        key.as_str()
    }

    /// One direction for every column of the key; ties, which the database leaves in no set
    /// order, by id.
    fn sort(crm: &Crm, ids: &mut [i64], key: ContactSortBy, descending: bool) {
        let none = ContactRow::default();
        let row = |id: &i64| crm.contacts.get(*id).unwrap_or(&none);
        let created = |r: &ContactRow| r.created.map_or(i128::MIN, |d| d.unix_nanos());
        let text = |t: &str| t.to_lowercase();
        // The last change of the contact's history (`ContactDao.cs:851`).
        let history = |id: i64| {
            crm.history
                .iter()
                .filter(|(_, e)| e.contact_id == id)
                .filter_map(|(_, e)| e.created.map(|d| d.unix_nanos()))
                .max()
        };
        ids.sort_by(|ia, ib| {
            let (a, b) = (row(ia), row(ib));
            let order: Ordering = match key {
                ContactSortBy::DisplayName => text(&stored_name(a)).cmp(&text(&stored_name(b))),
                ContactSortBy::ContactType => a.status_id.cmp(&b.status_id),
                ContactSortBy::FirstName => (text(&a.first_name), text(&a.last_name))
                    .cmp(&(text(&b.first_name), text(&b.last_name))),
                ContactSortBy::LastName => (text(&a.last_name), text(&a.first_name))
                    .cmp(&(text(&b.last_name), text(&b.first_name))),
                ContactSortBy::History => history(*ia)
                    .cmp(&history(*ib))
                    .then_with(|| created(a).cmp(&created(b))),
                ContactSortBy::Id => ia.cmp(ib),
                // `Created`, and a key the spec adds later until it is taught here.
                _ => created(a).cmp(&created(b)),
            };
            let order = if descending { order.reverse() } else { order };
            order.then(ia.cmp(ib))
        });
    }
}

/// `GET contact/filter` (`GetContacts`, `CRMApi.Contacts.cs:297`): the DAO list, with the
/// `total` it always sets.
pub(crate) fn list(crm: &mut Crm, args: ListContactsArgs, call: &Call) -> Outcome {
    ops::list_filtered::<Contact, _>(crm, &args, call)
}

/// The short form of a contact as a batch delete answers it: built after the delete, when the
/// access list is gone (`CRMApi.Contacts.cs:611`).
fn deleted_base(crm: &Crm, id: i64) -> Option<Node> {
    let mut v = base(crm, id)?;
    v.access_list.clear();
    Some(to_node(&crate::generated::Wire(&v)))
}

/// Deletes the contacts (`DeleteBatchContact`, `ContactDao.cs:1501`) and answers them in the
/// short form.
pub(crate) fn delete_all(crm: &mut Crm, ids: &[i64], call: &Call) -> Outcome {
    let mut items = Vec::new();
    for id in ids {
        if let Some(node) = deleted_base(crm, *id) {
            items.push(node);
            Contact::remove(crm, *id);
        }
    }
    Ok(smart_list(items, &call.paging))
}

/// What the batch routes' filter and search text select.
fn selected(crm: &Crm, filter: &ContactFilterArgs, call: &Call) -> Vec<i64> {
    matching(crm, filter, None, None, call.paging.filter_value.as_deref())
}

/// `DELETE contact/filter` (`DeleteBatchContacts`, `CRMApi.Contacts.cs:582`): with no filter,
/// every contact.
pub(crate) fn delete_by_filter(
    crm: &mut Crm,
    args: DeleteContactsByFilterArgs,
    call: &Call,
) -> Outcome {
    let ids = selected(crm, &args.contact_filter, call);
    delete_all(crm, &ids, call)
}

/// `PUT contact/filter/access` (`CRMApi.Contacts.cs:1500`): `isPrivate` is passed on as
/// "shared" (`:1536`); the answer is the list form as read before.
pub(crate) fn set_access_by_filter(
    crm: &mut Crm,
    args: SetContactsAccessByFilterArgs,
    call: &Call,
) -> Outcome {
    let ids = selected(crm, &args.contact_filter, call);
    let before: Vec<Node> = ids
        .iter()
        .filter_map(|id| Contact::read_listed(crm, *id))
        .map(|c| c.list_item())
        .collect();
    for id in &ids {
        share(crm, *id, args.shared, &args.managers);
    }
    Ok(smart_list(before, &call.paging))
}
