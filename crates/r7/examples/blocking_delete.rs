//! The seed's delete with the blocking client: no async runtime in the program's own code.
//!
//! Without `R7_PORTAL` it starts an emulated portal on 127.0.0.1 (the emulator itself runs on
//! a Tokio runtime of its own thread) and deletes the seed's "Hotel catalogue" deal, then shows
//! the typed 404 of a second delete. With `R7_PORTAL`, `R7_TOKEN` and `R7_OPPORTUNITY_ID` it
//! deletes that deal on a real portal (it really deletes).
//!
//! ```text
//! cargo run -p r7 --features blocking --example blocking_delete
//! ```

use r7::blocking::Client;
use r7::prelude::*;
use r7_emulator::{Config, Emulator, SEED_OPPORTUNITY_ID};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The emulator, if there is no real portal, on a runtime of its own thread.
    let runtime = tokio::runtime::Runtime::new()?;
    let (base_url, token, id, emulator) = match std::env::var("R7_PORTAL") {
        Ok(portal) => {
            let token = std::env::var("R7_TOKEN").map_err(|_| "set R7_TOKEN with R7_PORTAL")?;
            let id: OpportunityId = std::env::var("R7_OPPORTUNITY_ID")
                .map_err(|_| "set R7_OPPORTUNITY_ID to the deal to delete")?
                .trim()
                .parse()?;
            (portal, token, id, None)
        }
        Err(_) => {
            let emulator = runtime.block_on(Emulator::start(Config::default()))?;
            eprintln!(
                "(an emulated portal at {}; set R7_PORTAL to use a real one)",
                emulator.base_url()
            );
            let base_url = emulator.base_url();
            let token = emulator.token().to_owned();
            (base_url, token, SEED_OPPORTUNITY_ID.into(), Some(emulator))
        }
    };

    let client = Client::builder(base_url)
        .token(Token::new(token)?)
        .build()?;
    let deal = client.send(&opportunity::DeleteOpportunity::new(id))?;
    println!("deleted #{} {}", deal.id, deal.title);
    match client.send(&opportunity::DeleteOpportunity::new(id)) {
        Err(error) if error.is_not_found() => println!("deleted again: 404, as expected ({error})"),
        Err(error) => return Err(error.into()),
        Ok(_) => return Err("a second delete of the same deal succeeded".into()),
    }

    if let Some(emulator) = emulator {
        runtime.block_on(emulator.shutdown());
    }
    Ok(())
}
