//! The original service's upload routes: a file becomes one document of the session
//! through a background job; one document can also be imported whole as JSON.

use actix_web::{web, HttpRequest, HttpResponse};

use super::import::parse_import;
use super::params::{json_body_capped, path_uuid, query_bool};
use super::upload_body::{receive, ReceivedFile};
use super::{session_not_found, AppState};
use crate::error::ApiError;
use crate::ids;
use crate::model::{
    DocumentImportDoc, DocumentImported, UploadForm, UploadJobItem, UploadQueued, UploadStatus,
    UPLOAD_JOB_TYPE,
};
use crate::storage::jobs::{self, JobState};
use crate::storage::sql::Sql;
use crate::storage::uploads::{self, DocOwner, NewUpload, PlaceConflict};
use crate::storage::{sessions, StorageResult};
use crate::uploads::input_key;

#[utoipa::path(post, path = "/api/v1/session/{session_id}/documentation", operation_id = "upload_documentation", tag = "documentation",
    summary = "Upload a documentation file",
    description = "Streams the file into a spool (413 past --max-upload-bytes) and queues a background job that converts it (PDF, DOCX, OpenAPI, HTML, Markdown, text and more) into a new document of the session, chunked like crawled pages with `source` `upload` and `url` `upload://<file name>`. Watch it with `…/documentation/status`.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b"),
           ("skipCache" = Option<bool>, Query, description = "When false (the default), an identical file uploaded in the last 28 days (any session) reuses that upload's chunks", example = false)),
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "A multipart form whose `documentation` field is the file (one file per request)"),
    responses((status = 200, body = UploadQueued, description = "Queued; the file becomes a new document"),
              (status = 404, body = crate::model::ErrorDetail, description = "No such session"),
              (status = 413, body = crate::model::ErrorDetail, description = "File larger than --max-upload-bytes"),
              (status = 415, body = crate::model::ErrorDetail, description = "The file's bytes are not a supported document"),
              (status = 422, body = crate::model::ValidationErrorDetail, description = "No `documentation` file, an empty file or a bad parameter"),
              (status = 429, body = crate::model::ErrorDetail, description = "Too many queued jobs")))]
pub async fn upload_new(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let session_id = path_uuid(&req, "session_id")?;
    queue_upload(&state, &req, payload, session_id, None, false).await
}

#[utoipa::path(post, path = "/api/v1/session/{session_id}/documentation/{documentation_id}", operation_id = "upload_documentation_into", tag = "documentation",
    summary = "Upload a file into a given document",
    description = "The same as uploading a file, but the file becomes the named document: when the job finishes, its chunks replace that document's chunks (or create it).",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b"),
           ("documentation_id" = uuid::Uuid, Path, description = "The document the file becomes (its chunks are replaced when the job finishes)", example = "5fa35e85-e4b6-4574-8d5c-fd4b62331e77"),
           ("skipCache" = Option<bool>, Query, description = "When false (the default), an identical file uploaded in the last 28 days reuses that upload's chunks", example = false)),
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "A multipart form whose `documentation` field is the file (one file per request)"),
    responses((status = 200, body = UploadQueued, description = "Queued; the file will replace the document's chunks"),
              (status = 404, body = crate::model::ErrorDetail, description = "No such session"),
              (status = 409, body = crate::model::ErrorDetail, description = "The document id belongs to another session"),
              (status = 413, body = crate::model::ErrorDetail, description = "File larger than --max-upload-bytes"),
              (status = 415, body = crate::model::ErrorDetail, description = "The file's bytes are not a supported document"),
              (status = 422, body = crate::model::ValidationErrorDetail, description = "No `documentation` file, an empty file or a bad parameter"),
              (status = 429, body = crate::model::ErrorDetail, description = "Too many queued jobs")))]
pub async fn upload_into(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let session_id = path_uuid(&req, "session_id")?;
    let doc_id = path_uuid(&req, "documentation_id")?;
    queue_upload(&state, &req, payload, session_id, Some(doc_id), false).await
}

