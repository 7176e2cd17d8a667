//! Decoding stays within 16 times the body plus 1 MiB of heap, or stops with an error.
//!
//! A counting `#[global_allocator]` (this binary only) keeps per-thread counts of the bytes in
//! use and their peak; each test decodes on its own thread, so the tests running beside it do
//! not disturb its numbers. A `realloc` is counted as a new block that exists before the old one
//! is freed, which is what a moving `realloc` costs.
//!
//! The bodies are the hostile ones a size cap alone does not stop: lists of empty objects or
//! self-closed elements (each a default deal of 872 bytes from 3 or 11 bytes of input), lists
//! nested in many deals, thousands of distinct names, deep nesting, long strings; and the
//! fixtures, which must decode as before.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use bytes::Bytes;
use r7_proto::{Endpoint, ResponseError, parse_response};

use crate::support::{fixture, response};

struct Counting;

thread_local! {
    // `const` and without destructors: reading them never allocates, which the allocator
    // itself could not survive.
    static CURRENT: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn grew(bytes: usize) {
    let _ = CURRENT.try_with(|current| {
        let now = current.get().wrapping_add(bytes as isize);
        current.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn shrank(bytes: usize) {
    let _ = CURRENT.try_with(|current| current.set(current.get().wrapping_sub(bytes as isize)));
}

// SAFETY: every call is passed to `System` unchanged; the counters beside it never allocate.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is the one `System.alloc` needs.
        let block = unsafe { System.alloc(layout) };
        if !block.is_null() {
            grew(layout.size());
        }
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let block = unsafe { System.alloc_zeroed(layout) };
        if !block.is_null() {
            grew(layout.size());
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is the one `System.dealloc` needs.
        unsafe { System.dealloc(block, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        grew(new_size);
        // SAFETY: the caller's contract is the one `System.realloc` needs.
        let moved = unsafe { System.realloc(block, layout, new_size) };
        shrank(if moved.is_null() {
            new_size
        } else {
            layout.size()
        });
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its value and the most heap it had in use at once, in bytes.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = CURRENT.with(Cell::get);
    PEAK.with(|peak| peak.set(start));
    let value = f();
    let peak = PEAK.with(Cell::get) - start;
    (value, usize::try_from(peak).unwrap_or(0))
}

/// The guarantee: 16 times the body, plus 1 MiB.
fn bound(len: usize) -> usize {
    16 * len + (1 << 20)
}

/// Decodes `body` as `E`'s answer on a fresh thread and checks the peak against [`bound`];
/// returns whether it decoded, and the peak as a multiple of the body's length.
fn decode<E: Endpoint>(content_type: &str, body: Vec<u8>) -> (Result<(), String>, f64) {
    let len = body.len();
    let response = response(200, Some(content_type), Bytes::from(body));
    let name = std::any::type_name::<E>();
    std::thread::scope(|s| {
        s.spawn(|| {
            let (result, peak) = peak_of(|| parse_response::<E>(&response));
            assert!(
                peak <= bound(len),
                "{name}, {content_type}: {peak} bytes at the peak for a body of {len} bytes \
                 ({:.1}x)",
                peak as f64 / len as f64
            );
            let result = result.map(drop).map_err(|e: ResponseError| e.to_string());
            (result, peak as f64 / len as f64)
        })
        .join()
        .expect("the decoding thread")
    })
}

/// `item` `n` times, separated by `sep`.
fn repeat(item: &str, sep: &str, n: usize) -> String {
    let mut out = String::with_capacity((item.len() + sep.len()) * n);
    for i in 0..n {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item);
    }
    out
}

/// About this many bytes of hostile body per case: enough that 16 times the body is large
/// beside the bound's 1 MiB, small enough for a debug build.
const SIZE: usize = 1 << 20;

fn json_list(item: &str) -> Vec<u8> {
    let n = SIZE / (item.len() + 1);
    format!(r#"{{"status":0,"response":[{}]}}"#, repeat(item, ",", n)).into_bytes()
}

fn json_single(members: &str) -> Vec<u8> {
    format!(r#"{{"status":0,"response":{{{members}}}}}"#).into_bytes()
}

const JSON: &str = "application/json; charset=UTF-8";

#[test]
fn hostile_json_stays_within_the_bound() {
    use r7_proto::crm::opportunity::*;
    use r7_proto::crm::opportunity_stage::*;
    let mut worst = 0f64;
    let mut note = |(result, ratio): (Result<(), String>, f64)| {
        worst = worst.max(ratio);
        result
    };
    // Lists of empty objects: the budget must stop them.
    for item in [
        "{}",
        r#"{"members":[{},{},{},{},{},{},{},{}]}"#,
        r#"{"customFields":[{},{},{},{}]}"#,
    ] {
        let result = note(decode::<ListOpportunities>(JSON, json_list(item)));
        assert!(result.is_err_and(|e| e.contains("memory")), "{item}");
    }
    note(decode::<ListOpportunityContacts>(JSON, json_list("{}"))).unwrap_err();
    note(decode::<ListOpportunityStages>(JSON, json_list("{}"))).unwrap_err();
    // Lists inside one deal.
    let n = SIZE / 3;
    for field in ["members", "customFields", "accessList"] {
        let body = json_single(&format!(r#""{field}":[{}]"#, repeat("{}", ",", n)));
        note(decode::<GetOpportunity>(JSON, body.clone())).unwrap_err();
        note(decode::<DeleteOpportunity>(JSON, body)).unwrap_err();
    }
    // Deep but legal nesting (serde_json stops at 128), many times, in an ignored member.
    let deep = format!("{}{}", "[".repeat(120), "]".repeat(120));
    let body = json_single(&format!(
        r#""x":[{}],"id":1"#,
        repeat(&deep, ",", SIZE / 241)
    ));
    note(decode::<GetOpportunity>(JSON, body)).unwrap();
    // Many distinct member names, and long strings (escaped and not).
    let names: Vec<String> = (0..SIZE / 12).map(|i| format!(r#""n{i}":0"#)).collect();
    note(decode::<GetOpportunity>(
        JSON,
        json_single(&names.join(",")),
    ))
    .unwrap();
    let long = "x".repeat(SIZE);
    note(decode::<GetOpportunity>(
        JSON,
        json_single(&format!(r#""title":"{long}""#)),
    ))
    .unwrap();
    let escaped = repeat(r"\u0041", "", SIZE / 6);
    note(decode::<GetOpportunity>(
        JSON,
        json_single(&format!(r#""title":"{escaped}""#)),
    ))
    .unwrap();
    // A method that returns nothing ignores whatever it is sent.
    note(decode::<SetOpportunityCreationDate>(JSON, json_list("{}"))).unwrap();
    eprintln!("JSON: worst peak {worst:.2} times the body");
}

#[test]
fn fixtures_decode_within_the_bound() {
    use r7_proto::crm::opportunity::*;
    use r7_proto::crm::opportunity_stage::*;
    for ext in ["json", "xml"] {
        let content_type = if ext == "json" { JSON } else { XML };
        let body = |path: &str| fixture(&format!("{path}.{ext}")).to_vec();
        decode::<ListOpportunities>(content_type, body("opportunity/list"))
            .0
            .unwrap();
        decode::<ListOpportunities>(content_type, body("opportunity/list_one"))
            .0
            .unwrap();
        decode::<ListOpportunities>(content_type, body("opportunity/list_empty"))
            .0
            .unwrap();
        decode::<GetOpportunity>(content_type, body("opportunity/get"))
            .0
            .unwrap();
        decode::<ListOpportunityContacts>(content_type, body("contact/list"))
            .0
            .unwrap();
        decode::<ListOpportunityStages>(content_type, body("stage/list"))
            .0
            .unwrap();
        decode::<GetOpportunityStage>(content_type, body("stage/get"))
            .0
            .unwrap();
    }
}

const XML: &str = "text/xml; charset=UTF-8";

fn xml_list(item: &str) -> Vec<u8> {
    let n = SIZE / item.len();
    format!("<result><status>0</status>{}</result>", item.repeat(n)).into_bytes()
}

fn xml_single(content: &str) -> Vec<u8> {
    format!("<result><status>0</status><response>{content}</response></result>").into_bytes()
}

#[test]
fn hostile_xml_stays_within_the_bound() {
    use r7_proto::crm::opportunity::*;
    use r7_proto::crm::opportunity_stage::*;
    let mut worst = 0f64;
    let mut note = |(result, ratio): (Result<(), String>, f64)| {
        worst = worst.max(ratio);
        result
    };
    // Lists of self-closed elements: the budget must stop them.
    for item in [
        "<response/>",
        "<response><members/><members/><members/><members/><members/><members/></response>",
        "<response><customFields/><customFields/><customFields/></response>",
    ] {
        let result = note(decode::<ListOpportunities>(XML, xml_list(item)));
        assert!(result.is_err_and(|e| e.contains("memory")), "{item}");
    }
    note(decode::<ListOpportunityContacts>(
        XML,
        xml_list("<response/>"),
    ))
    .unwrap_err();
    note(decode::<ListOpportunityStages>(
        XML,
        xml_list("<response/>"),
    ))
    .unwrap_err();
    // Lists inside one deal.
    for field in ["members", "customFields", "accessList"] {
        let item = format!("<{field}/>");
        let body = xml_single(&item.repeat(SIZE / item.len()));
        note(decode::<GetOpportunity>(XML, body)).unwrap_err();
    }
    note(decode::<DeleteOpportunity>(
        XML,
        xml_single(&"<members/>".repeat(SIZE / 10)),
    ))
    .unwrap_err();
    // The smallest elements there are, unknown to the model: only the tree costs.
    note(decode::<GetOpportunity>(
        XML,
        xml_single(&"<a/>".repeat(SIZE / 4)),
    ))
    .unwrap();
    // Elements that are never closed cost their tree only until the document fails.
    note(decode::<GetOpportunity>(
        XML,
        "<a".repeat(SIZE / 2).into_bytes(),
    ))
    .unwrap_err();
    // `<` that starts no element (in CDATA, in a comment, in garbage) reserves no tree.
    let cdata = format!("<title><![CDATA[{}]]></title>", "<".repeat(SIZE));
    note(decode::<GetOpportunity>(XML, xml_single(&cdata))).unwrap();
    let comment = format!("<!--{}-->", "<".repeat(SIZE));
    note(decode::<GetOpportunity>(XML, xml_single(&comment))).unwrap();
    note(decode::<GetOpportunity>(XML, "<".repeat(SIZE).into_bytes())).unwrap_err();
    // Deep but legal nesting (the limit is 64), many times.
    let deep = format!("{}{}", "<x>".repeat(60), "</x>".repeat(60));
    note(decode::<GetOpportunity>(
        XML,
        xml_single(&deep.repeat(SIZE / deep.len())),
    ))
    .unwrap();
    // Many distinct sibling names, at the top and inside a deal.
    let names: String = (0..SIZE / 10).map(|i| format!("<n{i}/>")).collect();
    note(decode::<GetOpportunity>(XML, xml_single(&names))).unwrap();
    // Long text, plain and with references.
    note(decode::<GetOpportunity>(
        XML,
        xml_single(&format!("<title>{}</title>", "x".repeat(SIZE))),
    ))
    .unwrap();
    let escaped = "&amp;".repeat(SIZE / 5);
    note(decode::<GetOpportunity>(
        XML,
        xml_single(&format!("<title>{escaped}</title>")),
    ))
    .unwrap();
    let cdata = "<![CDATA[x]]>".repeat(SIZE / 13);
    note(decode::<GetOpportunity>(
        XML,
        xml_single(&format!("<title>{cdata}</title>")),
    ))
    .unwrap();
    // A method that returns nothing ignores whatever it is sent.
    note(decode::<SetOpportunityCreationDate>(
        XML,
        xml_list("<response/>"),
    ))
    .unwrap();
    eprintln!("XML: worst peak {worst:.2} times the body");
}

/// Fragments the property combines: (JSON value, XML content of the element it becomes).
const UNITS: [(&str, &str); 7] = [
    ("{}", ""),
    (r#"{"members":[{},{}]}"#, "<members/><members/>"),
    (r#"{"id":1}"#, "<id>1</id>"),
    (r#"{"title":"a&b"}"#, "<title>a&amp;b</title>"),
    (r#"{"a":0,"b":1}"#, "<a/><b>1</b>"),
    (r#"{"customFields":[{}]}"#, "<customFields/>"),
    ("null", "<x><y><z/></y></x>"),
];

/// `units` repeated to `n` items, each an element named `name` in XML.
fn body_of(xml: bool, units: &[usize], n: usize, wrap: usize) -> Vec<u8> {
    let items: Vec<&(&str, &str)> = (0..n).map(|i| &UNITS[units[i % units.len()]]).collect();
    let name = ["response", "members", "customFields"][wrap];
    if xml {
        let mut inner = String::new();
        for (_, content) in items {
            if content.is_empty() {
                inner.push_str(&format!("<{name}/>"));
            } else {
                inner.push_str(&format!("<{name}>{content}</{name}>"));
            }
        }
        let inner = if wrap == 0 {
            inner
        } else {
            format!("<response>{inner}</response>")
        };
        format!("<result><status>0</status>{inner}</result>").into_bytes()
    } else {
        let list = items
            .iter()
            .map(|(json, _)| *json)
            .collect::<Vec<_>>()
            .join(",");
        let response = match wrap {
            0 => format!("[{list}]"),
            1 => format!(r#"[{{"members":[{list}]}}]"#),
            _ => format!(r#"{{"customFields":[{list}]}}"#),
        };
        format!(r#"{{"status":0,"response":{response}}}"#).into_bytes()
    }
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config {
        cases: 24,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    })]

    /// Whatever the mix, decoding stays within the bound (decoded or refused).
    #[test]
    fn random_hostile_bodies_stay_within_the_bound(
        xml: bool,
        endpoint in 0..4usize,
        units in proptest::collection::vec(0..UNITS.len(), 1..4),
        n in 1usize..20_000,
        wrap in 0..3usize,
    ) {
        use r7_proto::crm::opportunity::*;
        use r7_proto::crm::opportunity_stage::*;
        let content_type = if xml { XML } else { JSON };
        let body = body_of(xml, &units, n, wrap);
        // `decode` asserts the bound; the result may be a value or an error.
        let _ = match endpoint {
            0 => decode::<ListOpportunities>(content_type, body),
            1 => decode::<ListOpportunityContacts>(content_type, body),
            2 => decode::<ListOpportunityStages>(content_type, body),
            _ => decode::<GetOpportunity>(content_type, body),
        };
    }
}

#[test]
fn a_body_transcoded_from_another_charset_stays_within_the_bound_of_its_own_size() {
    use r7_proto::crm::opportunity::*;
    use r7_proto::crm::opportunity_stage::*;
    // 0x88 is the euro sign in windows-1251: one byte that becomes three in UTF-8. Most of the
    // body is such a string, the rest a list of empty objects.
    let mut worst = 0f64;
    for (json, euros) in [
        (true, SIZE * 9 / 10),
        (false, SIZE * 9 / 10),
        (true, SIZE / 2),
    ] {
        let list_bytes = SIZE - euros;
        let mut body = Vec::with_capacity(SIZE + 100);
        if json {
            body.extend_from_slice(br#"{"status":0,"x":""#);
            body.resize(body.len() + euros, 0x88);
            body.extend_from_slice(br#"","response":["#);
            body.extend_from_slice(repeat("{}", ",", list_bytes / 3).as_bytes());
            body.extend_from_slice(b"]}");
        } else {
            body.extend_from_slice(b"<result><status>0</status><x>");
            body.resize(body.len() + euros, 0x88);
            body.extend_from_slice(b"</x>");
            body.extend_from_slice("<response/>".repeat(list_bytes / 11).as_bytes());
            body.extend_from_slice(b"</result>");
        }
        let content_type = if json {
            "application/json; charset=windows-1251"
        } else {
            "text/xml; charset=windows-1251"
        };
        // Decoded or refused, within the bound (which `decode` asserts).
        let (_, ratio) = decode::<ListOpportunityStages>(content_type, body.clone());
        worst = worst.max(ratio);
        let (_, ratio) = decode::<ListOpportunities>(content_type, body);
        worst = worst.max(ratio);
    }
    eprintln!("windows-1251: worst peak {worst:.2} times the body");
}
