//! The portal's CRM data, normalised as the server's database is: one table of rows per entity,
//! rows that refer to each other by id, and link tables for the many-to-many relations. No row
//! is a wire type: every answer is built from the rows when it is read (`behaviour/`), so a row
//! changed once shows everywhere it is embedded, with no fan-out code.

use std::collections::{BTreeMap, BTreeSet};

use r7_model::{
    ApiDateTime, BidType, Contact, ContactBase, ContactInfoType, Currency, CustomField,
    CustomFieldType, Employee, HistoryEvent, LinkedEntity, Opportunity, OpportunityStage,
    ShareType, StageType, Task, Uuid,
};

/// The server's "lost user": what it shows for a user id it does not know.
pub(crate) const LOST_USER_ID: Uuid = Uuid::from_u128(0x4a515a15_d4d6_4b8e_828e_e0586f18f3a3);

/// The default photo of a user.
const DEFAULT_AVATAR: &str = "/skins/default/images/default_user_photo_size_32-32.png";

/// Rows by id, and the id the next insert gets (one above the largest ever stored, as an
/// auto-increment column).
#[derive(Debug, Clone)]
pub(crate) struct Table<R> {
    rows: BTreeMap<i64, R>,
    next_id: i64,
}

impl<R> Default for Table<R> {
    fn default() -> Self {
        Table {
            rows: BTreeMap::new(),
            next_id: 1,
        }
    }
}

impl<R> Table<R> {
    pub(crate) fn get(&self, id: i64) -> Option<&R> {
        self.rows.get(&id)
    }

    pub(crate) fn get_mut(&mut self, id: i64) -> Option<&mut R> {
        self.rows.get_mut(&id)
    }

    pub(crate) fn contains(&self, id: i64) -> bool {
        self.rows.contains_key(&id)
    }

    /// Stores `row` under `id` (replacing the row there).
    pub(crate) fn insert(&mut self, id: i64, row: R) {
        self.next_id = self.next_id.max(id.saturating_add(1));
        self.rows.insert(id, row);
    }

    /// The id the next new row gets.
    pub(crate) fn next_id(&self) -> i64 {
        self.next_id
    }

    pub(crate) fn remove(&mut self, id: i64) -> Option<R> {
        self.rows.remove(&id)
    }

    /// Deletes the rows `keep` says no to (a `DELETE ... WHERE`).
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&R) -> bool) {
        self.rows.retain(|_, row| keep(row));
    }

    /// Every id, ascending.
    pub(crate) fn ids(&self) -> Vec<i64> {
        self.rows.keys().copied().collect()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (i64, &R)> {
        self.rows.iter().map(|(id, row)| (*id, row))
    }

    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (i64, &mut R)> {
        self.rows.iter_mut().map(|(id, row)| (*id, row))
    }
}

/// A many-to-many relation: pairs of (owner id, linked id), each pair once.
#[derive(Debug, Clone, Default)]
pub(crate) struct Links(BTreeSet<(i64, i64)>);

impl Links {
    /// Links the two (again, if they already are: nothing changes).
    pub(crate) fn link(&mut self, owner: i64, linked: i64) {
        self.0.insert((owner, linked));
    }

    pub(crate) fn unlink(&mut self, owner: i64, linked: i64) {
        self.0.remove(&(owner, linked));
    }

    /// What `owner` is linked to, ascending.
    pub(crate) fn of(&self, owner: i64) -> Vec<i64> {
        self.0
            .range((owner, i64::MIN)..=(owner, i64::MAX))
            .map(|(_, linked)| *linked)
            .collect()
    }

    pub(crate) fn contains(&self, owner: i64, linked: i64) -> bool {
        self.0.contains(&(owner, linked))
    }

    /// Drops every link of `owner`.
    /// Removes every pair that links to `linked`.
    pub(crate) fn remove_linked(&mut self, linked: i64) {
        self.0.retain(|(_, l)| *l != linked);
    }

    pub(crate) fn remove_owner(&mut self, owner: i64) {
        self.0.retain(|(o, _)| *o != owner);
    }
}

/// How a bound argument is stored in a column: as it is, or a `string` the method may get as
/// `null` stored as the empty text the database reads back.
pub(crate) trait IntoColumn<C> {
    fn into_column(self) -> C;
}

impl<T> IntoColumn<T> for T {
    fn into_column(self) -> T {
        self
    }
}

impl IntoColumn<String> for Option<String> {
    fn into_column(self) -> String {
        self.unwrap_or_default()
    }
}

