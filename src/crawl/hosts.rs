//! Politeness per host, shared by all jobs: a cap on requests in flight and, when a
//! robots.txt asks for it, a minimum gap between requests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

struct HostSlot {
    in_flight: Arc<Semaphore>,
    next_start: tokio::sync::Mutex<Instant>,
}

pub struct HostLimiter {
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<HostSlot>>>,
}

impl HostLimiter {
    pub fn new(per_host: usize) -> Self {
        HostLimiter {
            per_host: per_host.max(1),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a free slot on `host` and for its crawl delay; hold the permit while
    /// fetching. `None` only if the slot's semaphore were closed, which nothing does.
    pub async fn acquire(
        &self,
        host: &str,
        delay: Option<Duration>,
    ) -> Option<OwnedSemaphorePermit> {
        let slot = {
            let mut hosts = self
                .hosts
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            hosts
                .entry(host.to_string())
                .or_insert_with(|| {
                    Arc::new(HostSlot {
                        in_flight: Arc::new(Semaphore::new(self.per_host)),
                        next_start: tokio::sync::Mutex::new(Instant::now()),
                    })
                })
                .clone()
        };
        let permit = slot.in_flight.clone().acquire_owned().await.ok();
        if let Some(delay) = delay.filter(|d| !d.is_zero()) {
            let mut next_start = slot.next_start.lock().await;
            let now = Instant::now();
            if *next_start > now {
                tokio::time::sleep_until(*next_start).await;
            }
            *next_start = Instant::now() + delay;
        }
        permit
    }
}
