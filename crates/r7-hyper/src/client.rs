//! [`Client`] and [`ClientBuilder`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderValue;
use http::header::{ACCEPT_ENCODING, CONTENT_LENGTH};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::{HttpConnector, capture_connection};
use hyper_util::rt::{TokioExecutor, TokioTimer};
use r7_proto::{
    Auth, AuthScheme, Authenticate, BaseUrl, Credentials, Endpoint, Format, InvalidBaseUrl,
    RequestContext, ResponseError, Token, build_request, parse_response,
};
use tracing::Instrument;

use r7_client::{CallOptions, Error, RetryPolicy, encoding};

use crate::deadline::Deadline;
use crate::session::{Next, Report, Sessions};
use crate::tls::{self, TlsError, TlsOptions};

type Transport = HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A client of one portal. Cheap to clone: clones share the connection pool.
///
/// Redirects are not followed. A `3xx` answer (the portal moved to https, a proxy's login page)
/// is returned as [`r7_proto::ResponseError::Http`] with its status and nothing is sent to the
/// address in `Location`, so the token, or the password of a sign-in, never reaches another
/// address; give the client the portal's final address instead.
///
/// Errors never show the token or the password: when the portal's answer repeats one of them
/// (a page that echoes the request, a message that quotes it), every piece of 8 bytes or more
/// of it, as written or escaped, is replaced by `<redacted>` in the error, and the decoder's
/// reason is withheld for answers that carry credentials. Shorter pieces cannot be told from
/// ordinary text and are left, as are secrets shorter than 6 characters (real tokens are 100
/// to 200).
///
/// ```no_run
/// use r7_hyper::Client;
/// use r7_proto::crm::opportunity::*;
/// use r7_proto::Token;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Client::builder("https://portal.example.com/")
///     .token(Token::new(std::env::var("R7_TOKEN")?)?)
///     .build()?;
/// let deleted = client.send(&DeleteOpportunity::new(1234)).await?;
/// println!("deleted {:?}", deleted.title);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    base_url: BaseUrl,
    auth: AuthMode,
    retry: RetryPolicy,
    format: Format,
    auth_scheme: AuthScheme,
    timeout: Duration,
    attempt_timeout: Option<Duration>,
    max_response_bytes: usize,
}

/// How the client signs its requests.
enum AuthMode {
    /// No token: only endpoints without authentication work.
    Anonymous,
    /// A fixed token from the caller.
    Token(Token),
    /// Sign in with credentials on first use and whenever the token is refused.
    Credentials(Sessions),
}

