//! Saved pages and their chunks, and reading them back as documentation bundles.

use super::sql::{args, Optional, Sql};

use super::StorageResult;
use crate::crawl::versions::{version_root, versioned_path, VersionedPath};
use crate::ids;

#[derive(Debug, Clone)]
pub struct NewChunk {
    pub content: String,
    pub token_count: usize,
    pub character_count: usize,
    pub section: String,
    pub summary: Option<String>,
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone)]
pub struct NewPage {
    pub session_id: String,
    pub job_id: String,
    pub url: String,
    pub requested_url: String,
    pub title: Option<String>,
    pub content_type: String,
    pub content: String,
    pub content_hash: String,
    pub http_status: u16,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub fetched_at: String,
    pub chunks: Vec<NewChunk>,
    /// The page's outgoing links as JSON `[[url, anchor text], …]`.
    pub links: String,
    /// `versions::numberless_hash` of the content, for copies among versioned pages.
    pub numberless_hash: u64,
    pub version: Option<VersionedPath>,
}

/// A saved page whose validators allow a conditional request, and what a 304 reuses.
#[derive(Debug, Clone)]
pub struct CachedPage {
    pub id: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The page's followable links as stored, `[[url, text], …]`: read with [`Self::links`]
    /// where a 304 needs them, not where the copy is looked up (inside a claim's write).
    pub links_json: String,
    pub url: String,
    pub numberless_hash: Option<u64>,
}

