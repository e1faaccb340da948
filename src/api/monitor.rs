//! `GET /metrics`: the process's Prometheus metrics (see `crate::metrics`), with the job
//! gauges read from the database at scrape time.

use actix_web::{web, HttpResponse};

use super::AppState;
use crate::error::ApiError;
use crate::storage::activity;

#[utoipa::path(get, path = "/metrics", operation_id = "metrics", tag = "operator",
    summary = "Prometheus metrics",
    description = "Counters of pages fetched, failed (by reason class), skipped and saved, bytes downloaded, chunks and tokens saved; a histogram of job durations by outcome; gauges of running and queued jobs; HTTP request counts and latency by method and route pattern. Prometheus text format 0.0.4. Needs the API token when one is set.",
    responses((status = 200, description = "The metrics",
                content((String = "text/plain", example = json!("# HELP docscrape_pages_fetched_total Pages fetched by crawl jobs\n# TYPE docscrape_pages_fetched_total counter\ndocscrape_pages_fetched_total 42\n")))),
              (status = 401, body = crate::model::ErrorDetail, description = "The API token is set and was not presented")))]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (running, queued) = state.db.run(activity::job_counts).await?;
    let (content_type, text) = crate::metrics::render(running, queued);
    Ok(HttpResponse::Ok().content_type(content_type).body(text))
}
