//! The portal's CRM data (deals, stages, contacts, custom fields, tags, users) and what the deal
//! and stage methods do to it, without HTTP: each method checks what the server checks, in the
//! server's order, and fails with the error the server answers.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;

use http::StatusCode;
use r7_model::{
    ApiDateTime, BidType, Contact, ContactBase, Currency, CustomField, CustomFieldType, Employee,
    Opportunity, OpportunityStage, StageType, Uuid,
};

use crate::render::ApiError;

/// The server's "lost user": what it shows for a user id it does not know.
pub(crate) const LOST_USER_ID: Uuid = Uuid::from_u128(0x4a515a15_d4d6_4b8e_828e_e0586f18f3a3);

/// The default photo of a user.
const DEFAULT_AVATAR: &str = "/skins/default/images/default_user_photo_size_32-32.png";

/// `ArgumentException` with a message of the CRM's own.
fn argument(message: &'static str) -> ApiError {
    ApiError {
        status: StatusCode::BAD_REQUEST,
        message: Cow::Borrowed(message),
        hresult: ApiError::ARGUMENT.hresult,
    }
}

/// What `NullReferenceException` answers (a 500).
pub(crate) const NULL_REFERENCE: ApiError = ApiError {
    status: StatusCode::INTERNAL_SERVER_ERROR,
    message: Cow::Borrowed("Object reference not set to an instance of an object."),
    hresult: -2147467261,
};

/// What `ArgumentNullException("prefix")` answers.
pub(crate) const PREFIX_IS_NULL: ApiError = ApiError {
    status: StatusCode::BAD_REQUEST,
    message: Cow::Borrowed("Value cannot be null.\r\nParameter name: prefix"),
    hresult: -2147467261,
};

/// Everything a deal's create or update sends (`CreateDeal`, `UpdateDeal`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DealInput {
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) responsible: Uuid,
    pub(crate) bid_type: BidType,
    pub(crate) bid_value: f64,
    pub(crate) currency: Option<String>,
    pub(crate) per_period_value: i64,
    pub(crate) stage_id: i64,
    pub(crate) success_probability: i64,
    pub(crate) actual_close_date: Option<ApiDateTime>,
    pub(crate) expected_close_date: Option<ApiDateTime>,
    pub(crate) contact_id: i64,
    pub(crate) members: Vec<i64>,
    pub(crate) custom_fields: Vec<(i64, String)>,
    pub(crate) is_private: bool,
    pub(crate) access_list: Vec<Uuid>,
}

/// The deal filter of `opportunity/filter` and the batch methods built on it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DealFilter {
    /// `Guid.Empty`: any.
    pub(crate) responsible: Uuid,
    /// 0 (or less): any.
    pub(crate) stage_id: i64,
    /// Every one of these (trimmed, case ignored).
    pub(crate) tags: Vec<String>,
    /// 0 (or less): any.
    pub(crate) contact_id: i64,
    /// `None` when not sent: sent alone, even `false` counts as a parameter given.
    pub(crate) contact_also_participant: Option<bool>,
    pub(crate) stage_type: Option<StageType>,
    /// Applied only when both are set.
    pub(crate) from: Option<ApiDateTime>,
    pub(crate) to: Option<ApiDateTime>,
    /// The search text: every word must start a word of the title or the description.
    pub(crate) search: Option<String>,
}

impl DealFilter {
    /// Whether any parameter was given (`withParams` in `DealDao.GetCrudeDeals`).
    fn is_given(&self) -> bool {
        self.search.is_some()
            || !self.responsible.is_nil()
            || self.stage_id > 0
            || !self.tags.is_empty()
            || self.contact_id > 0
            || self.stage_type.is_some()
            || self.contact_also_participant.is_some()
            || self.from.is_some()
            || self.to.is_some()
    }

    /// Whether a parameter became a condition of the query (`DealDao.WhereConditional`); the
    /// dates are a condition only as a pair, which the caller checks.
    fn has_condition(&self) -> bool {
        self.search
            .as_deref()
            .is_some_and(|text| !text.trim().is_empty())
            || !self.responsible.is_nil()
            || self.stage_id > 0
            || !self.tags.is_empty()
            || self.contact_id > 0
            || self.stage_type.is_some()
    }
}

/// The orders `opportunity/filter` sorts by in the database (`DealSortedByType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DealSort {
    Title,
    Responsible,
    Stage,
    BidValue,
    DateAndTime,
    Id,
}

impl DealSort {
    /// The order for a `sortBy` value (a name in any case, or its number); `None` for any other
    /// value, which the server sorts in memory instead.
    pub(crate) fn parse(text: &str) -> Option<DealSort> {
        const NAMES: [(&str, DealSort); 6] = [
            ("title", DealSort::Title),
            ("responsible", DealSort::Responsible),
            ("stage", DealSort::Stage),
            ("bidvalue", DealSort::BidValue),
            ("dateandtime", DealSort::DateAndTime),
            ("id", DealSort::Id),
        ];
        let text = text.trim();
        if let Ok(n) = text.parse::<usize>() {
            return NAMES.get(n).map(|(_, sort)| *sort);
        }
        NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(text))
            .map(|(_, sort)| *sort)
    }
}

/// What the emulator starts from (the parts of [`crate::Config`] about the CRM).
#[derive(Debug, Clone, Default)]
pub(crate) struct Seed {
    pub(crate) opportunities: Vec<Opportunity>,
    pub(crate) stages: Vec<OpportunityStage>,
    pub(crate) contacts: Vec<Contact>,
    pub(crate) custom_fields: Vec<CustomField>,
    pub(crate) deal_tags: Vec<(i64, Vec<String>)>,
    pub(crate) utc_offset_minutes: i16,
}

/// The portal's CRM data.
#[derive(Debug)]
pub(crate) struct Crm {
    /// Deals in their single form, as `GET opportunity/{id}` answers them.
    deals: BTreeMap<i64, Opportunity>,
    /// Stages in the order they were created; the pipeline order is `sort_order`.
    stages: Vec<OpportunityStage>,
    contacts: BTreeMap<i64, Contact>,
    /// Custom field definitions (no entity, no value).
    fields: Vec<CustomField>,
    tags: BTreeMap<i64, Vec<String>>,
    last_modified: BTreeMap<i64, Option<ApiDateTime>>,
    /// Users the portal knows, the current user first.
    employees: Vec<Employee>,
    offset: i16,
    next_deal: i64,
    next_stage: i64,
}

