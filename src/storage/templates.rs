//! Rows behind site-template learning: each saved page's blocks until the job's end has
//! cleaned it, the template a job learned, and how many pages it was removed from.

use super::sql::{args, Optional, Sql};

use super::pages::{replace_chunks, NewChunk};
use super::StorageResult;
use crate::ids;

/// Remembers the blocks of a page a job just saved (encoded by the template module).
pub fn remember_blocks(
    tx: &Sql<'_>,
    job_id: &str,
    url: &str,
    content_hash: &str,
    blocks: &[u8],
) -> StorageResult<()> {
    tx.execute(
        // A page saved again moves to the end of the saving order, as a new row would.
        tx.pick(
            "INSERT OR REPLACE INTO page_blocks (job_id, url, content_hash, blocks) VALUES (?1, ?2, ?3, ?4)",
            "INSERT INTO page_blocks (job_id, url, content_hash, blocks) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (job_id, url) DO UPDATE SET content_hash = excluded.content_hash,
                 blocks = excluded.blocks, rowid = DEFAULT",
        ),
        args![job_id, url, content_hash, blocks],
    )?;
    Ok(())
}

/// How many pages the job's template was learned from; `None` until it is learned.
pub fn learned_from(conn: &Sql<'_>, job_id: &str) -> StorageResult<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT template_learned_from FROM jobs WHERE id = ?1",
            [job_id],
            |row| row.get::<_, Option<i64>>(0),
        )
        .optional()?
        .flatten())
}

/// The job's (`?1`) pages with remembered blocks that it still has saved, unchanged since
/// they were remembered: one definition, since learning counts on some of these pages and
/// takes samples from others, and both must be the same pages.
macro_rules! saved_pages_with_blocks {
    () => {
        "FROM page_blocks pb
         JOIN jobs j ON j.id = pb.job_id
         JOIN pages p ON p.session_id = j.session_id AND p.url = pb.url AND p.content_hash = pb.content_hash
         JOIN job_pages jp ON jp.job_id = pb.job_id AND jp.page_id = p.id
         WHERE pb.job_id = ?1"
    };
}

/// How many saved pages of the job have remembered blocks (the pages
/// [`for_each_saved_page_blocks`] visits), without reading the blocks.
pub fn count_saved_page_blocks(conn: &Sql<'_>, job_id: &str) -> StorageResult<usize> {
    let count: i64 = conn.query_row(
        concat!("SELECT count(*) ", saved_pages_with_blocks!()),
        [job_id],
        |row| row.get(0),
    )?;
    Ok(usize::try_from(count).unwrap_or_default())
}

/// The block lists of the pages the job still has saved, unchanged since they were
/// remembered, in saving order; `visit` gets each page's position, URL and blocks, and
/// returns `false` to stop.
pub fn for_each_saved_page_blocks(
    conn: &Sql<'_>,
    job_id: &str,
    mut visit: impl FnMut(usize, &str, &[u8]) -> bool,
) -> StorageResult<usize> {
    let mut count = 0;
    conn.for_each(
        concat!(
            "SELECT pb.url, pb.blocks ",
            saved_pages_with_blocks!(),
            " ORDER BY pb.rowid"
        ),
        [job_id],
        |row| {
            let url: String = row.get(0)?;
            let blocks: Vec<u8> = row.get(1)?;
            let more = visit(count, &url, &blocks);
            count += 1;
            Ok(more)
        },
    )?;
    Ok(count)
}

/// The text of a page [`for_each_saved_page_blocks`] visits, by the URL it gave.
pub fn saved_page_content(
    conn: &Sql<'_>,
    job_id: &str,
    url: &str,
) -> StorageResult<Option<String>> {
    conn.query_row(
        concat!(
            "SELECT p.content ",
            saved_pages_with_blocks!(),
            " AND pb.url = ?2"
        ),
        args![job_id, url],
        |row| row.get(0),
    )
    .optional()
}

