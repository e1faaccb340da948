//! The URLs a running job has already put in its frontier, remembered in memory so that
//! the links every page repeats (a sidebar of 150 links, a header menu) are neither
//! ranked nor written again: the frontier would ignore them (`ON CONFLICT DO NOTHING`),
//! but each would still cost a ranking and an insert statement in the write transaction.
//!
//! Only a cache of what the database holds: a URL it does not know goes to the database as
//! before. It is filled after a write commits (so it never names a row that is not there),
//! emptied when the frontier is trimmed (trimmed URLs may be queued again when found
//! anew), and bounded. A resumed job starts with it empty.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Mutex;

use crate::crawl::tokens::Fnv;

/// At most this many URLs are remembered (16 bytes each, plus the set's overhead: about
/// 8 MiB); past it the set starts again empty.
const MAX_REMEMBERED: usize = 1 << 18;

/// Two independent 64-bit hashes of a URL: a false "already queued" would lose a page,
/// so one hash is not enough.
pub(super) type Key = (u64, u64);

pub(super) struct QueuedUrls(Mutex<HashSet<Key, BuildHasherDefault<Fnv>>>);

impl QueuedUrls {
    pub(super) fn new() -> Self {
        QueuedUrls(Mutex::new(HashSet::default()))
    }

    pub(super) fn key(url: &str) -> Key {
        let mut fnv = Fnv::default();
        fnv.write(url.as_bytes());
        // SipHash with fixed keys: deterministic, and unrelated to FNV.
        let mut sip = std::hash::DefaultHasher::new();
        url.hash(&mut sip);
        (fnv.finish(), sip.finish())
    }

    /// Whether `key`'s URL is known to be in the job's frontier already.
    pub(super) fn contains(&self, key: &Key) -> bool {
        self.lock().contains(key)
    }

    /// Remembers URLs that a committed write put in the frontier (or found there).
    pub(super) fn remember(&self, keys: impl IntoIterator<Item = Key>) {
        let mut set = self.lock();
        for key in keys {
            if set.len() >= MAX_REMEMBERED {
                set.clear();
            }
            set.insert(key);
        }
    }

    /// Forgets everything: the frontier lost rows.
    pub(super) fn forget_all(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<Key, BuildHasherDefault<Fnv>>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_until_forgotten() {
        let queued = QueuedUrls::new();
        let a = QueuedUrls::key("https://docs.example/a.html");
        let b = QueuedUrls::key("https://docs.example/b.html");
        assert_ne!(a, b);
        assert!(!queued.contains(&a));
        queued.remember([a]);
        assert!(queued.contains(&a) && !queued.contains(&b));
        queued.forget_all();
        assert!(!queued.contains(&a));
    }

    #[test]
    fn stays_bounded() {
        let queued = QueuedUrls::new();
        queued.remember((0..MAX_REMEMBERED as u64 + 10).map(|n| (n, n)));
        assert!(queued.lock().len() <= MAX_REMEMBERED);
        assert!(queued.contains(&(MAX_REMEMBERED as u64 + 9, MAX_REMEMBERED as u64 + 9)));
    }
}
