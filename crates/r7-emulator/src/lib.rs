//! An in-memory emulated R7-Office portal for tests, examples and local development.
//!
//! The emulator serves every endpoint of the SDK's table ([`r7_proto::ENDPOINTS`]) that the
//! spec marks as emulated, today all of them: get, create, update and delete deals, batch
//! deletes, search with filters and paging, stage changes, privacy, members, the stage
//! pipeline, and reading a contact. It answers over plain HTTP/1.1 (or https) on loopback, with
//! the real server's semantics, and copies what the real server (ONLYOFFICE Community Server's
//! API, which R7 keeps) puts on the wire:
//!
//! * routing from the table: literal segments ignore case, `{name:[0-9]+}` segments must be
//!   digits, a `.json`, `.xml` or `.tml` suffix is allowed, and a literal route wins over a
//!   placeholder one; the site's HTML 404 page for every path, suffix or method the API does
//!   not route;
//! * the server's binder: one case-insensitive collection of the route values, the query string
//!   and the body (form-encoded, or a JSON object flattened as the server does it, including its
//!   trap of dropping a JSON `customFieldList` with exactly one entry), with .NET's conversions
//!   (a bad number, boolean, enum, GUID or date is a 400) and defaults for what is missing;
//!   paging, sorting and the search text from the query string only;
//! * the envelope `{"count":1,"status":0,"statusCode":200,"response":{...}}`, compact, with `/`
//!   written as `\/`; lists with `count`, `startIndex`, `nextIndex` and `total` left out as
//!   the server leaves them out; `"response":{}` for methods that return nothing; 201 for every
//!   successful POST; error envelopes such as
//!   `{"status":1,"statusCode":404,"error":{"message":"Not found","hresult":-2147467259,"data":{}}}`;
//! * deals in the single form (get, create, update, delete, stage change, access) or the list
//!   form (searches and batch methods: no `accessList` unless private);
//! * XML (root `<result>`, converted from the JSON, a list as repeated `<response>` elements)
//!   when the path ends in `.xml` and the request is not itself `application/json`;
//! * the token in `Authorization: <token>`, `Authorization: Bearer <token>` or the
//!   `asc_auth_key` cookie, and a plain-text `401 Unauthorized` without it;
//! * sign-in with `POST api/2.0/authentication` (`userName` and `password` as JSON or form
//!   fields): 201 with a fresh token and its expiry, or a 500 envelope
//!   `User authentication failed`;
//! * optionally a rate limit (503 with `Retry-After`), as the server's rate-limiting filter.
//!
//! Inside, it is data-driven: the spec names for each route a generic operation over an entity
//! (get, list, create, update, delete, link, ...) or a hook for a method of the server's own; the
//! dispatch and the argument binding are generated from it; the data is a normalised store whose
//! rows refer to each other by id, and every answer is built from the rows when it is read, so
//! a row changed once shows everywhere it is embedded. A route the spec does not mark answers
//! 501 with an envelope of the emulator's own ("not emulated").
//!
//! Every request runs as one user, [`current_user`], a CRM administrator: every access check
//! passes (no 403s), and the user is the creator of new deals and joins every access list the
//! emulator sets. The portal's time zone is [`Config::utc_offset_minutes`] (UTC+03:00 by
//! default): dates in answers are written in it, dates sent without an offset are read in it.
//!
//! For client tests it can also misbehave on request ([`Emulator::inject`] with a [`Fault`]):
//! answer late, stall half-way through a body, drop the connection, answer like a failing
//! proxy, or send a huge body; and it counts what it receives ([`Emulator::requests_received`],
//! [`Emulator::method_count`]) so a test can tell whether a client repeated a request.
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

// prettyplease formats the generated files; rustfmt would format them differently and make
// `cargo xtask codegen --check` fail.
#[rustfmt::skip]
mod generated;
mod behaviour;
mod binder;
mod filter;
mod ops;
mod routes;
mod seed;
mod server;
mod store;
pub mod wire;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use r7_model::{Contact, CustomField, Employee, HistoryEvent, Opportunity, OpportunityStage, Task};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

pub use seed::{
    CURRENT_USER_ID, current_user, seed_contacts, seed_custom_fields, seed_deal_tags, seed_history,
    seed_opportunities, seed_stages, seed_tasks,
};

