//! The seed page's JSON and XML samples, decoded through the response parser.

use r7_model::{
    ApiDateTime, BidType, ContactBase, ContactKind, DealStage, Employee, Opportunity, ShareType,
    StageType, Uuid,
};
use r7_proto::{DeleteOpportunity, parse_response};

use crate::support::{fixture, response};

fn mike() -> Employee {
    Employee {
        id: Uuid::nil(),
        display_name: "Mike Zanyatski".into(),
        title: "Manager".into(),
        avatar_small: "url to small avatar".into(),
        profile_url: String::new(),
    }
}

/// The seed sample, field by field, as the page documents it.
fn seed_opportunity() -> Opportunity {
    let when = ApiDateTime::parse("2022-10-08T15:03:33.1944111Z").expect("valid date");
    Opportunity {
        create_by: Some(mike()),
        created: Some(when),
        members: vec![],
        contact: Some(ContactBase {
            small_foto_url: "url to foto".into(),
            medium_foto_url: String::new(),
            display_name: "Tadjeddine Bachir".into(),
            is_company: false,
            access_list: vec![],
            is_private: true,
            is_shared: false,
            share_type: ShareType::None,
            currency: None,
            can_edit: false,
            can_delete: false,
            id: 0,
        }),
        title: "Hotel catalogue".into(),
        description: String::new(),
        responsible: Some(mike()),
        bid_type: BidType::FixedBid,
        bid_value: 0.0,
        bid_currency: None,
        per_period_value: 0,
        stage: Some(DealStage {
            relative_items_count: 0,
            success_probability: 20,
            stage_type: StageType::Open,
            title: "Discussion".into(),
            description: "The potential buyer showed his/her interest and sees how your offering meets his/her goal".into(),
            color: "#B9AFD3".into(),
            sort_order: 2,
            id: 30,
        }),
        success_probability: 65,
        actual_close_date: None,
        expected_close_date: Some(when),
        is_private: false,
        access_list: vec![],
        can_edit: false,
        custom_fields: vec![],
        id: 0,
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
        (stage.id, stage.title.as_str(), stage.success_probability),
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

#[test]
fn model_serializes_back_to_an_equal_value() {
    let deal = seed_opportunity();
    let json = serde_json::to_string(&deal).expect("serialize");
    assert!(
        json.ends_with("\"id\":0}"),
        "id is written last, like the server: {json}"
    );
    assert!(
        !json.contains("bidType"),
        "FixedBid is left out, like the server"
    );
    let back: Opportunity = serde_json::from_str(&json).expect("decode");
    assert_eq!(back, deal);
}
