//! The six session calls plus the session's job list.

use actix_web::{web, HttpRequest, HttpResponse};

use super::params::{paging, path_uuid};
use super::{require_session, session_not_found, AppState};
use crate::error::ApiError;
use crate::ids;
use crate::model::{
    JobListItem, SessionCreated, SessionDeleted, SessionInfo, SessionJobs, SessionList,
    SessionListItem,
};
use crate::storage::jobs::{self, JobState};
use crate::storage::{sessions, StorageResult};

#[utoipa::path(post, path = "/api/v1/session", operation_id = "create_session", tag = "session",
    summary = "Create a session",
    description = "Creates a session with a new id. The body is ignored.",
    responses((status = 201, body = SessionCreated, description = "The new session"), (status = 429, body = crate::model::ErrorDetail, description = "The server already holds --max-sessions sessions")))]
pub async fn create(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let id = ids::new_id();
    create_within_limit(&state, &id).await?;
    Ok(created(id))
}

/// Creates the session unless the server already holds `--max-sessions` of them (counted
/// in the same transaction, so concurrent requests cannot overshoot). `false` when the id
/// exists.
async fn create_within_limit(state: &AppState, id: &str) -> Result<bool, ApiError> {
    let limit = i64::from(state.settings.max_sessions);
    let session_id = id.to_string();
    state
        .db
        .write(move |tx| -> StorageResult<Result<bool, ApiError>> {
            // An existing id is a conflict whatever the count.
            if sessions::exists(tx, &session_id)? {
                return Ok(Ok(false));
            }
            if sessions::count(tx)? >= limit {
                return Ok(Err(ApiError::TooManyRequests(format!(
                    "The server already holds {limit} sessions, its limit; delete sessions you no longer need before creating more."
                ))));
            }
            Ok(Ok(sessions::create(tx, &session_id)?))
        })
        .await?
}

fn created(session_id: String) -> HttpResponse {
    HttpResponse::Created().json(SessionCreated {
        message: format!("Session {session_id} created"),
        session_id,
    })
}

#[utoipa::path(get, path = "/api/v1/session", operation_id = "list_sessions", tag = "session",
    summary = "List sessions",
    description = "Sessions newest first, with how many jobs and pages each has. An addition the original service lacks (the dashboard needs it).",
    params(("offset" = Option<u64>, Query, minimum = 0, description = "Sessions to skip", example = 0),
           ("limit" = Option<u64>, Query, minimum = 1, maximum = 1000, description = "Sessions to return (default 100, at most 1000)", example = 100)),
    responses((status = 200, body = SessionList, description = "One page of the session list"), (status = 422, body = crate::model::ValidationErrorDetail, description = "Bad paging parameter")))]
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (offset, limit) = paging(&req, 100)?;
    let offset = u32::try_from(offset).unwrap_or(u32::MAX);
    let rows = state
        .db
        .run(move |conn| sessions::list(conn, offset, limit as u32))
        .await?;
    Ok(HttpResponse::Ok().json(SessionList {
        sessions: rows
            .into_iter()
            .map(|row| SessionListItem {
                session_id: row.id,
                created_at: row.created_at,
                updated_at: row.updated_at,
                job_count: row.job_count,
                page_count: row.page_count,
            })
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/session/{session_id}", operation_id = "create_session_with_id", tag = "session",
    summary = "Create a session with a given id",
    description = "Creates the session under the id in the path; 409 when it exists (also under a concurrent race).",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")),
    responses((status = 201, body = SessionCreated, description = "The new session"), (status = 409, body = crate::model::ErrorDetail, description = "Session exists"), (status = 422, body = crate::model::ValidationErrorDetail, description = "Bad UUID"),
              (status = 429, body = crate::model::ErrorDetail, description = "The server already holds --max-sessions sessions")))]
pub async fn create_with_id(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = path_uuid(&req, "session_id")?;
    if create_within_limit(&state, &id).await? {
        Ok(created(id))
    } else {
        Err(ApiError::Conflict(format!("Session {id} already exists")))
    }
}

#[utoipa::path(get, path = "/api/v1/session/{session_id}", operation_id = "get_session", tag = "session",
    summary = "Read a session",
    description = "The session's times.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")),
    responses((status = 200, body = SessionInfo, description = "The session"), (status = 404, body = crate::model::ErrorDetail, description = "No such session"), (status = 422, body = crate::model::ValidationErrorDetail, description = "Bad UUID")))]
pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let id = path_uuid(&req, "session_id")?;
    let session_id = id.clone();
    let row = state
        .db
        .run(move |conn| sessions::get(conn, &session_id))
        .await?;
    let row = row.ok_or_else(|| session_not_found(&id))?;
    Ok(HttpResponse::Ok().json(SessionInfo {
        message: format!("Session {id} found"),
        session_id: row.id,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }))
}

#[utoipa::path(head, path = "/api/v1/session/{session_id}", operation_id = "check_session", tag = "session",
    summary = "Check that a session exists",
    description = "204 when it exists, 404 when not; never a body.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")),
    responses((status = 204, description = "Session exists"), (status = 404, description = "No such session"), (status = 422, description = "Bad UUID")))]
pub async fn head(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let id = path_uuid(&req, "session_id")?;
    // HEAD answers carry no body; errors keep their JSON headers like every other error.
    require_session(&state, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(delete, path = "/api/v1/session/{session_id}", operation_id = "delete_session", tag = "session",
    summary = "Delete a session",
    description = "Cancels the session's running jobs first, then deletes it with its jobs, pages and chunks.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")),
    responses((status = 200, body = SessionDeleted, description = "The session is gone"), (status = 404, body = crate::model::ErrorDetail, description = "No such session"), (status = 422, body = crate::model::ValidationErrorDetail, description = "Bad UUID")))]
pub async fn delete(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = path_uuid(&req, "session_id")?;
    // Stop the crawls first so that none writes into the session while it goes.
    state.engine.stop_session(&id);
    let deleted = sessions::delete_in_batches(&state.db, &id).await?;
    if !deleted {
        return Err(session_not_found(&id));
    }
    Ok(HttpResponse::Ok().json(SessionDeleted {
        message: format!("Session {id} deleted"),
        session_id: id,
    }))
}

#[utoipa::path(get, path = "/api/v1/session/{session_id}/jobs", operation_id = "list_session_jobs", tag = "session",
    summary = "List a session's jobs",
    description = "The session's jobs, oldest first; scrape jobs have type `scrape.getRelevantDocumentation`.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")),
    responses((status = 200, body = SessionJobs, description = "The session's jobs"), (status = 404, body = crate::model::ErrorDetail, description = "No such session"), (status = 422, body = crate::model::ValidationErrorDetail, description = "Bad UUID")))]
pub async fn jobs(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let id = path_uuid(&req, "session_id")?;
    let session_id = id.clone();
    let rows = state
        .db
        .run(move |conn| {
            if !sessions::exists(conn, &session_id)? {
                return Ok(None);
            }
            jobs::list_for_session(conn, &session_id).map(Some)
        })
        .await?
        .ok_or_else(|| session_not_found(&id))?;
    Ok(HttpResponse::Ok().json(SessionJobs {
        session_id: id,
        jobs: rows
            .into_iter()
            .map(|job| JobListItem {
                // A job whose failed end is still only in memory is over for its client.
                status: match state.engine.unrecorded_failure(&job.id) {
                    Some(_) => JobState::Failed.as_str().to_string(),
                    None => job.state.as_str().to_string(),
                },
                job_id: job.id,
                kind: job.kind,
                created_at: job.created_at,
                updated_at: job.updated_at,
                started_at: job.started_at,
                finished_at: job.finished_at,
            })
            .collect(),
    }))
}
