//! Async client for the R7-Office portal REST API, on hyper 1, hyper-util and Tokio.
//!
//! [`Client`] sends the typed endpoints of [`r7_proto`] and returns their typed output. It
//! speaks https through rustls (with the `ring` provider and the Mozilla roots) and plain http for
//! local portals, and it keeps one deadline per call that covers the whole response body.
//! [`Client::items`] streams every item of a paged list, and
//! [`Client::bulk_delete_opportunities`] deletes many deals with a bounded number of requests in
//! flight, reporting one [`DeleteOutcome`] per id.
//!
//! ```no_run
//! use r7_hyper::Client;
//! use r7_proto::crm::opportunity::*;
//! use r7_proto::Token;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder("https://portal.example.com/")
//!     .token(Token::new("my-token")?)
//!     .build()?;
//! match client.send(&DeleteOpportunity::new(1234)).await {
//!     Ok(deal) => println!("deleted {}", deal.title),
//!     Err(e) if e.is_not_found() => println!("no such deal"),
//!     Err(e) => return Err(e.into()),
//! }
//! # Ok(()) }
//! ```

mod bulk;
mod client;
mod deadline;
mod each;
mod paging;
mod session;
mod tls;

pub use bulk::{BulkDelete, BulkReport, DEFAULT_CHUNK_SIZE, DEFAULT_CONCURRENCY, DeleteOutcome};
pub use client::{Client, ClientBuilder, ConfigError};
pub use each::{DEFAULT_EACH_CONCURRENCY, Each};
pub use r7_client::MAX_PAGE_SIZE;
pub use r7_client::{BoxError, CallOptions, Delivery, EachReport, Error, RetryPolicy};
pub use r7_proto;
pub use tls::TlsError;
