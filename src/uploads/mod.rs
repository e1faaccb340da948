//! Upload jobs: an uploaded file, spooled in the database by the request, becomes one
//! document of its session through the same pipeline as a crawled page (extract → chunk
//! → classify). PDF and DOCX are converted to Markdown in a bounded child process first.
//!
//! The job writes its document and its end in one transaction, so a job interrupted by a
//! crash has written nothing and simply runs again from the spool at the next start.

pub mod format;
pub mod sandbox;

use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use url::Url;

use crate::crawl::classify::ContentKind;
use crate::crawl::document_chunks::chunk_document;
use crate::crawl::extract::openapi::SpecFormat;
use crate::crawl::extract::{self, asciidoc, decode, Document};
use crate::crawl::runner::CrawlShared;
use crate::error::StorageError;
use crate::ids;
use crate::storage::jobs::JobRow;
use crate::storage::uploads::{self, PlaceConflict, UploadEnding, UploadRow, UploadedDocument};
use format::UploadFormat;
use sandbox::SandboxLimits;

/// How long an identical earlier upload's chunks are reused (`skipCache` false), as for
/// scrape jobs.
const CACHE_MAX_AGE: time::Duration = time::Duration::days(28);
/// Longest file name kept (in characters); longer names are cut.
const MAX_NAME_CHARS: usize = 200;
/// Changes whenever conversion changes what an upload becomes, so that `skipCache: false`
/// does not reuse chunks an older conversion made.
const CONVERSION_VERSION: u32 = 1;

/// Limits of uploads, from the settings.
#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    /// Largest uploaded file, in bytes.
    pub max_bytes: u64,
    /// Bounds of converting one PDF or DOCX.
    pub sandbox: SandboxLimits,
}

/// A file name safe to show and to put after `upload://`: the last path component, no
/// control characters, no leading dots, at most `MAX_NAME_CHARS` characters; `upload`
/// when nothing is left.
pub fn sanitize_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let cleaned = cleaned.trim_start_matches(['.', ' ']);
    let cut: String = cleaned.chars().take(MAX_NAME_CHARS).collect();
    if cut.is_empty() {
        "upload".to_string()
    } else {
        cut
    }
}

/// What the chunks of an upload show as their `url`.
pub fn shown_url(file_name: &str) -> String {
    format!("upload://{file_name}")
}

/// The key under which identical uploads (same bytes, same name, same chunk size) reuse
/// each other's chunks.
pub fn input_key(content_hash: &str, file_name: &str, chunk_tokens: usize) -> String {
    uploads::sha256_hex(
        format!("upload v{CONVERSION_VERSION}\n{content_hash}\n{file_name}\n{chunk_tokens}")
            .as_bytes(),
    )
}

/// Runs one upload job that was just marked running, and writes its end.
pub async fn run(
    shared: &Arc<CrawlShared>,
    limits: UploadLimits,
    job: &JobRow,
    cancel: CancellationToken,
) -> Result<(), StorageError> {
    let job_id = job.id.clone();
    let id = job_id.clone();
    let Some(upload) = shared.db.run(move |conn| uploads::get(conn, &id)).await? else {
        return Err(StorageError::Corrupt(format!(
            "upload job {job_id} has no upload row"
        )));
    };
    log::info!(
        "[job {job_id}] processing upload {} ({} bytes) into document {}",
        upload.file_name,
        upload.size_bytes,
        upload.doc_id
    );
    let (id, message) = (
        job_id.clone(),
        format!("Parsing uploaded documentation {}", upload.file_name),
    );
    shared
        .db
        .run(move |conn| uploads::set_message(conn, &id, &message))
        .await?;
    if !upload.skip_cache && reuse_earlier(shared, &upload).await? {
        return Ok(());
    }
    let id = job_id.clone();
    let Some(bytes) = shared
        .db
        .run(move |conn| uploads::read_spool(conn, &id))
        .await?
    else {
        // The session was deleted meanwhile (the spool goes with it).
        return Ok(());
    };
    let format = format::detect(&bytes, &upload.file_name, &upload.declared_type);
    let url = upload_url(&upload.file_name);
    let processed = process(shared, limits, &upload, format, bytes, &url).await;
    if cancel.is_cancelled() {
        return Ok(());
    }
    let ending = match processed {
        Ok((document, chunks)) => {
            let placed = UploadedDocument {
                doc_id: upload.doc_id.clone(),
                session_id: upload.session_id.clone(),
                job_id: job_id.clone(),
                title: document
                    .title
                    .clone()
                    .filter(|title| !title.trim().is_empty())
                    .unwrap_or_else(|| upload.file_name.clone()),
                shown_url: shown_url(&upload.file_name),
                content_type: document.mime.unwrap_or(format.mime()).to_string(),
                content: document.content,
                chunks,
            };
            return save(shared, &upload, placed, format).await;
        }
        Err(line) => {
            log::info!("[job {job_id}] upload {} failed: {line}", upload.file_name);
            UploadEnding::Failed {
                content_type: Some(format.mime().to_string()),
                error: format!("Failed to process {}: {line}", upload.file_name),
            }
        }
    };
    let id = job_id.clone();
    shared
        .db
        .write(move |tx| uploads::finish(tx, &id, &ending))
        .await?;
    Ok(())
}

