//! Building requests: `r7_proto::build_request` for a `DeleteOpportunity` and for a
//! `ListOpportunities` with several filters and paging, against the floor of
//! `http::Request::builder()` given the finished URI and header values (what any client must
//! do at least). Allocations per request are counted with a counting global allocator and
//! written to `build_allocs.json` for `cargo xtask bench`.

use std::alloc::System;
use std::hint::black_box;

use bytes::Bytes;
use criterion::BenchmarkId;
use http::header::{ACCEPT, AUTHORIZATION, USER_AGENT};
use http::{HeaderValue, Method, Request};
use r7_model::{ApiDateTime, StageType, Uuid};
use r7_proto::crm::opportunity::*;
use r7_proto::{BaseUrl, Endpoint, RequestContext, SortOrder, Token, build_request};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[path = "common/output.rs"]
mod output;
#[path = "common/settings.rs"]
mod settings;

/// Counts every allocation of this process (one relaxed atomic add per call).
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// How many requests the allocation count averages over.
const COUNTED: u64 = 1000;

fn main() {
    let base = BaseUrl::parse("https://portal.example.com/").expect("base URL");
    let token = Token::new("r7-bench-token-0123456789abcdef").expect("token");
    let context = RequestContext::new(&base, Some(&token));
    let delete = DeleteOpportunity::new(1234);
    let list = filtered_list();

    let delete_floor = Floor::of(&delete, &context);
    let list_floor = Floor::of(&list, &context);

    output::write(
        "build_allocs",
        &serde_json::json!({
            "delete": {
                "r7_proto": allocations(|| build_request(&delete, &context).expect("builds")),
                "http_builder": allocations(|| delete_floor.build()),
            },
            "list_filtered": {
                "r7_proto": allocations(|| build_request(&list, &context).expect("builds")),
                "http_builder": allocations(|| list_floor.build()),
            },
        }),
    );

    let mut criterion = settings::criterion();
    let mut group = criterion.benchmark_group("build");
    for side in settings::in_round_order(["http_builder", "r7_proto"]) {
        let id = BenchmarkId::new(side, "delete");
        if side == "http_builder" {
            group.bench_function(id, |b| b.iter(|| delete_floor.build()));
        } else {
            group.bench_function(id, |b| {
                b.iter(|| build_request(black_box(&delete), black_box(&context)).expect("builds"))
            });
        }
    }
    for side in settings::in_round_order(["http_builder", "r7_proto"]) {
        let id = BenchmarkId::new(side, "list_filtered");
        if side == "http_builder" {
            group.bench_function(id, |b| b.iter(|| list_floor.build()));
        } else {
            group.bench_function(id, |b| {
                b.iter(|| build_request(black_box(&list), black_box(&context)).expect("builds"))
            });
        }
    }
    group.finish();
    criterion.final_summary();
}

/// A deal search as a list screen sends it: responsible user, stage, stage type, two tags, a
/// close-date range, a search text in Cyrillic, sorting and paging.
fn filtered_list() -> ListOpportunities {
    let date = |text| ApiDateTime::parse(text).expect("date");
    ListOpportunities::new()
        .responsible_id(Uuid::from_u128(0x3b1e9f0a_6c2d_4f1e_9a7b_2d4c8e6f1a01))
        .stage_id(3)
        .stage_type(StageType::Open)
        .tags(["vip".to_owned(), "2024 Q2".to_owned()])
        .from_date(date("2024-01-01T00:00:00.0000000+03:00"))
        .to_date(date("2024-06-30T23:59:59.0000000+03:00"))
        .filter_value("серверного оборудования")
        .sort_by(OpportunitySortBy::Title)
        .sort_order(SortOrder::Descending)
        .start_index(100)
        .count(50)
}

/// The same request built by hand from its finished parts: the floor of any client.
struct Floor {
    method: Method,
    uri: String,
    authorization: HeaderValue,
}

impl Floor {
    /// The parts of the request `build_request` makes for `endpoint`.
    fn of<E: Endpoint>(endpoint: &E, context: &RequestContext<'_>) -> Floor {
        let request = build_request(endpoint, context).expect("builds");
        let floor = Floor {
            method: request.method().clone(),
            uri: request.uri().to_string(),
            authorization: request.headers()[AUTHORIZATION].clone(),
        };
        let again = floor.build();
        assert_eq!(again.uri(), request.uri());
        assert_eq!(again.headers(), request.headers());
        floor
    }

    fn build(&self) -> Request<Bytes> {
        Request::builder()
            .method(self.method.clone())
            .uri(black_box(self.uri.as_str()))
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(USER_AGENT, HeaderValue::from_static("r7/0.1.0"))
            .header(AUTHORIZATION, self.authorization.clone())
            .body(Bytes::new())
            .expect("builds")
    }
}

/// Allocations (and reallocations) per call of `build`, over [`COUNTED`] calls.
fn allocations<T>(mut build: impl FnMut() -> T) -> serde_json::Value {
    drop(build());
    let region = Region::new(GLOBAL);
    for _ in 0..COUNTED {
        drop(black_box(build()));
    }
    let change = region.change();
    serde_json::json!({
        "allocations": change.allocations as f64 / COUNTED as f64,
        "reallocations": change.reallocations as f64 / COUNTED as f64,
        "bytes": change.bytes_allocated as f64 / COUNTED as f64,
    })
}
