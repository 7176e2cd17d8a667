//! The portal's data, shared by every connection and by the [`Emulator`](crate::Emulator) handle.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use r7_model::{ApiDateTime, Contact, Employee, Opportunity, OpportunityStage};
use tokio::sync::watch;

use crate::ops::{Call, Entity, Outcome};
use crate::store::{Crm, Seed};
use crate::{Config, Fault, RateLimit};

/// How long a token lives when [`Config::token_lifetime`] is `None`: the server's default of
/// one year.
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// What the server writes for an expiry it cannot show (its "never").
const NO_DATE: &str = "0001-01-01T00:00:00.0000000Z";

/// Everything the server tasks share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) token: String,
    users: Vec<(String, String)>,
    token_lifetime: Duration,
    rate_limit: Option<RateLimit>,
    crm: Mutex<Crm>,
    /// Issued tokens and when they stop working (`None`: never, when the lifetime overflows
    /// the clock).
    sessions: Mutex<HashMap<String, Option<Instant>>>,
    /// Every token sign-in ever issued, expired ones too, for tests that look for leaks.
    issued: Mutex<Vec<String>>,
    /// How many calls each endpoint's function answered.
    calls: Mutex<HashMap<r7_proto::EndpointId, u64>>,
    faults: Mutex<VecDeque<Fault>>,
    window: Mutex<Window>,
    methods: Mutex<HashMap<String, u64>>,
    served: AtomicU64,
    received: AtomicU64,
    /// Requests being handled now, and the most there have been at once.
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
    logins: AtomicU64,
    /// Turns `true` (or closes) when the emulator stops.
    stopped: watch::Receiver<bool>,
}

/// The rate limiter's fixed window: it opens with the first request counted after the previous
/// one ended.
#[derive(Debug, Default)]
struct Window {
    opened: Option<Instant>,
    counted: u32,
}