/// The short form of a contact, as deals embed it.
pub(crate) fn contact_from_base(base: ContactBase) -> Contact {
    {
        let mut v = Contact::default();
        v.small_foto_url = base.small_foto_url;
        v.medium_foto_url = base.medium_foto_url;
        v.display_name = base.display_name;
        v.is_company = base.is_company;
        v.access_list = base.access_list;
        v.is_private = base.is_private;
        v.is_shared = base.is_shared;
        v.share_type = base.share_type;
        v.currency = base.currency;
        v.can_edit = base.can_edit;
        v.can_delete = base.can_delete;
        v.id = base.id;
        v
    }
}

/// The currencies the emulated portal knows (`bidCurrencyAbbr`).
pub(crate) fn currency(code: &str) -> Option<Currency> {
    let (title, symbol, culture, basic) = match code {
        "RUB" => ("Rouble", "₽", "RU", false),
        "USD" => ("US Dollar", "$", "US", true),
        "EUR" => ("Euro", "€", "EU", true),
        _ => return None,
    };
    Some({
        let mut v = Currency::default();
        v.title = title.into();
        v.symbol = symbol.into();
        v.abbreviation = code.into();
        v.culture_name = culture.into();
        v.is_convertible = true;
        v.is_basic = basic;
        v
    })
}

/// A deal's close date as the server compares it: the expected one while the stage is open,
/// the actual one once closed; "no date" is the smallest.
fn close_date(deal: &Opportunity) -> i128 {
    let open = deal
        .stage
        .as_ref()
        .is_none_or(|s| s.stage_type == StageType::Open);
    let date = if open {
        deal.expected_close_date
    } else {
        deal.actual_close_date
    };
    date.map_or(i128::MIN, |d| d.unix_nanos())
}

fn instant(date: Option<ApiDateTime>) -> i128 {
    date.map_or(i128::MIN, |d| d.unix_nanos())
}

fn contact_id(deal: &Opportunity) -> i64 {
    deal.contact.as_ref().map_or(0, |c| c.id.get())
}

fn stage_id(deal: &Opportunity) -> i64 {
    deal.stage.as_ref().map_or(0, |s| s.id.get())
}

/// Whether every word of `search` starts a word of the title or the description (SQL
/// `LIKE 'w%' OR LIKE '% w%'`, case ignored).
fn matches_search(deal: &Opportunity, search: &str) -> bool {
    let title = deal.title.to_lowercase();
    let description = deal.description.to_lowercase();
    let starts_a_word =
        |text: &str, word: &str| text.starts_with(word) || text.contains(&format!(" {word}"));
    search.split_whitespace().all(|word| {
        let word = word.to_lowercase();
        starts_a_word(&title, &word) || starts_a_word(&description, &word)
    })
}

/// Removes what deleting a deal deletes with it: the server builds its answer after the rows
/// are gone, so members, custom field values and the access list are empty, and privacy is read
/// from that empty access list.
pub(crate) fn as_deleted(mut deal: Opportunity) -> Opportunity {
    deal.members.clear();
    deal.custom_fields.clear();
    deal.access_list.clear();
    deal.is_private = false;
    deal
}

impl Crm {
    pub(crate) fn new(seed: Seed, me: Employee) -> Crm {
        let mut crm = Crm {
            deals: BTreeMap::new(),
            stages: Vec::new(),
            contacts: BTreeMap::new(),
            fields: Vec::new(),
            tags: BTreeMap::new(),
            last_modified: BTreeMap::new(),
            employees: vec![me],
            offset: seed.utc_offset_minutes,
            next_deal: 1,
            next_stage: 1,
        };
        let mut stages = seed.stages;
        stages.sort_by_key(|s| s.sort_order);
        for stage in stages {
            crm.put_stage(stage);
        }
        for contact in seed.contacts {
            crm.contacts.insert(contact.id.get(), contact);
        }
        for field in seed.custom_fields {
            crm.put_field(field);
        }
        for deal in seed.opportunities {
            crm.learn_from(&deal);
            crm.deals.insert(deal.id.get(), deal);
        }
        for (deal, tags) in seed.deal_tags {
            crm.tags.entry(deal).or_default().extend(tags);
        }
        crm.next_deal = crm.deals.keys().max().map_or(1, |max| max + 1).max(1);
        crm.next_stage = crm.stages.iter().map(|s| s.id.get()).max().unwrap_or(0) + 1;
        crm
    }

    /// Adds a stage (replacing one with the same id) at the end of the pipeline unless it
    /// brings its own position.
    fn put_stage(&mut self, mut stage: OpportunityStage) {
        stage.relative_items_count = 0;
        self.stages.retain(|s| s.id != stage.id);
        if stage.sort_order == 0 && !self.stages.is_empty() {
            stage.sort_order = self.next_sort_order();
        }
        self.stages.push(stage);
    }

    fn next_sort_order(&self) -> i32 {
        self.stages
            .iter()
            .map(|s| s.sort_order)
            .max()
            .map_or(0, |max| max.saturating_add(1))
    }

    fn put_field(&mut self, mut field: CustomField) {
        field.entity_id = 0;
        field.field_value.clear();
        field.relative_items_count = 0;
        self.fields.retain(|f| f.id != field.id);
        self.fields.push(field);
        self.fields.sort_by_key(|f| (f.position, f.id));
    }

