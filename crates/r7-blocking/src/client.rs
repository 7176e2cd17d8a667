//! [`Client`]: the blocking client, and its [`ClientBuilder`].

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{ACCEPT_ENCODING, CONTENT_LENGTH, HeaderValue};
use r7_client::{CallOptions, EachReport, Error, PageWalk, RetryPolicy, encoding};
use r7_proto::{
    Auth, AuthScheme, Authenticate, BaseUrl, Credentials, Endpoint, Format, InvalidBaseUrl, Page,
    Paged, RequestContext, ResponseError, Token, build_request, parse_response,
};
use ureq::tls::{PemItem, RootCerts, TlsConfig, TlsProvider};

use crate::session::{Next, Sessions};

/// A blocking client of one portal: sends endpoints and returns their typed output.
///
/// Cheap to clone (the clones share the connection pool and the session) and safe to use from
/// many threads at once.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    agent: ureq::Agent,
    base_url: BaseUrl,
    auth: AuthMode,
    retry: RetryPolicy,
    format: Format,
    auth_scheme: AuthScheme,
    timeout: Duration,
    attempt_timeout: Option<Duration>,
    connect_timeout: Duration,
    max_response_bytes: usize,
}

enum AuthMode {
    Anonymous,
    Token(Token),
    Credentials(Sessions),
}

/// The instant a call must be over by, with the duration it was given for messages.
#[derive(Debug, Clone, Copy)]
struct Deadline {
    at: Option<Instant>,
    duration: Duration,
}

impl Deadline {
    fn after(duration: Duration) -> Self {
        Deadline {
            at: Instant::now().checked_add(duration),
            duration,
        }
    }

    fn remaining(&self) -> Option<Duration> {
        self.at
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    fn allows(&self, delay: Duration) -> bool {
        self.remaining().is_none_or(|left| delay < left)
    }
}

impl Client {
    /// A builder for the portal at `base_url`.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(base_url)
    }

    /// The portal's base address.
    pub fn base_url(&self) -> &BaseUrl {
        &self.inner.base_url
    }

    /// Sends `endpoint` and returns its typed output, blocking the thread until it is done.
    ///
    /// The same rules as the async client's `send`: one deadline ([`ClientBuilder::timeout`])
    /// bounds the whole call (signing in, every attempt, the waits between them), an optional
    /// per-attempt timeout bounds each attempt, failures are repeated as the [`RetryPolicy`]
    /// allows (never a POST, PUT or DELETE that may have reached the portal), the body is read
    /// up to [`ClientBuilder::max_response_bytes`] after gzip or deflate are undone, and with
    /// credentials the client signs in on first use and once more when the token is refused.
    /// The error says whether the request was sent ([`Error::delivery`]); no error shows the
    /// token or the password.
    pub fn send<E: Endpoint>(&self, endpoint: &E) -> Result<E::Output, Error> {
        self.send_with(endpoint, &CallOptions::default())
    }