/// A deal (`crm_deal`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DealRow {
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) responsible: Option<Uuid>,
    pub(crate) bid_type: BidType,
    pub(crate) bid_value: f64,
    /// The currency's code (`bid_currency`).
    pub(crate) currency: Option<String>,
    pub(crate) per_period_value: i32,
    /// `deal_milestone_id`; 0 for none.
    pub(crate) stage_id: i64,
    pub(crate) success_probability: i32,
    pub(crate) actual_close_date: Option<ApiDateTime>,
    pub(crate) expected_close_date: Option<ApiDateTime>,
    /// The primary contact; 0 for none.
    pub(crate) contact_id: i64,
    pub(crate) is_private: bool,
    /// Who may see it when private (the access list of `CRMSecurity`).
    pub(crate) access: Vec<Uuid>,
    pub(crate) created_by: Option<Uuid>,
    pub(crate) created: Option<ApiDateTime>,
    /// Which no answer shows.
    pub(crate) last_modified: Option<ApiDateTime>,
    pub(crate) can_edit: bool,
}

/// A deal stage (`crm_deal_milestone`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct StageRow {
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) color: String,
    pub(crate) success_probability: i32,
    pub(crate) stage_type: StageType,
    /// The position in the pipeline.
    pub(crate) sort_order: i32,
}

/// A person or a company (`crm_contact`), by its columns. What a contact shows beyond them
/// (its company, its details, its tags, counts) is read from the other tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ContactRow {
    pub(crate) is_company: bool,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) company_name: String,
    /// A person's job title.
    pub(crate) title: String,
    /// `notes`: `NULL` after a create or update that sent none.
    pub(crate) about: Option<String>,
    pub(crate) industry: String,
    /// A contact status's id (`status_id`); 0 for none.
    pub(crate) status_id: i64,
    /// A contact type's id (`contact_type_id`); 0 for none.
    pub(crate) contact_type_id: i64,
    /// The company a person works for (`company_id`); 0 for none.
    pub(crate) company_id: i64,
    /// `is_shared`: `None` for a private contact.
    pub(crate) share_type: ShareType,
    /// The users of the contact's access list, in the order given.
    pub(crate) access: Vec<Uuid>,
    /// A currency's code.
    pub(crate) currency: Option<String>,
    pub(crate) created: Option<ApiDateTime>,
    pub(crate) created_by: Uuid,
    /// Which no answer shows.
    pub(crate) last_modified: Option<ApiDateTime>,
}

impl ContactRow {
    /// `GetTitle` (`Contact.cs:59`): a company's name, a person's first and last names with a
    /// space between (even when the last name is empty).
    pub(crate) fn display_name(&self) -> String {
        if self.is_company {
            self.company_name.clone()
        } else {
            format!("{} {}", self.first_name, self.last_name)
        }
    }
}

/// A contact's detail (`crm_contact_info`): a phone, an e-mail, an address (its `data` a JSON
/// text) and so on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ContactInfoRow {
    pub(crate) contact_id: i64,
    pub(crate) info_type: ContactInfoType,
    pub(crate) category: i32,
    pub(crate) data: String,
    pub(crate) is_primary: bool,
}

/// The entity types that carry tags (the server's `EntityType`: Contact 0, Opportunity 1,
/// Case 7). Persons and companies carry contact tags (`TagDao.AddTagToContacts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum TagKind {
    Contact,
    Opportunity,
    Case,
}

/// The entity types that have custom fields (the server's `EntityType`: Contact 0,
/// Opportunity 1, Company 4, Person 5, Case 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum FieldEntity {
    Contact,
    Opportunity,
    Company,
    Person,
    Case,
}

/// A custom field's definition (`crm_field_description`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldRow {
    pub(crate) entity: FieldEntity,
    pub(crate) label: String,
    pub(crate) field_type: CustomFieldType,
    /// As stored: JSON text, or empty.
    pub(crate) mask: String,
    pub(crate) sort_order: i64,
}

/// The configurable lists of the CRM (`ListType`: ContactStatus 1, TaskCategory 2,
/// HistoryCategory 3, ContactType 4), all in one table as the server keeps them
/// (`crm_list_item`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListKind {
    ContactStatus,
    TaskCategory,
    HistoryCategory,
    ContactType,
}

/// An entry of a list (`crm_list_item`): the columns the server may leave `NULL` are options.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ListItemRow {
    pub(crate) kind: ListKind,
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    pub(crate) color: Option<String>,
    /// The icon's file name (`additional_params`).
    pub(crate) image: Option<String>,
    pub(crate) sort_order: i32,
}

