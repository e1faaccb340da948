//! Job rows: creation, the queue, progress, the end of a job and its status snapshot.

use std::collections::BTreeMap;

use super::sql::{args, Optional, Row, Sql};

use super::{sessions, StorageResult};
use crate::error::StorageError;
use crate::ids;
use crate::model::{JobResult, SavedPage, TemplateRemoved, SCRAPE_JOB_TYPE};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Finished,
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Finished => "finished",
            JobState::Failed => "failed",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<JobState> {
        Some(match text {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "finished" => JobState::Finished,
            "failed" => JobState::Failed,
            _ => return None,
        })
    }

    pub fn is_over(self) -> bool {
        matches!(self, JobState::Finished | JobState::Failed)
    }
}

#[derive(Debug, Clone)]
pub struct JobRow {
    pub id: String,
    pub session_id: String,
    pub kind: String,
    pub state: JobState,
    pub created_at: String,
    pub started_at: Option<String>,
    pub updated_at: String,
    pub finished_at: Option<String>,
    pub input: String,
    pub stage: String,
    pub message: String,
    pub completed_iterations: i64,
    pub total_iterations: i64,
    pub finish_reason: Option<String>,
    pub result: Option<String>,
}

const JOB_COLUMNS: &str =
    "id, session_id, type, status, created_at, started_at, updated_at, finished_at, \
     input, stage, message, completed_iterations, total_iterations, finish_reason, result";

fn job_from_row(row: &Row<'_>) -> crate::storage::StorageResult<JobRow> {
    let status: String = row.get(3)?;
    let state = JobState::parse(&status)
        .ok_or_else(|| StorageError::Corrupt(format!("unknown job status {status}")))?;
    Ok(JobRow {
        id: row.get(0)?,
        session_id: row.get(1)?,
        kind: row.get(2)?,
        state,
        created_at: row.get(4)?,
        started_at: row.get(5)?,
        updated_at: row.get(6)?,
        finished_at: row.get(7)?,
        input: row.get(8)?,
        stage: row.get(9)?,
        message: row.get(10)?,
        completed_iterations: row.get(11)?,
        total_iterations: row.get(12)?,
        finish_reason: row.get(13)?,
        result: row.get(14)?,
    })
}

pub struct NewJob<'a> {
    pub id: &'a str,
    pub session_id: &'a str,
    pub input: &'a str,
    pub input_key: &'a str,
    pub total_iterations: i64,
}

/// Queues a scrape job and records it as the session's latest; `false` if the session is gone.
pub fn insert(tx: &Sql<'_>, job: &NewJob<'_>) -> StorageResult<bool> {
    if !sessions::exists(tx, job.session_id)? {
        return Ok(false);
    }
    let now = ids::now();
    tx.execute(
        "INSERT INTO jobs (id, session_id, type, status, created_at, updated_at, input, input_key,
                           stage, message, total_iterations, progressed_at)
         VALUES (?1, ?2, ?3, 'queued', ?4, ?4, ?5, ?6, 'queue', 'Waiting for a free worker', ?7, ?4)",
        args![
            job.id,
            job.session_id,
            SCRAPE_JOB_TYPE,
            now,
            job.input,
            job.input_key,
            job.total_iterations
        ],
    )?;
    tx.execute(
        "UPDATE sessions SET latest_scrape_job_id = ?2, updated_at = ?3 WHERE id = ?1",
        args![job.session_id, job.id, now],
    )?;
    Ok(true)
}

pub fn get(conn: &Sql<'_>, id: &str) -> StorageResult<Option<JobRow>> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1");
    conn.query_row(&sql, [id], job_from_row).optional()
}

/// Oldest first.
pub fn list_for_session(conn: &Sql<'_>, session_id: &str) -> StorageResult<Vec<JobRow>> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE session_id = ?1 ORDER BY rowid");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([session_id], job_from_row)?;
    rows.collect::<Result<_, _>>()
}

pub fn count_queued(conn: &Sql<'_>, session_id: Option<&str>) -> StorageResult<i64> {
    Ok(match session_id {
        Some(session) => conn.query_row(
            "SELECT count(*) FROM jobs WHERE status = 'queued' AND session_id = ?1",
            [session],
            |row| row.get(0),
        )?,
        None => conn.query_row(
            "SELECT count(*) FROM jobs WHERE status = 'queued'",
            [],
            |row| row.get(0),
        )?,
    })
}

