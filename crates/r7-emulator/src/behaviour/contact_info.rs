//! Contact details (`CRMApi.ContactInfo.cs`, `ContactInfoDao.cs`, `ContactInfo.cs`): phones,
//! e-mails, web sites, addresses, built from their rows.

use r7_model::{Address, AddressCategory, ContactInfo, ContactInfoType};

use crate::store::{ContactInfoRow, Crm};

/// The category enum's names by info type (`ContactInfo.GetCategory`, `ContactInfo.cs:70`), in
/// value order: phones, addresses, and every other type.
const PHONE: [&str; 6] = ["Home", "Work", "Mobile", "Fax", "Direct", "Other"];
const ADDRESS: [&str; 6] = ["Home", "Postal", "Office", "Billing", "Other", "Work"];
const BASE: [&str; 3] = ["Home", "Work", "Other"];

/// The names of the categories of an info type (`GET contact/data/{infoType}/category`).
pub(crate) fn categories(info_type: ContactInfoType) -> &'static [&'static str] {
    match info_type {
        ContactInfoType::Phone => &PHONE,
        ContactInfoType::Address => &ADDRESS,
        _ => &BASE,
    }
}

/// `CategoryToString` (`ContactInfo.cs:57`): the category's English text; an address's Postal
/// reads "Delivery"; an undefined number gives the resource key (`PhoneCategory_9`).
pub(crate) fn category_name(info_type: ContactInfoType, category: i32) -> String {
    let names = categories(info_type);
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
