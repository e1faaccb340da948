//! Start, poll and cancel scrape jobs.

use actix_web::{web, HttpRequest, HttpResponse};

use super::params::{json_body, path_uuid, query_uuid};
use super::{session_not_found, AppState};
use crate::error::{ApiError, ValidationIssue};
use crate::ids;
use crate::jobs::input::{InputLimits, ScrapeInput};
use crate::jobs::status::{failed_unrecorded, not_found, status_of};
use crate::model::{JobCreated, JobStatus, ScrapeRequestDoc, SCRAPE_JOB_TYPE};
use crate::storage::jobs::{self, JobState, NewJob};
use crate::storage::{sessions, StorageResult};

#[utoipa::path(post, path = "/api/v1/scrape/{session_id}/scrape", operation_id = "start_scrape", tag = "scrape",
    summary = "Start a scrape job",
    description = "Queues a crawl of the starter links' documentation; the job runs in the background and becomes the session's latest scrape job. Every field is validated up front: a 422 names each bad field.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")),
    request_body(content = ScrapeRequestDoc, description = "What to crawl: starter links, application, budget, depth and URL patterns", content_type = "application/json"),
    responses((status = 200, body = JobCreated, description = "The job is queued"), (status = 404, body = crate::model::ErrorDetail, description = "No such session"),
              (status = 413, body = crate::model::ErrorDetail, description = "Body over 1 MiB"), (status = 422, body = crate::model::ValidationErrorDetail, description = "Invalid field"),
              (status = 429, body = crate::model::ErrorDetail, description = "Too many queued jobs")))]
pub async fn start(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let session_id = path_uuid(&req, "session_id")?;
    let body = json_body(payload).await?;
    let limits = InputLimits {
        default_max_iterations: state.settings.default_max_iterations,
        max_iterations_cap: state.settings.max_iterations_cap,
    };
    let input = ScrapeInput::from_json(&body, &limits).map_err(ApiError::Validation)?;
    if !state.settings.crawl.allow_private_networks {
        refuse_private_literals(&state, &input)?;
    }
    let input_json =
        serde_json::to_string(&input).map_err(|err| ApiError::Unprocessable(err.to_string()))?;
    let job_id = ids::new_id();
    let (job, session) = (job_id.clone(), session_id.clone());
    let key = input.cache_key();
    let total = i64::from(input.max_iterations);
    let (per_session, overall) = (
        i64::from(state.settings.max_queued_per_session),
        i64::from(state.settings.max_queued),
    );
    let outcome = state
        .db
        .write(move |tx| -> StorageResult<Result<(), ApiError>> {
            if !sessions::exists(tx, &session)? {
                return Ok(Err(session_not_found(&session)));
            }
            if jobs::count_queued(tx, Some(&session))? >= per_session {
                return Ok(Err(ApiError::TooManyRequests(format!(
                    "Session {session} already has {per_session} queued scrape jobs; wait for them to start."
                ))));
            }
            if jobs::count_queued(tx, None)? >= overall {
                return Ok(Err(ApiError::TooManyRequests(format!(
                    "The server already has {overall} queued scrape jobs; try again later."
                ))));
            }
            jobs::insert(
                tx,
                &NewJob {
                    id: &job,
                    session_id: &session,
                    input: &input_json,
                    input_key: &key,
                    total_iterations: total,
                },
            )?;
            Ok(Ok(()))
        })
        .await?;
    outcome?;
    log::info!("[job {job_id}] queued for session {session_id}");
    state.engine.wake();
    Ok(HttpResponse::Ok().json(JobCreated { job_id }))
}

/// A starter link whose host is a private IP literal can be refused before any job
/// exists; names are checked on the resolved address when the job runs.
fn refuse_private_literals(state: &AppState, input: &ScrapeInput) -> Result<(), ApiError> {
    let issues: Vec<ValidationIssue> = input
        .starter_links
        .iter()
        .enumerate()
        .filter_map(|(index, link)| {
            let url = url::Url::parse(link).ok()?;
            let refused = state.engine.net_policy().check_url(&url).err()?;
            Some(ValidationIssue::new(
                "url_refused",
                vec!["body".into(), "starterLinks".into(), index.into()],
                format!("Starter link {link} is not allowed: {refused}"),
                link.clone().into(),
            ))
        })
        .collect();
    if issues.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(issues))
    }
}

