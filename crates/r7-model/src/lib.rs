//! Domain types of the R7-Office portal REST API.
//!
//! R7 "Корпоративный сервер" keeps the `api/2.0/...` surface of ONLYOFFICE Community Server.
//! This crate holds the values that surface carries, with no I/O and no HTTP: CRM deals
//! ([`Opportunity`]), the contacts, users, stages, currencies and custom fields they embed, the
//! typed ids ([`OpportunityId`], ...), the integer-coded enums, and the portal's timestamp
//! ([`ApiDateTime`]).
//!
//! The wire types, ids and enums are generated from the spec (`spec/crm/`, see
//! `spec/SCHEMA.md`) by `cargo xtask codegen`; what is written by hand is the date type, the
//! macros behind ids and enums, and small conveniences such as [`ContactBase::kind`].
//!
//! Every type decodes the way a long-lived client must: camelCase and PascalCase member names,
//! members the server leaves out, `null` where a value was expected, unknown members, and enum
//! numbers newer than this crate. The same types decode the JSON and the XML form of a response
//! (see the `r7-proto` crate). The structs are `#[non_exhaustive]`, so that a member the server
//! adds is not a breaking change: read their fields, and build one with `Default` and field
//! assignment.
//!
//! ```
//! let deal: r7_model::Opportunity = serde_json::from_str(
//!     r#"{"title":"Hotel catalogue","stage":{"title":"Discussion","stageType":0,"id":30},
//!         "successProbability":65,"isPrivate":false,"canEdit":false,"id":1234}"#,
//! )?;
//! assert_eq!(deal.title, "Hotel catalogue");
//! assert_eq!(deal.id, 1234);
//! assert_eq!(deal.stage.map(|s| s.title).as_deref(), Some("Discussion"));
//! # Ok::<(), serde_json::Error>(())
//! ```

mod contact;
pub mod datetime;
mod enums;
// prettyplease formats the generated files; rustfmt would format them differently and make
// `cargo xtask codegen --check` fail.
#[rustfmt::skip]
mod generated;
mod id;
mod wire;

pub use contact::ContactKind;
pub use datetime::{ApiDateTime, ParseDateTimeError};
pub use generated::*;
pub use uuid::Uuid;