/// A task (`crm_task`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TaskRow {
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    pub(crate) deadline: Option<ApiDateTime>,
    pub(crate) responsible: Uuid,
    pub(crate) category_id: i64,
    /// 0 for none.
    pub(crate) contact_id: i64,
    /// The deal or case it belongs to, with its id; `None` for neither.
    pub(crate) entity: Option<(EntityLink, i64)>,
    pub(crate) is_closed: bool,
    pub(crate) alert_value: i32,
    pub(crate) created: Option<ApiDateTime>,
    pub(crate) created_by: Uuid,
    /// Which no answer shows.
    pub(crate) last_modified: Option<ApiDateTime>,
}

/// What a task or a history event can belong to besides its contact (`EntityType`
/// Opportunity 1, Case 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntityLink {
    Opportunity,
    Case,
}

/// The deal or case a wire form links to (`entityType` `opportunity` or `case`).
fn entity_link(entity: &LinkedEntity) -> Option<(EntityLink, i64)> {
    match entity.entity_type.as_str() {
        "opportunity" => Some((EntityLink::Opportunity, entity.entity_id)),
        "case" => Some((EntityLink::Case, entity.entity_id)),
        _ => None,
    }
}

/// An event of the history (`crm_relationship_event`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct HistoryRow {
    /// 0 for none.
    pub(crate) contact_id: i64,
    /// The deal or case it is on, with its id; `None` for neither.
    pub(crate) entity: Option<(EntityLink, i64)>,
    pub(crate) content: String,
    /// Any list's entry, or a system category (negative).
    pub(crate) category_id: i64,
    pub(crate) created: Option<ApiDateTime>,
    pub(crate) created_by: Uuid,
    /// The Documents files attached (`RelationshipEvent_<id>` tags), which need not exist.
    pub(crate) file_ids: Vec<i64>,
}

/// A tag (`crm_tag`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TagRow {
    pub(crate) kind: TagKind,
    /// As first created, corrected (`TagDao.CorrectTag`).
    pub(crate) title: String,
}

/// The tags and what carries them (`crm_tag`, `crm_entity_tag`).
#[derive(Debug, Default)]
pub(crate) struct Tags {
    pub(crate) rows: Table<TagRow>,
    /// (kind, entity id, tag id), each once (the table's primary key).
    links: BTreeSet<(TagKind, i64, i64)>,
}

impl Tags {
    /// `TagDao.CorrectTag` (`TagDao.cs:408`): trimmed, line breaks removed.
    pub(crate) fn correct(name: &str) -> String {
        name.trim().replace(['\r', '\n'], "")
    }

    /// The tag of `kind` with this name: trimmed and case ignored, as every query of `TagDao`
    /// matches (`trim(lower(title)) = lower(name)`).
    pub(crate) fn find(&self, kind: TagKind, name: &str) -> Option<i64> {
        let wanted = name.trim().to_lowercase();
        self.rows
            .iter()
            .find(|(_, t)| t.kind == kind && t.title.trim().to_lowercase() == wanted)
            .map(|(id, _)| id)
    }

    /// A new tag (the name already corrected and not empty).
    pub(crate) fn insert(&mut self, kind: TagKind, title: String) -> i64 {
        let id = self.rows.next_id();
        self.rows.insert(id, TagRow { kind, title });
        id
    }

    /// The tag of this name, created when there is none (`AddTagToEntity`, `TagDao.cs:303`).
    pub(crate) fn find_or_insert(&mut self, kind: TagKind, name: &str) -> i64 {
        match self.find(kind, name) {
            Some(id) => id,
            None => self.insert(kind, Tags::correct(name)),
        }
    }

    /// Links a tag to an entity (again: nothing changes, the link is a `REPLACE`).
    pub(crate) fn link(&mut self, kind: TagKind, entity: i64, tag: i64) {
        self.links.insert((kind, entity, tag));
    }

    pub(crate) fn unlink(&mut self, kind: TagKind, entity: i64, tag: i64) {
        self.links.remove(&(kind, entity, tag));
    }

    /// The titles an entity carries, by tag id (`GetEntityTags` has no `ORDER BY`; rows come
    /// back in key order).
    pub(crate) fn of(&self, kind: TagKind, entity: i64) -> Vec<String> {
        self.links
            .iter()
            .filter(|(k, e, _)| *k == kind && *e == entity)
            .filter_map(|(_, _, tag)| self.rows.get(*tag).map(|t| t.title.clone()))
            .collect()
    }

    /// How many entities carry a tag.
    pub(crate) fn count(&self, tag: i64) -> i64 {
        let n = self.links.iter().filter(|(_, _, t)| *t == tag).count();
        i64::try_from(n).unwrap_or(i64::MAX)
    }

    /// The tags of a kind by title, as `ORDER BY title` sorts a `utf8_bin` column: bytewise.
    pub(crate) fn all(&self, kind: TagKind) -> Vec<(i64, String)> {
        let mut tags: Vec<(i64, String)> = self
            .rows
            .iter()
            .filter(|(_, t)| t.kind == kind)
            .map(|(id, t)| (id, t.title.clone()))
            .collect();
        tags.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        tags
    }

