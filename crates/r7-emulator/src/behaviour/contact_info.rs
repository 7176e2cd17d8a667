//! Contact details (`CRMApi.ContactInfo.cs`, `ContactInfoDao.cs`, `ContactInfo.cs`): phones,
//! e-mails, web sites, addresses, built from their rows, and their routes. The server checks
//! nothing of the data but that it is there: no format, and a primary flag never clears
//! another's.

use r7_model::{Address, AddressCategory, ContactInfo, ContactInfoType};

use crate::generated::Wire;
use crate::generated::args::{
    AddressArgs, CreateContactAddressArgs, CreateContactInfoArgs, CreateContactInfoBatchArgs,
    DeleteContactInfoArgs, GetContactInfoArgs, ListContactInfoArgs, ListContactInfoCategoriesArgs,
    ListContactInfoDataArgs, ListContactInfoTypesArgs, ReplaceContactInfoBatchArgs,
    UpdateContactAddressArgs, UpdateContactInfoArgs,
};
use crate::ops::{Call, Outcome, smart_list};
use crate::store::{ContactInfoRow, Crm};
use crate::wire::{ApiError, Node, Reply, to_node};

/// The category enum's names by info type (`ContactInfo.GetCategory`, `ContactInfo.cs:70`), in
/// value order: phones, addresses, and every other type.
const PHONE: [&str; 6] = ["Home", "Work", "Mobile", "Fax", "Direct", "Other"];
const ADDRESS: [&str; 6] = ["Home", "Postal", "Office", "Billing", "Other", "Work"];
const BASE: [&str; 3] = ["Home", "Work", "Other"];

/// The names of the categories of an info type (`GET contact/data/{infoType}/category`).
pub(crate) fn category_names(info_type: ContactInfoType) -> &'static [&'static str] {
    match info_type {
        ContactInfoType::Phone => &PHONE,
        ContactInfoType::Address => &ADDRESS,
        _ => &BASE,
    }
}

/// `CategoryToString` (`ContactInfo.cs:57`): the category's English text; an address's Postal
/// reads "Delivery"; an undefined number gives the resource key (`PhoneCategory_9`).
pub(crate) fn category_name(info_type: ContactInfoType, category: i32) -> String {
    let names = category_names(info_type);
    let known = usize::try_from(category).ok().and_then(|n| names.get(n));
    match (info_type, known) {
        (ContactInfoType::Address, Some(&"Postal")) => "Delivery".to_owned(),
        (_, Some(name)) => (*name).to_owned(),
        (ContactInfoType::Phone, None) => format!("PhoneCategory_{category}"),
        (ContactInfoType::Address, None) => format!("AddressCategory_{category}"),
        (_, None) => format!("ContactInfoBaseCategory_{category}"),
    }
}

/// A detail as the wrapper writes it (`ContactInfoWrapper(ContactInfo)`,
/// `ContactInfoWrapper.cs:158`).
pub(crate) fn wrapper(id: i64, row: &ContactInfoRow) -> ContactInfo {
    let mut v = ContactInfo::default();
    v.id = id.into();
    v.info_type = row.info_type;
    v.category = row.category;
    v.data.clone_from(&row.data);
    v.category_name = category_name(row.info_type, row.category);
    v.is_primary = row.is_primary;
    v
}

