//! Tags of contacts, deals and cases (`CRMApi.Tag.cs`, `TagDao.cs`). Every route is a hook: they
//! answer a tag's name or a list of names, and each checks what it checks in its own order.
//!
//! The emulator has no cases yet, so a case never exists and no case filter matches; case tags
//! themselves (create, list, delete) work as for the other types.

use std::borrow::Cow;

use http::StatusCode;
use r7_model::Tag;

use crate::behaviour::contact;
use crate::generated::Wire;
use crate::generated::args::{
    AddContactGroupTagArgs, AddEntityTagArgs, AddTagToCasesByFilterArgs,
    AddTagToContactsByFilterArgs, AddTagToEntitiesArgs, AddTagToOpportunitiesByFilterArgs,
    ContactFilterArgs, CreateTagArgs, DeleteTagArgs, DeleteUnusedTagsArgs, ListContactTagsArgs,
    ListEntityTagsArgs, ListTagsArgs, RemoveContactGroupTagArgs, RemoveEntityTagArgs,
};
use crate::ops::{Call, Filtered, Outcome, smart_list};
use crate::store::{Crm, TagKind, Tags};
use crate::wire::{ApiError, Node, Reply, to_node};

/// `ArgumentNullException(CRMErrorsResource.TagNameNotSet)` from `TagDao.AddTag`
/// (`TagDao.cs:240`): the resource text lands in the parameter-name slot.
const TAG_NAME_NOT_SET: ApiError = ApiError {
    status: StatusCode::BAD_REQUEST,
    message: Cow::Borrowed("Value cannot be null.\r\nParameter name: Tag name is empty"),
    hresult: -2147467261,
};

/// `ArgumentException(CRMErrorsResource.TagNameBusy)` (`TagDao.cs:246`).
fn tag_name_busy() -> ApiError {
    ApiError::argument("Tag with this name already exists")
}

/// `ToEntityType` (`CRMApi.cs:56`) for the texts the tag routes allow (the route matches them
/// in any case).
fn kind(text: &str) -> Option<TagKind> {
    match text.to_lowercase().as_str() {
        "contact" | "person" | "company" => Some(TagKind::Contact),
        "opportunity" => Some(TagKind::Opportunity),
        "case" => Some(TagKind::Case),
        _ => None,
    }
}

/// The entity type of a route that checks it is not empty first.
fn given_kind(text: Option<&str>) -> Result<TagKind, ApiError> {
    text.filter(|t| !t.is_empty())
        .and_then(kind)
        .ok_or(ApiError::ARGUMENT)
}

/// `GetEntityTitle` (`CRMApi.cs:87`): the entity exists (the caller may see everything).
fn entity_exists(crm: &Crm, kind: TagKind, id: i64) -> bool {
    match kind {
        TagKind::Contact => crm.contacts.contains(id),
        TagKind::Opportunity => crm.deals.contains(id),
        TagKind::Case => false,
    }
}

fn nonempty(text: Option<&str>) -> Option<&str> {
    text.filter(|t| !t.is_empty())
}

/// A list of names, through the framework's generic list step.
fn names(names: Vec<String>, call: &Call) -> Outcome {
    Ok(smart_list(
        names.into_iter().map(Node::String).collect(),
        &call.paging,
    ))
}

/// `AddTagTo` (`CRMApi.Tag.cs:359`) on one entity, as the batch routes call it too.
fn add_to(crm: &mut Crm, kind: TagKind, entity: i64, name: Option<&str>) -> Result<(), ApiError> {
    let name = nonempty(name)
        .filter(|_| entity > 0)
        .ok_or(ApiError::ARGUMENT)?;
    if !entity_exists(crm, kind, entity) {
        return Err(ApiError::NOT_FOUND);
    }
    // `AddTagToEntity` (`TagDao.cs:295`): a name that is only blanks is refused there.
    if Tags::correct(name).is_empty() {
        return Err(ApiError::ARGUMENT);
    }
    let tag = crm.tags.find_or_insert(kind, name);
    crm.tags.link(kind, entity, tag);
    Ok(())
}