    /// Makes what a configured deal refers to exist: its stage, contacts, custom fields and
    /// users.
    fn learn_from(&mut self, deal: &Opportunity) {
        let unknown_stage = deal
            .stage
            .as_ref()
            .filter(|s| s.id.get() > 0 && self.stage_row(s.id.get()).is_none());
        if let Some(stage) = unknown_stage {
            self.put_stage({
                let mut v = stage.clone();
                v.sort_order = 0;
                v
            });
        }
        for base in deal.contact.iter().chain(&deal.members) {
            if base.id.get() > 0 && !self.contacts.contains_key(&base.id.get()) {
                self.contacts
                    .insert(base.id.get(), contact_from_base(base.clone()));
            }
        }
        for field in &deal.custom_fields {
            if !self.fields.iter().any(|f| f.id == field.id) {
                self.put_field(field.clone());
            }
        }
        for employee in deal
            .create_by
            .iter()
            .chain(&deal.responsible)
            .chain(&deal.access_list)
        {
            if !self.employees.iter().any(|e| e.id == employee.id) {
                self.employees.push(employee.clone());
            }
        }
    }

    // --- Reading ----------------------------------------------------------------------------

    /// The user every request runs as.
    pub(crate) fn me(&self) -> &Employee {
        &self.employees[0]
    }

    /// Now, in the portal's time zone.
    fn now(&self) -> ApiDateTime {
        let now = ApiDateTime::now_utc();
        now.with_offset(self.offset).unwrap_or(now)
    }

    pub(crate) fn utc_offset(&self) -> i16 {
        self.offset
    }

    /// A user as the server embeds it; an unknown id is the server's "lost user".
    fn employee(&self, id: Uuid) -> Employee {
        self.employees
            .iter()
            .find(|e| e.id == id)
            .cloned()
            .unwrap_or_else(|| {
                let mut v = Employee::default();
                v.id = LOST_USER_ID.into();
                v.display_name = "Profile removed".into();
                v.title = String::new();
                v.avatar_small = DEFAULT_AVATAR.into();
                v.profile_url = String::new();
                v
            })
    }

    pub(crate) fn deal(&self, id: i64) -> Option<&Opportunity> {
        self.deals.get(&id)
    }

    pub(crate) fn deal_ids(&self) -> Vec<i64> {
        self.deals.keys().copied().collect()
    }

    pub(crate) fn member_ids(&self, deal: i64) -> Vec<i64> {
        self.deals
            .get(&deal)
            .map(|d| d.members.iter().map(|m| m.id.get()).collect())
            .unwrap_or_default()
    }

    #[cfg(test)]
    pub(crate) fn contact(&self, id: i64) -> Option<&Contact> {
        self.contacts.get(&id)
    }

    pub(crate) fn contact_ids(&self) -> Vec<i64> {
        self.contacts.keys().copied().collect()
    }

    pub(crate) fn tags(&self, deal: i64) -> Vec<String> {
        self.tags.get(&deal).cloned().unwrap_or_default()
    }

    pub(crate) fn last_modified(&self, deal: i64) -> Option<ApiDateTime> {
        self.last_modified.get(&deal).copied().flatten()
    }

    fn stage_row(&self, id: i64) -> Option<&OpportunityStage> {
        self.stages.iter().find(|s| s.id == id)
    }

    /// Stages in pipeline order (by sort order; ties in creation order).
    fn pipeline(&self) -> Vec<&OpportunityStage> {
        let mut stages: Vec<&OpportunityStage> = self.stages.iter().collect();
        stages.sort_by_key(|s| s.sort_order);
        stages
    }

    fn deals_in_stage(&self, stage: i64) -> i64 {
        let n = self.deals.values().filter(|d| stage_id(d) == stage).count();
        i64::try_from(n).unwrap_or(i64::MAX)
    }

    /// A stage as the stage endpoints answer it: with the number of its deals, without
    /// `sortOrder`.
    pub(crate) fn stage_wrapper(&self, id: i64) -> Option<OpportunityStage> {
        self.stage_row(id).map(|stage| {
            let mut v = stage.clone();
            v.relative_items_count = self.deals_in_stage(id);
            v.sort_order = 0;
            v
        })
    }

    /// A stage with its position (`sort_order`) and the number of its deals, for the emulator's
    /// owner.
    pub(crate) fn stage_with_position(&self, id: i64) -> Option<OpportunityStage> {
        self.stage_row(id).map(|stage| {
            let mut v = stage.clone();
            v.relative_items_count = self.deals_in_stage(id);
            v
        })
    }

    pub(crate) fn stage_ids(&self) -> Vec<i64> {
        self.pipeline().iter().map(|s| s.id.get()).collect()
    }

    /// Every stage in pipeline order, as the stage endpoints answer them.
    pub(crate) fn stages(&self) -> Vec<OpportunityStage> {
        self.pipeline()
            .iter()
            .filter_map(|s| self.stage_wrapper(s.id.get()))
            .collect()
    }

    /// A stage as deals embed it: no count, no `sortOrder`.
    fn stage_embed(&self, id: i64) -> Option<OpportunityStage> {
        self.stage_row(id).map(|stage| {
            let mut v = stage.clone();
            v.relative_items_count = 0;
            v.sort_order = 0;
            v
        })
    }

    fn stage_position(&self, deal: &Opportunity) -> i32 {
        self.stage_row(stage_id(deal)).map_or(0, |s| s.sort_order)
    }

    /// The full record of a contact as the member endpoints answer it, a company with its
    /// persons. The list form (deal members) leaves out the persons and the contact type when it
    /// is written (`WireList`, from the spec).
    pub(crate) fn contact_wrapper(&self, id: i64) -> Option<Contact> {
        let mut contact = self.contacts.get(&id)?.clone();
        if contact.is_company {
            let persons: Vec<ContactBase> = self
                .contacts
                .values()
                .filter(|p| !p.is_company && p.company.as_ref().is_some_and(|c| c.id == id))
                .map(Contact::as_base)
                .collect();
            contact.persons_count = i64::try_from(persons.len()).unwrap_or(i64::MAX);
            contact.persons = persons;
        }
        Some(contact)
    }

    /// The members of a deal as full contacts, by id, the primary contact with `canEdit` false.
    pub(crate) fn members_of(&self, deal: i64) -> Option<Vec<Contact>> {
        let deal = self.deals.get(&deal)?;
        let primary = contact_id(deal);
        let mut ids: Vec<i64> = deal.members.iter().map(|m| m.id.get()).collect();
        ids.sort_unstable();
        ids.dedup();
        Some(
            ids.into_iter()
                .filter_map(|id| self.contact_wrapper(id))
                .map(|mut contact| {
                    if contact.id == primary {
                        contact.can_edit = false;
                    }
                    contact
                })
                .collect(),
        )
    }

