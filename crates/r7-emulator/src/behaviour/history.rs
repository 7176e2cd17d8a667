//! The history (`CRMApi.RelationshipEvent.cs`, `RelationshipEventDao.cs`): events written on a
//! contact, a deal or a case. Every route is a hook: the list's `total` follows no generic
//! rule, and create and delete check in an order of their own.
//!
//! The emulator has neither cases nor the Documents module: an event names no case, and the
//! files an event is given are remembered but, as for ids of files that do not exist, none
//! shows.

use r7_model::{ApiDateTime, HistoryCategoryBase, HistoryEvent};
use r7_proto::crm::history::HistorySortBy;

use crate::behaviour::{contact, task};
use crate::generated::Wire;
use crate::generated::args::{CreateHistoryEventArgs, DeleteHistoryEventArgs, ListHistoryArgs};
use crate::ops::{Call, Outcome, as_u64, smart_list};
use crate::store::{Crm, EntityLink, HistoryRow};
use crate::wire::{ApiError, Node, PageMeta, Reply, to_node};

/// The longest text the `content` column takes (`Global.MaxHistoryEventCharacters`,
/// `Global.cs:54`).
const MAX_CONTENT: usize = 65_000;

/// The system's own categories (`HistoryCategorySystem`, `ListTypeEnum.cs:37`; titles from
/// `CRMEnumResource.resx:223`): id, title, icon.
const SYSTEM_CATEGORIES: [(i64, &str, &str); 3] = [
    (-1, "Task is closed", "event_category_close.png"),
    (-2, "Files are uploaded", "event_category_attach_file.png"),
    (-3, "Mail Message", "event_category_email.png"),
];

/// The category as an event embeds it (`ListItemDao.GetByID`, `ListItemDao.cs:170`): an entry
/// of any list, read from the database, or a system category, which has only a title and an
/// icon.
fn category(crm: &Crm, id: i64) -> Option<HistoryCategoryBase> {
    let mut v = HistoryCategoryBase::default();
    if let Some((_, title, image)) = SYSTEM_CATEGORIES.iter().find(|(n, _, _)| *n == id) {
        v.image_path = Some(super::category::image_path(Some(image)));
        v.title = Some((*title).to_owned());
    } else {
        let row = crm.list_items.get(id)?;
        v.image_path =
            Some(super::category::image_path(row.image.as_deref())).filter(|p| !p.is_empty());
        v.title = Some(row.title.clone());
        v.description = Some(row.description.clone().unwrap_or_default());
        v.color = Some(row.color.clone().unwrap_or_default());
        v.sort_order = row.sort_order;
    }
    v.id = id.into();
    Some(v)
}

/// `ToRelationshipEventWrapper` (`CRMApi.RelationshipEvent.cs:720`) and its list twin: for an
/// administrator both give the same event, with `files` always a list.
fn event(crm: &Crm, id: i64, row: &HistoryRow) -> HistoryEvent {
    let mut v = HistoryEvent::default();
    v.create_by = Some(crm.employee(row.created_by));
    v.created = row.created;
    v.content.clone_from(&row.content);
    v.category = category(crm, row.category_id);
    v.contact = contact::base(crm, row.contact_id);
    v.entity = task::linked(crm, row.entity);
    v.can_edit = true;
    v.id = id.into();
    v
}

fn node(v: &HistoryEvent) -> Node {
    to_node(&Wire(v))
}

/// `ToEntityType` (`CRMApi.cs:56`) of the kinds the history knows, ignoring case.
fn kind_is(kind: Option<&str>, name: &str) -> bool {
    kind.is_some_and(|k| k.eq_ignore_ascii_case(name))
}

