//! Cached preference-only work, keyed by (preference fingerprint, job-set version).
//!
//! Subscribers with the same preferences share candidates, filters and score parts as
//! long as the job set does not change; each call still applies its own history
//! (already sent, feedback) and clock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::preferences::Preferences;

use super::rank::Scored;

/// A stable 64-bit hash (FNV-1a) of the preferences' serialized form: the same
/// preferences give the same fingerprint in every process and release.
pub fn preference_fingerprint(prefs: &Preferences) -> u64 {
    let text = serde_json::to_string(prefs).expect("preferences always serialize");
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

type Key = (u64, u64);

/// Shared across threads; entries of older job-set versions are dropped as newer ones
/// arrive, and the whole cache is cleared when it reaches its capacity.
#[derive(Debug)]
pub struct MatchCache {
    entries: Mutex<HashMap<Key, Arc<Vec<Scored>>>>,
    capacity: usize,
}

impl Default for MatchCache {
    fn default() -> Self {
        Self::new(10_000)
    }
}

impl MatchCache {
    /// A cache holding at most `capacity` preference sets.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// How many preference sets are cached.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Arc<Vec<Scored>>>> {
        // A panic elsewhere cannot leave a half-written entry: the map is still valid.
        self.entries.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    pub(crate) fn get_or_insert_with(
        &self,
        key: Key,
        compute: impl FnOnce() -> Arc<Vec<Scored>>,
    ) -> Arc<Vec<Scored>> {
        if let Some(hit) = self.lock().get(&key) {
            return Arc::clone(hit);
        }
        let value = compute();
        let mut entries = self.lock();
        entries.retain(|(_, version), _| *version >= key.1);
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(key, Arc::clone(&value));
        value
    }
}