#[utoipa::path(put, path = "/api/v1/session/{session_id}/documentation", operation_id = "replace_documentation", tag = "documentation",
    summary = "Replace all documentation with one file",
    description = "Queues the file like an upload; when its job finishes, the file's document replaces every document of the session, crawled and uploaded. Nothing is removed if the job fails.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b"),
           ("skipCache" = Option<bool>, Query, description = "When false (the default), an identical file uploaded in the last 28 days reuses that upload's chunks", example = false)),
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "A multipart form whose `documentation` field is the file (one file per request)"),
    responses((status = 200, body = UploadQueued, description = "Queued; when the job finishes, the file's document replaces all of the session's documentation"),
              (status = 404, body = crate::model::ErrorDetail, description = "No such session"),
              (status = 413, body = crate::model::ErrorDetail, description = "File larger than --max-upload-bytes"),
              (status = 415, body = crate::model::ErrorDetail, description = "The file's bytes are not a supported document"),
              (status = 422, body = crate::model::ValidationErrorDetail, description = "No `documentation` file, an empty file or a bad parameter"),
              (status = 429, body = crate::model::ErrorDetail, description = "Too many queued jobs")))]
pub async fn replace_all(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let session_id = path_uuid(&req, "session_id")?;
    queue_upload(&state, &req, payload, session_id, None, true).await
}

/// Checks what can be checked before the body is read, streams the file into its spool
/// and queues its job.
async fn queue_upload(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
    session_id: String,
    doc_id: Option<String>,
    replace_all: bool,
) -> Result<HttpResponse, ApiError> {
    let skip_cache = query_bool(req, "skipCache")?.unwrap_or(false);
    let into_existing = doc_id.is_some();
    let doc_id = doc_id.unwrap_or_else(ids::new_id);
    let limits = (
        i64::from(state.settings.max_queued_per_session),
        i64::from(state.settings.max_queued),
    );
    let (session, doc) = (session_id.clone(), doc_id.clone());
    state
        .db
        .run(move |conn| admissible(conn, &session, &doc, limits))
        .await??;
    let job_id = ids::new_id();
    let max_bytes = state.settings.max_upload_bytes;
    let file = receive(&state.db, &job_id, &session_id, req, payload, max_bytes).await?;
    let chunk_tokens = state.settings.crawl.chunk_tokens as usize;
    let upload = new_upload(
        &job_id,
        &session_id,
        &doc_id,
        file,
        replace_all,
        skip_cache,
        chunk_tokens,
    );
    let queued = state
        .db
        .write(move |tx| -> StorageResult<Result<(), ApiError>> {
            if let Err(refusal) = admissible(tx, &upload.session_id, &upload.doc_id, limits)? {
                uploads::delete_spool(tx, &upload.job_id)?;
                return Ok(Err(refusal));
            }
            uploads::insert_job(tx, &upload)?;
            Ok(Ok(()))
        })
        .await;
    match queued {
        Ok(Ok(())) => {}
        Ok(Err(refusal)) => return Err(refusal),
        Err(err) => {
            let spool = job_id.clone();
            let _ = state
                .db
                .write(move |tx| uploads::delete_spool(tx, &spool))
                .await;
            return Err(err.into());
        }
    }
    log::info!(
        "[job {job_id}] upload queued for session {session_id} (document {doc_id}{})",
        if into_existing { ", given" } else { "" }
    );
    state.engine.wake();
    Ok(HttpResponse::Ok().json(UploadQueued {
        message: if replace_all {
            "Documentation replacement queued for processing"
        } else {
            "Documentation upload queued for processing"
        }
        .to_string(),
        session_id,
        job_id,
        doc_id,
        status: JobState::Queued.as_str().to_string(),
    }))
}

fn new_upload(
    job_id: &str,
    session_id: &str,
    doc_id: &str,
    file: ReceivedFile,
    replace_all: bool,
    skip_cache: bool,
    chunk_tokens: usize,
) -> NewUpload {
    NewUpload {
        job_id: job_id.to_string(),
        session_id: session_id.to_string(),
        doc_id: doc_id.to_string(),
        input_key: input_key(&file.content_hash, &file.file_name, chunk_tokens),
        file_name: file.file_name,
        declared_type: file.declared_type,
        size_bytes: file.size,
        content_hash: file.content_hash,
        replace_all,
        skip_cache,
    }
}

