//! The contact routes that create, change, link and look up contacts (`CRMApi.Contacts.cs`,
//! `ContactDao.cs`), each checking in the server's order.

use std::borrow::Cow;

use http::StatusCode;
use r7_model::{ApiDateTime, Contact, ContactInfoType, ContactWithPhone, Opportunity, ShareType};

use super::{Form, base, full, primary, share};
use crate::behaviour::task::task_contact;
use crate::generated::Wire;
use crate::generated::args::{
    AddDealToContactArgs, AddPersonToCompanyArgs, CreateCompaniesArgs, CreateCompanyArgs,
    CreatePersonArgs, CreatePersonsArgs, DeleteContactAvatarArgs, DeleteContactsArgs,
    GetContactAccessArgs, LinkContactToProjectArgs, LinkContactsToProjectArgs,
    ListCompanyPersonsArgs, ListContactsByContactInfoArgs, ListContactsByPrefixArgs,
    ListContactsForMailArgs, ListProjectContactsArgs, MergeContactsArgs, RemoveDealFromContactArgs,
    RemovePersonFromCompanyArgs, SetContactAccessArgs, SetContactCreationDateArgs,
    SetContactLastModifiedDateArgs, SetContactsAccessArgs, UnlinkContactFromProjectArgs,
    UpdateCompanyArgs, UpdateCompanyStatusArgs, UpdateContactStatusArgs, UpdatePersonArgs,
    UpdatePersonStatusArgs,
};
use crate::ops::{self, Call, Entity, Outcome, smart_list};
use crate::store::{ContactInfoRow, ContactRow, Crm, FieldEntity, TagKind};
use crate::wire::{ApiError, Node, Reply, to_node};

/// `CRMErrorsResource.ContactIsNotCompany` / `ContactIsNotPerson`, thrown as a plain
/// `Exception` (`CRMApi.Contacts.cs:1265`, `:1317`).
const NOT_A_COMPANY: &str = "Contact is not a company";
const NOT_A_PERSON: &str = "Contact is not a person";

/// `SecurityException("Can't unlink base contact")` (`CRMApi.Contacts.cs:271`).
const BASE_CONTACT: ApiError = ApiError {
    status: StatusCode::FORBIDDEN,
    message: Cow::Borrowed("Can't unlink base contact"),
    hresult: -2146233078,
};

/// The `InvalidCastException` of a cast to the other kind of contact (a 500).
const WRONG_KIND: ApiError = ApiError {
    status: StatusCode::INTERNAL_SERVER_ERROR,
    message: Cow::Borrowed("Specified cast is not valid."),
    hresult: -2147467262,
};

/// Where the portal keeps the CRM's pictures (`WebImageSupplier`).
const IMAGES: &str = "/Products/CRM/App_Themes/default/images/";

fn one(contact: Option<Contact>) -> Outcome {
    contact
        .map(|c| Reply::One(c.one()))
        .ok_or(ApiError::NOT_FOUND)
}

fn positive(ids: &[i64]) -> Result<(), ApiError> {
    if ids.iter().any(|id| *id <= 0) {
        return Err(ApiError::ARGUMENT);
    }
    Ok(())
}

fn exists(crm: &Crm, id: i64) -> Result<&ContactRow, ApiError> {
    crm.contacts.get(id).ok_or(ApiError::NOT_FOUND)
}

/// Writes the custom field values a create or an update sends: non-empty values only; a
/// create takes any field id (`CRMApi.Contacts.cs:755`), an update only the ids of the
/// contact's kind's fields (`:932`).
fn write_fields(crm: &mut Crm, id: i64, kind: FieldEntity, values: &[(i64, String)], any: bool) {
    let known: Vec<i64> = crm.fields_of(kind).into_iter().map(|(f, _)| f).collect();
    for (field, value) in values {
        let value = value.trim();
        if value.is_empty() || !(any || known.contains(field)) {
            continue;
        }
        crm.field_values
            .insert((kind, id, *field), value.to_owned());
    }
}

/// `SetAccessTo` after a create or an update: only a non-empty list changes the access list.
fn managers(crm: &mut Crm, id: i64, list: &[r7_model::Uuid]) {
    if !list.is_empty()
        && let Some(row) = crm.contacts.get_mut(id)
    {
        row.access = distinct(list);
    }
}

