//! [`RetryPolicy`]: which failed calls are repeated, and after how long.

use std::time::Duration;

use r7_proto::ResponseError;

use crate::error::Error;

/// Which failures a client's `send` repeats on its own.
///
/// Only what cannot do harm is repeated:
///
/// * a request that never left the client (the connection could not be made), whatever its
///   method;
/// * any request the portal's rate limiter refused (HTTP 503, or 429 from a proxy, with
///   `Retry-After`): the limiter rejects before the method runs, so nothing took effect. The
///   client waits the delay the portal asks for, unless it is longer than
///   [`RetryPolicy::max_retry_after`] or would pass the call's deadline;
/// * an idempotent request (a GET) that failed in transit, timed out, or met a 502 or 504 from
///   a proxy.
///
/// A POST, PUT or DELETE that may have reached the portal is never repeated: the portal has no
/// idempotency keys, and a repeated delete or create could do its work twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Two retries, backing off 200 ms then 400 ms, honouring `Retry-After` up to 30 s.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Never repeat a call.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// At most `retries` repetitions of one call.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The wait before the first repetition; it doubles for each further one, up to
    /// `max_backoff`.
    pub fn backoff(mut self, initial: Duration, max_backoff: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max_backoff.max(initial);
        self
    }

    /// The longest `Retry-After` the client waits for; when the portal asks for more, the
    /// rate-limit error is returned at once.
    pub fn max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }

    /// The configured number of retries.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// How long to wait before repeating a call that failed with `error` after `retries_done`
    /// repetitions, or `None` if it must not be repeated.
    pub fn delay(&self, error: &Error, idempotent: bool, retries_done: u32) -> Option<Duration> {
        if retries_done >= self.max_retries {
            return None;
        }
        let backoff = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retries_done))
            .min(self.max_backoff);
        if let Error::Response(ResponseError::RateLimited { retry_after, .. }) = error {
            return match retry_after {
                Some(delay) if *delay > self.max_retry_after => None,
                Some(delay) => Some(*delay),
                None => Some(backoff),
            };
        }
        let safe = error.is_retryable() || (idempotent && error.is_retryable_if_idempotent());
        safe.then_some(backoff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;
    use r7_proto::BodySnippet;

    fn gateway(status: u16) -> Error {
        Error::Response(ResponseError::Http {
            status: StatusCode::from_u16(status).unwrap(),
            content_type: "text/html".into(),
            snippet: BodySnippet::new(b""),
        })
    }

    #[test]
    fn repeats_only_what_cannot_do_harm() {
        let policy = RetryPolicy::default();
        let connect = Error::Connect {
            source: "refused".into(),
        };
        let transport = Error::Transport {
            source: "reset".into(),
        };
        let timeout = Error::Timeout {
            timeout: Duration::from_secs(1),
            attempts: 1,
        };
        // Not sent: any method.
        assert!(policy.delay(&connect, false, 0).is_some());
        // Maybe sent: only idempotent requests.
        for e in [&transport, &timeout, &gateway(502), &gateway(504)] {
            assert!(policy.delay(e, true, 0).is_some(), "{e}");
            assert!(policy.delay(e, false, 0).is_none(), "{e}");
        }
        // Answered with something else: never.
        assert!(policy.delay(&gateway(500), true, 0).is_none());
        assert!(policy.delay(&gateway(503), true, 0).is_none());
        // Building failed: repeating cannot help.
        let build = Error::Build(r7_proto::BuildError::MissingToken);
        assert!(policy.delay(&build, true, 0).is_none());
    }

    #[test]
    fn honours_retry_after_up_to_the_cap_for_any_method() {
        let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(10));
        let limited = |secs| {
            Error::Response(ResponseError::RateLimited {
                status: StatusCode::SERVICE_UNAVAILABLE,
                retry_after: Some(Duration::from_secs(secs)),
                message: None,
            })
        };
        assert_eq!(
            policy.delay(&limited(3), false, 0),
            Some(Duration::from_secs(3))
        );
        assert_eq!(policy.delay(&limited(11), false, 0), None);
    }

    #[test]
    fn backs_off_and_stops() {
        let policy = RetryPolicy::default()
            .max_retries(3)
            .backoff(Duration::from_millis(100), Duration::from_millis(300));
        let connect = Error::Connect {
            source: "refused".into(),
        };
        let delays: Vec<_> = (0..4).map(|n| policy.delay(&connect, true, n)).collect();
        assert_eq!(
            delays,
            [
                Some(Duration::from_millis(100)),
                Some(Duration::from_millis(200)),
                Some(Duration::from_millis(300)),
                None
            ]
        );
        assert_eq!(RetryPolicy::none().delay(&connect, true, 0), None);
    }
}
