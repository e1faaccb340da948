//! Wire shapes of the operator routes (dashboard views), additions to the contract.

use serde::Serialize;
use utoipa::ToSchema;

/// One saved page in a session's page list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageSummary {
    /// The page's id, the same as its documentation bundle's `docId`.
    #[schema(example = "5fa35e85-e4b6-4574-8d5c-fd4b62331e77")]
    pub doc_id: String,
    /// The saved URL (final URL after redirects, normalised).
    #[schema(example = "https://docs.example.com/guide/install.html")]
    pub url: String,
    /// The page's title; empty when it had none.
    #[schema(example = "Installing Acme")]
    pub title: String,
    /// The MIME type the page was served with.
    #[schema(example = "text/html")]
    pub content_type: String,
    /// Number of chunks the page was cut into.
    #[schema(example = 3)]
    pub chunks: i64,
    /// Sum of the chunks' cl100k_base token counts.
    #[schema(example = 2150)]
    pub tokens: i64,
    /// When the page was fetched.
    #[schema(example = "2026-03-10T15:00:15+00:00")]
    pub scraped_at: String,
}

/// A page of a session's saved pages, optionally filtered by a search text.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageList {
    /// The session.
    #[schema(example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")]
    pub session_id: String,
    /// Pages matching the search in all (not only in this answer).
    #[schema(example = 42)]
    pub total: i64,
    /// Matching pages skipped before this answer.
    #[schema(example = 0)]
    pub offset: u64,
    /// The pages, in saving order.
    pub pages: Vec<PageSummary>,
}

/// One chunk of a page, as the dashboard shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChunkSummary {
    /// Position of the chunk in its page, from 0.
    #[schema(example = 0)]
    pub chunk_number: i64,
    /// Heading path of the chunk; empty before the first heading.
    #[schema(example = "Guide > Installing")]
    pub section: String,
    /// cl100k_base tokens in the chunk.
    #[schema(example = 812)]
    pub token_count: i64,
    /// Unicode scalar values in the chunk.
    #[schema(example = 3377)]
    pub character_count: i64,
    /// The chunk's text (Markdown for HTML pages).
    #[schema(example = "## Installing\n\nRun `acme install`.")]
    pub content: String,
}

/// One saved page with its whole stored text and its chunks.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageDetail {
    /// The page's id, the same as its documentation bundle's `docId`.
    #[schema(example = "5fa35e85-e4b6-4574-8d5c-fd4b62331e77")]
    pub doc_id: String,
    /// The saved URL.
    #[schema(example = "https://docs.example.com/guide/install.html")]
    pub url: String,
    /// The page's title; empty when it had none.
    #[schema(example = "Installing Acme")]
    pub title: String,
    /// The MIME type the page was served with; `content` is Markdown for HTML and
    /// Markdown pages, the raw text for JSON, YAML and plain text.
    #[schema(example = "text/html")]
    pub content_type: String,
    /// When the page was fetched.
    #[schema(example = "2026-03-10T15:00:15+00:00")]
    pub scraped_at: String,
    /// The page's stored text.
    #[schema(example = "# Installing Acme\n\nRun `acme install`.")]
    pub content: String,
    /// Sum of the chunks' token counts.
    #[schema(example = 2150)]
    pub tokens: i64,
    /// The page's chunks in order.
    pub chunks: Vec<ChunkSummary>,
}

/// A URL that failed, with its one-line reason.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FailedUrl {
    /// The URL as it was requested.
    #[schema(example = "https://docs.example.com/missing.html")]
    pub url: String,
    /// Why it failed.
    #[schema(example = "HTTP 404 Not Found")]
    pub reason: String,
}

/// What a job's crawl is doing, for watching it live: its frontier by state, what it
/// saved, and its latest failures.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobActivity {
    /// The job.
    #[schema(example = "2c1f0a8e-6b7d-4e3f-9a21-5d4c3b2a1f0e")]
    pub job_id: String,
    /// `queued`, `running`, `finished` or `failed`, as in the job's status.
    #[schema(example = "running")]
    pub status: String,
    /// Pages fetched so far (iterations of the budget).
    #[schema(example = 42)]
    pub completed_iterations: i64,
    /// The job's page budget.
    #[schema(example = 500)]
    pub total_iterations: i64,
    /// URLs found and waiting to be fetched.
    #[schema(example = 131)]
    pub pending_urls: i64,
    /// URLs being fetched right now.
    #[schema(example = 4)]
    pub fetching_urls: i64,
    /// URLs handled (saved, unchanged, duplicates, redirects).
    #[schema(example = 40)]
    pub done_urls: i64,
    /// URLs that failed.
    #[schema(example = 2)]
    pub failed_urls: i64,
    /// URLs skipped without a fetch (robots.txt).
    #[schema(example = 0)]
    pub skipped_urls: i64,
    /// Pages the job saved so far.
    #[schema(example = 38)]
    pub saved_pages: i64,
    /// The most recently found URLs that failed (at most 10), newest first.
    pub latest_failures: Vec<FailedUrl>,
}

/// An error answer: one human-readable sentence.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// What went wrong, in one sentence.
    #[schema(example = "Session 9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b not found")]
    pub detail: String,
}

/// One problem with a request's input.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationProblem {
    /// Kind of problem, e.g. `missing`, `uuid_parsing`, `url_parsing`, `less_than_equal`.
    #[serde(rename = "type")]
    #[schema(example = "uuid_parsing")]
    pub kind: String,
    #[schema(schema_with = location_schema)]
    pub loc: Vec<serde_json::Value>,
    /// What is wrong with it.
    #[schema(example = "Input should be a valid UUID")]
    pub msg: String,
    #[schema(schema_with = input_schema)]
    pub input: serde_json::Value,
}

/// `loc`: strings and list indexes.
fn location_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
    ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Integer])))
        .description(Some(
            "Where the input is: `path`, `query` or `body`, then the field name and, in a list, the index.",
        ))
        .examples([serde_json::json!(["body", "starterLinks", 0])])
        .build()
}

/// `input`: whatever JSON value was refused (`null` when the field was missing).
fn input_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType};
    ObjectBuilder::new()
        .schema_type(SchemaType::AnyValue)
        .description(Some(
            "The input that was refused, as it was sent (`null` when the field was missing).",
        ))
        .examples([serde_json::json!("htp:/docs")])
        .build()
}

/// A 422 answer: every problem of the request, FastAPI's shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationErrorDetail {
    /// The problems, all of them.
    pub detail: Vec<ValidationProblem>,
}

/// What `…/documentation/export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// JSON Lines: one chunk a line.
    Jsonl,
    /// A tar archive of Markdown files, one a page.
    Markdown,
}
