//! The portal's data, shared by every connection and by the [`Emulator`](crate::Emulator) handle.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use r7_model::Opportunity;

/// Everything the server tasks share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) token: String,
    deals: Mutex<BTreeMap<i64, Opportunity>>,
    served: AtomicU64,
}

impl Shared {
    pub(crate) fn new(token: String, opportunities: Vec<Opportunity>) -> Self {
        Shared {
            token,
            deals: Mutex::new(opportunities.into_iter().map(|d| (d.id, d)).collect()),
            served: AtomicU64::new(0),
        }
    }

    /// A panic elsewhere while the lock was held must not take the server down: the map is
    /// never left half-updated (each operation is one insert or remove), so its data is usable.
    fn deals(&self) -> std::sync::MutexGuard<'_, BTreeMap<i64, Opportunity>> {
        self.deals
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn get(&self, id: i64) -> Option<Opportunity> {
        self.deals().get(&id).cloned()
    }

    pub(crate) fn remove(&self, id: i64) -> Option<Opportunity> {
        self.deals().remove(&id)
    }

    pub(crate) fn ids(&self) -> Vec<i64> {
        self.deals().keys().copied().collect()
    }

    pub(crate) fn count_served(&self) {
        self.served.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn served(&self) -> u64 {
        self.served.load(Ordering::SeqCst)
    }
}
