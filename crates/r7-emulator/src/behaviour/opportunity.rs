//! Deals (`CRMApi.Deals.cs`, `DealDao.cs`): the forms built from the rows, the rule of create
//! and update, the deal filter and its orders, and the methods that fit no generic operation.

use std::cmp::Ordering;

use r7_model::{Contact, Opportunity, StageType, Uuid};
use r7_proto::crm::opportunity::OpportunitySortBy;

use crate::behaviour::{contact, opportunity_stage};
use crate::generated::args::{
    AccessArgs, ListOpportunitiesByContactArgs, ListOpportunitiesByPrefixArgs,
    OpportunityFieldsArgs, SetOpportunityAccessArgs, SetOpportunityAccessByFilterArgs,
    SetOpportunityAccessByIdsArgs, UpdateOpportunityStageArgs,
};
use crate::generated::{Wire, WireList};
use crate::ops::{
    Call, Entity, Filtered, Linked, Outcome, Sorted, Written, as_u64, list_of, smart_list,
    unique_sorted,
};
use crate::store::{Crm, DealRow, EntityLink, FieldEntity, Table};
use crate::wire::{ApiError, Node, Reply, to_node};

impl Entity for Opportunity {
    type Row = DealRow;

    fn table(crm: &Crm) -> &Table<DealRow> {
        &crm.deals
    }

    fn table_mut(crm: &mut Crm) -> &mut Table<DealRow> {
        &mut crm.deals
    }

    /// `ToOpportunityWrapper` (`CRMApi.Deals.cs:973`): the stage, the contacts, the users, the
    /// currency and the custom field values, each read from its own table. The list form
    /// (`ToListOpportunityWrapper`, `:886`) leaves out the access list of a public deal when it
    /// is written (`WireList`, from the spec).
    fn read(crm: &Crm, id: i64) -> Option<Opportunity> {
        let row = crm.deals.get(id)?;
        let mut v = Opportunity::default();
        v.create_by = row.created_by.map(|user| crm.employee(user));
        v.created = row.created;
        v.members = crm
            .deal_members
            .of(id)
            .into_iter()
            .filter_map(|member| contact::base(crm, member))
            .collect();
        v.contact = contact::base(crm, row.contact_id);
        v.title.clone_from(&row.title);
        v.description.clone_from(&row.description);
        v.responsible = row.responsible.map(|user| crm.employee(user));
        v.bid_type = row.bid_type;
        v.bid_value = row.bid_value;
        v.bid_currency = row.currency.as_deref().and_then(|code| crm.currency(code));
        v.per_period_value = row.per_period_value;
        v.stage = opportunity_stage::embed(crm, row.stage_id);
        v.success_probability = row.success_probability;
        v.actual_close_date = row.actual_close_date;
        v.expected_close_date = row.expected_close_date;
        v.is_private = row.is_private;
        v.access_list = row.access.iter().map(|user| crm.employee(*user)).collect();
        v.can_edit = row.can_edit;
        v.custom_fields = crm.field_values_of(FieldEntity::Opportunity, id);
        v.id = id.into();
        Some(v)
    }

    fn one(&self) -> Node {
        to_node(&Wire(self))
    }

    fn list_item(&self) -> Node {
        to_node(&WireList(self))
    }

    /// The database's order without a `sortBy` (`DealDao.cs:593`).
    fn default_order(crm: &Crm, ids: &mut [i64]) {
        sort_deals(crm, ids, None, false);
    }

    /// A deal goes with its tags, links and custom field values.
    fn remove(crm: &mut Crm, id: i64) {
        crm.deals.remove(id);
        crm.tags
            .remove_entity(crate::store::TagKind::Opportunity, id);
        crm.deal_members.remove_owner(id);
        crm.field_values
            .retain(|(kind, deal, _), _| !(*kind == FieldEntity::Opportunity && *deal == id));
        // The deal's history and tasks go with it (`DealDao.cs:747`).
        let this = Some((EntityLink::Opportunity, id));
        crm.history.retain(|e| e.entity != this);
        crm.tasks.retain(|t| t.entity != this);
    }

    /// `DeleteDeal` (`CRMApi.Deals.cs:469`) builds its answer after the rows are gone: members,
    /// custom field values and the access list are empty, and privacy is read from that empty
    /// access list.
    fn deleted(mut self) -> Self {
        self.members.clear();
        self.custom_fields.clear();
        self.access_list.clear();
        self.is_private = false;
        self
    }
}

impl Linked<Contact> for Opportunity {
    /// `DealDao.AddMember` (`CRMApi.Deals.cs:734`).
    fn link(crm: &mut Crm, deal: i64, contact: i64) {
        crm.deal_members.link(deal, contact);
    }

    /// `DealDao.RemoveMember` (`CRMApi.Deals.cs:769`): the primary contact too.
    fn unlink(crm: &mut Crm, deal: i64, contact: i64) {
        crm.deal_members.unlink(deal, contact);
    }

    fn linked(crm: &Crm, deal: i64) -> Vec<i64> {
        crm.deal_members.of(deal)
    }

