//! Decoding list answers of 1, 100 and 1,000 deals, and of 1,000 contacts (persons and companies
//! alternately).
//!
//! `r7_proto::parse_response` (`ListOpportunities`, `ListContacts`) on the whole response
//! (envelope, status, paging numbers and items) against the floor of decoding the same items
//! alone, straight from the payload: `serde_json::from_slice` into `Vec<Opportunity>` or
//! `Vec<Contact>` for JSON, and quick-xml's own serde deserializer (`quick_xml::de::from_str`)
//! for the XML form, into mirror types of the model that end as the same `Vec` (see
//! `common/xml_mirror.rs` for why). Before measuring, each pair is checked to decode to equal
//! items, so both sides do the same work.

use std::fmt::Debug;
use std::hint::black_box;

use bytes::Bytes;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use fixtures::Items;
use r7_model::{Contact, Opportunity};
use r7_proto::crm::contact::ListContacts;
use r7_proto::crm::opportunity::ListOpportunities;
use r7_proto::{Endpoint, Page, parse_response};
use serde::de::DeserializeOwned;

#[path = "common/fixtures.rs"]
mod fixtures;
#[path = "common/settings.rs"]
mod settings;
#[path = "common/xml_mirror.rs"]
mod xml_mirror;

/// Deals per answer.
const DEAL_SIZES: &[usize] = &[1, 100, 1000];
/// Contacts per answer: the budgets are set for a page of 1,000 contacts.
const CONTACT_SIZES: &[usize] = &[1000];

fn main() {
    let mut criterion = settings::criterion();
    // The deals keep their group names ("decode_json", "decode_xml"), so their rows read as before.
    decode_json::<ListOpportunities, Opportunity>(
        &mut criterion,
        "decode_json",
        Items::Deals,
        DEAL_SIZES,
    );
    decode_xml::<ListOpportunities, Opportunity, xml_mirror::XmlOpportunity>(
        &mut criterion,
        "decode_xml",
        Items::Deals,
        DEAL_SIZES,
    );
    decode_json::<ListContacts, Contact>(
        &mut criterion,
        "decode_json_contacts",
        Items::Contacts,
        CONTACT_SIZES,
    );
    decode_xml::<ListContacts, Contact, xml_mirror::XmlContact>(
        &mut criterion,
        "decode_xml_contacts",
        Items::Contacts,
        CONTACT_SIZES,
    );
    criterion.final_summary();
}

/// A direct decode of the items alone: the floor.
type Floor<'a, T> = &'a dyn Fn(&[u8]) -> Vec<T>;

/// What a response to a list request looks like once a client has read the body.
fn response(content_type: &'static str, body: String) -> http::Response<Bytes> {
    http::Response::builder()
        .status(200)
        .header(http::header::CONTENT_TYPE, content_type)
        .body(Bytes::from(body))
        .expect("valid response")
}

/// Measures `parse_response::<E>` on `response` and `floor` on `inner`, adjacent in time, in the
/// round's order.
fn measure_pair<E: Endpoint, T>(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    n: usize,
    (floor_name, floor): (&str, Floor<'_, T>),
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
                b.iter(|| parse_response::<E>(black_box(response)).expect("decodes"));
            });
        }
    }
}

/// `parse_response::<E>` on JSON list answers of `sizes` `items` against `serde_json` on the
/// array.
fn decode_json<E, T>(c: &mut Criterion, group_name: &str, items: Items, sizes: &[usize])
where
    E: Endpoint<Output = Page<T>>,
    T: DeserializeOwned + PartialEq + Debug,
{
    let mut group = c.benchmark_group(group_name);
    let floor = |inner: &[u8]| -> Vec<T> {
        serde_json::from_slice(inner).expect("serde_json decodes the array")
    };
    for &n in sizes {
        let payload = fixtures::json_list(items, n);
        let response = response("application/json; charset=utf-8", payload.envelope);
        let inner = payload.inner.into_bytes();
        let page = parse_response::<E>(&response).expect("r7-proto decodes");
        assert_eq!(page.items.len(), n);
        assert_eq!(
            page.items,
            floor(&inner),
            "both sides decode the same items"
        );
        measure_pair::<E, T>(&mut group, n, ("serde_json", &floor), &response, &inner);
    }
    group.finish();
}

/// `parse_response::<E>` on XML list answers of `sizes` `items` against quick-xml on the
/// `<response>` elements, decoded into the mirror type `M` and moved into `T`.
fn decode_xml<E, T, M>(c: &mut Criterion, group_name: &str, items: Items, sizes: &[usize])
where
    E: Endpoint<Output = Page<T>>,
    T: DeserializeOwned + PartialEq + Debug + From<M>,
    M: DeserializeOwned,
{
    let mut group = c.benchmark_group(group_name);
    let floor = |inner: &[u8]| -> Vec<T> {
        let text = std::str::from_utf8(inner).expect("UTF-8");
        let mirrors: Vec<M> =
            quick_xml::de::from_str(text).expect("quick-xml decodes the elements");
        mirrors.into_iter().map(T::from).collect()
    };
    // Said once per list, so the log shows why the floor needs the mirror types.
    let direct = quick_xml::de::from_str::<Vec<T>>(&fixtures::xml_list(items, 1).inner);
    if let Err(error) = direct {
        println!("quick-xml cannot decode {items:?} into the model types directly: {error}");
    }
    // The JSON form of the same list, so the XML pair is checked against it too.
    let largest = sizes.iter().copied().max().unwrap_or(1);
    let json = fixtures::json_list(items, largest).inner;
    let json_items: Vec<T> = serde_json::from_str(&json).expect("serde_json decodes the array");
    for &n in sizes {
        let payload = fixtures::xml_list(items, n);
        let response = response("text/xml; charset=utf-8", payload.envelope);
        let inner = payload.inner.into_bytes();
        let page = parse_response::<E>(&response).expect("r7-proto decodes");
        assert_eq!(page.items.len(), n);
        assert_eq!(
            page.items,
            floor(&inner),
            "both sides decode the same items"
        );
        assert_eq!(
            page.items[..],
            json_items[..n],
            "the XML list holds the same items as the JSON list"
        );
        measure_pair::<E, T>(&mut group, n, ("quick_xml", &floor), &response, &inner);
    }
    group.finish();
}
