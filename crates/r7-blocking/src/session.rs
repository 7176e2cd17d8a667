//! The token of a client that signs in with credentials, for threads: at most one sign-in in
//! flight, whose outcome (a token or an error) every thread that waited for it takes. The
//! sign-in runs on a thread of its own, so that each caller waits only until its own deadline
//! while the sign-in goes on for the others, as in the async client. The rules (when to renew,
//! which failures to remember) are `r7_client::session`'s.

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

struct State {
    now: Now,
    /// The number of the latest sign-in started, so that a waiter knows whether the outcome
    /// it finds is the one it waited for.
    generation: u64,
    /// How the latest sign-in that failed on the way (not a refusal) ended, for the threads
    /// that waited for it.
    last_failure: Option<(u64, Arc<Error>)>,
}

enum Now {
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
pub(crate) enum Next {
    /// Send this token.
    Token(Token),
    /// Signing in failed with this error: refused a moment ago, or failed on the way for the
    /// sign-in this call waited for.
    Failed(Arc<Error>),
    /// No sign-in is in flight: the caller starts one (on a thread of its own), which reports
    /// to [`Sessions::finish`] with this generation, and waits with [`Sessions::wait`].
    Start(u64),
    /// A sign-in of this generation is in flight: wait for it with [`Sessions::wait`].
    Wait(u64),
}

impl Sessions {
    pub(crate) fn new(credentials: Credentials) -> Self {
        Sessions {
            credentials,
            state: Mutex::new(State {
                now: Now::SignedOut,
                generation: 0,
                last_failure: None,
            }),
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

    /// A usable token (not `refused`, not about to expire), the remembered refusal, the sign-in
    /// to wait for, or the caller's turn to start one.
    pub(crate) fn next(&self, refused: Option<&Token>) -> Next {
        let mut state = self.lock();
        match &state.now {
            Now::SignedIn { token, renew_at }
                if renew_at.is_none_or(|at| Instant::now() < at)
                    && refused.is_none_or(|r| r != token) =>
            {
                Next::Token(token.clone())
            }
            Now::Refused { error, until } if Instant::now() < *until => {
                Next::Failed(Arc::clone(error))
            }
            Now::SigningIn => Next::Wait(state.generation),
            _ => {
                state.now = Now::SigningIn;
                state.generation += 1;
                Next::Start(state.generation)
            }
        }
    }

    /// Waits until the sign-in `generation` has ended, or until `deadline`: its token, its
    /// error, or `None` when the deadline came first.
    pub(crate) fn wait(
        &self,
        generation: u64,
        deadline: Option<Instant>,
    ) -> Option<Result<Token, Arc<Error>>> {
        let mut state = self.lock();
        loop {
            let ended = !matches!(state.now, Now::SigningIn) || state.generation != generation;
            if ended {
                return Some(match &state.now {
                    Now::SignedIn { token, .. } => Ok(token.clone()),
                    Now::Refused { error, .. } => Err(Arc::clone(error)),
                    _ => match &state.last_failure {
                        Some((failed, error)) if *failed == generation => Err(Arc::clone(error)),
                        // A later sign-in started and ended meanwhile: take its outcome too.
                        _ => Err(Arc::new(Error::Transport {
                            source: "the sign-in this call waited for did not finish".into(),
                        })),
                    },
                });
            }
            state = match deadline {
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return None;
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
    }

    /// Records how the sign-in `generation` ended, for every thread that waits for it.
    pub(crate) fn finish(
        &self,
        generation: u64,
        outcome: Result<(Token, Option<ApiDateTime>), Error>,
    ) {
        let mut state = self.lock();
        if state.generation != generation {
            return;
        }
        state.now = match outcome {
            Ok((token, expires)) => Now::SignedIn {
                token,
                renew_at: renew_at(expires),
            },
            Err(error) => {
                let error = Arc::new(error);
                if is_refusal(&error) {
                    Now::Refused {
                        error,
                        until: Instant::now() + REFUSAL_HOLD,
                    }
                } else {
                    state.last_failure = Some((generation, error));
                    Now::SignedOut
                }
            }
        };
        self.changed.notify_all();
    }
}