/// The pages [`for_each_saved_page_blocks`] visits, with their text: (content, blocks), in
/// saving order, for reading the text of template blocks; `visit` returns `false` to stop.
pub fn for_each_saved_page_content(
    conn: &Sql<'_>,
    job_id: &str,
    mut visit: impl FnMut(&str, &[u8]) -> bool,
) -> StorageResult<()> {
    conn.for_each(
        concat!(
            "SELECT p.content, pb.blocks ",
            saved_pages_with_blocks!(),
            " ORDER BY pb.rowid"
        ),
        [job_id],
        |row| {
            let content: String = row.get(0)?;
            let blocks: Vec<u8> = row.get(1)?;
            Ok(visit(&content, &blocks))
        },
    )
}

/// One block of a job's template: its fingerprint, on how many pages it was, its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateBlock {
    pub fingerprint: u64,
    pub pages: i64,
    pub sample: String,
}

/// Records the learned template; from now on the job's end only cleans pages.
pub fn save_template(
    tx: &Sql<'_>,
    job_id: &str,
    learned_from: i64,
    blocks: &[TemplateBlock],
) -> StorageResult<()> {
    tx.execute("DELETE FROM job_template WHERE job_id = ?1", [job_id])?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO job_template (job_id, fingerprint, pages, sample) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for block in blocks {
        stmt.execute(args![
            job_id,
            block.fingerprint as i64,
            block.pages,
            block.sample
        ])?;
    }
    tx.execute(
        "UPDATE jobs SET template_learned_from = ?2 WHERE id = ?1",
        args![job_id, learned_from],
    )?;
    Ok(())
}

pub fn template(conn: &Sql<'_>, job_id: &str) -> StorageResult<Vec<TemplateBlock>> {
    let mut stmt = conn.prepare(
        "SELECT fingerprint, pages, sample FROM job_template WHERE job_id = ?1 ORDER BY pages DESC",
    )?;
    let rows = stmt.query_map([job_id], |row| {
        Ok(TemplateBlock {
            fingerprint: row.get::<_, i64>(0)? as u64,
            pages: row.get(1)?,
            sample: row.get(2)?,
        })
    })?;
    rows.collect::<Result<_, _>>()
}

/// A remembered page with something of the template on it, as the job saved it (pages
/// replaced since, or dropped for a closer version, are never pending).
#[derive(Debug)]
pub struct PendingPage {
    pub page: StoredPage,
    pub blocks: Vec<u8>,
}

/// The next pages to clean, and how far the batch read: the URL of the last remembered
/// page it looked at (the next batch's cursor), `None` once no page is left.
#[derive(Debug)]
pub struct PendingBatch {
    pub pages: Vec<PendingPage>,
    pub through: Option<String>,
}

#[derive(Debug)]
pub struct StoredPage {
    pub id: String,
    pub url: String,
    pub title: String,
    pub content: String,
    pub content_hash: String,
}

