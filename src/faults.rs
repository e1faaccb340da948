//! Test hooks: named points of the crawl where a test can stop the process (to SIGKILL it
//! exactly there) or make the database full or read-only from then on, so that crash
//! recovery and storage failures are tested at known places instead of by timing.
//!
//! Off unless `DOCSCRAPE_TEST_FAULTS` is set, e.g. `pause@page-write#3` (stop the 3rd time a
//! page is being written) or `full@fetch-body#5,pause@job-finish` (comma-separated,
//! `#n` defaults to 1). When off, a point costs one check of an unset `OnceLock`.
//!
//! Actions: `pause` prints `docscrape paused at fault point <point>` on stdout and blocks
//! the thread for good; `stall` prints `docscrape stalled at fault point <point>` and
//! blocks the thread for `STALL`, then goes on (to widen a race a test wants to hit); `full` and `readonly` make every database connection taken from
//! then on behave as on a full disk (SQLITE_FULL on growth) or a read-only file
//! (SQLITE_READONLY on any write); `panic` panics there (a bug in that step).
//!
//! The hooks exist only in builds with the `test-faults` cargo feature, which `cargo test`
//! turns on (see Cargo.toml); in every other build a point is an empty inline function,
//! and a set `DOCSCRAPE_TEST_FAULTS` stops the server at start-up with a sentence saying
//! that this build has none.

/// The environment variable holding the fault list.
pub const ENV_VAR: &str = "DOCSCRAPE_TEST_FAULTS";

/// After response headers arrive, before the body is read.
pub const FETCH_BODY: &str = "fetch-body";
/// Inside a page's write transaction, after the page row, before its chunks.
pub const PAGE_WRITE: &str = "page-write";
/// Inside a job's final write transaction, after the job row, before the commit.
pub const JOB_FINISH: &str = "job-finish";
/// On the blocking pool, before a fetched page's links are planned (scoped and ranked).
pub const PLAN_LINKS: &str = "plan-links";
/// In an upload job, after it is marked running, before its file is converted.
pub const UPLOAD_PROCESS: &str = "upload-process";
/// Inside a transaction that writes pages cleaned of the site template, after the first.
pub const TEMPLATE_CLEAN: &str = "template-clean";
/// In the lease renewal (PostgreSQL), after it read which jobs this instance still holds,
/// before it stops the tasks of the others.
pub const LEASE_RENEW: &str = "lease-renew";
/// How long a `stall` blocks.
pub const STALL: std::time::Duration = std::time::Duration::from_secs(3);

/// How the database misbehaves once a storage fault fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageFault {
    Full,
    ReadOnly,
}

#[cfg(feature = "test-faults")]
mod armed;
#[cfg(feature = "test-faults")]
pub use armed::{init_from_env, point, storage_fault};

/// Without the feature, a fault list cannot be honoured: say so rather than run without it.
#[cfg(not(feature = "test-faults"))]
pub fn init_from_env() -> Result<(), String> {
    match std::env::var_os(ENV_VAR) {
        Some(_) => Err(format!(
            "{ENV_VAR} is set, but this build has no test faults (they come with the test-faults feature, which `cargo test` turns on)"
        )),
        None => Ok(()),
    }
}

#[cfg(not(feature = "test-faults"))]
#[inline(always)]
pub fn point(_point: &str) {}

#[cfg(not(feature = "test-faults"))]
#[inline(always)]
pub fn storage_fault() -> Option<StorageFault> {
    None
}