/// An address from its row (`Address.TryParse`, `ContactInfoWrapper.cs:60`): the data's
/// members, and the row's category and primary flag; `None` when the data is no JSON object.
pub(crate) fn address(row: &ContactInfoRow) -> Option<Address> {
    let value: serde_json::Value = serde_json::from_str(&row.data).ok()?;
    if !value.is_object() {
        return None;
    }
    let text = |key: &str| {
        value
            .get(key)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut v = Address::default();
    v.street = text("street");
    v.city = text("city");
    v.state = text("state");
    v.zip = text("zip");
    v.country = text("country");
    v.category = AddressCategory::from_i32(row.category);
    v.category_name = category_name(ContactInfoType::Address, row.category);
    v.is_primary = row.is_primary;
    Some(v)
}

/// A contact's details, by type and then id (`GetList`, `ContactInfoDao.cs:243`): the common
/// data and the addresses apart.
pub(crate) fn of(crm: &Crm, contact: i64) -> (Vec<ContactInfo>, Vec<Address>) {
    let mut rows: Vec<(i64, &ContactInfoRow)> = crm
        .contact_info
        .iter()
        .filter(|(_, r)| r.contact_id == contact)
        .collect();
    rows.sort_by_key(|(id, r)| (r.info_type.to_i32(), *id));
    let mut common = Vec::new();
    let mut addresses = Vec::new();
    for (id, row) in rows {
        if row.info_type == ContactInfoType::Address {
            addresses.extend(address(row));
        } else {
            common.push(wrapper(id, row));
        }
    }
    (common, addresses)
}

/// The data of an address row as the server stores it (`CRMApi.ContactInfo.cs:226`): indented
/// camel-case JSON of the address, leaving out a category of 0 and a primary flag that is
/// false, as `EmitDefaultValue = false` does.
pub(crate) fn address_data(address: &Address) -> String {
    let text = |v: &str| serde_json::to_string(v).unwrap_or_default();
    let mut members = vec![
        ("street", text(&address.street)),
        ("city", text(&address.city)),
        ("state", text(&address.state)),
        ("zip", text(&address.zip)),
        ("country", text(&address.country)),
    ];
    let category = address.category.to_i32();
    if category != 0 {
        members.push(("category", category.to_string()));
    }
    members.push((
        "categoryName",
        text(&category_name(ContactInfoType::Address, category)),
    ));
    if address.is_primary {
        members.push(("isPrimary", "true".to_owned()));
    }
    // Json.NET's `Formatting.Indented`: two spaces, one member a line (the portal runs on
    // Linux, so the line ends are `\n`).
    let lines: Vec<String> = members
        .iter()
        .map(|(key, value)| format!("  \"{key}\": {value}"))
        .collect();
    format!("{{\n{}\n}}", lines.join(",\n"))
}

// --- Hooks --------------------------------------------------------------------------------------

/// The contact a route works on: a positive id (`ArgumentException`) of a contact that exists
/// (`ItemNotFoundException`; the caller, an administrator, may see and edit every contact).
fn contact(crm: &Crm, id: i64) -> Result<(), ApiError> {
    if id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    if !crm.contacts.contains(id) {
        return Err(ApiError::NOT_FOUND);
    }
    Ok(())
}

fn one(id: i64, row: &ContactInfoRow) -> Reply {
    Reply::One(to_node(&Wire(&wrapper(id, row))))
}

fn texts<'a>(items: impl IntoIterator<Item = &'a str>, call: &Call) -> Reply {
    smart_list(
        items
            .into_iter()
            .map(|t| Node::String(t.to_owned()))
            .collect(),
        &call.paging,
    )
}

/// The category a create names (`CRMApi.ContactInfo.cs:160`): exactly a name of the type's
/// category enum (`Enum.IsDefined` with a string matches names only, case counting).
fn category_of(info_type: ContactInfoType, name: &str) -> Option<i32> {
    category_names(info_type)
        .iter()
        .position(|c| *c == name)
        .and_then(|n| i32::try_from(n).ok())
}

/// `GET contact/data/infoType` (`GetContactInfoType`, `CRMApi.ContactInfo.cs:68`).
pub(crate) fn types(_: &mut Crm, _: ListContactInfoTypesArgs, call: &Call) -> Outcome {
    let names = (0..)
        .map(ContactInfoType::from_i32)
        .map_while(ContactInfoType::name);
    Ok(texts(names, call))
}

/// `GET contact/data/{infoType}/category` (`GetContactInfoCategory`, `CRMApi.ContactInfo.cs:53`).
pub(crate) fn categories(_: &mut Crm, args: ListContactInfoCategoriesArgs, call: &Call) -> Outcome {
    Ok(texts(category_names(args.info_type).iter().copied(), call))
}

/// `GET contact/{id}/data` (`CRMApi.ContactInfo.cs:86`): newest first.
pub(crate) fn list(crm: &mut Crm, args: ListContactInfoArgs, call: &Call) -> Outcome {
    contact(crm, args.contact_id)?;
    let mut rows: Vec<(i64, &ContactInfoRow)> = crm
        .contact_info
        .iter()
        .filter(|(_, r)| r.contact_id == args.contact_id)
        .collect();
    rows.sort_by_key(|(id, _)| std::cmp::Reverse(*id));
    let items = rows
        .into_iter()
        .map(|(id, r)| to_node(&Wire(&wrapper(id, r))))
        .collect();
    Ok(smart_list(items, &call.paging))
}

