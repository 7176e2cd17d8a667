//! Arbitrary ids and strings through `build_request` of several endpoints.
//!
//! Never panics. A request builds exactly when the parameters are valid (ids in 1..=i32::MAX,
//! required texts not blank; the deal search's `sortBy` is an enum); when it builds, its path is the
//! base path plus the template with the ids written in, plus the format's suffix, whatever the
//! strings hold (no string can add a segment, a `?` or a `#`), and the query (or the form body)
//! decodes back to exactly the strings that were given. `encode_path_segment` is checked the
//! same way on its own, since no endpoint has a string path parameter.

#![no_main]

use arbitrary::Arbitrary;
use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use percent_encoding::percent_decode_str;
use r7_model::Uuid;
use r7_proto::crm::opportunity::*;
use r7_proto::crm::opportunity_stage::*;
use r7_proto::{BaseUrl, BuildError, CustomFieldValue, Format, RequestContext, SortOrder, Token, build_request, encode_path_segment};

#[derive(Arbitrary, Debug)]
struct Input {
    base: u8,
    xml: bool,
    id: i64,
    other_id: Option<i64>,
    stage_id: i64,
    filter_value: Option<String>,
    tags: Vec<String>,
    sort_by: Option<String>,
    sort_key: Option<u8>,
    descending: Option<bool>,
    start_index: Option<u64>,
    count: Option<u64>,
    title: String,
    description: Option<String>,
    currency: String,
    members: Vec<i64>,
    custom_fields: Vec<(i64, String)>,
    prefix: String,
    internal_search: Option<bool>,
    segment: String,
}

const BASES: [&str; 3] = [
    "https://portal.example.com/",
    "http://127.0.0.1:8092/office/",
    "https://xn--80ak6aa92e.example:8443/a/b/",
];

fn valid_id(id: i64) -> bool {
    (1..=i64::from(i32::MAX)).contains(&id)
}

/// Decodes `a=1&b=2` with plain percent-decoding (the encoder escapes `+` too).
fn decode_pairs(text: &str) -> Vec<(String, String)> {
    if text.is_empty() {
        return Vec::new();
    }
    text.split('&')
        .map(|pair| {
            let (name, value) = pair
                .split_once('=')
                .unwrap_or_else(|| panic!("a pair without '=': {pair:?}"));
            let decode = |s: &str| {
                percent_decode_str(s)
                    .decode_utf8()
                    .unwrap_or_else(|e| panic!("not UTF-8 after decoding {s:?}: {e}"))
                    .into_owned()
            };
            (decode(name), decode(value))
        })
        .collect()
}

/// The pairs grouped by name (stable: repeated names keep their order).
fn by_name(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    pairs
}

fn pairs<'a>(items: impl IntoIterator<Item = (&'a str, String)>) -> Vec<(String, String)> {
    items.into_iter().map(|(n, v)| (n.to_owned(), v)).collect()
}

/// Checks a built request: path, no fragment, and the query's pairs.
fn check(
    result: Result<http::Request<Bytes>, BuildError>,
    should_build: bool,
    base: &BaseUrl,
    path: &str,
    format: Format,
    query: Vec<(String, String)>,
) -> Option<http::Request<Bytes>> {
    let request = match result {
        Ok(request) => request,
        Err(BuildError::InvalidArgument { .. }) if !should_build => return None,
        Err(e) => panic!("should_build={should_build}, got {e:?}"),
    };
    assert!(
        should_build,
        "built a request from invalid parameters: {request:?}"
    );
    let uri = request.uri();
    let text = uri.to_string();
    assert!(!text.contains('#'), "{text}");
    assert_eq!(
        uri.path(),
        format!("{}{path}{}", base.path(), format.suffix()),
        "{text}"
    );
    let raw_query = uri.query().unwrap_or("");
    assert!(
        raw_query
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~%&=".contains(&b)),
        "{raw_query}"
    );
    assert_eq!(by_name(decode_pairs(raw_query)), by_name(query), "{text}");
    Some(request)
}

fn check_segment(segment: &str) {
    let encoded = encode_path_segment(segment);
    assert!(
        !encoded.contains(['/', '?', '#']),
        "{segment:?} -> {encoded:?}"
    );
    let decoded = percent_decode_str(&encoded).decode_utf8().expect("UTF-8");
    assert_eq!(decoded, segment);
    if segment.is_empty() {
        return;
    }
    assert!(encoded != "." && encoded != "..", "{segment:?}");
    let text = format!("https://portal.example.com/api/{encoded}.json");
    let uri: http::Uri = text
        .parse()
        .unwrap_or_else(|e| panic!("{segment:?} -> {text:?} is not a URI: {e}"));
    assert_eq!(uri.path(), format!("/api/{encoded}.json"));
    assert_eq!(uri.query(), None);
}

