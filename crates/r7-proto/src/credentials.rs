//! [`Credentials`]: a user name and a [`Password`], kept out of logs.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// A password. `Debug` prints `Password(<redacted>)`, there is no `Display`, and the memory is
/// wiped when it is dropped.
#[derive(Clone)]
pub struct Password {
    value: SecretString,
}

impl Password {
    /// Wraps a password.
    pub fn new(value: impl Into<String>) -> Self {
        Password {
            value: SecretString::from(value.into()),
        }
    }

    /// The password text. Handle with care.
    pub fn expose(&self) -> &str {
        self.value.expose_secret()
    }
}

impl From<String> for Password {
    fn from(value: String) -> Self {
        Password::new(value)
    }
}

impl From<&str> for Password {
    fn from(value: &str) -> Self {
        Password::new(value)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// What `POST api/2.0/authentication` signs in with: a login or e-mail, and a password.
#[derive(Clone)]
pub struct Credentials {
    /// The user's login or e-mail address.
    pub user_name: String,
    /// The user's password.
    pub password: Password,
}

impl Credentials {
    /// Credentials of `user_name` with `password`.
    pub fn new(user_name: impl Into<String>, password: impl Into<Password>) -> Self {
        Credentials {
            user_name: user_name.into(),
            password: password.into(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user_name", &self.user_name)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let credentials = Credentials::new("admin@example.com", "hunter2-Secret");
        for text in [format!("{credentials:?}"), format!("{credentials:#?}")] {
            assert!(!text.contains("hunter2-Secret"), "{text}");
            assert!(text.contains("admin@example.com"), "{text}");
        }
        assert_eq!(
            format!("{:?}", credentials.password),
            "Password(<redacted>)"
        );
        assert_eq!(credentials.password.expose(), "hunter2-Secret");
    }
}