    /// `GetDealMembers` (`CRMApi.Deals.cs:703`): the primary contact cannot be edited there.
    fn adjust(crm: &Crm, deal: i64, item: &mut Contact) {
        if crm
            .deals
            .get(deal)
            .is_some_and(|d| item.id() == d.contact_id)
        {
            match item {
                Contact::Person(v) => v.can_edit = false,
                Contact::Company(v) => v.can_edit = false,
            }
        }
    }
}

// --- Create and update ------------------------------------------------------------------------

/// The access list a private deal gets (`SetAccessToDeal`, `CRMApi.Deals.cs:125`): the users
/// sent, each once, then the caller; a deal made private with nobody listed stays public.
fn apply_access(crm: &Crm, row: &mut DealRow, is_private: bool, users: &[Uuid]) {
    if is_private && !users.is_empty() {
        let mut ids: Vec<Uuid> = Vec::new();
        for id in users.iter().copied().chain([crm.me().id.get()]) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        row.is_private = true;
        row.access = ids;
    } else {
        row.is_private = false;
        row.access.clear();
    }
}

impl Written<OpportunityFieldsArgs> for Opportunity {
    /// `CreateDeal` and `UpdateDeal` (`CRMApi.Deals.cs:510`, `:609`): `DemandCreateOrUpdate`
    /// (`:545`) checks the title, the responsible user, the stage, the contact and the currency
    /// in that order; every scalar is replaced (an update sets unsent ones to their defaults);
    /// members are replaced when some are sent (`:563`), and a create adds the primary contact
    /// to them; custom field values are set when not empty, and never cleared (`:572`).
    /// `isNotify` is bound (a bad value is a 400) but nobody is notified.
    fn write(
        crm: &mut Crm,
        id: i64,
        old: Option<DealRow>,
        fields: OpportunityFieldsArgs,
    ) -> Result<(), ApiError> {
        let currency = fields
            .bid_currency
            .as_deref()
            .unwrap_or_default()
            .to_uppercase();
        let title = fields.title.unwrap_or_default();
        if title.is_empty()
            || fields.responsible_id.is_nil()
            || fields.stage_id <= 0
            || currency.is_empty()
        {
            return Err(ApiError::ARGUMENT);
        }
        if !crm.stages.contains(fields.stage_id) {
            return Err(ApiError::argument("Deal milestone is not found"));
        }
        if fields.contact_id != 0 && !crm.contacts.contains(fields.contact_id) {
            return Err(ApiError::ARGUMENT);
        }
        if crm.currency(&currency).is_none() {
            return Err(ApiError::ARGUMENT);
        }
        let now = crm.now();
        let is_create = old.is_none();
        let mut row = DealRow {
            title,
            description: fields.description.unwrap_or_default(),
            responsible: Some(fields.responsible_id),
            bid_type: fields.bid_type,
            bid_value: fields.bid_value,
            currency: Some(currency),
            per_period_value: i32::try_from(fields.per_period_value).unwrap_or_default(),
            stage_id: fields.stage_id,
            success_probability: fields.success_probability.clamp(0, 100) as i32,
            actual_close_date: fields.actual_close_date,
            expected_close_date: fields.expected_close_date,
            contact_id: fields.contact_id,
            can_edit: true,
            ..old.unwrap_or_else(|| DealRow {
                created_by: Some(crm.me().id.get()),
                created: Some(now),
                ..DealRow::default()
            })
        };
        if !is_create {
            row.last_modified = Some(now);
        }
        // The caller is a CRM administrator, so privacy is always applied.
        apply_access(crm, &mut row, fields.is_private, &fields.access_list);
        crm.deals.insert(id, row);
        let mut members = fields.members;
        if is_create && fields.contact_id > 0 {
            members.push(fields.contact_id);
        }
        if is_create || !members.is_empty() {
            crm.deal_members.remove_owner(id);
            for member in members {
                if crm.contacts.contains(member) {
                    crm.deal_members.link(id, member);
                }
            }
        }
        // Values of the deal fields that are not empty (`CRMApi.Deals.cs:568`), stored trimmed
        // (`CustomFieldDao.SetFieldValue`); a value is never cleared here.
        let deal_fields: Vec<i64> = crm
            .fields_of(FieldEntity::Opportunity)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        for (field, value) in fields.custom_fields {
            if !value.is_empty() && deal_fields.contains(&field) {
                let key = (FieldEntity::Opportunity, id, field);
                match value.trim() {
                    "" => crm.field_values.remove(&key),
                    trimmed => crm.field_values.insert(key, trimmed.to_owned()),
                };
            }
        }
        let _not_emulated = fields.is_notify;
        Ok(())
    }
}

// --- The deal filter ----------------------------------------------------------------------------

/// The columns the spec's filter predicates read (`opportunity_filter` in groups.toml):
/// each a deal's value as `DealDao` compares it.
pub(crate) mod columns {
    use r7_model::{ApiDateTime, StageType, Uuid};

    use crate::store::{Crm, DealRow};

