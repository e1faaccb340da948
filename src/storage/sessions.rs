//! Session rows.

use rusqlite::{params, Connection, OptionalExtension};

use super::StorageResult;
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
pub fn create(conn: &Connection, id: &str) -> StorageResult<bool> {
    let now = ids::now();
    let inserted = conn.execute(
        "INSERT INTO sessions (id, created_at, updated_at) VALUES (?1, ?2, ?2) ON CONFLICT(id) DO NOTHING",
        params![id, now],
    )?;
    Ok(inserted == 1)
}

pub fn count(conn: &Connection) -> StorageResult<i64> {
    Ok(conn.query_row("SELECT count(*) FROM sessions", [], |row| row.get(0))?)
}

pub fn get(conn: &Connection, id: &str) -> StorageResult<Option<SessionRow>> {
    Ok(conn
        .query_row(
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
        .optional()?)
}

pub fn exists(conn: &Connection, id: &str) -> StorageResult<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM sessions WHERE id = ?1", [id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Newest first.
pub fn list(conn: &Connection, offset: u32, limit: u32) -> StorageResult<Vec<SessionSummary>> {
    let mut stmt = conn.prepare(
        "SELECT s.id, s.created_at, s.updated_at,
                (SELECT count(*) FROM jobs j WHERE j.session_id = s.id),
                (SELECT count(*) FROM pages p WHERE p.session_id = s.id)
         FROM sessions s ORDER BY s.created_at DESC, s.rowid DESC LIMIT ?1 OFFSET ?2",
    )?;
    let rows = stmt.query_map(params![limit, offset], |row| {
        Ok(SessionSummary {
            id: row.get(0)?,
            created_at: row.get(1)?,
            updated_at: row.get(2)?,
            job_count: row.get(3)?,
            page_count: row.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Deletes the session and, by cascade, its jobs, pages, chunks and frontier.
pub fn delete(conn: &Connection, id: &str) -> StorageResult<bool> {
    Ok(conn.execute("DELETE FROM sessions WHERE id = ?1", [id])? == 1)
}

pub fn touch(conn: &Connection, id: &str, at: &str) -> StorageResult<()> {
    conn.execute(
        "UPDATE sessions SET updated_at = ?2 WHERE id = ?1",
        params![id, at],
    )?;
    Ok(())
}
