//! `GET …/documentation/export`: a session's pages as one download, streamed batch by
//! batch from the database (see `crate::export`): JSON Lines, or a tar of Markdown files.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::stream;
use tokio::sync::mpsc;

use super::params::{path_uuid, query_value};
use super::{session_not_found, AppState};
use crate::error::{ApiError, StorageError, ValidationIssue};
use crate::export::{jsonl_lines, markdown_file, unix_time, PageCursor, PathAllocator, TarPieces};
use crate::model::ExportFormat;
use crate::storage::{pages, sessions, Db, StorageResult};

#[utoipa::path(get, path = "/api/v1/session/{session_id}/documentation/export", operation_id = "export_documentation", tag = "operator",
    summary = "Download a session's pages",
    description = "Streams every saved page of the session in saving order, never holding the session in memory. `jsonl`: one chunk a line, each the same object as in `GET …/documentation` (with the page's `url` and `title`). `markdown`: a tar archive with one Markdown file a page under `<session id>/<host>/<path>.md`, each starting with a YAML front matter (`url`, `title`, `scrapedAt`, `docId`, `contentType`); JSON, YAML and text pages are fenced code blocks. An addition of this implementation.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b"),
           ("format" = Option<ExportFormat>, Query, description = "`jsonl` (the default) or `markdown`", example = "jsonl")),
    responses(
        (status = 200, description = "The export, streamed; `Content-Disposition` names a file",
            content(
                (String = "application/x-ndjson", example = json!("{\"chunkId\":\"…\",\"docId\":\"…\",\"source\":\"scraper\",\"url\":\"https://docs.example.com/\",\"title\":\"Acme\",\"content\":\"# Acme\",…}\n")),
                (Vec<u8> = "application/x-tar", example = json!("(binary tar archive)"))
            )),
        (status = 404, body = crate::model::ErrorDetail, description = "No such session, or it has no documentation"),
        (status = 422, body = crate::model::ValidationErrorDetail, description = "Bad UUID or format")))]
pub async fn export(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let session_id = path_uuid(&req, "session_id")?;
    let format = match query_value(&req, "format").as_deref() {
        None | Some("jsonl") => ExportFormat::Jsonl,
        Some("markdown") => ExportFormat::Markdown,
        Some(other) => {
            return Err(ApiError::validation(ValidationIssue::new(
                "enum",
                vec!["query".into(), "format".into()],
                "Input should be 'jsonl' or 'markdown'",
                other.chars().take(200).collect::<String>().into(),
            )))
        }
    };
    let session = session_id.clone();
    state
        .db
        .run(move |conn| -> StorageResult<Result<(), ApiError>> {
            if !sessions::exists(conn, &session)? {
                return Ok(Err(session_not_found(&session)));
            }
            if pages::count_for_session(conn, &session)? == 0 {
                return Ok(Err(ApiError::NotFound(format!(
                    "No documentation found in session {session}"
                ))));
            }
            Ok(Ok(()))
        })
        .await??;
    let (sender, receiver) = mpsc::channel::<Result<web::Bytes, StorageError>>(4);
    let (content_type, extension) = match format {
        ExportFormat::Jsonl => ("application/x-ndjson", "jsonl"),
        ExportFormat::Markdown => ("application/x-tar", "tar"),
    };
    let disposition = format!("attachment; filename=\"docscrape-{session_id}.{extension}\"");
    tokio::spawn(stream_export(state.db.clone(), session_id, format, sender));
    let body = stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .streaming(body))
}

/// Sends the export piece by piece; the channel's small bound makes a slow client slow
/// the reading down instead of filling memory.
async fn stream_export(
    db: Db,
    session_id: String,
    format: ExportFormat,
    sender: mpsc::Sender<Result<web::Bytes, StorageError>>,
) {
    let mut cursor = PageCursor::new(&session_id);
    let mut paths = PathAllocator::new();
    let mut tar = TarPieces::new();
    loop {
        let batch = match format {
            ExportFormat::Jsonl => cursor
                .next_bundles(&db)
                .await
                .map(|bundles| bundles.iter().map(jsonl_lines).collect::<Vec<_>>()),
            ExportFormat::Markdown => cursor.next_texts(&db).await.map(|texts| {
                texts
                    .iter()
                    .map(|page| {
                        let path = format!("{session_id}/{}", paths.path_for(&page.url));
                        let file = markdown_file(page);
                        // Writing into memory cannot fail but for a path tar cannot
                        // hold; that page is left out rather than ending the archive.
                        tar.file(&path, file.as_bytes(), unix_time(&page.scraped_at))
                            .unwrap_or_else(|err| {
                                log::error!("tar entry {path}: {err}");
                                Vec::new()
                            })
                    })
                    .collect()
            }),
        };
        let pieces = match batch {
            Ok(pieces) if pieces.is_empty() => break,
            Ok(pieces) => pieces,
            Err(err) => {
                log::error!("exporting session {session_id} failed: {err}");
                let _ = sender.send(Err(err)).await;
                return;
            }
        };
        for piece in pieces {
            if sender.send(Ok(web::Bytes::from(piece))).await.is_err() {
                return;
            }
        }
    }
    if format == ExportFormat::Markdown {
        match tar.finish() {
            Ok(end) => {
                let _ = sender.send(Ok(web::Bytes::from(end))).await;
            }
            Err(err) => log::error!("ending the tar of session {session_id}: {err}"),
        }
    }
}
