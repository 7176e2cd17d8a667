//! The operations most routes are made of, written once for every entity: get, list, create,
//! update, delete (one, many, by filter), set one column, reorder, and link / unlink / list the
//! linked. The spec names the operation and the entity of each route (its `emulator` key) and
//! the generated dispatch calls it; what differs between entities is in their [`Entity`] impl in
//! `behaviour/`, and the server's rules that fit no operation are hooks there.

use crate::binder::{Paging, Params};
use crate::store::{Crm, IntoColumn, Table};
use crate::wire::{ApiError, Node, PageMeta, Reply};

/// What a method gets: the request's values and the query string's paging.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) params: Params,
    pub(crate) paging: Paging,
}

/// A method's answer, or the error it raises.
pub(crate) type Outcome = Result<Reply, ApiError>;

/// A method of the emulated portal.
pub(crate) type Handler = fn(&mut Crm, &Call) -> Outcome;

/// A wire type the store keeps rows for.
pub(crate) trait Entity: Sized {
    /// The row in the store.
    type Row;

    fn table(crm: &Crm) -> &Table<Self::Row>;
    fn table_mut(crm: &mut Crm) -> &mut Table<Self::Row>;

    /// The row `id` in its single form (`ToXWrapper`), built from the rows it refers to.
    fn read(crm: &Crm, id: i64) -> Option<Self>;

    /// The row in its list form's values (`ToListXWrapper`), where they differ from the single
    /// form's beyond what `list_item` leaves out; by default the single form.
    fn read_listed(crm: &Crm, id: i64) -> Option<Self> {
        Self::read(crm, id)
    }

    /// Puts ids in the order the database returns the rows without a sort (by default: by
    /// id, as they are).
    fn default_order(_crm: &Crm, _ids: &mut [i64]) {}

    /// Every id in the order the list route answers them.
    fn ordered(crm: &Crm) -> Vec<i64> {
        Self::table(crm).ids()
    }

    /// The single form as a node.
    fn one(&self) -> Node;
    /// The list form (`ToListXWrapper`) as a node.
    fn list_item(&self) -> Node;

    /// What a method checks before it deletes the row (the row exists).
    fn check_delete(_crm: &Crm, _id: i64) -> Result<(), ApiError> {
        Ok(())
    }

    /// Deletes the row and what belongs to it.
    fn remove(crm: &mut Crm, id: i64) {
        Self::table_mut(crm).remove(id);
    }

    /// The answer of a delete, from the single form read before: by default unchanged.
    fn deleted(self) -> Self {
        self
    }
}

/// An entity a create or an update writes from the arguments `F`.
pub(crate) trait Written<F>: Entity {
    /// What the method checks before it reads anything.
    fn check(_fields: &F) -> Result<(), ApiError> {
        Ok(())
    }

    /// The method's own checks and the rows it writes for `id`: a new id for a create (`old`
    /// is `None`), the row it replaces for an update.
    fn write(crm: &mut Crm, id: i64, old: Option<Self::Row>, fields: F) -> Result<(), ApiError>;
}

/// An entity whose rows a filter group selects.
pub(crate) trait Filtered<F>: Entity {
    /// The ids that match, by id (generated from the group's predicates).
    fn matching(crm: &Crm, filter: &F, call: &Call) -> Vec<i64>;
}

/// An entity whose filtered list the database sorts by a key of the spec's `[[sort]]`.
pub(crate) trait Sorted: Entity {
    type Key: Copy + 'static;
    /// The key the method sorts by when `sortBy` is empty.
    const DEFAULT: Self::Key;
    /// Whether it sorts by that key descending (whatever `sortOrder` says).
    const DEFAULT_DESCENDING: bool = false;
    /// Every key, in the server enum's order (a `sortBy` number is an index here).
    fn keys() -> &'static [Self::Key];
    /// The key's name as `sortBy` sends it.
    fn name(key: Self::Key) -> &'static str;
    /// Orders ids as the database does for the key.
    fn sort(crm: &Crm, ids: &mut [i64], key: Self::Key, descending: bool);
}

/// The key for a `sortBy` value: a name of the server's enum in any case, or its number
/// (`EnumExtension.TryParse`); `None` for another value.
pub(crate) fn sort_key<E: Sorted>(text: &str) -> Option<E::Key> {
    let text = text.trim();
    if let Ok(n) = text.parse::<usize>() {
        return E::keys().get(n).copied();
    }
    E::keys()
        .iter()
        .copied()
        .find(|key| E::name(*key).eq_ignore_ascii_case(text))
}