impl Client {
    /// Starts configuring a client for the portal at `base_url` (e.g.
    /// `https://portal.example.com/`, or with a sub-path).
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(base_url)
    }

    /// The portal's address.
    pub fn base_url(&self) -> &BaseUrl {
        &self.inner.base_url
    }

    /// The response format this client asks for.
    pub fn format(&self) -> Format {
        self.inner.format
    }

    /// Sends `endpoint` and returns its typed output, with the client's deadline and retry
    /// policy.
    ///
    /// One deadline ([`ClientBuilder::timeout`]) bounds the whole call: signing in (or waiting
    /// for another call's sign-in), every attempt with its whole response body, and the waits
    /// between attempts; a repeat whose wait would pass it is not started. An optional
    /// [`ClientBuilder::attempt_timeout`] bounds each attempt within it. The body is read up to
    /// [`ClientBuilder::max_response_bytes`]. When time runs out before a connection was made,
    /// nothing was sent and the error is [`Error::Connect`]; after that, it is
    /// [`Error::Timeout`], which says how many attempts were made. Failures are repeated as the
    /// [`RetryPolicy`] allows (never a POST, PUT or DELETE that may have reached the portal).
    /// With credentials, the client signs in on first use and, when the portal refuses the token
    /// (401), signs in again once and repeats the call once. The error says whether the request
    /// was not sent, may have been sent, or was answered ([`Error::delivery`]).
    ///
    /// Decoding the received body is not interrupted by the deadline: it is bounded by the size
    /// limit instead.
    pub async fn send<E: Endpoint>(&self, endpoint: &E) -> Result<E::Output, Error> {
        self.send_with(endpoint, &CallOptions::default()).await
    }

    /// Sends `endpoint` as [`Client::send`] does, with `options` overriding the client's
    /// deadline, per-attempt timeout or retry policy for this call only.
    pub async fn send_with<E: Endpoint>(
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
        self.call(endpoint, options).instrument(span).await
    }

    async fn call<E: Endpoint>(
        &self,
        endpoint: &E,
        options: &CallOptions,
    ) -> Result<E::Output, Error> {
        let inner = &*self.inner;
        let deadline = Deadline::after(options.timeout_override().unwrap_or(inner.timeout));
        let attempt_timeout = options.attempt_timeout_override().or(inner.attempt_timeout);
        let retry = options.retry_override().unwrap_or(inner.retry);
        let needs_token = endpoint.auth() == Auth::Required;
        // A fixed token is lent, a session's is held for the call (it may be renewed).
        let sessions = match &inner.auth {
            AuthMode::Credentials(sessions) if needs_token => Some(sessions),
            _ => None,
        };
        let mut session_token = match sessions {
            Some(sessions) => Some(self.session_token(sessions, None, &deadline).await?),
            None => None,
        };
        let mut signed_in_again = false;
        let mut retries = 0;
        let mut attempts = 0u32;
        loop {
            // A timer that is already due may still let a fast answer through: check first.
            // A zero per-attempt timeout likewise leaves no time for any attempt.
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
            let limit = match (deadline.remaining(), attempt_timeout) {
                (Some(left), Some(each)) if each < left => Deadline::after(each),
                (None, Some(each)) => Deadline::after(each),
                _ => deadline,
            };
            let token = match &inner.auth {
                AuthMode::Token(token) if needs_token => Some(token),
                _ => session_token.as_ref(),
            };
            let error = match self.attempt(endpoint, token, &limit, attempts).await {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            if let (Some(sessions), Some(stale)) = (sessions, &session_token) {
                if error.is_unauthorized() && !signed_in_again {
                    let fresh = self
                        .session_token(sessions, Some(stale), &deadline)
                        .await
                        .map_err(|error| match error {
                            // The refused attempt counts.
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
                tracing::debug!(
                    error = %error,
                    delay_ms = delay.as_millis() as u64,
                    "not retrying: the wait would pass the call's deadline"
                );
                return Err(error);
            }
            tracing::debug!(error = %error, delay_ms = delay.as_millis() as u64, "retrying");
            retries += 1;
            tokio::time::sleep(delay).await;
        }
    }

    /// One attempt, the `attempts`-th: build, send within `limit`, read and parse.
    async fn attempt<E: Endpoint>(
        &self,
        endpoint: &E,
        token: Option<&Token>,
        limit: &Deadline,
        attempts: u32,
    ) -> Result<E::Output, Error> {
        let inner = &*self.inner;
        let context = RequestContext {
            base_url: &inner.base_url,
            format: inner.format,
            token,
            auth_scheme: inner.auth_scheme,
        };
        let mut request = build_request(endpoint, &context)?.map(Full::new);
        request.headers_mut().insert(
            ACCEPT_ENCODING,
            HeaderValue::from_static(encoding::ACCEPT_ENCODING),
        );
        // Set once the request has a connection (new or pooled), just before it is written.
        let connection = capture_connection(&mut request);
        let response = match limit.run(self.exchange(request)).await {
            Some(response) => response,
            // Without a connection nothing was written: the call is as safe to repeat as a
            // refused connection, whatever its method.
            None if connection.connection_metadata().is_none() => Err(Error::Connect {
                source: format!("no connection within {} ms", limit.duration.as_millis()).into(),
            }),
            None => Err(Error::Timeout {
                timeout: limit.duration,
                attempts,
            }),
        };
        let response = match response {
            Ok(response) => response,
            Err(error) => {
                tracing::debug!(error = %error, "request failed");
                return Err(error);
            }
        };
        tracing::Span::current().record("status", response.status().as_u16());
        tracing::debug!(status = response.status().as_u16(), "response");
        parse_response::<E>(&response).map_err(|e| self.redact::<E>(e, token).into())
    }

    /// Keeps the secrets this client holds out of an error made from the portal's answer (a
    /// page that echoes the request, a message that quotes it), and, for an endpoint whose
    /// answers carry credentials, the decoder's reason, which may quote the answer.
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

    /// The session's token: signs in first when there is none, when it is about to expire,
    /// or when the portal has just refused `refused`; a sign-in already in flight is joined
    /// instead of starting another. Waiting ends at `deadline`; the sign-in itself goes on for
    /// the calls that still wait.
    async fn session_token(
        &self,
        sessions: &Sessions,
        refused: Option<&Token>,
        deadline: &Deadline,
    ) -> Result<Token, Error> {
        // A sign-in task that ends without reporting (its runtime is shutting down) is
        // started once more, then given up on.
        for _ in 0..2 {
            let mut pending = match sessions.next(refused) {
                Next::Token(token) => return Ok(token),
                Next::Refused(error) => return Err(Error::SignIn(error)),
                Next::Wait(pending) => pending,
                Next::Start(report, pending) => {
                    tokio::spawn(self.clone().sign_in(report));
                    pending
                }
            };
            let waited = deadline.run(pending.wait_for(Option::is_some)).await;
            let Some(outcome) = waited else {
                return Err(Error::Timeout {
                    timeout: deadline.duration,
                    attempts: 0,
                });
            };
            if let Ok(outcome) = outcome {
                if let Some(outcome) = outcome.as_ref() {
                    return outcome.clone().map_err(Error::SignIn);
                }
            }
        }
        Err(Error::SignIn(std::sync::Arc::new(Error::Transport {
            source: "the sign-in was cancelled (is the runtime shutting down?)".into(),
        })))
    }

    /// `POST api/2.0/authentication`, through [`Client::send`] like any call (so with the
    /// client's deadline, retry policy and tracing; as a POST it is repeated only when not sent
    /// or rate-limited), reporting to every call that waits for it.
    ///
    /// Boxed with an explicit `Send` because `send` may start `sign_in`: the future type would
    /// otherwise contain itself.
    fn sign_in(self, report: Report) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(async move {
            let AuthMode::Credentials(sessions) = &self.inner.auth else {
                return;
            };
            let answer = self
                .send(&Authenticate::new(sessions.credentials().clone()))
                .await;
            let result = match answer {
                Ok(answer) => match answer.token {
                    Some(token) => {
                        tracing::debug!("signed in");
                        Ok((token, answer.expires))
                    }
                    None => Err(Error::SecondFactorRequired),
                },
                Err(error) => Err(error),
            };
            sessions.finish(report, result);
        })
    }

    /// Sends one request and reads its whole body, within the size limit.
    async fn exchange(
        &self,
        request: http::Request<Full<Bytes>>,
    ) -> Result<http::Response<Bytes>, Error> {
        let limit = self.inner.max_response_bytes;
        let response = self.inner.transport.request(request).await.map_err(|e| {
            if e.is_connect() {
                Error::Connect { source: e.into() }
            } else {
                Error::Transport { source: e.into() }
            }
        })?;
        let status = response.status();
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > limit as u64) {
            return Err(Error::BodyTooLarge { status, limit });
        }
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, limit).collect().await.map_err(|e| {
            if e.is::<LengthLimitError>() {
                Error::BodyTooLarge { status, limit }
            } else {
                Error::Transport { source: e }
            }
        })?;
        let body = encoding::decode(&parts.headers, status, body.to_bytes(), limit)?;
        Ok(http::Response::from_parts(parts, body))
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base_url)
            .field("auth", &inner.auth)
            .field("format", &inner.format)
            .field("timeout", &inner.timeout)
            .field("max_response_bytes", &inner.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for AuthMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthMode::Anonymous => f.write_str("Anonymous"),
            AuthMode::Token(_) => f.write_str("Token(<redacted>)"),
            AuthMode::Credentials(sessions) => f
                .debug_struct("Credentials")
                .field("user_name", &sessions.credentials().user_name)
                .field("password", &"<redacted>")
                .finish_non_exhaustive(),
        }
    }
}

