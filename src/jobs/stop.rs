//! How a running job is told to stop, and how its CPU work waits while a cancel is decided.
//!
//! A cancel is written to the database first and only then stops the job's task, so that
//! a cancel that cannot be written leaves the job running rather than stopped without an
//! end. That write can take a while: on PostgreSQL it waits for the job's row, which the
//! job's own page write may hold. Meanwhile the pages in hand would go on parsing and
//! chunking to their end. So the cancel first marks itself as being decided, and a page's
//! CPU work, between its steps, waits for the decision instead of working on: stopped
//! when the cancel was written, on again when it failed.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tokio_util::sync::{CancellationToken, WaitForCancellationFuture};

/// Longest a page's CPU work waits for a cancel to be decided; the cancel's write has the
/// database's own timeouts, this only keeps a stuck one from holding the page forever.
const LONGEST_DECISION: Duration = Duration::from_secs(10);

/// A job's stop signal: a cancellation token and the cancels being decided.
#[derive(Clone, Default)]
pub struct JobStop {
    token: CancellationToken,
    deciding: Arc<Deciding>,
}

#[derive(Default)]
struct Deciding {
    /// Cancels being decided now (two requests may race).
    count: AtomicU32,
    /// Held to change `count` to zero and to wait for that, so no wake-up is missed.
    lock: Mutex<()>,
    decided: Condvar,
}

impl JobStop {
    pub fn new() -> Self {
        Self::default()
    }

    /// Stops the job: its task and the pages in hand stop at their next step.
    pub fn cancel(&self) {
        self.token.cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Completes when the job is stopped.
    pub fn cancelled(&self) -> WaitForCancellationFuture<'_> {
        self.token.cancelled()
    }

    /// The token alone, for work that only needs to stop (an upload's import).
    pub fn token(&self) -> CancellationToken {
        self.token.clone()
    }

    /// For blocking CPU work between its steps: whether to stop, after waiting for a cancel
    /// being decided (if any) to be written or to fail.
    pub fn is_cancelled_once_decided(&self) -> bool {
        if self.deciding.count.load(Ordering::Acquire) > 0 && !self.token.is_cancelled() {
            let guard = self
                .deciding
                .lock
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let _ = self
                .deciding
                .decided
                .wait_timeout_while(guard, LONGEST_DECISION, |_| {
                    self.deciding.count.load(Ordering::Acquire) > 0 && !self.token.is_cancelled()
                });
        }
        self.token.is_cancelled()
    }

    /// Marks a cancel as being decided until the returned guard is dropped. Stop the job
    /// (`cancel`) before dropping it when the cancel was written.
    pub fn deciding(&self) -> DecidingGuard {
        self.deciding.count.fetch_add(1, Ordering::AcqRel);
        DecidingGuard {
            deciding: self.deciding.clone(),
        }
    }
}

/// Ends one cancel's decision when dropped, waking the work that waits for it.
pub struct DecidingGuard {
    deciding: Arc<Deciding>,
}

impl Drop for DecidingGuard {
    fn drop(&mut self) {
        let _guard = self
            .deciding
            .lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.deciding.count.fetch_sub(1, Ordering::AcqRel);
        self.deciding.decided.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_waits_for_a_cancel_being_decided_and_then_stops() {
        let stop = JobStop::new();
        let deciding = stop.deciding();
        let worker = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let asked = std::time::Instant::now();
                (stop.is_cancelled_once_decided(), asked.elapsed())
            })
        };
        std::thread::sleep(Duration::from_millis(100));
        stop.cancel();
        drop(deciding);
        let (cancelled, waited) = worker.join().expect("worker");
        assert!(cancelled);
        assert!(waited >= Duration::from_millis(90), "{waited:?}");
    }

    #[test]
    fn work_goes_on_when_the_cancel_fails() {
        let stop = JobStop::new();
        let deciding = stop.deciding();
        let worker = {
            let stop = stop.clone();
            std::thread::spawn(move || stop.is_cancelled_once_decided())
        };
        std::thread::sleep(Duration::from_millis(50));
        drop(deciding);
        assert!(!worker.join().expect("worker"));
        assert!(!stop.is_cancelled_once_decided());
    }
}