    /// Embedded contacts for these ids: known ones only, each once, by id.
    fn member_embeds(&self, ids: impl IntoIterator<Item = i64>) -> Vec<ContactBase> {
        let mut ids: Vec<i64> = ids
            .into_iter()
            .filter(|id| self.contacts.contains_key(id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.iter()
            .filter_map(|id| self.contacts.get(id))
            .map(Contact::as_base)
            .collect()
    }

    // --- Deals ------------------------------------------------------------------------------

    /// `DemandCreateOrUpdate`: the checks of create and update, in the server's order.
    fn check_deal(
        &self,
        input: &DealInput,
    ) -> Result<(OpportunityStage, Option<ContactBase>, Currency), ApiError> {
        let currency_code = input.currency.as_deref().unwrap_or_default().to_uppercase();
        if input.title.as_deref().unwrap_or_default().is_empty()
            || input.responsible.is_nil()
            || input.stage_id <= 0
            || currency_code.is_empty()
        {
            return Err(ApiError::ARGUMENT);
        }
        let stage = self
            .stage_embed(input.stage_id)
            .ok_or_else(|| argument("Deal milestone is not found"))?;
        let contact = match input.contact_id {
            0 => None,
            id => Some(
                self.contacts
                    .get(&id)
                    .map(Contact::as_base)
                    .ok_or(ApiError::ARGUMENT)?,
            ),
        };
        let currency = currency(&currency_code).ok_or(ApiError::ARGUMENT)?;
        Ok((stage, contact, currency))
    }

    /// The access list a private deal gets: the users sent, each once, then the caller.
    fn access_list(&self, users: &[Uuid]) -> Vec<Employee> {
        let mut ids: Vec<Uuid> = Vec::new();
        for id in users.iter().copied().chain([self.me().id.get()]) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids.into_iter().map(|id| self.employee(id)).collect()
    }

    fn apply_access(&self, deal: &mut Opportunity, is_private: bool, users: &[Uuid]) {
        if is_private && !users.is_empty() {
            deal.is_private = true;
            deal.access_list = self.access_list(users);
        } else {
            deal.is_private = false;
            deal.access_list.clear();
        }
    }

    /// Sets the non-empty values of known fields; empty values cannot clear a field.
    fn apply_custom_fields(&self, deal: &mut Opportunity, values: &[(i64, String)]) {
        for (key, value) in values {
            if value.is_empty() {
                continue;
            }
            let Some(definition) = self.fields.iter().find(|f| f.id == *key) else {
                continue;
            };
            if definition.field_type == CustomFieldType::Heading {
                continue;
            }
            match deal.custom_fields.iter_mut().find(|f| f.id == *key) {
                Some(field) => field.field_value.clone_from(value),
                None => deal.custom_fields.push({
                    let mut v = definition.clone();
                    v.entity_id = deal.id.get();
                    v.field_value = value.clone();
                    v
                }),
            }
        }
        deal.custom_fields.sort_by_key(|f| (f.position, f.id));
    }

    /// `POST opportunity`: the new deal in its single form.
    pub(crate) fn create_deal(&mut self, input: DealInput) -> Result<Opportunity, ApiError> {
        let checked = self.check_deal(&input)?;
        let id = self.next_deal;
        let members = self.member_embeds(
            input
                .members
                .iter()
                .copied()
                .chain(checked.1.as_ref().map(|c| c.id.get())),
        );
        let base = {
            let mut v = Opportunity::default();
            v.create_by = Some(self.me().clone());
            v.created = Some(self.now());
            v.members = members;
            v.can_edit = true;
            v.id = id.into();
            v
        };
        let deal = self.write_input(base, input, checked);
        self.next_deal += 1;
        self.deals.insert(id, deal.clone());
        Ok(deal)
    }

    /// `PUT opportunity/{id}`: a full replacement; the deal as it is afterwards.
    pub(crate) fn update_deal(
        &mut self,
        id: i64,
        input: DealInput,
    ) -> Result<Opportunity, ApiError> {
        let Some(existing) = self.deals.get(&id) else {
            return Err(ApiError::NOT_FOUND);
        };
        let checked = self.check_deal(&input)?;
        let members = if input.members.is_empty() {
            existing.members.clone()
        } else {
            self.member_embeds(input.members.iter().copied())
        };
        let base = {
            let mut v = Opportunity::default();
            v.create_by = existing.create_by.clone();
            v.created = existing.created;
            v.members = members;
            v.is_private = existing.is_private;
            v.access_list = existing.access_list.clone();
            v.can_edit = true;
            v.custom_fields = existing.custom_fields.clone();
            v.id = id.into();
            v
        };
        // The caller is a CRM administrator, so privacy is always applied.
        let deal = self.write_input(base, input, checked);
        self.deals.insert(id, deal.clone());
        self.last_modified.insert(id, Some(self.now()));
        Ok(deal)
    }

    /// Writes what a create or an update takes from the request over `deal`: every scalar
    /// field (unset ones become their defaults, the server's full replacement), privacy and
    /// custom field values.
    fn write_input(
        &self,
        mut deal: Opportunity,
        input: DealInput,
        (stage, contact, currency): (OpportunityStage, Option<ContactBase>, Currency),
    ) -> Opportunity {
        deal.contact = contact;
        deal.title = input.title.unwrap_or_default();
        deal.description = input.description.unwrap_or_default();
        deal.responsible = Some(self.employee(input.responsible));
        deal.bid_type = input.bid_type;
        deal.bid_value = input.bid_value;
        deal.bid_currency = Some(currency);
        deal.per_period_value = i32::try_from(input.per_period_value).unwrap_or_default();
        deal.stage = Some(stage);
        deal.success_probability = input.success_probability.clamp(0, 100) as i32;
        deal.actual_close_date = input.actual_close_date;
        deal.expected_close_date = input.expected_close_date;
        self.apply_access(&mut deal, input.is_private, &input.access_list);
        self.apply_custom_fields(&mut deal, &input.custom_fields);
        deal
    }

    /// Deletes a deal with what belongs to it; the deal as the answer shows it.
    pub(crate) fn delete_deal(&mut self, id: i64) -> Option<Opportunity> {
        let deal = self.deals.remove(&id)?;
        self.tags.remove(&id);
        self.last_modified.remove(&id);
        Some(as_deleted(deal))
    }

    /// `PUT opportunity/{id}/stage/{id}` after the id checks.
    pub(crate) fn move_to_stage(
        &mut self,
        deal_id: i64,
        stage_id: i64,
    ) -> Result<Opportunity, ApiError> {
        if !self.deals.contains_key(&deal_id) {
            return Err(ApiError::NOT_FOUND);
        }
        let stage = self.stage_embed(stage_id).ok_or(ApiError::NOT_FOUND)?;
        let now = self.now();
        let deal = self.deals.get_mut(&deal_id).ok_or(ApiError::NOT_FOUND)?;
        deal.success_probability = stage.success_probability;
        deal.actual_close_date = (stage.stage_type != StageType::Open).then_some(now);
        deal.stage = Some(stage);
        let deal = deal.clone();
        self.last_modified.insert(deal_id, Some(now));
        Ok(deal)
    }

    /// Sets a deal's privacy (the caller may: it is an administrator).
    pub(crate) fn set_access(
        &mut self,
        id: i64,
        is_private: bool,
        users: &[Uuid],
    ) -> Option<Opportunity> {
        let mut deal = self.deals.get(&id)?.clone();
        self.apply_access(&mut deal, is_private, users);
        self.deals.insert(id, deal.clone());
        Some(deal)
    }

    /// Overwrites a deal's creation date.
    pub(crate) fn set_created(&mut self, id: i64, date: Option<ApiDateTime>) -> Option<()> {
        self.deals.get_mut(&id)?.created = date;
        Some(())
    }

    /// Overwrites a deal's last-modified date (which no answer shows).
    pub(crate) fn set_last_modified(&mut self, id: i64, date: Option<ApiDateTime>) -> Option<()> {
        self.deals.get(&id)?;
        self.last_modified.insert(id, date);
        Some(())
    }

    /// Links a contact to a deal (again, if it is already linked); the contact.
    pub(crate) fn add_member(&mut self, deal: i64, contact: i64) -> Result<Contact, ApiError> {
        if deal <= 0 || contact <= 0 {
            return Err(ApiError::ARGUMENT);
        }
        if !self.deals.contains_key(&deal) {
            return Err(ApiError::NOT_FOUND);
        }
        let wrapper = self.contact_wrapper(contact).ok_or(ApiError::NOT_FOUND)?;
        let ids: Vec<i64> = self.member_ids(deal).into_iter().chain([contact]).collect();
        let members = self.member_embeds(ids);
        if let Some(d) = self.deals.get_mut(&deal) {
            d.members = members;
        }
        Ok(wrapper)
    }

    /// Unlinks a contact from a deal (the primary contact too); the contact.
    pub(crate) fn remove_member(&mut self, deal: i64, contact: i64) -> Result<Contact, ApiError> {
        if deal <= 0 || contact <= 0 {
            return Err(ApiError::ARGUMENT);
        }
        if !self.deals.contains_key(&deal) {
            return Err(ApiError::NOT_FOUND);
        }
        let wrapper = self.contact_wrapper(contact).ok_or(ApiError::NOT_FOUND)?;
        if let Some(d) = self.deals.get_mut(&deal) {
            d.members.retain(|m| m.id != contact);
        }
        Ok(wrapper)
    }

    // --- Searching --------------------------------------------------------------------------

    fn has_tags(&self, deal: i64, wanted: &[String]) -> bool {
        let have: Vec<String> = self
            .tags
            .get(&deal)
            .map(|tags| tags.iter().map(|t| t.trim().to_lowercase()).collect())
            .unwrap_or_default();
        wanted
            .iter()
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .all(|t| have.contains(&t))
    }

    /// The deals that match a filter, in id order.
    pub(crate) fn matching(&self, filter: &DealFilter) -> Vec<&Opportunity> {
        let dates = filter.from.zip(filter.to);
        if dates.is_none() && filter.is_given() && !filter.has_condition() {
            // GetCrudeDeals: parameters were given but none became a condition (a lone date, a
            // blank search text, a lone contactAlsoIsParticipant), so the server answers
            // nothing rather than everything.
            return Vec::new();
        }
        self.deals
            .values()
            .filter(|d| {
                filter.responsible.is_nil()
                    || d.responsible
                        .as_ref()
                        .is_some_and(|r| r.id == filter.responsible)
            })
            .filter(|d| filter.stage_id <= 0 || stage_id(d) == filter.stage_id)
            .filter(|d| self.has_tags(d.id.get(), &filter.tags))
            .filter(|d| {
                if filter.contact_id <= 0 {
                    true
                } else if filter.contact_also_participant == Some(true) {
                    d.members.iter().any(|m| m.id == filter.contact_id)
                } else {
                    contact_id(d) == filter.contact_id
                }
            })
            .filter(|d| {
                filter.stage_type.is_none_or(|kind| {
                    self.stage_row(stage_id(d))
                        .or(d.stage.as_ref())
                        .is_some_and(|s| s.stage_type == kind)
                })
            })
            .filter(|d| {
                dates.is_none_or(|(from, to)| {
                    let at = close_date(d);
                    from.unix_nanos() <= at && at <= to.unix_nanos()
                })
            })
            .filter(|d| {
                filter
                    .search
                    .as_deref()
                    .is_none_or(|search| matches_search(d, search))
            })
            .collect()
    }

    /// Orders deals as the database does: by `sort` (reversed when `descending`), or without
    /// one by stage, contact, actual close date (latest first), expected close date and title.
    /// Ties are broken by id.
    pub(crate) fn sort_deals(
        &self,
        deals: &mut [&Opportunity],
        sort: Option<DealSort>,
        descending: bool,
    ) {
        let title = |d: &Opportunity| d.title.to_lowercase();
        deals.sort_by(|a, b| {
            let main = match sort {
                None => self
                    .stage_position(a)
                    .cmp(&self.stage_position(b))
                    .then(contact_id(a).cmp(&contact_id(b)))
                    .then(instant(b.actual_close_date).cmp(&instant(a.actual_close_date)))
                    .then(instant(a.expected_close_date).cmp(&instant(b.expected_close_date)))
                    .then_with(|| title(a).cmp(&title(b))),
                Some(sort) => {
                    let order = match sort {
                        DealSort::Title => title(a).cmp(&title(b)),
                        DealSort::Responsible => {
                            let id = |d: &Opportunity| d.responsible.as_ref().map(|r| r.id);
                            id(a).cmp(&id(b))
                        }
                        DealSort::Stage => self.stage_position(a).cmp(&self.stage_position(b)),
                        DealSort::BidValue => a
                            .bid_value
                            .partial_cmp(&b.bid_value)
                            .unwrap_or(Ordering::Equal),
                        DealSort::DateAndTime => close_date(a).cmp(&close_date(b)),
                        DealSort::Id => a.id.cmp(&b.id),
                    };
                    if descending { order.reverse() } else { order }
                }
            };
            main.then(a.id.cmp(&b.id))
        });
    }

    /// `GET opportunity/bycontact/{id}`: the contact's deals by title (its links, or the deals
    /// whose primary contact it is when they have no links).
    pub(crate) fn deals_of_contact(&self, contact: i64) -> Vec<&Opportunity> {
        if contact <= 0 {
            return Vec::new();
        }
        let mut deals: Vec<&Opportunity> = self
            .deals
            .values()
            .filter(|d| {
                d.members.iter().any(|m| m.id == contact)
                    || (d.members.is_empty() && contact_id(d) == contact)
            })
            .collect();
        self.sort_deals(&mut deals, Some(DealSort::Title), false);
        deals
    }

    /// `GET opportunity/byprefix`: the deals and, for the contact's own deals, the total.
    pub(crate) fn deals_by_prefix(
        &self,
        prefix: Option<&str>,
        contact: i64,
        internal_search: bool,
    ) -> Result<(Vec<&Opportunity>, Option<u64>), ApiError> {
        if contact > 0 && internal_search {
            let prefix = prefix.ok_or(PREFIX_IS_NULL)?;
            let mut deals: Vec<&Opportunity> = self
                .deals
                .values()
                .filter(|d| contact_id(d) == contact || d.members.iter().any(|m| m.id == contact))
                .filter(|d| d.title.contains(prefix))
                .collect();
            self.sort_deals(&mut deals, Some(DealSort::Title), false);
            let total = u64::try_from(deals.len()).unwrap_or(u64::MAX);
            return Ok((deals, Some(total)));
        }
        let prefix = prefix.ok_or(NULL_REFERENCE)?.to_lowercase();
        let mut deals: Vec<&Opportunity> = self
            .deals
            .values()
            .filter(|d| {
                let title = d.title.to_lowercase();
                prefix.split_whitespace().all(|word| title.contains(word))
            })
            .filter(|d| {
                contact <= 0
                    || !(contact_id(d) == contact || d.members.iter().any(|m| m.id == contact))
            })
            .collect();
        self.sort_deals(&mut deals, Some(DealSort::Title), false);
        deals.truncate(30);
        Ok((deals, None))
    }

    // --- Stages -----------------------------------------------------------------------------

    /// `POST opportunity/stage`.
    pub(crate) fn create_stage(
        &mut self,
        fields: StageFields,
    ) -> Result<OpportunityStage, ApiError> {
        if fields.title.as_deref().unwrap_or_default().is_empty()
            || !(0..=100).contains(&fields.success_probability)
            || fields.color.as_deref().unwrap_or_default().is_empty()
        {
            return Err(ApiError::ARGUMENT);
        }
        let id = self.next_stage;
        self.next_stage += 1;
        let stage = {
            let mut v = OpportunityStage::default();
            v.success_probability = fields.success_probability as i32;
            v.stage_type = fields.stage_type;
            v.title = fields.title.unwrap_or_default();
            v.description = fields.description.unwrap_or_default();
            v.color = fields.color.unwrap_or_default();
            v.sort_order = self.next_sort_order();
            v.id = id.into();
            v
        };
        self.stages.push(stage);
        Ok(self.stage_wrapper(id).unwrap_or_default())
    }

    /// `PUT opportunity/stage/{id}`: the stage as sent.
    pub(crate) fn update_stage(
        &mut self,
        id: i64,
        fields: StageFields,
    ) -> Result<OpportunityStage, ApiError> {
        if id <= 0
            || fields.title.as_deref().unwrap_or_default().is_empty()
            || !(0..=100).contains(&fields.success_probability)
        {
            return Err(ApiError::ARGUMENT);
        }
        if self.stage_row(id).is_none() {
            return Err(ApiError::NOT_FOUND);
        }
        if self.deals_in_stage(id) > 0 {
            return Err(argument(
                "Can't be edited. There are some opportunities at this stage.",
            ));
        }
        let stage = self
            .stages
            .iter_mut()
            .find(|s| s.id == id)
            .ok_or(ApiError::NOT_FOUND)?;
        stage.title = fields.title.unwrap_or_default();
        stage.description = fields.description.unwrap_or_default();
        stage.color = fields.color.unwrap_or_default();
        stage.success_probability = fields.success_probability as i32;
        stage.stage_type = fields.stage_type;
        Ok({
            let mut v = stage.clone();
            v.sort_order = 0;
            v
        })
    }

    /// `PUT opportunity/stage/{id}/color`; deals in the stage show the new colour too.
    pub(crate) fn set_stage_color(
        &mut self,
        id: i64,
        color: &str,
    ) -> Result<OpportunityStage, ApiError> {
        if id <= 0 {
            return Err(ApiError::ARGUMENT);
        }
        let stage = self
            .stages
            .iter_mut()
            .find(|s| s.id == id)
            .ok_or(ApiError::NOT_FOUND)?;
        color.clone_into(&mut stage.color);
        for deal in self.deals.values_mut() {
            if let Some(embedded) = deal.stage.as_mut().filter(|s| s.id == id) {
                color.clone_into(&mut embedded.color);
            }
        }
        self.stage_wrapper(id).ok_or(ApiError::NOT_FOUND)
    }

    /// `PUT opportunity/stage/reorder`: each listed stage takes its position in the list; an
    /// unknown id fails as the server does (a 500), before anything changes.
    pub(crate) fn reorder_stages(
        &mut self,
        ids: &[i64],
    ) -> Result<Vec<OpportunityStage>, ApiError> {
        let answer: Vec<OpportunityStage> = ids
            .iter()
            .map(|&id| self.stage_wrapper(id).ok_or(NULL_REFERENCE))
            .collect::<Result<_, _>>()?;
        for (position, id) in ids.iter().enumerate() {
            if let Some(stage) = self.stages.iter_mut().find(|s| s.id == *id) {
                stage.sort_order = i32::try_from(position).unwrap_or(i32::MAX);
            }
        }
        Ok(answer)
    }

    /// `DELETE opportunity/stage/{id}`.
    pub(crate) fn delete_stage(&mut self, id: i64) -> Result<OpportunityStage, ApiError> {
        if id <= 0 {
            return Err(ApiError::ARGUMENT);
        }
        let stage = self.stage_wrapper(id).ok_or(ApiError::NOT_FOUND)?;
        if stage.relative_items_count > 0 {
            return Err(argument(
                "Can't be deleted. There are some opportunities at this stage.",
            ));
        }
        self.stages.retain(|s| s.id != id);
        Ok(stage)
    }
}

/// What a stage's create or update sends.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct StageFields {
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) color: Option<String>,
    pub(crate) success_probability: i64,
    pub(crate) stage_type: StageType,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    fn crm() -> Crm {
        Crm::new(
            Seed {
                opportunities: seed::seed_opportunities(),
                stages: seed::seed_stages(),
                contacts: seed::seed_contacts(),
                custom_fields: seed::seed_custom_fields(),
                deal_tags: seed::seed_deal_tags(),
                utc_offset_minutes: 180,
            },
            seed::current_user(),
        )
    }

