//! Workspace-level integration tests: one binary, one module per concern.

mod bulk;
mod categories;
mod contact_extras;
mod contact_info;
mod contact_lists;
mod contacts;
mod custom_fields;
mod deadline;
mod doc_samples;
mod e2e;
mod each;
mod endpoints;
mod faults;
mod history;
// prettyplease formats the generated tests; rustfmt would format them differently.
#[rustfmt::skip]
mod generated;
mod golden;
mod layers;
mod lifecycle;
mod memory;
mod paging;
mod properties;
mod raw;
mod request;
mod response;
mod security;
mod shapes;
mod sign_in;
mod soak;
mod support;
mod tags;
mod tasks;
mod tls;
mod transport;
mod transports;