/// The checks an upload must pass before and after its body: the session exists, the
/// document id is not another session's, and the queue has room.
fn admissible(
    conn: &Sql<'_>,
    session: &str,
    doc: &str,
    (per_session, overall): (i64, i64),
) -> StorageResult<Result<(), ApiError>> {
    if !sessions::exists(conn, session)? {
        return Ok(Err(session_not_found(session)));
    }
    if uploads::doc_owner(conn, session, doc)? == DocOwner::OtherSession {
        return Ok(Err(doc_in_other_session(doc)));
    }
    if jobs::count_queued(conn, Some(session))? >= per_session {
        return Ok(Err(ApiError::TooManyRequests(format!(
            "Session {session} already has {per_session} queued jobs; wait for them to start."
        ))));
    }
    if jobs::count_queued(conn, None)? >= overall {
        return Ok(Err(ApiError::TooManyRequests(format!(
            "The server already has {overall} queued jobs; try again later."
        ))));
    }
    Ok(Ok(()))
}

fn doc_in_other_session(doc: &str) -> ApiError {
    ApiError::Conflict(format!(
        "Documentation {doc} belongs to another session; document ids are unique across sessions."
    ))
}

#[utoipa::path(put, path = "/api/v1/session/{session_id}/documentation/{documentation_id}", operation_id = "import_documentation", tag = "documentation",
    summary = "Import a document as JSON chunks",
    description = "Replaces (or creates) one document from chunks given as JSON, e.g. exported from another session. Every field is validated and every problem reported at once; token counts are recomputed.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b"),
           ("documentation_id" = uuid::Uuid, Path, description = "The document to replace (or create)", example = "5fa35e85-e4b6-4574-8d5c-fd4b62331e77")),
    request_body(content = DocumentImportDoc, description = "The document's chunks in order"),
    responses((status = 200, body = DocumentImported, description = "The document now holds exactly these chunks"),
              (status = 404, body = crate::model::ErrorDetail, description = "No such session"),
              (status = 409, body = crate::model::ErrorDetail, description = "The document id belongs to another session, or a chunk id is taken"),
              (status = 413, body = crate::model::ErrorDetail, description = "Body larger than --max-upload-bytes"),
              (status = 422, body = crate::model::ValidationErrorDetail, description = "Invalid field")))]
pub async fn import(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let session_id = path_uuid(&req, "session_id")?;
    let doc_id = path_uuid(&req, "documentation_id")?;
    let cap = usize::try_from(state.settings.max_upload_bytes).unwrap_or(usize::MAX);
    let body = json_body_capped(payload, cap).await?;
    let chunker = state.engine.chunker();
    let (session, doc) = (session_id.clone(), doc_id.clone());
    // Counting tokens of a large document is CPU work.
    let document = state
        .engine
        .run_on_cpu(move || parse_import(&body, &session, &doc, &chunker))
        .await
        .map_err(|err| ApiError::Unprocessable(format!("The body could not be read: {err}.")))?
        .map_err(ApiError::Validation)?;
    let imported = document.chunks.len() as u64;
    state
        .db
        .write(move |tx| -> StorageResult<Result<(), ApiError>> {
            if !sessions::exists(tx, &document.session_id)? {
                return Ok(Err(session_not_found(&document.session_id)));
            }
            Ok(match uploads::import_document(tx, &document)? {
                Ok(()) => Ok(()),
                Err(PlaceConflict::DocInOtherSession) => {
                    Err(doc_in_other_session(&document.doc_id))
                }
                Err(PlaceConflict::ChunkIdTaken(chunk)) => Err(ApiError::Conflict(format!(
                    "Chunk {chunk} already exists in another document; chunk ids are unique across sessions."
                ))),
            })
        })
        .await??;
    Ok(HttpResponse::Ok().json(DocumentImported {
        message: "Documentation imported successfully".to_string(),
        session_id,
        doc_id,
        imported_chunks: imported,
    }))
}

