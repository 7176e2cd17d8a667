//! Arbitrary bytes as the body of a JSON response, through `parse_response`.
//!
//! The first byte picks the endpoint, the status and header variants (see `common.rs`); the
//! rest is the body, sent with `Content-Type: application/json; charset=UTF-8`.

#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    common::run(data, "application/json; charset=UTF-8");
});