/// `GET contact/{id}/data/{id}` (`GetContactInfoByID`, `CRMApi.ContactInfo.cs:111`): a detail
/// that does not exist or is another contact's is an `ArgumentException`.
pub(crate) fn get(crm: &mut Crm, args: GetContactInfoArgs, _: &Call) -> Outcome {
    if args.info_id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    contact(crm, args.contact_id)?;
    match crm.contact_info.get(args.info_id) {
        Some(row) if row.contact_id == args.contact_id => Ok(one(args.info_id, row)),
        _ => Err(ApiError::ARGUMENT),
    }
}

/// `GET contact/{id}/data/{infoType}` (`CRMApi.ContactInfo.cs:491`): the data alone.
pub(crate) fn data(crm: &mut Crm, args: ListContactInfoDataArgs, call: &Call) -> Outcome {
    contact(crm, args.contact_id)?;
    let items: Vec<&str> = crm
        .contact_info
        .iter()
        .filter(|(_, r)| r.contact_id == args.contact_id && r.info_type == args.info_type)
        .map(|(_, r)| r.data.as_str())
        .collect();
    Ok(texts(items, call))
}

/// An address's data must read as a JSON object (`Address.TryParse`).
fn check_address(info_type: ContactInfoType, data: &str) -> Result<(), ApiError> {
    let probe = ContactInfoRow {
        contact_id: 0,
        info_type,
        category: 0,
        data: data.to_owned(),
        is_primary: false,
    };
    if info_type == ContactInfoType::Address && address(&probe).is_none() {
        return Err(ApiError::ARGUMENT);
    }
    Ok(())
}

/// `POST contact/{id}/data` (`CreateContactInfo`, `CRMApi.ContactInfo.cs:144`).
pub(crate) fn create(crm: &mut Crm, args: CreateContactInfoArgs, _: &Call) -> Outcome {
    let data = args.data.filter(|d| !d.is_empty());
    let (true, Some(data)) = (args.contact_id > 0, data) else {
        return Err(ApiError::ARGUMENT);
    };
    contact(crm, args.contact_id)?;
    let category = args
        .category
        .as_deref()
        .and_then(|c| category_of(args.info_type, c))
        .ok_or(ApiError::ARGUMENT)?;
    check_address(args.info_type, &data)?;
    let row = ContactInfoRow {
        contact_id: args.contact_id,
        info_type: args.info_type,
        category,
        data,
        is_primary: args.is_primary,
    };
    let id = crm.contact_info.next_id();
    let reply = one(id, &row);
    crm.contact_info.insert(id, row);
    Ok(reply)
}

/// `PUT contact/{id}/data/{id}` (`UpdateContactInfo`, `CRMApi.ContactInfo.cs:322`): no check
/// that the detail exists (a `NullReferenceException`) or is this contact's (it moves here).
pub(crate) fn update(crm: &mut Crm, args: UpdateContactInfoArgs, _: &Call) -> Outcome {
    let data = args.data.filter(|d| !d.is_empty());
    let (true, true, Some(data)) = (args.info_id > 0, args.contact_id > 0, data) else {
        return Err(ApiError::ARGUMENT);
    };
    contact(crm, args.contact_id)?;
    let row = crm
        .contact_info
        .get_mut(args.info_id)
        .ok_or(ApiError::NULL_REFERENCE)?;
    if let Some(info_type) = args.info_type {
        if let Some(category) = args
            .category
            .as_deref()
            .filter(|c| !c.is_empty())
            .and_then(|c| category_of(info_type, c))
        {
            row.category = category;
        }
        row.info_type = info_type;
    }
    row.contact_id = args.contact_id;
    if let Some(primary) = args.is_primary {
        row.is_primary = primary;
    }
    row.data = data;
    let row = row.clone();
    check_address(row.info_type, &row.data)?;
    Ok(one(args.info_id, &row))
}

/// `DELETE contact/{id}/data/{id}` (`DeleteContactInfo`, `CRMApi.ContactInfo.cs:517`): the
/// answer is built before; whose detail it is is not checked.
pub(crate) fn delete(crm: &mut Crm, args: DeleteContactInfoArgs, _: &Call) -> Outcome {
    if args.info_id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    contact(crm, args.contact_id)?;
    let row = crm
        .contact_info
        .remove(args.info_id)
        .ok_or(ApiError::NOT_FOUND)?;
    Ok(one(args.info_id, &row))
}