/// The name as the method answers it: as sent, not corrected.
fn sent(name: Option<String>) -> Outcome {
    Ok(Reply::Text(name.unwrap_or_default()))
}

/// `GET {entityType}/tag/{entityid}` (`GetEntityTags`, `CRMApi.Tag.cs:50`).
pub(crate) fn entity_tags(crm: &mut Crm, args: ListEntityTagsArgs, call: &Call) -> Outcome {
    if nonempty(args.entity_type.as_deref()).is_none() || args.entity_id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    let kind = given_kind(args.entity_type.as_deref())?;
    if !entity_exists(crm, kind, args.entity_id) {
        return Err(ApiError::NOT_FOUND);
    }
    names(crm.tags.of(kind, args.entity_id), call)
}

/// `GET contact/{id}/tag` (`GetContactTags`, `CRMApi.Tag.cs:94`).
pub(crate) fn contact_tags(crm: &mut Crm, args: ListContactTagsArgs, call: &Call) -> Outcome {
    if args.contact_id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    if !crm.contacts.contains(args.contact_id) {
        return Err(ApiError::NOT_FOUND);
    }
    names(crm.tags.of(TagKind::Contact, args.contact_id), call)
}

/// `POST {entityType}/tag` (`CreateTag`, `CRMApi.Tag.cs:117`; `TagDao.AddTag`, `:236`).
pub(crate) fn create(crm: &mut Crm, args: CreateTagArgs, _: &Call) -> Outcome {
    let name = nonempty(args.tag_name.as_deref()).ok_or(ApiError::ARGUMENT)?;
    let kind = args
        .entity_type
        .as_deref()
        .and_then(kind)
        .ok_or(ApiError::ARGUMENT)?;
    let title = Tags::correct(name);
    if title.is_empty() {
        return Err(TAG_NAME_NOT_SET);
    }
    if crm.tags.find(kind, &title).is_some() {
        return Err(tag_name_busy());
    }
    crm.tags.insert(kind, title);
    sent(args.tag_name)
}

/// `GET {entityType}/tag` (`GetAllTags`, `CRMApi.Tag.cs:145`): the tags by title as the
/// database sorts them, then sorted again by the trimmed title with `OrdinalIgnoreCase`
/// (stable, comparing upper-cased characters).
pub(crate) fn list(crm: &mut Crm, args: ListTagsArgs, call: &Call) -> Outcome {
    let kind = given_kind(args.entity_type.as_deref())?;
    let mut tags: Vec<Tag> = crm
        .tags
        .all(kind)
        .into_iter()
        .map(|(id, title)| {
            let mut tag = Tag::default();
            tag.relative_items_count = crm.tags.count(id);
            tag.title = title;
            tag
        })
        .collect();
    tags.sort_by_key(|t| t.title.trim().to_uppercase());
    let items = tags.iter().map(|t| to_node(&Wire(t))).collect();
    Ok(smart_list(items, &call.paging))
}

/// `POST {entityType}/taglist` (`AddTagToBatch`, `CRMApi.Tag.cs:177`): one by one, so the ids
/// before one that fails stay tagged.
pub(crate) fn add_to_many(crm: &mut Crm, args: AddTagToEntitiesArgs, _: &Call) -> Outcome {
    if args.entity_ids.is_empty() {
        return Err(ApiError::ARGUMENT);
    }
    let kind = args
        .entity_type
        .as_deref()
        .and_then(kind)
        .ok_or(ApiError::ARGUMENT)?;
    for id in &args.entity_ids {
        add_to(crm, kind, *id, args.tag_name.as_deref())?;
    }
    sent(args.tag_name)
}

