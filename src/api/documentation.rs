//! Reading and deleting what the crawls saved. The list is streamed page by page from the
//! database, so a session of thousands of pages is never built whole in memory.

use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::stream;
use tokio::sync::mpsc;

use super::params::{paging, path_uuid};
use super::{session_not_found, AppState};
use crate::error::{ApiError, StorageError};
use crate::model::{DocBundle, DocumentationDeleted};
use crate::storage::{pages, sessions, Db, StorageResult};

/// Bundles read per database round trip while streaming.
const STREAM_BATCH: u32 = 16;

#[utoipa::path(get, path = "/api/v1/session/{session_id}/documentation", operation_id = "list_documentation", tag = "documentation",
    summary = "Read a session's documentation",
    description = "One bundle per saved page, chunks in order, streamed; `offset`/`limit` page through large sessions. 404 when the session has none.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b"),
           ("offset" = Option<u64>, Query, minimum = 0, description = "Bundles to skip", example = 0),
           ("limit" = Option<u64>, Query, minimum = 1, maximum = 1000, description = "Bundles to return (at most 1000; all when absent)", example = 100)),
    responses((status = 200, body = Vec<DocBundle>, description = "The session's documentation bundles"), (status = 404, body = crate::model::ErrorDetail, description = "No session or no documentation"), (status = 422, body = crate::model::ValidationErrorDetail, description = "Bad parameter")))]
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let session_id = path_uuid(&req, "session_id")?;
    // Without `limit`, every bundle (streamed, so a large session costs no memory).
    let (offset, limit) = paging(&req, u64::MAX)?;
    let session = session_id.clone();
    let start_after = state
        .db
        .run(move |conn| -> StorageResult<Result<i64, ApiError>> {
            if !sessions::exists(conn, &session)? {
                return Ok(Err(session_not_found(&session)));
            }
            if pages::count_for_session(conn, &session)? == 0 {
                return Ok(Err(ApiError::NotFound(format!(
                    "No documentation found in session {session}"
                ))));
            }
            Ok(Ok(pages::rowid_before_offset(conn, &session, offset)?))
        })
        .await??;
    let (sender, receiver) = mpsc::channel::<Result<web::Bytes, StorageError>>(4);
    tokio::spawn(stream_bundles(
        state.db.clone(),
        session_id,
        start_after,
        limit,
        sender,
    ));
    let body = stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .streaming(body))
}

/// Sends `[`, each bundle, `]` through `sender`, reading `STREAM_BATCH` pages at a time.
async fn stream_bundles(
    db: Db,
    session_id: String,
    mut after: i64,
    limit: u64,
    sender: mpsc::Sender<Result<web::Bytes, StorageError>>,
) {
    let mut sent = 0u64;
    if sender
        .send(Ok(web::Bytes::from_static(b"[")))
        .await
        .is_err()
    {
        return;
    }
    while sent < limit {
        let batch = (limit - sent).min(u64::from(STREAM_BATCH)) as u32;
        let session = session_id.clone();
        let read = db
            .run(move |conn| {
                let keys = pages::page_keys(conn, &session, after, batch)?;
                let mut out = Vec::with_capacity(keys.len());
                for (rowid, page_id) in keys {
                    if let Some(bundle) =
                        pages::document(conn, &session, &page_id)?.map(DocBundle::from)
                    {
                        out.push((rowid, bundle));
                    }
                }
                Ok(out)
            })
            .await;
        let bundles = match read {
            Ok(bundles) if bundles.is_empty() => break,
            Ok(bundles) => bundles,
            Err(err) => {
                log::error!("streaming documentation of session {session_id} failed: {err}");
                let _ = sender.send(Err(err)).await;
                return;
            }
        };
        for (rowid, bundle) in bundles {
            let mut bytes = if sent == 0 { Vec::new() } else { b",".to_vec() };
            if serde_json::to_writer(&mut bytes, &bundle).is_err() {
                continue;
            }
            if sender.send(Ok(web::Bytes::from(bytes))).await.is_err() {
                return;
            }
            after = rowid;
            sent += 1;
        }
    }
    let _ = sender.send(Ok(web::Bytes::from_static(b"]"))).await;
}

