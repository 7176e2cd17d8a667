//! The seed page's JSON and XML samples, decoded through the response parser.

use r7_model::{
    ApiDateTime, BidType, ContactBase, ContactKind, Employee, Opportunity, OpportunityStage,
    ShareType, StageType, Uuid,
};
use r7_proto::crm::opportunity::*;
use r7_proto::parse_response;

use crate::support::{fixture, response};

fn mike() -> Employee {
    {
        let mut v = Employee::default();
        v.id = (Uuid::nil()).into();
        v.display_name = "Mike Zanyatski".into();
        v.title = "Manager".into();
        v.avatar_small = "url to small avatar".into();
        v.profile_url = String::new();
        v
    }
}

/// The seed sample, field by field, as the page documents it.
fn seed_opportunity() -> Opportunity {
    let when = ApiDateTime::parse("2022-10-08T15:03:33.1944111Z").expect("valid date");
    {
        let mut v = Opportunity::default();
        v.create_by = Some(mike());
        v.created = Some(when);
        v.members = vec![];
        v.contact = Some({
            let mut v = ContactBase::default();
            v.small_foto_url = "url to foto".into();
            v.medium_foto_url = String::new();
            v.display_name = "Tadjeddine Bachir".into();
            v.is_company = false;
            v.access_list = vec![];
            v.is_private = true;
            v.is_shared = false;
            v.share_type = ShareType::None;
            v.currency = None;
            v.can_edit = false;
            v.can_delete = false;
            v.id = 0.into();
            v
        });
        v.title = "Hotel catalogue".into();
        v.description = String::new();
        v.responsible = Some(mike());
        v.bid_type = BidType::FixedBid;
        v.bid_value = 0.0;
        v.bid_currency = None;
        v.per_period_value = 0;
        v.stage = Some({
            let mut v = OpportunityStage::default();
            v.relative_items_count = 0;
            v.success_probability = 20;
            v.stage_type = StageType::Open;
            v.title = "Discussion".into();
            v.description = "The potential buyer showed his/her interest and sees how your offering meets his/her goal".into();
            v.color = "#B9AFD3".into();
            v.sort_order = 2;
            v.id = 30.into();
            v
        });
        v.success_probability = 65;
        v.actual_close_date = None;
        v.expected_close_date = Some(when);
        v.is_private = false;
        v.access_list = vec![];
        v.can_edit = false;
        v.custom_fields = vec![];
        v.id = 0.into();
        v
    }
}

fn decode(path: &str, content_type: &str) -> Opportunity {
    let resp = response(200, Some(content_type), fixture(path));
    parse_response::<DeleteOpportunity>(&resp).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn seed_json_sample_decodes_every_field() {
    let deal = decode("opportunity/delete.json", "application/json; charset=UTF-8");
    assert_eq!(deal, seed_opportunity());
    // The same facts again, spelled out, so a failure names the field.
    assert_eq!(deal.title, "Hotel catalogue");
    let stage = deal.stage.as_ref().expect("stage");
    assert_eq!(
        (
            stage.id.get(),
            stage.title.as_str(),
            stage.success_probability
        ),
        (30, "Discussion", 20)
    );
    assert!(
        stage.description.contains("his/her"),
        "\\/ must decode to /"
    );
    let contact = deal.contact.as_ref().expect("contact");
    assert_eq!(contact.kind(), ContactKind::Person);
    assert_eq!(contact.currency, None);
    assert_eq!(
        deal.created.map(|d| d.to_string()).as_deref(),
        Some("2022-10-08T15:03:33.1944111Z")
    );
    assert_eq!(deal.success_probability, 65);
    assert_eq!(
        deal.responsible.as_ref().map(|r| r.display_name.as_str()),
        Some("Mike Zanyatski")
    );
}

#[test]
fn seed_xml_sample_decodes_to_the_same_value() {
    let xml = decode("opportunity/delete.xml", "text/xml; charset=UTF-8");
    assert_eq!(xml, seed_opportunity());
    let json = decode("opportunity/delete.json", "application/json");
    assert_eq!(xml, json);
}

#[test]
fn pascal_case_names_decode_to_the_same_value() {
    let pascal = decode("opportunity/delete.pascal.json", "application/json");
    assert_eq!(pascal, seed_opportunity());
}

#[test]
fn samples_decode_without_a_content_type_by_their_first_byte() {
    for path in ["opportunity/delete.json", "opportunity/delete.xml"] {
        let resp = response(200, None, fixture(path));
        let deal =
            parse_response::<DeleteOpportunity>(&resp).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(deal, seed_opportunity(), "{path}");
    }
}

/// The model's own `Serialize` writes every member under its wire name, so that a value can be
/// stored and read back; the server's wire form (its order, what it leaves out) is the
/// emulator's business, generated from the spec.
#[test]
fn model_serializes_back_to_an_equal_value() {
    let deal = seed_opportunity();
    let json = serde_json::to_string(&deal).expect("serialize");
    assert!(
        json.contains("\"bidType\":0"),
        "every member is written: {json}"
    );
    let back: Opportunity = serde_json::from_str(&json).expect("decode");
    assert_eq!(back, deal);
}
