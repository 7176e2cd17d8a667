//! [`Deadline`]: the instant a call must be over by, on Tokio's clock (which tests can pause).

use std::time::Duration;

use tokio::time::Instant;

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