    pub(crate) fn responsible(_: &Crm, _: i64, row: &DealRow) -> Option<Uuid> {
        row.responsible
    }

    pub(crate) fn stage_id(_: &Crm, _: i64, row: &DealRow) -> i64 {
        row.stage_id
    }

    pub(crate) fn contact_id(_: &Crm, _: i64, row: &DealRow) -> i64 {
        row.contact_id
    }

    /// The type of the deal's stage, read from the stage.
    pub(crate) fn stage_type(crm: &Crm, _: i64, row: &DealRow) -> Option<StageType> {
        crm.stages.get(row.stage_id).map(|s| s.stage_type)
    }

    pub(crate) fn member_ids(crm: &Crm, id: i64, _: &DealRow) -> Vec<i64> {
        crm.deal_members.of(id)
    }

    pub(crate) fn tags(crm: &Crm, id: i64, _: &DealRow) -> Vec<String> {
        crm.tags(id)
    }

    /// The close date as the server compares it: the expected one while the stage is open,
    /// the actual one once closed.
    pub(crate) fn close_date(crm: &Crm, _: i64, row: &DealRow) -> Option<ApiDateTime> {
        let open = crm
            .stages
            .get(row.stage_id)
            .is_none_or(|s| s.stage_type == StageType::Open);
        if open {
            row.expected_close_date
        } else {
            row.actual_close_date
        }
    }

    pub(crate) fn title(_: &Crm, _: i64, row: &DealRow) -> String {
        row.title.clone()
    }

    pub(crate) fn description(_: &Crm, _: i64, row: &DealRow) -> String {
        row.description.clone()
    }
}

/// A deal's close date as the database orders it: "no date" first.
fn close_date(crm: &Crm, deal: &DealRow) -> i128 {
    columns::close_date(crm, 0, deal).map_or(i128::MIN, |d| d.unix_nanos())
}

/// Orders deals as `DealDao.GetCrudeDeals` does (`DealDao.cs:593`): by `sort`, each key with
/// the columns it brings after it, or with no order at all (the batch methods) by stage,
/// contact and title. Ties, which SQL leaves open, by id.
fn sort_deals(crm: &Crm, ids: &mut [i64], sort: Option<OpportunitySortBy>, descending: bool) {
    let none = DealRow::default();
    let row = |id: &i64| crm.deals.get(*id).unwrap_or(&none);
    let position = |d: &DealRow| crm.stages.get(d.stage_id).map_or(0, |s| s.sort_order);
    let instant = |date: Option<r7_model::ApiDateTime>| date.map_or(i128::MIN, |d| d.unix_nanos());
    let title = |d: &DealRow| d.title.to_lowercase();
    let way = |order: Ordering| if descending { order.reverse() } else { order };
    ids.sort_by(|ia, ib| {
        let (a, b) = (row(ia), row(ib));
        // What Stage and Responsible order by after their own columns, always ascending
        // except the actual close date.
        let then = || {
            a.contact_id
                .cmp(&b.contact_id)
                .then(instant(b.actual_close_date).cmp(&instant(a.actual_close_date)))
                .then(instant(a.expected_close_date).cmp(&instant(b.expected_close_date)))
                .then_with(|| title(a).cmp(&title(b)))
        };
        let main = match sort {
            None => position(a)
                .cmp(&position(b))
                .then(a.contact_id.cmp(&b.contact_id))
                .then_with(|| title(a).cmp(&title(b))),
            Some(OpportunitySortBy::Title) => way(title(a).cmp(&title(b))),
            Some(OpportunitySortBy::BidValue) => way(a
                .bid_value
                .partial_cmp(&b.bid_value)
                .unwrap_or(Ordering::Equal)),
            Some(OpportunitySortBy::Responsible) => way(a.responsible.cmp(&b.responsible))
                .then(way(position(a).cmp(&position(b))))
                .then_with(then),
            Some(OpportunitySortBy::Stage) => way(position(a).cmp(&position(b))).then_with(then),
            Some(OpportunitySortBy::DateAndTime) => {
                way(close_date(crm, a).cmp(&close_date(crm, b)))
            }
            Some(OpportunitySortBy::Id) => way(ia.cmp(ib)),
            // A key the spec adds later sorts by id until it is taught here.
            Some(_) => Ordering::Equal,
        };
        main.then(ia.cmp(ib))
    });
}

impl Sorted for Opportunity {
    type Key = OpportunitySortBy;

    /// `GetDeals` sorts by stage when `sortBy` is empty (`CRMApi.Deals.cs:383`).
    const DEFAULT: OpportunitySortBy = OpportunitySortBy::Stage;

    fn keys() -> &'static [OpportunitySortBy] {
        OpportunitySortBy::ALL
    }

    fn name(key: OpportunitySortBy) -> &'static str {
        key.as_str()
    }

    fn sort(crm: &Crm, ids: &mut [i64], key: OpportunitySortBy, descending: bool) {
        sort_deals(crm, ids, Some(key), descending);
    }
}