fn distinct(list: &[r7_model::Uuid]) -> Vec<r7_model::Uuid> {
    let mut out = Vec::new();
    for user in list {
        if !out.contains(user) {
            out.push(*user);
        }
    }
    out
}

/// Makes `person` work for `company` (`AddMemberInDb`, `ContactDao.cs:932`): its column and a
/// membership row; an older membership row stays.
fn join(crm: &mut Crm, person: i64, company: i64) {
    if let Some(row) = crm.contacts.get_mut(person) {
        row.company_id = company;
    }
    crm.company_people.link(company, person);
}

/// `RemoveMember` (`ContactDao.cs:926`): the column and every membership row of the person.
fn leave(crm: &mut Crm, person: i64) {
    if let Some(row) = crm.contacts.get_mut(person) {
        row.company_id = 0;
    }
    crm.company_people.remove_linked(person);
}

fn insert(crm: &mut Crm, mut row: ContactRow) -> i64 {
    row.created = Some(crm.now());
    row.created_by = crm.me().id.get();
    let id = crm.contacts.next_id();
    crm.contacts.insert(id, row);
    id
}

/// `POST contact/person` (`CreatePerson`, `CRMApi.Contacts.cs:717`).
pub(crate) fn create_person(crm: &mut Crm, args: CreatePersonArgs, _: &Call) -> Outcome {
    if args.company_id > 0 && !crm.contacts.contains(args.company_id) {
        return Err(ApiError::NOT_FOUND);
    }
    // `SaveContactToDb` trims both names before any check (`ContactDao.cs:1306`).
    let (Some(first), Some(last)) = (args.first_name, args.last_name) else {
        return Err(ApiError::NULL_REFERENCE);
    };
    let first = first.trim().to_owned();
    if first.is_empty() {
        return Err(ApiError::ARGUMENT);
    }
    let company_id = if crm.contacts.contains(args.company_id) {
        args.company_id
    } else {
        0
    };
    let id = insert(
        crm,
        ContactRow {
            first_name: first,
            last_name: last.trim().to_owned(),
            title: args.job_title.unwrap_or_default(),
            about: args.about,
            share_type: args.share_type,
            ..ContactRow::default()
        },
    );
    if company_id > 0 {
        join(crm, id, company_id);
    }
    managers(crm, id, &args.managers);
    write_fields(crm, id, FieldEntity::Person, &args.custom_fields, true);
    one(full(crm, id, Form::Sent))
}

/// `POST contact/company` (`CreateCompany`, `CRMApi.Contacts.cs:971`): persons that do not
/// exist, or are companies, are skipped.
pub(crate) fn create_company(crm: &mut Crm, args: CreateCompanyArgs, _: &Call) -> Outcome {
    let name = args.company_name.unwrap_or_default().trim().to_owned();
    if name.is_empty() {
        return Err(ApiError::ARGUMENT);
    }
    let id = insert(
        crm,
        ContactRow {
            is_company: true,
            company_name: name,
            about: args.about,
            share_type: args.share_type,
            ..ContactRow::default()
        },
    );
    for person in args.person_ids {
        if crm.contacts.get(person).is_some_and(|p| !p.is_company) {
            join(crm, person, id);
        }
    }
    managers(crm, id, &args.managers);
    write_fields(crm, id, FieldEntity::Company, &args.custom_fields, false);
    one(full(crm, id, Form::Sent))
}

/// The row an update writes (`UpdateContactFromDb`, `ContactDao.cs:1146`): every column from
/// the request, the status, type, currency and industry reset.
fn replace(row: &mut ContactRow, about: Option<String>, share_type: ShareType) {
    row.about = about;
    row.share_type = share_type;
    row.industry = String::new();
    row.status_id = 0;
    row.contact_type_id = 0;
    row.currency = None;
}

