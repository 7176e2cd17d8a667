//! [`Client`] and [`ClientBuilder`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use r7_proto::{
    AuthScheme, BaseUrl, Endpoint, Format, InvalidBaseUrl, RequestContext, Token, build_request,
    parse_response,
};

use crate::error::Error;
use crate::tls;

type Transport = HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A client of one portal. Cheap to clone: clones share the connection pool.
///
/// ```no_run
/// use r7_hyper::Client;
/// use r7_proto::{DeleteOpportunity, Token};
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
    token: Option<Token>,
    format: Format,
    auth_scheme: AuthScheme,
    timeout: Duration,
    max_response_bytes: usize,
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

    /// Sends `endpoint` and returns its typed output.
    ///
    /// One deadline ([`ClientBuilder::timeout`]) covers connecting, sending and reading the whole
    /// body. The body is read up to [`ClientBuilder::max_response_bytes`]. The error says whether
    /// the request was not sent, may have been sent, or was answered with an error
    /// ([`Error::delivery`]). Nothing is retried.
    pub async fn send<E: Endpoint>(&self, endpoint: &E) -> Result<E::Output, Error> {
        let inner = &*self.inner;
        let context = RequestContext {
            base_url: &inner.base_url,
            format: inner.format,
            token: inner.token.as_ref(),
            auth_scheme: inner.auth_scheme,
        };
        let request = build_request(endpoint, &context)?.map(Full::new);
        let response = tokio::time::timeout(inner.timeout, self.exchange(request))
            .await
            .map_err(|_| Error::Timeout {
                timeout: inner.timeout,
            })??;
        Ok(parse_response::<E>(&response)?)
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
        Ok(http::Response::from_parts(parts, body.to_bytes()))
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base_url)
            .field("token", &inner.token.as_ref().map(|_| "<redacted>"))
            .field("format", &inner.format)
            .field("timeout", &inner.timeout)
            .field("max_response_bytes", &inner.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. Every setting has a sensible default except the base address.
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: Option<Token>,
    format: Format,
    auth_scheme: AuthScheme,
    timeout: Duration,
    connect_timeout: Duration,
    pool_idle_timeout: Duration,
    max_response_bytes: usize,
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
    Tls(#[from] rustls::Error),
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
    /// Default deadline of one call: sending the request and reading the whole response.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    /// Default time allowed to open a connection.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default time an unused pooled connection is kept. Shorter than the keep-alive of common
    /// reverse proxies, so the client rarely reuses a connection the server already closed.
    pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(50);
    /// Default limit of a response body: 32 MiB.
    pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

    /// A builder for the portal at `base_url`.
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientBuilder {
            base_url: base_url.into(),
            token: None,
            format: Format::Json,
            auth_scheme: AuthScheme::Raw,
            timeout: Self::DEFAULT_TIMEOUT,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            pool_idle_timeout: Self::DEFAULT_POOL_IDLE_TIMEOUT,
            max_response_bytes: Self::DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// The token to send with every request.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }

    /// How to write the token: `Authorization: <token>` (the default) or `Bearer <token>`.
    pub fn auth_scheme(mut self, scheme: AuthScheme) -> Self {
        self.auth_scheme = scheme;
        self
    }

    /// The response format to ask for (JSON by default).
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// The deadline of one call, covering connecting, sending and reading the whole body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The time allowed to open a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long an unused connection stays in the pool.
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// The largest response body accepted, in bytes; a larger one fails with
    /// [`Error::BodyTooLarge`] instead of being buffered.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Builds the client. Must be called inside a Tokio runtime only when the client is used,
    /// not when it is built.
    pub fn build(self) -> Result<Client, ConfigError> {
        let base_url = BaseUrl::parse(&self.base_url)?;
        if self.timeout.is_zero() {
            return Err(ConfigError::Setting {
                name: "timeout",
                reason: "must be greater than zero",
            });
        }
        if self.max_response_bytes == 0 {
            return Err(ConfigError::Setting {
                name: "max_response_bytes",
                reason: "must be greater than zero",
            });
        }
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(self.connect_timeout));
        http.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls::default_config()?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let transport = HyperClient::builder(TokioExecutor::new())
            .pool_idle_timeout(self.pool_idle_timeout)
            // Without a timer hyper-util never runs the idle timeout.
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(https);
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                base_url,
                token: self.token,
                format: self.format,
                auth_scheme: self.auth_scheme,
                timeout: self.timeout,
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
            .field("format", &self.format)
            .field("auth_scheme", &self.auth_scheme)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}
