//! `POST api/2.0/authentication`: signing in.

use std::fmt;

use bytes::Bytes;
use http::Method;
use r7_model::ApiDateTime;
use serde::{Deserialize, Deserializer, Serialize};

use crate::endpoint::{Auth, Body, Endpoint};
use crate::error::BuildError;
use crate::{Credentials, Token};

/// `POST api/2.0/authentication`: exchanges a user name and password for a token.
///
/// Needs no token. The server answers 201 with the token and its expiry. Wrong credentials are
/// answered with HTTP 500 and the message `User authentication failed` (not 401), which arrives
/// as [`crate::ResponseError::Api`]. Marked [`Endpoint::SENSITIVE`]: its bodies never appear in
/// errors or logs.
#[derive(Clone)]
pub struct Authenticate {
    credentials: Credentials,
}

impl Authenticate {
    /// Signs in with `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        Authenticate { credentials }
    }
}

impl fmt::Debug for Authenticate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticate")
            .field("credentials", &self.credentials)
            .finish()
    }
}

const PATH: &str = "api/2.0/authentication";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AuthenticateBody<'a> {
    user_name: &'a str,
    password: &'a str,
}

impl Endpoint for Authenticate {
    type Output = Authentication;
    const SENSITIVE: bool = true;

    fn method(&self) -> Method {
        Method::POST
    }

    fn path_template(&self) -> &str {
        PATH
    }

    fn auth(&self) -> Auth {
        Auth::None
    }

    fn write_path(&self, out: &mut String) {
        out.push_str(PATH);
    }

    fn validate(&self) -> Result<(), BuildError> {
        if self.credentials.user_name.trim().is_empty() {
            return Err(BuildError::InvalidArgument {
                name: "userName".to_owned(),
                reason: "must not be empty".to_owned(),
            });
        }
        Ok(())
    }

    fn body(&self) -> Result<Option<Body>, BuildError> {
        let body = AuthenticateBody {
            user_name: &self.credentials.user_name,
            password: self.credentials.password.expose(),
        };
        // Serialising two strings cannot fail; the error text would not include them anyway.
        let bytes = serde_json::to_vec(&body).map_err(|e| BuildError::Body(e.to_string()))?;
        Ok(Some(Body {
            content_type: "application/json".into(),
            bytes: Bytes::from(bytes),
        }))
    }
}

/// The answer to [`Authenticate`].
///
/// With two-factor authentication on, the server sends no token but `sms` or `tfa`, and the
/// sign-in must be finished with a code (not supported by this crate yet).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct Authentication {
    /// The token, or `None` when a second factor is required.
    #[serde(alias = "Token", deserialize_with = "token")]
    pub token: Option<Token>,
    /// When the token stops working; `None` when it never expires.
    #[serde(alias = "Expires", with = "r7_model::datetime::optional")]
    pub expires: Option<ApiDateTime>,
    /// A code sent by SMS is required.
    #[serde(alias = "Sms")]
    pub sms: bool,
    /// The masked phone number the SMS code went to.
    #[serde(alias = "PhoneNoise")]
    pub phone_noise: Option<String>,
    /// A code from an authenticator app is required.
    #[serde(alias = "Tfa")]
    pub tfa: bool,
}

fn token<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Token>, D::Error> {
    match Option::<String>::deserialize(deserializer)? {
        None => Ok(None),
        Some(text) if text.trim().is_empty() => Ok(None),
        Some(text) => Token::new(text).map(Some).map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BaseUrl, RequestContext, build_request, parse_response};

    #[test]
    fn posts_the_credentials_as_json_without_a_token() {
        let base = BaseUrl::parse("https://portal.example.com/").unwrap();
        let endpoint = Authenticate::new(Credentials::new("admin@example.com", "p\"w"));
        let request = build_request(&endpoint, &RequestContext::new(&base, None)).unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(
            request.uri(),
            "https://portal.example.com/api/2.0/authentication.json"
        );
        assert_eq!(request.headers()["content-type"], "application/json");
        assert!(request.headers().get("authorization").is_none());
        assert_eq!(
            request.body().as_ref(),
            br#"{"userName":"admin@example.com","password":"p\"w"}"#
        );
        assert!(!format!("{endpoint:?}").contains("p\\\"w"));
    }

    #[test]
    fn reads_the_token_in_either_case_and_never_shows_it() {
        for body in [
            r#"{"count":1,"status":0,"statusCode":201,"response":{"token":"abc.def","expires":"2026-03-01T12:00:05.1234567+03:00"}}"#,
            r#"{"Count":1,"Status":0,"StatusCode":201,"Response":{"Token":"abc.def","Expires":"2026-03-01T12:00:05.1234567+03:00"}}"#,
        ] {
            let response = http::Response::builder()
                .status(201)
                .header("content-type", "application/json")
                .body(body)
                .unwrap();
            let auth = parse_response::<Authenticate>(&response).unwrap();
            assert_eq!(auth.token.as_ref().map(Token::expose), Some("abc.def"));
            assert_eq!(auth.expires.unwrap().offset_minutes(), 180);
            assert!(!format!("{auth:?}").contains("abc.def"));
        }
    }

    #[test]
    fn a_second_factor_leaves_no_token() {
        let response = http::Response::builder()
            .status(201)
            .header("content-type", "application/json")
            .body(r#"{"status":0,"statusCode":201,"response":{"token":null,"tfa":true}}"#)
            .unwrap();
        let auth = parse_response::<Authenticate>(&response).unwrap();
        assert_eq!(auth.token, None);
        assert!(auth.tfa);
    }
}