/// `PUT contact/person/{id}` (`UpdatePerson`, `CRMApi.Contacts.cs:896`).
pub(crate) fn update_person(crm: &mut Crm, args: UpdatePersonArgs, _: &Call) -> Outcome {
    let id = args.person_id;
    let first = args.first_name.filter(|n| !n.is_empty());
    let last = args.last_name.filter(|n| !n.is_empty());
    let (true, Some(first), Some(last)) = (id > 0, first, last) else {
        return Err(ApiError::ARGUMENT);
    };
    // A row that does not exist is an `ArgumentException` in the DAO (`ContactDao.cs:1087`).
    let row = crm.contacts.get_mut(id).ok_or(ApiError::ARGUMENT)?;
    let was_company = row.is_company;
    row.first_name = first.trim().to_owned();
    row.last_name = last.trim().to_owned();
    row.title = args.job_title.unwrap_or_default();
    replace(row, args.about, args.share_type);
    if was_company {
        // The person's columns are written into the company's row; then the cast fails.
        row.company_name.clear();
        return Err(WRONG_KIND);
    }
    leave(crm, id);
    if args.company_id > 0 {
        join(crm, id, args.company_id);
    }
    managers(crm, id, &args.managers);
    write_fields(crm, id, FieldEntity::Person, &args.custom_fields, false);
    one(full(crm, id, Form::Single))
}

/// `PUT contact/company/{id}` (`UpdateCompany`, `CRMApi.Contacts.cs:1152`).
pub(crate) fn update_company(crm: &mut Crm, args: UpdateCompanyArgs, _: &Call) -> Outcome {
    let id = args.company_id;
    let row = crm.contacts.get_mut(id).ok_or(ApiError::ARGUMENT)?;
    // `CompanyName.Trim()` with no null check (`ContactDao.cs:1104`).
    let name = args.company_name.ok_or(ApiError::NULL_REFERENCE)?;
    let name = name.trim().to_owned();
    if name.is_empty() {
        return Err(ApiError::ARGUMENT);
    }
    let was_person = !row.is_company;
    row.company_name = name;
    replace(row, args.about, args.share_type);
    if was_person {
        return Err(WRONG_KIND);
    }
    managers(crm, id, &args.managers);
    write_fields(crm, id, FieldEntity::Company, &args.custom_fields, false);
    one(full(crm, id, Form::Single))
}

/// `PUT contact` (`DeleteBatchContacts`, `CRMApi.Contacts.cs:1584`): ids that do not exist
/// are skipped; none at all is a 400.
pub(crate) fn delete_many(crm: &mut Crm, args: DeleteContactsArgs, call: &Call) -> Outcome {
    if args.contact_ids.is_empty() {
        return Err(ApiError::ARGUMENT);
    }
    let ids = ops::unique_sorted(args.contact_ids);
    super::delete_all(crm, &ids, call)
}

/// `GET contact/company/{id}/person` (`GetPeopleFromCompany`, `CRMApi.Contacts.cs:628`): the
/// persons by their membership rows.
pub(crate) fn company_persons(crm: &mut Crm, args: ListCompanyPersonsArgs, call: &Call) -> Outcome {
    positive(&[args.company_id])?;
    exists(crm, args.company_id)?;
    let items: Vec<Node> = ops::unique_sorted(super::people_of(crm, args.company_id))
        .into_iter()
        .filter_map(|id| Contact::read_listed(crm, id))
        .map(|c| c.list_item())
        .collect();
    Ok(smart_list(items, &call.paging))
}

/// The person of a company route: a person that exists, else a 404.
fn person(crm: &Crm, id: i64) -> Result<(), ApiError> {
    match crm.contacts.get(id) {
        Some(row) if !row.is_company => Ok(()),
        _ => Err(ApiError::NOT_FOUND),
    }
}

/// `POST contact/company/{id}/person` (`AddPeopleToCompany`, `CRMApi.Contacts.cs:653`): the
/// answer is the person as read before.
pub(crate) fn add_person(crm: &mut Crm, args: AddPersonToCompanyArgs, _: &Call) -> Outcome {
    positive(&[args.company_id, args.person_id])?;
    person(crm, args.person_id)?;
    exists(crm, args.company_id)?;
    let before = full(crm, args.person_id, Form::Single);
    join(crm, args.person_id, args.company_id);
    one(before)
}

/// `DELETE contact/company/{id}/person` (`DeletePeopleFromCompany`, `CRMApi.Contacts.cs:683`):
/// the person leaves every company; a company's id is unlinked, then fails its cast.
pub(crate) fn remove_person(crm: &mut Crm, args: RemovePersonFromCompanyArgs, _: &Call) -> Outcome {
    positive(&[args.company_id, args.person_id])?;
    let is_company = exists(crm, args.person_id)?.is_company;
    exists(crm, args.company_id)?;
    let before = full(crm, args.person_id, Form::Single);
    leave(crm, args.person_id);
    if is_company {
        return Err(WRONG_KIND);
    }
    one(before)
}

