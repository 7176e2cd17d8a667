//! The emulator over real sockets: requests written by hand, so every byte on the wire is the
//! test's own.
//!
//! One binary, a module per part of the emulator: the wire format and routing, sign-in, the
//! rate limit, injected faults, the deal endpoints and the stage pipeline.

mod deals;
mod faults;
mod rate_limit;
mod sign_in;
mod stages;
mod support;
mod wire;
