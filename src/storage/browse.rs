//! Reading a session's saved pages for people: a searchable list with chunk and token
//! counts, and one page with its stored text and chunks (the dashboard's views).

use super::sql::{args, Optional, Sql};

use super::StorageResult;

#[derive(Debug, Clone)]
pub struct PageRow {
    pub id: String,
    pub url: String,
    pub title: String,
    pub content_type: String,
    pub scraped_at: String,
    pub chunks: i64,
    pub tokens: i64,
}

#[derive(Debug, Clone)]
pub struct ChunkRow {
    pub number: i64,
    pub section: String,
    pub token_count: i64,
    pub character_count: i64,
    pub content: String,
}

/// `LIKE` pattern matching `text` anywhere, with `%`, `_` and `\` taken literally.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Pages of a session in saving order whose URL or title contains `search` (ASCII case
/// ignored; everything when empty), with how many matched in all.
pub fn list_pages(
    conn: &Sql<'_>,
    session_id: &str,
    search: &str,
    offset: u64,
    limit: u64,
) -> StorageResult<(i64, Vec<PageRow>)> {
    let pattern = contains_pattern(search.trim());
    // SQLite's LIKE ignores ASCII case; PostgreSQL's ILIKE is the same search.
    let filter = conn.pick(
        "p.session_id = ?1 AND (p.url LIKE ?2 ESCAPE '\\' OR coalesce(p.title, '') LIKE ?2 ESCAPE '\\')",
        "p.session_id = ?1 AND (p.url ILIKE ?2 ESCAPE '\\' OR coalesce(p.title, '') ILIKE ?2 ESCAPE '\\')",
    );
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM pages p WHERE {filter}"),
        args![session_id, pattern],
        |row| row.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT p.id, p.url, coalesce(p.title, ''), p.content_type, p.fetched_at,
                (SELECT count(*) FROM chunks c WHERE c.page_id = p.id),
                (SELECT CAST(coalesce(sum(c.token_count), 0) AS BIGINT) FROM chunks c WHERE c.page_id = p.id)
         FROM pages p WHERE {filter} ORDER BY p.rowid LIMIT ?3 OFFSET ?4"
    ))?;
    let rows = stmt.query_map(
        args![
            session_id,
            pattern,
            i64::try_from(limit).unwrap_or(i64::MAX),
            i64::try_from(offset).unwrap_or(i64::MAX)
        ],
        |row| {
            Ok(PageRow {
                id: row.get(0)?,
                url: row.get(1)?,
                title: row.get(2)?,
                content_type: row.get(3)?,
                scraped_at: row.get(4)?,
                chunks: row.get(5)?,
                tokens: row.get(6)?,
            })
        },
    )?;
    Ok((total, rows.collect::<Result<_, _>>()?))
}

/// One page of a session with its stored text and its chunks in order.
pub fn page_with_chunks(
    conn: &Sql<'_>,
    session_id: &str,
    page_id: &str,
) -> StorageResult<Option<(PageRow, String, Vec<ChunkRow>)>> {
    let found = conn
        .query_row(
            "SELECT id, url, coalesce(title, ''), content_type, fetched_at, content
             FROM pages WHERE id = ?1 AND session_id = ?2",
            args![page_id, session_id],
            |row| {
                Ok((
                    PageRow {
                        id: row.get(0)?,
                        url: row.get(1)?,
                        title: row.get(2)?,
                        content_type: row.get(3)?,
                        scraped_at: row.get(4)?,
                        chunks: 0,
                        tokens: 0,
                    },
                    row.get::<_, String>(5)?,
                ))
            },
        )
        .optional()?;
    let Some((mut page, content)) = found else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT chunk_number, section, token_count, character_count, content
         FROM chunks WHERE page_id = ?1 ORDER BY chunk_number",
    )?;
    let chunks: Vec<ChunkRow> = stmt
        .query_map([page_id], |row| {
            Ok(ChunkRow {
                number: row.get(0)?,
                section: row.get(1)?,
                token_count: row.get(2)?,
                character_count: row.get(3)?,
                content: row.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    page.chunks = chunks.len() as i64;
    page.tokens = chunks.iter().map(|chunk| chunk.token_count).sum();
    Ok(Some((page, content, chunks)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_literal() {
        assert_eq!(contains_pattern("a_b%c\\d"), "%a\\_b\\%c\\\\d%");
        assert_eq!(contains_pattern(""), "%%");
    }
}