/// The checks the status routes share (`CRMApi.Contacts.cs:1211`): 0 clears, any list's
/// entry is taken.
fn status_checks(crm: &Crm, contact: i64, status: i64) -> Result<(), ApiError> {
    if contact <= 0 || status < 0 {
        return Err(ApiError::ARGUMENT);
    }
    if status > 0 && !crm.list_items.contains(status) {
        return Err(ApiError::NOT_FOUND);
    }
    exists(crm, contact).map(|_| ())
}

fn set_status_of(crm: &mut Crm, ids: &[i64], status: i64) {
    for id in ids {
        if let Some(row) = crm.contacts.get_mut(*id) {
            row.status_id = status;
        }
    }
}

/// `PUT contact/{id}/status` (`UpdateContactStatus`, `CRMApi.Contacts.cs:1208`).
pub(crate) fn set_status(crm: &mut Crm, args: UpdateContactStatusArgs, _: &Call) -> Outcome {
    status_checks(crm, args.contact_id, args.status_id)?;
    set_status_of(crm, &[args.contact_id], args.status_id);
    one(full(crm, args.contact_id, Form::Single))
}

/// `PUT contact/company/{id}/status` (`CRMApi.Contacts.cs:1249`): the company and its persons;
/// the answer keeps the company's old status (its object is not refreshed).
pub(crate) fn set_company_status(
    crm: &mut Crm,
    args: UpdateCompanyStatusArgs,
    _: &Call,
) -> Outcome {
    let id = args.company_id;
    status_checks(crm, id, args.status_id)?;
    if !exists(crm, id)?.is_company {
        return Err(ApiError::exception(NOT_A_COMPANY));
    }
    let old = full(crm, id, Form::Single)
        .as_ref()
        .and_then(|c| c.contact_status().cloned());
    set_status_of(crm, &super::with_people(crm, id), args.status_id);
    let mut answer = full(crm, id, Form::Single);
    if let Some(Contact::Company(company)) = &mut answer {
        company.contact_status = old;
    }
    one(answer)
}

/// `PUT contact/person/{id}/status` (`CRMApi.Contacts.cs:1301`): the person, and with a company
/// the company and its persons (the person among them by its membership row).
pub(crate) fn set_person_status(crm: &mut Crm, args: UpdatePersonStatusArgs, _: &Call) -> Outcome {
    let id = args.person_id;
    status_checks(crm, id, args.status_id)?;
    let row = exists(crm, id)?;
    if row.is_company {
        return Err(ApiError::exception(NOT_A_PERSON));
    }
    let company = row.company_id;
    if company == 0 {
        set_status_of(crm, &[id], args.status_id);
    } else {
        exists(crm, company)?;
        set_status_of(crm, &super::with_people(crm, company), args.status_id);
    }
    one(full(crm, id, Form::Single))
}

/// `GET contact/{id}/access` (`GetContactAccessList`, `CRMApi.Contacts.cs:1373`).
pub(crate) fn access(crm: &mut Crm, args: GetContactAccessArgs, call: &Call) -> Outcome {
    positive(&[args.contact_id])?;
    let row = exists(crm, args.contact_id)?;
    let users: Vec<Node> = if row.share_type == ShareType::None {
        row.access
            .iter()
            .map(|u| to_node(&Wire(&crm.employee(*u))))
            .collect()
    } else {
        Vec::new()
    };
    Ok(smart_list(users, &call.paging))
}

/// One contact of the access routes: checked, changed, answered as it was before.
fn set_access_one(
    crm: &mut Crm,
    id: i64,
    shared: bool,
    list: &[r7_model::Uuid],
) -> Result<Contact, ApiError> {
    positive(&[id])?;
    exists(crm, id)?;
    let before = full(crm, id, Form::Single).ok_or(ApiError::NOT_FOUND)?;
    share(crm, id, shared, list);
    Ok(before)
}