/// `upload:///<file name>`, for the classifiers that look at a page's path.
fn upload_url(file_name: &str) -> Url {
    let mut url = Url::parse("upload:///").unwrap_or_else(|_| {
        // A constant that always parses; the fallback only satisfies the type.
        Url::parse("http://localhost/").expect("static url")
    });
    url.set_path(file_name);
    url
}

/// Converts, extracts and chunks the file; the error is one line for `errors`.
async fn process(
    shared: &Arc<CrawlShared>,
    limits: UploadLimits,
    upload: &UploadRow,
    format: UploadFormat,
    bytes: Vec<u8>,
    url: &Url,
) -> Result<(Document, Vec<crate::storage::pages::NewChunk>), String> {
    // PDF and DOCX are converted in a child process with its own memory limit.
    let (markdown, bytes) = if format.is_binary() {
        let converted = sandbox::convert(format, bytes, limits.sandbox).await?;
        (Some(converted), Vec::new())
    } else {
        (None, bytes)
    };
    // Parsing and chunking in this process share the crawl's parse budget, so uploads
    // and crawled pages together never parse more than the machine has room for.
    let size = markdown
        .as_ref()
        .map_or(bytes.len(), |converted| converted.markdown.len());
    let Some(admitted) = shared.parse_budget.admit(size).await else {
        return Err("the server is shutting down".to_string());
    };
    let (chunker, url, declared) = (
        shared.chunker.clone(),
        url.clone(),
        upload.declared_type.clone(),
    );
    // The parse holds the admission and ends it on the pool's thread (see `Admission`).
    let processed = shared.cpu.run(move || {
        admitted.parse(|| {
            crate::faults::point(crate::faults::UPLOAD_PROCESS);
            let document = match markdown {
                Some(converted) => {
                    let mut document =
                        extract::plain(converted.markdown, ContentKind::Markdown, true);
                    document.title = converted.title.or(document.title);
                    document
                }
                None => text_document(&bytes, format, &declared, &url),
            };
            let chunks = chunk_document(&chunker, &document, &url);
            if chunks.is_empty() {
                return Err("the file holds no text".to_string());
            }
            Ok((document, chunks))
        })
    });
    processed
        .await
        .map_err(|_| "internal error while processing the file".to_string())?
}

/// The document of a text format, through the same pipelines as crawled pages.
fn text_document(bytes: &[u8], format: UploadFormat, declared: &str, url: &Url) -> Document {
    let charset = declared
        .split(';')
        .skip(1)
        .find_map(|param| param.trim().strip_prefix("charset="))
        .map(|value| value.trim_matches('"'));
    let text = decode::decode(bytes, charset, format == UploadFormat::Html);
    let text = text.trim_start_matches('\u{feff}').to_string();
    match format {
        UploadFormat::Html => extract::from_html(text, url),
        UploadFormat::Json => extract::from_structured(text, ContentKind::Json, SpecFormat::Json),
        UploadFormat::Yaml => extract::from_structured(text, ContentKind::Yaml, SpecFormat::Yaml),
        UploadFormat::Markdown => extract::plain(text, ContentKind::Markdown, true),
        UploadFormat::AsciiDoc => extract::plain(
            asciidoc::asciidoc_to_markdown(&text),
            ContentKind::Markdown,
            true,
        ),
        _ => extract::plain(text, ContentKind::Text, false),
    }
}