/// An entity with a position column that a reorder sets.
pub(crate) trait Ordered: Entity {
    fn position(row: &mut Self::Row) -> &mut i32;
}

/// An entity linked to entities `L` through a link table.
pub(crate) trait Linked<L: Entity>: Entity {
    /// Links `owner` and `linked` (both exist).
    fn link(crm: &mut Crm, owner: i64, linked: i64);
    fn unlink(crm: &mut Crm, owner: i64, linked: i64);
    /// What `owner` is linked to, in the answer's order, each once.
    fn linked(crm: &Crm, owner: i64) -> Vec<i64>;
    /// What the list of the linked changes in each item: by default nothing.
    fn adjust(_crm: &Crm, _owner: i64, _item: &mut L) {}
}

/// `ArgumentException` for an id that is not positive, where the method checks it.
fn check_positive(positive: bool, ids: &[i64]) -> Result<(), ApiError> {
    if positive && ids.iter().any(|id| *id <= 0) {
        return Err(ApiError::ARGUMENT);
    }
    Ok(())
}

/// A count as the envelope writes it.
pub(crate) fn as_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// The framework's generic list step (`SmartList`), which runs on every list answer: sort in
/// memory by the `sortBy` property (a dotted path of member names), then cut the page. `total`
/// is set only when the page is not the whole list; `nextIndex` (one too high, as the server
/// computes it) only when the page is full and more items follow. `count=0` turns the cut off.
pub(crate) fn smart_list(mut items: Vec<Node>, paging: &Paging) -> Reply {
    if let Some(sort_by) = &paging.sort_by {
        items.sort_by(|a, b| {
            let order = Node::compare(a.path(sort_by), b.path(sort_by));
            if paging.descending {
                order.reverse()
            } else {
                order
            }
        });
    }
    let all = items.len();
    if paging.count == 0 {
        return Reply::List {
            page: PageMeta {
                count: as_u64(all),
                start_index: as_u64(paging.start),
                ..PageMeta::default()
            },
            items,
        };
    }
    let page: Vec<Node> = items
        .into_iter()
        .skip(paging.start)
        .take(paging.count)
        .collect();
    let more = paging.start.saturating_add(paging.count) < all;
    let meta = PageMeta {
        count: as_u64(page.len()),
        start_index: as_u64(paging.start),
        next_index: (page.len() == paging.count && more)
            .then(|| as_u64(paging.start + paging.count + 1)),
        total: (page.len() < all).then(|| as_u64(all)),
    };
    Reply::List {
        items: page,
        page: meta,
    }
}

/// `smart_list` of entities in the list form.
pub(crate) fn list_of<'a, E: Entity + 'a>(
    items: impl IntoIterator<Item = &'a E>,
    paging: &Paging,
) -> Reply {
    smart_list(items.into_iter().map(E::list_item).collect(), paging)
}

/// Each id once, ascending (as the database returns rows by id).
pub(crate) fn unique_sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// `GET .../{id}`: the row in its single form; not found is `ItemNotFoundException`.
pub(crate) fn get<E: Entity>(crm: &Crm, id: i64, positive: bool) -> Outcome {
    check_positive(positive, &[id])?;
    E::read(crm, id)
        .map(|e| Reply::One(e.one()))
        .ok_or(ApiError::NOT_FOUND)
}

/// `GET ...`: every row in the entity's order, through the generic list step.
pub(crate) fn list<E: Entity>(crm: &Crm, call: &Call) -> Outcome {
    let items: Vec<E> = E::ordered(crm)
        .into_iter()
        .filter_map(|id| E::read_listed(crm, id))
        .collect();
    Ok(list_of(&items, &call.paging))
}

