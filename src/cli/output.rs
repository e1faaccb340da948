//! `--out FILE.jsonl` and `--out-dir DIR`: the crawl's pages written out once it ends,
//! with the export module's formats (the same as the HTTP export route).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::config::ScrapeArgs;
use crate::export::{jsonl_lines, markdown_file, PageCursor, PathAllocator};
use crate::storage::Db;

pub enum Output {
    None,
    Jsonl { path: PathBuf, file: File },
    MarkdownDir { dir: PathBuf },
}

impl Output {
    /// Opens the destination before the crawl, so that an unwritable path is a bad
    /// argument found at once rather than after a long crawl.
    pub fn prepare(args: &ScrapeArgs) -> Result<Output, String> {
        if let Some(path) = &args.out {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|err| {
                    format!("--out {}: cannot create its folder: {err}", path.display())
                })?;
            }
            let file = File::create(path)
                .map_err(|err| format!("--out {}: cannot write it: {err}", path.display()))?;
            return Ok(Output::Jsonl {
                path: path.clone(),
                file,
            });
        }
        if let Some(dir) = &args.out_dir {
            std::fs::create_dir_all(dir)
                .map_err(|err| format!("--out-dir {}: cannot create it: {err}", dir.display()))?;
            return Ok(Output::MarkdownDir { dir: dir.clone() });
        }
        Ok(Output::None)
    }

    /// Writes the session's pages; a line for the summary, or why writing failed.
    pub async fn write(self, db: &Db, session_id: &str) -> Result<Option<String>, String> {
        match self {
            Output::None => Ok(None),
            Output::Jsonl { path, file } => write_jsonl(db, session_id, &path, file)
                .await
                .map(Some)
                .map_err(|err| format!("--out {}: {err}", path.display())),
            Output::MarkdownDir { dir } => write_markdown(db, session_id, &dir)
                .await
                .map(Some)
                .map_err(|err| format!("--out-dir {}: {err}", dir.display())),
        }
    }
}

async fn write_jsonl(
    db: &Db,
    session_id: &str,
    path: &Path,
    file: File,
) -> Result<String, Box<dyn std::error::Error>> {
    let mut out = BufWriter::new(file);
    let mut cursor = PageCursor::new(session_id);
    let mut chunks = 0usize;
    loop {
        let bundles = cursor.next_bundles(db).await?;
        if bundles.is_empty() {
            break;
        }
        for bundle in &bundles {
            chunks += bundle.chunks.len();
            out.write_all(&jsonl_lines(bundle))?;
        }
    }
    out.flush()?;
    Ok(format!(
        "{} ({chunks} chunks, one JSON object a line)",
        path.display()
    ))
}

async fn write_markdown(
    db: &Db,
    session_id: &str,
    dir: &Path,
) -> Result<String, Box<dyn std::error::Error>> {
    let mut cursor = PageCursor::new(session_id);
    let mut paths = PathAllocator::new();
    let mut files = 0usize;
    loop {
        let pages = cursor.next_texts(db).await?;
        if pages.is_empty() {
            break;
        }
        for page in &pages {
            let relative = paths.path_for(&page.url);
            let target = dir.join(&relative);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&target, markdown_file(page))?;
            files += 1;
        }
    }
    Ok(format!(
        "{} ({files} Markdown files, one a page)",
        dir.display()
    ))
}
