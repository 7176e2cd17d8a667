//! The server's plumbing: the HTTP service (routing to the dispatch, binding, faults, rate
//! limit), the shared state behind it, sign-in and tokens, the streaming body, and TLS.

pub(crate) mod auth;
pub(crate) mod body;
pub(crate) mod service;
pub(crate) mod state;
pub(crate) mod tls;
