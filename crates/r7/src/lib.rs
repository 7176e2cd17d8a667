//! Rust SDK for the REST API of R7-Office portals (R7 "Корпоративный сервер", which keeps the
//! `api/2.0/...` surface of ONLYOFFICE Community Server).
//!
//! This is the crate a program depends on: it puts together the domain types ([`model`], the
//! `r7-model` crate), the sans-IO protocol layer ([`proto`], the `r7-proto` crate, with the
//! typed endpoints in [`crm`]) and the async client on hyper and Tokio ([`Client`], the
//! `r7-hyper` crate). A program needs `r7` and `tokio`, nothing else, and one import:
//!
//! ```no_run
//! use r7::prelude::*;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder("https://portal.example.com/")
//!     .token(Token::new("my-token")?)
//!     .build()?;
//! match client.send(&opportunity::DeleteOpportunity::new(1234)).await {
//!     Ok(deal) => println!("deleted {}", deal.title),
//!     Err(e) if e.is_not_found() => println!("no such deal"),
//!     Err(e) => return Err(e.into()),
//! }
//! # Ok(()) }
//! ```
//!
//! The endpoints are structs, one module per resource: [`crm::opportunity`] (deals),
//! [`crm::opportunity_stage`] (the stages of the pipeline), [`crm::tag`] (tags of contacts,
//! deals and cases), [`crm::custom_field`] (custom fields of every entity type),
//! [`crm::task`] (tasks), [`crm::category`] (task and history categories),
//! [`crm::contact_status`] and [`crm::contact_type`] (the contacts' statuses and types),
//! [`crm::settings`] (the CRM's contact settings) and [`crm::contact`] (begun). Required
//! parameters go to `new`,
//! optional ones to builder methods, and [`Client::send`] returns the endpoint's typed output.
//! A route the SDK does not have yet is reached with [`Raw`], through the same client (sign-in,
//! retries, deadline, redaction of secrets):
//!
//! ```no_run
//! use r7::prelude::*;
//!
//! # async fn run(client: Client) -> Result<(), r7::Error> {
//! let tags = Raw::get("api/2.0/crm/{entityType}/tag")
//!     .path_param("entityType", "contact")
//!     .query("count", 10);
//! let reply = client.send(&tags).await?;
//! println!("{}", reply.response); // a serde_json::Value
//! # Ok(()) }
//! ```
//!
//! What is where:
//!
//! * at the root: the client ([`Client`], [`ClientBuilder`], [`CallOptions`], [`RetryPolicy`],
//!   [`Error`] and the bulk deletion types) and the protocol types a program names ([`Token`],
//!   [`Credentials`], [`Format`], [`Page`], [`Raw`], the [`Endpoint`] trait, ...);
//! * [`prelude`]: what most programs need, for `use r7::prelude::*;`;
//! * [`crm`]: every generated CRM endpoint;
//! * [`model`]: every domain type (deals, stages, contacts, users, ids, enums, dates);
//! * [`proto`]: the whole protocol layer, for sending requests with another HTTP client
//!   ([`proto::build_request`], [`proto::parse_response`]) and for the endpoint table
//!   ([`proto::ENDPOINTS`]).

/// The domain types: deals, stages, contacts, users, currencies, custom fields, the typed ids,
/// the integer-coded enums and the portal's timestamp (the `r7-model` crate).
pub use r7_model as model;

/// The sans-IO protocol layer (the `r7-proto` crate): endpoints become `http::Request`s and
/// `http::Response`s become typed values or typed errors, in JSON and XML.
pub use r7_proto as proto;

/// The CRM endpoints, generated from the spec, one module per resource.
pub use r7_proto::crm;

/// The blocking client (feature `blocking`): the same endpoints, errors and behaviour as
/// [`Client`], for programs without an async runtime.
///
/// ```no_run
/// use r7::blocking::Client;
/// use r7::prelude::{Token, opportunity};
///
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Client::builder("https://portal.example.com/")
///     .token(Token::new(std::env::var("R7_TOKEN")?)?)
///     .build()?;
/// let deal = client.send(&opportunity::GetOpportunity::new(1234))?;
/// # Ok(()) }
/// ```
#[cfg(feature = "blocking")]
pub mod blocking {
    pub use r7_blocking::{Client, ClientBuilder, ConfigError};
}

pub use r7_hyper::{
    BoxError, BulkDelete, BulkReport, CallOptions, Client, ClientBuilder, ConfigError,
    DEFAULT_CHUNK_SIZE, DEFAULT_CONCURRENCY, DEFAULT_EACH_CONCURRENCY, DeleteOutcome, Delivery,
    Each, EachReport, Error, MAX_PAGE_SIZE, RetryPolicy, TlsError,
};
pub use r7_proto::{
    ApiError, AuthScheme, Authenticate, Authentication, BaseUrl, BuildError, Credentials,
    CustomFieldValue, Endpoint, Format, InvalidBaseUrl, InvalidToken, NoContent, Page, PageInfo,
    Paged, Password, Raw, RawReply, ResponseError, SortOrder, TextPair, Token, Upload,
};

pub mod prelude {
    //! What most programs need, in one `use r7::prelude::*;`.
    //!
    //! The client and its settings, the token and credentials, the response format, the [`Raw`]
    //! escape hatch, the [`Endpoint`] trait, the endpoint modules [`opportunity`] and
    //! [`opportunity_stage`] (so that endpoints read as `opportunity::GetOpportunity`), the typed
    //! ids and the main model types. [`r7::Error`](crate::Error) is left out on purpose: its name
    //! is too common for a glob import; write `r7::Error`.
    //!
    //! ```no_run
    //! use r7::prelude::*;
    //!
    //! # async fn run(client: Client) -> Result<(), r7::Error> {
    //! let stages = client.send(&opportunity_stage::ListOpportunityStages::new()).await?;
    //! let won = stages.into_iter().find(|s| s.stage_type == StageType::ClosedAndWon);
    //! if let Some(won) = won {
    //!     let deal = client.send(&opportunity::UpdateOpportunityStage::new(1234, won.id)).await?;
    //!     println!("{} is now in {}", deal.title, won.title);
    //! }
    //! # Ok(()) }
    //! ```

    pub use r7_hyper::{CallOptions, Client, RetryPolicy};
    pub use r7_model::{
        BidType, Contact, ContactBase, ContactId, Employee, Opportunity, OpportunityId,
        OpportunityStage, OpportunityStageId, StageType, UserId,
    };
    pub use r7_proto::crm::{opportunity, opportunity_stage};
    pub use r7_proto::{Credentials, Endpoint, Format, Page, Raw, SortOrder, Token};
}

/// The README's Rust samples, compiled as doc tests against this crate so that they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;