/// `GET .../filter`, the DAO list (`GetDeals`, `GetAllTasks`, ...): with a `sortBy` the
/// entity knows (or none, which is its default key) the database sorts and pages and the
/// generic list step is off; with another `sortBy` every match is read in the database's
/// default order, then sorted and paged in memory. Either way `total` is set the server's
/// way: `startIndex` plus the rows read when fewer than `count + 1` came back, else the number
/// of matches.
pub(crate) fn list_filtered<E: Filtered<F> + Sorted, F>(
    crm: &Crm,
    filter: &F,
    call: &Call,
) -> Outcome {
    let paging = &call.paging;
    let mut ids = E::matching(crm, filter, call);
    let matches = ids.len();
    let asked = paging.count.saturating_add(1);
    let total = |rows: usize| {
        if rows < asked {
            as_u64(paging.start.saturating_add(rows))
        } else {
            as_u64(matches)
        }
    };
    let read = |ids: &[i64]| -> Vec<E> {
        ids.iter()
            .filter_map(|id| E::read_listed(crm, *id))
            .collect()
    };
    // No `sortBy`: the default key in its own direction, whatever `sortOrder` says
    // (`GetDeals` and `GetAllTasks` build `new OrderBy(key, true)`, CRMApi.Deals.cs:383,
    // CRMApi.Tasks.cs:114; `GetContacts` `OrderBy(Created, false)`, CRMApi.Contacts.cs:323).
    let key = match paging.sort_by.as_deref() {
        None => Some((E::DEFAULT, E::DEFAULT_DESCENDING)),
        Some(text) => sort_key::<E>(text).map(|key| (key, paging.descending)),
    };
    let Some((key, descending)) = key else {
        E::default_order(crm, &mut ids);
        let mut reply = list_of(&read(&ids), paging);
        if let Reply::List { page, .. } = &mut reply {
            page.total = Some(total(matches));
        }
        return Ok(reply);
    };
    E::sort(crm, &mut ids, key, descending);
    let rows: Vec<i64> = ids.into_iter().skip(paging.start).take(asked).collect();
    let total = total(rows.len());
    let keep = if paging.count == 0 {
        rows.len()
    } else {
        paging.count
    };
    let items: Vec<Node> = read(&rows).iter().take(keep).map(E::list_item).collect();
    let page = PageMeta {
        count: as_u64(items.len()),
        start_index: as_u64(paging.start),
        next_index: (paging.count > 0 && rows.len() > paging.count)
            .then(|| as_u64(paging.start + paging.count + 1)),
        total: Some(total),
    };
    Ok(Reply::List { items, page })
}

/// Deletes one existing row after the entity's checks; its answer.
fn delete_row<E: Entity>(crm: &mut Crm, id: i64) -> Result<E, ApiError> {
    let before = E::read(crm, id).ok_or(ApiError::NOT_FOUND)?;
    E::check_delete(crm, id)?;
    E::remove(crm, id);
    Ok(before.deleted())
}

/// `DELETE .../{id}`: the deleted row, as the entity answers it.
pub(crate) fn delete<E: Entity>(crm: &mut Crm, id: i64, positive: bool) -> Outcome {
    check_positive(positive, &[id])?;
    delete_row::<E>(crm, id).map(|e| Reply::One(e.one()))
}

/// A batch delete by ids: none is `ArgumentException`; unknown ids are skipped; the deleted
/// rows by id, in the list form.
pub(crate) fn delete_many<E: Entity>(crm: &mut Crm, ids: Vec<i64>, call: &Call) -> Outcome {
    if ids.is_empty() {
        return Err(ApiError::ARGUMENT);
    }
    let mut deleted = Vec::new();
    for id in unique_sorted(ids) {
        if E::table(crm).contains(id) {
            deleted.push(delete_row::<E>(crm, id)?);
        }
    }
    Ok(list_of(&deleted, &call.paging))
}

/// A batch delete of every row a filter matches; the deleted rows in the list form.
pub(crate) fn delete_by_filter<E: Filtered<F>, F>(
    crm: &mut Crm,
    filter: &F,
    call: &Call,
) -> Outcome {
    let mut ids = E::matching(crm, filter, call);
    E::default_order(crm, &mut ids);
    let mut deleted = Vec::new();
    for id in ids {
        deleted.push(delete_row::<E>(crm, id)?);
    }
    Ok(list_of(&deleted, &call.paging))
}

/// `POST ...`: a new row with the next id; the row in its single form (HTTP 201).
pub(crate) fn create<E: Written<F>, F>(crm: &mut Crm, fields: F) -> Outcome {
    E::check(&fields)?;
    let id = E::table(crm).next_id();
    E::write(crm, id, None, fields)?;
    E::read(crm, id)
        .map(|e| Reply::One(e.one()))
        .ok_or(ApiError::NOT_FOUND)
}