    /// Deletes a tag and every link to it.
    pub(crate) fn delete(&mut self, tag: i64) {
        self.rows.remove(tag);
        self.links.retain(|(_, _, t)| *t != tag);
    }

    /// Drops every tag of an entity that is deleted.
    pub(crate) fn remove_entity(&mut self, kind: TagKind, entity: i64) {
        self.links.retain(|(k, e, _)| !(*k == kind && *e == entity));
    }
}

/// The CRM's settings that the contact pages use (`CRMSettings`, `CRMSettings.cs:151`); the
/// default is the server's `GetDefault` (`CRMSettings.cs:216`). No route reads them back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Settings {
    /// Whether `ConfigurePortal` has run (it makes the default lists only when not).
    pub(crate) is_configured_portal: bool,
    /// Whether a contact's new status goes to its linked contacts too; `None`: ask each time.
    pub(crate) change_contact_status_group_auto: Option<bool>,
    /// Whether a contact's new tag goes to its linked contacts too; `None`: ask each time.
    pub(crate) add_tag_to_contact_group_auto: Option<bool>,
    /// Whether mail with a contact goes to its history without asking.
    pub(crate) write_mail_to_history_auto: bool,
    /// The key the website contact form must carry (`WebToLeadFromHandler.ashx.cs:65`).
    pub(crate) web_form_key: Uuid,
}

/// The portal's CRM data.
#[derive(Debug, Default)]
pub(crate) struct Crm {
    pub(crate) deals: Table<DealRow>,
    pub(crate) stages: Table<StageRow>,
    pub(crate) contacts: Table<ContactRow>,
    /// Contact details of every contact.
    pub(crate) contact_info: Table<ContactInfoRow>,
    /// Which persons belong to which company (`crm_entity_contact` with entity type Person):
    /// (company, person). The server keeps these beside a person's `company_id`, and they can
    /// differ (a person added to a second company stays in the first one's list).
    pub(crate) company_people: Links,
    /// Custom field definitions of every entity type.
    pub(crate) fields: Table<FieldRow>,
    /// Custom field values (`crm_field_value`), by (entity type, entity id, field id).
    pub(crate) field_values: BTreeMap<(FieldEntity, i64, i64), String>,
    /// The contacts linked to a deal (`crm_entity_contact`).
    pub(crate) deal_members: Links,
    /// The tags of contacts, deals and cases.
    pub(crate) tags: Tags,
    /// The entries of the configurable lists.
    pub(crate) list_items: Table<ListItemRow>,
    pub(crate) tasks: Table<TaskRow>,
    pub(crate) history: Table<HistoryRow>,
    pub(crate) settings: Settings,
    /// Users the portal knows, the current user first.
    pub(crate) employees: Vec<Employee>,
    /// The currencies the portal knows (`crm_currency_info`).
    currencies: Vec<Currency>,
    offset: i16,
}

/// What the emulator starts from (the parts of [`crate::Config`] about the CRM), in the wire
/// form a user configures it with.
#[derive(Debug, Clone, Default)]
pub(crate) struct Seed {
    pub(crate) opportunities: Vec<Opportunity>,
    pub(crate) stages: Vec<OpportunityStage>,
    pub(crate) contacts: Vec<Contact>,
    pub(crate) custom_fields: Vec<CustomField>,
    pub(crate) deal_tags: Vec<(i64, Vec<String>)>,
    pub(crate) tasks: Vec<Task>,
    pub(crate) history: Vec<HistoryEvent>,
    pub(crate) utc_offset_minutes: i16,
}

/// A field's definition as an embedded custom field, with no entity and no value yet.
pub(crate) fn custom_field(id: i64, row: &FieldRow) -> CustomField {
    let mut v = CustomField::default();
    v.label.clone_from(&row.label);
    v.field_type = row.field_type;
    v.position = row.sort_order;
    v.mask.clone_from(&row.mask);
    v.id = id.into();
    v
}

/// The currencies every emulated portal knows.
fn known_currencies() -> Vec<Currency> {
    [
        ("RUB", "Rouble", "₽", "RU", false),
        ("USD", "US Dollar", "$", "US", true),
        ("EUR", "Euro", "€", "EU", true),
    ]
    .into_iter()
    .map(|(code, title, symbol, culture, basic)| {
        let mut v = Currency::default();
        v.title = title.into();
        v.symbol = symbol.into();
        v.abbreviation = code.into();
        v.culture_name = culture.into();
        v.is_convertible = true;
        v.is_basic = basic;
        v
    })
    .collect()
}

