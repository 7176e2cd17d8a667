//! What each entity is made of and the server's own rules, one module per entity, each citing
//! the server source it copies (`CRMApi.Deals.cs:77` is `module/ASC.Api/ASC.Api.CRM/` of the
//! ONLYOFFICE Community Server source; `DealDao.cs` and `DealMilestoneDao.cs` are under
//! `web/studio/ASC.Web.Studio/Products/CRM/Core/Dao/`).
//!
//! An entity's [`Entity`](crate::ops::Entity) impl builds its single and list forms from the
//! rows; the impls of the other traits of [`crate::ops`] give the generic operations what
//! differs per entity; a `pub(crate) fn` taking an endpoint's arguments is a hook, a method the
//! spec names because no generic operation does what the server does.

pub(crate) mod category;
pub(crate) mod contact;
pub(crate) mod contact_info;
pub(crate) mod contact_mail;
pub(crate) mod contact_simple;
pub(crate) mod contact_status;
pub(crate) mod contact_type;
pub(crate) mod custom_field;
pub(crate) mod history;
mod list_item;
pub(crate) mod opportunity;
pub(crate) mod opportunity_stage;
pub(crate) mod settings;
pub(crate) mod tag;
pub(crate) mod task;
