//! Mail to contacts (`CRMApi.Contacts.cs:1748`, `MailSender.cs`). The emulator has no SMTP
//! server and emulates no sending, so no mailing is ever running or done: the status and the
//! cancel answer what the server answers then, `MailSender.GetStatus()`'s null (`{}`). The
//! preview needs no server: it is `MailTemplateManager.Apply` (`MailSender.cs:701`) on the
//! store.

use r7_model::{ContactInfoType, CustomFieldType};

use crate::generated::args::{
    CancelContactsMailArgs, GetContactsMailStatusArgs, PreviewContactsMailArgs,
};
use crate::ops::{Call, Outcome};
use crate::store::{ContactRow, Crm, FieldEntity};
use crate::wire::{ApiError, Reply};

/// `GET contact/mailsmtp/status` (`CRMApi.Contacts.cs:1790`).
pub(crate) fn status(_: &mut Crm, _: GetContactsMailStatusArgs, _: &Call) -> Outcome {
    Ok(Reply::Void)
}

/// `PUT contact/mailsmtp/cancel` (`CRMApi.Contacts.cs:1805`): the status before the cancel.
pub(crate) fn cancel(_: &mut Crm, _: CancelContactsMailArgs, _: &Call) -> Outcome {
    Ok(Reply::Void)
}

/// Where a tag's value comes from: the part of its `SysName` before the first `_`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    /// The common fields: `common_firstName`, `common_lastName`, `common_jobTitle`,
    /// `common_companyName`.
    FirstName,
    LastName,
    JobTitle,
    CompanyName,
    /// `contactInfo_{type}_{default category}`, with an address's part (`AddressPart`).
    Info(ContactInfoType, Option<&'static str>),
    /// `customField_{id}`.
    Field(i64),
}

/// The address parts (`AddressPart`), whose lowercase names are the keys of an address's data.
const ADDRESS_PARTS: [&str; 5] = ["Street", "City", "State", "Zip", "Country"];

/// `GetTags(isCompany)` (`MailSender.cs:881`): `$(Company.…)` or `$(Person.…)` (`ToTagName`,
/// `:871`) of the common fields (a company has only its name), of every contact info type (an
/// address one per part) by its enum name, and of the custom fields of the type by their raw
/// label and position, but for select boxes, check boxes and headings (`:971`).
fn tags(crm: &Crm, is_company: bool) -> Vec<(String, Source)> {
    let name = |value: &str| {
        let prefix = if is_company { "Company" } else { "Person" };
        format!("$({prefix}.{value})")
    };
    let mut tags = vec![(name("Company Name"), Source::CompanyName)];
    if !is_company {
        tags.splice(
            0..0,
            [
                (name("First Name"), Source::FirstName),
                (name("Last Name"), Source::LastName),
                (name("Job Title"), Source::JobTitle),
            ],
        );
    }
    for &info in ContactInfoType::KNOWN {
        let info_name = info.name().unwrap_or_default();
        if info == ContactInfoType::Address {
            for part in ADDRESS_PARTS {
                tags.push((
                    name(&format!("{info_name} {part}")),
                    Source::Info(info, Some(part)),
                ));
            }
        } else {
            tags.push((name(info_name), Source::Info(info, None)));
        }
    }
    let entity = if is_company {
        FieldEntity::Company
    } else {
        FieldEntity::Person
    };
    for (id, field) in crm.fields_of(entity) {
        use CustomFieldType::{CheckBox, Heading, SelectBox};
        if !matches!(field.field_type, SelectBox | CheckBox | Heading) {
            tags.push((name(&field.label), Source::Field(id)));
        }
    }
    tags
}

/// The texts the tag regex `\$\((Person|Company)\.[^<>\)]*\)` matches in `template`
/// (`GetTagsFrom`, `MailSender.cs:721`), left to right and not overlapping.
fn matches(template: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(start) = template[at..].find("$(").map(|i| at + i) {
        let rest = &template[start + 2..];
        let body = ["Person.", "Company."]
            .into_iter()
            .find_map(|prefix| rest.strip_prefix(prefix));
        let end = body.and_then(|body| {
            let stop = body.find(['<', '>', ')'])?;
            body[stop..]
                .starts_with(')')
                .then(|| template.len() - body.len() + stop + 1)
        });
        match end {
            Some(end) => {
                found.push(&template[start..end]);
                at = end;
            }
            None => at = start + 1,
        }
    }
    found
}