#[utoipa::path(get, path = "/api/v1/scrape/{session_id}/scrape", operation_id = "get_scrape_status", tag = "scrape",
    summary = "Poll a scrape job",
    description = "The job's status, progress and, once finished, its result (or, once failed, its errors). Without `jobId`, the session's latest scrape job. An unknown `jobId` answers 200 with status `not_found`.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b"),
           ("jobId" = Option<uuid::Uuid>, Query, description = "Job UUID; the session's latest scrape job when absent", example = "2c1f0a8e-6b7d-4e3f-9a21-5d4c3b2a1f0e")),
    responses((status = 200, body = JobStatus, description = "The job's status"), (status = 404, body = crate::model::ErrorDetail, description = "No session or no scrape job"), (status = 422, body = crate::model::ValidationErrorDetail, description = "Bad UUID")))]
pub async fn status(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let session_id = path_uuid(&req, "session_id")?;
    let job_id = query_uuid(&req, "jobId")?;
    let status = load_status(&state, &session_id, job_id).await?;
    Ok(HttpResponse::Ok().json(status))
}

async fn load_status(
    state: &AppState,
    session_id: &str,
    job_id: Option<String>,
) -> Result<JobStatus, ApiError> {
    // A running job's progress is in memory: no database round trip for the polls that
    // clients make most.
    if let Some(live) = job_id
        .as_deref()
        .and_then(|job| state.engine.live_status(session_id, job))
    {
        return Ok(live);
    }
    let session = session_id.to_string();
    let found = state
        .db
        .run(move |conn| -> StorageResult<Result<JobStatus, ApiError>> {
            let Some(row) = sessions::get(conn, &session)? else {
                return Ok(Err(session_not_found(&session)));
            };
            let job_id = match job_id.or(row.latest_scrape_job_id) {
                Some(id) => id,
                None => {
                    return Ok(Err(ApiError::NotFound(format!(
                        "No scrape job found in session {session}"
                    ))));
                }
            };
            match jobs::get(conn, &job_id)? {
                // Upload jobs have their own status route.
                Some(job) if job.session_id == session && job.kind == SCRAPE_JOB_TYPE => {
                    Ok(Ok(status_of(conn, &job)?))
                }
                _ => Ok(Ok(not_found(&job_id))),
            }
        })
        .await??;
    Ok(match state.engine.unrecorded_failure(&found.job_id) {
        Some(errors) if found.status == JobState::Running.as_str() => {
            failed_unrecorded(found, errors)
        }
        _ => found,
    })
}

#[utoipa::path(delete, path = "/api/v1/scrape/{session_id}/scrape", operation_id = "cancel_scrape", tag = "scrape",
    summary = "Cancel a scrape job",
    description = "Stops a queued or running job within a second; it ends `finished` with finishReason `cancelled`, keeping what it saved. 409 when it had already ended.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b"),
           ("jobId" = uuid::Uuid, Query, description = "Job UUID", example = "2c1f0a8e-6b7d-4e3f-9a21-5d4c3b2a1f0e")),
    responses((status = 200, body = JobStatus, description = "The job's final status"), (status = 404, body = crate::model::ErrorDetail, description = "No such session or job"),
              (status = 409, body = crate::model::ErrorDetail, description = "Job already ended"), (status = 422, body = crate::model::ValidationErrorDetail, description = "Bad or missing UUID")))]
pub async fn cancel(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let session_id = path_uuid(&req, "session_id")?;
    let job_id = query_uuid(&req, "jobId")?.ok_or_else(|| {
        ApiError::validation(ValidationIssue::new(
            "missing",
            vec!["query".into(), "jobId".into()],
            "Field required",
            serde_json::Value::Null,
        ))
    })?;
    let current = load_status(&state, &session_id, Some(job_id.clone())).await?;
    if current.status == "not_found" {
        return Err(ApiError::NotFound(format!(
            "Scrape job {job_id} not found in session {session_id}"
        )));
    }
    if !state.engine.cancel(&job_id).await? {
        return Err(ApiError::Conflict(format!(
            "Scrape job {job_id} has already ended ({})",
            current.status
        )));
    }
    let status = load_status(&state, &session_id, Some(job_id)).await?;
    Ok(HttpResponse::Ok().json(status))
}
