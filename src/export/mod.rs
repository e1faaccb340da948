//! Exporting a session's saved pages: JSON Lines (one chunk a line, the API's chunk
//! shape) or Markdown files with a front-matter header, one per page, as a folder or a
//! tar. Pages are read in small batches, so an export never holds a session in memory;
//! the HTTP route and `docscrape scrape --out/--out-dir` share everything here.

pub mod paths;

use crate::storage::sql::{args, Optional, Sql};

use crate::crawl::text::code_fence;
use crate::model::DocBundle;
use crate::storage::{pages, Db, StorageResult};
pub use paths::PathAllocator;

/// Pages read per database round trip.
const BATCH: u32 = 16;

/// A saved page as a Markdown file needs it.
#[derive(Debug, Clone)]
pub struct PageText {
    pub doc_id: String,
    pub url: String,
    pub title: String,
    pub content_type: String,
    pub content: String,
    pub scraped_at: String,
}

/// Walks a session's pages in saving order, a batch at a time.
pub struct PageCursor {
    session_id: String,
    after_rowid: i64,
}

impl PageCursor {
    pub fn new(session_id: &str) -> Self {
        PageCursor {
            session_id: session_id.to_string(),
            after_rowid: 0,
        }
    }

    /// The next pages with their chunks (for JSON Lines); empty at the end.
    pub async fn next_bundles(&mut self, db: &Db) -> StorageResult<Vec<DocBundle>> {
        let (session, after) = (self.session_id.clone(), self.after_rowid);
        let (last, bundles) = db
            .run(move |conn| {
                let keys = pages::page_keys(conn, &session, after, BATCH)?;
                let last = keys.last().map(|(rowid, _)| *rowid);
                let mut bundles = Vec::with_capacity(keys.len());
                for (_, page_id) in keys {
                    bundles.extend(pages::document(conn, &session, &page_id)?.map(DocBundle::from));
                }
                Ok((last, bundles))
            })
            .await?;
        if let Some(last) = last {
            self.after_rowid = last;
        }
        Ok(bundles)
    }

    /// The next pages' stored text (for Markdown files); empty at the end.
    pub async fn next_texts(&mut self, db: &Db) -> StorageResult<Vec<PageText>> {
        let (session, after) = (self.session_id.clone(), self.after_rowid);
        let (last, texts) = db
            .run(move |conn| {
                let keys = pages::page_keys(conn, &session, after, BATCH)?;
                let last = keys.last().map(|(rowid, _)| *rowid);
                let mut texts = Vec::with_capacity(keys.len());
                for (_, page_id) in keys {
                    texts.extend(page_text(conn, &page_id)?);
                }
                Ok((last, texts))
            })
            .await?;
        if let Some(last) = last {
            self.after_rowid = last;
        }
        Ok(texts)
    }
}

fn page_text(conn: &Sql<'_>, page_id: &str) -> StorageResult<Option<PageText>> {
    conn
        .query_row(
            "SELECT id, url, coalesce(title, ''), content_type, content, fetched_at FROM pages WHERE id = ?1",
            args![page_id],
            |row| {
                Ok(PageText {
                    doc_id: row.get(0)?,
                    url: row.get(1)?,
                    title: row.get(2)?,
                    content_type: row.get(3)?,
                    content: row.get(4)?,
                    scraped_at: row.get(5)?,
                })
            },
        )
        .optional()
}

/// One JSON line per chunk, in chunk order: the same object `GET …/documentation` gives.
pub fn jsonl_lines(bundle: &DocBundle) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in &bundle.chunks {
        // A chunk always serialises (strings, numbers and a JSON map); a failure would
        // drop only that line.
        if serde_json::to_writer(&mut out, chunk).is_ok() {
            out.push(b'\n');
        }
    }
    out
}