impl CachedPage {
    /// The stored links (none when they do not read back).
    pub fn links(&self) -> Vec<(String, String)> {
        serde_json::from_str(&self.links_json).unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveOutcome {
    /// Saved; `superseded` lists pages of the job it replaced as a closer version.
    Saved { superseded: Vec<String> },
    /// This job already saved the same URL or the same content under `0`.
    Duplicate(String),
    /// This job already saved a near-identical copy of the page for a version at least as
    /// close to the requested one, under `0`.
    NearDuplicate(String),
}

/// Saves a page and its chunks for a job. A URL the session saved before is replaced in
/// place (its doc id stays), so the session never holds the same URL twice.
pub fn save(tx: &Sql<'_>, page: &NewPage) -> StorageResult<SaveOutcome> {
    if let Some(existing) = saved_by_job_with_same(tx, page)? {
        return Ok(SaveOutcome::Duplicate(existing));
    }
    if let Some(existing) = closer_version_saved_by_job(
        tx,
        &page.job_id,
        &page.session_id,
        &page.url,
        page.version.as_ref(),
        page.numberless_hash,
    )? {
        return Ok(SaveOutcome::NearDuplicate(existing));
    }
    let now = ids::now();
    let existing_id: Option<String> = tx
        .query_row(
            "SELECT id FROM pages WHERE session_id = ?1 AND url = ?2",
            args![page.session_id, page.url],
            |row| row.get(0),
        )
        .optional()?;
    let page_id = match existing_id {
        Some(id) => {
            tx.execute(
                "UPDATE pages SET requested_url = ?2, title = ?3, content_type = ?4, content = ?5,
                        content_hash = ?6, http_status = ?7, etag = ?8, last_modified = ?9, fetched_at = ?10,
                        links = ?11
                 WHERE id = ?1",
                args![
                    id,
                    page.requested_url,
                    page.title,
                    page.content_type,
                    page.content,
                    page.content_hash,
                    page.http_status,
                    page.etag,
                    page.last_modified,
                    page.fetched_at,
                    page.links
                ],
            )?;
            tx.execute("DELETE FROM chunks WHERE page_id = ?1", [&id])?;
            id
        }
        None => {
            let id = ids::new_id();
            tx.execute(
                "INSERT INTO pages (id, session_id, url, requested_url, title, content_type, content,
                                    content_hash, http_status, etag, last_modified, fetched_at, created_at, links)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                args![
                    id,
                    page.session_id,
                    page.url,
                    page.requested_url,
                    page.title,
                    page.content_type,
                    page.content,
                    page.content_hash,
                    page.http_status,
                    page.etag,
                    page.last_modified,
                    page.fetched_at,
                    now,
                    page.links
                ],
            )?;
            id
        }
    };
    crate::faults::point(crate::faults::PAGE_WRITE);
    set_version_facts(
        tx,
        &page_id,
        Some(page.numberless_hash),
        page.version.as_ref(),
    )?;
    insert_chunks(tx, &page_id, &page.chunks, &now)?;
    crate::metrics::page_saved(
        page.chunks.len(),
        page.chunks.iter().map(|chunk| chunk.token_count).sum(),
    );
    tx.execute(
        "INSERT INTO job_pages (job_id, page_id, scraped_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (job_id, page_id) DO UPDATE SET scraped_at = excluded.scraped_at",
        args![page.job_id, page_id, page.fetched_at],
    )?;
    super::sessions::touch(tx, &page.session_id, &now)?;
    let superseded = drop_farther_versions(
        tx,
        &page.job_id,
        &page.session_id,
        &page_id,
        &page.url,
        page.version.as_ref(),
        page.numberless_hash,
    )?;
    Ok(SaveOutcome::Saved { superseded })
}

/// The URL of a page this job already saved with the same final URL or the same content.
/// Looked up through the session's pages by URL and by hash (a job's pages are its
/// session's), so the cost does not grow with the job.
fn saved_by_job_with_same(tx: &Sql<'_>, page: &NewPage) -> StorageResult<Option<String>> {
    let mut stmt = tx.prepare_cached(
        "SELECT p.url FROM pages p JOIN job_pages jp ON jp.job_id = ?1 AND jp.page_id = p.id
         WHERE p.session_id = ?2 AND p.url = ?3
         UNION ALL
         SELECT p.url FROM pages p JOIN job_pages jp ON jp.job_id = ?1 AND jp.page_id = p.id
         WHERE p.session_id = ?2 AND p.content_hash = ?4
         LIMIT 1",
    )?;
    stmt.query_row(
        args![page.job_id, page.session_id, page.url, page.content_hash],
        |row| row.get(0),
    )
    .optional()
}

/// A versioned copy of `url`'s path this job saved, whose text differs from the page's
/// in nothing but numbers, and that matches the requested version at least as well.
pub fn closer_version_saved_by_job(
    tx: &Sql<'_>,
    job_id: &str,
    session_id: &str,
    url: &str,
    version: Option<&VersionedPath>,
    numberless_hash: u64,
) -> StorageResult<Option<String>> {
    for (_, other, closeness) in
        copies_of(tx, job_id, session_id, url, version, numberless_hash, None)?
    {
        if closeness >= version.map_or(0, |v| v.closeness) {
            return Ok(Some(other));
        }
    }
    Ok(None)
}

/// Records what the version rule needs of a saved page, relative to its job's requested
/// version.
pub fn set_version_facts(
    tx: &Sql<'_>,
    page_id: &str,
    numberless_hash: Option<u64>,
    version: Option<&VersionedPath>,
) -> StorageResult<()> {
    tx.execute(
        "UPDATE pages SET numberless_hash = ?2, version_key = ?3, version_closeness = ?4 WHERE id = ?1",
        args![
            page_id,
            numberless_hash.map(|hash| hash as i64),
            version.map(|v| v.key.as_str()),
            version.map(|v| i64::from(v.closeness))
        ],
    )?;
    Ok(())
}

/// Removes from the job the copies of `page` saved for versions farther from the
/// requested one (the page itself goes when no other job keeps it).
pub fn drop_farther_versions(
    tx: &Sql<'_>,
    job_id: &str,
    session_id: &str,
    page_id: &str,
    url: &str,
    version: Option<&VersionedPath>,
    numberless_hash: u64,
) -> StorageResult<Vec<String>> {
    let mut superseded = Vec::new();
    let copies = copies_of(
        tx,
        job_id,
        session_id,
        url,
        version,
        numberless_hash,
        Some(page_id),
    )?;
    for (id, other, closeness) in copies {
        if closeness < version.map_or(0, |v| v.closeness) {
            tx.execute(
                "DELETE FROM job_pages WHERE job_id = ?1 AND page_id = ?2",
                args![job_id, id],
            )?;
            tx.execute(
                "DELETE FROM pages WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM job_pages WHERE page_id = ?1)",
                [&id],
            )?;
            superseded.push(other);
        }
    }
    Ok(superseded)
}

/// Pages of the job that are the same page as `url` for another version: the same path
/// but for the version segment, the same text but for numbers, and, when both version
/// segments are bare numbers, trees the job has seen used as versions. As (id, url,
/// closeness), leaving out `except`.
fn copies_of(
    tx: &Sql<'_>,
    job_id: &str,
    session_id: &str,
    url: &str,
    version: Option<&VersionedPath>,
    numberless_hash: u64,
    except: Option<&str>,
) -> StorageResult<Vec<(String, String, u8)>> {
    let Some(version) = version else {
        return Ok(Vec::new());
    };
    let candidates: Vec<(String, String, Option<i64>)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT p.id, p.url, p.version_closeness FROM pages p
             JOIN job_pages jp ON jp.job_id = ?1 AND jp.page_id = p.id
             WHERE p.session_id = ?6 AND p.version_key = ?2 AND p.numberless_hash = ?3
               AND p.id IS DISTINCT FROM ?4 AND p.url <> ?5",
        )?;
        let rows = stmt.query_map(
            args![
                job_id,
                version.key,
                numberless_hash as i64,
                except,
                url,
                session_id
            ],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        rows.collect::<Result<_, _>>()?
    };
    let mut copies = Vec::new();
    for (id, other, closeness) in candidates {
        if version.bare_number && !bare_number_trees_match(tx, job_id, url, &other)? {
            continue;
        }
        let closeness = u8::try_from(closeness.unwrap_or(0)).unwrap_or(0);
        copies.push((id, other, closeness));
    }
    Ok(copies)
}

