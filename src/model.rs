//! The wire shapes of the API (camelCase JSON), shared by handlers, storage and the
//! OpenAPI document. Optional fields are omitted, never `null`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const SCRAPE_JOB_TYPE: &str = "scrape.getRelevantDocumentation";
/// The original service's type for the job that processes an uploaded file.
pub const UPLOAD_JOB_TYPE: &str = "documentation.processUpload";

#[derive(Debug, Serialize, ToSchema)]
pub struct Message {
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionCreated {
    pub session_id: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    pub session_id: String,
    pub created_at: String,
    pub updated_at: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionListItem {
    pub session_id: String,
    pub created_at: String,
    pub updated_at: String,
    pub job_count: i64,
    pub page_count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    pub sessions: Vec<SessionListItem>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionDeleted {
    pub message: String,
    pub session_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobListItem {
    pub job_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionJobs {
    pub session_id: String,
    pub jobs: Vec<JobListItem>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobCreated {
    pub job_id: String,
}

/// The body of `POST /scrape/{session_id}/scrape`, for the OpenAPI document. The handler
/// validates the raw JSON itself so that every error names its field.
#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScrapeRequestDoc {
    /// 1 to 100 absolute http(s) URLs where the crawl starts.
    #[schema(min_items = 1, max_items = 100)]
    pub starter_links: Vec<String>,
    /// The application whose documentation is wanted (non-blank).
    #[schema(min_length = 1, pattern = r"\S")]
    pub application_name: String,
    /// Defaults to "current"; blank counts as absent.
    pub application_version: Option<String>,
    /// When false (the default) a finished job of the last 28 days with the same input is reused.
    pub skip_cache: Option<bool>,
    /// Page budget, 1 to the server cap.
    #[schema(minimum = 1)]
    pub max_iterations: Option<u32>,
    /// Link hops from a starter link, 0 to 100.
    #[schema(minimum = 0, maximum = 100)]
    pub max_depth: Option<u32>,
    /// URL path globs a page must match (any of them).
    pub include_patterns: Option<Vec<String>>,
    /// URL path globs that exclude a page; exclusion wins.
    pub exclude_patterns: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub stage: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_iterations: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_iterations: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SavedPage {
    pub title: String,
    pub chunks: i64,
    pub scraped_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobResult {
    pub finish_reason: String,
    pub saved_pages_count: i64,
    pub page_chunks_count: i64,
    pub saved_pages: BTreeMap<String, SavedPage>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub failed_pages: BTreeMap<String, String>,
    /// What was removed as the site's template (an addition to the contract); omitted
    /// when nothing was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_removed: Option<TemplateRemoved>,
}

/// The site template a job learned from its pages and removed from them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateRemoved {
    /// Distinct blocks (text at one place in the page layout) found on enough of the
    /// job's pages to count as the site's template.
    pub blocks: i64,
    /// Saved pages whose content and chunks they were removed from.
    pub pages: i64,
}

/// The status object of a scrape job, exactly the contract's fields.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobStatus {
    pub job_id: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
    /// The stored result snapshot, served as written: a finished job of thousands of
    /// pages is polled without parsing and re-serialising it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<JobResult>)]
    pub result: Option<Box<serde_json::value::RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChunkMetadata {
    pub chunk_number: i64,
    pub token_count: i64,
    pub character_count: i64,
    pub content_type: String,
    pub section: String,
    /// Further deterministic metadata (tags, category, num_endpoints …).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocChunk {
    pub chunk_id: String,
    pub doc_id: String,
    /// `scraper` for crawled pages, `upload` for uploaded files; an imported chunk keeps its own.
    pub source: String,
    pub url: String,
    pub title: String,
    /// `null` where no summary was computed.
    pub summary: Option<String>,
    pub content: String,
    pub metadata: ChunkMetadata,
    pub created_at: String,
    pub scrape_job_ids: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocBundle {
    pub doc_id: String,
    pub chunks: Vec<DocChunk>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentationDeleted {
    pub message: String,
    pub session_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_id: Option<String>,
    /// The same id under the name the original service uses for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_doc_id: Option<String>,
    pub deleted_pages: i64,
    pub deleted_chunks: i64,
}

/// The answer to an upload: its job is queued and runs in the background.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadQueued {
    /// `Documentation upload queued for processing` (`… replacement …` for `PUT`).
    pub message: String,
    pub session_id: String,
    pub job_id: String,
    /// The document the file becomes (one per uploaded file).
    pub doc_id: String,
    /// Always `queued`.
    pub status: String,
}

/// The multipart form of the upload routes.
#[allow(dead_code)]
#[derive(Debug, ToSchema)]
pub struct UploadForm {
    /// The file: PDF, DOCX, OpenAPI / Swagger (JSON or YAML), JSON, YAML, HTML, Markdown,
    /// AsciiDoc, CSV, SQL, XML, GraphQL or plain text.
    #[schema(value_type = String, format = Binary)]
    pub documentation: Vec<u8>,
}

/// One upload job of a session.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadJobItem {
    pub job_id: String,
    /// `documentation.processUpload`.
    #[serde(rename = "type")]
    pub kind: String,
    pub doc_id: String,
    /// The uploaded file's name, as sanitised for `upload://<file name>`.
    pub file_name: String,
    /// `queued`, `running`, `finished` or `failed`.
    pub status: String,
    /// A short sentence about the current work.
    pub message: String,
    pub size_bytes: u64,
    /// The detected format's MIME type, once the job has run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// One line each; only when `failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<String>>,
    /// Chunks saved; only when `finished`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chunks: Option<i64>,
    /// The earlier upload of the same file whose chunks were reused (`skipCache` false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reused_from_job_id: Option<String>,
}

/// The upload jobs of a session, oldest first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadStatus {
    pub session_id: String,
    pub upload_jobs: Vec<UploadJobItem>,
    pub total_uploads: u64,
}

/// The body of `PUT …/documentation/{documentation_id}`, for the OpenAPI document. The
/// handler validates the raw JSON itself so that every error names its field.
#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentImportDoc {
    /// Must equal the path's `documentation_id` when given.
    pub doc_id: Option<uuid::Uuid>,
    /// The document's chunks in order; an empty list removes the document.
    pub chunks: Vec<ChunkImportDoc>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChunkImportDoc {
    /// Unique across the database.
    pub chunk_id: uuid::Uuid,
    /// e.g. `scraper` or `upload`; not blank.
    #[schema(min_length = 1, pattern = r"\S")]
    pub source: String,
    pub url: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub content: String,
    /// `section` and `content_type` are kept; counts are recomputed; other keys are kept as given.
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// ISO 8601; now when absent.
    #[schema(format = DateTime)]
    pub created_at: Option<String>,
    pub scrape_job_ids: Option<Vec<uuid::Uuid>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentImported {
    /// `Documentation imported successfully`.
    pub message: String,
    pub session_id: String,
    pub doc_id: String,
    pub imported_chunks: u64,
}