    /// Sends `endpoint` as [`Client::send`] does, with `options` overriding the client's
    /// deadline, per-attempt timeout or retry policy for this call only.
    pub fn send_with<E: Endpoint>(
        &self,
        endpoint: &E,
        options: &CallOptions,
    ) -> Result<E::Output, Error> {
        let span = tracing::debug_span!(
            "r7.request",
            method = %endpoint.method(),
            path = endpoint.path_template(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        let _entered = span.enter();
        self.call(endpoint, options)
    }

    /// Every item of `endpoint`'s list, all pages of it, in order ([`r7_client::PageWalk`]:
    /// [`MAX_PAGE_SIZE`](r7_client::MAX_PAGE_SIZE) items a request unless the endpoint sets
    /// its own `count`, and the same guards against a portal that ignores `startIndex`).
    pub fn all<E, T>(&self, endpoint: &E) -> Result<Vec<T>, Error>
    where
        E: Paged<Output = Page<T>>,
        T: Clone + PartialEq,
    {
        let mut walk = PageWalk::new(endpoint, r7_client::MAX_PAGE_SIZE);
        let mut items = Vec::new();
        while let Some(request) = walk.next_request() {
            let page = self.send(&request)?;
            walk.accept(&page)?;
            items.extend(page.items);
        }
        Ok(items)
    }

    /// Sends every request of `requests`, at most `concurrency` at once (from that many
    /// threads; 0 counts as 1), each as [`Client::send`] does, and gives one outcome per
    /// request in the order of `requests`. A failure does not stop the others.
    pub fn each<E, I>(&self, requests: I, concurrency: usize) -> EachReport<E::Output>
    where
        E: Endpoint + Sync,
        E::Output: Send,
        I: IntoIterator<Item = E>,
    {
        let requests: Vec<E> = requests.into_iter().collect();
        let next = Mutex::new(0usize);
        let outcomes: Mutex<Vec<Slot<E::Output>>> = Mutex::new(
            std::iter::repeat_with(|| None)
                .take(requests.len())
                .collect(),
        );
        let threads = concurrency.clamp(1, requests.len().max(1));
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    loop {
                        let index = {
                            let mut next = next.lock().unwrap_or_else(|p| p.into_inner());
                            let index = *next;
                            *next += 1;
                            index
                        };
                        let Some(request) = requests.get(index) else {
                            break;
                        };
                        let outcome = self.send(request);
                        outcomes.lock().unwrap_or_else(|p| p.into_inner())[index] = Some(outcome);
                    }
                });
            }
        });
        let outcomes = outcomes.into_inner().unwrap_or_else(|p| p.into_inner());
        EachReport::new(outcomes.into_iter().flatten().collect())
    }

    fn call<E: Endpoint>(&self, endpoint: &E, options: &CallOptions) -> Result<E::Output, Error> {
        let inner = &*self.inner;
        let deadline = Deadline::after(options.timeout_override().unwrap_or(inner.timeout));
        let attempt_timeout = options.attempt_timeout_override().or(inner.attempt_timeout);
        let retry = options.retry_override().unwrap_or(inner.retry);
        let needs_token = endpoint.auth() == Auth::Required;
        let sessions = match &inner.auth {
            AuthMode::Credentials(sessions) if needs_token => Some(sessions),
            _ => None,
        };
        let mut session_token = match sessions {
            Some(sessions) => Some(self.session_token(sessions, None, &deadline)?),
            None => None,
        };
        let mut signed_in_again = false;
        let mut retries = 0;
        let mut attempts = 0u32;
        loop {
            if deadline.remaining().is_some_and(|left| left.is_zero()) {
                return Err(Error::Timeout {
                    timeout: deadline.duration,
                    attempts,
                });
            }
            if attempt_timeout.is_some_and(|each| each.is_zero()) {
                return Err(Error::Timeout {
                    timeout: Duration::ZERO,
                    attempts,
                });
            }
            attempts += 1;
            tracing::Span::current().record("attempt", attempts);
            // How long this attempt may take, and the duration a timeout reports (the
            // per-attempt timeout, or the call's deadline), as in the async client.
            let (limit, reported) = match (deadline.remaining(), attempt_timeout) {
                (Some(left), Some(each)) if each < left => (each, each),
                (None, Some(each)) => (each, each),
                (Some(left), _) => (left, deadline.duration),
                (None, None) => (deadline.duration, deadline.duration),
            };
            let token = match &inner.auth {
                AuthMode::Token(token) if needs_token => Some(token),
                _ => session_token.as_ref(),
            };
            let error = match self.attempt(endpoint, token, limit, reported, attempts) {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            if let (Some(sessions), Some(stale)) = (sessions, &session_token) {
                if error.is_unauthorized() && !signed_in_again {
                    let fresh = self
                        .session_token(sessions, Some(stale), &deadline)
                        .map_err(|error| match error {
                            Error::Timeout { timeout, .. } => Error::Timeout { timeout, attempts },
                            other => other,
                        })?;
                    session_token = Some(fresh);
                    tracing::debug!("token refused; signed in again, repeating the call");
                    signed_in_again = true;
                    continue;
                }
            }
            let Some(delay) = retry.delay(&error, endpoint.idempotent(), retries) else {
                return Err(error);
            };
            if !deadline.allows(delay) {
                tracing::debug!(error = %error, "not retrying: the wait would pass the deadline");
                return Err(error);
            }
            tracing::debug!(error = %error, delay_ms = delay.as_millis() as u64, "retrying");
            retries += 1;
            std::thread::sleep(delay);
        }
    }

    /// One attempt: build, send within `limit`, read and parse.
    fn attempt<E: Endpoint>(
        &self,
        endpoint: &E,
        token: Option<&Token>,
        limit: Duration,
        reported: Duration,
        attempts: u32,
    ) -> Result<E::Output, Error> {
        let inner = &*self.inner;
        let context = RequestContext {
            base_url: &inner.base_url,
            format: inner.format,
            token,
            auth_scheme: inner.auth_scheme,
        };
        let mut request = build_request(endpoint, &context)?;
        request.headers_mut().insert(
            ACCEPT_ENCODING,
            HeaderValue::from_static(encoding::ACCEPT_ENCODING),
        );
        let response = self.exchange(request, limit, reported, attempts)?;
        tracing::Span::current().record("status", response.status().as_u16());
        parse_response::<E>(&response).map_err(|e| self.redact::<E>(e, token).into())
    }

    /// Sends one request and reads its whole body, within `limit` and the size cap.
    ///
    /// ureq reports a deadline that passed with the phase it passed in only for the phase's
    /// own timeout, so the connection gets `limit` and the whole exchange a hair more: a
    /// timeout while connecting is then "not sent", any later one "may have been sent".
    fn exchange(
        &self,
        request: http::Request<Bytes>,
        limit: Duration,
        reported: Duration,
        attempts: u32,
    ) -> Result<http::Response<Bytes>, Error> {
        let inner = &*self.inner;
        let cap = inner.max_response_bytes;
        // Timers that far out overflow the clock: a year is as good as never.
        let limit = limit.min(ClientBuilder::MAX_DURATION);
        let request = inner
            .agent
            .configure_request(request.map(|body| body.to_vec()))
            .timeout_connect(Some(limit.min(inner.connect_timeout)))
            .timeout_global(Some(limit.saturating_add(Duration::from_millis(1))))
            .build();
        let timeout = || Error::Timeout {
            timeout: reported,
            attempts,
        };
        let response = inner
            .agent
            .run(request)
            .map_err(|e| transport_error(e, &timeout))?;
        let status = response.status();
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > cap as u64) {
            return Err(Error::BodyTooLarge { status, limit: cap });
        }
        let (parts, body) = response.into_parts();
        let body = body
            .into_with_config()
            .limit(cap as u64)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => Error::BodyTooLarge { status, limit: cap },
                other => transport_error(other, &timeout),
            })?;
        let body = encoding::decode(&parts.headers, status, Bytes::from(body), cap)?;
        Ok(http::Response::from_parts(parts, body))
    }

    /// Keeps the secrets this client holds out of an error made from the portal's answer.
    fn redact<E: Endpoint>(&self, error: ResponseError, token: Option<&Token>) -> ResponseError {
        let mut secrets: Vec<&str> = token.map(Token::expose).into_iter().collect();
        match &self.inner.auth {
            AuthMode::Anonymous => {}
            AuthMode::Token(fixed) => secrets.push(fixed.expose()),
            AuthMode::Credentials(sessions) => {
                secrets.push(sessions.credentials().password.expose());
            }
        }
        r7_client::redact(error, E::SENSITIVE, &secrets)
    }

    /// The session's token: signs in first when there is none, when it is about to expire, or
    /// when the portal has just refused `refused`; joins a sign-in in flight instead of
    /// starting a second one. The sign-in runs on a thread of its own with the client's
    /// timeout, and this call waits for it until its own deadline.
    fn session_token(
        &self,
        sessions: &Sessions,
        refused: Option<&Token>,
        deadline: &Deadline,
    ) -> Result<Token, Error> {
        let generation = match sessions.next(refused) {
            Next::Token(token) => return Ok(token),
            Next::Failed(error) => return Err(Error::SignIn(error)),
            Next::Wait(generation) => generation,
            Next::Start(generation) => {
                let client = self.clone();
                let started = std::thread::Builder::new()
                    .name("r7-sign-in".to_owned())
                    .spawn(move || client.sign_in(generation));
                if let Err(error) = started {
                    let error = Error::Transport {
                        source: format!("could not start the sign-in: {error}").into(),
                    };
                    sessions.finish(generation, Err(error));
                }
                generation
            }
        };
        match sessions.wait(generation, deadline.at) {
            Some(Ok(token)) => Ok(token),
            Some(Err(error)) => Err(Error::SignIn(error)),
            None => Err(Error::Timeout {
                timeout: deadline.duration,
                attempts: 0,
            }),
        }
    }

    /// `POST api/2.0/authentication`, through [`Client::send`] like any call (the client's
    /// timeout and retry policy; as a POST it is repeated only when not sent or rate-limited),
    /// reporting to every thread that waits for it.
    fn sign_in(&self, generation: u64) {
        let AuthMode::Credentials(sessions) = &self.inner.auth else {
            return;
        };
        let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.send(&Authenticate::new(sessions.credentials().clone()))
                .and_then(|answer| match answer.token {
                    Some(token) => {
                        tracing::debug!("signed in");
                        Ok((token, answer.expires))
                    }
                    None => Err(Error::SecondFactorRequired),
                })
        }));
        let outcome = attempt.unwrap_or_else(|_| {
            Err(Error::Transport {
                source: "the sign-in failed unexpectedly (a panic)".into(),
            })
        });
        sessions.finish(generation, outcome);
    }
}