/// The remembered pages of the job whose URL sorts after `after_url` (`""` for the first
/// batch) that `to_clean` says have something to clean: up to `clean_limit` of them,
/// among the next `read_limit` remembered pages at most. In URL order, the order of the
/// `(job_id, url)` index, so that a batch is a seek and a short walk: in rowid order every
/// batch sorted all of the job's remaining rows, and the end of a 30,000-page job spent
/// minutes there. Most pages of a site have nothing to clean: a batch reads past them, so
/// that the rounds of reading and writing follow the pages to clean, not all pages. A
/// page's text is read only when it is to be cleaned: a query selecting the text reads it
/// (overflow pages and all) for every row it returns.
pub fn pending_pages(
    conn: &Sql<'_>,
    job_id: &str,
    after_url: &str,
    read_limit: u32,
    clean_limit: usize,
    to_clean: impl Fn(&[u8]) -> bool,
) -> StorageResult<PendingBatch> {
    let mut through = None;
    // The pages to clean (id, hash, blocks), chosen as the rows come by their blocks,
    // which are kept for those alone: a batch reads up to `read_limit` pages' blocks.
    let mut chosen: Vec<(String, String, Vec<u8>)> = Vec::new();
    conn.for_each(
        // Each remembered page's URL and blocks, and its id and hash when the job still
        // has it as it was remembered.
        "SELECT pb.url, pb.blocks, p.id, p.content_hash
         FROM page_blocks pb
         JOIN jobs j ON j.id = pb.job_id
         LEFT JOIN pages p ON p.session_id = j.session_id AND p.url = pb.url AND p.content_hash = pb.content_hash
              AND EXISTS (SELECT 1 FROM job_pages jp WHERE jp.job_id = pb.job_id AND jp.page_id = p.id)
         WHERE pb.job_id = ?1 AND pb.url > ?2 ORDER BY pb.url LIMIT ?3",
        args![job_id, after_url, read_limit],
        |row| {
            through = Some(row.get::<_, String>(0)?);
            let blocks: Vec<u8> = row.get(1)?;
            if let (Some(id), Some(hash)) = (row.get(2)?, row.get(3)?) {
                if to_clean(&blocks) {
                    chosen.push((id, hash, blocks));
                }
            }
            Ok(chosen.len() < clean_limit)
        },
    )?;
    let mut text = conn.prepare_cached(
        "SELECT url, coalesce(title, ''), content FROM pages WHERE id = ?1 AND content_hash = ?2",
    )?;
    let mut pages = Vec::with_capacity(chosen.len());
    for (id, content_hash, blocks) in chosen {
        let page = text
            .query_row(args![id, content_hash], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()?
            .map(|(url, title, content)| StoredPage {
                id,
                url,
                title,
                content,
                content_hash,
            });
        if let Some(page) = page {
            pages.push(PendingPage { page, blocks });
        }
    }
    Ok(PendingBatch { pages, through })
}

/// A page with its template removed, re-chunked.
#[derive(Debug)]
pub struct CleanedPage {
    pub page_id: String,
    pub old_hash: String,
    pub content: String,
    pub content_hash: String,
    pub chunks: Vec<NewChunk>,
}

/// Writes cleaned pages (each only if it is still as it was read) and forgets the
/// remembered blocks up to `through_url` (in URL order); returns how many pages changed, or `None`
/// (writing nothing) when the job is no longer running: a cancelled job's status is a
/// snapshot of its pages that must stay true.
pub fn apply_cleaned(
    tx: &Sql<'_>,
    job_id: &str,
    through_url: &str,
    cleaned: &[CleanedPage],
    message: &str,
) -> StorageResult<Option<i64>> {
    if !super::jobs::is_running(tx, job_id)? {
        return Ok(None);
    }
    let mut changed = 0;
    for page in cleaned {
        let updated = tx.execute(
            "UPDATE pages SET content = ?2, content_hash = ?3 WHERE id = ?1 AND content_hash = ?4",
            args![page.page_id, page.content, page.content_hash, page.old_hash],
        )?;
        if updated == 1 {
            replace_chunks(tx, &page.page_id, &page.chunks)?;
            changed += 1;
            if changed == 1 {
                crate::faults::point(crate::faults::TEMPLATE_CLEAN);
            }
        }
    }
    tx.execute(
        "DELETE FROM page_blocks WHERE job_id = ?1 AND url <= ?2",
        args![job_id, through_url],
    )?;
    tx.execute(
        "UPDATE jobs SET template_pages_cleaned = template_pages_cleaned + ?2 WHERE id = ?1",
        args![job_id, changed],
    )?;
    tx.execute(
        "UPDATE jobs SET message = ?2, updated_at = ?3, progressed_at = ?3
         WHERE id = ?1",
        args![job_id, message, ids::now()],
    )?;
    Ok(Some(changed))
}

/// Drops what a job remembered for learning its template (the job ended without it).
pub fn forget(tx: &Sql<'_>, job_id: &str) -> StorageResult<()> {
    tx.execute("DELETE FROM page_blocks WHERE job_id = ?1", [job_id])?;
    Ok(())
}

/// What the job's template removed: (template blocks, pages cleaned), once learned.
pub fn report(conn: &Sql<'_>, job_id: &str) -> StorageResult<Option<(i64, i64)>> {
    let learned = conn
        .query_row(
            "SELECT template_learned_from, template_pages_cleaned FROM jobs WHERE id = ?1",
            [job_id],
            |row| Ok((row.get::<_, Option<i64>>(0)?, row.get::<_, i64>(1)?)),
        )
        .optional()?;
    let Some((Some(_), pages)) = learned else {
        return Ok(None);
    };
    let blocks: i64 = conn.query_row(
        "SELECT count(*) FROM job_template WHERE job_id = ?1",
        [job_id],
        |row| row.get(0),
    )?;
    Ok(Some((blocks, pages)))
}