fn read_all(crm: &Crm, ids: &[i64]) -> Vec<Opportunity> {
    ids.iter()
        .filter_map(|id| Opportunity::read(crm, *id))
        .collect()
}

// --- Hooks ------------------------------------------------------------------------------------

/// `PUT opportunity/{id}/stage/{id}` (`UpdateToDealMilestone`, `CRMApi.Deals.cs:78`): binds
/// `stageid`, never the path's `{id}`; the deal takes the stage's probability, and the close
/// date becomes now for a closing stage and "no date" for an open one.
pub(crate) fn move_to_stage(crm: &mut Crm, args: UpdateOpportunityStageArgs, _: &Call) -> Outcome {
    let (deal, stage) = (args.opportunity_id, args.stage_id);
    if deal <= 0 || stage <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    if !crm.deals.contains(deal) {
        return Err(ApiError::NOT_FOUND);
    }
    let stage = crm.stages.get(stage).cloned().ok_or(ApiError::NOT_FOUND)?;
    let now = crm.now();
    let row = crm.deals.get_mut(deal).ok_or(ApiError::NOT_FOUND)?;
    row.stage_id = args.stage_id;
    row.success_probability = stage.success_probability;
    row.actual_close_date = (stage.stage_type != StageType::Open).then_some(now);
    row.last_modified = Some(now);
    Opportunity::read(crm, deal)
        .map(|d| Reply::One(d.one()))
        .ok_or(ApiError::NOT_FOUND)
}

/// Sets the privacy of each deal that exists (the caller may: it is an administrator); the
/// deals changed, in the list form.
fn set_access_of(crm: &mut Crm, ids: &[i64], access: &AccessArgs, call: &Call) -> Outcome {
    let mut changed = Vec::new();
    for &id in ids {
        let Some(mut row) = crm.deals.get(id).cloned() else {
            continue;
        };
        apply_access(crm, &mut row, access.is_private, &access.access_list);
        crm.deals.insert(id, row);
        changed.extend(Opportunity::read(crm, id));
    }
    Ok(list_of(&changed, &call.paging))
}

/// `PUT opportunity/{id}/access` (`SetAccessToDeal`, `CRMApi.Deals.cs:114`).
pub(crate) fn set_access(crm: &mut Crm, args: SetOpportunityAccessArgs, call: &Call) -> Outcome {
    let id = args.opportunity_id;
    if id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    if !crm.deals.contains(id) {
        return Err(ApiError::NOT_FOUND);
    }
    set_access_of(crm, &[id], &args.access, call)?;
    Opportunity::read(crm, id)
        .map(|d| Reply::One(d.one()))
        .ok_or(ApiError::NOT_FOUND)
}

/// `PUT opportunity/access` (`CRMApi.Deals.cs:241`): the deals that exist, by id.
pub(crate) fn set_access_by_ids(
    crm: &mut Crm,
    args: SetOpportunityAccessByIdsArgs,
    call: &Call,
) -> Outcome {
    let ids = unique_sorted(args.opportunity_ids);
    set_access_of(crm, &ids, &args.access, call)
}

/// `PUT opportunity/filter/access` (`CRMApi.Deals.cs:186`): the deals the filter matches.
pub(crate) fn set_access_by_filter(
    crm: &mut Crm,
    args: SetOpportunityAccessByFilterArgs,
    call: &Call,
) -> Outcome {
    let mut ids = Opportunity::matching(crm, &args.opportunity_filter, call);
    Opportunity::default_order(crm, &mut ids);
    set_access_of(crm, &ids, &args.access, call)
}

/// `GET opportunity/bycontact/{id}` (`CRMApi.Deals.cs:835`): the contact's deals by title (its
/// links, or the deals whose primary contact it is when they have no links).
pub(crate) fn by_contact(
    crm: &mut Crm,
    args: ListOpportunitiesByContactArgs,
    call: &Call,
) -> Outcome {
    let contact = args.contact_id;
    let mut ids: Vec<i64> = if contact <= 0 {
        Vec::new()
    } else {
        crm.deals
            .iter()
            .filter(|(id, d)| {
                let members = crm.deal_members.of(*id);
                members.contains(&contact) || (members.is_empty() && d.contact_id == contact)
            })
            .map(|(id, _)| id)
            .collect()
    };
    sort_deals(crm, &mut ids, Some(OpportunitySortBy::Title), false);
    Ok(list_of(&read_all(crm, &ids), &call.paging))
}

