//! [`CallOptions`]: the deadline and retry policy of one call, overriding the client's.

use std::time::Duration;

use crate::retry::RetryPolicy;

/// Settings for one call (`send_with` of a client); each one left unset is the client's own.
///
/// ```
/// use std::time::Duration;
/// use r7_client::{CallOptions, RetryPolicy};
///
/// // A call that must answer within 2 s in all, and is never repeated:
/// // `client.send_with(&endpoint, &quick)` with either client.
/// let quick = CallOptions::new()
///     .timeout(Duration::from_secs(2))
///     .retry_policy(RetryPolicy::none());
/// assert_eq!(quick.timeout_override(), Some(Duration::from_secs(2)));
/// assert_eq!(quick.attempt_timeout_override(), None);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
}

impl CallOptions {
    /// Options that change nothing: the client's settings apply.
    pub fn new() -> Self {
        CallOptions::default()
    }

    /// The deadline of the whole call: signing in, every attempt, and the waits between them
    /// (see the client builder's `timeout`). A zero deadline fails at once, unsent.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The longest one attempt may take, within the call's deadline (see
    /// the client builder's `attempt_timeout`). Zero leaves no time for any attempt: the
    /// call fails at once, unsent.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Which failures of this call are repeated.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The deadline this call is given instead of the client's, if any.
    pub fn timeout_override(&self) -> Option<Duration> {
        self.timeout
    }

    /// The per-attempt timeout this call is given instead of the client's, if any.
    pub fn attempt_timeout_override(&self) -> Option<Duration> {
        self.attempt_timeout
    }

    /// The retry policy this call is given instead of the client's, if any.
    pub fn retry_override(&self) -> Option<RetryPolicy> {
        self.retry
    }
}
