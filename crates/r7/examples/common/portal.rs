//! What the examples share: the portal they talk to.
//!
//! Without `R7_PORTAL` an example starts an emulated portal on 127.0.0.1 and works on its seed
//! data. With it, the example talks to that portal instead, signed in with `R7_TOKEN`, or with
//! `R7_USER` and `R7_PASSWORD`; `R7_CA_PEM` names a PEM file of extra root certificates (a
//! private or national CA). Every example says which ids it needs from the environment then.

#![allow(dead_code, reason = "each example uses the part it needs")]

use std::error::Error;
use std::str::FromStr;

use r7::prelude::*;
use r7_emulator::{Config, Emulator};

/// The client, and the emulated portal behind it if there is no real one.
pub(crate) struct Portal {
    pub(crate) client: Client,
    emulator: Option<Emulator>,
}

impl Portal {
    /// The real portal of `R7_PORTAL`, or a freshly started emulated one.
    pub(crate) async fn from_env() -> Result<Portal, Box<dyn Error>> {
        let Ok(address) = std::env::var("R7_PORTAL") else {
            let emulator = Emulator::start(Config::default()).await?;
            eprintln!(
                "(an emulated portal at {}; set R7_PORTAL to use a real one)",
                emulator.base_url()
            );
            let client = Client::builder(emulator.base_url())
                .token(Token::new(emulator.token())?)
                .build()?;
            return Ok(Portal {
                client,
                emulator: Some(emulator),
            });
        };
        let mut builder = Client::builder(address);
        builder = match (
            std::env::var("R7_TOKEN"),
            std::env::var("R7_USER"),
            std::env::var("R7_PASSWORD"),
        ) {
            (Ok(token), _, _) => builder.token(Token::new(token)?),
            (_, Ok(user), Ok(password)) => builder.credentials(Credentials::new(user, password)),
            _ => return Err("set R7_TOKEN, or R7_USER and R7_PASSWORD, to sign in".into()),
        };
        if let Ok(path) = std::env::var("R7_CA_PEM") {
            let pem = std::fs::read(&path).map_err(|e| format!("R7_CA_PEM {path}: {e}"))?;
            builder = builder.add_root_certificate_pem(pem);
        }
        Ok(Portal {
            client: builder.build()?,
            emulator: None,
        })
    }

    /// Whether this is the emulated portal.
    pub(crate) fn is_emulated(&self) -> bool {
        self.emulator.is_some()
    }

    /// Stops the emulated portal, if it is one.
    pub(crate) async fn finish(self) {
        if let Some(emulator) = self.emulator {
            emulator.shutdown().await;
        }
    }
}

/// The value of the environment variable `name`, or `default` on the emulated portal.
pub(crate) fn setting<T: FromStr>(
    portal: &Portal,
    name: &str,
    default: T,
) -> Result<T, Box<dyn Error>> {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|_| format!("{name} must be a valid value, not {text:?}").into()),
        Err(_) if portal.is_emulated() => Ok(default),
        Err(_) => Err(format!("set {name} to use a real portal").into()),
    }
}
