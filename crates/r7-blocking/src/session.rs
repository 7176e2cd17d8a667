//! The token of a client that signs in with credentials, for threads: at most one sign-in in
//! flight, whose outcome every waiting thread takes. The rules (when to renew, which failures
//! to remember) are `r7_client::session`'s, as in the async client.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use r7_client::Error;
use r7_client::session::{REFUSAL_HOLD, is_refusal, renew_at};
use r7_proto::model::ApiDateTime;
use r7_proto::{Credentials, Token};

/// The credentials of a client and what signing in with them gave.
pub(crate) struct Sessions {
    credentials: Credentials,
    state: Mutex<State>,
    changed: Condvar,
}

enum State {
    SignedOut,
    SignedIn {
        token: Token,
        /// When to sign in again before using the token; `None`: only when it is refused.
        renew_at: Option<Instant>,
    },
    SigningIn,
    Refused {
        error: Arc<Error>,
        until: Instant,
    },
}

/// What a call does to get a token.
pub(crate) enum Next<'a> {
    /// Send this token.
    Token(Token),
    /// Signing in failed a moment ago with this error; it is not tried again yet.
    Refused(Arc<Error>),
    /// This thread signs in, and reports with [`SignIn::finish`].
    SignIn(SignIn<'a>),
    /// Another thread's sign-in did not end before the call's deadline.
    TimedOut,
}

/// The turn of one thread to sign in. Dropped without [`SignIn::finish`] (a panic), it lets
/// the next caller try.
pub(crate) struct SignIn<'a> {
    sessions: &'a Sessions,
    finished: bool,
}

impl Sessions {
    pub(crate) fn new(credentials: Credentials) -> Self {
        Sessions {
            credentials,
            state: Mutex::new(State::SignedOut),
            changed: Condvar::new(),
        }
    }

    pub(crate) fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A usable token (not `refused`, not about to expire), the remembered refusal, or this
    /// thread's turn to sign in; while another thread signs in, waits for it until `deadline`.
    pub(crate) fn next(&self, refused: Option<&Token>, deadline: Option<Instant>) -> Next<'_> {
        let mut state = self.lock();
        loop {
            match &*state {
                State::SignedIn { token, renew_at }
                    if renew_at.is_none_or(|at| Instant::now() < at)
                        && refused.is_none_or(|r| r != token) =>
                {
                    return Next::Token(token.clone());
                }
                State::Refused { error, until } if Instant::now() < *until => {
                    return Next::Refused(Arc::clone(error));
                }
                State::SigningIn => {
                    state = match deadline {
                        Some(deadline) => {
                            let left = deadline.saturating_duration_since(Instant::now());
                            if left.is_zero() {
                                return Next::TimedOut;
                            }
                            self.changed
                                .wait_timeout(state, left)
                                .unwrap_or_else(|poisoned| poisoned.into_inner())
                                .0
                        }
                        None => self
                            .changed
                            .wait(state)
                            .unwrap_or_else(|poisoned| poisoned.into_inner()),
                    };
                }
                _ => {
                    *state = State::SigningIn;
                    return Next::SignIn(SignIn {
                        sessions: self,
                        finished: false,
                    });
                }
            }
        }
    }
}

impl SignIn<'_> {
    /// Records the outcome of the sign-in for every waiting thread, and returns it.
    pub(crate) fn finish(
        mut self,
        outcome: Result<(Token, Option<ApiDateTime>), Error>,
    ) -> Result<Token, Arc<Error>> {
        self.finished = true;
        let mut state = self.sessions.lock();
        let result = match outcome {
            Ok((token, expires)) => {
                *state = State::SignedIn {
                    token: token.clone(),
                    renew_at: renew_at(expires),
                };
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
        };
        self.sessions.changed.notify_all();
        result
    }
}

impl Drop for SignIn<'_> {
    fn drop(&mut self) {
        if !self.finished {
            *self.sessions.lock() = State::SignedOut;
            self.sessions.changed.notify_all();
        }
    }
}
