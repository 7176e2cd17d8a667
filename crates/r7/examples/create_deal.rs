//! Creates a deal with its members and a custom field value, and reads it back.
//!
//! ```text
//! cargo run -p r7 --example create_deal             # against an emulated portal
//! R7_PORTAL=https://portal.example.com/ R7_TOKEN=... R7_RESPONSIBLE_ID=<user GUID> \
//!     R7_STAGE_ID=30 R7_CONTACT_ID=101 R7_MEMBER_ID=102 R7_CUSTOM_FIELD_ID=7 \
//!     cargo run -p r7 --example create_deal         # it really creates the deal
//! ```

#[path = "common/portal.rs"]
mod portal;

use r7::CustomFieldValue;
use r7::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let portal = portal::Portal::from_env().await?;
    let client = &portal.client;
    let me = r7_emulator::CURRENT_USER_ID.into();
    let responsible: UserId = portal::setting(&portal, "R7_RESPONSIBLE_ID", me)?;
    let stage: OpportunityStageId = portal::setting(&portal, "R7_STAGE_ID", 30.into())?;
    let contact: ContactId = portal::setting(&portal, "R7_CONTACT_ID", 101.into())?;
    let member: ContactId = portal::setting(&portal, "R7_MEMBER_ID", 102.into())?;
    let field: r7::model::CustomFieldId = portal::setting(&portal, "R7_CUSTOM_FIELD_ID", 7.into())?;

    let create =
        opportunity::CreateOpportunity::new("Поставка серверов", responsible, stage, "RUB")
            .contact_id(contact)
            .members([contact, member])
            .bid_type(BidType::FixedBid)
            .bid_value(450_000.0)
            .custom_fields([CustomFieldValue::new(field, "Д-2026/117")]);
    let deal = client.send(&create).await?;
    println!("created #{} {}", deal.id, deal.title);
    println!(
        "  stage:   {}",
        deal.stage.as_ref().map_or("?", |s| s.title.as_str())
    );
    for value in &deal.custom_fields {
        println!("  field:   {} = {}", value.label, value.field_value);
    }

    // The members come back as full contact records.
    let members = client
        .all(&opportunity::ListOpportunityContacts::new(deal.id))
        .await?;
    for contact in &members {
        println!(
            "  member:  #{} {} ({:?})",
            contact.id(),
            contact.display_name(),
            contact.kind()
        );
    }
    portal.finish().await;
    Ok(())
}