/// `PUT .../{id}`: the row replaced; the row as it is afterwards.
pub(crate) fn update<E: Written<F>, F>(crm: &mut Crm, id: i64, fields: F, positive: bool) -> Outcome
where
    E::Row: Clone,
{
    check_positive(positive, &[id])?;
    E::check(&fields)?;
    let old = E::table(crm).get(id).cloned().ok_or(ApiError::NOT_FOUND)?;
    E::write(crm, id, Some(old), fields)?;
    E::read(crm, id)
        .map(|e| Reply::One(e.one()))
        .ok_or(ApiError::NOT_FOUND)
}

/// Sets one column of an existing row; the row in its single form, or nothing for a `void`
/// method.
pub(crate) fn set_field<E: Entity, C, V: IntoColumn<C>>(
    crm: &mut Crm,
    id: i64,
    positive: bool,
    column: fn(&mut E::Row) -> &mut C,
    value: V,
    void: bool,
) -> Outcome {
    check_positive(positive, &[id])?;
    let row = E::table_mut(crm).get_mut(id).ok_or(ApiError::NOT_FOUND)?;
    *column(row) = value.into_column();
    if void {
        return Ok(Reply::Void);
    }
    E::read(crm, id)
        .map(|e| Reply::One(e.one()))
        .ok_or(ApiError::NOT_FOUND)
}

/// Each listed row takes its place in the list as its position; an unknown id fails as the
/// server does (it dereferences a missing row: a 500), before anything changes. The rows in
/// the order given.
pub(crate) fn reorder<E: Ordered>(crm: &mut Crm, ids: Vec<i64>, call: &Call) -> Outcome {
    let answer: Vec<E> = ids
        .iter()
        .map(|&id| E::read(crm, id).ok_or(ApiError::NULL_REFERENCE))
        .collect::<Result<_, _>>()?;
    for (position, id) in ids.iter().enumerate() {
        if let Some(row) = E::table_mut(crm).get_mut(*id) {
            *E::position(row) = i32::try_from(position).unwrap_or(i32::MAX);
        }
    }
    Ok(list_of(&answer, &call.paging))
}

/// The two rows a link or an unlink names, checked in the server's order; the linked one.
fn link_ends<E: Linked<L>, L: Entity>(
    crm: &Crm,
    owner: i64,
    linked: i64,
    positive: bool,
) -> Result<L, ApiError> {
    check_positive(positive, &[owner, linked])?;
    if !E::table(crm).contains(owner) {
        return Err(ApiError::NOT_FOUND);
    }
    L::read(crm, linked).ok_or(ApiError::NOT_FOUND)
}

/// `POST .../{id}/x/{id}`: links the two (again, if they are); the linked row.
pub(crate) fn link<E: Linked<L>, L: Entity>(
    crm: &mut Crm,
    owner: i64,
    linked: i64,
    positive: bool,
) -> Outcome {
    change_link::<E, L>(crm, (owner, linked), positive, E::link)
}

/// `DELETE .../{id}/x/{id}`: unlinks the two; the linked row.
pub(crate) fn unlink<E: Linked<L>, L: Entity>(
    crm: &mut Crm,
    owner: i64,
    linked: i64,
    positive: bool,
) -> Outcome {
    change_link::<E, L>(crm, (owner, linked), positive, E::unlink)
}

/// A link or an unlink once both ends are checked; the linked row.
fn change_link<E: Linked<L>, L: Entity>(
    crm: &mut Crm,
    (owner, linked): (i64, i64),
    positive: bool,
    change: fn(&mut Crm, i64, i64),
) -> Outcome {
    let answer = link_ends::<E, L>(crm, owner, linked, positive)?;
    change(crm, owner, linked);
    Ok(Reply::One(answer.one()))
}

/// `GET .../{id}/x`: what the row is linked to, in the list form.
pub(crate) fn linked<E: Linked<L>, L: Entity>(
    crm: &Crm,
    owner: i64,
    call: &Call,
    positive: bool,
) -> Outcome {
    check_positive(positive, &[owner])?;
    if !E::table(crm).contains(owner) {
        return Err(ApiError::NOT_FOUND);
    }
    let items: Vec<L> = E::linked(crm, owner)
        .into_iter()
        .filter_map(|id| L::read_listed(crm, id))
        .map(|mut item| {
            E::adjust(crm, owner, &mut item);
            item
        })
        .collect();
    Ok(list_of(&items, &call.paging))
}