/// `PUT contact/{id}/access` (`SetAccessToContact`, `CRMApi.Contacts.cs:1406`).
pub(crate) fn set_access(crm: &mut Crm, args: SetContactAccessArgs, _: &Call) -> Outcome {
    let before = set_access_one(crm, args.contact_id, args.shared, &args.managers)?;
    Ok(Reply::One(before.one()))
}

/// `PUT contact/access` (`SetAccessToBatchContact`, `CRMApi.Contacts.cs:1463`): one by one,
/// the first failure stops the rest.
pub(crate) fn set_access_by_ids(
    crm: &mut Crm,
    args: SetContactsAccessArgs,
    call: &Call,
) -> Outcome {
    let mut items = Vec::new();
    for id in args.contact_ids {
        items.push(set_access_one(crm, id, args.shared, &args.managers)?.one());
    }
    Ok(smart_list(items, &call.paging))
}

/// `PUT contact/merge` (`MergeContacts`, `CRMApi.Contacts.cs:855`; `MergeDublicate`,
/// `ContactDao.cs:1596`): `to` stays and takes over what `from` has; `from` is deleted.
pub(crate) fn merge(crm: &mut Crm, args: MergeContactsArgs, _: &Call) -> Outcome {
    let (from, to) = (args.from_contact_id, args.to_contact_id);
    positive(&[from, to])?;
    let from_row = exists(crm, from)?.clone();
    exists(crm, to)?;
    if from != to {
        merge_rows(crm, from, &from_row, to);
    }
    one(full(crm, to, Form::Single))
}

fn merge_rows(crm: &mut Crm, from: i64, from_row: &ContactRow, to: i64) {
    for (_, task) in crm.tasks.iter_mut() {
        if task.contact_id == from {
            task.contact_id = to;
        }
    }
    for deal in crm.deals.ids() {
        if crm.deal_members.contains(deal, from) {
            crm.deal_members.unlink(deal, from);
            crm.deal_members.link(deal, to);
        }
    }
    for (_, deal) in crm.deals.iter_mut() {
        if deal.contact_id == from {
            deal.contact_id = to;
        }
    }
    for (_, event) in crm.history.iter_mut() {
        if event.contact_id == from {
            event.contact_id = to;
        }
    }
    for tag in crm.tags.of(TagKind::Contact, from) {
        let tag_id = crm.tags.find_or_insert(TagKind::Contact, &tag);
        crm.tags.link(TagKind::Contact, to, tag_id);
    }
    crm.tags.remove_entity(TagKind::Contact, from);
    // Only values stored as a common contact field move (`ContactDao.cs:1696`); the API
    // stores persons' and companies' values under their own kind, so they are lost.
    for kind in [
        FieldEntity::Person,
        FieldEntity::Company,
        FieldEntity::Contact,
    ] {
        crm.field_values
            .retain(|(k, entity, _), _| !(*k == kind && *entity == from));
    }
    merge_details(crm, from, to);
    // A company's persons move with its membership rows (`ContactDao.cs:1751`).
    for person in crm.company_people.of(from) {
        crm.company_people.unlink(from, person);
        crm.company_people.link(to, person);
        if let Some(row) = crm.contacts.get_mut(person) {
            row.company_id = to;
        }
    }
    // `MergeContactInfo` (`ContactDao.cs:1565`): `to`'s empty fields from `from`.
    let Some(target) = crm.contacts.get_mut(to) else {
        return;
    };
    if !target.is_company && !from_row.is_company {
        if target.company_id == 0 {
            target.company_id = from_row.company_id;
        }
        if target.title.is_empty() {
            target.title.clone_from(&from_row.title);
        }
    }
    if target.industry.is_empty() {
        target.industry.clone_from(&from_row.industry);
    }
    if target.status_id == 0 {
        target.status_id = from_row.status_id;
    }
    if target.contact_type_id == 0 {
        target.contact_type_id = from_row.contact_type_id;
    }
    if target.about.as_deref().unwrap_or_default().is_empty() {
        target.about.clone_from(&from_row.about);
    }
    let (is_person, company) = (!target.is_company, target.company_id);
    if is_person {
        leave(crm, to);
        if company > 0 {
            join(crm, to, company);
        }
    }
    // The row goes, and nothing else of it: a person's own membership row is left behind.
    crm.contacts.remove(from);
}

