//! A whole deal lifecycle through the client against the emulated portal, in JSON and in XML.

use futures_util::TryStreamExt;
use r7_model::{BidType, Opportunity, StageType};
use r7_proto::crm::opportunity::*;
use r7_proto::crm::opportunity_stage::*;
use r7_proto::*;

async fn lifecycle(format: Format) {
    let (emulator, client) = crate::support::emulated(format).await;

    // What the portal already has: stages, a user, contacts and a custom field.
    let stages = client
        .send(&ListOpportunityStages::new())
        .await
        .expect("stages");
    let open = stages
        .items
        .iter()
        .find(|s| s.stage_type == StageType::Open)
        .expect("an open stage")
        .clone();
    let won = stages
        .items
        .iter()
        .find(|s| s.stage_type == StageType::ClosedAndWon)
        .expect("a won stage")
        .clone();
    let sample = client
        .send(&GetOpportunity::new(1235))
        .await
        .expect("a seeded deal");
    let user = sample.responsible.as_ref().expect("responsible").id;
    let field = sample.custom_fields.first().expect("a custom field").id;
    let contacts: Vec<i64> = client
        .send(&ListOpportunityContacts::new(1235))
        .await
        .expect("members")
        .items
        .iter()
        .map(|c| c.id().get())
        .collect();
    assert!(contacts.len() >= 2, "{contacts:?}");
    let (first, second) = (contacts[0], contacts[1]);

    // Create three deals that share a word, the first with members and a custom field.
    let created = client
        .send(
            &CreateOpportunity::new("Lifecycle alpha", user, open.id, "rub")
                .contact_id(first)
                .members([first])
                .description("made by the lifecycle test")
                .bid_type(BidType::PerMonth)
                .bid_value(1500.5)
                .per_period_value(12)
                .custom_fields([CustomFieldValue::new(field, "gold")]),
        )
        .await
        .expect("created");
    assert_eq!(created.title, "Lifecycle alpha");
    assert_eq!(
        created
            .bid_currency
            .as_ref()
            .map(|c| c.abbreviation.as_str()),
        Some("RUB")
    );
    assert_eq!(created.bid_type, BidType::PerMonth);
    assert_eq!(created.bid_value, 1500.5);
    assert!(
        created.members.iter().any(|m| m.id == first),
        "{:?}",
        created.members
    );
    assert!(
        created
            .custom_fields
            .iter()
            .any(|f| f.id == field && f.field_value == "gold"),
        "a single custom field must survive: {:?}",
        created.custom_fields
    );
    let mut ids = vec![created.id];
    for title in ["Lifecycle beta", "Lifecycle gamma"] {
        let deal = client
            .send(&CreateOpportunity::new(title, user, open.id, "RUB"))
            .await
            .expect("created");
        ids.push(deal.id);
    }

    // Read it back.
    let read = client
        .send(&GetOpportunity::new(created.id))
        .await
        .expect("read");
    assert_eq!(read.title, created.title);
    assert_eq!(read.stage.as_ref().map(|s| s.id), Some(open.id));

    // Search with paging: two pages of two, then everything through the stream.
    let search = ListOpportunities::new().filter_value("Lifecycle");
    let page = client.send(&search.clone().count(2)).await.expect("page 1");
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.total, Some(3));
    let rest = client
        .send(&search.clone().start_index(2).count(2))
        .await
        .expect("page 2");
    assert_eq!(rest.items.len(), 1);
    let all: Vec<Opportunity> = client.items(&search, 2).try_collect().await.expect("all");
    let mut found: Vec<_> = all.iter().map(|d| d.id).collect();
    found.sort_unstable();
    let mut expected = ids.clone();
    expected.sort_unstable();
    assert_eq!(found, expected);

    // Move it to the won stage.
    let moved = client
        .send(&UpdateOpportunityStage::new(created.id, won.id))
        .await
        .expect("moved");
    assert_eq!(moved.stage.as_ref().map(|s| s.id), Some(won.id));
    assert_eq!(moved.success_probability, won.success_probability);
    assert!(
        moved.actual_close_date.is_some(),
        "closing sets the actual close date"
    );

    // Make it private to one more user.
    let private = client
        .send(&SetOpportunityAccess::new(created.id, true).access_list([user]))
        .await
        .expect("access");
    assert!(private.is_private);
    assert!(
        private.access_list.iter().any(|e| e.id == user),
        "{:?}",
        private.access_list
    );

    // Add and remove a member.
    let added = client
        .send(&AddOpportunityContact::new(created.id, second))
        .await
        .expect("added");
    assert_eq!(added.id(), second);
    let members = client
        .send(&ListOpportunityContacts::new(created.id))
        .await
        .expect("members");
    assert!(members.items.iter().any(|c| c.id() == second));
    client
        .send(&RemoveOpportunityContact::new(created.id, second))
        .await
        .expect("removed");
    let members = client
        .send(&ListOpportunityContacts::new(created.id))
        .await
        .expect("members");
    assert!(!members.items.iter().any(|c| c.id() == second));

    // Delete all three at once; the search is empty afterwards.
    let deleted = client
        .send(&DeleteOpportunities::new(ids.clone()))
        .await
        .expect("deleted");
    assert_eq!(deleted.items.len(), 3);
    let empty = client.send(&search).await.expect("search");
    assert!(empty.items.is_empty(), "{:?}", empty.items);
    for id in ids {
        assert_eq!(emulator.opportunity(id.get()), None);
    }
}

#[tokio::test]
async fn a_deal_lifecycle_in_json() {
    lifecycle(Format::Json).await;
}

#[tokio::test]
async fn a_deal_lifecycle_in_xml() {
    lifecycle(Format::Xml).await;
}