use server::state::Shared;
pub use server::tls::TlsIdentity;

/// The token a default [`Config`] accepts.
pub const DEFAULT_TOKEN: &str = "r7-emulator-token";

/// The user name a default [`Config`] signs in (with [`DEFAULT_PASSWORD`]).
pub const DEFAULT_USER: &str = "admin@example.com";

/// The password of [`DEFAULT_USER`].
pub const DEFAULT_PASSWORD: &str = "r7-emulator-password";

/// Id of the seed deal taken from the R7 documentation's sample ("Hotel catalogue").
pub const SEED_OPPORTUNITY_ID: i64 = 1234;

/// The time zone of a default [`Config`]: UTC+03:00 (Moscow), in minutes east of UTC.
pub const DEFAULT_UTC_OFFSET_MINUTES: i16 = 180;

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
    ///
    /// Each deal is kept as given, in the single form that `GET opportunity/{id}` answers; its
    /// members are the ids of `members`, its stage the id of `stage`, its primary contact the
    /// id of `contact`. A stage, contact (id above 0), custom field or user that a deal refers
    /// to and that the other lists lack is added from the deal's copy of it.
    pub opportunities: Vec<Opportunity>,
    /// The deal stages, in pipeline order by `sort_order` (ties in list order; later stages
    /// with `sort_order` 0 go to the end). `relative_items_count` is ignored: the emulator
    /// counts the deals.
    pub stages: Vec<OpportunityStage>,
    /// The contacts (persons and companies) deals may refer to, in the full form the member
    /// endpoints answer. A company's `persons` and `persons_count` are ignored: the emulator
    /// lists the persons whose `company` has the company's id.
    pub contacts: Vec<Contact>,
    /// The custom fields defined for deals (`id`, `label`, `field_type`, `position`, `mask`;
    /// the other members are ignored). Requests may set values only for these.
    pub custom_fields: Vec<CustomField>,
    /// The tags of each deal, as `(deal id, tags)`, for the `tags` filter.
    pub deal_tags: Vec<(i64, Vec<String>)>,
    /// The tasks, in the single form (see [`seed_tasks`] for what is kept of each); their
    /// users, categories, contacts and deals must exist.
    pub tasks: Vec<Task>,
    /// The history events (see [`seed_history`] for what is kept of each).
    pub history: Vec<HistoryEvent>,
    /// The portal's time zone, in minutes east of UTC: answers write dates in it, and dates
    /// sent without an offset (or as a bare `yyyy-MM-dd`) are read in it.
    pub utc_offset_minutes: i16,
    /// The users `POST api/2.0/authentication` accepts, as `(user name, password)`. User names
    /// match with case ignored, passwords exactly; an empty user name or password never signs
    /// in.
    pub users: Vec<(String, String)>,
    /// How long an issued token works; `None` is the server's default of one year (365 days).
    /// A lifetime beyond the year 9999 never expires and is written as the server's "no date"
    /// `0001-01-01T00:00:00.0000000Z`. [`Config::token`] never expires.
    pub token_lifetime: Option<Duration>,
    /// A limit on API requests for the whole emulator (not per client); `None` is no limit.
    pub rate_limit: Option<RateLimit>,
    /// Serve https with this identity instead of plain http (`None`, the default).
    /// [`TlsIdentity::throwaway`] makes one signed by a CA of its own.
    pub tls: Option<TlsIdentity>,
}

impl Default for Config {
    /// [`DEFAULT_TOKEN`], a free loopback port, [`seed_opportunities`] with [`seed_stages`],
    /// [`seed_contacts`], [`seed_custom_fields`], [`seed_deal_tags`], [`seed_tasks`] and
    /// [`seed_history`], the time zone
    /// UTC+03:00, one user ([`DEFAULT_USER`] with [`DEFAULT_PASSWORD`]), tokens that last a year
    /// and no rate limit.
    fn default() -> Self {
        Config {
            token: DEFAULT_TOKEN.to_owned(),
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            opportunities: seed_opportunities(),
            stages: seed_stages(),
            contacts: seed_contacts(),
            custom_fields: seed_custom_fields(),
            deal_tags: seed_deal_tags(),
            tasks: seed_tasks(),
            history: seed_history(),
            utc_offset_minutes: DEFAULT_UTC_OFFSET_MINUTES,
            users: vec![(DEFAULT_USER.to_owned(), DEFAULT_PASSWORD.to_owned())],
            token_lifetime: None,
            rate_limit: None,
            tls: None,
        }
    }
}