/// Configures a [`Client`]. Every setting has a sensible default except the base address.
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
    tls: TlsOptions,
}

/// Why a [`ClientBuilder`] could not build a client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The base address is not usable.
    #[error(transparent)]
    BaseUrl(#[from] InvalidBaseUrl),
    /// The TLS configuration could not be made.
    #[error("could not set up TLS: {0}")]
    Tls(#[from] TlsError),
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
            tls: TlsOptions::default(),
        }
    }

    /// Also trusts the root certificates in `pem` (one or more `CERTIFICATE` blocks), for
    /// portals whose certificate comes from a private or national CA. The PEM is checked by
    /// [`ClientBuilder::build`].
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.tls.extra_roots_pem.push(pem.into());
        self
    }

    /// Also trusts the operating system's root certificates.
    #[cfg(feature = "native-roots")]
    pub fn native_roots(mut self, enabled: bool) -> Self {
        self.tls.native_roots = enabled;
        self
    }

    /// Uses this rustls configuration for https instead of building one; root certificate
    /// settings of this builder are then ignored.
    pub fn tls_config(mut self, config: std::sync::Arc<rustls::ClientConfig>) -> Self {
        self.tls.config = Some(config);
        self
    }

    /// Builds the client. Must be called inside a Tokio runtime only when the client is used,
    /// not when it is built.
    pub fn build(self) -> Result<Client, ConfigError> {
        let base_url = BaseUrl::parse(&self.base_url)?;
        self.limits()
            .check()
            .map_err(|(name, reason)| ConfigError::Setting { name, reason })?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(self.connect_timeout));
        http.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(Arc::unwrap_or_clone(tls::client_config(&self.tls)?))
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let transport = HyperClient::builder(TokioExecutor::new())
            .pool_idle_timeout(self.pool_idle_timeout)
            // Without a timer hyper-util never runs the idle timeout.
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(https);
        let auth = match (self.token, self.credentials) {
            (Some(token), _) => AuthMode::Token(token),
            (None, Some(credentials)) => AuthMode::Credentials(Sessions::new(credentials)),
            (None, None) => AuthMode::Anonymous,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                base_url,
                auth,
                retry: self.retry,
                format: self.format,
                auth_scheme: self.auth_scheme,
                timeout: self.timeout,
                attempt_timeout: self.attempt_timeout,
                max_response_bytes: self.max_response_bytes,
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("format", &self.format)
            .field("auth_scheme", &self.auth_scheme)
            .field("timeout", &self.timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("extra_root_certificates", &self.tls.extra_roots_pem.len())
            .field("custom_tls_config", &self.tls.config.is_some())
            .finish()
    }
}
