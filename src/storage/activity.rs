//! Read-only figures about one job's crawl, for watching it live (the CLI's progress
//! bar, the dashboard) and for summing it up at the end.

use super::sql::{args, Sql};

use super::StorageResult;

/// URLs of a job's frontier by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrontierCounts {
    pub pending: i64,
    pub fetching: i64,
    pub done: i64,
    pub failed: i64,
    pub skipped: i64,
}

pub fn frontier_counts(conn: &Sql<'_>, job_id: &str) -> StorageResult<FrontierCounts> {
    let mut stmt = conn
        .prepare_cached("SELECT state, count(*) FROM frontier WHERE job_id = ?1 GROUP BY state")?;
    let rows = stmt.query_map([job_id], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
    })?;
    let mut counts = FrontierCounts::default();
    for row in rows {
        let (state, count) = row?;
        match state.as_str() {
            "pending" => counts.pending = count,
            "fetching" => counts.fetching = count,
            "done" => counts.done = count,
            "failed" => counts.failed = count,
            _ => counts.skipped += count,
        }
    }
    Ok(counts)
}

/// Pages the job saved so far.
pub fn saved_pages(conn: &Sql<'_>, job_id: &str) -> StorageResult<i64> {
    conn.query_row(
        "SELECT count(*) FROM job_pages WHERE job_id = ?1",
        [job_id],
        |row| row.get(0),
    )
}

/// What a job saved: pages, chunks and tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SavedTotals {
    pub pages: i64,
    pub chunks: i64,
    pub tokens: i64,
}

pub fn saved_totals(conn: &Sql<'_>, job_id: &str) -> StorageResult<SavedTotals> {
    conn.query_row(
        "SELECT count(DISTINCT jp.page_id), count(c.id), CAST(coalesce(sum(c.token_count), 0) AS BIGINT)
         FROM job_pages jp LEFT JOIN chunks c ON c.page_id = jp.page_id WHERE jp.job_id = ?1",
        [job_id],
        |row| {
            Ok(SavedTotals {
                pages: row.get(0)?,
                chunks: row.get(1)?,
                tokens: row.get(2)?,
            })
        },
    )
}

/// Failed pages grouped by their reason line, most frequent first.
pub fn failures_by_reason(
    conn: &Sql<'_>,
    job_id: &str,
    limit: u32,
) -> StorageResult<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT coalesce(reason, 'failed') AS why, count(*) AS n FROM frontier
         WHERE job_id = ?1 AND state = 'failed' GROUP BY why ORDER BY n DESC, why LIMIT ?2",
    )?;
    let rows = stmt.query_map(args![job_id, limit], |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect::<Result<_, _>>()
}

/// The most recently found URLs that failed, with their reasons (newest first). The
/// frontier keeps discovery order, not failure time, which a crawl follows closely.
pub fn latest_failures(
    conn: &Sql<'_>,
    job_id: &str,
    limit: u32,
) -> StorageResult<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT url, coalesce(reason, 'failed') FROM frontier
         WHERE job_id = ?1 AND state = 'failed' ORDER BY rowid DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(args![job_id, limit], |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect::<Result<_, _>>()
}

/// Jobs of the whole database that are running and queued.
pub fn job_counts(conn: &Sql<'_>) -> StorageResult<(i64, i64)> {
    conn.query_row(
        "SELECT count(*) FILTER (WHERE status = 'running'), count(*) FILTER (WHERE status = 'queued')
         FROM jobs WHERE status IN ('running', 'queued')",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}