/// At most `requests` API requests in each `window`, for the whole emulator.
///
/// Every request that matches an API route counts (sign-in included, whatever the answer, 401
/// and 404 envelopes too); CORS preflights, the site's 404 pages and requests that an injected
/// proxy-side [`Fault`] answers do not. The window is fixed: it opens with the first counted
/// request and lasts `window`; the next request after it opens a new one. Past the limit a
/// request is refused before it runs (before the token is even checked) with `503`,
/// `Retry-After` in whole seconds until the window ends (rounded up, at least 1) and the error
/// envelope `Rate limit reached. Try again after N ms`; refused requests do not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// How many requests a window admits; 0 refuses every request.
    pub requests: u32,
    /// How long a window lasts.
    pub window: Duration,
}

/// A misbehaviour to apply to one request, queued with [`Emulator::inject`].
///
/// Faults apply to requests whose path is under `/api/2.0/` (any method), in the order they
/// were injected, one per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Handles the request normally (a delete does happen), then waits this long before
    /// sending the response. Shutting the emulator down cuts the wait short.
    DelayBeforeHeaders(Duration),
    /// Handles the request normally, sends the headers with the full `Content-Length` and the
    /// first half of the body (rounded down), then sends nothing more; the connection stays open
    /// until the emulator shuts down.
    StallMidBody,
    /// Closes the TCP connection without sending a single byte, and does not run the request.
    /// A request body, if any, is read first (up to 1 MiB, for up to a second) so that the close
    /// is a clean FIN rather than a reset.
    CloseConnection,
    /// Answers `502 Bad Gateway` with nginx's small HTML page (`Content-Type: text/html`), as a
    /// proxy whose portal is down would; the request does not run.
    Html502,
    /// Answers `200` with a JSON body of exactly this many bytes (a success envelope padded
    /// with a long string, sent in chunks); the request does not run.
    OversizedBody(usize),
}