/// The outcome of one request of [`Client::each`], once it is known.
type Slot<T> = Option<Result<T, Error>>;

/// ureq's error as r7's: a connection that could not be made is "not sent", anything that
/// may have happened after the request was written "may have been sent". ureq says which only
/// through the kind of error, so only the kinds that arise before anything is written count
/// as "not sent": a name that does not resolve, a refused or unreachable address, and a TLS
/// handshake that failed on the portal's certificate. Everything else errs on the side of
/// "may have been sent", so that a change is never repeated by mistake.
fn transport_error(error: ureq::Error, timeout: &dyn Fn() -> Error) -> Error {
    use std::io::ErrorKind;
    let not_sent = match &error {
        ureq::Error::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect) => true,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => true,
        ureq::Error::Io(io) => {
            matches!(
                io.kind(),
                ErrorKind::ConnectionRefused
                    | ErrorKind::AddrNotAvailable
                    | ErrorKind::HostUnreachable
                    | ErrorKind::NetworkUnreachable
                    | ErrorKind::NetworkDown
            ) || io.to_string().contains("failed to lookup address")
                || io
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                    .is_some_and(is_handshake_refusal)
        }
        _ => false,
    };
    match error {
        _ if not_sent => Error::Connect {
            source: error.into(),
        },
        ureq::Error::Timeout(_) => timeout(),
        other => Error::Transport {
            source: other.into(),
        },
    }
}