impl Crm {
    /// The store a seed describes. What a configured deal embeds (its stage, contacts, custom
    /// fields, users, currency) becomes a row of its own table when no row has its id.
    pub(crate) fn new(seed: Seed, me: Employee) -> Crm {
        let mut crm = Crm {
            employees: vec![me],
            currencies: known_currencies(),
            offset: seed.utc_offset_minutes,
            ..Crm::default()
        };
        let mut stages = seed.stages;
        stages.sort_by_key(|s| s.sort_order);
        for stage in stages {
            crm.put_stage(&stage, true);
        }
        for contact in seed.contacts {
            crm.put_contact(contact);
        }
        for field in seed.custom_fields {
            crm.put_field(field);
        }
        for deal in seed.opportunities {
            crm.put_deal(deal);
        }
        crm.put_default_lists();
        // What `ConfigurePortal` sets once it has made the lists (`ProductEntryPoint.cs:244`).
        crm.settings.web_form_key = crate::wire::fresh_guid();
        crm.settings.is_configured_portal = true;
        crm.put_tasks(seed.tasks);
        crm.put_history(seed.history);
        for (deal, tags) in seed.deal_tags {
            for tag in tags {
                let id = crm.tags.find_or_insert(TagKind::Opportunity, &tag);
                crm.tags.link(TagKind::Opportunity, deal, id);
            }
        }
        crm
    }

    /// The lists a portal creates when the CRM is first opened
    /// (`ProductEntryPoint.ConfigurePortal`, `ProductEntryPoint.cs:128`), in order and with the
    /// ids they get on a fresh database: twelve task categories (1 to 12), three contact statuses
    /// with their colours (13 to 15, `:224`), four contact types (16 to 19, `:228`) and four
    /// history categories (20 to 23, `:234`). Each list's positions count from 1.
    fn put_default_lists(&mut self) {
        const TASKS: [(&str, &str); 12] = [
            ("Phone call", "task_category_call.png"),
            ("Opportunity", "task_category_deal.png"),
            ("Demo", "task_category_demo.png"),
            ("Email", "task_category_email.png"),
            ("Fax", "task_category_fax.png"),
            ("Execution control", "task_category_follow_up.png"),
            ("Lunch", "task_category_lunch.png"),
            ("Appointment", "task_category_meeting.png"),
            ("Note", "task_category_note.png"),
            ("Delivery", "task_category_ship.png"),
            ("Social networks", "task_category_social_networks.png"),
            ("Expression of gratitude", "task_category_thank_you.png"),
        ];
        const STATUSES: [(&str, &str); 3] =
            [("Cold", "#8a98d8"), ("Warm", "#ffd267"), ("Hot", "#df7895")];
        const TYPES: [&str; 4] = ["Client", "Supplier", "Partner", "Competitor"];
        const HISTORY: [(&str, &str); 4] = [
            ("Note", "event_category_note.png"),
            ("Email", "event_category_email.png"),
            ("Phone call", "event_category_call.png"),
            ("Appointment", "event_category_meeting.png"),
        ];
        // (title, colour, icon) of each entry.
        let icons = |list: &[(&'static str, &'static str)]| -> Vec<_> {
            list.iter().map(|(t, i)| (*t, None, Some(*i))).collect()
        };
        let lists = [
            (ListKind::TaskCategory, 1, icons(&TASKS)),
            (
                ListKind::ContactStatus,
                13,
                STATUSES.iter().map(|(t, c)| (*t, Some(*c), None)).collect(),
            ),
            (
                ListKind::ContactType,
                16,
                TYPES.iter().map(|t| (*t, None, None)).collect(),
            ),
            (ListKind::HistoryCategory, 20, icons(&HISTORY)),
        ];
        for (kind, first, entries) in lists {
            for (n, (title, color, image)) in (0..).zip(entries) {
                self.list_items.insert(
                    first + i64::from(n),
                    ListItemRow {
                        kind,
                        title: title.to_owned(),
                        description: None,
                        color: color.map(str::to_owned),
                        image: image.map(str::to_owned),
                        sort_order: n + 1,
                    },
                );
            }
        }
    }

    /// The seed's tasks: what a task row holds, read from its single form.
    fn put_tasks(&mut self, tasks: Vec<Task>) {
        let me = self.me().id.get();
        for task in tasks {
            let row = TaskRow {
                title: task.title,
                description: task.description,
                deadline: task.deadline,
                responsible: task.responsible.map_or(me, |e| e.id.get()),
                category_id: task.category.map_or(0, |c| c.id.get()),
                contact_id: task.contact.map_or(0, |c| c.id.get()),
                entity: task.entity.as_ref().and_then(entity_link),
                is_closed: task.is_closed,
                alert_value: task.alert_value,
                created: task.created,
                created_by: task.create_by.map_or(me, |e| e.id.get()),
                last_modified: None,
            };
            self.tasks.insert(task.id.get(), row);
        }
    }