/// The Markdown file of a page: a YAML front matter (url, title, scrapedAt, docId,
/// contentType), then the content — Markdown for HTML and Markdown pages, a fenced code
/// block for JSON, YAML and plain text so that the file still renders as Markdown.
pub fn markdown_file(page: &PageText) -> String {
    let mut out = String::from("---\n");
    for (key, value) in [
        ("url", &page.url),
        ("title", &page.title),
        ("scrapedAt", &page.scraped_at),
        ("docId", &page.doc_id),
        ("contentType", &page.content_type),
    ] {
        // A JSON string is a valid YAML double-quoted scalar, escapes included, so a
        // title with quotes, colons or newlines cannot break out of the header.
        out.push_str(&format!(
            "{key}: {}\n",
            serde_json::Value::from(value.as_str())
        ));
    }
    out.push_str("---\n\n");
    match fence_language(&page.content_type) {
        None => out.push_str(&page.content),
        Some(language) => {
            let fence = code_fence(&page.content);
            out.push_str(&format!("{fence}{language}\n{}\n{fence}", page.content));
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// `None` when the stored content is Markdown already.
fn fence_language(content_type: &str) -> Option<&'static str> {
    let mime = content_type.to_ascii_lowercase();
    if mime.contains("html") || mime.contains("markdown") || mime.contains("ipynb") {
        None
    } else if mime.contains("json") {
        Some("json")
    } else if mime.contains("yaml") {
        Some("yaml")
    } else {
        Some("text")
    }
}

/// Writes tar entries into memory one page at a time, so that a streamed archive is
/// built without holding more than one page.
pub struct TarPieces {
    builder: tar::Builder<Vec<u8>>,
}

impl Default for TarPieces {
    fn default() -> Self {
        Self::new()
    }
}

impl TarPieces {
    pub fn new() -> Self {
        TarPieces {
            builder: tar::Builder::new(Vec::new()),
        }
    }

    /// The bytes of one regular file entry (header, long-name extension when needed,
    /// content, padding).
    pub fn file(&mut self, path: &str, content: &[u8], modified: i64) -> std::io::Result<Vec<u8>> {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mtime(u64::try_from(modified).unwrap_or(0));
        self.builder.append_data(&mut header, path, content)?;
        Ok(std::mem::take(self.builder.get_mut()))
    }

    /// The end-of-archive marker.
    pub fn finish(self) -> std::io::Result<Vec<u8>> {
        self.builder.into_inner()
    }
}

/// Seconds since the epoch of an API timestamp, for tar entries; 0 when unreadable.
pub fn unix_time(timestamp: &str) -> i64 {
    time::OffsetDateTime::parse(timestamp, &time::format_description::well_known::Rfc3339)
        .map(|at| at.unix_timestamp())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(content_type: &str, content: &str, title: &str) -> PageText {
        PageText {
            doc_id: "d".into(),
            url: "https://d.example/a".into(),
            title: title.into(),
            content_type: content_type.into(),
            content: content.into(),
            scraped_at: "2026-03-10T15:00:05+00:00".into(),
        }
    }

    #[test]
    fn front_matter_cannot_be_broken_by_a_title() {
        let file = markdown_file(&page(
            "text/html",
            "# Hello\n",
            "Evil\"\n---\ninjected: yes",
        ));
        let header: Vec<&str> = file.split("---\n").collect();
        assert_eq!(header[0], "");
        assert!(header[1].contains("title: \"Evil\\\"\\n---\\ninjected: yes\"\n"));
        assert!(header[1].contains("url: \"https://d.example/a\"\n"));
        assert!(header[1].contains("scrapedAt: \"2026-03-10T15:00:05+00:00\"\n"));
        assert!(file.ends_with("# Hello\n"));
    }

    #[test]
    fn raw_documents_are_fenced_longer_than_their_backticks() {
        let file = markdown_file(&page("application/json", "{\"a\": \"```\"}", "Spec"));
        assert!(
            file.contains("````json\n{\"a\": \"```\"}\n````\n"),
            "{file}"
        );
        let file = markdown_file(&page("text/plain", "plain", "Notes"));
        assert!(file.contains("```text\nplain\n```\n"), "{file}");
        // A notebook is stored as Markdown already.
        let notebook = "# Fit\n\n```python\nfit()\n```\n";
        let file = markdown_file(&page("application/x-ipynb+json", notebook, "Fit"));
        assert!(file.ends_with(&format!("---\n\n{notebook}")), "{file}");
    }

    #[test]
    fn tar_pieces_form_a_readable_archive() {
        let mut tar = TarPieces::new();
        let mut archive = Vec::new();
        let long = format!("s/{}/page.md", "deep".repeat(40));
        archive.extend(tar.file("s/a.md", b"alpha", 1_700_000_000).expect("entry"));
        archive.extend(tar.file(&long, b"beta", 0).expect("entry"));
        archive.extend(tar.finish().expect("end"));
        let mut reader = tar::Archive::new(archive.as_slice());
        let mut seen = Vec::new();
        for entry in reader.entries().expect("entries") {
            let mut entry = entry.expect("entry");
            let path = entry.path().expect("path").display().to_string();
            let mut body = String::new();
            std::io::Read::read_to_string(&mut entry, &mut body).expect("body");
            seen.push((path, body));
        }
        assert_eq!(
            seen,
            vec![
                ("s/a.md".to_string(), "alpha".to_string()),
                (long, "beta".to_string())
            ]
        );
    }

    #[test]
    fn timestamps_become_unix_seconds() {
        assert_eq!(unix_time("1970-01-01T00:01:00+00:00"), 60);
        assert_eq!(unix_time("garbage"), 0);
    }
}
