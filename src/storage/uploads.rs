//! Uploaded and imported documentation: the spool an upload streams into, upload jobs,
//! and placing a processed or imported document in a session.
//!
//! An uploaded or imported document is a row of `pages` keyed `doc:<docId>` (so that two
//! uploads of one file name never collide) that shows `shown_url` (`upload://<file name>`)
//! and whose `source` is what its chunks say. Its bytes wait in `upload_parts` until its
//! job has placed the document, so a job interrupted by a crash runs again from them.

use super::sql::{args, Optional, Sql};

use super::jobs::JobState;
use super::pages::{self, NewChunk};
use super::{sessions, StorageResult};
use crate::error::StorageError;
use crate::ids;
use crate::model::UPLOAD_JOB_TYPE;

/// An upload whose bytes are spooled and whose job is to be queued.
#[derive(Debug, Clone)]
pub struct NewUpload {
    pub job_id: String,
    pub session_id: String,
    pub doc_id: String,
    pub file_name: String,
    /// The part's declared Content-Type, empty when it had none.
    pub declared_type: String,
    pub size_bytes: u64,
    /// SHA-256 of the bytes, hex.
    pub content_hash: String,
    /// `PUT …/documentation`: the document replaces all of the session's documentation.
    pub replace_all: bool,
    pub skip_cache: bool,
    /// Identifies uploads whose processing gives the same chunks (for `skipCache: false`).
    pub input_key: String,
}

/// An upload job's own facts.
#[derive(Debug, Clone)]
pub struct UploadRow {
    pub job_id: String,
    pub session_id: String,
    pub doc_id: String,
    pub file_name: String,
    pub declared_type: String,
    pub size_bytes: u64,
    pub content_hash: String,
    pub replace_all: bool,
    pub skip_cache: bool,
    /// The detected format's MIME type, once the job has run.
    pub content_type: Option<String>,
    /// Chunks saved, once the job has finished.
    pub chunks: Option<i64>,
    pub reused_from: Option<String>,
}

/// An upload job as its session lists it.
#[derive(Debug, Clone)]
pub struct UploadJob {
    pub upload: UploadRow,
    pub state: JobState,
    pub created_at: String,
    pub started_at: Option<String>,
    pub updated_at: String,
    pub finished_at: Option<String>,
    pub message: String,
    pub errors: Vec<String>,
}

/// A processed upload, ready to be placed in its session.
#[derive(Debug, Clone)]
pub struct UploadedDocument {
    pub doc_id: String,
    pub session_id: String,
    pub job_id: String,
    pub title: String,
    pub shown_url: String,
    pub content_type: String,
    pub content: String,
    pub chunks: Vec<NewChunk>,
}

/// One document given whole by a client (`PUT …/documentation/{id}`).
#[derive(Debug, Clone)]
pub struct ImportedDocument {
    pub doc_id: String,
    pub session_id: String,
    pub title: String,
    pub source: String,
    pub shown_url: String,
    pub content_type: String,
    pub chunks: Vec<ImportedChunk>,
}

#[derive(Debug, Clone)]
pub struct ImportedChunk {
    pub chunk_id: String,
    pub source: String,
    pub url: Option<String>,
    pub created_at: String,
    pub chunk: NewChunk,
    /// Jobs of this database the chunk names in `scrapeJobIds`.
    pub job_ids: Vec<String>,
}

/// Where a document id is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocOwner {
    Nobody,
    ThisSession,
    OtherSession,
}

/// Why a document could not be placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaceConflict {
    /// The document id belongs to a document of another session.
    DocInOtherSession,
    /// A chunk id is already used by another document.
    ChunkIdTaken(String),
}

/// How an upload job ends.
#[derive(Debug, Clone)]
pub enum UploadEnding {
    Finished {
        content_type: String,
        chunks: i64,
        reused_from: Option<String>,
    },
    Failed {
        content_type: Option<String>,
        error: String,
    },
}

/// SHA-256 of `bytes` in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn doc_key(doc_id: &str) -> String {
    format!("doc:{doc_id}")
}

// ---- the spool ------------------------------------------------------------------------