    fn input(title: &str, stage: i64) -> DealInput {
        DealInput {
            title: Some(title.into()),
            responsible: seed::CURRENT_USER_ID,
            stage_id: stage,
            currency: Some("rub".into()),
            ..DealInput::default()
        }
    }

    #[test]
    fn the_seed_is_consistent() {
        let crm = crm();
        assert_eq!(crm.stage_ids()[..3], [1, 2, 3]);
        assert_eq!(crm.stage_ids().len(), 10);
        for deal in crm.deals.values() {
            let stage = crm.stage_row(stage_id(deal)).expect("stage exists");
            assert_eq!(stage.stage_type, deal.stage.as_ref().unwrap().stage_type);
            for member in &deal.members {
                assert_eq!(crm.contact(member.id.get()).unwrap().as_base(), *member);
            }
        }
        assert_eq!(crm.stage_wrapper(30).unwrap().relative_items_count, 2);
        assert_eq!(crm.member_ids(1235), [101, 102]);
        assert_eq!(crm.next_deal, 1239);
        // Companies count their persons.
        let company = crm.contact_wrapper(101).unwrap();
        assert_eq!(company.persons_count, 1);
        assert_eq!(company.persons[0].id, 102);
    }

    #[test]
    fn create_checks_in_the_server_order() {
        let mut crm = crm();
        let bad = |crm: &mut Crm, input: DealInput| crm.create_deal(input).unwrap_err();
        assert_eq!(bad(&mut crm, input("", 1)), ApiError::ARGUMENT);
        assert_eq!(
            bad(
                &mut crm,
                DealInput {
                    responsible: Uuid::nil(),
                    ..input("x", 1)
                }
            ),
            ApiError::ARGUMENT
        );
        assert_eq!(bad(&mut crm, input("x", 0)), ApiError::ARGUMENT);
        assert_eq!(
            bad(&mut crm, input("x", 999)).message,
            "Deal milestone is not found"
        );
        assert_eq!(
            bad(
                &mut crm,
                DealInput {
                    contact_id: 999,
                    ..input("x", 1)
                }
            ),
            ApiError::ARGUMENT
        );
        assert_eq!(
            bad(
                &mut crm,
                DealInput {
                    currency: Some("XXX".into()),
                    ..input("x", 1)
                }
            ),
            ApiError::ARGUMENT
        );
        assert_eq!(crm.deal_ids().len(), 5);
    }

