//! Politeness per host, shared by all jobs: a cap on requests in flight and, when a
//! robots.txt asks for it, a minimum gap between requests. Every request of the crawler
//! (pages, robots.txt, sitemaps, llms.txt) goes through here.
//!
//! A host's entry lives while someone holds or waits for one of its permits, or while its
//! crawl delay still has to be kept; then it is forgotten, so that a server that crawled
//! a million hosts does not keep a million entries.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

struct HostSlot {
    in_flight: Arc<Semaphore>,
    /// When the next request may start, under a crawl delay.
    next_start: Mutex<Instant>,
}

impl HostSlot {
    fn lock_next_start(&self) -> MutexGuard<'_, Instant> {
        self.next_start
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

type HostMap = Mutex<HashMap<String, Arc<HostSlot>>>;

pub struct HostLimiter {
    per_host: usize,
    hosts: Arc<HostMap>,
    /// Acquisitions so far; every `SWEEP_EVERY`th sweeps out passed crawl delays.
    acquisitions: AtomicU64,
}

const SWEEP_EVERY: u64 = 256;

/// Leave to send one request to a host; dropping it frees the slot (and forgets the host
/// when nobody else needs its entry).
pub struct HostPermit {
    host: String,
    slot: Option<Arc<HostSlot>>,
    permit: Option<OwnedSemaphorePermit>,
    hosts: Arc<HostMap>,
}

impl Drop for HostPermit {
    fn drop(&mut self) {
        drop(self.permit.take());
        let Some(slot) = self.slot.take() else {
            return;
        };
        let mut hosts = lock(&self.hosts);
        // Two references: the map's and ours. Anyone waiting for the host holds a third
        // (taken under this same lock), so the entry stays for them.
        if Arc::strong_count(&slot) == 2 && *slot.lock_next_start() <= Instant::now() {
            hosts.remove(&self.host);
        }
    }
}

fn lock(hosts: &HostMap) -> MutexGuard<'_, HashMap<String, Arc<HostSlot>>> {
    hosts
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl HostLimiter {
    pub fn new(per_host: usize) -> Self {
        HostLimiter {
            per_host: per_host.max(1),
            hosts: Arc::new(Mutex::new(HashMap::new())),
            acquisitions: AtomicU64::new(0),
        }
    }

    /// Waits for a free slot on `host` and for its crawl delay; hold the permit while
    /// fetching.
    pub async fn acquire(&self, host: &str, delay: Option<Duration>) -> HostPermit {
        let slot = {
            let mut hosts = lock(&self.hosts);
            if self.acquisitions.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
                forget_passed_delays(&mut hosts);
            }
            hosts
                .entry(host.to_string())
                .or_insert_with(|| {
                    Arc::new(HostSlot {
                        in_flight: Arc::new(Semaphore::new(self.per_host)),
                        next_start: Mutex::new(Instant::now()),
                    })
                })
                .clone()
        };
        // The semaphore is never closed, so this only fails if that changed.
        let permit = slot.in_flight.clone().acquire_owned().await.ok();
        if let Some(delay) = delay.filter(|d| !d.is_zero()) {
            // Reserve the next start time, then wait for it without holding the lock.
            let start = {
                let mut next_start = slot.lock_next_start();
                let start = (*next_start).max(Instant::now());
                *next_start = start + delay;
                start
            };
            tokio::time::sleep_until(start).await;
        }
        HostPermit {
            host: host.to_string(),
            slot: Some(slot),
            permit,
            hosts: self.hosts.clone(),
        }
    }

    /// Hosts with an entry: in use, awaited, or keeping a crawl delay.
    pub fn tracked_hosts(&self) -> usize {
        lock(&self.hosts).len()
    }
}

/// Drops entries kept only for a crawl delay that has passed (a permit's drop keeps an
/// entry whose delay still runs, and nothing else would remove it later).
fn forget_passed_delays(hosts: &mut HashMap<String, Arc<HostSlot>>) {
    let now = Instant::now();
    hosts.retain(|_, slot| Arc::strong_count(slot) > 1 || *slot.lock_next_start() > now);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn idle_hosts_are_forgotten() {
        let limiter = HostLimiter::new(2);
        for n in 0..1000 {
            let permit = limiter.acquire(&format!("host-{n}.example"), None).await;
            assert_eq!(limiter.tracked_hosts(), 1);
            drop(permit);
        }
        assert_eq!(limiter.tracked_hosts(), 0);

        let first = limiter.acquire("a.example", None).await;
        let second = limiter.acquire("a.example", None).await;
        drop(first);
        assert_eq!(
            limiter.tracked_hosts(),
            1,
            "still held by the second permit"
        );
        drop(second);
        assert_eq!(limiter.tracked_hosts(), 0);
    }

    #[tokio::test]
    async fn a_host_is_kept_while_its_crawl_delay_runs_and_the_cap_holds() {
        let limiter = Arc::new(HostLimiter::new(1));
        let delay = Some(Duration::from_millis(300));
        let started = Instant::now();
        drop(limiter.acquire("slow.example", delay).await);
        assert_eq!(limiter.tracked_hosts(), 1, "the delay must be remembered");
        drop(limiter.acquire("slow.example", delay).await);
        assert!(started.elapsed() >= Duration::from_millis(300));

        // With one slot, a second request waits until the first permit goes.
        let held = limiter.acquire("one.example", None).await;
        let waiting = {
            let limiter = limiter.clone();
            tokio::spawn(async move { drop(limiter.acquire("one.example", None).await) })
        };
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        drop(held);
        waiting.await.expect("second request");

        // Once the delay has passed, a later sweep drops the entry.
        tokio::time::sleep(Duration::from_millis(400)).await;
        for n in 0..300 {
            let _permit = limiter.acquire(&format!("h{n}.example"), None).await;
        }
        assert_eq!(limiter.tracked_hosts(), 0);
    }
}
