//! Hand-written endpoints (the generated ones are in `crate::generated`) and helpers shared by
//! both.

mod authentication;

pub use authentication::{Authenticate, Authentication};

use crate::error::BuildError;

/// Checks an id the server declares as a C# `int` and refuses when it is `<= 0`: the route
/// admits only digits, and the method answers 400 for 0, so such a request can only fail.
pub(crate) fn positive_id(name: &str, value: i64) -> Result<(), BuildError> {
    if value <= 0 || value > i64::from(i32::MAX) {
        return Err(BuildError::InvalidArgument {
            name: name.to_owned(),
            reason: format!("must be between 1 and {}, got {value}", i32::MAX),
        });
    }
    Ok(())
}