/// Places the document and ends the job in one transaction.
async fn save(
    shared: &Arc<CrawlShared>,
    upload: &UploadRow,
    document: UploadedDocument,
    format: UploadFormat,
) -> Result<(), StorageError> {
    let (job_id, hash, replace_all) = (
        document.job_id.clone(),
        upload.content_hash.clone(),
        upload.replace_all,
    );
    let chunks = document.chunks.len() as i64;
    let name = upload.file_name.clone();
    let saved = shared
        .db
        .write(move |tx| {
            if !uploads::is_running(tx, &job_id)? {
                return Ok(false);
            }
            let ending = match uploads::save_document(tx, &document, &hash, replace_all)? {
                Ok(()) => UploadEnding::Finished {
                    content_type: document.content_type.clone(),
                    chunks,
                    reused_from: None,
                },
                Err(conflict) => UploadEnding::Failed {
                    content_type: Some(format.mime().to_string()),
                    error: conflict_line(&name, &document.doc_id, &conflict),
                },
            };
            uploads::finish(tx, &job_id, &ending)
        })
        .await?;
    if saved {
        log::info!(
            "[job {}] upload {} saved as document {} ({chunks} chunks)",
            upload.job_id,
            upload.file_name,
            upload.doc_id
        );
    }
    Ok(())
}

fn conflict_line(file_name: &str, doc_id: &str, conflict: &PlaceConflict) -> String {
    match conflict {
        PlaceConflict::DocInOtherSession => {
            format!("Failed to process {file_name}: document {doc_id} belongs to another session")
        }
        PlaceConflict::ChunkIdTaken(chunk) => {
            format!("Failed to process {file_name}: chunk id {chunk} is taken")
        }
    }
}

/// With `skipCache` false: copies the chunks of a finished upload of the same bytes and
/// name from the last 28 days (any session) and ends the job; `false` when there is none.
async fn reuse_earlier(
    shared: &Arc<CrawlShared>,
    upload: &UploadRow,
) -> Result<bool, StorageError> {
    let since = ids::format_timestamp(time::OffsetDateTime::now_utc() - CACHE_MAX_AGE);
    let key = input_key(
        &upload.content_hash,
        &upload.file_name,
        shared.chunker.max_tokens(),
    );
    let target = UploadedDocument {
        doc_id: upload.doc_id.clone(),
        session_id: upload.session_id.clone(),
        job_id: upload.job_id.clone(),
        title: upload.file_name.clone(),
        shown_url: shown_url(&upload.file_name),
        content_type: String::new(),
        content: String::new(),
        chunks: Vec::new(),
    };
    let replace_all = upload.replace_all;
    let name = upload.file_name.clone();
    let reused = shared
        .db
        .write(move |tx| {
            if !uploads::is_running(tx, &target.job_id)? {
                return Ok(None);
            }
            let Some((source_job, source_doc)) =
                uploads::find_reusable(tx, &key, &target.job_id, &since)?
            else {
                return Ok(None);
            };
            let content_type = uploads::get(tx, &source_job)?
                .and_then(|row| row.content_type)
                .unwrap_or_default();
            let ending = match uploads::copy_document(tx, &source_doc, &target, replace_all)? {
                Ok(chunks) => UploadEnding::Finished {
                    content_type,
                    chunks,
                    reused_from: Some(source_job.clone()),
                },
                Err(conflict) => UploadEnding::Failed {
                    content_type: Some(content_type),
                    error: conflict_line(&name, &target.doc_id, &conflict),
                },
            };
            uploads::finish(tx, &target.job_id, &ending)?;
            Ok(Some(source_job))
        })
        .await?;
    if let Some(source) = &reused {
        log::info!(
            "[job {}] reused the chunks of upload job {source} (same file, skipCache false)",
            upload.job_id
        );
    }
    Ok(reused.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(
            sanitize_file_name("C:\\Users\\me\\Spec v2.pdf"),
            "Spec v2.pdf"
        );
        assert_eq!(sanitize_file_name("a\u{0}b\nc.md"), "a b c.md");
        assert_eq!(sanitize_file_name("..."), "upload");
        assert_eq!(sanitize_file_name(""), "upload");
        assert_eq!(sanitize_file_name(".hidden"), "hidden");
        assert_eq!(
            sanitize_file_name(&"x".repeat(500)).chars().count(),
            MAX_NAME_CHARS
        );
        assert_eq!(upload_url("My Spec.pdf").path(), "/My%20Spec.pdf");
    }
}
