//! The errors the API reports inside the envelope: the .NET exceptions the emulated methods
//! throw, with their messages and HResults.

use std::borrow::Cow;

use http::StatusCode;

/// An error the API reports inside the envelope: the .NET exception's message and HResult.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: Cow<'static, str>,
    pub(crate) hresult: i32,
}

impl ApiError {
    /// `ItemNotFoundException`.
    pub(crate) const NOT_FOUND: ApiError = ApiError {
        status: StatusCode::NOT_FOUND,
        message: Cow::Borrowed("Not found"),
        hresult: -2147467259,
    };
    /// `ArgumentException()`, what the deal methods throw for an id of 0.
    pub(crate) const ARGUMENT: ApiError = ApiError {
        status: StatusCode::BAD_REQUEST,
        message: Cow::Borrowed("Value does not fall within the expected range."),
        hresult: -2147024809,
    };
    /// A route of the spec the emulator does not answer yet (its own envelope; no server
    /// sends it).
    pub(crate) const NOT_EMULATED: ApiError = ApiError {
        status: StatusCode::NOT_IMPLEMENTED,
        message: Cow::Borrowed("Not emulated: r7-emulator does not answer this route yet"),
        hresult: 0,
    };
    /// A route value the binder cannot convert to the parameter's type.
    pub(crate) const BAD_NUMBER: ApiError = ApiError {
        status: StatusCode::BAD_REQUEST,
        message: Cow::Borrowed("Input string was not in a correct format."),
        hresult: -2146233033,
    };
    /// `System.Security.Authentication.AuthenticationException`, thrown for wrong or missing
    /// credentials; not a mapped type, so it ends as a 500.
    pub(crate) const AUTHENTICATION_FAILED: ApiError = ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: Cow::Borrowed("User authentication failed"),
        hresult: -2146233087,
    };
    /// `ArgumentException("Unable to deserialize json")`: an `application/json` body that is
    /// not a JSON object.
    pub(crate) const NOT_A_JSON_OBJECT: ApiError = ApiError {
        status: StatusCode::BAD_REQUEST,
        message: Cow::Borrowed("Unable to deserialize json"),
        hresult: -2147024809,
    };

    /// What the rate-limiting filter throws: an `HttpException(503, …)`, whose HResult is
    /// `E_FAIL` like every `HttpException` (derived, as for `ItemNotFoundException`).
    pub(crate) fn rate_limited(retry_in_ms: u128) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: Cow::Owned(format!(
                "Rate limit reached. Try again after {retry_in_ms} ms"
            )),
            hresult: -2147467259,
        }
    }
}

impl ApiError {
    /// A plain `Exception(message)` (a 500), which some methods throw for a wrong kind of
    /// contact.
    pub(crate) fn exception(message: &'static str) -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: Cow::Borrowed(message),
            hresult: -2146233088,
        }
    }

    /// `ArgumentException(message)` with a message of the CRM's own.
    pub(crate) fn argument(message: impl Into<Cow<'static, str>>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            hresult: ApiError::ARGUMENT.hresult,
        }
    }

    /// What `NullReferenceException` answers (a 500): a method that dereferences a row it did
    /// not find.
    pub(crate) const NULL_REFERENCE: ApiError = ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: Cow::Borrowed("Object reference not set to an instance of an object."),
        hresult: -2147467261,
    };

    /// What `ArgumentNullException("prefix")` answers.
    pub(crate) const PREFIX_IS_NULL: ApiError = ApiError {
        status: StatusCode::BAD_REQUEST,
        message: Cow::Borrowed("Value cannot be null.\r\nParameter name: prefix"),
        hresult: -2147467261,
    };
}