/// Starts a spool for an upload of `session_id`; `false` when the session is gone.
pub fn create_spool(conn: &Sql<'_>, spool_id: &str, session_id: &str) -> StorageResult<bool> {
    if !sessions::exists(conn, session_id)? {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO upload_spools (id, session_id, created_at) VALUES (?1, ?2, ?3)",
        args![spool_id, session_id, ids::now()],
    )?;
    Ok(true)
}

/// Appends the `seq`-th piece of a spooled upload; `false` when the spool is gone (its
/// session was deleted meanwhile).
pub fn append_part(conn: &Sql<'_>, spool_id: &str, seq: u32, data: &[u8]) -> StorageResult<bool> {
    let exists = conn
        .query_row(
            "SELECT 1 FROM upload_spools WHERE id = ?1",
            [spool_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if exists {
        conn.execute(
            "INSERT INTO upload_parts (spool_id, seq, data) VALUES (?1, ?2, ?3)",
            args![spool_id, seq, data],
        )?;
    }
    Ok(exists)
}

pub fn delete_spool(conn: &Sql<'_>, spool_id: &str) -> StorageResult<()> {
    conn.execute("DELETE FROM upload_spools WHERE id = ?1", [spool_id])?;
    Ok(())
}

/// The spooled bytes in order, or `None` when the spool is gone.
pub fn read_spool(conn: &Sql<'_>, spool_id: &str) -> StorageResult<Option<Vec<u8>>> {
    let total: Option<i64> = conn
        .query_row(
            "SELECT (SELECT coalesce(sum(length(data)), 0) FROM upload_parts WHERE spool_id = ?1)
             FROM upload_spools WHERE id = ?1",
            [spool_id],
            |row| row.get(0),
        )
        .optional()?;
    let Some(total) = total else {
        return Ok(None);
    };
    let mut bytes = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    conn.for_each(
        "SELECT data FROM upload_parts WHERE spool_id = ?1 ORDER BY seq",
        [spool_id],
        |row| {
            bytes.extend_from_slice(row.bytes(0)?);
            Ok(true)
        },
    )?;
    Ok(Some(bytes))
}

/// Removes spools no queued or running upload job needs: bodies whose request never
/// completed because the process stopped while they streamed, and those of jobs ended
/// by a path that does not know about spools (the stall watchdog). Run at start-up only:
/// a spool that is streaming has no job yet. Where several instances share the database,
/// another one may be streaming an upload right now, so only spools older than a day
/// (no upload streams that long) are taken as orphans there.
pub fn delete_orphan_spools(conn: &Sql<'_>) -> StorageResult<usize> {
    let before = match conn.dialect() {
        super::Dialect::Sqlite => ids::now(),
        super::Dialect::Postgres => {
            ids::format_timestamp(time::OffsetDateTime::now_utc() - time::Duration::DAY)
        }
    };
    conn.execute(
        "DELETE FROM upload_spools WHERE created_at <= ?1 AND id NOT IN
            (SELECT j.id FROM jobs j WHERE j.status IN ('queued', 'running'))",
        [before],
    )
}

// ---- upload jobs ----------------------------------------------------------------------

/// Queues the job of a completely spooled upload; `false` when the session is gone.
pub fn insert_job(tx: &Sql<'_>, upload: &NewUpload) -> StorageResult<bool> {
    if !sessions::exists(tx, &upload.session_id)? {
        return Ok(false);
    }
    let now = ids::now();
    let input = serde_json::json!({
        "docId": upload.doc_id,
        "fileName": upload.file_name,
        "contentType": upload.declared_type,
        "contentHash": upload.content_hash,
        "sizeBytes": upload.size_bytes,
        "replaceAll": upload.replace_all,
        "skipCache": upload.skip_cache,
    })
    .to_string();
    tx.execute(
        "INSERT INTO jobs (id, session_id, type, status, created_at, updated_at, input, input_key,
                           stage, message, total_iterations, progressed_at)
         VALUES (?1, ?2, ?3, 'queued', ?4, ?4, ?5, ?6, 'queue',
                 'Queued uploaded documentation for processing', 1, ?4)",
        args![
            upload.job_id,
            upload.session_id,
            UPLOAD_JOB_TYPE,
            now,
            input,
            upload.input_key
        ],
    )?;
    tx.execute(
        "INSERT INTO uploads (job_id, session_id, doc_id, file_name, declared_type, size_bytes,
                              content_hash, replace_all, skip_cache)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        args![
            upload.job_id,
            upload.session_id,
            upload.doc_id,
            upload.file_name,
            upload.declared_type,
            upload.size_bytes as i64,
            upload.content_hash,
            upload.replace_all,
            upload.skip_cache
        ],
    )?;
    sessions::touch(tx, &upload.session_id, &now)?;
    Ok(true)
}

