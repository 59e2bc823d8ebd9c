//! Parsed shop records kept in memory, so a turn does not decode the same
//! customer and orders from JSON several times (a turn looks them up a few
//! times: the dialog's facts, the tier, the agent's context).
//!
//! Records are cached once read and forgotten on every change the shop
//! makes (import, cancellation). A reader that loaded a record before a
//! change must not put the stale copy back after it: each change bumps a
//! generation, and a reader only fills the cache if the generation it saw
//! before its read still holds.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};

use dialogs::{Customer, Order};

/// Beyond this many entries a map starts over: the cache serves the hot
/// records of a shop, it is not a copy of it.
const MAX_ENTRIES: usize = 50_000;

#[derive(Default)]
pub(super) struct Cache {
    generation: AtomicU64,
    pub(super) customers: Map<String, Customer>,
    pub(super) orders: Map<String, Order>,
    /// A customer's orders, newest first.
    pub(super) orders_of: Map<String, Vec<Order>>,
}

pub(super) struct Map<K, V>(RwLock<HashMap<K, V>>);

impl<K, V> Default for Map<K, V> {
    fn default() -> Self {
        Map(RwLock::new(HashMap::new()))
    }
}

impl Cache {
    /// The generation to pass to [`Map::fill`] after a read from sled.
    pub(super) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Forgets everything. Call after the change is written.
    pub(super) fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.customers.clear();
        self.orders.clear();
        self.orders_of.clear();
    }

    /// Loads through the cache: a hit is cloned, a miss is read by `load`
    /// and kept if found and if nothing changed meanwhile.
    pub(super) fn get_or_load<K, V, E>(
        &self,
        map: &Map<K, V>,
        key: &K,
        load: impl FnOnce() -> Result<Option<V>, E>,
    ) -> Result<Option<V>, E>
    where
        K: Hash + Eq + Clone,
        V: Clone,
    {
        if let Some(hit) = map.get(key) {
            return Ok(Some(hit));
        }
        let seen = self.generation();
        let loaded = load()?;
        if let Some(value) = &loaded {
            let mut entries = map.0.write().unwrap_or_else(PoisonError::into_inner);
            // Checked under the lock that `invalidate` clears with: either
            // the change came first (skip) or its clear comes after (gone).
            if self.generation() == seen {
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
                entries.insert(key.clone(), value.clone());
            }
        }
        Ok(loaded)
    }
}

impl<K: Hash + Eq, V: Clone> Map<K, V> {
    fn get(&self, key: &K) -> Option<V> {
        let entries = self.0.read().unwrap_or_else(PoisonError::into_inner);
        entries.get(key).cloned()
    }

    fn clear(&self) {
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_raced_a_change_is_not_kept() {
        let cache = Cache::default();
        let key = "k".to_owned();
        let stale: Result<_, ()> = cache.get_or_load(&cache.orders_of, &key, || {
            // The shop changes while this reader holds the old value.
            cache.invalidate();
            Ok(Some(Vec::new()))
        });
        assert_eq!(stale.unwrap(), Some(Vec::new()));
        assert!(cache.orders_of.get(&key).is_none());

        let fresh: Result<_, ()> =
            cache.get_or_load(&cache.orders_of, &key, || Ok(Some(Vec::new())));
        assert!(fresh.unwrap().is_some());
        assert!(
            cache.orders_of.get(&key).is_some(),
            "kept when nothing changed"
        );
        cache.invalidate();
        assert!(cache.orders_of.get(&key).is_none());
    }

    #[test]
    fn misses_are_not_kept() {
        let cache = Cache::default();
        let key = "nobody".to_owned();
        let got: Result<Option<Customer>, ()> =
            cache.get_or_load(&cache.customers, &key, || Ok(None));
        assert_eq!(got.unwrap(), None);
        assert!(cache.customers.0.read().unwrap().is_empty());
    }
}
