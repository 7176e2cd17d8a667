//! Shared harness of `response_json` and `response_xml`: the first byte of the input picks the
//! endpoint (what the body is decoded as), the HTTP status and a few header variants; the rest
//! is the response body.
//!
//! Invariants checked on every input:
//!
//! * `parse_response` never panics, and neither do `Display`, `Debug`, `status()` and
//!   `is_not_found()` of its error;
//! * 401 always gives `ResponseError::Unauthorized`, and a non-2xx status never gives `Ok`;
//! * an `Ok` value survives a second trip: written back with the model's `Serialize` into a JSON
//!   envelope and parsed again, it gives the same value (so `Serialize` and `Deserialize` of the
//!   model agree on everything the decoder can produce).

use std::fmt::Debug;

use bytes::Bytes;
use r7_model::{Contact, OpportunityStage, Opportunity};
use r7_proto::crm::opportunity::*;
use r7_proto::crm::opportunity_stage::*;
use r7_proto::{Endpoint, NoContent, Page, ResponseError, parse_response};
use serde::Serialize;

/// Statuses the second three bits of the first byte choose from.
const STATUSES: [u16; 8] = [200, 204, 201, 429, 404, 401, 503, 500];

pub fn run(data: &[u8], content_type: &'static str) {
    let Some((&head, body)) = data.split_first() else {
        return;
    };
    let status = STATUSES[usize::from((head >> 3) & 7)];
    // Bit 6: leave `Content-Type` out, so the format is sniffed from the first byte.
    let content_type = (head & 0x40 == 0).then_some(content_type);
    // Bit 7: add `Retry-After` (only 503 reads it).
    let retry_after = head & 0x80 != 0;
    let response = response(status, content_type, retry_after, body);
    match head & 7 {
        0 => single::<DeleteOpportunity>(&response),
        1 => page::<ListOpportunities, Opportunity>(&response),
        2 => page::<ListOpportunityStages, OpportunityStage>(&response),
        3 => page::<ListOpportunityContacts, Contact>(&response),
        4 => single::<GetOpportunityStage>(&response),
        5 => {
            let result = parse_response::<SetOpportunityCreationDate>(&response);
            check::<SetOpportunityCreationDate>(&response, &result);
            if let Ok(value) = result {
                assert_eq!(value, NoContent);
            }
        }
        6 => single::<r7_proto::crm::opportunity::AddOpportunityContact>(&response),
        _ => single::<r7_proto::crm::opportunity::GetOpportunity>(&response),
    }
}

fn response(
    status: u16,
    content_type: Option<&str>,
    retry_after: bool,
    body: &[u8],
) -> http::Response<Bytes> {
    let mut builder = http::Response::builder().status(status);
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    if retry_after {
        builder = builder.header("retry-after", "7");
    }
    builder
        .body(Bytes::copy_from_slice(body))
        .expect("a valid response")
}

/// What must hold of any result, `Ok` or `Err`.
fn check<E: Endpoint>(response: &http::Response<Bytes>, result: &Result<E::Output, ResponseError>)
where
    E::Output: Debug,
{
    let status = response.status();
    match result {
        Ok(value) => {
            assert!(status.is_success(), "Ok from HTTP {status}");
            let _ = format!("{value:?}");
        }
        Err(error) => {
            let _ = format!("{error} {error:?}");
            let _ = error.is_not_found();
            assert_eq!(error.status(), status, "{error:?}");
            if status == 401 {
                assert!(
                    matches!(error, ResponseError::Unauthorized),
                    "401 gave {error:?}"
                );
            }
        }
    }
}

/// An endpoint that returns one model value.
fn single<E>(response: &http::Response<Bytes>)
where
    E: Endpoint,
    E::Output: Serialize + PartialEq + Debug,
{
    let result = parse_response::<E>(response);
    check::<E>(response, &result);
    if let Ok(value) = result {
        let again = reparse::<E>(&serde_json::json!({ "status": 0, "response": value }));
        assert_eq!(
            again, value,
            "a decoded value changed on a second trip through JSON"
        );
    }
}

/// A list endpoint.
fn page<E, T>(response: &http::Response<Bytes>)
where
    E: Endpoint<Output = Page<T>>,
    T: Serialize + PartialEq + Debug,
{
    let result = parse_response::<E>(response);
    check::<E>(response, &result);
    if let Ok(page) = result {
        let envelope = serde_json::json!({
            "count": page.count,
            "startIndex": page.start_index,
            "nextIndex": page.next_index,
            "total": page.total,
            "status": 0,
            "response": page.items,
        });
        let again = reparse::<E>(&envelope);
        assert_eq!(
            again, page,
            "a decoded page changed on a second trip through JSON"
        );
    }
}

fn reparse<E: Endpoint>(envelope: &serde_json::Value) -> E::Output {
    let body = serde_json::to_vec(envelope).expect("a model value serializes");
    let response = response(200, Some("application/json"), false, &body);
    parse_response::<E>(&response).unwrap_or_else(|e| {
        panic!(
            "re-encoded value does not decode: {e}\n{}",
            String::from_utf8_lossy(&body)
        )
    })
}