/// A running emulated portal.
///
/// Dropping it stops the server too, without waiting; [`Emulator::shutdown`] also waits until
/// the port is released and every connection is closed.
#[derive(Debug)]
pub struct Emulator {
    https: bool,
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
    pub async fn start(mut config: Config) -> std::io::Result<Emulator> {
        let tls = config
            .tls
            .take()
            .map(|identity| identity.acceptor())
            .transpose()?;
        let https = tls.is_some();
        let listener = TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let shared = Arc::new(Shared::new(config, stopped.clone()));
        let task = tokio::spawn(accept_loop(listener, tls, Arc::clone(&shared), stopped));
        Ok(Emulator {
            https,
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
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}/", self.addr)
    }

    /// The configured token the portal accepts ([`Config::token`]), which never expires.
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

    /// The ids of the contacts linked to a deal (its members), in ascending order; empty for a
    /// deal the portal does not hold.
    pub fn members(&self, opportunity_id: i64) -> Vec<i64> {
        self.shared
            .with_crm(|crm| crm.deal_members.of(opportunity_id))
    }

    /// The tags of a deal.
    pub fn tags(&self, opportunity_id: i64) -> Vec<String> {
        self.shared.with_crm(|crm| crm.tags(opportunity_id))
    }

    /// The deal's last-modified date, as updates and stage changes (or
    /// `PUT opportunity/{id}/lastmodifeddate`) set it; no answer shows it.
    pub fn last_modified(&self, opportunity_id: i64) -> Option<r7_model::ApiDateTime> {
        self.shared
            .with_crm(|crm| crm.deals.get(opportunity_id)?.last_modified)
    }

    /// The stage with this id: as the stage endpoints answer it (`relative_items_count` is the
    /// number of its deals), plus its position in the pipeline in `sort_order`, which the
    /// server never sends.
    pub fn stage(&self, id: i64) -> Option<OpportunityStage> {
        self.shared.stage(id)
    }

    /// The ids of the stages, in pipeline order.
    pub fn stage_ids(&self) -> Vec<i64> {
        self.shared
            .with_crm(<OpportunityStage as ops::Entity>::ordered)
    }

    /// The contact with this id, as `POST opportunity/{id}/contact/{contactid}` answers it.
    pub fn contact(&self, id: i64) -> Option<Contact> {
        self.shared.contact(id)
    }

    /// The ids of the contacts, in ascending order.
    pub fn contact_ids(&self) -> Vec<i64> {
        self.shared.with_crm(|crm| crm.contacts.ids())
    }

    /// The user every request runs as ([`current_user`]).
    pub fn current_user(&self) -> Employee {
        self.shared.me()
    }

    /// How many HTTP requests the server has answered, whatever the answer (401 and 404 pages
    /// included). A request is counted before its response is written, so once a client has
    /// read a response, the count includes it.
    pub fn requests_served(&self) -> u64 {
        self.shared.served()
    }

    /// How many HTTP requests reached the server, whatever happened to them: answered,
    /// refused, faulted, or dropped without an answer by [`Fault::CloseConnection`]. A request
    /// is counted as soon as its head has been read, before anything else.
    pub fn requests_received(&self) -> u64 {
        self.shared.received()
    }

    /// The most requests the emulator was handling at once since it started (an answer held
    /// back by [`Fault::DelayBeforeHeaders`] counts while it waits): what a client's bound on
    /// requests in flight is checked against.
    pub fn max_in_flight(&self) -> u64 {
        self.shared.max_in_flight()
    }

    /// How many of [`Emulator::requests_received`] had this HTTP method, e.g. `"DELETE"`.
    /// Methods are compared exactly, as HTTP does (`"delete"` is another method).
    pub fn method_count(&self, method: &str) -> u64 {
        self.shared.method_count(method)
    }

    /// Queues `fault` for the next API request (path under `/api/2.0/`) that has not got one
    /// yet. Faults are used in the order they were injected, one per request.
    pub fn inject(&self, fault: Fault) {
        self.shared.push_fault(fault);
    }

    /// Makes every token issued so far by `POST api/2.0/authentication` expired: from now on
    /// they get the same plain-text 401 as a wrong token, so a client must sign in again.
    /// [`Config::token`] keeps working, and tokens issued later work as usual.
    pub fn expire_tokens(&self) {
        self.shared.expire_sessions();
    }

    /// How many sign-ins (`POST api/2.0/authentication`) have succeeded.
    pub fn logins(&self) -> u64 {
        self.shared.logins()
    }

    /// Every token a sign-in has issued, expired ones too: what a test looks for in logs and
    /// errors.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.shared.issued_tokens()
    }

    /// How many requests were routed to the endpoint `id`, whatever they were answered (a route
    /// the emulator does not answer counts too; see [`Emulator::emulates`]).
    pub fn calls_of(&self, id: r7_proto::EndpointId) -> u64 {
        self.shared.calls_of(id)
    }

    /// Whether the emulator answers the endpoint `id` with the server's semantics; the others
    /// answer `501 Not Implemented` in an envelope no real server sends.
    pub fn emulates(id: r7_proto::EndpointId) -> bool {
        crate::generated::handler(id).is_some()
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
    tls: Option<tokio_rustls::TlsAcceptor>,
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
                    let _ = stream.set_nodelay(true);
                    let (shared, stopped) = (Arc::clone(&shared), stopped.clone());
                    match tls.clone() {
                        None => {
                            connections.spawn(serve_connection(stream, shared, stopped));
                        }
                        // The handshake runs in the connection's task, not in this loop; one
                        // that fails drops only its connection.
                        Some(acceptor) => {
                            connections.spawn(async move {
                                if let Ok(stream) = acceptor.accept(stream).await {
                                    serve_connection(stream, shared, stopped).await;
                                }
                            });
                        }
                    }
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

async fn serve_connection<S>(stream: S, shared: Arc<Shared>, mut stopped: watch::Receiver<bool>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request| {
        let shared = Arc::clone(&shared);
        // An error makes hyper drop the connection without writing anything.
        async move { server::service::handle(&shared, request).await }
    });
    let connection = http1::Builder::new()
        .keep_alive(true)
        .timer(TokioTimer::new())
        // hyper also runs this timer while an idle keep-alive connection waits for its next
        // request; it must outlast the client's pool idle timeout (50 s), or a client could
        // reuse a connection at the moment the emulator closes it and see a spurious failure.
        .header_read_timeout(Duration::from_secs(120))
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