/// `POST opportunity/filter/taglist` (`AddTagToBatchDeals`, `CRMApi.Tag.cs:259`): every deal
/// the filter matches; with none, the name comes back whatever it is.
pub(crate) fn add_to_deals_by_filter(
    crm: &mut Crm,
    args: AddTagToOpportunitiesByFilterArgs,
    call: &Call,
) -> Outcome {
    let deals = r7_model::Opportunity::matching(crm, &args.opportunity_filter, call);
    for id in deals {
        add_to(crm, TagKind::Opportunity, id, args.tag_name.as_deref())?;
    }
    sent(args.tag_name)
}

/// `POST contact/filter/taglist` (`AddTagToBatchContacts`, `CRMApi.Tag.cs:208`): every contact
/// the filter matches (the caller may edit them all). The method's stage and type are plain
/// `int`s, so they always filter: 0 when left out, and only -1 means any. With no match, the
/// name comes back whatever it is.
pub(crate) fn add_to_contacts_by_filter(
    crm: &mut Crm,
    args: AddTagToContactsByFilterArgs,
    call: &Call,
) -> Outcome {
    let filter = ContactFilterArgs {
        tags: args.tags,
        status_id: Some(args.status_id),
        type_id: Some(args.type_id),
        view: args.view,
        from_date: args.from_date,
        to_date: args.to_date,
    };
    let search = call.paging.filter_value.as_deref();
    for id in contact::matching(crm, &filter, None, None, search) {
        add_to(crm, TagKind::Contact, id, args.tag_name.as_deref())?;
    }
    sent(args.tag_name)
}

/// `POST case/filter/taglist` (`AddTagToBatchCases`, `CRMApi.Tag.cs:305`): the filter selects
/// among no cases, so nothing is tagged, no tag is created, and the name comes back as sent
/// (`if (!caseses.Any()) return tagName;`, `:311`), unchecked.
pub(crate) fn add_to_cases_by_filter(
    _: &mut Crm,
    args: AddTagToCasesByFilterArgs,
    _: &Call,
) -> Outcome {
    sent(args.tag_name)
}

/// `DELETE {entityType}/tag/unused` (`DeleteUnusedTag`, `CRMApi.Tag.cs:331`): the tags nothing
/// carries, deleted; their names, by id (`GetUnusedTags` has no `ORDER BY`).
pub(crate) fn delete_unused(crm: &mut Crm, args: DeleteUnusedTagsArgs, call: &Call) -> Outcome {
    let kind = args
        .entity_type
        .as_deref()
        .and_then(kind)
        .ok_or(ApiError::ARGUMENT)?;
    let mut unused: Vec<(i64, String)> = crm
        .tags
        .all(kind)
        .into_iter()
        .filter(|(id, _)| crm.tags.count(*id) == 0)
        .collect();
    unused.sort_by_key(|(id, _)| *id);
    for (id, _) in &unused {
        crm.tags.delete(*id);
    }
    names(unused.into_iter().map(|(_, title)| title).collect(), call)
}

/// `POST {entityType}/{id}/tag` (`AddTagTo`, `CRMApi.Tag.cs:359`).
pub(crate) fn add(crm: &mut Crm, args: AddEntityTagArgs, _: &Call) -> Outcome {
    let kind = args
        .entity_type
        .as_deref()
        .and_then(kind)
        .ok_or(ApiError::ARGUMENT)?;
    add_to(crm, kind, args.entity_id, args.tag_name.as_deref())?;
    sent(args.tag_name)
}

