//! Lists a contact's deals and moves each one to a stage of the pipeline.
//!
//! It starts an emulated portal on 127.0.0.1, finds the pipeline's "won" stage with
//! `ListOpportunityStages`, lists the deals of the seed contact ООО «Северный ветер» (#101)
//! with `ListOpportunitiesByContact`, and moves each one to that stage with
//! `UpdateOpportunityStage`.
//!
//! ```text
//! cargo run -p r7 --example move_deals
//! ```

use r7::prelude::*;
use r7_emulator::{Config, Emulator};

/// ООО «Северный ветер», the primary contact of two of the emulator's seed deals.
const CONTACT: i64 = 101;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start(Config::default()).await?;
    println!("Started an emulated R7 portal at {}\n", emulator.base_url());
    let client = Client::builder(emulator.base_url())
        .token(Token::new(emulator.token())?)
        .build()?;

    let stages = client
        .send(&opportunity_stage::ListOpportunityStages::new())
        .await?;
    let stage = stages
        .into_iter()
        .find(|s| s.stage_type == StageType::ClosedAndWon)
        .ok_or("the pipeline has no stage that wins a deal")?;
    let contact = ContactId::from(CONTACT);
    println!(
        "Moving the deals of contact #{contact} to stage #{} \"{}\":",
        stage.id, stage.title
    );

    let deals = client
        .send(&opportunity::ListOpportunitiesByContact::new(contact))
        .await?;
    for deal in deals {
        let moved = client
            .send(&opportunity::UpdateOpportunityStage::new(deal.id, stage.id))
            .await?;
        println!(
            "  #{} {} is now in {} (was in {}), {} %",
            moved.id,
            moved.title,
            moved.stage.map(|s| s.title).unwrap_or_default(),
            deal.stage.map(|s| s.title).unwrap_or_default(),
            moved.success_probability,
        );
    }

    emulator.shutdown().await;
    Ok(())
}