#[utoipa::path(get, path = "/api/v1/session/{session_id}/documentation/{documentation_id}", operation_id = "get_documentation", tag = "documentation",
    summary = "Read one document",
    description = "One saved page as a bundle of its chunks.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b"), ("documentation_id" = uuid::Uuid, Path, description = "Document (page) UUID", example = "5fa35e85-e4b6-4574-8d5c-fd4b62331e77")),
    responses((status = 200, body = DocBundle, description = "The document"), (status = 404, body = crate::model::ErrorDetail, description = "No such session or document"), (status = 422, body = crate::model::ValidationErrorDetail, description = "Bad UUID")))]
pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let session_id = path_uuid(&req, "session_id")?;
    let doc_id = path_uuid(&req, "documentation_id")?;
    let (session, doc) = (session_id.clone(), doc_id.clone());
    let bundle = state
        .db
        .run(move |conn| -> StorageResult<Result<DocBundle, ApiError>> {
            if !sessions::exists(conn, &session)? {
                return Ok(Err(session_not_found(&session)));
            }
            Ok(pages::document(conn, &session, &doc)?
                .map(DocBundle::from)
                .ok_or_else(|| doc_not_found(&doc, &session)))
        })
        .await??;
    Ok(HttpResponse::Ok().json(bundle))
}

fn doc_not_found(doc: &str, session: &str) -> ApiError {
    ApiError::NotFound(format!(
        "Documentation {doc} not found in session {session}"
    ))
}

#[utoipa::path(delete, path = "/api/v1/session/{session_id}/documentation", operation_id = "delete_all_documentation", tag = "documentation",
    summary = "Delete a session's documentation",
    description = "Removes every saved page and chunk of the session; emptying a session that has none answers 200 with zero counts.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")),
    responses((status = 200, body = DocumentationDeleted, description = "What was deleted"), (status = 404, body = crate::model::ErrorDetail, description = "No such session"), (status = 422, body = crate::model::ValidationErrorDetail, description = "Bad UUID")))]
pub async fn delete_all(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let session_id = path_uuid(&req, "session_id")?;
    delete(state, session_id, None).await
}

#[utoipa::path(delete, path = "/api/v1/session/{session_id}/documentation/{documentation_id}", operation_id = "delete_documentation", tag = "documentation",
    summary = "Delete one document",
    description = "Removes one saved page and its chunks; 404 when the session does not have it.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b"), ("documentation_id" = uuid::Uuid, Path, description = "Document (page) UUID", example = "5fa35e85-e4b6-4574-8d5c-fd4b62331e77")),
    responses((status = 200, body = DocumentationDeleted, description = "What was deleted"), (status = 404, body = crate::model::ErrorDetail, description = "No such session or document"), (status = 422, body = crate::model::ValidationErrorDetail, description = "Bad UUID")))]
pub async fn delete_one(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let session_id = path_uuid(&req, "session_id")?;
    let doc_id = path_uuid(&req, "documentation_id")?;
    delete(state, session_id, Some(doc_id)).await
}

async fn delete(
    state: web::Data<AppState>,
    session_id: String,
    doc_id: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let (session, doc) = (session_id.clone(), doc_id.clone());
    let (mut pages_deleted, mut chunks_deleted) = state
        .db
        .write(move |tx| -> StorageResult<Result<(i64, i64), ApiError>> {
            if !sessions::exists(tx, &session)? {
                return Ok(Err(session_not_found(&session)));
            }
            // All of a session's documentation goes in short transactions (below); the
            // first one takes up to CHUNKS_PER_DELETE chunks.
            let counts = match &doc {
                Some(doc) => pages::delete(tx, &session, Some(doc))?,
                None => pages::delete_some(tx, &session, pages::CHUNKS_PER_DELETE)?,
            };
            // Emptying an empty session succeeds, as in the original service; one
            // document that is not there is a 404.
            if let (Some(doc), 0) = (&doc, counts.0) {
                return Ok(Err(doc_not_found(doc, &session)));
            }
            Ok(Ok(counts))
        })
        .await??;
    while doc_id.is_none() && pages_deleted > 0 {
        let session = session_id.clone();
        let (pages, chunks) = state
            .db
            .write(move |tx| pages::delete_some(tx, &session, pages::CHUNKS_PER_DELETE))
            .await?;
        if pages == 0 {
            break;
        }
        pages_deleted += pages;
        chunks_deleted += chunks;
    }
    Ok(HttpResponse::Ok().json(DocumentationDeleted {
        message: format!("Deleted {pages_deleted} document(s) with {chunks_deleted} chunk(s)"),
        session_id,
        deleted_doc_id: doc_id.clone(),
        doc_id,
        deleted_pages: pages_deleted,
        deleted_chunks: chunks_deleted,
    }))
}
