//! Documentation samples of the contact detail and contact list item types, byte for byte as
//! the pages show them (`tests/fixtures/{contact_info,contact_status,contact_type}/`; provenance
//! in `tests/fixtures/README.md`): each is decoded through the response parser, every field is
//! asserted, and a sample's JSON and XML forms must decode to equal values.
//!
//! The wire types with no whole documentation sample (persons, companies, addresses, history
//! events and categories) have no test here: the README says so, and the shape tests build them
//! from the server source instead.

use std::fmt::Debug;

use r7_model::{ContactInfo, ContactInfoType, ContactStatus, ContactType};
use r7_proto::crm::contact_info::UpdateContactInfo;
use r7_proto::crm::contact_status::CreateContactStatus;
use r7_proto::crm::contact_type::CreateContactType;
use r7_proto::{Endpoint, parse_response};

use crate::support::{fixture, response};

const JSON: &str = "application/json; charset=UTF-8";
const XML: &str = "text/xml; charset=UTF-8";

/// Decodes one fixture file as a 200 response of `E`.
fn decode<E: Endpoint>(path: &str, content_type: &str) -> E::Output {
    let resp = response(200, Some(content_type), fixture(path));
    parse_response::<E>(&resp).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Decodes `{name}.json` and `{name}.xml`, requires them to be equal and returns the value.
fn both<E: Endpoint>(name: &str) -> E::Output
where
    E::Output: PartialEq + Debug,
{
    let json = decode::<E>(&format!("{name}.json"), JSON);
    let xml = decode::<E>(&format!("{name}.xml"), XML);
    assert_eq!(json, xml, "{name}: the JSON and the XML sample differ");
    json
}

/// Every field of a contact-info sample.
fn assert_contact_info(info: &ContactInfo, id: i64) {
    assert_eq!(info.id, id);
    assert_eq!(info.info_type, ContactInfoType::Email);
    assert_eq!(info.category, 0);
    assert_eq!(info.data, "support@onlyoffice.com");
    assert_eq!(info.category_name, "Home");
    assert!(info.is_primary);
}

#[test]
fn the_contact_info_sample_decodes_every_field() {
    let info = both::<UpdateContactInfo>("contact_info/update");
    assert_contact_info(&info, 0);
}

#[test]
fn the_pascal_case_contact_info_sample_decodes_every_field() {
    let info = both::<UpdateContactInfo>("contact_info/update.pascal");
    assert_contact_info(&info, 1234);
}

#[test]
fn the_contact_status_sample_decodes_every_field() {
    let status: ContactStatus = both::<CreateContactStatus>("contact_status/create");
    assert_eq!(status.relative_items_count, 1);
    assert_eq!(status.id, 1234);
    assert_eq!(status.title.as_deref(), Some("Title"));
    assert_eq!(status.description.as_deref(), Some("Description"));
    assert_eq!(status.color.as_deref(), Some("#a7fc00"));
    assert_eq!(status.sort_order, 1);
}

#[test]
fn the_contact_type_sample_decodes_every_field() {
    let kind: ContactType = both::<CreateContactType>("contact_type/create");
    assert_eq!(kind.relative_items_count, 1);
    assert_eq!(kind.id, 1234);
    assert_eq!(kind.title.as_deref(), Some("Title"));
    assert_eq!(kind.description.as_deref(), Some("Description"));
    assert_eq!(kind.color.as_deref(), Some("#a7fc00"));
    assert_eq!(kind.sort_order, 1);
}
