//! Sans-IO protocol layer of the R7-Office portal REST API.
//!
//! R7 "Корпоративный сервер" keeps the `api/2.0/...` REST surface of ONLYOFFICE Community
//! Server. This crate knows that surface and nothing about sockets: an [`Endpoint`] value
//! becomes an `http::Request<Bytes>` ([`build_request`]), and the `http::Response` that comes
//! back becomes the endpoint's typed output or a typed [`ResponseError`] ([`parse_response`]).
//! Any HTTP client can carry the bytes; `r7-hyper` is the ready-made one, and the `r7` crate
//! puts them together.
//!
//! The CRM endpoints are generated from the spec (`spec/crm/`), one module per resource:
//! [`crm::opportunity`], [`crm::opportunity_stage`]. [`ENDPOINTS`] lists them as data; [`Raw`]
//! reaches any route the SDK does not have yet.
//!
//! ```
//! use bytes::Bytes;
//! use r7_proto::crm::opportunity::DeleteOpportunity;
//! use r7_proto::{build_request, parse_response, BaseUrl, RequestContext, Token};
//!
//! let base = BaseUrl::parse("https://portal.example.com/")?;
//! let token = Token::new("my-token")?;
//! let delete = DeleteOpportunity::new(1234);
//! let request = build_request(&delete, &RequestContext::new(&base, Some(&token)))?;
//! assert_eq!(request.uri(), "https://portal.example.com/api/2.0/crm/opportunity/1234.json");
//!
//! // ... send `request` with any HTTP client, then:
//! let response = http::Response::builder()
//!     .status(200)
//!     .header("content-type", "application/json; charset=UTF-8")
//!     .body(Bytes::from_static(br#"{"count":1,"status":0,"statusCode":200,
//!         "response":{"title":"Hotel catalogue","isPrivate":false,"canEdit":false,"id":1234}}"#))?;
//! let deleted = parse_response::<DeleteOpportunity>(&response)?;
//! assert_eq!(deleted.title, "Hotel catalogue");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Typed ids
//!
//! Every id has its own type ([`model::OpportunityId`], [`model::OpportunityStageId`], ...),
//! so a deal's id and a stage's cannot be swapped. A number converts into any of them, as
//! `DeleteOpportunity::new(1234)` shows; ids taken from answers keep their type:
//!
//! ```
//! use r7_proto::crm::opportunity::UpdateOpportunityStage;
//! use r7_proto::model::{Opportunity, OpportunityStage};
//!
//! fn move_to(deal: &Opportunity, stage: &OpportunityStage) -> UpdateOpportunityStage {
//!     UpdateOpportunityStage::new(deal.id, stage.id)
//! }
//! ```
//!
//! The same call with the two ids swapped does not compile:
//!
//! ```compile_fail,E0277
//! use r7_proto::crm::opportunity::UpdateOpportunityStage;
//! use r7_proto::model::{Opportunity, OpportunityStage};
//!
//! fn move_to(deal: &Opportunity, stage: &OpportunityStage) -> UpdateOpportunityStage {
//!     UpdateOpportunityStage::new(stage.id, deal.id)
//! }
//! ```
//!
//! Behaviour of the real server that this crate follows (read from its source):
//! the format is chosen by the path suffix (`.json` / `.xml`), not by `Accept`; the XML form is a
//! mechanical conversion of the JSON; POST answers 201; errors come in an envelope with
//! `status: 1` and `error.message`, except 401, which is plain text; the rate limiter answers 503
//! with `Retry-After`.

mod base_url;
mod budget;
mod charset;
mod credentials;
mod endpoint;
mod endpoints;
mod envelope;
mod error;
mod form;
mod format;
// prettyplease formats the generated files; rustfmt would format them differently and make
// `cargo xtask codegen --check` fail.
#[rustfmt::skip]
mod generated;
mod output;
mod path;
mod raw;
mod request;
mod response;
mod token;
pub mod xml;

pub use base_url::{BaseUrl, InvalidBaseUrl};
pub use credentials::{Credentials, Password};
pub use endpoint::{Auth, Body, Endpoint, EndpointInfo, Paged, ParamInfo, ParamLocation};
pub use endpoints::{Authenticate, Authentication};
pub use error::{ApiError, BodySnippet, BuildError, ResponseError};
pub use form::{CustomFieldValue, SortOrder, TextPair, Upload};
pub use format::Format;
pub use generated::{ENDPOINTS, EndpointId, crm};
pub use output::{FromEnvelope, NoContent, NullableBool, Page, PageInfo};
pub use path::encode_path_segment;
pub use raw::{Raw, RawReply};
pub use request::{RequestContext, build_request};
pub use response::parse_response;
pub use token::{AuthScheme, InvalidToken, Token};

/// The model types, re-exported so that users of this crate need not depend on `r7-model`.
pub use r7_model as model;