/// A tag's value for the contact (`Apply`, `MailSender.cs:750`). The common fields go by the
/// contact's kind, not by the tag's prefix (`:776`): `$(Person.Company Name)` is a company's own
/// name, `$(Company.Company Name)` a person's company's title, a person's other fields are empty
/// for a company. A custom field is read for the contact's kind (and every contact's, `:830`).
/// A detail is the first of its type (by id) that has the type's default category (Work) and
/// is primary, else the first (`:842`); an address gives its part from the JSON data.
fn value(crm: &Crm, id: i64, contact: &ContactRow, source: Source) -> Result<String, ApiError> {
    let text = match source {
        Source::FirstName if !contact.is_company => contact.first_name.clone(),
        Source::LastName if !contact.is_company => contact.last_name.clone(),
        Source::JobTitle if !contact.is_company => contact.title.clone(),
        Source::CompanyName if contact.is_company => contact.company_name.clone(),
        Source::CompanyName => crm
            .contacts
            .get(contact.company_id)
            .map(ContactRow::display_name)
            .unwrap_or_default(),
        Source::FirstName | Source::LastName | Source::JobTitle => String::new(),
        Source::Field(field) => {
            let kind = if contact.is_company {
                FieldEntity::Company
            } else {
                FieldEntity::Person
            };
            [kind, FieldEntity::Contact]
                .iter()
                .find_map(|kind| crm.field_values.get(&(*kind, id, field)))
                .cloned()
                .unwrap_or_default()
        }
        Source::Info(info_type, part) => {
            let default = match info_type {
                ContactInfoType::Address => 5,
                _ => 1,
            };
            let rows: Vec<_> = crm
                .contact_info
                .iter()
                .filter(|(_, r)| r.contact_id == id && r.info_type == info_type)
                .map(|(_, r)| r)
                .collect();
            let row = rows
                .iter()
                .find(|r| r.category == default && r.is_primary)
                .or(rows.first());
            match (row, part) {
                (None, _) => String::new(),
                (Some(row), None) => row.data.clone(),
                (Some(row), Some(part)) => address_part(&row.data, part)?,
            }
        }
    };
    Ok(text)
}

/// `JObject.Parse(data)[part.ToLower()].Value<String>()` (`MailSender.cs:849`): data that is no
/// JSON object is Json.NET's `JsonReaderException` (a 500), a missing member its
/// `ArgumentNullException` (a 400), a `null` member nothing, a number or a boolean its text.
fn address_part(data: &str, part: &str) -> Result<String, ApiError> {
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(data).map_err(|_| ApiError {
            status: http::StatusCode::INTERNAL_SERVER_ERROR,
            message: "The address is not a JSON object.".into(),
            hresult: -2146233088,
        })?;
    match object.get(&part.to_lowercase()) {
        None => Err(ApiError {
            message: "Value cannot be null.\r\nParameter name: value".into(),
            ..ApiError::PREFIX_IS_NULL
        }),
        Some(serde_json::Value::String(text)) => Ok(text.clone()),
        Some(serde_json::Value::Null) => Ok(String::new()),
        Some(serde_json::Value::Bool(true)) => Ok("True".to_owned()),
        Some(serde_json::Value::Bool(false)) => Ok("False".to_owned()),
        Some(other) => Ok(other.to_string()),
    }
}

/// `POST contact/mailsmtp/preview` (`CRMApi.Contacts.cs:1770`, `MailTemplateManager.Apply`,
/// `MailSender.cs:750`): a contact id of 0 or no template is an `ArgumentException`, an unknown
/// contact too ("Contact is not found"). Each distinct tag the regex finds that names a tag of
/// `GetTags(true)` then `GetTags(false)` is replaced everywhere by its value, in the order
/// first found; any other `$(…)` text stays as it is.
pub(crate) fn preview(crm: &mut Crm, args: PreviewContactsMailArgs, _: &Call) -> Outcome {
    let template = args.template.unwrap_or_default();
    if args.contact_id == 0 || template.is_empty() {
        return Err(ApiError::ARGUMENT);
    }
    let contact = crm
        .contacts
        .get(args.contact_id)
        .ok_or_else(|| ApiError::argument("Contact is not found"))?;
    let all: Vec<(String, Source)> = [true, false]
        .into_iter()
        .flat_map(|is_company| tags(crm, is_company))
        .collect();
    let mut found: Vec<&(String, Source)> = Vec::new();
    for text in matches(&template) {
        if let Some(tag) = all.iter().find(|(name, _)| name == text) {
            if !found.contains(&tag) {
                found.push(tag);
            }
        }
    }
    let mut result = template.clone();
    for (name, source) in found {
        result = result.replace(name, &value(crm, args.contact_id, contact, *source)?);
    }
    Ok(Reply::Text(result))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn the_tag_regex_is_copied() {
        let template =
            "$(Person.First Name) $(Person.A<b) $(Company.X) $(Other.Y) $(Person.$(Person.Z)";
        assert_eq!(
            matches(template),
            [
                "$(Person.First Name)",
                "$(Company.X)",
                "$(Person.$(Person.Z)"
            ]
        );
        assert!(matches("$(Person.open").is_empty());
    }
}
