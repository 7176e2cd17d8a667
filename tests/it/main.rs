//! Workspace-level integration tests: one binary, one module per concern.

mod e2e;
mod endpoints;
mod golden;
mod layers;
mod lifecycle;
mod request;
mod response;
mod shapes;
mod support;
mod tls;
mod transport;