/// The address an address route binds (`CRMApi.ContactInfo.cs:215`), its category checked.
/// An update leaves the members it was not sent out of the stored JSON (`:405`), a create
/// stores them empty; the emulator stores them empty, which reads back the same.
fn bound_address(args: &AddressArgs) -> Result<(Address, bool), ApiError> {
    let category = i32::try_from(args.category)
        .ok()
        .filter(|c| (0..6).contains(c))
        .ok_or_else(|| {
            ApiError::argument(
                "Value does not fall within the expected range.\r\nParameter name: address.Category",
            )
        })?;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut v = Address::default();
    v.street = text(&args.street);
    v.city = text(&args.city);
    v.state = text(&args.state);
    v.zip = text(&args.zip);
    v.country = text(&args.country);
    v.category = AddressCategory::from_i32(category);
    v.is_primary = args.is_primary;
    Ok((v, args.is_primary))
}

/// `POST contact/{id}/addressdata` (`CreateContactInfoAddress`, `CRMApi.ContactInfo.cs:206`).
pub(crate) fn create_address(crm: &mut Crm, args: CreateContactAddressArgs, _: &Call) -> Outcome {
    contact(crm, args.contact_id)?;
    let (address, is_primary) = bound_address(&args.address)?;
    let row = ContactInfoRow {
        contact_id: args.contact_id,
        info_type: ContactInfoType::Address,
        category: address.category.to_i32(),
        data: address_data(&address),
        is_primary,
    };
    let id = crm.contact_info.next_id();
    let reply = one(id, &row);
    crm.contact_info.insert(id, row);
    Ok(reply)
}

/// `PUT contact/{id}/addressdata/{id}` (`UpdateContactInfoAddress`, `CRMApi.ContactInfo.cs:384`):
/// the detail is looked up first, and one that is not an address, or another contact's, is a
/// 404.
pub(crate) fn update_address(crm: &mut Crm, args: UpdateContactAddressArgs, _: &Call) -> Outcome {
    if args.info_id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    let owner = match crm.contact_info.get(args.info_id) {
        Some(row) if row.info_type == ContactInfoType::Address => row.contact_id,
        _ => return Err(ApiError::NOT_FOUND),
    };
    contact(crm, args.contact_id)?;
    if owner != args.contact_id {
        return Err(ApiError::NOT_FOUND);
    }
    let (address, is_primary) = bound_address(&args.address)?;
    let row = crm
        .contact_info
        .get_mut(args.info_id)
        .ok_or(ApiError::NOT_FOUND)?;
    row.is_primary = is_primary;
    row.category = address.category.to_i32();
    row.data = address_data(&address);
    let row = row.clone();
    Ok(one(args.info_id, &row))
}

/// The batch routes (`CreateBatchContactInfo`, `CRMApi.ContactInfo.cs:273`;
/// `UpdateBatchContactInfo`, `:445`): the contact checked, every address parsed before anything
/// is saved, the existing details deleted first when `replace`, then each item inserted as sent
/// (`ContactInfoDao.SaveList` checks nothing and clears no other primary flag); the answer is
/// the items as bound, each with its new id.
fn save_batch(
    crm: &mut Crm,
    contact_id: i64,
    items: Vec<ContactInfo>,
    replace: bool,
    call: &Call,
) -> Outcome {
    contact(crm, contact_id)?;
    for item in &items {
        check_address(item.info_type, &item.data)?;
    }
    if replace {
        crm.contact_info.retain(|r| r.contact_id != contact_id);
    }
    let mut answered = Vec::new();
    for mut item in items {
        let id = crm.contact_info.next_id();
        crm.contact_info.insert(
            id,
            ContactInfoRow {
                contact_id,
                info_type: item.info_type,
                category: item.category,
                data: item.data.clone(),
                is_primary: item.is_primary,
            },
        );
        item.id = id.into();
        answered.push(to_node(&Wire(&item)));
    }
    Ok(smart_list(answered, &call.paging))
}

/// `POST contact/{id}/batch` (`CRMApi.ContactInfo.cs:273`).
pub(crate) fn create_batch(
    crm: &mut Crm,
    args: CreateContactInfoBatchArgs,
    call: &Call,
) -> Outcome {
    save_batch(crm, args.contact_id, args.items, false, call)
}

/// `PUT contact/{id}/batch` (`CRMApi.ContactInfo.cs:445`).
pub(crate) fn replace_batch(
    crm: &mut Crm,
    args: ReplaceContactInfoBatchArgs,
    call: &Call,
) -> Outcome {
    save_batch(crm, args.contact_id, args.items, true, call)
}