/// What the unit tests of the operations and the hooks share: the seeded store and calls
/// through the generated dispatch, as a request would make them.
#[cfg(test)]
pub(crate) mod testing {
    use r7_proto::EndpointId;

    use super::{Call, Outcome};
    use crate::binder::{Paging, Params};
    use crate::seed;
    use crate::store::{Crm, Seed};
    use crate::wire::{Node, PageMeta, Reply};

    /// The seeded CRM, in a portal three hours east of UTC.
    pub(crate) fn crm() -> Crm {
        Crm::new(
            Seed {
                opportunities: seed::seed_opportunities(),
                stages: seed::seed_stages(),
                contacts: seed::seed_contacts(),
                custom_fields: seed::seed_custom_fields(),
                deal_tags: seed::seed_deal_tags(),
                tasks: seed::seed_tasks(),
                history: seed::seed_history(),
                utc_offset_minutes: 180,
            },
            seed::current_user(),
        )
    }

    /// A call with these form values and this query string.
    pub(crate) fn call(form: &str, query: &str) -> Call {
        let mut params = Params::default();
        params.add_form(form.as_bytes());
        Call {
            params,
            paging: Paging::from_query(Some(query)),
        }
    }

    /// The endpoint through the generated dispatch, its arguments bound from `call`.
    pub(crate) fn run(id: EndpointId, crm: &mut Crm, call: &Call) -> Outcome {
        let handler = crate::generated::handler(id).expect("emulated");
        handler(crm, call)
    }

    pub(crate) fn page(reply: Reply) -> (Vec<Node>, PageMeta) {
        match reply {
            Reply::List { items, page } => (items, page),
            other => panic!("not a list: {other:?}"),
        }
    }

    pub(crate) fn one(reply: Reply) -> Node {
        match reply {
            Reply::One(node) => node,
            other => panic!("not one object: {other:?}"),
        }
    }

    /// The `id` of each item.
    pub(crate) fn ids(items: &[Node]) -> Vec<i64> {
        items.iter().map(id).collect()
    }

    pub(crate) fn id(item: &Node) -> i64 {
        match item.path("id") {
            Some(Node::Integer(id)) => id.parse().expect("an integer id"),
            other => panic!("{other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_paging() {
        let nodes: Vec<Node> = (1..=5).map(|i| Node::Integer(i.to_string())).collect();
        let run = |query: &str| {
            testing::page(smart_list(nodes.clone(), &Paging::from_query(Some(query))))
        };
        let (items, meta) = run("");
        assert_eq!((items.len(), meta.total, meta.next_index), (5, None, None));
        let (items, meta) = run("count=2");
        assert_eq!(
            (items.len(), meta.total, meta.next_index),
            (2, Some(5), Some(3))
        );
        let (items, meta) = run("count=2&startIndex=4");
        assert_eq!(
            (items.len(), meta.total, meta.next_index),
            (1, Some(5), None)
        );
        let (items, meta) = run("count=5");
        assert_eq!((items.len(), meta.total), (5, None));
        let (items, meta) = run("count=0&startIndex=3");
        assert_eq!((items.len(), meta.start_index), (5, 3));
    }

    #[test]
    fn every_endpoint_the_spec_does_not_list_as_not_emulated_is_dispatched() {
        for id in r7_proto::EndpointId::ALL {
            let emulated = crate::generated::handler(*id).is_some();
            let listed = crate::generated::dispatch::NOT_EMULATED.contains(id);
            assert!(
                emulated != listed,
                "{id:?}: emulated {emulated}, listed {listed}"
            );
        }
    }

    #[test]
    fn ids_that_are_not_positive_are_refused_only_where_the_method_says() {
        use r7_proto::EndpointId::{GetOpportunity, SetOpportunityCreationDate};
        let mut crm = testing::crm();
        let zero = testing::call("opportunityid=0", "");
        assert_eq!(
            testing::run(GetOpportunity, &mut crm, &zero).unwrap_err(),
            ApiError::ARGUMENT
        );
        // SetDealCreationDate reads the deal first: 0 is simply not found.
        assert_eq!(
            testing::run(SetOpportunityCreationDate, &mut crm, &zero).unwrap_err(),
            ApiError::NOT_FOUND
        );
    }
}
