//! Domain types of the R7-Office portal REST API.
//!
//! R7 "Корпоративный сервер" keeps the `api/2.0/...` surface of ONLYOFFICE Community Server.
//! This crate holds the values that surface carries, with no I/O and no HTTP: CRM deals
//! ([`Opportunity`]), the contacts, users, stages, currencies and custom fields they embed, the
//! integer-coded enums, and the portal's timestamp ([`ApiDateTime`]).
//!
//! Every type decodes the way a long-lived client must: camelCase and PascalCase member names,
//! members the server leaves out, `null` where a value was expected, unknown members, and enum
//! numbers newer than this crate. The same types decode the JSON and the XML form of a response
//! (see the `r7-proto` crate).
//!
//! ```
//! let deal: r7_model::Opportunity = serde_json::from_str(
//!     r#"{"title":"Hotel catalogue","stage":{"title":"Discussion","stageType":0,"id":30},
//!         "successProbability":65,"isPrivate":false,"canEdit":false,"id":1234}"#,
//! )?;
//! assert_eq!(deal.title, "Hotel catalogue");
//! assert_eq!(deal.stage.map(|s| s.title).as_deref(), Some("Discussion"));
//! # Ok::<(), serde_json::Error>(())
//! ```

mod contact;
mod contact_info;
mod currency;
mod custom_field;
pub mod datetime;
mod employee;
mod enums;
mod opportunity;
mod stage;
mod wire;

pub use contact::{Contact, ContactBase, ContactKind};
pub use contact_info::{Address, ContactInfo, ListItem};
pub use currency::Currency;
pub use custom_field::CustomField;
pub use datetime::{ApiDateTime, ParseDateTimeError};
pub use employee::Employee;
pub use enums::{BidType, CustomFieldType, ShareType, StageType};
pub use opportunity::Opportunity;
pub use stage::DealStage;
pub use uuid::Uuid;
