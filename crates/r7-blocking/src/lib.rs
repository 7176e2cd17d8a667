//! Blocking client for the R7-Office portal REST API: the same typed endpoints and the same
//! behaviour as the async `r7-hyper` client, for scripts and programs without an async runtime.
//!
//! Requests are built and answers read by `r7-proto`; the policy of a call (repeats, the
//! deadline's rules, sign-in, decoding within the size cap, redaction of secrets, paging)
//! comes from `r7-client`, which the async client uses too. The HTTP exchange itself is
//! ureq's, over rustls with `ring`.
//!
//! ```no_run
//! use r7_blocking::Client;
//! use r7_proto::Token;
//! use r7_proto::crm::opportunity::DeleteOpportunity;
//!
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder("https://portal.example.com/")
//!     .token(Token::new(std::env::var("R7_TOKEN")?)?)
//!     .build()?;
//! match client.send(&DeleteOpportunity::new(1234)) {
//!     Ok(deal) => println!("deleted {}", deal.title),
//!     Err(e) if e.is_not_found() => println!("no such deal"),
//!     Err(e) => return Err(e.into()),
//! }
//! # Ok(()) }
//! ```
//!
//! What differs from the async client: a sign-in in flight is waited for by blocking the
//! thread (still one at a time per client, within each call's deadline); `each` sends its
//! requests from a few threads of its own; [`ClientBuilder::add_root_certificate_pem`]
//! trusts the given CAs *instead of* the bundled Mozilla roots (ureq takes one set of roots),
//! which is what a portal on a private CA needs; and the async client's `native_roots` and
//! `tls_config` (a whole rustls configuration) have no counterpart here.

mod client;
mod session;

pub use client::{Client, ClientBuilder, ConfigError};
pub use r7_client::{
    BoxError, CallOptions, Delivery, EachReport, Error, MAX_PAGE_SIZE, RetryPolicy,
};
pub use r7_proto;
