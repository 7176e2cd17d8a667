//! The three loopback clients, each deleting deal 1234 and reading the deal from the answer.

use std::net::SocketAddr;

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, USER_AGENT};
use http::{HeaderValue, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use r7_model::Opportunity;
use r7_proto::Token;
use r7_proto::crm::opportunity::*;
use serde::Deserialize;

/// The token all three clients send.
const TOKEN: &str = "r7-bench-token";

/// The deal every request deletes (the server answers the same whatever the id).
const DEAL_ID: i64 = 1234;

/// Which client sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `r7_hyper::Client::send(&DeleteOpportunity::new(1234))`.
    R7,
    /// hyper-util's legacy client, the request built by hand, `serde_json` on the body.
    HyperUtil,
    /// reqwest, then `serde_json` on the body.
    Reqwest,
}

impl Kind {
    /// Every kind, in a fixed order.
    pub(crate) const ALL: [Kind; 3] = [Kind::R7, Kind::HyperUtil, Kind::Reqwest];

    /// The name in results and reports.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::R7 => "r7_hyper",
            Kind::HyperUtil => "hyper_util",
            Kind::Reqwest => "reqwest",
        }
    }
}

/// What the comparison clients decode: the envelope's `response` only.
#[derive(Deserialize)]
struct Envelope {
    response: Opportunity,
}

/// One client of each kind, all for the same server.
pub(crate) struct Clients {
    r7: r7_hyper::Client,
    hyper: HyperClient<HttpConnector, Full<Bytes>>,
    reqwest: reqwest::Client,
    url: String,
    authorization: HeaderValue,
}

impl Clients {
    /// Clients of the server at `addr`. Must be called inside a Tokio runtime.
    pub(crate) fn new(addr: SocketAddr) -> Clients {
        let base = format!("http://{addr}/");
        let r7 = r7_hyper::Client::builder(base.as_str())
            .token(Token::new(TOKEN).expect("token"))
            .build()
            .expect("r7 client");
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let hyper = HyperClient::builder(TokioExecutor::new()).build(connector);
        let reqwest = reqwest::Client::builder()
            .no_proxy()
            .tcp_nodelay(true)
            .build()
            .expect("reqwest client");
        Clients {
            r7,
            hyper,
            reqwest,
            url: format!("{base}api/2.0/crm/opportunity/{DEAL_ID}.json"),
            authorization: HeaderValue::from_static(TOKEN),
        }
    }

    /// Checks that each client decodes the same deal.
    pub(crate) async fn check(&self) {
        let expected = self.delete(Kind::R7).await;
        for kind in [Kind::HyperUtil, Kind::Reqwest] {
            assert_eq!(self.delete(kind).await, expected, "{kind:?}");
        }
    }

    /// One delete call; the deal from the answer.
    pub(crate) async fn delete(&self, kind: Kind) -> Opportunity {
        match kind {
            Kind::R7 => self
                .r7
                .send(&DeleteOpportunity::new(DEAL_ID))
                .await
                .expect("r7 client call"),
            Kind::HyperUtil => {
                let request = Request::delete(self.url.as_str())
                    .header(ACCEPT, HeaderValue::from_static("application/json"))
                    .header(USER_AGENT, HeaderValue::from_static("hyper-util"))
                    .header(AUTHORIZATION, self.authorization.clone())
                    .body(Full::new(Bytes::new()))
                    .expect("request");
                let response = self.hyper.request(request).await.expect("hyper-util call");
                assert_eq!(response.status(), StatusCode::OK);
                let body = response.into_body().collect().await.expect("body");
                decode(&body.to_bytes())
            }
            Kind::Reqwest => {
                let response = self
                    .reqwest
                    .delete(self.url.as_str())
                    .header(ACCEPT, HeaderValue::from_static("application/json"))
                    .header(AUTHORIZATION, self.authorization.clone())
                    .send()
                    .await
                    .expect("reqwest call");
                assert_eq!(response.status(), StatusCode::OK);
                decode(&response.bytes().await.expect("body"))
            }
        }
    }
}

fn decode(body: &[u8]) -> Opportunity {
    serde_json::from_slice::<Envelope>(body)
        .expect("envelope")
        .response
}