    /// The seed's history: what an event row holds, read from its wire form.
    fn put_history(&mut self, events: Vec<HistoryEvent>) {
        let me = self.me().id.get();
        for event in events {
            let row = HistoryRow {
                contact_id: event.contact.map_or(0, |c| c.id.get()),
                entity: event.entity.as_ref().and_then(entity_link),
                content: event.content,
                category_id: event.category.map_or(0, |c| c.id.get()),
                created: event.created,
                created_by: event.create_by.map_or(me, |e| e.id.get()),
                file_ids: event.files.iter().filter_map(|f| f.id.number()).collect(),
            };
            self.history.insert(event.id.get(), row);
        }
    }

    /// A stage row; at the end of the pipeline unless `keep_position` and it brings one.
    fn put_stage(&mut self, stage: &OpportunityStage, keep_position: bool) {
        let sort_order = if keep_position && (stage.sort_order != 0 || self.stages.ids().is_empty())
        {
            stage.sort_order
        } else {
            self.next_sort_order()
        };
        self.stages.insert(
            stage.id.get(),
            StageRow {
                title: stage.title.clone(),
                description: stage.description.clone(),
                color: stage.color.clone(),
                success_probability: stage.success_probability,
                stage_type: stage.stage_type,
                sort_order,
            },
        );
    }

    /// The position after the last stage of the pipeline.
    pub(crate) fn next_sort_order(&self) -> i32 {
        self.stages
            .iter()
            .map(|(_, s)| s.sort_order)
            .max()
            .map_or(0, |max| max.saturating_add(1))
    }

    /// A configured contact as rows: its columns, its details, its tags, and a person's
    /// membership of its company.
    fn put_contact(&mut self, contact: Contact) {
        let id = contact.id().get();
        let base = contact.as_base();
        let (mut row, details) = match contact {
            Contact::Person(p) => {
                let company_id = p.company.as_ref().map_or(0, |c| c.id.get());
                let row = ContactRow {
                    first_name: p.first_name,
                    last_name: p.last_name,
                    title: p.title,
                    company_id,
                    about: p.about,
                    industry: p.industry,
                    created: p.created,
                    created_by: p
                        .create_by
                        .as_ref()
                        .map_or(Uuid::nil(), |e| self.learn_employee(e)),
                    ..ContactRow::default()
                };
                (row, (p.common_data, p.addresses, p.tags))
            }
            Contact::Company(c) => {
                let row = ContactRow {
                    is_company: true,
                    company_name: c.company_name,
                    about: c.about,
                    industry: c.industry,
                    created: c.created,
                    created_by: c
                        .create_by
                        .as_ref()
                        .map_or(Uuid::nil(), |e| self.learn_employee(e)),
                    ..ContactRow::default()
                };
                (row, (c.common_data, c.addresses, c.tags))
            }
        };
        row.share_type = base.share_type;
        row.access = base
            .access_list
            .iter()
            .map(|e| self.learn_employee(e))
            .collect();
        row.currency = base.currency.map(|c| c.abbreviation);
        if row.company_id > 0 {
            self.company_people.link(row.company_id, id);
        }
        let (common, addresses, tags) = details;
        for info in common {
            self.contact_info.insert(
                info.id.get(),
                ContactInfoRow {
                    contact_id: id,
                    info_type: info.info_type,
                    category: info.category,
                    data: info.data,
                    is_primary: info.is_primary,
                },
            );
        }
        for address in addresses {
            let id_ = self.contact_info.next_id();
            self.contact_info.insert(
                id_,
                ContactInfoRow {
                    contact_id: id,
                    info_type: ContactInfoType::Address,
                    category: address.category.to_i32(),
                    data: crate::behaviour::contact_info::address_data(&address),
                    is_primary: address.is_primary,
                },
            );
        }
        for tag in tags {
            let tag_id = self.tags.find_or_insert(TagKind::Contact, &tag);
            self.tags.link(TagKind::Contact, id, tag_id);
        }
        self.contacts.insert(id, row);
    }

    /// A contact that a deal embeds in the short form, as its row.
    fn put_contact_base(&mut self, base: &ContactBase) {
        let row = ContactRow {
            is_company: base.is_company,
            // The short form has only the display name: a person's is kept as its first name.
            first_name: if base.is_company {
                String::new()
            } else {
                base.display_name.clone()
            },
            company_name: if base.is_company {
                base.display_name.clone()
            } else {
                String::new()
            },
            share_type: base.share_type,
            access: base
                .access_list
                .iter()
                .map(|e| self.learn_employee(e))
                .collect(),
            currency: base.currency.as_ref().map(|c| c.abbreviation.clone()),
            ..ContactRow::default()
        };
        self.contacts.insert(base.id.get(), row);
    }

