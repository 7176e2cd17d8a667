//! [`CallOptions`]: the deadline and retry policy of one call, overriding the client's.

use std::time::Duration;

use tokio::time::Instant;

use crate::retry::RetryPolicy;

/// Settings for one call of [`crate::Client::send_with`]; each one left unset is the client's
/// own (from [`crate::ClientBuilder`]).
///
/// ```no_run
/// use std::time::Duration;
/// use r7_hyper::{CallOptions, RetryPolicy};
/// use r7_proto::crm::opportunity::GetOpportunity;
///
/// # async fn run(client: r7_hyper::Client) -> Result<(), r7_hyper::Error> {
/// // A call that must answer within 2 s in all, and is never repeated.
/// let quick = CallOptions::new()
///     .timeout(Duration::from_secs(2))
///     .retry_policy(RetryPolicy::none());
/// let deal = client.send_with(&GetOpportunity::new(1234), &quick).await?;
/// # Ok(()) }
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
    /// (see [`crate::ClientBuilder::timeout`]). A zero deadline fails at once, unsent.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The longest one attempt may take, within the call's deadline (see
    /// [`crate::ClientBuilder::attempt_timeout`]). Zero leaves no time for any attempt: the
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
}

/// The instant a call must be over by, with the duration it was given for messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    /// `None`: so far away that it cannot be represented, so never.
    at: Option<Instant>,
    pub(crate) duration: Duration,
}

impl Deadline {
    pub(crate) fn after(duration: Duration) -> Self {
        Deadline {
            at: Instant::now().checked_add(duration),
            duration,
        }
    }

    /// The time left, or `None` when there is no representable end.
    pub(crate) fn remaining(&self) -> Option<Duration> {
        self.at
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// Whether waiting `delay` would still leave time for another attempt.
    pub(crate) fn allows(&self, delay: Duration) -> bool {
        self.remaining().is_none_or(|left| delay < left)
    }

    /// Runs `future` until the deadline; `None` when it passed first.
    pub(crate) async fn run<F: Future>(&self, future: F) -> Option<F::Output> {
        match self.at {
            Some(at) => tokio::time::timeout_at(at, future).await.ok(),
            None => Some(future.await),
        }
    }
}