#[utoipa::path(get, path = "/api/v1/session/{session_id}/documentation/status", operation_id = "documentation_upload_status", tag = "documentation",
    summary = "Upload jobs of a session",
    description = "Every upload job of the session, oldest first, with its state; `errors` when it failed and `chunks` when it finished.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")),
    responses((status = 200, body = UploadStatus, description = "The session's upload jobs, oldest first"),
              (status = 404, body = crate::model::ErrorDetail, description = "No such session"), (status = 422, body = crate::model::ValidationErrorDetail, description = "Bad UUID")))]
pub async fn status(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let session_id = path_uuid(&req, "session_id")?;
    let session = session_id.clone();
    let rows = state
        .db
        .run(move |conn| {
            if !sessions::exists(conn, &session)? {
                return Ok(None);
            }
            uploads::list_for_session(conn, &session).map(Some)
        })
        .await?
        .ok_or_else(|| session_not_found(&session_id))?;
    let upload_jobs: Vec<UploadJobItem> = rows
        .into_iter()
        .map(|job| {
            let mut state_name = job.state.as_str().to_string();
            let mut errors = (job.state == JobState::Failed).then_some(job.errors);
            // A job whose failed end is still only in memory is over for its client.
            if let Some(lines) = state.engine.unrecorded_failure(&job.upload.job_id) {
                if !job.state.is_over() {
                    state_name = JobState::Failed.as_str().to_string();
                    errors = Some(lines);
                }
            }
            let finished = state_name == JobState::Finished.as_str();
            UploadJobItem {
                kind: UPLOAD_JOB_TYPE.to_string(),
                doc_id: job.upload.doc_id,
                file_name: job.upload.file_name,
                status: state_name,
                message: job.message,
                size_bytes: job.upload.size_bytes,
                content_type: job.upload.content_type,
                created_at: job.created_at,
                started_at: job.started_at,
                updated_at: job.updated_at,
                finished_at: job.finished_at,
                errors,
                chunks: job.upload.chunks.filter(|_| finished),
                reused_from_job_id: job.upload.reused_from,
                job_id: job.upload.job_id,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(UploadStatus {
        session_id,
        total_uploads: upload_jobs.len() as u64,
        upload_jobs,
    }))
}

#[utoipa::path(head, path = "/api/v1/session/{session_id}/documentation/{documentation_id}", operation_id = "check_documentation", tag = "documentation",
    summary = "Does a document exist",
    description = "204 when the document exists, 202 with `X-Job-Id` while an upload into it is queued or running, 404 otherwise. No body.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b"), ("documentation_id" = uuid::Uuid, Path, description = "Document UUID", example = "5fa35e85-e4b6-4574-8d5c-fd4b62331e77")),
    responses((status = 204, description = "The document exists"),
              (status = 202, description = "An upload into this document is queued or running; `X-Job-Id` names its job",
               headers(("X-Job-Id" = String, description = "The upload job"), ("X-Documentation-Status" = String, description = "`processing`"))),
              (status = 404, description = "No such session or document"), (status = 422, description = "Bad UUID")))]
pub async fn head(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let session_id = path_uuid(&req, "session_id")?;
    let doc_id = path_uuid(&req, "documentation_id")?;
    let (session, doc) = (session_id.clone(), doc_id.clone());
    let found = state
        .db
        .run(move |conn| -> StorageResult<Option<Option<String>>> {
            if crate::storage::pages::exists_in_session(conn, &session, &doc)? {
                return Ok(Some(None));
            }
            Ok(uploads::pending_job_for_doc(conn, &session, &doc)?.map(Some))
        })
        .await?;
    // HEAD answers carry no body; a 404 keeps its JSON headers like every other error.
    match found {
        Some(None) => Ok(HttpResponse::NoContent().finish()),
        Some(Some(job_id)) if state.engine.unrecorded_failure(&job_id).is_none() => {
            Ok(HttpResponse::Accepted()
                .insert_header(("X-Job-Id", job_id))
                .insert_header(("X-Documentation-Status", "processing"))
                .finish())
        }
        _ => Err(ApiError::NotFound(format!(
            "Documentation {doc_id} not found in session {session_id}"
        ))),
    }
}
