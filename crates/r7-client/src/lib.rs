//! What every transport of the r7 SDK shares, so that they behave alike.
//!
//! The async client (`r7-hyper`) and the blocking one (`r7-blocking`) build requests and read
//! responses with `r7-proto`; this crate holds the rest of a call's policy, with no I/O and no
//! runtime:
//!
//! * [`Error`] and [`Delivery`]: what went wrong, and whether the request reached the portal;
//! * [`RetryPolicy`]: which failures are repeated, after how long (never a change that may
//!   have reached the portal, unless it is idempotent);
//! * [`CallOptions`]: one call's own deadline and retry policy;
//! * [`EachReport`]: the outcomes of many requests, one per request, in order;
//! * [`encoding`]: undoing gzip and deflate within the size limit;
//! * [`redact`]: keeping the token and the password out of errors;
//! * [`session`]: when a token is renewed, which failed sign-ins are remembered;
//! * [`settings`]: the defaults and limits of a client's settings;
//! * [`PageWalk`]: the walk through a paged list, with its guards against a portal that
//!   ignores `startIndex`.
//!
//! Users do not depend on it directly: `r7`, `r7-hyper` and `r7-blocking` re-export what they
//! need.

mod each;
pub mod encoding;
mod error;
mod options;
mod paging;
mod retry;
pub mod session;
pub mod settings;

pub use each::EachReport;
pub use error::{BoxError, Delivery, Error, MIN_FRAGMENT_BYTES, redact};
pub use options::CallOptions;
pub use paging::{MAX_PAGE_SIZE, PageWalk};
pub use retry::RetryPolicy;

/// For the builders' shared settings ([`common_builder_settings!`]).
#[doc(hidden)]
pub use r7_proto as __proto;
