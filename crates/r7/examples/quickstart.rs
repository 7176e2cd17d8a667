//! Deletes CRM deals ("opportunities") the way the seed documentation page describes.
//!
//! Without configuration it starts an emulated portal on 127.0.0.1 and, against it, deletes the
//! seed's "Hotel catalogue" deal over JSON, deletes another deal over XML, and shows the typed
//! 404 that a second delete of the same deal gets.
//!
//! Against a real portal, set:
//!
//! * `R7_PORTAL`: the portal's address, e.g. `https://portal.example.com/`;
//! * `R7_TOKEN`: an authentication token (from `POST api/2.0/authentication`);
//! * `R7_OPPORTUNITY_ID`: the id of the deal to delete (it is really deleted);
//! * `R7_FORMAT` (optional): `json` (default) or `xml`.
//!
//! ```text
//! cargo run --example quickstart
//! ```

use std::process::ExitCode;

use r7::prelude::*;
use r7_emulator::{Config, Emulator, SEED_OPPORTUNITY_ID};

#[tokio::main]
async fn main() -> ExitCode {
    let result = match (std::env::var("R7_PORTAL"), std::env::var("R7_TOKEN")) {
        (Ok(portal), Ok(token)) => real_portal(&portal, &token).await,
        (Err(_), Err(_)) => emulated_portal().await,
        _ => Err("set both R7_PORTAL and R7_TOKEN to use a real portal, or neither".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn real_portal(portal: &str, token: &str) -> Result<(), String> {
    let id: OpportunityId = std::env::var("R7_OPPORTUNITY_ID")
        .map_err(|_| "set R7_OPPORTUNITY_ID to the id of the deal to delete".to_owned())?
        .trim()
        .parse()
        .map_err(|_| "R7_OPPORTUNITY_ID must be a whole number".to_owned())?;
    let format = match std::env::var("R7_FORMAT")
        .as_deref()
        .map(str::to_ascii_lowercase)
    {
        Ok(f) if f == "xml" => Format::Xml,
        Ok(f) if f != "json" => return Err(format!("R7_FORMAT must be json or xml, not {f:?}")),
        _ => Format::Json,
    };
    let token = Token::new(token).map_err(|e| format!("R7_TOKEN: {e}"))?;
    let client = Client::builder(portal)
        .token(token)
        .format(format)
        .build()
        .map_err(|e| format!("R7_PORTAL: {e}"))?;
    println!(
        "Deleting opportunity #{id} on {} over {format}...",
        client.base_url()
    );
    let deal = client
        .send(&opportunity::DeleteOpportunity::new(id))
        .await
        .map_err(|e| e.to_string())?;
    print_deal(&deal);
    Ok(())
}

async fn emulated_portal() -> Result<(), String> {
    let emulator = Emulator::start(Config::default())
        .await
        .map_err(|e| format!("could not start the emulated portal: {e}"))?;
    println!("Started an emulated R7 portal at {}", emulator.base_url());
    println!("(set R7_PORTAL, R7_TOKEN and R7_OPPORTUNITY_ID to use a real portal instead)\n");
    let client = |format| {
        Client::builder(emulator.base_url())
            .token(Token::new(emulator.token()).map_err(|e| e.to_string())?)
            .format(format)
            .build()
            .map_err(|e| e.to_string())
    };
    let json = client(Format::Json)?;
    let xml = client(Format::Xml)?;

    println!("DELETE api/2.0/crm/opportunity/{SEED_OPPORTUNITY_ID}.json");
    let deal = json
        .send(&opportunity::DeleteOpportunity::new(SEED_OPPORTUNITY_ID))
        .await
        .map_err(|e| e.to_string())?;
    print_deal(&deal);

    let other = emulator
        .opportunity_ids()
        .into_iter()
        .find(|&id| id != SEED_OPPORTUNITY_ID)
        .ok_or("the emulated portal has no second deal")?;
    println!("DELETE api/2.0/crm/opportunity/{other}.xml");
    let deal = xml
        .send(&opportunity::DeleteOpportunity::new(other))
        .await
        .map_err(|e| e.to_string())?;
    print_deal(&deal);

    println!("DELETE api/2.0/crm/opportunity/{SEED_OPPORTUNITY_ID}.json (again)");
    match json
        .send(&opportunity::DeleteOpportunity::new(SEED_OPPORTUNITY_ID))
        .await
    {
        Err(e) if e.is_not_found() => {
            let api = e.api().ok_or("a 404 without the error envelope")?;
            println!("  refused as expected: {e}");
            println!(
                "  status {}, server message {:?}, hresult {}\n",
                api.status,
                api.message.as_deref().unwrap_or(""),
                api.hresult.map_or("none".to_owned(), |h| h.to_string())
            );
        }
        Err(e) => return Err(format!("expected a 404, got: {e}")),
        Ok(deal) => return Err(format!("deal #{} was deleted twice", deal.id)),
    }
    println!(
        "{} deal(s) left on the emulated portal: {:?}",
        emulator.opportunity_ids().len(),
        emulator.opportunity_ids()
    );
    emulator.shutdown().await;
    Ok(())
}

fn print_deal(deal: &Opportunity) {
    println!("  deleted #{}: {}", deal.id, deal.title);
    if let Some(stage) = &deal.stage {
        println!(
            "  stage:       {} ({}, {} %)",
            stage.title, stage.stage_type, stage.success_probability
        );
    }
    if let Some(responsible) = &deal.responsible {
        println!("  responsible: {}", responsible.display_name);
    }
    if let Some(contact) = &deal.contact {
        let kind = if contact.is_company {
            "company"
        } else {
            "person"
        };
        println!("  contact:     {} ({kind})", contact.display_name);
    }
    if deal.bid_value != 0.0 {
        let currency = deal
            .bid_currency
            .as_ref()
            .map(|c| c.abbreviation.as_str())
            .unwrap_or("");
        let period = match deal.bid_type {
            BidType::FixedBid => String::new(),
            other => format!(" ({other} x {})", deal.per_period_value),
        };
        println!("  amount:      {:.2} {currency}{period}", deal.bid_value);
    }
    println!("  probability: {} %", deal.success_probability);
    if let Some(date) = deal.expected_close_date {
        println!("  expected close: {date}");
    }
    println!();
}