const UPLOAD_COLUMNS: &str = "u.job_id, u.session_id, u.doc_id, u.file_name, u.declared_type, \
     u.size_bytes, u.content_hash, u.replace_all, u.skip_cache, u.content_type, u.chunks, u.reused_from";

fn upload_from_row(row: &crate::storage::sql::Row<'_>) -> crate::storage::StorageResult<UploadRow> {
    Ok(UploadRow {
        job_id: row.get(0)?,
        session_id: row.get(1)?,
        doc_id: row.get(2)?,
        file_name: row.get(3)?,
        declared_type: row.get(4)?,
        size_bytes: u64::try_from(row.get::<_, i64>(5)?).unwrap_or(0),
        content_hash: row.get(6)?,
        replace_all: row.get(7)?,
        skip_cache: row.get(8)?,
        content_type: row.get(9)?,
        chunks: row.get(10)?,
        reused_from: row.get(11)?,
    })
}

pub fn get(conn: &Sql<'_>, job_id: &str) -> StorageResult<Option<UploadRow>> {
    let sql = format!("SELECT {UPLOAD_COLUMNS} FROM uploads u WHERE u.job_id = ?1");
    conn.query_row(&sql, [job_id], upload_from_row).optional()
}

/// The session's upload jobs, oldest first.
pub fn list_for_session(conn: &Sql<'_>, session_id: &str) -> StorageResult<Vec<UploadJob>> {
    let sql = format!(
        "SELECT {UPLOAD_COLUMNS}, j.status, j.created_at, j.started_at, j.updated_at, j.finished_at, j.message
         FROM uploads u JOIN jobs j ON j.id = u.job_id
         WHERE u.session_id = ?1 ORDER BY j.rowid"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([session_id], |row| {
        let status: String = row.get(12)?;
        Ok((
            upload_from_row(row)?,
            status,
            row.get::<_, String>(13)?,
            row.get::<_, Option<String>>(14)?,
            row.get::<_, String>(15)?,
            row.get::<_, Option<String>>(16)?,
            row.get::<_, String>(17)?,
        ))
    })?;
    let mut jobs = Vec::new();
    for row in rows {
        let (upload, status, created_at, started_at, updated_at, finished_at, message) = row?;
        let state = JobState::parse(&status)
            .ok_or_else(|| StorageError::Corrupt(format!("unknown job status {status}")))?;
        let errors = match state {
            JobState::Failed => super::jobs::errors(conn, &upload.job_id)?,
            _ => Vec::new(),
        };
        jobs.push(UploadJob {
            upload,
            state,
            created_at,
            started_at,
            updated_at,
            finished_at,
            message,
            errors,
        });
    }
    Ok(jobs)
}

/// The newest queued or running upload job into `doc_id` of the session.
pub fn pending_job_for_doc(
    conn: &Sql<'_>,
    session_id: &str,
    doc_id: &str,
) -> StorageResult<Option<String>> {
    conn.query_row(
        "SELECT u.job_id FROM uploads u JOIN jobs j ON j.id = u.job_id
             WHERE u.session_id = ?1 AND u.doc_id = ?2 AND j.status IN ('queued', 'running')
             ORDER BY j.rowid DESC LIMIT 1",
        args![session_id, doc_id],
        |row| row.get(0),
    )
    .optional()
}

/// Whose document `doc_id` is.
pub fn doc_owner(conn: &Sql<'_>, session_id: &str, doc_id: &str) -> StorageResult<DocOwner> {
    let owner: Option<String> = conn
        .query_row(
            "SELECT session_id FROM pages WHERE id = ?1",
            [doc_id],
            |row| row.get(0),
        )
        .optional()?;
    Ok(match owner {
        None => DocOwner::Nobody,
        Some(owner) if owner == session_id => DocOwner::ThisSession,
        Some(_) => DocOwner::OtherSession,
    })
}