/// The filter of `RelationshipEventDao.GetItems` (`RelationshipEventDao.cs:435`).
fn matching(crm: &Crm, args: &ListHistoryArgs, search: Option<&str>) -> Vec<i64> {
    let kind = args.entity_type.as_deref();
    // A company's events include its people's (`:465`); a person's are its own.
    let contacts: Option<Vec<i64>> = (args.entity_id > 0 && kind_is(kind, "contact"))
        .then(|| contact::with_people(crm, args.entity_id));
    let link = match kind {
        _ if args.entity_id <= 0 => None,
        k if kind_is(k, "opportunity") => Some((EntityLink::Opportunity, args.entity_id)),
        k if kind_is(k, "case") => Some((EntityLink::Case, args.entity_id)),
        _ => None,
    };
    let created = |e: &HistoryRow| e.created.map_or(i128::MIN, |d| d.unix_nanos());
    // The end of the `to` day: plus a day, less a minute (`:483`).
    const DAY_LESS_A_MINUTE: i128 = (24 * 60 - 1) * 60 * 1_000_000_000;
    let from = args.from_date.map(|d| d.unix_nanos());
    let to = args.to_date.map(|d| d.unix_nanos() + DAY_LESS_A_MINUTE);
    crm.history
        .iter()
        .filter(|(_, e)| {
            contacts
                .as_ref()
                .is_none_or(|ids| ids.contains(&e.contact_id))
        })
        .filter(|(_, e)| link.is_none_or(|l| e.entity == Some(l)))
        .filter(|(_, e)| from.is_none_or(|from| created(e) >= from))
        .filter(|(_, e)| to.is_none_or(|to| created(e) <= to))
        .filter(|(_, e)| args.create_by.is_nil() || e.created_by == args.create_by)
        .filter(|(_, e)| args.category_id == 0 || e.category_id == args.category_id)
        .filter(|(_, e)| {
            search.is_none_or(|text| crate::filter::words(text, std::slice::from_ref(&e.content)))
        })
        .map(|(id, _)| id)
        .collect()
}

/// The `ORDER BY` of `GetItems` (`RelationshipEventDao.cs:522`): one column; ties, which the
/// database leaves in no set order, by id here.
fn sort(crm: &Crm, ids: &mut [i64], key: HistorySortBy, descending: bool) {
    let none = HistoryRow::default();
    let row = |id: &i64| crm.history.get(*id).unwrap_or(&none);
    let created = |e: &HistoryRow| e.created.map_or(i128::MIN, |d| d.unix_nanos());
    ids.sort_by(|ia, ib| {
        let (a, b) = (row(ia), row(ib));
        let order = match key {
            HistorySortBy::Created => created(a).cmp(&created(b)),
            // A GUID column compares as its text, which orders as its bytes.
            HistorySortBy::CreateBy => a.created_by.cmp(&b.created_by),
            HistorySortBy::Category => a.category_id.cmp(&b.category_id),
            HistorySortBy::Content => a.content.to_lowercase().cmp(&b.content.to_lowercase()),
            HistorySortBy::Id => ia.cmp(ib),
            // A key the spec adds later sorts by the default until it is taught here.
            _ => created(a).cmp(&created(b)),
        };
        let order = if descending { order.reverse() } else { order };
        order.then(ia.cmp(ib))
    });
}

/// The key `sortBy` names (`EnumExtension.TryParse`), `None` for none, or an error for a
/// value that names no key.
fn sort_key(text: &str) -> Option<HistorySortBy> {
    let text = text.trim();
    if let Ok(n) = text.parse::<usize>() {
        return HistorySortBy::ALL.get(n).copied();
    }
    HistorySortBy::ALL
        .iter()
        .copied()
        .find(|key| key.as_str().eq_ignore_ascii_case(text))
}

/// `GET history/filter` (`GetHistory`, `CRMApi.RelationshipEvent.cs:65`).
pub(crate) fn list(crm: &mut Crm, args: ListHistoryArgs, call: &Call) -> Outcome {
    let kind = args.entity_type.as_deref();
    let id = args.entity_id;
    if kind_is(kind, "contact") {
        if !crm.contacts.contains(id) {
            return Err(ApiError::NOT_FOUND);
        }
    } else if kind_is(kind, "case") {
        return Err(ApiError::NOT_FOUND);
    } else if kind_is(kind, "opportunity") {
        if !crm.deals.contains(id) {
            return Err(ApiError::NOT_FOUND);
        }
    } else if id != 0 {
        return Err(ApiError::ARGUMENT);
    }
    let paging = &call.paging;
    let mut ids = matching(crm, &args, paging.filter_value.as_deref());
    let read = |ids: &[i64]| -> Vec<Node> {
        ids.iter()
            .filter_map(|id| Some(node(&event(crm, *id, crm.history.get(*id)?))))
            .collect()
    };
    // No `sortBy`: newest first, whatever `sortOrder` says (`:113`).
    let key = match paging.sort_by.as_deref() {
        None => Some((HistorySortBy::Created, true)),
        Some(text) => sort_key(text).map(|key| (key, paging.descending)),
    };
    let Some((key, descending)) = key else {
        // A `sortBy` that names no key: every match, newest first, then the framework's own
        // sort by that member and its page.
        sort(crm, &mut ids, HistorySortBy::Created, true);
        return Ok(smart_list(read(&ids), paging));
    };
    sort(crm, &mut ids, key, descending);
    // The database reads one row more than the page (`ApiContext.Count`), and the framework's
    // list step, which cuts the page, then sees more rows than it keeps: the only case where
    // it sets `total`, to the rows it saw (`ApiSmartListResponceFilter.cs:68`).
    let asked = paging.count.saturating_add(1);
    let rows: Vec<i64> = ids.into_iter().skip(paging.start).take(asked).collect();
    let keep = if paging.count == 0 {
        rows.len()
    } else {
        paging.count
    };
    let full = paging.count > 0 && rows.len() > paging.count;
    let items: Vec<Node> = read(&rows).into_iter().take(keep).collect();
    let page = PageMeta {
        count: as_u64(items.len()),
        start_index: as_u64(paging.start),
        next_index: full.then(|| as_u64(paging.start + paging.count + 1)),
        total: full.then(|| as_u64(rows.len())),
    };
    Ok(Reply::List { items, page })
}

