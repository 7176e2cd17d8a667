//! The token of a client that signs in with credentials: at most one sign-in in flight, its
//! outcome shared by every call that waits for it.
//!
//! Calls never hold a lock while a sign-in runs. The first call that finds no usable token
//! starts one (as its own task, so that it finishes even when that call gives up) and every
//! call, that one included, waits for its outcome within its own deadline. A sign-in the portal
//! refused (wrong password, locked account, second factor) is remembered for
//! [`REFUSAL_HOLD`], so that a busy program does not send the portal one failed login per call,
//! which is how a brute-force lockout starts.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use r7_proto::model::ApiDateTime;
use r7_proto::{Credentials, Token};
use tokio::sync::watch;

use r7_client::Error;
use r7_client::session::{REFUSAL_HOLD, is_refusal, renew_at};

/// The outcome of one sign-in, as every waiting call receives it.
pub(crate) type Outcome = Result<Token, Arc<Error>>;

/// Where a sign-in reports its outcome.
pub(crate) type Report = watch::Sender<Option<Outcome>>;

/// Where a call waits for the outcome of a sign-in.
pub(crate) type Pending = watch::Receiver<Option<Outcome>>;

/// The credentials of a client and what signing in with them gave.
pub(crate) struct Sessions {
    credentials: Credentials,
    state: Mutex<State>,
}

enum State {
    SignedOut,
    SignedIn(Session),
    SigningIn(Pending),
    Refused { error: Arc<Error>, until: Instant },
}

/// A token obtained by signing in.
struct Session {
    token: Token,
    /// When to sign in again before using the token; `None`: only when the portal refuses it.
    renew_at: Option<Instant>,
}

/// What a call does to get a token.
pub(crate) enum Next {
    /// Send this token.
    Token(Token),
    /// Signing in failed a moment ago with this error; it is not tried again yet.
    Refused(Arc<Error>),
    /// A sign-in is in flight: wait for its outcome.
    Wait(Pending),
    /// No sign-in is in flight: start one, which reports to [`Sessions::finish`], and wait.
    Start(Report, Pending),
}

impl Sessions {
    pub(crate) fn new(credentials: Credentials) -> Self {
        Sessions {
            credentials,
            state: Mutex::new(State::SignedOut),
        }
    }

    pub(crate) fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// What to do for a token. `refused` is the token the portal has just refused, if any: a
    /// session holding it is stale, while one holding another token was renewed by another call
    /// in the meantime.
    pub(crate) fn next(&self, refused: Option<&Token>) -> Next {
        let mut state = self.lock();
        match &*state {
            State::SignedIn(session) => {
                let usable = match refused {
                    Some(refused) => &session.token != refused,
                    None => session.is_fresh(),
                };
                if usable {
                    return Next::Token(session.token.clone());
                }
            }
            State::Refused { error, until } if Instant::now() < *until => {
                return Next::Refused(Arc::clone(error));
            }
            // A sign-in whose task ended without reporting (its runtime shut down) is over.
            State::SigningIn(pending) if pending.has_changed().is_ok() => {
                return Next::Wait(pending.clone());
            }
            _ => {}
        }
        let (report, pending) = watch::channel(None);
        *state = State::SigningIn(pending.clone());
        Next::Start(report, pending)
    }

    /// Records what a sign-in gave and tells every call waiting for it.
    pub(crate) fn finish(
        &self,
        report: Report,
        result: Result<(Token, Option<ApiDateTime>), Error>,
    ) {
        let outcome = {
            let mut state = self.lock();
            match result {
                Ok((token, expires)) => {
                    *state = State::SignedIn(Session::new(token.clone(), expires));
                    Ok(token)
                }
                Err(error) => {
                    let error = Arc::new(error);
                    *state = if is_refusal(&error) {
                        State::Refused {
                            error: Arc::clone(&error),
                            until: Instant::now() + REFUSAL_HOLD,
                        }
                    } else {
                        State::SignedOut
                    };
                    Err(error)
                }
            }
        };
        report.send_replace(Some(outcome));
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is replaced whole under the lock, so a panic elsewhere cannot leave it
        // half-written.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Session {
    /// A session for `token`, renewed as [`renew_at`] says.
    fn new(token: Token, expires: Option<ApiDateTime>) -> Self {
        Session {
            token,
            renew_at: renew_at(expires),
        }
    }

    fn is_fresh(&self) -> bool {
        self.renew_at.is_none_or(|at| Instant::now() < at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use r7_proto::ResponseError;

    fn sessions() -> Sessions {
        Sessions::new(Credentials::new("user@example.com", "Pass-Word-1"))
    }

    fn token(text: &str) -> Token {
        Token::new(text).expect("token")
    }

    #[test]
    fn one_sign_in_at_a_time_and_its_token_for_everyone() {
        let sessions = sessions();
        let Next::Start(report, _) = sessions.next(None) else {
            panic!("the first call signs in");
        };
        assert!(matches!(sessions.next(None), Next::Wait(_)));
        sessions.finish(report, Ok((token("first-token"), None)));
        assert!(matches!(sessions.next(None), Next::Token(t) if t == token("first-token")));
        // Refused: sign in again, once.
        let refused = token("first-token");
        let Next::Start(report, _) = sessions.next(Some(&refused)) else {
            panic!("a refused token makes one call sign in again");
        };
        assert!(matches!(sessions.next(Some(&refused)), Next::Wait(_)));
        sessions.finish(report, Ok((token("second-token"), None)));
        // A call that saw the old token refused takes the renewed one.
        assert!(
            matches!(sessions.next(Some(&refused)), Next::Token(t) if t == token("second-token"))
        );
    }

    #[test]
    fn a_refused_sign_in_is_remembered_and_a_failed_one_is_not() {
        let sessions = sessions();
        let Next::Start(report, _) = sessions.next(None) else {
            panic!("signs in");
        };
        let lost = Error::Connect {
            source: "refused".into(),
        };
        sessions.finish(report, Err(lost));
        assert!(
            matches!(sessions.next(None), Next::Start(..)),
            "tried again"
        );

        let Next::Start(report, _) = sessions.next(None) else {
            panic!("signs in");
        };
        sessions.finish(report, Err(Error::Response(ResponseError::Unauthorized)));
        assert!(matches!(sessions.next(None), Next::Refused(_)), "held");
    }

    #[test]
    fn an_expiry_in_the_past_does_not_make_every_call_sign_in() {
        let past = ApiDateTime::from_unix_nanos(0, 0).expect("1970");
        assert!(Session::new(token("short-lived"), Some(past)).is_fresh());
        let soon = ApiDateTime::from_unix_nanos(
            ApiDateTime::now_utc().unix_nanos() + 3_600 * 1_000_000_000,
            0,
        )
        .expect("in an hour");
        let session = Session::new(token("an-hour-left"), Some(soon));
        assert!(session.is_fresh() && session.renew_at.is_some());
    }

    #[test]
    fn a_sign_in_that_ended_without_reporting_is_started_again() {
        let sessions = sessions();
        let Next::Start(report, _) = sessions.next(None) else {
            panic!("signs in");
        };
        drop(report);
        assert!(matches!(sessions.next(None), Next::Start(..)));
    }
}