/// Moves a queued job to running; a resumed job keeps its first `started_at`.
pub fn mark_running(tx: &Sql<'_>, id: &str) -> StorageResult<bool> {
    let now = ids::now();
    let changed = tx.execute(
        "UPDATE jobs SET status = 'running', stage = 'running',
                started_at = coalesce(started_at, ?2), updated_at = ?2, progressed_at = ?2,
                message = 'Scraping documentation pages'
         WHERE id = ?1 AND status IN ('queued', 'running')",
        args![id, now],
    )?;
    Ok(changed == 1)
}

/// Whether the job may still write: it exists and is running. Page writes check this in
/// their own transaction so nothing lands after a cancel or a session delete. On
/// PostgreSQL it also asks that this instance still hold the job's lease, and the answer
/// holds the job's row until the transaction ends, so that a cancel from another
/// transaction (or instance) waits for the write or the write sees it; on SQLite the one
/// writer gives that already.
pub fn is_running(conn: &Sql<'_>, id: &str) -> StorageResult<bool> {
    Ok(conn
        .query_row(
            conn.pick(
                "SELECT 1 FROM jobs WHERE id = ?1 AND status = 'running'",
                "SELECT 1 FROM jobs WHERE id = ?1 AND status = 'running'
                   AND lease_owner = current_setting('docscrape.instance', true) FOR UPDATE",
            ),
            [id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

pub fn set_message(conn: &Sql<'_>, id: &str, message: &str) -> StorageResult<()> {
    conn.execute(
        "UPDATE jobs SET message = ?2, updated_at = ?3 WHERE id = ?1 AND status = 'running'",
        args![id, message, ids::now()],
    )?;
    Ok(())
}

/// Counts one iteration: `completed_iterations` only ever grows, capped at the budget.
pub fn count_iteration(tx: &Sql<'_>, id: &str, message: &str) -> StorageResult<()> {
    let now = ids::now();
    tx.execute(
        "UPDATE jobs SET completed_iterations = CASE WHEN completed_iterations < total_iterations
                                         THEN completed_iterations + 1 ELSE total_iterations END,
                message = ?2, updated_at = ?3, progressed_at = ?3
         WHERE id = ?1",
        args![id, message, now],
    )?;
    Ok(())
}

/// Holds the job's row until the transaction ends (PostgreSQL): two transactions that
/// read the job and then change it take turns, as SQLite's one writer makes them.
fn lock(tx: &Sql<'_>, id: &str) -> StorageResult<()> {
    if tx.dialect() == super::Dialect::Postgres {
        tx.query_map("SELECT 1 FROM jobs WHERE id = ?1 FOR UPDATE", [id], |_| {
            Ok(())
        })?;
    }
    Ok(())
}

/// How a job ends.
#[derive(Debug, Clone)]
pub enum Ending {
    Finished { reason: &'static str },
    Failed { errors: Vec<String> },
}

/// Ends a job that is not over yet, writing its result snapshot; `false` when it was
/// already over (a cancel racing the crawl's own end, say).
pub fn finish(tx: &Sql<'_>, id: &str, ending: &Ending) -> StorageResult<bool> {
    lock(tx, id)?;
    let Some(job) = get(tx, id)? else {
        return Ok(false);
    };
    if job.state.is_over() {
        return Ok(false);
    }
    let now = ids::now();
    let (status, stage, message) = match ending {
        Ending::Finished {
            reason: "cancelled",
        } => ("finished", "finished", "Scraping cancelled"),
        Ending::Finished { .. } => ("finished", "finished", "Scraping completed successfully"),
        Ending::Failed { .. } => ("failed", "failed", "Failed to scrape documentation"),
    };
    let (reason, result) = match ending {
        Ending::Finished { reason } => {
            let result = build_result(tx, id, reason)?;
            let json = serde_json::to_string(&result)
                .map_err(|err| StorageError::Corrupt(err.to_string()))?;
            (Some(*reason), Some(json))
        }
        Ending::Failed { errors } => {
            for line in errors {
                tx.execute(
                    "INSERT INTO job_errors (job_id, line) VALUES (?1, ?2)",
                    args![id, line],
                )?;
            }
            (None, None)
        }
    };
    tx.execute(
        "UPDATE jobs SET status = ?2, stage = ?3, message = ?4, finish_reason = ?5, result = ?6,
                updated_at = ?7, finished_at = ?7
         WHERE id = ?1",
        args![id, status, stage, message, reason, result, now],
    )?;
    // A job that never ran still reports how far it got once it is over.
    tx.execute(
        "UPDATE jobs SET started_at = coalesce(started_at, ?2) WHERE id = ?1",
        args![id, now],
    )?;
    sessions::touch(tx, &job.session_id, &now)?;
    crate::faults::point(crate::faults::JOB_FINISH);
    Ok(true)
}

fn build_result(tx: &Sql<'_>, id: &str, reason: &str) -> StorageResult<JobResult> {
    let mut saved_pages = BTreeMap::new();
    let mut stmt = tx.prepare(
        "SELECT p.url, coalesce(p.title, ''), (SELECT count(*) FROM chunks c WHERE c.page_id = p.id), jp.scraped_at
         FROM job_pages jp JOIN pages p ON p.id = jp.page_id WHERE jp.job_id = ?1",
    )?;
    let rows = stmt.query_map([id], |row| {
        Ok((
            row.get::<_, String>(0)?,
            SavedPage {
                title: row.get(1)?,
                chunks: row.get(2)?,
                scraped_at: row.get(3)?,
            },
        ))
    })?;
    for row in rows {
        let (url, page) = row?;
        saved_pages.insert(url, page);
    }
    let mut failed_pages = BTreeMap::new();
    let mut stmt = tx.prepare(
        "SELECT url, coalesce(reason, 'failed') FROM frontier WHERE job_id = ?1 AND state = 'failed'",
    )?;
    let rows = stmt.query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    for row in rows {
        let (url, reason): (String, String) = row?;
        failed_pages.insert(url, reason);
    }
    let template_removed = super::templates::report(tx, id)?
        .filter(|(blocks, pages)| *blocks > 0 && *pages > 0)
        .map(|(blocks, pages)| TemplateRemoved { blocks, pages });
    Ok(JobResult {
        finish_reason: reason.to_string(),
        saved_pages_count: saved_pages.len() as i64,
        page_chunks_count: saved_pages.values().map(|p| p.chunks).sum(),
        saved_pages,
        failed_pages,
        template_removed,
    })
}

pub fn errors(conn: &Sql<'_>, id: &str) -> StorageResult<Vec<String>> {
    let mut stmt = conn.prepare("SELECT line FROM job_errors WHERE job_id = ?1 ORDER BY rowid")?;
    let rows = stmt.query_map([id], |row| row.get(0))?;
    rows.collect::<Result<_, _>>()
}

/// A finished crawl of the same normalised input in the last `max_age_days`, with pages.
pub fn find_reusable(
    conn: &Sql<'_>,
    input_key: &str,
    not_id: &str,
    since: &str,
) -> StorageResult<Option<String>> {
    conn.query_row(
        "SELECT j.id FROM jobs j
             WHERE j.input_key = ?1 AND j.id <> ?2 AND j.status = 'finished'
               AND j.finish_reason IN ('no_more_links', 'max_iterations', 'completed')
               AND j.finished_at >= ?3
               AND EXISTS (SELECT 1 FROM job_pages jp WHERE jp.job_id = j.id)
             ORDER BY j.finished_at DESC LIMIT 1",
        args![input_key, not_id, since],
        |row| row.get(0),
    )
    .optional()
}

/// Running jobs whose progress last moved before `before`.
pub fn stalled_ids(conn: &Sql<'_>, before: &str) -> StorageResult<Vec<String>> {
    let mut stmt =
        conn.prepare("SELECT id FROM jobs WHERE status = 'running' AND progressed_at < ?1")?;
    let rows = stmt.query_map([before], |row| row.get(0))?;
    rows.collect::<Result<_, _>>()
}

pub fn add_host(conn: &Sql<'_>, id: &str, host: &str) -> StorageResult<()> {
    conn.execute(
        "INSERT INTO job_hosts (job_id, host) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        args![id, host],
    )?;
    Ok(())
}

pub fn hosts(conn: &Sql<'_>, id: &str) -> StorageResult<Vec<String>> {
    let mut stmt = conn.prepare("SELECT host FROM job_hosts WHERE job_id = ?1")?;
    let rows = stmt.query_map([id], |row| row.get(0))?;
    rows.collect::<Result<_, _>>()
}
