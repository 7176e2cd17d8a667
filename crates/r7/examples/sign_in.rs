//! Signs in with a user name and a password to a portal whose https certificate comes from a
//! private CA, and reads the pipeline's stages.
//!
//! Without `R7_PORTAL` it starts an emulated portal on 127.0.0.1 serving https with a
//! certificate from a CA made for the run, and shows that the client refuses the portal until
//! it is told to trust that CA. With `R7_PORTAL`, `R7_USER`, `R7_PASSWORD` and (for a private
//! CA) `R7_CA_PEM`, the path of the CA's PEM file, it signs in to that portal instead.
//!
//! ```text
//! cargo run -p r7 --example sign_in
//! ```

use std::time::Duration;

use r7::prelude::*;
use r7_emulator::{Config, DEFAULT_PASSWORD, DEFAULT_USER, Emulator, TlsIdentity};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (portal, user, password, ca_pem, emulator) = match std::env::var("R7_PORTAL") {
        Ok(portal) => {
            let user = std::env::var("R7_USER").map_err(|_| "set R7_USER with R7_PORTAL")?;
            let password =
                std::env::var("R7_PASSWORD").map_err(|_| "set R7_PASSWORD with R7_PORTAL")?;
            let ca = match std::env::var("R7_CA_PEM") {
                Ok(path) => Some(std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?),
                Err(_) => None,
            };
            (portal, user, password, ca, None)
        }
        Err(_) => {
            let (identity, ca_pem) = TlsIdentity::throwaway();
            let emulator = Emulator::start(Config {
                tls: Some(identity),
                ..Config::default()
            })
            .await?;
            eprintln!(
                "(an emulated portal at {}, on a CA of its own)",
                emulator.base_url()
            );
            let portal = emulator.base_url();
            let user = DEFAULT_USER.to_owned();
            let password = DEFAULT_PASSWORD.to_owned();

            // Not trusting the CA: the handshake fails, and nothing was sent.
            let untrusting = Client::builder(&portal)
                .credentials(Credentials::new(user.as_str(), password.as_str()))
                .timeout(Duration::from_secs(5))
                .build()?;
            match untrusting
                .send(&opportunity_stage::ListOpportunityStages::new())
                .await
            {
                Err(error) => println!("without the CA: refused ({:?}): {error}", error.delivery()),
                Ok(_) => return Err("a client that does not trust the CA got an answer".into()),
            }
            (
                portal,
                user,
                password,
                Some(ca_pem.into_bytes()),
                Some(emulator),
            )
        }
    };

    let mut builder = Client::builder(portal).credentials(Credentials::new(user, password));
    if let Some(pem) = ca_pem {
        builder = builder.add_root_certificate_pem(pem);
    }
    let client = builder.build()?;
    let stages = client
        .send(&opportunity_stage::ListOpportunityStages::new())
        .await?;
    println!("signed in; the pipeline has {} stages:", stages.len());
    for stage in stages {
        println!(
            "  #{} {} ({} %)",
            stage.id, stage.title, stage.success_probability
        );
    }
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    Ok(())
}