/// Pages saved under both of two bare-number roots with the same rest of the path, beyond
/// the page in question, before those numbers count as versions (`/docs/15/` and
/// `/docs/16/` holding the same manual), unlike numbered items (`/issues/77/comments`).
const SHARED_PAGES_OF_VERSIONS: usize = 2;

/// Whether the bare numbers in `url` and `other` (same path but for that number) are
/// versions: the job saved at least `SHARED_PAGES_OF_VERSIONS` other pages under both.
/// Also true when `other`'s segment is a surer version (`/docs/current/…`).
fn bare_number_trees_match(
    tx: &Sql<'_>,
    job_id: &str,
    url: &str,
    other: &str,
) -> StorageResult<bool> {
    let (Ok(url), Ok(other)) = (url::Url::parse(url), url::Url::parse(other)) else {
        return Ok(false);
    };
    let (Some(mine), Some(theirs)) = (versioned_path(&url, ""), versioned_path(&other, "")) else {
        return Ok(false);
    };
    if !theirs.bare_number {
        return Ok(true);
    }
    let (Some(root_a), Some(root_b)) = (version_root(&url, &mine), version_root(&other, &theirs))
    else {
        return Ok(false);
    };
    let rest_of = |text: &str, root: &str| text.strip_prefix(root).map(str::to_string);
    let own_rest = rest_of(url.as_str(), &root_a);
    let mut under_a = std::collections::HashSet::new();
    let mut under_b = std::collections::HashSet::new();
    let mut stmt = tx.prepare_cached(
        // URL ranges (`root <= url < root + U+10FFFF`) so that the URL index reads the two
        // trees only, not every page of the job.
        "SELECT p.url FROM pages p JOIN job_pages jp ON jp.job_id = ?1 AND jp.page_id = p.id
         WHERE (p.url >= ?2 AND p.url < ?2 || ?4) OR (p.url >= ?3 AND p.url < ?3 || ?4)",
    )?;
    let rows = stmt.query_map(args![job_id, root_a, root_b, "\u{10FFFF}"], |row| {
        row.get::<_, String>(0)
    })?;
    for saved in rows {
        let saved = saved?;
        if let Some(rest) = rest_of(&saved, &root_a) {
            under_a.insert(rest);
        } else if let Some(rest) = rest_of(&saved, &root_b) {
            under_b.insert(rest);
        }
    }
    let shared = under_a
        .intersection(&under_b)
        .filter(|rest| Some(*rest) != own_rest.as_ref())
        .count();
    Ok(shared >= SHARED_PAGES_OF_VERSIONS)
}

