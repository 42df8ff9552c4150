//! A small in-memory map whose entries serve for a fixed time, for read caches that writes on
//! this instance invalidate. A value read from the store before an invalidation is never
//! stored after it (each put carries the generation taken before the read).
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Entries of `V` by `K`, each fresh for `ttl`, at most `max` kept.
pub struct TtlMap<K, V> {
    entries: Mutex<HashMap<K, (Instant, V)>>,
    /// Bumped by every [`TtlMap::clear`].
    generation: AtomicU64,
    ttl: Duration,
    max: usize,
}

impl<K: Eq + Hash, V: Clone> TtlMap<K, V> {
    pub fn new(ttl: Duration, max: usize) -> Self {
        Self { entries: Mutex::new(HashMap::new()), generation: AtomicU64::new(0), ttl, max: max.max(1) }
    }

    /// The value for `key`, if fresh.
    pub fn get(&self, key: &K) -> Option<V> {
        self.entries.lock().get(key).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, v)| v.clone())
    }

    /// The generation to pass to [`TtlMap::put`] for a value about to be read.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps `value` for `key` unless the map was cleared since `generation` was taken. When
    /// full, stale entries go first, then everything.
    pub fn put(&self, key: K, generation: u64, value: V) {
        let mut entries = self.entries.lock();
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.len() >= self.max {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| at.elapsed() < ttl);
            if entries.len() >= self.max {
                entries.clear();
            }
        }
        entries.insert(key, (Instant::now(), value));
    }

    /// Drops every entry (after a change to what they reflect).
    pub fn clear(&self) {
        let mut entries = self.entries.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_read_before_a_clear_is_not_kept() {
        let map = TtlMap::new(Duration::from_secs(60), 10);
        let before = map.generation();
        map.clear();
        map.put("q", before, "old");
        assert_eq!(map.get(&"q"), None);
        map.put("q", map.generation(), "new");
        assert_eq!(map.get(&"q"), Some("new"));
        map.clear();
        assert_eq!(map.get(&"q"), None);
    }

    #[test]
    fn a_full_map_makes_room() {
        let map = TtlMap::new(Duration::from_secs(60), 2);
        for k in 0..5 {
            map.put(k, map.generation(), k);
        }
        assert_eq!(map.get(&4), Some(4));
        assert!(map.entries.lock().len() <= 2);
    }
}
