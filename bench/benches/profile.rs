//! Fixed amounts of work for instruction-level profiling, not a timing benchmark (`cargo xtask
//! bench` does not run it). Run one case under `valgrind --tool=callgrind`, once with 0
//! iterations and once with N: the difference divided by N is the cost of one iteration,
//! setup excluded.
//!
//! ```text
//! profile CASE ITERATIONS [DEALS]
//!
//! json-r7 | json-serde | xml-r7 | xml-quick       decode a list of DEALS deals (default 100)
//! json-r7-contacts | json-serde-contacts          the same for a list of DEALS contacts
//! | xml-r7-contacts | xml-quick-contacts
//! loopback-r7_hyper | loopback-hyper_util          one delete call against the fixed server
//! | loopback-reqwest
//! bulk-sequential | bulk-batch                    delete ITERATIONS deals from the emulator,
//!                                                 one by one or 200 per batch request
//! ```
//!
//! With `--separate-threads=yes`, the main thread's file holds the client's work alone.

use std::hint::black_box;

use bytes::Bytes;
use fixtures::Items;
use r7_emulator::{Config, Emulator};
use r7_model::{Contact, Opportunity};
use r7_proto::crm::contact::ListContacts;
use r7_proto::crm::opportunity::*;
use r7_proto::{Token, parse_response};

#[path = "common/clients.rs"]
mod clients;
#[path = "common/fixed_server.rs"]
mod fixed_server;
#[path = "common/fixtures.rs"]
mod fixtures;
#[path = "common/xml_mirror.rs"]
mod xml_mirror;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; ignore flags.
    let args: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let (case, iterations, deals) = match args.as_slice() {
        [case, iterations, rest @ ..] => (
            *case,
            iterations.parse::<usize>().expect("ITERATIONS is a number"),
            rest.first()
                .map_or(100, |d| d.parse().expect("DEALS is a number")),
        ),
        _ => {
            eprintln!("usage: profile CASE ITERATIONS [DEALS] (see the source for the cases)");
            return;
        }
    };
    match case {
        "json-r7" | "json-serde" => {
            let payload = fixtures::json_list(Items::Deals, deals);
            let response = response("application/json; charset=utf-8", payload.envelope);
            let inner = payload.inner.into_bytes();
            for _ in 0..iterations {
                if case == "json-r7" {
                    black_box(parse_response::<ListOpportunities>(black_box(&response)).unwrap());
                } else {
                    black_box(
                        serde_json::from_slice::<Vec<Opportunity>>(black_box(&inner)).unwrap(),
                    );
                }
            }
        }
        "xml-r7" | "xml-quick" => {
            let payload = fixtures::xml_list(Items::Deals, deals);
            let response = response("text/xml; charset=utf-8", payload.envelope);
            for _ in 0..iterations {
                if case == "xml-r7" {
                    black_box(parse_response::<ListOpportunities>(black_box(&response)).unwrap());
                } else {
                    let deals: Vec<xml_mirror::XmlOpportunity> =
                        quick_xml::de::from_str(black_box(&payload.inner)).unwrap();
                    black_box(deals.into_iter().map(Opportunity::from).collect::<Vec<_>>());
                }
            }
        }
        "json-r7-contacts" | "json-serde-contacts" => {
            let payload = fixtures::json_list(Items::Contacts, deals);
            let response = response("application/json; charset=utf-8", payload.envelope);
            let inner = payload.inner.into_bytes();
            for _ in 0..iterations {
                if case == "json-r7-contacts" {
                    black_box(parse_response::<ListContacts>(black_box(&response)).unwrap());
                } else {
                    black_box(serde_json::from_slice::<Vec<Contact>>(black_box(&inner)).unwrap());
                }
            }
        }
        "xml-r7-contacts" | "xml-quick-contacts" => {
            let payload = fixtures::xml_list(Items::Contacts, deals);
            let response = response("text/xml; charset=utf-8", payload.envelope);
            for _ in 0..iterations {
                if case == "xml-r7-contacts" {
                    black_box(parse_response::<ListContacts>(black_box(&response)).unwrap());
                } else {
                    let contacts: Vec<xml_mirror::XmlContact> =
                        quick_xml::de::from_str(black_box(&payload.inner)).unwrap();
                    black_box(contacts.into_iter().map(Contact::from).collect::<Vec<_>>());
                }
            }
        }
        _ if case.starts_with("loopback-") => {
            let kind = clients::Kind::ALL
                .into_iter()
                .find(|kind| case == format!("loopback-{}", kind.name()))
                .expect("a client name");
            let server = fixed_server::start();
            let runtime = current_thread();
            runtime.block_on(async {
                let clients = clients::Clients::new(server.addr);
                clients.check().await;
                for _ in 0..10 {
                    black_box(clients.delete(kind).await);
                }
                for _ in 0..iterations {
                    black_box(clients.delete(kind).await);
                }
            });
            eprintln!("server thread: {:.3} s of CPU", server.thread.cpu_time());
        }
        "bulk-sequential" | "bulk-batch" => {
            let seeds = r7_emulator::seed_opportunities();
            let deals: Vec<Opportunity> = (1..=iterations.max(1))
                .map(|id| {
                    let mut v = seeds[id % seeds.len()].clone();
                    v.id = (id as i64).into();
                    v
                })
                .collect();
            let server = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("emulator runtime");
            let config = Config {
                opportunities: deals,
                deal_tags: Vec::new(),
                ..Config::default()
            };
            let emulator = server.block_on(Emulator::start(config)).expect("emulator");
            let client = r7_hyper::Client::builder(emulator.base_url())
                .token(Token::new(emulator.token()).expect("token"))
                .build()
                .expect("client");
            let ids: Vec<i64> = (1..=iterations as i64).collect();
            current_thread().block_on(async {
                if case == "bulk-sequential" {
                    for &id in &ids {
                        client.send(&DeleteOpportunity::new(id)).await.unwrap();
                    }
                } else {
                    for chunk in ids.chunks(200) {
                        let request = DeleteOpportunities::new(chunk.iter().copied());
                        client.send(&request).await.unwrap();
                    }
                }
            });
            assert_eq!(
                emulator.opportunity_ids().len(),
                iterations.max(1) - iterations
            );
        }
        other => eprintln!("unknown case {other:?}"),
    }
}

fn response(content_type: &'static str, body: String) -> http::Response<Bytes> {
    http::Response::builder()
        .status(200)
        .header(http::header::CONTENT_TYPE, content_type)
        .body(Bytes::from(body))
        .expect("valid response")
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}
