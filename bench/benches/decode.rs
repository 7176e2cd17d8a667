//! Decoding list answers of 1, 100 and 1,000 deals.
//!
//! `r7_proto::parse_response::<ListOpportunities>` on the whole response (envelope, status,
//! paging numbers and deals) against the floor of decoding the same deals alone, straight from
//! the payload: `serde_json::from_slice` into `Vec<Opportunity>` for JSON, and quick-xml's own
//! serde deserializer (`quick_xml::de::from_str`) for the XML form, into mirror types of the
//! model that end as the same `Vec<Opportunity>` (see `common/xml_mirror.rs` for why). Before
//! measuring, each pair is checked to decode to equal deals, so both sides do the same work.

use std::hint::black_box;

use bytes::Bytes;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use r7_model::Opportunity;
use r7_proto::crm::opportunity::*;
use r7_proto::parse_response;

#[path = "common/fixtures.rs"]
mod fixtures;
#[path = "common/settings.rs"]
mod settings;
#[path = "common/xml_mirror.rs"]
mod xml_mirror;

/// Deals per answer.
const SIZES: [usize; 3] = [1, 100, 1000];

fn main() {
    let mut criterion = settings::criterion();
    decode_json(&mut criterion);
    decode_xml(&mut criterion);
    criterion.final_summary();
}

/// A direct decode of the deals alone: the floor.
type Floor<'a> = &'a dyn Fn(&[u8]) -> Vec<Opportunity>;

/// What a response to a list request looks like once a client has read the body.
fn response(content_type: &'static str, body: String) -> http::Response<Bytes> {
    http::Response::builder()
        .status(200)
        .header(http::header::CONTENT_TYPE, content_type)
        .body(Bytes::from(body))
        .expect("valid response")
}

/// Measures `parse_response` on `response` and `floor` on `inner`, adjacent in time, in the
/// round's order.
fn measure_pair(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    n: usize,
    (floor_name, floor): (&str, Floor<'_>),
    response: &http::Response<Bytes>,
    inner: &[u8],
) {
    group.sampling_mode(if n >= 100 {
        SamplingMode::Flat
    } else {
        SamplingMode::Auto
    });
    for side in settings::in_round_order(["floor", "r7_proto"]) {
        if side == "floor" {
            group.throughput(Throughput::Bytes(inner.len() as u64));
            group.bench_with_input(BenchmarkId::new(floor_name, n), inner, |b, inner| {
                b.iter(|| floor(black_box(inner)));
            });
        } else {
            group.throughput(Throughput::Bytes(response.body().len() as u64));
            group.bench_with_input(BenchmarkId::new("r7_proto", n), response, |b, response| {
                b.iter(|| {
                    parse_response::<ListOpportunities>(black_box(response)).expect("decodes")
                });
            });
        }
    }
}

fn decode_json(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode_json");
    let floor = |inner: &[u8]| -> Vec<Opportunity> {
        serde_json::from_slice(inner).expect("serde_json decodes the array")
    };
    for n in SIZES {
        let payload = fixtures::json_list(n);
        let response = response("application/json; charset=utf-8", payload.envelope);
        let inner = payload.inner.into_bytes();
        let page = parse_response::<ListOpportunities>(&response).expect("r7-proto decodes");
        assert_eq!(page.items.len(), n);
        assert_eq!(
            page.items,
            floor(&inner),
            "both sides decode the same deals"
        );
        measure_pair(&mut group, n, ("serde_json", &floor), &response, &inner);
    }
    group.finish();
}

fn decode_xml(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode_xml");
    let floor = |inner: &[u8]| -> Vec<Opportunity> {
        let text = std::str::from_utf8(inner).expect("UTF-8");
        let deals: Vec<xml_mirror::XmlOpportunity> =
            quick_xml::de::from_str(text).expect("quick-xml decodes the elements");
        deals.into_iter().map(Opportunity::from).collect()
    };
    // Said once, so the report can show why the floor needs the mirror types.
    let direct = quick_xml::de::from_str::<Vec<Opportunity>>(&fixtures::xml_list(1).inner);
    if let Err(error) = direct {
        println!("quick-xml cannot decode the model types directly: {error}");
    }
    for n in SIZES {
        let payload = fixtures::xml_list(n);
        let response = response("text/xml; charset=utf-8", payload.envelope);
        let inner = payload.inner.into_bytes();
        let page = parse_response::<ListOpportunities>(&response).expect("r7-proto decodes");
        assert_eq!(page.items.len(), n);
        assert_eq!(
            page.items,
            floor(&inner),
            "both sides decode the same deals"
        );
        measure_pair(&mut group, n, ("quick_xml", &floor), &response, &inner);
    }
    group.finish();
}