/// The contact details of a merge (`ContactDao.cs:1705`): `from`'s primaries that clash with
/// one of `to`'s lose the flag, exact duplicates go, the rest move.
fn merge_details(crm: &mut Crm, from: i64, to: i64) {
    let theirs: Vec<ContactInfoRow> = crm
        .contact_info
        .iter()
        .filter(|(_, r)| r.contact_id == to)
        .map(|(_, r)| r.clone())
        .collect();
    let mine: Vec<i64> = crm
        .contact_info
        .iter()
        .filter(|(_, r)| r.contact_id == from)
        .map(|(id, _)| id)
        .collect();
    for id in mine {
        let Some(row) = crm.contact_info.get_mut(id) else {
            continue;
        };
        let same = |t: &ContactInfoRow| t.info_type == row.info_type && t.category == row.category;
        if theirs.iter().any(|t| same(t) && t.data == row.data) {
            crm.contact_info.remove(id);
            continue;
        }
        if row.is_primary && theirs.iter().any(|t| same(t) && t.is_primary) {
            row.is_primary = false;
        }
        row.contact_id = to;
    }
}

/// `POST contact/company/quick` (`CRMApi.Contacts.cs:1045`): private companies with the caller
/// on their access lists; a name of spaces only fails them all.
pub(crate) fn create_companies(crm: &mut Crm, args: CreateCompaniesArgs, call: &Call) -> Outcome {
    let names: Vec<String> = args
        .company_names
        .into_iter()
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        return Ok(Reply::Void);
    }
    if names.iter().any(|n| n.trim().is_empty()) {
        return Err(ApiError::ARGUMENT);
    }
    let me = crm.me().id.get();
    let mut items = Vec::new();
    for name in names {
        let id = insert(
            crm,
            ContactRow {
                is_company: true,
                company_name: name.trim().to_owned(),
                access: vec![me],
                ..ContactRow::default()
            },
        );
        items.extend(base(crm, id).map(|b| to_node(&Wire(&b))));
    }
    Ok(smart_list(items, &call.paging))
}

/// `POST contact/person/quick` (`CreatePerson`, `CRMApi.Contacts.cs:1098`): private persons
/// with the caller on their access lists; a pair with an empty key or value is skipped, and
/// `SaveContactToDb` refuses a first name of spaces only (`ContactDao.cs:1306`), failing them
/// all in its transaction.
pub(crate) fn create_persons(crm: &mut Crm, args: CreatePersonsArgs, call: &Call) -> Outcome {
    let names: Vec<(String, String)> = args
        .names
        .into_iter()
        .filter(|(first, last)| !first.is_empty() && !last.is_empty())
        .collect();
    if names.is_empty() {
        return Ok(Reply::Void);
    }
    if names.iter().any(|(first, _)| first.trim().is_empty()) {
        return Err(ApiError::ARGUMENT);
    }
    let me = crm.me().id.get();
    let mut items = Vec::new();
    for (first, last) in names {
        let id = insert(
            crm,
            ContactRow {
                first_name: first.trim().to_owned(),
                last_name: last.trim().to_owned(),
                access: vec![me],
                ..ContactRow::default()
            },
        );
        items.extend(base(crm, id).map(|b| to_node(&Wire(&b))));
    }
    Ok(smart_list(items, &call.paging))
}

/// The deal of the contact-deal routes, checked in order (`CRMApi.Contacts.cs:232`).
fn deal_checks(crm: &Crm, contact: i64, deal: i64) -> Result<(), ApiError> {
    positive(&[contact, deal])?;
    exists(crm, contact)?;
    if !crm.deals.contains(deal) {
        return Err(ApiError::NOT_FOUND);
    }
    Ok(())
}

/// `POST contact/{id}/opportunity/{id}` (`AddDealToContact`, `CRMApi.Contacts.cs:229`).
pub(crate) fn add_deal(crm: &mut Crm, args: AddDealToContactArgs, _: &Call) -> Outcome {
    deal_checks(crm, args.contact_id, args.opportunity_id)?;
    crm.deal_members.link(args.opportunity_id, args.contact_id);
    ops::get::<Opportunity>(crm, args.opportunity_id, true)
}

