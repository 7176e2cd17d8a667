//! The defaults and limits of a client's settings, and their check, the same for every
//! transport.

use std::time::Duration;

/// Default deadline of one whole call: signing in, every attempt and the waits between.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest duration any setting accepts: a year. Timers that far out overflow the clock.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 60 * 60);
/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time an unused pooled connection is kept: shorter than the keep-alive of common
/// reverse proxies, so that a client rarely reuses a connection the server already closed.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(50);
/// Default limit of a response body, after gzip or deflate are undone: 32 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// The settings a builder checks before it makes a client.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The deadline of one whole call.
    pub timeout: Duration,
    /// The optional per-attempt timeout.
    pub attempt_timeout: Option<Duration>,
    /// The time allowed to open a connection.
    pub connect_timeout: Duration,
    /// How long an unused connection is kept (zero: not kept).
    pub pool_idle_timeout: Duration,
    /// The largest response body.
    pub max_response_bytes: usize,
}

impl Limits {
    /// The first setting out of range, as (builder method, what is wrong with it).
    pub fn check(&self) -> Result<(), (&'static str, &'static str)> {
        let durations = [
            ("timeout", Some(self.timeout)),
            ("attempt_timeout", self.attempt_timeout),
            ("connect_timeout", Some(self.connect_timeout)),
            ("pool_idle_timeout", Some(self.pool_idle_timeout)),
        ];
        for (name, duration) in durations {
            let Some(duration) = duration else { continue };
            if duration.is_zero() && name != "pool_idle_timeout" {
                return Err((name, "must be greater than zero"));
            }
            if duration > MAX_DURATION {
                return Err((name, "must be at most a year (ClientBuilder::MAX_DURATION)"));
            }
        }
        if self.max_response_bytes == 0 {
            return Err(("max_response_bytes", "must be greater than zero"));
        }
        Ok(())
    }
}

/// The settings every transport's `ClientBuilder` has, written once: the defaults as associated
/// constants, the setters, and `limits()` for [`Limits::check`]. The builder must have the
/// fields `token`, `credentials`, `retry`, `format`, `auth_scheme`, `timeout`,
/// `attempt_timeout`, `connect_timeout`, `pool_idle_timeout` and `max_response_bytes`.
#[doc(hidden)]
#[macro_export]
macro_rules! common_builder_settings {
    () => {
        /// Default deadline of one whole call: signing in, every attempt and the waits between.
        pub const DEFAULT_TIMEOUT: ::std::time::Duration = $crate::settings::DEFAULT_TIMEOUT;
        /// The longest duration any setting accepts: a year. Longer ones are refused by
        /// [`ClientBuilder::build`], as timers that far out overflow the clock.
        pub const MAX_DURATION: ::std::time::Duration = $crate::settings::MAX_DURATION;
        /// Default time allowed to open a connection.
        pub const DEFAULT_CONNECT_TIMEOUT: ::std::time::Duration =
            $crate::settings::DEFAULT_CONNECT_TIMEOUT;
        /// Default time an unused pooled connection is kept. Shorter than the keep-alive of
        /// common reverse proxies, so the client rarely reuses a connection the server already
        /// closed.
        pub const DEFAULT_POOL_IDLE_TIMEOUT: ::std::time::Duration =
            $crate::settings::DEFAULT_POOL_IDLE_TIMEOUT;
        /// Default limit of a response body, after gzip or deflate are undone: 32 MiB.
        pub const DEFAULT_MAX_RESPONSE_BYTES: usize = $crate::settings::DEFAULT_MAX_RESPONSE_BYTES;

        /// The token to send with every request. Replaces [`ClientBuilder::credentials`].
        pub fn token(mut self, token: $crate::__proto::Token) -> Self {
            self.token = Some(token);
            self.credentials = None;
            self
        }

        /// Signs in with these credentials (`POST api/2.0/authentication`) on first use, keeps
        /// the token and its expiry, signs in again before it expires, and when the portal
        /// refuses the token, signs in again once and repeats the call once. Replaces
        /// [`ClientBuilder::token`].
        pub fn credentials(mut self, credentials: $crate::__proto::Credentials) -> Self {
            self.credentials = Some(credentials);
            self.token = None;
            self
        }

        /// Which failures are repeated ([`RetryPolicy::default`](crate::RetryPolicy::default)
        /// unless set; [`RetryPolicy::none`](crate::RetryPolicy::none) turns retries off).
        pub fn retry_policy(mut self, policy: $crate::RetryPolicy) -> Self {
            self.retry = policy;
            self
        }

        /// How to write the token: `Authorization: <token>` (the default) or `Bearer <token>`.
        pub fn auth_scheme(mut self, scheme: $crate::__proto::AuthScheme) -> Self {
            self.auth_scheme = scheme;
            self
        }

        /// The response format to ask for (JSON by default).
        pub fn format(mut self, format: $crate::__proto::Format) -> Self {
            self.format = format;
            self
        }

        /// The deadline of one whole call ([`ClientBuilder::DEFAULT_TIMEOUT`] unless set):
        /// signing in or waiting for a sign-in, connecting, sending and reading the whole body
        /// of every attempt, and the waits between attempts. Nothing is started that would end
        /// after it: a repeat whose wait (backoff or `Retry-After`) would pass it is not made,
        /// and the last error is returned instead. It is not renewed by progress: a body that
        /// trickles in a byte at a time still ends at it.
        /// [`CallOptions::timeout`](crate::CallOptions::timeout) overrides it for one call.
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.timeout = timeout;
            self
        }

        /// The longest one attempt may take (connecting, sending, reading the whole body),
        /// within the call's [`ClientBuilder::timeout`]; unset, an attempt may take all the
        /// time left. Set it below the deadline so that a stalled GET is repeated in time.
        pub fn attempt_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.attempt_timeout = Some(timeout);
            self
        }

        /// The time allowed to open a connection, within the call's deadline
        /// ([`ClientBuilder::DEFAULT_CONNECT_TIMEOUT`] unless set). A connection not made in
        /// time is "not sent".
        pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.connect_timeout = timeout;
            self
        }

        /// How long an unused connection stays in the pool
        /// ([`ClientBuilder::DEFAULT_POOL_IDLE_TIMEOUT`] unless set).
        pub fn pool_idle_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.pool_idle_timeout = timeout;
            self
        }

        /// The largest response body accepted, in bytes, after gzip or deflate are undone
        /// ([`ClientBuilder::DEFAULT_MAX_RESPONSE_BYTES`] unless set); a larger one fails with
        /// [`Error::BodyTooLarge`](crate::Error::BodyTooLarge) instead of being buffered.
        pub fn max_response_bytes(mut self, limit: usize) -> Self {
            self.max_response_bytes = limit;
            self
        }

        /// The settings [`ClientBuilder::build`] checks.
        fn limits(&self) -> $crate::settings::Limits {
            $crate::settings::Limits {
                timeout: self.timeout,
                attempt_timeout: self.attempt_timeout,
                connect_timeout: self.connect_timeout,
                pool_idle_timeout: self.pool_idle_timeout,
                max_response_bytes: self.max_response_bytes,
            }
        }
    };
}