/// A finished upload job of the same input (`input_key`) since `since` whose document
/// still holds what that job saved (any session): `(job id, doc id)`.
pub fn find_reusable(
    conn: &Sql<'_>,
    input_key: &str,
    not_job: &str,
    since: &str,
) -> StorageResult<Option<(String, String)>> {
    conn.query_row(
        "SELECT j.id, u.doc_id FROM jobs j JOIN uploads u ON u.job_id = j.id
             JOIN job_pages jp ON jp.job_id = j.id AND jp.page_id = u.doc_id
             WHERE j.input_key = ?1 AND j.id <> ?2 AND j.status = 'finished' AND j.finished_at >= ?3
               AND EXISTS (SELECT 1 FROM chunks c WHERE c.page_id = u.doc_id)
             ORDER BY j.finished_at DESC LIMIT 1",
        args![input_key, not_job, since],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
    .optional()
}

/// Whether the job may still write: it exists and runs.
pub fn is_running(conn: &Sql<'_>, job_id: &str) -> StorageResult<bool> {
    super::jobs::is_running(conn, job_id)
}

pub fn set_message(conn: &Sql<'_>, job_id: &str, message: &str) -> StorageResult<()> {
    conn.execute(
        "UPDATE jobs SET message = ?2, updated_at = ?3, progressed_at = ?3
         WHERE id = ?1 AND status = 'running'",
        args![job_id, message, ids::now()],
    )?;
    Ok(())
}

// ---- placing documents ----------------------------------------------------------------

/// Makes room for document `doc_id` in the session: with `replace_all` every document of
/// the session goes; otherwise the document's own row is reused (its chunks and job links
/// go) or created. Returns whether a row to update exists.
fn clear_place(
    tx: &Sql<'_>,
    session_id: &str,
    doc_id: &str,
    replace_all: bool,
) -> StorageResult<Result<bool, PlaceConflict>> {
    match doc_owner(tx, session_id, doc_id)? {
        DocOwner::OtherSession => return Ok(Err(PlaceConflict::DocInOtherSession)),
        DocOwner::ThisSession if !replace_all => {
            tx.execute("DELETE FROM chunks WHERE page_id = ?1", [doc_id])?;
            tx.execute("DELETE FROM job_pages WHERE page_id = ?1", [doc_id])?;
            return Ok(Ok(true));
        }
        _ => {}
    }
    if replace_all {
        pages::delete(tx, session_id, None)?;
    }
    Ok(Ok(false))
}

/// Writes the page row of a non-scraped document (insert or in-place update).
#[allow(clippy::too_many_arguments)]
fn write_page_row(
    tx: &Sql<'_>,
    exists: bool,
    doc_id: &str,
    session_id: &str,
    source: &str,
    shown_url: &str,
    title: &str,
    content_type: &str,
    content: &str,
    content_hash: &str,
    now: &str,
) -> StorageResult<()> {
    let key = doc_key(doc_id);
    if exists {
        tx.execute(
            "UPDATE pages SET url = ?2, requested_url = ?2, title = ?3, content_type = ?4, content = ?5,
                    content_hash = ?6, http_status = 200, etag = NULL, last_modified = NULL,
                    fetched_at = ?7, links = '[]', simhash = NULL, version_key = NULL,
                    version_closeness = NULL, source = ?8, shown_url = ?9
             WHERE id = ?1",
            args![doc_id, key, title, content_type, content, content_hash, now, source, shown_url],
        )?;
    } else {
        tx.execute(
            "INSERT INTO pages (id, session_id, url, requested_url, title, content_type, content,
                                content_hash, http_status, fetched_at, created_at, links, source, shown_url)
             VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, 200, ?8, ?8, '[]', ?9, ?10)",
            args![
                doc_id,
                session_id,
                key,
                title,
                content_type,
                content,
                content_hash,
                now,
                source,
                shown_url
            ],
        )?;
    }
    Ok(())
}