    #[test]
    fn create_adds_the_primary_contact_and_clamps() {
        let mut crm = crm();
        let deal = crm
            .create_deal(DealInput {
                contact_id: 103,
                members: vec![101, 999, 101],
                success_probability: 150,
                custom_fields: vec![(7, "A-1".into()), (8, String::new()), (99, "x".into())],
                is_private: true,
                access_list: vec![seed::CURRENT_USER_ID, Uuid::from_u128(5)],
                ..input("New", 1)
            })
            .unwrap();
        assert_eq!(deal.id, 1239);
        assert_eq!(
            deal.members.iter().map(|m| m.id).collect::<Vec<_>>(),
            [101, 103]
        );
        assert_eq!(deal.success_probability, 100);
        assert_eq!(deal.bid_currency.unwrap().abbreviation, "RUB");
        assert_eq!(deal.custom_fields.len(), 1);
        assert_eq!(
            (
                deal.custom_fields[0].entity_id,
                deal.custom_fields[0].id.get()
            ),
            (1239, 7)
        );
        assert!(deal.is_private);
        let access: Vec<Uuid> = deal.access_list.iter().map(|e| e.id.get()).collect();
        assert_eq!(access, [seed::CURRENT_USER_ID, LOST_USER_ID]);
        assert_eq!(deal.created.unwrap().offset_minutes(), 180);
        assert_eq!(crm.deals_in_stage(1), 1);
    }

