//! The rules of signing in that every transport keeps: when a token is renewed, and which
//! failed sign-ins are remembered instead of tried again at once.

use std::time::{Duration, Instant};

use r7_proto::model::ApiDateTime;

use crate::error::Error;

/// A token is renewed this long before the expiry the portal announced, so that it does not
/// run out while a request is on its way.
pub const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// How long a refused sign-in is answered from memory instead of being tried again.
pub const REFUSAL_HOLD: Duration = Duration::from_secs(30);

/// When to sign in again before using a token that expires at `expires`, measured on this
/// machine's monotonic clock from now: [`EXPIRY_MARGIN`] before it. An expiry that is already
/// past or too close (a skewed clock, a short-lived token) is not believed, and `None` says to
/// use the token until the portal refuses it, instead of making every call sign in first.
pub fn renew_at(expires: Option<ApiDateTime>) -> Option<Instant> {
    let expires = expires?;
    let left = expires.unix_nanos() - ApiDateTime::now_utc().unix_nanos();
    let margin = EXPIRY_MARGIN.as_nanos() as i128;
    if left <= 2 * margin {
        tracing::debug!("the portal's token expiry is past or near; renewing it when refused");
        return None;
    }
    let wait = u64::try_from(left - margin).unwrap_or(u64::MAX);
    Instant::now().checked_add(Duration::from_nanos(wait))
}

/// Whether a failed sign-in is the portal's refusal (wrong password, a second factor), which
/// is remembered for [`REFUSAL_HOLD`]; failures on the way (no connection, a timeout, a proxy
/// page, the rate limiter) are not remembered.
pub fn is_refusal(error: &Error) -> bool {
    matches!(error, Error::SecondFactorRequired) || error.is_unauthorized() || error.api().is_some()
}