fuzz_target!(|input: Input| {
    let base = BaseUrl::parse(BASES[usize::from(input.base) % BASES.len()]).expect("base");
    let token = Token::new("fuzz-token").expect("token");
    let format = if input.xml { Format::Xml } else { Format::Json };
    let context = RequestContext::new(&base, Some(&token)).with_format(format);
    let id_ok = valid_id(input.id);
    let single_path = format!("api/2.0/crm/opportunity/{}", input.id);

    check(
        build_request(&DeleteOpportunity::new(input.id), &context),
        id_ok,
        &base,
        &single_path,
        format,
        Vec::new(),
    );
    check(
        build_request(&GetOpportunity::new(input.id), &context),
        id_ok,
        &base,
        &single_path,
        format,
        Vec::new(),
    );

    // The search, with every string filter.
    let mut list = ListOpportunities::new().tags(input.tags.clone());
    let mut query = pairs(input.tags.iter().map(|t| ("tags", t.clone())));
    let mut list_ok = true;
    if let Some(id) = input.other_id {
        list = list.stage_id(id).contact_id(id);
        query.push(("opportunityStagesid".into(), id.to_string()));
        query.push(("contactid".into(), id.to_string()));
        list_ok &= valid_id(id);
    }
    if let Some(v) = &input.filter_value {
        list = list.filter_value(v.clone());
        query.push(("filterValue".into(), v.clone()));
    }
    // The deal search's keys are an enum (OpportunitySortBy), so any of them is valid.
    if let Some(k) = input.sort_key {
        let key = OpportunitySortBy::ALL[usize::from(k) % OpportunitySortBy::ALL.len()];
        list = list.sort_by(key);
        query.push(("sortBy".into(), key.as_str().to_owned()));
    }
    if let Some(descending) = input.descending {
        let (order, text) = if descending {
            (SortOrder::Descending, "descending")
        } else {
            (SortOrder::Ascending, "ascending")
        };
        list = list.sort_order(order);
        query.push(("sortOrder".into(), text.into()));
    }
    if let Some(v) = input.start_index {
        list = list.start_index(v);
        query.push(("startIndex".into(), v.to_string()));
    }
    if let Some(v) = input.count {
        list = list.count(v);
        query.push(("count".into(), v.to_string()));
    }
    check(
        build_request(&list, &context),
        list_ok,
        &base,
        "api/2.0/crm/opportunity/filter",
        format,
        query,
    );

    // The stage list: its sort key is free text.
    let mut stages = ListOpportunityStages::new();
    let mut query = Vec::new();
    if let Some(v) = &input.filter_value {
        stages = stages.filter_value(v.clone());
        query.push(("filterValue".to_owned(), v.clone()));
    }
    if let Some(v) = &input.sort_by {
        stages = stages.sort_by(v.clone());
        query.push(("sortBy".to_owned(), v.clone()));
    }
    check(
        build_request(&stages, &context),
        true,
        &base,
        "api/2.0/crm/opportunity/stage",
        format,
        query,
    );

    // Search by prefix.
    let mut by_prefix = ListOpportunitiesByPrefix::new(input.prefix.clone());
    let mut query = vec![("prefix".to_owned(), input.prefix.clone())];
    let mut prefix_ok = true;
    if let Some(id) = input.other_id {
        by_prefix = by_prefix.contact_id(id);
        query.push(("contactID".into(), id.to_string()));
        prefix_ok &= valid_id(id);
    }
    if let Some(v) = input.internal_search {
        by_prefix = by_prefix.internal_search(v);
        query.push(("internalSearch".into(), v.to_string()));
    }
    check(
        build_request(&by_prefix, &context),
        prefix_ok,
        &base,
        "api/2.0/crm/opportunity/byprefix",
        format,
        query,
    );

    // Create: the strings travel in the form body, not in the URI.
    let responsible = Uuid::from_u128(0x3b1e9f0a_6c2d_4f1e_9a7b_2d4c8e6f1a01);
    let mut create = CreateOpportunity::new(
        input.title.clone(),
        responsible,
        input.stage_id,
        input.currency.clone(),
    )
    .members(input.members.clone())
    .custom_fields(
        input
            .custom_fields
            .iter()
            .map(|(id, v)| CustomFieldValue::new(*id, v.clone())),
    );
    let mut body = vec![
        ("title".to_owned(), input.title.clone()),
        ("responsibleid".to_owned(), responsible.to_string()),
        ("stageid".to_owned(), input.stage_id.to_string()),
        ("bidCurrencyAbbr".to_owned(), input.currency.clone()),
    ];
    body.extend(pairs(
        input.members.iter().map(|m| ("members", m.to_string())),
    ));
    if let Some(v) = &input.description {
        create = create.description(v.clone());
        body.push(("description".into(), v.clone()));
    }
    for (i, (id, value)) in input.custom_fields.iter().enumerate() {
        body.push((format!("customFieldList[{i}][key]"), id.to_string()));
        body.push((format!("customFieldList[{i}][value]"), value.clone()));
    }
    let create_ok = !input.title.trim().is_empty()
        && !input.currency.trim().is_empty()
        && valid_id(input.stage_id)
        && input.members.iter().all(|m| valid_id(*m));
    if let Some(request) = check(
        build_request(&create, &context),
        create_ok,
        &base,
        "api/2.0/crm/opportunity",
        format,
        Vec::new(),
    ) {
        let text = std::str::from_utf8(request.body()).expect("an ASCII form body");
        assert_eq!(by_name(decode_pairs(text)), by_name(body), "{text}");
    }

    check_segment(&input.segment);
});