    #[test]
    fn filters_and_orders() {
        let crm = crm();
        let ids = |deals: Vec<&Opportunity>| deals.iter().map(|d| d.id).collect::<Vec<_>>();
        let filter = |f: DealFilter| ids(crm.matching(&f));
        assert_eq!(
            filter(DealFilter {
                stage_id: 30,
                ..DealFilter::default()
            }),
            [1234, 1237]
        );
        assert_eq!(
            filter(DealFilter {
                tags: vec![" vip ".into(), "ЛИЦЕНЗИИ".into()],
                ..DealFilter::default()
            }),
            [1235]
        );
        assert_eq!(
            filter(DealFilter {
                contact_id: 102,
                ..DealFilter::default()
            }),
            [1237]
        );
        assert_eq!(
            filter(DealFilter {
                contact_id: 102,
                contact_also_participant: Some(true),
                ..DealFilter::default()
            }),
            [1235, 1237]
        );
        assert_eq!(
            filter(DealFilter {
                stage_type: Some(StageType::ClosedAndLost),
                ..DealFilter::default()
            }),
            [1238]
        );
        assert_eq!(
            filter(DealFilter {
                search: Some("почт".into()),
                ..DealFilter::default()
            }),
            [1236]
        );
        assert_eq!(
            filter(DealFilter {
                search: Some("120 exchange".into()),
                ..DealFilter::default()
            }),
            [1236]
        );
        assert_eq!(
            filter(DealFilter {
                search: Some("ations".into()),
                ..DealFilter::default()
            }),
            Vec::<i64>::new()
        );
        // Close dates: expected while open, actual once closed.
        assert_eq!(
            filter(DealFilter {
                from: ApiDateTime::parse("2024-02-01T00:00:00Z").ok(),
                to: ApiDateTime::parse("2024-05-01T00:00:00Z").ok(),
                ..DealFilter::default()
            }),
            [1235, 1236]
        );
        // Parameters that make no condition match nothing, unlike no parameters at all.
        for given in [
            DealFilter {
                from: ApiDateTime::parse("2024-02-01T00:00:00Z").ok(),
                ..DealFilter::default()
            },
            DealFilter {
                to: ApiDateTime::parse("2024-05-01T00:00:00Z").ok(),
                ..DealFilter::default()
            },
            DealFilter {
                search: Some("  ".into()),
                ..DealFilter::default()
            },
            DealFilter {
                contact_also_participant: Some(false),
                ..DealFilter::default()
            },
        ] {
            assert_eq!(filter(given.clone()), Vec::<i64>::new(), "{given:?}");
        }
        assert_eq!(
            filter(DealFilter {
                stage_type: Some(StageType::ClosedAndLost),
                from: ApiDateTime::parse("2024-02-01T00:00:00Z").ok(),
                ..DealFilter::default()
            }),
            [1238],
            "a lone date next to a condition is ignored"
        );
        let mut all = crm.matching(&DealFilter::default());
        crm.sort_deals(&mut all, Some(DealSort::BidValue), true);
        assert_eq!(ids(all.clone()), [1236, 1235, 1238, 1237, 1234]);
        crm.sort_deals(&mut all, None, false);
        assert_eq!(ids(all), [1234, 1237, 1235, 1236, 1238]);
        assert_eq!(DealSort::parse("BIDVALUE"), Some(DealSort::BidValue));
        assert_eq!(DealSort::parse("5"), Some(DealSort::Id));
        assert_eq!(DealSort::parse("created"), None);
    }