/// Replaces a page's chunks (numbered from 0 again), as when the page was cleaned.
pub fn replace_chunks(tx: &Sql<'_>, page_id: &str, chunks: &[NewChunk]) -> StorageResult<()> {
    tx.execute("DELETE FROM chunks WHERE page_id = ?1", [page_id])?;
    insert_chunks(tx, page_id, chunks, &ids::now())
}

pub(crate) fn insert_chunks(
    tx: &Sql<'_>,
    page_id: &str,
    chunks: &[NewChunk],
    now: &str,
) -> StorageResult<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO chunks (id, page_id, chunk_number, content, token_count, character_count, section, summary, extra, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (number, chunk) in chunks.iter().enumerate() {
        let extra = serde_json::Value::Object(chunk.extra.clone()).to_string();
        stmt.execute(args![
            ids::new_id(),
            page_id,
            number as i64,
            chunk.content,
            chunk.token_count as i64,
            chunk.character_count as i64,
            chunk.section,
            chunk.summary,
            extra,
            now
        ])?;
    }
    Ok(())
}

pub fn count_for_session(conn: &Sql<'_>, session_id: &str) -> StorageResult<i64> {
    conn.query_row(
        "SELECT count(*) FROM pages WHERE session_id = ?1",
        [session_id],
        |row| row.get(0),
    )
}

pub fn exists_in_session(conn: &Sql<'_>, session_id: &str, page_id: &str) -> StorageResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM pages WHERE session_id = ?1 AND id = ?2",
            [session_id, page_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Page ids of a session in saving order, for paging through its documentation.
pub fn page_keys(
    conn: &Sql<'_>,
    session_id: &str,
    after_rowid: i64,
    limit: u32,
) -> StorageResult<Vec<(i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT rowid, id FROM pages WHERE session_id = ?1 AND rowid > ?2 ORDER BY rowid LIMIT ?3",
    )?;
    let rows = stmt.query_map(args![session_id, after_rowid, limit], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })?;
    rows.collect::<Result<_, _>>()
}

/// The rowid after which the `offset`-th page of the session starts.
pub fn rowid_before_offset(conn: &Sql<'_>, session_id: &str, offset: u64) -> StorageResult<i64> {
    if offset == 0 {
        return Ok(0);
    }
    Ok(conn
        .query_row(
            "SELECT rowid FROM pages WHERE session_id = ?1 ORDER BY rowid LIMIT 1 OFFSET ?2",
            args![session_id, offset as i64 - 1],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or(i64::MAX))
}

/// A saved page as stored: what the documentation routes and the export show.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDocument {
    pub id: String,
    /// The URL shown (an upload's `upload://<file name>`).
    pub url: String,
    pub title: String,
    pub content_type: String,
    /// `scraper` or `upload`.
    pub source: String,
    /// Every job that saved the page, oldest first.
    pub job_ids: Vec<String>,
    pub chunks: Vec<StoredChunk>,
}

/// One chunk of a [`StoredDocument`], in order.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredChunk {
    pub id: String,
    pub number: i64,
    pub content: String,
    pub token_count: i64,
    pub character_count: i64,
    pub section: String,
    pub summary: Option<String>,
    /// Further metadata keys (tags, category …).
    pub extra: serde_json::Map<String, serde_json::Value>,
    pub created_at: String,
    /// An imported chunk's own source and URL, where it named them.
    pub source: Option<String>,
    pub url: Option<String>,
}

