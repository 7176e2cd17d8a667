//! Lists the deals in one stage of the pipeline as CSV, on standard output.
//!
//! ```text
//! cargo run -p r7 --example stage_to_csv            # against an emulated portal
//! R7_PORTAL=https://portal.example.com/ R7_TOKEN=... R7_STAGE_ID=30 \
//!     cargo run -p r7 --example stage_to_csv > deals.csv
//! ```

#[path = "common/portal.rs"]
mod portal;

use std::io::Write;

use r7::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let portal = portal::Portal::from_env().await?;
    let stage: OpportunityStageId = portal::setting(&portal, "R7_STAGE_ID", 30.into())?;

    // Every page of the list, however long.
    let deals = portal
        .client
        .all(&opportunity::ListOpportunities::new().stage_id(stage))
        .await?;

    let mut out = std::io::stdout().lock();
    writeln!(out, "id,title,responsible,amount,currency,expected close")?;
    for deal in &deals {
        writeln!(
            out,
            "{},{},{},{},{},{}",
            deal.id,
            csv(&deal.title),
            csv(deal
                .responsible
                .as_ref()
                .map_or("", |r| r.display_name.as_str())),
            deal.bid_value,
            deal.bid_currency
                .as_ref()
                .map_or("", |c| c.abbreviation.as_str()),
            deal.expected_close_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
        )?;
    }
    eprintln!("{} deal(s) in stage #{stage}", deals.len());
    portal.finish().await;
    Ok(())
}

/// A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180).
fn csv(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