/// `DELETE history/{id}` (`DeleteHistory`, `CRMApi.RelationshipEvent.cs:171`): the answer is
/// built before the delete; the audit record after it reads the category's title, and the
/// deal's or case's when there is no contact, so an event without them is deleted and then
/// answered with a `NullReferenceException`.
pub(crate) fn delete(crm: &mut Crm, args: DeleteHistoryEventArgs, _: &Call) -> Outcome {
    let id = args.event_id;
    if id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    let row = crm.history.get(id).ok_or(ApiError::NOT_FOUND)?;
    let answer = event(crm, id, row);
    crm.history.remove(id);
    if answer.category.is_none() || (answer.contact.is_none() && answer.entity.is_none()) {
        return Err(ApiError::NULL_REFERENCE);
    }
    Ok(Reply::One(node(&answer)))
}

/// `POST history` (`AddHistoryTo`, `CRMApi.RelationshipEvent.cs:325`), with the checks of
/// `CRMSecurity.DemandCreateOrUpdate` (`CRMSecutiry.cs:667`) and the DAO's.
pub(crate) fn create(crm: &mut Crm, args: CreateHistoryEventArgs, _: &Call) -> Outcome {
    let kind = args.entity_type.as_deref().filter(|k| !k.is_empty());
    let link = match kind {
        None => None,
        Some(k) if k.eq_ignore_ascii_case("opportunity") => Some(EntityLink::Opportunity),
        Some(k) if k.eq_ignore_ascii_case("case") => Some(EntityLink::Case),
        Some(_) => return Err(ApiError::ARGUMENT),
    };
    if args.contact_id > 0 && !crm.contacts.contains(args.contact_id) {
        return Err(ApiError::ARGUMENT);
    }
    match link {
        // No case exists in the emulator.
        Some(EntityLink::Case) => return Err(ApiError::ARGUMENT),
        Some(EntityLink::Opportunity) if !crm.deals.contains(args.entity_id) => {
            return Err(ApiError::ARGUMENT);
        }
        _ => {}
    }
    // `GetByID` finds an entry of any list, and the system categories.
    if category(crm, args.category_id).is_none() {
        return Err(ApiError::ARGUMENT);
    }
    let content = args.content.unwrap_or_default();
    if content.is_empty() || args.category_id == 0 || (args.contact_id == 0 && args.entity_id == 0)
    {
        return Err(ApiError::ARGUMENT);
    }
    if args.entity_id > 0 && link.is_none() {
        return Err(ApiError::ARGUMENT);
    }
    if content.chars().count() > MAX_CONTENT {
        return Err(ApiError::argument("Data too long for column 'content'"));
    }
    // A mail message is fetched from the portal's mail by the id in the text
    // (`RelationshipEventDao.cs:323`); the emulator has no mail, so no message is found.
    if args.category_id == -3 {
        return Err(ApiError::argument("Mail message cannot be found"));
    }
    let _not_emulated = args.notify_users;
    let created = args.created.unwrap_or_else(|| crm.now());
    let row = HistoryRow {
        contact_id: args.contact_id,
        entity: link.map(|l| (l, args.entity_id)),
        content,
        category_id: args.category_id,
        created: Some(local(crm, created)),
        created_by: crm.me().id.get(),
        file_ids: args.file_ids,
    };
    let id = crm.history.next_id();
    let answer = event(crm, id, &row);
    crm.history.insert(id, row);
    Ok(Reply::One(node(&answer)))
}

/// The time as the server answers it: stored in UTC, given back in the portal's zone.
fn local(crm: &Crm, at: ApiDateTime) -> ApiDateTime {
    at.with_offset(crm.utc_offset()).unwrap_or(at)
}