/// Places a processed upload in its session (replacing the document of the same id, or
/// all of the session's documentation) and links it to its job, in the caller's
/// transaction. The page's `content_hash` is the hash of the uploaded bytes.
pub fn save_document(
    tx: &Sql<'_>,
    document: &UploadedDocument,
    content_hash: &str,
    replace_all: bool,
) -> StorageResult<Result<(), PlaceConflict>> {
    let exists = match clear_place(tx, &document.session_id, &document.doc_id, replace_all)? {
        Ok(exists) => exists,
        Err(conflict) => return Ok(Err(conflict)),
    };
    let now = ids::now();
    write_page_row(
        tx,
        exists,
        &document.doc_id,
        &document.session_id,
        "upload",
        &document.shown_url,
        &document.title,
        &document.content_type,
        &document.content,
        content_hash,
        &now,
    )?;
    pages::insert_chunks(tx, &document.doc_id, &document.chunks, &now)?;
    link_job(tx, &document.job_id, &document.doc_id, &now)?;
    sessions::touch(tx, &document.session_id, &now)?;
    Ok(Ok(()))
}

/// Places a copy of document `source_doc` (any session) as `target.doc_id`, with the
/// target's name: the chunks of an identical earlier upload (`skipCache: false`).
pub fn copy_document(
    tx: &Sql<'_>,
    source_doc: &str,
    target: &UploadedDocument,
    replace_all: bool,
) -> StorageResult<Result<i64, PlaceConflict>> {
    let Some((content_type, content, content_hash, title)) = tx
        .query_row(
            "SELECT content_type, content, content_hash, title FROM pages WHERE id = ?1",
            [source_doc],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, Option<String>>(3)?,
                ))
            },
        )
        .optional()?
    else {
        return Ok(Ok(0));
    };
    // The source's own title unless it was only its file name.
    let title = title
        .filter(|title| !title.is_empty() && *title != target.title)
        .unwrap_or_else(|| target.title.clone());
    let exists = match clear_place(tx, &target.session_id, &target.doc_id, replace_all)? {
        Ok(exists) => exists,
        Err(conflict) => return Ok(Err(conflict)),
    };
    let now = ids::now();
    write_page_row(
        tx,
        exists,
        &target.doc_id,
        &target.session_id,
        "upload",
        &target.shown_url,
        &title,
        &content_type,
        &content,
        &content_hash,
        &now,
    )?;
    let chunk_ids: Vec<String> = {
        let mut stmt =
            tx.prepare("SELECT id FROM chunks WHERE page_id = ?1 ORDER BY chunk_number")?;
        let rows = stmt.query_map([source_doc], |row| row.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut stmt = tx.prepare(
        "INSERT INTO chunks (id, page_id, chunk_number, content, token_count, character_count, section, summary, extra, created_at)
         SELECT ?1, ?2, chunk_number, content, token_count, character_count, section, summary, extra, ?3
         FROM chunks WHERE id = ?4",
    )?;
    for chunk_id in &chunk_ids {
        stmt.execute(args![ids::new_id(), target.doc_id, now, chunk_id])?;
    }
    link_job(tx, &target.job_id, &target.doc_id, &now)?;
    sessions::touch(tx, &target.session_id, &now)?;
    Ok(Ok(chunk_ids.len() as i64))
}

fn link_job(tx: &Sql<'_>, job_id: &str, doc_id: &str, now: &str) -> StorageResult<()> {
    tx.execute(
        "INSERT INTO job_pages (job_id, page_id, scraped_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (job_id, page_id) DO UPDATE SET scraped_at = excluded.scraped_at",
        args![job_id, doc_id, now],
    )?;
    Ok(())
}

/// Replaces document `doc_id` of the session with the given chunks (an empty list just
/// removes it), in the caller's transaction.
pub fn import_document(
    tx: &Sql<'_>,
    document: &ImportedDocument,
) -> StorageResult<Result<(), PlaceConflict>> {
    // Checked before anything changes: the caller commits whatever this returns.
    for chunk in &document.chunks {
        let taken = tx
            .query_row(
                "SELECT 1 FROM chunks WHERE id = ?1 AND page_id <> ?2",
                args![chunk.chunk_id, document.doc_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if taken {
            return Ok(Err(PlaceConflict::ChunkIdTaken(chunk.chunk_id.clone())));
        }
    }
    let exists = match clear_place(tx, &document.session_id, &document.doc_id, false)? {
        Ok(exists) => exists,
        Err(conflict) => return Ok(Err(conflict)),
    };
    if document.chunks.is_empty() {
        if exists {
            pages::delete(tx, &document.session_id, Some(&document.doc_id))?;
        }
        return Ok(Ok(()));
    }
    let now = ids::now();
    let content = document
        .chunks
        .iter()
        .map(|chunk| chunk.chunk.content.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    let hash = sha256_hex(content.as_bytes());
    write_page_row(
        tx,
        exists,
        &document.doc_id,
        &document.session_id,
        &document.source,
        &document.shown_url,
        &document.title,
        &document.content_type,
        &content,
        &hash,
        &now,
    )?;
    let mut stmt = tx.prepare(
        "INSERT INTO chunks (id, page_id, chunk_number, content, token_count, character_count, section,
                             summary, extra, created_at, source, url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for (number, imported) in document.chunks.iter().enumerate() {
        let chunk = &imported.chunk;
        // Stored only where the chunk differs from its document.
        let source = Some(&imported.source).filter(|s| **s != document.source);
        let url = imported.url.as_ref().filter(|u| **u != document.shown_url);
        stmt.execute(args![
            imported.chunk_id,
            document.doc_id,
            number as i64,
            chunk.content,
            chunk.token_count as i64,
            chunk.character_count as i64,
            chunk.section,
            chunk.summary,
            serde_json::Value::Object(chunk.extra.clone()).to_string(),
            imported.created_at,
            source,
            url
        ])?;
    }
    let mut job_ids: Vec<&String> = document
        .chunks
        .iter()
        .flat_map(|chunk| &chunk.job_ids)
        .collect();
    job_ids.sort();
    job_ids.dedup();
    for job_id in job_ids {
        let known = tx
            .query_row("SELECT 1 FROM jobs WHERE id = ?1", [job_id], |_| Ok(()))
            .optional()?
            .is_some();
        if known {
            link_job(tx, job_id, &document.doc_id, &now)?;
        }
    }
    sessions::touch(tx, &document.session_id, &now)?;
    Ok(Ok(()))
}

// ---- the end of an upload job ---------------------------------------------------------

/// Ends a running or queued upload job and drops its spool; `false` when it was already
/// over or is gone.
pub fn finish(tx: &Sql<'_>, job_id: &str, ending: &UploadEnding) -> StorageResult<bool> {
    let Some(job) = super::jobs::get(tx, job_id)? else {
        return Ok(false);
    };
    if job.state.is_over() {
        return Ok(false);
    }
    let upload = get(tx, job_id)?
        .ok_or_else(|| StorageError::Corrupt(format!("upload job {job_id} has no upload row")))?;
    let now = ids::now();
    match ending {
        UploadEnding::Finished {
            content_type,
            chunks,
            reused_from,
        } => {
            let result = serde_json::json!({
                "docId": upload.doc_id,
                "fileName": upload.file_name,
                "contentType": content_type,
                "chunks": chunks,
                "reusedFromJobId": reused_from,
            })
            .to_string();
            tx.execute(
                "UPDATE jobs SET status = 'finished', stage = 'finished', message = ?2, result = ?3,
                        finish_reason = 'completed', completed_iterations = total_iterations,
                        updated_at = ?4, finished_at = ?4, started_at = coalesce(started_at, ?4)
                 WHERE id = ?1",
                args![
                    job_id,
                    format!("Processed uploaded documentation {} into {chunks} chunk(s)", upload.file_name),
                    result,
                    now
                ],
            )?;
            tx.execute(
                "UPDATE uploads SET content_type = ?2, chunks = ?3, reused_from = ?4 WHERE job_id = ?1",
                args![job_id, content_type, chunks, reused_from],
            )?;
        }
        UploadEnding::Failed {
            content_type,
            error,
        } => {
            tx.execute(
                "INSERT INTO job_errors (job_id, line) VALUES (?1, ?2)",
                args![job_id, error],
            )?;
            tx.execute(
                "UPDATE jobs SET status = 'failed', stage = 'failed',
                        message = 'Failed to process uploaded documentation',
                        updated_at = ?2, finished_at = ?2, started_at = coalesce(started_at, ?2)
                 WHERE id = ?1",
                args![job_id, now],
            )?;
            tx.execute(
                "UPDATE uploads SET content_type = ?2 WHERE job_id = ?1",
                args![job_id, content_type],
            )?;
        }
    }
    delete_spool(tx, job_id)?;
    sessions::touch(tx, &job.session_id, &now)?;
    Ok(true)
}