/// A TLS error that only the handshake raises, before any request byte is written: the
/// portal's certificate was refused or the two sides share no protocol.
fn is_handshake_refusal(error: &rustls::Error) -> bool {
    matches!(
        error,
        rustls::Error::InvalidCertificate(_)
            | rustls::Error::NoCertificatesPresented
            | rustls::Error::PeerIncompatible(_)
            | rustls::Error::UnsupportedNameType
    )
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        let auth = match &inner.auth {
            AuthMode::Anonymous => "Anonymous",
            AuthMode::Token(_) => "Token(<redacted>)",
            AuthMode::Credentials(_) => "Credentials(<redacted>)",
        };
        f.debug_struct("Client")
            .field("base_url", &inner.base_url)
            .field("auth", &auth)
            .field("format", &inner.format)
            .field("timeout", &inner.timeout)
            .field("max_response_bytes", &inner.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. Every setting has a default except the base address.
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: Option<Token>,
    credentials: Option<Credentials>,
    retry: RetryPolicy,
    format: Format,
    auth_scheme: AuthScheme,
    timeout: Duration,
    attempt_timeout: Option<Duration>,
    connect_timeout: Duration,
    pool_idle_timeout: Duration,
    max_response_bytes: usize,
    root_certificates: Vec<Vec<u8>>,
}

/// Why a [`ClientBuilder`] could not build a client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The base address is not usable.
    #[error(transparent)]
    BaseUrl(#[from] InvalidBaseUrl),
    /// A root certificate given to [`ClientBuilder::add_root_certificate_pem`] is not PEM.
    #[error("a root certificate is not a PEM certificate: {0}")]
    Certificate(String),
    /// A setting is out of range.
    #[error("invalid client setting `{name}`: {reason}")]
    Setting {
        /// The builder method.
        name: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
}

impl ClientBuilder {
    r7_client::common_builder_settings!();

    /// A builder for the portal at `base_url`.
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientBuilder {
            base_url: base_url.into(),
            token: None,
            credentials: None,
            retry: RetryPolicy::default(),
            format: Format::Json,
            auth_scheme: AuthScheme::Raw,
            timeout: Self::DEFAULT_TIMEOUT,
            attempt_timeout: None,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            pool_idle_timeout: Self::DEFAULT_POOL_IDLE_TIMEOUT,
            max_response_bytes: Self::DEFAULT_MAX_RESPONSE_BYTES,
            root_certificates: Vec::new(),
        }
    }

    /// Trusts the CA certificates in `pem` for https. Unlike the async client, which adds them
    /// to the bundled Mozilla roots, the blocking client then trusts these CAs only.
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(pem.into());
        self
    }

    /// The client, or what is wrong with the settings.
    pub fn build(self) -> Result<Client, ConfigError> {
        let base_url = BaseUrl::parse(&self.base_url)?;
        self.limits()
            .check()
            .map_err(|(name, reason)| ConfigError::Setting { name, reason })?;
        let mut tls = TlsConfig::builder().provider(TlsProvider::Rustls);
        if !self.root_certificates.is_empty() {
            let mut certificates = Vec::new();
            for pem in &self.root_certificates {
                for item in ureq::tls::parse_pem(pem) {
                    let item = item.map_err(|e| ConfigError::Certificate(e.to_string()))?;
                    if let PemItem::Certificate(certificate) = item {
                        certificates.push(certificate);
                    }
                }
            }
            if certificates.is_empty() {
                return Err(ConfigError::Certificate(
                    "no certificate in the PEM text".into(),
                ));
            }
            tls = tls.root_certs(RootCerts::new_with_certs(&certificates));
        }
        let config = ureq::Agent::config_builder()
            .tls_config(tls.build())
            // The answers are decoded here, within the size cap; redirects are not followed
            // (an answer from elsewhere is no answer of the portal); no proxy from the
            // environment, as with the async client.
            .accept_encoding("")
            .max_redirects(0)
            .max_redirects_will_error(false)
            .http_status_as_error(false)
            .proxy(None)
            .max_idle_age(self.pool_idle_timeout)
            // Enough idle connections for `each` at the usual concurrency.
            .max_idle_connections_per_host(16)
            .user_agent("")
            .build();
        let auth = match (self.token, self.credentials) {
            (Some(token), _) => AuthMode::Token(token),
            (None, Some(credentials)) => AuthMode::Credentials(Sessions::new(credentials)),
            (None, None) => AuthMode::Anonymous,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                agent: ureq::Agent::new_with_config(config),
                base_url,
                auth,
                retry: self.retry,
                format: self.format,
                auth_scheme: self.auth_scheme,
                timeout: self.timeout,
                attempt_timeout: self.attempt_timeout,
                connect_timeout: self.connect_timeout,
                max_response_bytes: self.max_response_bytes,
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("format", &self.format)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