    /// A deal field's definition (the seed's custom fields are the deals').
    fn put_field(&mut self, field: CustomField) {
        self.fields.insert(
            field.id.get(),
            FieldRow {
                entity: FieldEntity::Opportunity,
                label: field.label,
                field_type: field.field_type,
                mask: field.mask,
                sort_order: field.position,
            },
        );
    }

    fn learn_employee(&mut self, employee: &Employee) -> Uuid {
        if !self.employees.iter().any(|e| e.id == employee.id) {
            self.employees.push(employee.clone());
        }
        employee.id.get()
    }

    /// A configured deal as rows: its own, its links and its custom field values, and a row
    /// for each thing it embeds that has none.
    fn put_deal(&mut self, deal: Opportunity) {
        let id = deal.id.get();
        let stage_id = match &deal.stage {
            Some(stage) if stage.id.get() > 0 => {
                if !self.stages.contains(stage.id.get()) {
                    self.put_stage(stage, false);
                }
                stage.id.get()
            }
            _ => 0,
        };
        for base in deal.contact.iter().chain(&deal.members) {
            if base.id.get() > 0 && !self.contacts.contains(base.id.get()) {
                self.put_contact_base(base);
            }
        }
        for member in &deal.members {
            self.deal_members.link(id, member.id.get());
        }
        for field in &deal.custom_fields {
            if !self.fields.contains(field.id.get()) {
                self.put_field(field.clone());
            }
            self.field_values.insert(
                (FieldEntity::Opportunity, id, field.id.get()),
                field.field_value.clone(),
            );
        }
        if let Some(currency) = &deal.bid_currency
            && !self
                .currencies
                .iter()
                .any(|c| c.abbreviation == currency.abbreviation)
        {
            self.currencies.push(currency.clone());
        }
        let row = DealRow {
            title: deal.title,
            description: deal.description,
            responsible: deal.responsible.as_ref().map(|e| self.learn_employee(e)),
            bid_type: deal.bid_type,
            bid_value: deal.bid_value,
            currency: deal.bid_currency.map(|c| c.abbreviation),
            per_period_value: deal.per_period_value,
            stage_id,
            success_probability: deal.success_probability,
            actual_close_date: deal.actual_close_date,
            expected_close_date: deal.expected_close_date,
            contact_id: deal.contact.map_or(0, |c| c.id.get()),
            is_private: deal.is_private,
            access: deal
                .access_list
                .iter()
                .map(|e| self.learn_employee(e))
                .collect(),
            created_by: deal.create_by.as_ref().map(|e| self.learn_employee(e)),
            created: deal.created,
            last_modified: None,
            can_edit: deal.can_edit,
        };
        self.deals.insert(id, row);
    }

    /// The user every request runs as.
    pub(crate) fn me(&self) -> &Employee {
        &self.employees[0]
    }

    /// Now, in the portal's time zone.
    pub(crate) fn now(&self) -> ApiDateTime {
        let now = ApiDateTime::now_utc();
        now.with_offset(self.offset).unwrap_or(now)
    }

    pub(crate) fn utc_offset(&self) -> i16 {
        self.offset
    }

    /// A user as the server embeds it; an unknown id is the server's "lost user".
    pub(crate) fn employee(&self, id: Uuid) -> Employee {
        self.employees
            .iter()
            .find(|e| e.id == id)
            .cloned()
            .unwrap_or_else(|| {
                let mut v = Employee::default();
                v.id = LOST_USER_ID.into();
                v.display_name = "Profile removed".into();
                v.avatar_small = DEFAULT_AVATAR.into();
                v
            })
    }

    /// A currency by its code (as the server stores it: upper case).
    pub(crate) fn currency(&self, code: &str) -> Option<Currency> {
        self.currencies
            .iter()
            .find(|c| c.abbreviation == code)
            .cloned()
    }

    /// The fields an entity type has, by position (`GetFieldsDescription` with
    /// `BuildEntityTypeConditions`, `CustomFieldDao.cs:486`): a person's and a company's include
    /// every contact's.
    pub(crate) fn fields_of(&self, entity: FieldEntity) -> Vec<(i64, &FieldRow)> {
        let mut fields: Vec<(i64, &FieldRow)> = self
            .fields
            .iter()
            .filter(|(_, f)| {
                f.entity == entity
                    || (matches!(entity, FieldEntity::Person | FieldEntity::Company)
                        && f.entity == FieldEntity::Contact)
            })
            .collect();
        fields.sort_by_key(|(id, f)| (f.sort_order, *id));
        fields
    }