/// `GET opportunity/byprefix` (`GetDealsByPrefix`, `CRMApi.Deals.cs:792`). Each deal in the
/// single form; for a contact's own deals (`internalSearch`) the title must contain the prefix
/// as it is and `total` is set; otherwise every word must be in the title, case ignored, the
/// contact's deals are left out, and at most 30 come back.
pub(crate) fn by_prefix(
    crm: &mut Crm,
    args: ListOpportunitiesByPrefixArgs,
    call: &Call,
) -> Outcome {
    let contact = args.contact_id;
    let involves =
        |id: i64, d: &DealRow| d.contact_id == contact || crm.deal_members.contains(id, contact);
    let (mut ids, total): (Vec<i64>, Option<usize>) = if contact > 0 && args.internal_search {
        let prefix = args.prefix.as_deref().ok_or(ApiError::PREFIX_IS_NULL)?;
        let ids: Vec<i64> = crm
            .deals
            .iter()
            .filter(|(id, d)| involves(*id, d) && d.title.contains(prefix))
            .map(|(id, _)| id)
            .collect();
        let n = ids.len();
        (ids, Some(n))
    } else {
        let prefix = args
            .prefix
            .as_deref()
            .ok_or(ApiError::NULL_REFERENCE)?
            .to_lowercase();
        let ids = crm
            .deals
            .iter()
            .filter(|(_, d)| {
                let title = d.title.to_lowercase();
                prefix.split_whitespace().all(|word| title.contains(word))
            })
            .filter(|(id, d)| contact <= 0 || !involves(*id, d))
            .map(|(id, _)| id)
            .collect();
        (ids, None)
    };
    sort_deals(crm, &mut ids, Some(OpportunitySortBy::Title), false);
    if total.is_none() {
        ids.truncate(30);
    }
    let items = read_all(crm, &ids).iter().map(Entity::one).collect();
    let mut reply = smart_list(items, &call.paging);
    if let (Reply::List { page, .. }, Some(total)) = (&mut reply, total) {
        page.total = Some(as_u64(total));
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use r7_model::ApiDateTime;
    use r7_proto::EndpointId;

    use super::*;
    use crate::generated::args::OpportunityFilterArgs;
    use crate::ops::testing::{call, crm, id, ids, one, page, run};
    use crate::ops::{self, Entity};
    use crate::seed;
    use crate::store::{LOST_USER_ID, Seed};
    use crate::wire::PageMeta;

    fn fields(title: &str, stage: i64) -> OpportunityFieldsArgs {
        OpportunityFieldsArgs {
            title: Some(title.into()),
            responsible_id: seed::CURRENT_USER_ID,
            stage_id: stage,
            bid_currency: Some("rub".into()),
            ..OpportunityFieldsArgs::default()
        }
    }

    fn create(crm: &mut Crm, fields: OpportunityFieldsArgs) -> Result<Opportunity, ApiError> {
        let reply = ops::create::<Opportunity, _>(crm, fields)?;
        Ok(Opportunity::read(crm, id(&one(reply))).expect("created"))
    }

    #[test]
    fn the_seed_is_consistent() {
        let crm = crm();
        let pipeline = <r7_model::OpportunityStage as Entity>::ordered(&crm);
        assert_eq!((&pipeline[..3], pipeline.len()), (&[1, 2, 3][..], 10));
        for (deal, row) in crm.deals.iter() {
            assert!(crm.stages.contains(row.stage_id), "deal {deal}");
            for member in crm.deal_members.of(deal) {
                assert!(
                    crm.contacts.contains(member),
                    "deal {deal}, member {member}"
                );
            }
        }
        assert_eq!(crm.deals_in_stage(30), 2);
        assert_eq!(crm.deal_members.of(1235), [101, 102]);
        assert_eq!(crm.deals.next_id(), 1239);
        // Companies count their people (the single form does not list them); persons show
        // their company.
        let Some(Contact::Company(company)) = Contact::read(&crm, 101) else {
            panic!("101 is a company");
        };
        assert_eq!(company.persons_count, 1);
        assert!(company.persons.is_empty() && company.tags.is_empty());
        assert_eq!(Contact::read_listed(&crm, 101).unwrap().tags(), ["Клиент"]);
        let Some(Contact::Person(person)) = Contact::read(&crm, 102) else {
            panic!("102 is a person");
        };
        assert_eq!(person.company.unwrap().id, 101);
    }

    #[test]
    fn a_row_changed_once_shows_in_every_answer_that_embeds_it() {
        let mut crm = crm();
        crm.contacts.get_mut(101).unwrap().company_name = "Renamed Ltd".into();
        let deal = Opportunity::read(&crm, 1235).unwrap();
        assert_eq!(deal.members[0].display_name, "Renamed Ltd");
        let Some(Contact::Person(person)) = Contact::read(&crm, 102) else {
            panic!("102 is a person");
        };
        assert_eq!(person.company.unwrap().display_name, "Renamed Ltd");
        run(
            EndpointId::UpdateOpportunityStageColor,
            &mut crm,
            &call("id=30&color=%23123456", ""),
        )
        .unwrap();
        for deal in [1234, 1237] {
            let stage = Opportunity::read(&crm, deal).unwrap().stage.unwrap();
            assert_eq!((stage.id.get(), stage.color.as_str()), (30, "#123456"));
        }
    }

    #[test]
    fn create_checks_in_the_server_order() {
        let mut crm = crm();
        let mut bad = |f: OpportunityFieldsArgs| create(&mut crm, f).unwrap_err();
        assert_eq!(bad(fields("", 1)), ApiError::ARGUMENT);
        let nobody = OpportunityFieldsArgs {
            responsible_id: Uuid::nil(),
            ..fields("x", 1)
        };
        assert_eq!(bad(nobody), ApiError::ARGUMENT);
        assert_eq!(bad(fields("x", 0)), ApiError::ARGUMENT);
        assert_eq!(bad(fields("x", 999)).message, "Deal milestone is not found");
        let unknown_contact = OpportunityFieldsArgs {
            contact_id: 999,
            ..fields("x", 1)
        };
        assert_eq!(bad(unknown_contact), ApiError::ARGUMENT);
        let unknown_currency = OpportunityFieldsArgs {
            bid_currency: Some("XXX".into()),
            ..fields("x", 1)
        };
        assert_eq!(bad(unknown_currency), ApiError::ARGUMENT);
        assert_eq!(crm.deals.ids().len(), 5);
    }

    #[test]
    fn create_adds_the_primary_contact_and_clamps() {
        let mut crm = crm();
        let deal = create(
            &mut crm,
            OpportunityFieldsArgs {
                contact_id: 103,
                members: vec![101, 999, 101],
                success_probability: 150,
                custom_fields: vec![(7, "A-1".into()), (8, String::new()), (99, "x".into())],
                is_private: true,
                access_list: vec![seed::CURRENT_USER_ID, Uuid::from_u128(5)],
                ..fields("New", 1)
            },
        )
        .unwrap();
        assert_eq!(deal.id, 1239);
        let members: Vec<i64> = deal.members.iter().map(|m| m.id.get()).collect();
        assert_eq!(members, [101, 103]);
        assert_eq!(deal.success_probability, 100);
        assert_eq!(deal.bid_currency.unwrap().abbreviation, "RUB");
        assert_eq!(deal.custom_fields.len(), 1);
        let field = &deal.custom_fields[0];
        assert_eq!((field.entity_id, field.id.get()), (1239, 7));
        assert!(deal.is_private);
        let access: Vec<Uuid> = deal.access_list.iter().map(|e| e.id.get()).collect();
        assert_eq!(access, [seed::CURRENT_USER_ID, LOST_USER_ID]);
        assert_eq!(deal.created.unwrap().offset_minutes(), 180);
        assert_eq!(crm.deals_in_stage(1), 1);
    }

    #[test]
    fn an_update_replaces_the_fields_and_keeps_what_it_does_not_send() {
        let mut crm = crm();
        let before = Opportunity::read(&crm, 1235).unwrap();
        ops::update::<Opportunity, _>(&mut crm, 1235, fields("Replaced", 30), false).unwrap();
        let after = Opportunity::read(&crm, 1235).unwrap();
        assert_eq!((after.title.as_str(), after.bid_value), ("Replaced", 0.0));
        assert_eq!(after.members, before.members, "no members sent: kept");
        assert_eq!(
            after.custom_fields, before.custom_fields,
            "values are never cleared"
        );
        assert_eq!(
            (after.created, &after.create_by),
            (before.created, &before.create_by)
        );
        assert!(crm.deals.get(1235).unwrap().last_modified.is_some());
        assert_eq!(
            ops::update::<Opportunity, _>(&mut crm, 4040, fields("x", 30), false).unwrap_err(),
            ApiError::NOT_FOUND
        );
    }

    /// The deals the filter group selects, through its generated predicates.
    fn filter(crm: &Crm, args: OpportunityFilterArgs, search: Option<&str>) -> Vec<i64> {
        let mut call = call("", "");
        call.paging.filter_value = search.map(str::to_owned);
        Opportunity::matching(crm, &args, &call)
    }

    #[test]
    fn filters() {
        let crm = crm();
        let f = OpportunityFilterArgs::default;
        let date = |text: &str| ApiDateTime::parse(text).ok();
        let by = |args: OpportunityFilterArgs| filter(&crm, args, None);
        assert_eq!(
            by(OpportunityFilterArgs {
                stage_id: 30,
                ..f()
            }),
            [1234, 1237]
        );
        let tags = vec![" vip ".into(), "ЛИЦЕНЗИИ".into()];
        assert_eq!(by(OpportunityFilterArgs { tags, ..f() }), [1235]);
        assert_eq!(
            by(OpportunityFilterArgs {
                contact_id: 102,
                ..f()
            }),
            [1237]
        );
        let participant = OpportunityFilterArgs {
            contact_id: 102,
            contact_also_is_participant: Some(true),
            ..f()
        };
        assert_eq!(by(participant), [1235, 1237]);
        let lost = OpportunityFilterArgs {
            stage_type: Some(StageType::ClosedAndLost),
            ..f()
        };
        assert_eq!(by(lost), [1238]);
        assert_eq!(filter(&crm, f(), Some("почт")), [1236]);
        assert_eq!(filter(&crm, f(), Some("120 exchange")), [1236]);
        assert!(filter(&crm, f(), Some("ations")).is_empty());
        // Close dates: expected while open, actual once closed.
        let range = OpportunityFilterArgs {
            from_date: date("2024-02-01T00:00:00Z"),
            to_date: date("2024-05-01T00:00:00Z"),
            ..f()
        };
        assert_eq!(by(range), [1235, 1236]);
        // Parameters that make no condition match nothing, unlike no parameters at all.
        let lone_from = OpportunityFilterArgs {
            from_date: date("2024-02-01T00:00:00Z"),
            ..f()
        };
        assert!(by(lone_from).is_empty());
        let lone_to = OpportunityFilterArgs {
            to_date: date("2024-05-01T00:00:00Z"),
            ..f()
        };
        assert!(by(lone_to).is_empty());
        assert!(filter(&crm, f(), Some("  ")).is_empty());
        let lone_participant = OpportunityFilterArgs {
            contact_also_is_participant: Some(false),
            ..f()
        };
        assert!(by(lone_participant).is_empty());
        let lone_date_next_to_a_condition = OpportunityFilterArgs {
            stage_type: Some(StageType::ClosedAndLost),
            from_date: date("2024-02-01T00:00:00Z"),
            ..f()
        };
        assert_eq!(by(lone_date_next_to_a_condition), [1238]);
        assert_eq!(by(f()).len(), 5);
    }

    #[test]
    fn orders() {
        let crm = crm();
        let mut all = crm.deals.ids();
        sort_deals(&crm, &mut all, Some(OpportunitySortBy::BidValue), true);
        assert_eq!(all, [1236, 1235, 1238, 1237, 1234]);
        sort_deals(&crm, &mut all, None, false);
        assert_eq!(all, [1234, 1237, 1235, 1236, 1238]);
        assert_eq!(
            ops::sort_key::<Opportunity>("BIDVALUE"),
            Some(OpportunitySortBy::BidValue)
        );
        assert_eq!(
            ops::sort_key::<Opportunity>("5"),
            Some(OpportunitySortBy::Id)
        );
        assert_eq!(ops::sort_key::<Opportunity>("created"), None);
    }

    #[test]
    fn each_key_brings_the_columns_the_database_orders_by_after_it() {
        let mut crm = crm();
        let date = |text: &str| ApiDateTime::parse(text).ok();
        // Two deals in one stage, with no contact: "b" closed later than "a", and was created
        // after it, so that no order here can come from the ids.
        let earlier = create(
            &mut crm,
            OpportunityFieldsArgs {
                actual_close_date: date("2024-01-01T00:00:00Z"),
                ..fields("a", 1)
            },
        )
        .unwrap();
        let later = create(
            &mut crm,
            OpportunityFieldsArgs {
                actual_close_date: date("2024-06-01T00:00:00Z"),
                ..fields("b", 1)
            },
        )
        .unwrap();
        let (later, earlier) = (later.id.get(), earlier.id.get());
        let mut pair = [earlier, later];
        // Stage: the stage, then the contact, then the latest actual close date first.
        sort_deals(&crm, &mut pair, Some(OpportunitySortBy::Stage), false);
        assert_eq!(pair, [later, earlier]);
        // Descending reverses the stage only; the columns after it stay as they are.
        sort_deals(&crm, &mut pair, Some(OpportunitySortBy::Stage), true);
        assert_eq!(pair, [later, earlier]);
        // No order at all (the batch methods): stage, contact, title.
        sort_deals(&crm, &mut pair, None, false);
        assert_eq!(pair, [earlier, later]);
        // Responsible: the same user, so the stage's columns decide.
        sort_deals(&crm, &mut pair, Some(OpportunitySortBy::Responsible), true);
        assert_eq!(pair, [later, earlier]);
    }

    #[test]
    fn a_deleted_deal_loses_what_was_deleted_with_it() {
        let mut crm = crm();
        let before = Opportunity::read(&crm, 1237).unwrap();
        assert!(before.is_private && !before.members.is_empty());
        let answer = one(ops::delete::<Opportunity>(&mut crm, 1237, true).unwrap());
        assert!(matches!(answer.path("members"), Some(Node::Array(m)) if m.is_empty()));
        assert!(matches!(answer.path("isPrivate"), Some(Node::Bool(false))));
        assert_eq!(id(&answer), 1237);
        assert!(crm.tags(1237).is_empty() && crm.deal_members.of(1237).is_empty());
        assert!(!crm.field_values.keys().any(|(_, deal, _)| *deal == 1237));
        assert_eq!(
            ops::delete::<Opportunity>(&mut crm, 1237, true).unwrap_err(),
            ApiError::NOT_FOUND
        );
    }

    #[test]
    fn a_configured_deal_brings_what_it_refers_to() {
        let crm = Crm::new(
            Seed {
                opportunities: seed::seed_opportunities(),
                ..Seed::default()
            },
            seed::current_user(),
        );
        let pipeline = <r7_model::OpportunityStage as Entity>::ordered(&crm);
        assert_eq!(pipeline, [30, 6, 8, 9]);
        assert_eq!(crm.contacts.ids(), [101, 102, 103]);
        // The definitions the deals' values refer to, as deal fields.
        assert_eq!(crm.fields.ids(), [7, 8, 9]);
        assert!(
            crm.fields
                .iter()
                .all(|(_, f)| f.entity == FieldEntity::Opportunity)
        );
        assert_eq!(crm.employees.len(), 4, "me, Mike, Ivanova, Petrov");
    }

    fn list(crm: &mut Crm, form: &str, query: &str) -> (Vec<i64>, PageMeta) {
        let reply = run(EndpointId::ListOpportunities, crm, &call(form, query)).unwrap();
        let (items, meta) = page(reply);
        (ids(&items), meta)
    }

    #[test]
    fn the_filter_pages_in_the_database_and_always_counts() {
        let mut crm = crm();
        let (items, meta) = list(&mut crm, "", "count=2");
        assert_eq!(items, [1234, 1237]);
        assert_eq!((meta.total, meta.next_index), (Some(5), Some(3)));
        let (items, meta) = list(&mut crm, "", "count=2&startIndex=4");
        assert_eq!(items, [1238]);
        assert_eq!(
            (meta.total, meta.next_index, meta.start_index),
            (Some(5), None, 4)
        );
        // Without sortBy the order is the stage's, ascending even when descending is asked.
        let (ascending, _) = list(&mut crm, "", "");
        assert_eq!(list(&mut crm, "", "sortOrder=descending").0, ascending);
        let (items, meta) = list(&mut crm, "", "sortBy=id&sortOrder=descending");
        assert_eq!((items[0], meta.total), (1238, Some(5)));
        // An unknown sortBy sorts in memory by that member (a missing one first).
        let (items, meta) = list(&mut crm, "", "sortBy=successProbability");
        assert_eq!(items, [1238, 1237, 1234, 1235, 1236]);
        assert_eq!(meta.total, Some(5));
        let query = "sortBy=responsible.displayName&sortOrder=descending&count=1";
        assert_eq!(list(&mut crm, "", query).0, [1235]);
        // count=0 returns at most one row.
        let (items, meta) = list(&mut crm, "", "count=0");
        assert_eq!((items.len(), meta.total), (1, Some(5)));
        // Nothing found: total 0.
        let (items, meta) = list(&mut crm, "", "filterValue=zzz");
        assert_eq!((items.len(), meta.total), (0, Some(0)));
        // Bad values are 400s.
        for bad in [
            "stageType=x",
            "fromDate=yesterday",
            "responsibleid=x",
            "opportunityStagesid=x",
        ] {
            let reply = run(EndpointId::ListOpportunities, &mut crm, &call(bad, ""));
            assert!(reply.is_err(), "{bad}");
        }
    }

    #[test]
    fn list_form_leaves_out_the_access_list_of_public_deals() {
        let crm = crm();
        let public = Opportunity::read(&crm, 1235).unwrap().list_item();
        assert!(public.path("accessList").is_none());
        assert!(public.path("members").is_some());
        let private = Opportunity::read(&crm, 1237).unwrap().list_item();
        assert!(matches!(private.path("accessList"), Some(Node::Array(a)) if a.len() == 2));
    }

    #[test]
    fn the_stage_route_reads_stageid_not_the_path() {
        let mut crm = crm();
        let path_only = call("opportunityid=1235&id=8", "");
        let error = run(EndpointId::UpdateOpportunityStage, &mut crm, &path_only).unwrap_err();
        assert_eq!(error, ApiError::ARGUMENT);
        let with_stage = call("opportunityid=1235&id=8&stageid=9", "");
        run(EndpointId::UpdateOpportunityStage, &mut crm, &with_stage).unwrap();
        assert_eq!(crm.deals.get(1235).unwrap().stage_id, 9);
    }

    #[test]
    fn the_store_serves_the_seed_sample_without_what_no_server_writes() {
        // Deal 1234 is configured as the seed page's sample. Written as configured, it keeps the
        // sample's contact with id 0 and its stage's sortOrder; served from the store, which
        // builds every embed from its row as the server does, it has neither.
        let configured = seed::seed_opportunities()
            .into_iter()
            .find(|d| d.id == 1234)
            .expect("the seed deal");
        let text = |deal: &Opportunity| {
            String::from_utf8(crate::wire::to_json(&deal.one()).expect("written")).expect("UTF-8")
        };
        let served = text(&Opportunity::read(&crm(), 1234).expect("seeded"));
        let contact = concat!(
            r#""contact":{"smallFotoUrl":"url to foto","displayName":"Tadjeddine Bachir","#,
            r#""isCompany":false,"isPrivate":true,"isShared":false,"shareType":0,"#,
            r#""currency":null,"canEdit":false,"canDelete":false,"id":0},"#
        );
        let with_both = served
            .replacen(
                r#""title":"Hotel"#,
                &format!(r#"{contact}"title":"Hotel"#),
                1,
            )
            .replacen(
                r##""color":"#B9AFD3","##,
                r##""color":"#B9AFD3","sortOrder":2,"##,
                1,
            );
        assert_eq!(text(&configured), with_both);
    }
}
