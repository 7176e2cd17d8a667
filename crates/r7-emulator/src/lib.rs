//! An in-memory emulated R7-Office portal for tests, examples and local development.
//!
//! The emulator serves the CRM deal endpoints
//! `GET` and `DELETE api/2.0/crm/opportunity/{opportunityid}` over plain HTTP/1.1 on loopback,
//! and copies what the real server (ONLYOFFICE Community Server's API, which R7 keeps) puts on
//! the wire:
//!
//! * the envelope `{"count":1,"status":0,"statusCode":200,"response":{...}}`, compact, with `/`
//!   written as `\/`, and error envelopes such as
//!   `{"status":1,"statusCode":404,"error":{"message":"Not found","hresult":-2147467259,"data":{}}}`;
//! * XML (root `<result>`, converted from the JSON) when the path ends in `.xml` and the request
//!   is not itself `application/json`;
//! * the token in `Authorization: <token>`, `Authorization: Bearer <token>` or the
//!   `asc_auth_key` cookie, and a plain-text `401 Unauthorized` without it;
//! * 400 for an id of 0 or one beyond `int`, 404 envelopes for unknown deals, and the site's
//!   HTML 404 page for every path, suffix or method the API does not route.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use r7_emulator::{Config, Emulator, SEED_OPPORTUNITY_ID};
//!
//! let emulator = Emulator::start(Config::default()).await?;
//! let url = format!("{}api/2.0/crm/opportunity/{SEED_OPPORTUNITY_ID}", emulator.base_url());
//! // ... send `DELETE url` with `Authorization: <emulator.token()>` ...
//! assert!(emulator.opportunity(SEED_OPPORTUNITY_ID).is_some());
//! emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod render;
mod routes;
mod seed;
mod service;
mod state;

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use r7_model::Opportunity;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

pub use seed::seed_opportunities;

use state::Shared;

/// The token a default [`Config`] accepts.
pub const DEFAULT_TOKEN: &str = "r7-emulator-token";

/// Id of the seed deal taken from the R7 documentation's sample ("Hotel catalogue").
pub const SEED_OPPORTUNITY_ID: i64 = 1234;

/// How long [`Emulator::shutdown`] lets requests in flight finish before it cuts their
/// connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How the emulator starts.
#[derive(Debug, Clone)]
pub struct Config {
    /// The one token the portal accepts. An empty token accepts nobody.
    pub token: String,
    /// Where to listen; the default `127.0.0.1:0` picks a free loopback port.
    pub addr: SocketAddr,
    /// The deals the portal starts with, keyed by their `id` (a later duplicate replaces an
    /// earlier one). Only ids from 1 to `i32::MAX` are reachable over HTTP, as on the server.
    pub opportunities: Vec<Opportunity>,
}

impl Default for Config {
    /// [`DEFAULT_TOKEN`], a free loopback port and [`seed_opportunities`].
    fn default() -> Self {
        Config {
            token: DEFAULT_TOKEN.to_owned(),
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            opportunities: seed_opportunities(),
        }
    }
}

/// A running emulated portal.
///
/// Dropping it stops the server too, without waiting; [`Emulator::shutdown`] also waits until
/// the port is released and every connection is closed.
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Binds `config.addr` and starts serving on the current tokio runtime.
    ///
    /// The socket is listening when this returns, so requests may be sent at once.
    ///
    /// # Errors
    ///
    /// When the address cannot be bound (in use, not local, no permission).
    ///
    /// # Panics
    ///
    /// When called outside a tokio runtime.
    pub async fn start(config: Config) -> std::io::Result<Emulator> {
        let listener = TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(config.token, config.opportunities));
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared), stopped));
        Ok(Emulator {
            addr,
            shared,
            stop,
            task: Some(task),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The portal's base URL, with a trailing slash: `http://127.0.0.1:PORT/`.
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The token the portal accepts.
    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// The deal with this id as the portal holds it now, if it holds one.
    pub fn opportunity(&self, id: i64) -> Option<Opportunity> {
        self.shared.get(id)
    }

    /// The ids of the deals the portal holds now, in ascending order.
    pub fn opportunity_ids(&self) -> Vec<i64> {
        self.shared.ids()
    }

    /// How many HTTP requests the server has answered, whatever the answer (401 and 404 pages
    /// included). A request is counted before its response is written, so once a client has
    /// read a response, the count includes it.
    pub fn requests_served(&self) -> u64 {
        self.shared.served()
    }

    /// Stops accepting connections, lets requests in flight finish (for up to 5 seconds), closes
    /// every connection, and returns once the listening port is released.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // The accept task sees this (or the sender going away) on its next poll and winds down.
        let _ = self.stop.send(true);
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            // An error means the `Emulator` is gone: stop as well.
            changed = stopped.changed() => {
                if changed.is_err() || *stopped.borrow() {
                    break;
                }
            }
            // Reap finished connections so the set does not grow for the life of the server.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let connection = serve_connection(stream, Arc::clone(&shared), stopped.clone());
                    connections.spawn(connection);
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        connections.shutdown().await;
    }
}

async fn serve_connection(
    stream: TcpStream,
    shared: Arc<Shared>,
    mut stopped: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |request| {
        let response = service::handle(&shared, &request);
        async move { Ok::<_, Infallible>(response) }
    });
    let connection = http1::Builder::new()
        .keep_alive(true)
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30))
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        // Client errors (resets, malformed requests) end only this connection.
        _ = connection.as_mut() => return,
        _ = stopped.wait_for(|stop| *stop) => {}
    }
    // Finishes the request in flight, if any, then closes; an idle connection closes at once.
    connection.as_mut().graceful_shutdown();
    let _ = connection.await;
}
