//! Which instance runs which job. Several instances may share one PostgreSQL database:
//! an instance runs a job only while it holds the job's lease (`lease_owner`,
//! `lease_until` in epoch milliseconds), renews it every second, and a job whose lease
//! ran out (its instance died) is claimed by another one, which resumes it from its
//! persisted frontier. A SQLite file has one process, which owns every lease as `local`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::sql::{args, Dialect, Sql};
use super::StorageResult;

/// How long a claim holds without renewal: the time another instance waits before it
/// takes over the jobs of one that died.
pub const LEASE: Duration = Duration::from_secs(10);

/// How often an instance renews its leases (and so notices a job cancelled or taken
/// over elsewhere).
pub const RENEW_EVERY: Duration = Duration::from_secs(1);

/// The owner name of every lease in a SQLite file.
pub const LOCAL_OWNER: &str = "local";

/// Now, in the leases' unit.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}

fn expiry(now: i64) -> i64 {
    now.saturating_add(i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX))
}

/// Claims the oldest job that is not over and that no live instance holds (running
/// ones first, to resume them), skipping `skip` (the jobs this instance already runs
/// or could not record the end of). Returns its id and session.
pub fn claim_next(
    tx: &Sql<'_>,
    owner: &str,
    skip: &[String],
) -> StorageResult<Option<(String, String)>> {
    let now = now_ms();
    // On PostgreSQL the candidates are locked, and those another instance is claiming
    // at this moment are passed over rather than waited for.
    let sql = tx.pick(
        "SELECT id, session_id FROM jobs
         WHERE status IN ('running', 'queued')
           AND (lease_owner IS NULL OR lease_owner = ?1 OR lease_until < ?2)
         ORDER BY status = 'queued', rowid LIMIT ?3",
        "SELECT id, session_id FROM jobs
         WHERE status IN ('running', 'queued')
           AND (lease_owner IS NULL OR lease_owner = ?1 OR lease_until < ?2)
         ORDER BY status = 'queued', rowid LIMIT ?3 FOR UPDATE SKIP LOCKED",
    );
    let limit = i64::try_from(skip.len())
        .unwrap_or(i64::MAX)
        .saturating_add(1);
    let candidates: Vec<(String, String)> = tx.query_map(sql, args![owner, now, limit], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })?;
    for (id, session) in candidates {
        if skip.contains(&id) {
            continue;
        }
        if claim(tx, &id, owner)? {
            return Ok(Some((id, session)));
        }
    }
    Ok(None)
}

/// Claims job `id` for `owner`: `true` when it was free, expired or already `owner`'s,
/// and is not over.
pub fn claim(tx: &Sql<'_>, id: &str, owner: &str) -> StorageResult<bool> {
    let now = now_ms();
    let changed = tx.execute(
        "UPDATE jobs SET lease_owner = ?2, lease_until = ?4
         WHERE id = ?1 AND status IN ('running', 'queued')
           AND (lease_owner IS NULL OR lease_owner = ?2 OR lease_until < ?3)",
        args![id, owner, now, expiry(now)],
    )?;
    Ok(changed == 1)
}

/// Extends every lease `owner` holds on a job not yet over; returns those jobs. A job
/// this instance runs that is missing was ended elsewhere (a cancel sent to another
/// instance, its session deleted) or taken over after a lapse: its task must stop.
pub fn renew(tx: &Sql<'_>, owner: &str) -> StorageResult<Vec<String>> {
    let now = now_ms();
    tx.query_map(
        "UPDATE jobs SET lease_until = ?2
         WHERE lease_owner = ?1 AND status IN ('running', 'queued')
         RETURNING id",
        args![owner, expiry(now)],
        |row| row.get(0),
    )
}

/// Whether leases matter here: only several instances on one PostgreSQL server share jobs.
pub fn shared(dialect: Dialect) -> bool {
    dialect == Dialect::Postgres
}
