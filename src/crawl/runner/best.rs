//! The best-ranked URLs of a stream too long to keep: a bounded heap whose worst entry
//! leaves when a better one arrives, so memory stays in proportion to what is kept.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashSet};

use crate::storage::frontier::NewUrl;

/// One kept URL with its arrival number: among equal priorities the earlier one wins,
/// as in the frontier itself.
struct Ranked {
    url: NewUrl,
    arrival: u64,
}

impl Ranked {
    fn key(&self) -> (i64, Reverse<u64>) {
        (self.url.priority, Reverse(self.arrival))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

pub(super) struct BestUrls {
    keep: usize,
    /// A min-heap: the top is the worst entry kept.
    heap: BinaryHeap<Reverse<Ranked>>,
    kept: HashSet<String>,
    arrivals: u64,
}

impl BestUrls {
    pub(super) fn new(keep: usize) -> Self {
        BestUrls {
            keep,
            heap: BinaryHeap::new(),
            kept: HashSet::new(),
            arrivals: 0,
        }
    }

    /// Offers URLs; each is kept if it is among the best `keep` seen so far. A URL kept
    /// already is not offered twice.
    pub(super) fn extend(&mut self, urls: impl IntoIterator<Item = NewUrl>) {
        for url in urls {
            if self.keep == 0 || self.kept.contains(&url.url) {
                continue;
            }
            self.arrivals += 1;
            let ranked = Ranked {
                url,
                arrival: self.arrivals,
            };
            if self.heap.len() >= self.keep {
                match self.heap.peek() {
                    Some(Reverse(worst)) if *worst < ranked => {}
                    _ => continue,
                }
                if let Some(Reverse(worst)) = self.heap.pop() {
                    self.kept.remove(&worst.url.url);
                }
            }
            self.kept.insert(ranked.url.url.clone());
            self.heap.push(Reverse(ranked));
        }
    }

    /// How many distinct URLs were offered.
    pub(super) fn offered(&self) -> u64 {
        self.arrivals
    }

    /// The kept URLs, best first, leaving this empty.
    pub(super) fn take(&mut self) -> Vec<NewUrl> {
        self.kept.clear();
        let mut ranked: Vec<Ranked> = std::mem::take(&mut self.heap)
            .into_iter()
            .map(|Reverse(ranked)| ranked)
            .collect();
        ranked.sort_by(|a, b| b.cmp(a));
        ranked.into_iter().map(|ranked| ranked.url).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(name: &str, priority: i64) -> NewUrl {
        NewUrl {
            url: format!("https://d.example/{name}"),
            depth: 1,
            priority,
        }
    }

    fn names(urls: &[NewUrl]) -> Vec<String> {
        urls.iter()
            .map(|u| u.url.trim_start_matches("https://d.example/").to_string())
            .collect()
    }

    #[test]
    fn keeps_the_best_and_the_earliest_among_equals() {
        let mut best = BestUrls::new(3);
        best.extend([url("a", 1), url("b", 5), url("c", 1), url("d", 3)]);
        best.extend([url("e", 5), url("b", 5), url("f", -2), url("g", 4)]);
        assert_eq!(best.offered(), 7, "the repeated b is not offered twice");
        assert_eq!(names(&best.take()), ["b", "e", "g"]);

        let mut ties = BestUrls::new(2);
        ties.extend([url("x", 0), url("y", 0), url("z", 0)]);
        assert_eq!(names(&ties.take()), ["x", "y"]);
    }

    #[test]
    fn memory_stays_at_what_is_kept() {
        let mut best = BestUrls::new(100);
        best.extend((0..200_000).map(|n| url(&format!("p{n}"), (n % 1000) as i64)));
        assert_eq!(best.heap.len(), 100);
        assert_eq!(best.kept.len(), 100);
        let kept = best.take();
        assert!(kept.iter().all(|u| u.priority == 999), "{:?}", &kept[..3]);
        assert_eq!(kept[0].url, "https://d.example/p999");
    }
}