/// A panic elsewhere while a lock was held must not take the server down: the data under these
/// locks is checked before it is changed, so what a panicking request leaves is usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    pub(crate) fn new(config: Config, stopped: watch::Receiver<bool>) -> Self {
        Shared {
            token: config.token,
            users: config.users,
            token_lifetime: config.token_lifetime.unwrap_or(DEFAULT_TOKEN_LIFETIME),
            rate_limit: config.rate_limit,
            crm: Mutex::new(Crm::new(
                Seed {
                    opportunities: config.opportunities,
                    stages: config.stages,
                    contacts: config.contacts,
                    custom_fields: config.custom_fields,
                    deal_tags: config.deal_tags,
                    tasks: config.tasks,
                    history: config.history,
                    utc_offset_minutes: config.utc_offset_minutes,
                },
                crate::current_user(),
            )),
            sessions: Mutex::new(HashMap::new()),
            issued: Mutex::new(Vec::new()),
            calls: Mutex::new(HashMap::new()),
            faults: Mutex::new(VecDeque::new()),
            window: Mutex::new(Window::default()),
            methods: Mutex::new(HashMap::new()),
            served: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            max_in_flight: AtomicU64::new(0),
            received: AtomicU64::new(0),
            logins: AtomicU64::new(0),
            stopped,
        }
    }

    /// Runs the method behind the endpoint `id` on the portal's data; `None` when the
    /// emulator does not emulate it.
    pub(crate) fn call(&self, id: r7_proto::EndpointId, call: &Call) -> Option<Outcome> {
        // Counted before the lookup: a route the emulator does not answer was still reached.
        *lock(&self.calls).entry(id).or_default() += 1;
        let handler = crate::generated::handler(id)?;
        Some(handler(&mut lock(&self.crm), call))
    }

    /// Reads the portal's data.
    pub(crate) fn with_crm<T>(&self, read: impl FnOnce(&Crm) -> T) -> T {
        read(&lock(&self.crm))
    }

    pub(crate) fn get(&self, id: i64) -> Option<Opportunity> {
        self.with_crm(|crm| Opportunity::read(crm, id))
    }

    pub(crate) fn ids(&self) -> Vec<i64> {
        self.with_crm(|crm| crm.deals.ids())
    }

    pub(crate) fn stage(&self, id: i64) -> Option<OpportunityStage> {
        self.with_crm(|crm| {
            let mut stage = OpportunityStage::read(crm, id)?;
            stage.sort_order = crm.stages.get(id)?.sort_order;
            Some(stage)
        })
    }

    pub(crate) fn contact(&self, id: i64) -> Option<Contact> {
        self.with_crm(|crm| Contact::read(crm, id))
    }

    pub(crate) fn me(&self) -> Employee {
        self.with_crm(|crm| crm.me().clone())
    }

    /// Counts a request that starts being handled; the guard counts it out when dropped.
    pub(crate) fn enter(&self) -> InFlight<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(self)
    }

    /// The most requests handled at once since the start.
    pub(crate) fn max_in_flight(&self) -> u64 {
        self.max_in_flight.load(Ordering::SeqCst)
    }

    pub(crate) fn count_served(&self) {
        self.served.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn served(&self) -> u64 {
        self.served.load(Ordering::SeqCst)
    }

    /// Counts a request that reached the service, in total and by method.
    pub(crate) fn count_received(&self, method: &str) {
        *lock(&self.methods).entry(method.to_owned()).or_insert(0) += 1;
        self.received.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn received(&self) -> u64 {
        self.received.load(Ordering::SeqCst)
    }

    pub(crate) fn method_count(&self, method: &str) -> u64 {
        lock(&self.methods).get(method).copied().unwrap_or(0)
    }

    pub(crate) fn push_fault(&self, fault: Fault) {
        lock(&self.faults).push_back(fault);
    }

    pub(crate) fn next_fault(&self) -> Option<Fault> {
        lock(&self.faults).pop_front()
    }

    /// A receiver that sees the emulator stop.
    pub(crate) fn stopped(&self) -> watch::Receiver<bool> {
        self.stopped.clone()
    }

    /// Whether `token` is the configured token or an issued one that has not expired.
    pub(crate) fn accepts(&self, token: &str) -> bool {
        if token.is_empty() {
            return false;
        }
        if token == self.token {
            return true;
        }
        let now = Instant::now();
        lock(&self.sessions)
            .get(token)
            .is_some_and(|expiry| expiry.is_none_or(|at| now < at))
    }

    /// Checks a user name (Unicode case ignored) and password (exact); on success issues a
    /// token and returns it with its expiry as the server writes it.
    pub(crate) fn sign_in(&self, user_name: &str, password: &str) -> Option<(String, String)> {
        if user_name.is_empty() || password.is_empty() {
            return None;
        }
        let user_name = user_name.to_lowercase();
        let known = self
            .users
            .iter()
            .any(|(name, pw)| name.to_lowercase() == user_name && pw == password);
        if !known {
            return None;
        }
        let token = crate::server::auth::fresh_token();
        let now = Instant::now();
        let expiry = now.checked_add(self.token_lifetime);
        {
            let mut sessions = lock(&self.sessions);
            sessions.retain(|_, at| at.is_none_or(|at| now < at));
            sessions.insert(token.clone(), expiry);
        }
        lock(&self.issued).push(token.clone());
        self.logins.fetch_add(1, Ordering::SeqCst);
        Some((token, expires_text(self.token_lifetime)))
    }

    /// Makes every issued token expired from now on.
    pub(crate) fn expire_sessions(&self) {
        let now = Instant::now();
        for expiry in lock(&self.sessions).values_mut() {
            *expiry = Some(now);
        }
    }

    pub(crate) fn logins(&self) -> u64 {
        self.logins.load(Ordering::SeqCst)
    }

    /// Every token sign-in has issued.
    pub(crate) fn issued_tokens(&self) -> Vec<String> {
        lock(&self.issued).clone()
    }

    /// How many calls the function of `id` answered.
    pub(crate) fn calls_of(&self, id: r7_proto::EndpointId) -> u64 {
        lock(&self.calls).get(&id).copied().unwrap_or(0)
    }

    /// Counts a request against the rate limit; `Err` holds how long until the window ends
    /// when the limit is already reached (the request is then not counted).
    pub(crate) fn admit(&self) -> Result<(), Duration> {
        let Some(limit) = self.rate_limit else {
            return Ok(());
        };
        let now = Instant::now();
        let mut window = lock(&self.window);
        let elapsed = window.opened.map(|opened| now.duration_since(opened));
        match elapsed {
            Some(elapsed) if elapsed < limit.window => {}
            _ => {
                *window = Window {
                    opened: Some(now),
                    counted: 0,
                }
            }
        }
        if window.counted >= limit.requests {
            let elapsed = window
                .opened
                .map_or(Duration::ZERO, |o| now.duration_since(o));
            return Err(limit.window.saturating_sub(elapsed));
        }
        window.counted += 1;
        Ok(())
    }
}

/// `now + lifetime` in UTC as the server writes it, or its "no date" when that is past year
/// 9999.
fn expires_text(lifetime: Duration) -> String {
    let now = match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i128::try_from(d.as_nanos()).unwrap_or(i128::MAX),
        Err(e) => i128::try_from(e.duration().as_nanos()).map_or(i128::MIN, |n| -n),
    };
    i128::try_from(lifetime.as_nanos())
        .ok()
        .and_then(|life| now.checked_add(life))
        .and_then(|at| ApiDateTime::from_unix_nanos(at, 0).ok())
        .map_or_else(|| NO_DATE.to_owned(), |at| at.to_string())
}