/// One page with all its chunks, or `None` when the session has no such page.
pub fn document(
    conn: &Sql<'_>,
    session_id: &str,
    page_id: &str,
) -> StorageResult<Option<StoredDocument>> {
    let page = conn
        .query_row(
            "SELECT coalesce(shown_url, url), coalesce(title, ''), content_type, source
             FROM pages WHERE id = ?1 AND session_id = ?2",
            args![page_id, session_id],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                ))
            },
        )
        .optional()?;
    let Some((url, title, content_type, source)) = page else {
        return Ok(None);
    };
    let job_ids = {
        // Oldest job first; sorted here, as the few jobs of one page need no index.
        let mut stmt = conn.prepare_cached(
            "SELECT j.rowid, jp.job_id FROM job_pages jp JOIN jobs j ON j.id = jp.job_id
             WHERE jp.page_id = ?1",
        )?;
        let rows = stmt.query_map([page_id], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut jobs = rows.collect::<Result<Vec<_>, _>>()?;
        jobs.sort_unstable();
        jobs.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    };
    let mut stmt = conn.prepare_cached(
        "SELECT id, chunk_number, content, token_count, character_count, section, summary, extra, created_at,
                source, url
         FROM chunks WHERE page_id = ?1 ORDER BY chunk_number",
    )?;
    let rows = stmt.query_map([page_id], |row| {
        let extra: String = row.get(7)?;
        let extra = match serde_json::from_str::<serde_json::Value>(&extra) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        Ok(StoredChunk {
            id: row.get(0)?,
            number: row.get(1)?,
            content: row.get(2)?,
            token_count: row.get(3)?,
            character_count: row.get(4)?,
            section: row.get(5)?,
            summary: row.get(6)?,
            extra,
            created_at: row.get(8)?,
            source: row.get(9)?,
            url: row.get(10)?,
        })
    })?;
    Ok(Some(StoredDocument {
        id: page_id.to_string(),
        url,
        title,
        content_type,
        source,
        job_ids,
        chunks: rows.collect::<Result<_, _>>()?,
    }))
}

/// Deletes one page (or, with `None`, all pages) of a session; returns (pages, chunks).
pub fn delete(tx: &Sql<'_>, session_id: &str, page_id: Option<&str>) -> StorageResult<(i64, i64)> {
    let chunks: i64 = tx.query_row(
        "SELECT count(*) FROM chunks c JOIN pages p ON p.id = c.page_id
         WHERE p.session_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR p.id = ?2)",
        args![session_id, page_id],
        |row| row.get(0),
    )?;
    let pages = tx.execute(
        "DELETE FROM pages WHERE session_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR id = ?2)",
        args![session_id, page_id],
    )? as i64;
    Ok((pages, chunks))
}

/// Chunks deleted per transaction at most when a whole session's documentation goes (a
/// page goes with all its chunks, so a larger page is deleted alone): each deleting
/// transaction stays short, and the jobs of other sessions keep writing in between.
pub const CHUNKS_PER_DELETE: i64 = 5_000;