    /// The custom fields of one object as `GetEntityFields(type, id, false)` reads them
    /// (`CustomFieldDao.cs:387`): the fields with a value (of any contact type, for contacts)
    /// and every heading, by position.
    pub(crate) fn field_values_of(&self, entity: FieldEntity, id: i64) -> Vec<CustomField> {
        let contact_kinds = [
            FieldEntity::Contact,
            FieldEntity::Person,
            FieldEntity::Company,
        ];
        let kinds: &[FieldEntity] = if contact_kinds.contains(&entity) {
            &contact_kinds
        } else {
            std::slice::from_ref(&entity)
        };
        self.fields_of(entity)
            .into_iter()
            .filter_map(|(field, row)| {
                let value = kinds
                    .iter()
                    .find_map(|kind| self.field_values.get(&(*kind, id, field)))
                    .filter(|v| !v.trim().is_empty());
                let keep = value.is_some() || row.field_type == CustomFieldType::Heading;
                keep.then(|| {
                    let mut v = custom_field(field, row);
                    v.entity_id = if value.is_some() { id } else { 0 };
                    v.field_value = value.cloned().unwrap_or_default();
                    v
                })
            })
            .collect()
    }

    /// How many rows use a list's entry (`GetRelativeItemsCount`, `ListItemDao.cs:277`): tasks
    /// for a task category, events for a history category, contacts for a contact status or
    /// type.
    pub(crate) fn related_items(&self, kind: ListKind, item: i64) -> i64 {
        match kind {
            ListKind::ContactStatus | ListKind::ContactType => self.contacts_using(kind, item),
            ListKind::TaskCategory => self.tasks_in_category(item),
            ListKind::HistoryCategory => {
                let n = self
                    .history
                    .iter()
                    .filter(|(_, e)| e.category_id == item)
                    .count();
                i64::try_from(n).unwrap_or(i64::MAX)
            }
        }
    }

    /// How many contacts, persons and companies alike, have a status or a type
    /// (`crm_contact.status_id`, `contact_type_id`: `ListItemDao.cs:285`, `:290`); any other
    /// list counts none. The one place that reads a contact's status and type by id.
    pub(crate) fn contacts_using(&self, kind: ListKind, item: i64) -> i64 {
        let n = self
            .contacts
            .iter()
            .filter(|(_, row)| match kind {
                ListKind::ContactStatus => row.status_id == item,
                ListKind::ContactType => row.contact_type_id == item,
                ListKind::TaskCategory | ListKind::HistoryCategory => false,
            })
            .count();
        i64::try_from(n).unwrap_or(i64::MAX)
    }

    /// How many tasks are in a category (`GetRelativeItemsCount`, `ListItemDao.cs:295`).
    pub(crate) fn tasks_in_category(&self, category: i64) -> i64 {
        let n = self
            .tasks
            .iter()
            .filter(|(_, t)| t.category_id == category)
            .count();
        i64::try_from(n).unwrap_or(i64::MAX)
    }

    /// How many values a field has (`GetContactLinkCount`, `CustomFieldDao.cs:369`).
    pub(crate) fn field_value_count(&self, field: i64) -> i64 {
        let n = self
            .field_values
            .keys()
            .filter(|(_, _, f)| *f == field)
            .count();
        i64::try_from(n).unwrap_or(i64::MAX)
    }

    /// The tags of a deal, as stored.
    pub(crate) fn tags(&self, deal: i64) -> Vec<String> {
        self.tags.of(TagKind::Opportunity, deal)
    }

    /// The number of deals in a stage (`GetRelativeItemsCount`).
    pub(crate) fn deals_in_stage(&self, stage: i64) -> i64 {
        let n = self
            .deals
            .iter()
            .filter(|(_, d)| d.stage_id == stage)
            .count();
        i64::try_from(n).unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_count_ids_like_an_auto_increment_column() {
        let mut table: Table<&str> = Table::default();
        assert_eq!(table.next_id(), 1);
        table.insert(7, "seven");
        assert_eq!(table.next_id(), 8);
        table.remove(7);
        assert_eq!(table.next_id(), 8, "a deleted id is not given again");
        table.insert(3, "three");
        assert_eq!((table.next_id(), table.ids()), (8, vec![3]));
    }

    #[test]
    fn links_are_pairs_each_once() {
        let mut links = Links::default();
        links.link(1, 5);
        links.link(1, 3);
        links.link(1, 5);
        links.link(2, 5);
        assert_eq!(links.of(1), [3, 5]);
        links.unlink(1, 3);
        assert_eq!(links.of(1), [5]);
        links.remove_owner(1);
        assert!(links.of(1).is_empty() && links.contains(2, 5));
    }
}