/// The contacts a group route tags (`CRMApi.Tag.cs:412`): a company and its people; for a
/// person, its company and the company's people, or the person alone without a company. A
/// person named as a company (or the reverse) is the server's plain `Exception`, a 500.
fn group(
    crm: &Crm,
    entity_type: Option<&str>,
    id: i64,
    name: Option<&str>,
) -> Result<Vec<i64>, ApiError> {
    if id <= 0 || nonempty(name).is_none() {
        return Err(ApiError::ARGUMENT);
    }
    let wants_company = match entity_type.map(str::to_lowercase).as_deref() {
        Some("company") => true,
        Some("person") => false,
        _ => return Err(ApiError::ARGUMENT),
    };
    let row = crm.contacts.get(id).ok_or(ApiError::NOT_FOUND)?;
    let is_company = row.is_company;
    if wants_company && !is_company {
        return Err(ApiError::exception("Contact is not a company"));
    }
    if !wants_company && is_company {
        return Err(ApiError::exception("Contact is not a person"));
    }
    let company = if is_company {
        Some(id)
    } else {
        Some(row.company_id)
            .filter(|c| *c != 0)
            .filter(|c| crm.contacts.get(*c).is_some_and(|r| r.is_company))
    };
    Ok(match company {
        Some(company) => contact::with_people(crm, company),
        None => vec![id],
    })
}

/// `POST {company|person}/{id}/tag/group` (`AddContactTagToGroup`, `CRMApi.Tag.cs:394`;
/// `TagDao.AddTagToContacts`, `TagDao.cs:319`).
pub(crate) fn add_to_group(crm: &mut Crm, args: AddContactGroupTagArgs, _: &Call) -> Outcome {
    let name = args.tag_name.as_deref();
    let contacts = group(crm, args.entity_type.as_deref(), args.entity_id, name)?;
    let name = name.unwrap_or_default();
    if Tags::correct(name).is_empty() {
        return Err(ApiError::ARGUMENT);
    }
    let tag = crm.tags.find_or_insert(TagKind::Contact, name);
    for contact in contacts {
        crm.tags.link(TagKind::Contact, contact, tag);
    }
    sent(args.tag_name)
}

/// `DELETE {entityType}/tag` (`DeleteTag`, `CRMApi.Tag.cs:484`): the tag and every link to it.
pub(crate) fn delete(crm: &mut Crm, args: DeleteTagArgs, _: &Call) -> Outcome {
    let name = nonempty(args.tag_name.as_deref()).ok_or(ApiError::ARGUMENT)?;
    let kind = given_kind(args.entity_type.as_deref())?;
    let tag = crm.tags.find(kind, name).ok_or(ApiError::NOT_FOUND)?;
    crm.tags.delete(tag);
    sent(args.tag_name)
}

/// `DELETE {entityType}/{id}/tag` (`DeleteTagFrom`, `CRMApi.Tag.cs:516`): the link only; a tag
/// the entity does not carry changes nothing.
pub(crate) fn remove(crm: &mut Crm, args: RemoveEntityTagArgs, _: &Call) -> Outcome {
    let name = nonempty(args.tag_name.as_deref());
    if nonempty(args.entity_type.as_deref()).is_none() || args.entity_id <= 0 || name.is_none() {
        return Err(ApiError::ARGUMENT);
    }
    let kind = given_kind(args.entity_type.as_deref())?;
    if !entity_exists(crm, kind, args.entity_id) {
        return Err(ApiError::NOT_FOUND);
    }
    let tag = crm
        .tags
        .find(kind, name.unwrap_or_default())
        .ok_or(ApiError::NOT_FOUND)?;
    crm.tags.unlink(kind, args.entity_id, tag);
    sent(args.tag_name)
}

/// `DELETE {company|person}/{id}/tag/group` (`DeleteContactTagFromGroup`,
/// `CRMApi.Tag.cs:553`; `TagDao.DeleteTagFromContacts`, `TagDao.cs:346`): a tag no contact has
/// is a 400 here.
pub(crate) fn remove_from_group(
    crm: &mut Crm,
    args: RemoveContactGroupTagArgs,
    _: &Call,
) -> Outcome {
    let name = args.tag_name.as_deref();
    let contacts = group(crm, args.entity_type.as_deref(), args.entity_id, name)?;
    let tag = crm
        .tags
        .find(TagKind::Contact, name.unwrap_or_default())
        .ok_or(ApiError::ARGUMENT)?;
    for contact in contacts {
        crm.tags.unlink(TagKind::Contact, contact, tag);
    }
    sent(args.tag_name)
}
