//! Contacts, persons and companies (`CRMApi.Contacts.cs`, `ContactDao.cs`): the forms built from
//! the rows, and the rules the contact routes share. The filter and its routes are in
//! `filter`, the other routes in `write`.

mod filter;
mod write;

pub(crate) use filter::{
    delete_all, delete_by_filter, list, matching, set_access_by_filter, stored_name,
};
pub(crate) use write::*;

use r7_model::{
    Address, Company, Contact, ContactBase, ContactInfo, ContactInfoType, ListItem, Person,
    ShareType,
};

use crate::behaviour::contact_info;
use crate::generated::{Wire, WireList};
use crate::ops::Entity;
use crate::store::{ContactRow, Crm, FieldEntity, Table, TagKind};
use crate::wire::{Node, to_node};

/// Where the portal serves contact photos (`ContactPhotoManager`, `ContactWrapper.cs:412`).
const PHOTO: &str = "/Products/CRM/HttpHandlers/filehandler.ashx?action=contactphotoulr";

impl Entity for Contact {
    type Row = ContactRow;

    fn table(crm: &Crm) -> &Table<ContactRow> {
        &crm.contacts
    }

    fn table_mut(crm: &mut Crm) -> &mut Table<ContactRow> {
        &mut crm.contacts
    }

    /// `ToContactWrapper` (`CRMApi.Contacts.cs:2208`).
    fn read(crm: &Crm, id: i64) -> Option<Contact> {
        full(crm, id, Form::Single)
    }

    /// `ToListContactWrapper` (`CRMApi.Contacts.cs:2023`).
    fn read_listed(crm: &Crm, id: i64) -> Option<Contact> {
        full(crm, id, Form::List)
    }

    fn one(&self) -> Node {
        to_node(&Wire(self))
    }

    fn list_item(&self) -> Node {
        to_node(&WireList(self))
    }

    /// `DeleteContact` (`CRMApi.Contacts.cs:1556`) builds its answer after the delete: no
    /// details, values (but the headings), counts or access list are left.
    fn deleted(self) -> Self {
        /// Empties what went with the rows, in a `Person` or a `Company`.
        macro_rules! clear {
            ($v:ident) => {
                $v.addresses.clear();
                $v.common_data.clear();
                $v.custom_fields
                    .retain(|f| f.field_type == r7_model::CustomFieldType::Heading);
                for f in &mut $v.custom_fields {
                    f.entity_id = 0;
                    f.field_value.clear();
                }
                $v.access_list.clear();
                $v.task_count = 0;
                $v.have_late_tasks = false;
            };
        }
        match self {
            Contact::Person(mut v) => {
                clear!(v);
                Contact::Person(v)
            }
            Contact::Company(mut v) => {
                clear!(v);
                v.persons_count = 0;
                Contact::Company(v)
            }
        }
    }

    /// `DeleteBatchContact` (`ContactDao.cs:1501`): the contact's values, tasks, tag links,
    /// history, details and memberships go; its deals stay without it, a company's persons
    /// stay without their company.
    fn remove(crm: &mut Crm, id: i64) {
        crm.contacts.remove(id);
        for kind in [
            FieldEntity::Contact,
            FieldEntity::Person,
            FieldEntity::Company,
        ] {
            crm.field_values
                .retain(|(k, entity, _), _| !(*k == kind && *entity == id));
        }
        crm.tasks.retain(|t| t.contact_id != id);
        crm.tags.remove_entity(TagKind::Contact, id);
        crm.history.retain(|e| e.contact_id != id);
        for (_, deal) in crm.deals.iter_mut() {
            if deal.contact_id == id {
                deal.contact_id = 0;
            }
        }
        for (_, person) in crm.contacts.iter_mut() {
            if person.company_id == id {
                person.company_id = 0;
            }
        }
        crm.company_people.remove_owner(id);
        crm.company_people.remove_linked(id);
        crm.deal_members.remove_linked(id);
        crm.contact_info.retain(|i| i.contact_id != id);
    }
}

/// Which wrapper a contact is built into.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// `ToContactWrapper`: no tags; a status that no longer exists is a 404.
    Single,
    /// `ToContactWrapper` of the contact a create has in memory: `about` as sent.
    Sent,
    /// `ToListContactWrapper`: with tags; a status that no longer exists is left out.
    List,
}

/// The short form (`ContactBaseWrapper`, `ContactWrapper.cs:395`), as deals, tasks, events and
/// a person's company embed it.
pub(crate) fn base(crm: &Crm, id: i64) -> Option<ContactBase> {
    let row = crm.contacts.get(id)?;
    let mut v = ContactBase::default();
    let is_company = if row.is_company { "True" } else { "False" };
    v.small_foto_url = format!("{PHOTO}&cid={id}&isc={is_company}&ps=1");
    v.medium_foto_url = format!("{PHOTO}&cid={id}&isc={is_company}&ps=2");
    v.display_name = row.display_name();
    v.is_company = row.is_company;
    v.is_private = row.share_type == ShareType::None;
    if v.is_private {
        v.access_list = row.access.iter().map(|u| crm.employee(*u)).collect();
    }
    v.is_shared = !v.is_private;
    v.share_type = row.share_type;
    v.currency = row.currency.as_deref().and_then(|c| crm.currency(c));
    // The caller is a CRM administrator, and no contact has invoices yet.
    v.can_edit = true;
    v.can_delete = true;
    v.id = id.into();
    Some(v)
}