/// `DELETE contact/{id}/opportunity/{id}` (`DeleteDealFromContact`, `CRMApi.Contacts.cs:261`).
pub(crate) fn remove_deal(crm: &mut Crm, args: RemoveDealFromContactArgs, _: &Call) -> Outcome {
    deal_checks(crm, args.contact_id, args.opportunity_id)?;
    if crm
        .deals
        .get(args.opportunity_id)
        .is_some_and(|d| d.contact_id == args.contact_id)
    {
        return Err(BASE_CONTACT);
    }
    crm.deal_members
        .unlink(args.opportunity_id, args.contact_id);
    ops::get::<Opportunity>(crm, args.opportunity_id, true)
}

/// `GET contact/bycontactinfo` (`CRMApi.Contacts.cs:1682`; `ContactDao.cs:1777`): each contact
/// once, as a single contact.
pub(crate) fn by_contact_info(
    crm: &mut Crm,
    args: ListContactsByContactInfoArgs,
    call: &Call,
) -> Outcome {
    let info_type = args.info_type.ok_or(ApiError::ARGUMENT)?;
    let data = args
        .data
        .filter(|d| !d.trim().is_empty())
        .map(|d| d.to_lowercase());
    let ids: Vec<i64> = crm
        .contact_info
        .iter()
        .filter(|(_, r)| r.info_type == info_type)
        .filter(|(_, r)| {
            data.as_deref()
                .is_none_or(|d| r.data.to_lowercase().contains(d))
        })
        .filter(|(_, r)| args.category.is_none_or(|c| i64::from(r.category) == c))
        .filter(|(_, r)| args.is_primary.is_none_or(|p| r.is_primary == p))
        .map(|(_, r)| r.contact_id)
        .collect();
    let items: Vec<Node> = ops::unique_sorted(ids)
        .into_iter()
        .filter_map(|id| full(crm, id, Form::Single))
        .map(|c| c.one())
        .collect();
    Ok(smart_list(items, &call.paging))
}

/// `GET contact/mail` (`GetContactsForMail`, `CRMApi.Contacts.cs:552`).
pub(crate) fn for_mail(crm: &mut Crm, args: ListContactsForMailArgs, call: &Call) -> Outcome {
    let items: Vec<Node> = ops::unique_sorted(args.contact_ids)
        .into_iter()
        .filter_map(|id| task_contact(crm, id))
        .map(|c| to_node(&Wire(&c)))
        .collect();
    Ok(smart_list(items, &call.paging))
}

/// The short form with the primary phone (`ToContactBaseWithPhoneWrapper`,
/// `CRMApi.Contacts.cs:2298`).
fn with_phone(crm: &Crm, id: i64) -> Option<Node> {
    let mut v = ContactWithPhone::from_base(base(crm, id)?);
    v.phone = primary(crm, id, ContactInfoType::Phone);
    Some(to_node(&Wire(&v)))
}

/// `GET contact/byprefix` (`GetContactsByPrefix`, `CRMApi.Contacts.cs:1611`).
pub(crate) fn by_prefix(crm: &mut Crm, args: ListContactsByPrefixArgs, call: &Call) -> Outcome {
    if args.entity_id > 0 {
        // A deal's members whose name contains the text as it is (`:1617`).
        let prefix = args.prefix.ok_or(ApiError::ARGUMENT)?;
        let kind = args.entity_type.unwrap_or_default().to_lowercase();
        let members = match kind.as_str() {
            "opportunity" | "1" => crm.deal_members.of(args.entity_id),
            _ => Vec::new(),
        };
        let items: Vec<Node> = ops::unique_sorted(members)
            .into_iter()
            .filter(|id| {
                crm.contacts
                    .get(*id)
                    .is_some_and(|c| c.display_name().contains(prefix.as_str()))
            })
            .filter_map(|id| with_phone(crm, id))
            .collect();
        return Ok(smart_list(items, &call.paging));
    }
    if !(-1..=3).contains(&args.search_type) {
        return Err(ApiError::ARGUMENT);
    }
    let prefix = args.prefix.ok_or(ApiError::NULL_REFERENCE)?;
    let words: Vec<String> = prefix.split(' ').map(str::to_lowercase).collect();
    let mut found: Vec<(String, i64)> = crm
        .contacts
        .iter()
        .filter(|(_, c)| match args.search_type {
            0 => c.is_company,
            1 => !c.is_company,
            2 => !c.is_company && c.company_id == 0,
            3 => c.is_company || c.company_id == 0,
            _ => true,
        })
        .map(|(id, c)| (super::filter::stored_name(c).to_lowercase(), id))
        .filter(|(name, _)| words.iter().all(|w| name.contains(w.as_str())))
        .collect();
    found.sort();
    let items: Vec<Node> = found
        .into_iter()
        .take(30)
        .filter_map(|(_, id)| with_phone(crm, id))
        .collect();
    Ok(smart_list(items, &call.paging))
}