/// Deletes the session's first pages, with their chunks, up to about `max_chunks` chunks
/// (at least one page); returns (pages, chunks). Zero pages when none is left.
pub fn delete_some(tx: &Sql<'_>, session_id: &str, max_chunks: i64) -> StorageResult<(i64, i64)> {
    let candidates: Vec<(String, i64)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT p.id, (SELECT count(*) FROM chunks c WHERE c.page_id = p.id)
             FROM pages p WHERE p.session_id = ?1 LIMIT 1000",
        )?;
        let rows = stmt.query_map([session_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let (mut pages, mut chunks) = (0, 0);
    let mut stmt = tx.prepare_cached("DELETE FROM pages WHERE id = ?1")?;
    for (id, page_chunks) in candidates {
        if pages > 0 && chunks + page_chunks > max_chunks {
            break;
        }
        pages += stmt.execute([&id])? as i64;
        chunks += page_chunks;
    }
    Ok((pages, chunks))
}

/// Copies the pages a finished job saved into another session for another job
/// (cross-session cache reuse); returns how many pages were copied.
pub fn copy_job_pages(
    tx: &Sql<'_>,
    from_job: &str,
    to_session: &str,
    to_job: &str,
) -> StorageResult<usize> {
    let sources: Vec<String> = {
        let mut stmt = tx.prepare("SELECT page_id FROM job_pages WHERE job_id = ?1")?;
        let rows = stmt.query_map([from_job], |row| row.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let now = ids::now();
    for source_id in &sources {
        reuse_page(tx, source_id, to_session, to_job, &now)?;
    }
    Ok(sources.len())
}

/// Makes a saved page (of any session) one of `to_job`'s pages: linked in place when it
/// is already the session's, copied with its chunks otherwise (replacing the session's
/// older copy of the same URL).
pub fn reuse_page(
    tx: &Sql<'_>,
    source_id: &str,
    to_session: &str,
    to_job: &str,
    scraped_at: &str,
) -> StorageResult<Option<String>> {
    let Some((session, url)) = tx
        .query_row(
            "SELECT session_id, url FROM pages WHERE id = ?1",
            [source_id],
            |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
        )
        .optional()?
    else {
        return Ok(None);
    };
    let page_id = if session == to_session {
        tx.execute(
            "UPDATE pages SET fetched_at = ?2 WHERE id = ?1",
            args![source_id, scraped_at],
        )?;
        source_id.to_string()
    } else {
        tx.execute(
            "DELETE FROM pages WHERE session_id = ?1 AND url = ?2",
            args![to_session, url],
        )?;
        let new_id = ids::new_id();
        tx.execute(
            "INSERT INTO pages (id, session_id, url, requested_url, title, content_type, content, content_hash,
                                http_status, etag, last_modified, fetched_at, created_at, links)
             SELECT ?1, ?2, url, requested_url, title, content_type, content, content_hash,
                    http_status, etag, last_modified, ?3, ?3, links FROM pages WHERE id = ?4",
            args![new_id, to_session, scraped_at, source_id],
        )?;
        copy_chunks(tx, source_id, &new_id, scraped_at)?;
        new_id
    };
    tx.execute(
        "INSERT INTO job_pages (job_id, page_id, scraped_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (job_id, page_id) DO UPDATE SET scraped_at = excluded.scraped_at",
        args![to_job, page_id, scraped_at],
    )?;
    super::sessions::touch(tx, to_session, scraped_at)?;
    Ok(Some(page_id))
}

/// The newest saved copy of `url` with an ETag or Last-Modified, preferring the session's
/// own: the validators of a conditional request.
pub fn find_cached(
    conn: &Sql<'_>,
    session_id: &str,
    url: &str,
) -> StorageResult<Option<CachedPage>> {
    const COLUMNS: &str = "id, etag, last_modified, links, url, numberless_hash";
    const VALIDATED: &str = "(etag IS NOT NULL OR last_modified IS NOT NULL)";
    let read = |row: &crate::storage::sql::Row<'_>| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, Option<String>>(1)?,
            row.get::<_, Option<String>>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, Option<i64>>(5)?,
        ))
    };
    // Two lookups rather than one sorted query, so that each is one index search.
    let own = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM pages WHERE session_id = ?1 AND url = ?2 AND {VALIDATED}"
        ))?
        .query_row(args![session_id, url], read)
        .optional()?;
    let found = match own {
        Some(found) => Some(found),
        None => conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM pages WHERE url = ?1 AND {VALIDATED} ORDER BY fetched_at DESC LIMIT 1"
            ))?
            .query_row([url], read)
            .optional()?,
    };
    Ok(found.map(
        |(id, etag, last_modified, links, url, numberless_hash)| CachedPage {
            id,
            etag,
            last_modified,
            links_json: links,
            url,
            numberless_hash: numberless_hash.map(|h| h as u64),
        },
    ))
}

fn copy_chunks(tx: &Sql<'_>, from_page: &str, to_page: &str, now: &str) -> StorageResult<()> {
    let chunk_ids: Vec<String> = {
        let mut stmt = tx.prepare_cached("SELECT id FROM chunks WHERE page_id = ?1")?;
        let rows = stmt.query_map([from_page], |row| row.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut stmt = tx.prepare_cached(
        "INSERT INTO chunks (id, page_id, chunk_number, content, token_count, character_count, section, summary, extra, created_at)
         SELECT ?1, ?2, chunk_number, content, token_count, character_count, section, summary, extra, ?3
         FROM chunks WHERE id = ?4",
    )?;
    for chunk_id in chunk_ids {
        stmt.execute(args![ids::new_id(), to_page, now, chunk_id])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