/// A contact status as a contact embeds it, read from the database (`ListItemWrapper`).
fn status(crm: &Crm, id: i64) -> Option<ListItem> {
    let row = crm.list_items.get(id)?;
    let mut v = ListItem::default();
    v.title.clone_from(&row.title);
    v.description = Some(row.description.clone().unwrap_or_default());
    v.color = Some(row.color.clone().unwrap_or_default());
    v.sort_order = row.sort_order;
    v.id = id.into();
    Some(v)
}

/// The full record in either form; `None` when the contact does not exist, or when the single
/// form meets a status that no longer exists (`CRMApi.Contacts.cs:2237`).
pub(crate) fn full(crm: &Crm, id: i64, form: Form) -> Option<Contact> {
    let row = crm.contacts.get(id)?;
    let b = base(crm, id)?;
    let contact_status = match (row.status_id, form) {
        (0, _) => None,
        (status_id, Form::Single | Form::Sent) => Some(status(crm, status_id)?),
        (status_id, Form::List) => status(crm, status_id),
    };
    let (common_data, addresses) = contact_info::of(crm, id);
    let kind = if row.is_company {
        FieldEntity::Company
    } else {
        FieldEntity::Person
    };
    let tags = match form {
        Form::Single | Form::Sent => Vec::new(),
        Form::List => {
            let mut tags = crm.tags.of(TagKind::Contact, id);
            tags.sort_by_key(|t| t.to_lowercase());
            tags
        }
    };
    let now = crm.now().unix_nanos();
    let tasks: Vec<_> = crm
        .tasks
        .iter()
        .filter(|(_, t)| t.contact_id == id)
        .map(|(_, t)| t)
        .collect();
    let common = Common {
        addresses,
        create_by: Some(crm.employee(row.created_by)),
        created: row.created,
        about: match form {
            Form::Sent => row.about.clone(),
            Form::Single | Form::List => Some(row.about.clone().unwrap_or_default()),
        },
        industry: row.industry.clone(),
        contact_status,
        common_data,
        custom_fields: crm.field_values_of(kind, id),
        tags,
        task_count: i64::try_from(tasks.len()).unwrap_or(i64::MAX),
        have_late_tasks: tasks
            .iter()
            .any(|t| !t.is_closed && t.deadline.is_some_and(|d| d.unix_nanos() < now)),
    };
    Some(if row.is_company {
        let mut v = Company::from_base(b);
        v.company_name.clone_from(&row.company_name);
        v.persons_count = i64::try_from(crm.company_people.of(id).len()).unwrap_or(i64::MAX);
        common.fill_company(&mut v);
        Contact::Company(v)
    } else {
        let mut v = Person::from_base(b);
        v.first_name.clone_from(&row.first_name);
        v.last_name.clone_from(&row.last_name);
        v.company = base(crm, row.company_id);
        v.title.clone_from(&row.title);
        common.fill_person(&mut v);
        Contact::Person(v)
    })
}

/// What a person's and a company's full records share beyond the short form.
struct Common {
    addresses: Vec<Address>,
    create_by: Option<r7_model::Employee>,
    created: Option<r7_model::ApiDateTime>,
    about: Option<String>,
    industry: String,
    contact_status: Option<ListItem>,
    common_data: Vec<ContactInfo>,
    custom_fields: Vec<r7_model::CustomField>,
    tags: Vec<String>,
    task_count: i64,
    have_late_tasks: bool,
}

/// Fills the shared members of a `Person` or a `Company` (which have the same names).
macro_rules! fill {
    ($name:ident, $ty:ty) => {
        fn $name(self, v: &mut $ty) {
            v.addresses = self.addresses;
            v.create_by = self.create_by;
            v.created = self.created;
            v.about = self.about;
            v.industry = self.industry;
            v.contact_status = self.contact_status;
            v.common_data = self.common_data;
            v.custom_fields = self.custom_fields;
            v.tags = self.tags;
            v.task_count = self.task_count;
            v.have_late_tasks = self.have_late_tasks;
        }
    };
}

impl Common {
    fill!(fill_person, Person);
    fill!(fill_company, Company);
}

/// The primary detail of a type, as the short forms with an e-mail or a phone embed it
/// (`CRMApi.Contacts.cs:2281`, `:2298`).
pub(crate) fn primary(crm: &Crm, id: i64, info_type: ContactInfoType) -> Option<ContactInfo> {
    contact_info::of(crm, id)
        .0
        .into_iter()
        .find(|info| info.info_type == info_type && info.is_primary)
}

/// Shares a contact (read and write) or makes it private (`SetAccessToContact`,
/// `CRMApi.Contacts.cs:1422`): a list replaces the access list, none clears it.
pub(crate) fn share(crm: &mut Crm, id: i64, shared: bool, list: &[r7_model::Uuid]) {
    if let Some(row) = crm.contacts.get_mut(id) {
        let mut access = Vec::new();
        for user in list {
            if !access.contains(user) {
                access.push(*user);
            }
        }
        row.access = access;
        row.share_type = if shared {
            ShareType::ReadWrite
        } else {
            ShareType::None
        };
    }
}

/// The persons whose company is `company` by their membership rows.
pub(crate) fn people_of(crm: &Crm, company: i64) -> Vec<i64> {
    crm.company_people.of(company)
}

/// A contact's ids with, for a company, its people's (what the task and history filters take
/// for a contact).
pub(crate) fn with_people(crm: &Crm, id: i64) -> Vec<i64> {
    let mut ids = vec![id];
    if crm.contacts.get(id).is_some_and(|c| c.is_company) {
        ids.extend(people_of(crm, id));
    }
    ids
}
