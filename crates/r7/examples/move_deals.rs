//! Moves every deal of a contact to a stage, and reports what happened to each deal.
//!
//! The deals are read with `Client::all` and moved with `Client::each`, several at a time. A
//! move that failed says whether it reached the portal (it is never sent twice), so the report
//! tells exactly which deals moved.
//!
//! ```text
//! cargo run -p r7 --example move_deals              # against an emulated portal
//! R7_PORTAL=https://portal.example.com/ R7_TOKEN=... R7_CONTACT_ID=101 R7_STAGE_ID=8 \
//!     cargo run -p r7 --example move_deals
//! ```

#[path = "common/portal.rs"]
mod portal;

use std::process::ExitCode;

use r7::prelude::*;

#[tokio::main]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let portal = portal::Portal::from_env().await?;
    let client = &portal.client;
    // On the emulated portal: ООО «Северный ветер» and its won stage.
    let contact: ContactId = portal::setting(&portal, "R7_CONTACT_ID", 101.into())?;
    let stage: OpportunityStageId = portal::setting(&portal, "R7_STAGE_ID", 8.into())?;

    let deals = client
        .all(&opportunity::ListOpportunitiesByContact::new(contact))
        .await?;
    let moves = deals
        .iter()
        .map(|deal| opportunity::UpdateOpportunityStage::new(deal.id, stage));
    let report = client.each(moves).concurrency(8).run().await;

    println!("Deals of contact #{contact}, to stage #{stage}:");
    for (deal, outcome) in deals.iter().zip(report.outcomes()) {
        match outcome {
            Ok(moved) => println!(
                "  moved    #{} {} (now {}, {} %)",
                deal.id,
                deal.title,
                moved.stage.as_ref().map_or("?", |s| s.title.as_str()),
                moved.success_probability
            ),
            Err(error) => println!(
                "  FAILED   #{} {}: {error} ({:?})",
                deal.id,
                deal.title,
                error.delivery()
            ),
        }
    }
    println!(
        "{} of {} moved",
        report.succeeded_count(),
        report.outcomes().len()
    );
    let code = if report.all_succeeded() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    };
    portal.finish().await;
    Ok(code)
}