    #[test]
    fn a_deleted_deal_loses_what_was_deleted_with_it() {
        let mut crm = crm();
        let before = crm.deal(1237).unwrap().clone();
        assert!(before.is_private && !before.members.is_empty());
        let deleted = crm.delete_deal(1237).unwrap();
        assert!(deleted.members.is_empty() && deleted.custom_fields.is_empty());
        assert!(deleted.access_list.is_empty() && !deleted.is_private);
        assert_eq!((deleted.id, &deleted.title), (before.id, &before.title));
        assert!(crm.tags(1237).is_empty());
        assert_eq!(crm.delete_deal(1237), None);
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
        assert_eq!(crm.stage_ids(), [30, 6, 8, 9]);
        assert_eq!(crm.contact_ids(), [101, 102, 103]);
        assert_eq!(
            crm.fields.iter().map(|f| f.id).collect::<Vec<_>>(),
            [7, 8, 9]
        );
        assert!(
            crm.fields
                .iter()
                .all(|f| f.field_value.is_empty() && f.entity_id == 0)
        );
        assert_eq!(crm.employees.len(), 4, "me, Mike, Ivanova, Petrov");
    }

    #[test]
    fn stages_refuse_changes_while_they_have_deals() {
        let mut crm = crm();
        let fields = StageFields {
            title: Some("Renamed".into()),
            color: Some("#000000".into()),
            success_probability: 10,
            ..StageFields::default()
        };
        assert_eq!(
            crm.update_stage(30, fields.clone()).unwrap_err().message,
            "Can't be edited. There are some opportunities at this stage."
        );
        assert_eq!(
            crm.delete_stage(30).unwrap_err().message,
            "Can't be deleted. There are some opportunities at this stage."
        );
        let updated = crm.update_stage(1, fields.clone()).unwrap();
        assert_eq!(updated.title, "Renamed");
        let created = crm.create_stage(fields.clone()).unwrap();
        assert_eq!(created.id, 31);
        assert_eq!(*crm.stage_ids().last().unwrap(), 31);
        assert_eq!(
            crm.create_stage(StageFields {
                success_probability: 101,
                ..fields.clone()
            })
            .unwrap_err(),
            ApiError::ARGUMENT
        );
        let reordered = crm.reorder_stages(&[31, 1]).unwrap();
        assert_eq!(reordered[0].id, 31);
        assert_eq!(crm.stage_ids()[..2], [31, 1]);
        assert_eq!(crm.reorder_stages(&[31, 404]).unwrap_err(), NULL_REFERENCE);
        crm.set_stage_color(30, "#123456").unwrap();
        assert_eq!(
            crm.deal(1234).unwrap().stage.as_ref().unwrap().color,
            "#123456"
        );
        assert_eq!(crm.delete_stage(31).unwrap().id, 31);
        assert_eq!(crm.delete_stage(31).unwrap_err(), ApiError::NOT_FOUND);
    }
}
