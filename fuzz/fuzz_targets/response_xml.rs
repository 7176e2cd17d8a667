//! Arbitrary bytes as the body of an XML response, through `parse_response`.
//!
//! The first byte picks the endpoint, the status and header variants (see `common.rs`); the
//! rest is the body, sent with `Content-Type: text/xml; charset=UTF-8`.

#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    common::run(data, "text/xml; charset=UTF-8");
});