/// `GET contact/project/{id}` (`CRMApi.Contacts.cs:92`): the emulator has no projects, so no
/// contact is linked to one.
pub(crate) fn project_contacts(_: &mut Crm, args: ListProjectContactsArgs, call: &Call) -> Outcome {
    positive(&[args.project_id])?;
    Ok(smart_list(Vec::new(), &call.paging))
}

/// `POST contact/{id}/project/{id}` (`CRMApi.Contacts.cs:113`): no project exists.
pub(crate) fn link_project(crm: &mut Crm, args: LinkContactToProjectArgs, _: &Call) -> Outcome {
    positive(&[args.contact_id, args.project_id])?;
    exists(crm, args.contact_id)?;
    Err(ApiError::NOT_FOUND)
}

/// `POST contact/project/{id}` (`CRMApi.Contacts.cs:152`): no project exists.
pub(crate) fn link_project_many(_: &mut Crm, args: LinkContactsToProjectArgs, _: &Call) -> Outcome {
    if args.contact_ids.is_empty() || args.project_id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    Err(ApiError::NOT_FOUND)
}

/// `DELETE contact/{id}/project/{id}` (`CRMApi.Contacts.cs:193`): no project exists.
pub(crate) fn unlink_project(
    crm: &mut Crm,
    args: UnlinkContactFromProjectArgs,
    _: &Call,
) -> Outcome {
    positive(&[args.contact_id, args.project_id])?;
    exists(crm, args.contact_id)?;
    Err(ApiError::NOT_FOUND)
}

/// Sets one of a contact's dates (`CRMApi.Contacts.cs:1823`, `:1844`); no date is the
/// server's `DateTime.MinValue`, which no answer shows.
fn set_date(
    crm: &mut Crm,
    id: i64,
    at: Option<ApiDateTime>,
    column: fn(&mut ContactRow) -> &mut Option<ApiDateTime>,
) -> Outcome {
    let row = crm.contacts.get_mut(id).ok_or(ApiError::NOT_FOUND)?;
    *column(row) = at;
    Ok(Reply::Void)
}

/// `PUT contact/{id}/creationdate` (`SetContactCreationDate`).
pub(crate) fn set_created(crm: &mut Crm, args: SetContactCreationDateArgs, _: &Call) -> Outcome {
    set_date(crm, args.contact_id, args.creation_date, |r| &mut r.created)
}

/// `PUT contact/{id}/lastmodifeddate` (`SetContactLastModifedDate`).
pub(crate) fn set_last_modified(
    crm: &mut Crm,
    args: SetContactLastModifiedDateArgs,
    _: &Call,
) -> Outcome {
    set_date(crm, args.contact_id, args.last_modified_date, |r| {
        &mut r.last_modified
    })
}

/// `DELETE contact/{id}/avatar` (`DeleteContactAvatar`, `CRMApi.Contacts.cs:1706`): the
/// emulator keeps no photos, so there is nothing to delete; the answer is the default picture.
pub(crate) fn delete_avatar(crm: &mut Crm, args: DeleteContactAvatarArgs, _: &Call) -> Outcome {
    let is_company = if args.contact_id != 0 {
        exists(crm, args.contact_id)?.is_company
    } else {
        args.contact_type.as_deref() != Some("people")
    };
    if args.upload_only {
        return Ok(Reply::Text(String::new()));
    }
    if args.contact_id == 0 {
        return Err(ApiError::ARGUMENT);
    }
    let file = if is_company {
        "empty_company_logo_200_200.png"
    } else {
        "empty_people_logo_200_200.png"
    };
    Ok(Reply::Text(format!("{IMAGES}{file}")))
}