/// A request being handled, counted in [`Shared::enter`] until this is dropped.
pub(crate) struct InFlight<'a>(&'a Shared);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(config: Config) -> Shared {
        let (_stop, stopped) = watch::channel(false);
        Shared::new(config, stopped)
    }

    #[test]
    fn sign_in_checks_credentials_and_issues_tokens() {
        let shared = shared(Config::default());
        assert!(shared.accepts(crate::DEFAULT_TOKEN));
        assert!(!shared.accepts(""));
        assert_eq!(
            shared.sign_in(crate::DEFAULT_USER, "wrong"),
            None,
            "wrong password"
        );
        assert_eq!(shared.sign_in("", ""), None);
        assert_eq!(shared.sign_in("nobody", crate::DEFAULT_PASSWORD), None);
        let (token, expires) = shared
            .sign_in("ADMIN@example.com", crate::DEFAULT_PASSWORD)
            .unwrap();
        assert!(shared.accepts(&token));
        assert_eq!(shared.logins(), 1);
        let expires = ApiDateTime::parse(&expires).unwrap();
        assert_eq!(expires.offset_minutes(), 0);
        let in_a_year = ApiDateTime::now_utc().unix_nanos() + 364 * 86_400 * 1_000_000_000;
        assert!(expires.unix_nanos() > in_a_year);

        shared.expire_sessions();
        assert!(!shared.accepts(&token));
        assert!(
            shared.accepts(crate::DEFAULT_TOKEN),
            "the configured token stays"
        );
    }

    #[test]
    fn a_lifetime_past_the_calendar_never_expires() {
        let shared = shared(Config {
            token_lifetime: Some(Duration::MAX),
            ..Config::default()
        });
        let (token, expires) = shared
            .sign_in(crate::DEFAULT_USER, crate::DEFAULT_PASSWORD)
            .unwrap();
        assert_eq!(expires, NO_DATE);
        assert!(shared.accepts(&token));
        assert_eq!(
            expires_text(Duration::from_secs(1)).len(),
            "2024-01-01T00:00:00.0000000Z".len()
        );
    }

    #[test]
    fn rate_limit_window() {
        let shared = shared(Config {
            rate_limit: Some(RateLimit {
                requests: 2,
                window: Duration::from_secs(60),
            }),
            ..Config::default()
        });
        assert_eq!(shared.admit(), Ok(()));
        assert_eq!(shared.admit(), Ok(()));
        let wait = shared.admit().unwrap_err();
        assert!(wait > Duration::from_secs(59) && wait <= Duration::from_secs(60));

        let closed = self::shared(Config {
            rate_limit: Some(RateLimit {
                requests: 0,
                window: Duration::from_secs(1),
            }),
            ..Config::default()
        });
        assert!(closed.admit().is_err());

        let open = self::shared(Config {
            rate_limit: Some(RateLimit {
                requests: 1,
                window: Duration::ZERO,
            }),
            ..Config::default()
        });
        for _ in 0..3 {
            assert_eq!(open.admit(), Ok(()));
        }
    }
}
