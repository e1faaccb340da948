//! The dashboard's reading views, additions to the contract: a session's saved pages
//! with search, one page with its text and chunks, and a job's live activity.

use actix_web::{web, HttpRequest, HttpResponse};

use super::params::{paging, path_uuid, query_value};
use super::{session_not_found, AppState};
use crate::error::ApiError;
use crate::model::{ChunkSummary, FailedUrl, JobActivity, PageDetail, PageList, PageSummary};
use crate::storage::browse::{self, PageRow};
use crate::storage::jobs::{self as job_rows, JobState};
use crate::storage::{activity, sessions, StorageResult};

/// Failures listed in a job's activity.
const LATEST_FAILURES: u32 = 10;
/// Longest search text accepted.
const MAX_SEARCH_CHARS: usize = 500;

fn summary(row: PageRow) -> PageSummary {
    PageSummary {
        doc_id: row.id,
        url: row.url,
        title: row.title,
        content_type: row.content_type,
        chunks: row.chunks,
        tokens: row.tokens,
        scraped_at: row.scraped_at,
    }
}

#[utoipa::path(get, path = "/api/v1/session/{session_id}/pages", operation_id = "list_pages", tag = "operator",
    summary = "List a session's saved pages",
    description = "The session's saved pages in saving order with their chunk and token counts; `search` keeps those whose URL or title contains it (ASCII case ignored). An addition for the dashboard.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b"),
           ("search" = Option<String>, Query, max_length = 500, description = "Text the URL or title must contain", example = "install"),
           ("offset" = Option<u64>, Query, minimum = 0, description = "Matching pages to skip", example = 0),
           ("limit" = Option<u64>, Query, minimum = 1, maximum = 1000, description = "Pages to return (default 50, at most 1000)", example = 50)),
    responses((status = 200, body = PageList, description = "The matching pages"),
              (status = 404, body = crate::model::ErrorDetail, description = "No such session"),
              (status = 422, body = crate::model::ValidationErrorDetail, description = "Bad UUID or parameter")))]
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let session_id = path_uuid(&req, "session_id")?;
    let (offset, limit) = paging(&req, 50)?;
    let search = query_value(&req, "search").unwrap_or_default();
    if search.chars().count() > MAX_SEARCH_CHARS {
        return Err(ApiError::validation(crate::error::ValidationIssue::new(
            "string_too_long",
            vec!["query".into(), "search".into()],
            format!("String should have at most {MAX_SEARCH_CHARS} characters"),
            search.chars().take(200).collect::<String>().into(),
        )));
    }
    let session = session_id.clone();
    let found = state
        .db
        .run(move |conn| -> StorageResult<Option<(i64, Vec<PageRow>)>> {
            if !sessions::exists(conn, &session)? {
                return Ok(None);
            }
            browse::list_pages(conn, &session, &search, offset, limit).map(Some)
        })
        .await?;
    let (total, rows) = found.ok_or_else(|| session_not_found(&session_id))?;
    Ok(HttpResponse::Ok().json(PageList {
        session_id,
        total,
        offset,
        pages: rows.into_iter().map(summary).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/session/{session_id}/pages/{documentation_id}", operation_id = "get_page", tag = "operator",
    summary = "Read one saved page",
    description = "The page's stored text (Markdown for HTML pages) and its chunks with token counts. An addition for the dashboard.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b"),
           ("documentation_id" = uuid::Uuid, Path, description = "Page (document) UUID", example = "5fa35e85-e4b6-4574-8d5c-fd4b62331e77")),
    responses((status = 200, body = PageDetail, description = "The page"),
              (status = 404, body = crate::model::ErrorDetail, description = "No such session or page"),
              (status = 422, body = crate::model::ValidationErrorDetail, description = "Bad UUID")))]
pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let session_id = path_uuid(&req, "session_id")?;
    let doc_id = path_uuid(&req, "documentation_id")?;
    let (session, doc) = (session_id.clone(), doc_id.clone());
    let found = state
        .db
        .run(move |conn| {
            if !sessions::exists(conn, &session)? {
                return Ok(Err(session_not_found(&session)));
            }
            Ok(
                browse::page_with_chunks(conn, &session, &doc)?.ok_or_else(|| {
                    ApiError::NotFound(format!("Page {doc} not found in session {session}"))
                }),
            )
        })
        .await??;
    let (page, content, chunks) = found;
    Ok(HttpResponse::Ok().json(PageDetail {
        doc_id: page.id,
        url: page.url,
        title: page.title,
        content_type: page.content_type,
        scraped_at: page.scraped_at,
        content,
        tokens: page.tokens,
        chunks: chunks
            .into_iter()
            .map(|chunk| ChunkSummary {
                chunk_number: chunk.number,
                section: chunk.section,
                token_count: chunk.token_count,
                character_count: chunk.character_count,
                content: chunk.content,
            })
            .collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/session/{session_id}/jobs/{job_id}/activity", operation_id = "get_job_activity", tag = "operator",
    summary = "Watch a job's crawl",
    description = "The job's frontier by state, the pages it saved so far and its latest failures, for a live view beside the status. An addition for the dashboard.",
    params(("session_id" = uuid::Uuid, Path, description = "Session UUID", example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b"),
           ("job_id" = uuid::Uuid, Path, description = "Job UUID", example = "2c1f0a8e-6b7d-4e3f-9a21-5d4c3b2a1f0e")),
    responses((status = 200, body = JobActivity, description = "The job's activity"),
              (status = 404, body = crate::model::ErrorDetail, description = "No such session, or no such job in it"),
              (status = 422, body = crate::model::ValidationErrorDetail, description = "Bad UUID")))]
pub async fn activity(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let session_id = path_uuid(&req, "session_id")?;
    let job_id = path_uuid(&req, "job_id")?;
    let (session, job) = (session_id.clone(), job_id.clone());
    let found = state
        .db
        .run(move |conn| {
            if !sessions::exists(conn, &session)? {
                return Ok(Err(session_not_found(&session)));
            }
            let Some(row) = job_rows::get(conn, &job)?.filter(|row| row.session_id == session)
            else {
                return Ok(Err(ApiError::NotFound(format!(
                    "Scrape job {job} not found in session {session}"
                ))));
            };
            let counts = activity::frontier_counts(conn, &job)?;
            let saved = activity::saved_pages(conn, &job)?;
            let failures = activity::latest_failures(conn, &job, LATEST_FAILURES)?;
            Ok(Ok((row, counts, saved, failures)))
        })
        .await??;
    let (row, counts, saved, failures) = found;
    let status = match state.engine.unrecorded_failure(&job_id) {
        Some(_) => JobState::Failed,
        None => row.state,
    };
    Ok(HttpResponse::Ok().json(JobActivity {
        job_id,
        status: status.as_str().to_string(),
        completed_iterations: row.completed_iterations.min(row.total_iterations),
        total_iterations: row.total_iterations,
        pending_urls: counts.pending,
        fetching_urls: counts.fetching,
        done_urls: counts.done,
        failed_urls: counts.failed,
        skipped_urls: counts.skipped,
        saved_pages: saved,
        latest_failures: failures
            .into_iter()
            .map(|(url, reason)| FailedUrl { url, reason })
            .collect(),
    }))
}
