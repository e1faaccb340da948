//! Session rows.

use super::sql::{args, Optional, Sql};

use super::jobs::Ending;
use super::{Db, StorageResult};
use crate::ids;

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: String,
    pub created_at: String,
    pub updated_at: String,
    pub latest_scrape_job_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SessionSummary {
    pub id: String,
    pub created_at: String,
    pub updated_at: String,
    pub job_count: i64,
    pub page_count: i64,
}

/// Inserts a session; `false` when the id exists (the primary key settles concurrent races).
pub fn create(conn: &Sql<'_>, id: &str) -> StorageResult<bool> {
    let now = ids::now();
    let inserted = conn.execute(
        "INSERT INTO sessions (id, created_at, updated_at) VALUES (?1, ?2, ?2) ON CONFLICT(id) DO NOTHING",
        args![id, now],
    )?;
    Ok(inserted == 1)
}

pub fn count(conn: &Sql<'_>) -> StorageResult<i64> {
    conn.query_row("SELECT count(*) FROM sessions", [], |row| row.get(0))
}

pub fn get(conn: &Sql<'_>, id: &str) -> StorageResult<Option<SessionRow>> {
    conn.query_row(
        "SELECT id, created_at, updated_at, latest_scrape_job_id FROM sessions WHERE id = ?1",
        [id],
        |row| {
            Ok(SessionRow {
                id: row.get(0)?,
                created_at: row.get(1)?,
                updated_at: row.get(2)?,
                latest_scrape_job_id: row.get(3)?,
            })
        },
    )
    .optional()
}

pub fn exists(conn: &Sql<'_>, id: &str) -> StorageResult<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM sessions WHERE id = ?1", [id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Newest first.
pub fn list(conn: &Sql<'_>, offset: u32, limit: u32) -> StorageResult<Vec<SessionSummary>> {
    let mut stmt = conn.prepare(
        "SELECT s.id, s.created_at, s.updated_at,
                (SELECT count(*) FROM jobs j WHERE j.session_id = s.id),
                (SELECT count(*) FROM pages p WHERE p.session_id = s.id)
         FROM sessions s ORDER BY s.created_at DESC, s.rowid DESC LIMIT ?1 OFFSET ?2",
    )?;
    let rows = stmt.query_map(args![limit, offset], |row| {
        Ok(SessionSummary {
            id: row.get(0)?,
            created_at: row.get(1)?,
            updated_at: row.get(2)?,
            job_count: row.get(3)?,
            page_count: row.get(4)?,
        })
    })?;
    rows.collect::<Result<_, _>>()
}

/// Frontier rows deleted per transaction at most when a session goes.
const FRONTIER_ROWS_PER_DELETE: i64 = 10_000;

/// Pauses after a deleting transaction as long as it took (within bounds): a writer that
/// waited meanwhile sleeps in SQLite's busy handler and retries only every few tens of
/// milliseconds, so without a pause the next batch would take the lock before it again.
async fn make_way(batch_took: std::time::Duration) {
    let pause = batch_took.clamp(
        std::time::Duration::from_millis(5),
        std::time::Duration::from_millis(100),
    );
    tokio::time::sleep(pause).await;
}

/// Deletes the session with its jobs, pages, chunks and frontier in a series of short
/// transactions (see `pages::CHUNKS_PER_DELETE`), so that deleting a large session never
/// holds the write lock long enough for another job's write to wait out the busy
/// timeout. The first stops the session's jobs from writing; every step leaves whole
/// pages, so an interrupted deletion leaves a smaller session, never a broken one.
/// `false` when there was no such session.
pub async fn delete_in_batches(db: &Db, id: &str) -> StorageResult<bool> {
    let session = id.to_string();
    let found = db
        .write(move |tx| {
            if !exists(tx, &session)? {
                return Ok(false);
            }
            // Its jobs end as cancelled, as a cancel would end them: a crawl still running
            // sees that in its next write and writes nothing more.
            let live: Vec<String> = {
                let mut stmt = tx.prepare(
                    "SELECT id FROM jobs WHERE session_id = ?1 AND status IN ('queued', 'running')",
                )?;
                let rows = stmt.query_map([&session], |row| row.get(0))?;
                rows.collect::<Result<_, _>>()?
            };
            let cancelled = Ending::Finished {
                reason: "cancelled",
            };
            for job in live {
                super::jobs::finish(tx, &job, &cancelled)?;
            }
            Ok(true)
        })
        .await?;
    if !found {
        return Ok(false);
    }
    loop {
        let session = id.to_string();
        let started = std::time::Instant::now();
        let (pages, _) = db
            .write(move |tx| {
                super::pages::delete_some(tx, &session, super::pages::CHUNKS_PER_DELETE)
            })
            .await?;
        if pages == 0 {
            break;
        }
        make_way(started.elapsed()).await;
    }
    loop {
        let session = id.to_string();
        let started = std::time::Instant::now();
        let deleted = db
            .write(move |tx| {
                tx.execute(
                    "DELETE FROM frontier WHERE rowid IN (
                         SELECT f.rowid FROM frontier f JOIN jobs j ON j.id = f.job_id
                         WHERE j.session_id = ?1 LIMIT ?2)",
                    args![session, FRONTIER_ROWS_PER_DELETE],
                )
            })
            .await?;
        if deleted == 0 {
            break;
        }
        make_way(started.elapsed()).await;
    }
    let session = id.to_string();
    db.write(move |tx| Ok(tx.execute("DELETE FROM sessions WHERE id = ?1", [&session])? == 1))
        .await
}

pub fn touch(conn: &Sql<'_>, id: &str, at: &str) -> StorageResult<()> {
    conn.execute(
        "UPDATE sessions SET updated_at = ?2 WHERE id = ?1",
        args![id, at],
    )?;
    Ok(())
}
