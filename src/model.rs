//! The wire shapes of the API (camelCase JSON), shared by handlers, storage and the
//! OpenAPI document. Optional fields are omitted, never `null`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod operator;
pub use operator::*;

pub const SCRAPE_JOB_TYPE: &str = "scrape.getRelevantDocumentation";
/// The original service's type for the job that processes an uploaded file.
pub const UPLOAD_JOB_TYPE: &str = "documentation.processUpload";

/// A plain message answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Message {
    /// The message.
    #[schema(example = "OK")]
    pub message: String,
}

/// A session was created.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionCreated {
    /// The new session's id.
    #[schema(example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")]
    pub session_id: String,
    /// A sentence saying so.
    #[schema(example = "Session 9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b created")]
    pub message: String,
}

/// One session.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// The session's id.
    #[schema(example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")]
    pub session_id: String,
    /// When the session was created.
    #[schema(example = "2026-03-10T15:00:00+00:00")]
    pub created_at: String,
    /// When the session last changed (a job queued or ended, a page saved).
    #[schema(example = "2026-03-10T15:08:45+00:00")]
    pub updated_at: String,
    /// A sentence saying it was found.
    #[schema(example = "Session 9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b found")]
    pub message: String,
}

/// One session in the session list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionListItem {
    /// The session's id.
    #[schema(example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")]
    pub session_id: String,
    /// When the session was created.
    #[schema(example = "2026-03-10T15:00:00+00:00")]
    pub created_at: String,
    /// When the session last changed.
    #[schema(example = "2026-03-10T15:08:45+00:00")]
    pub updated_at: String,
    /// Jobs the session has had.
    #[schema(example = 2)]
    pub job_count: i64,
    /// Pages saved in the session.
    #[schema(example = 42)]
    pub page_count: i64,
}

/// Sessions, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    /// The sessions of this page of the list.
    pub sessions: Vec<SessionListItem>,
}

/// A session was deleted with its jobs, pages and chunks.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionDeleted {
    /// A sentence saying so.
    #[schema(example = "Session 9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b deleted")]
    pub message: String,
    /// The deleted session's id.
    #[schema(example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")]
    pub session_id: String,
}

/// One job of a session.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobListItem {
    /// The job's id.
    #[schema(example = "2c1f0a8e-6b7d-4e3f-9a21-5d4c3b2a1f0e")]
    pub job_id: String,
    /// The job's type; scrape jobs are `scrape.getRelevantDocumentation`.
    #[serde(rename = "type")]
    #[schema(example = "scrape.getRelevantDocumentation")]
    pub kind: String,
    /// `queued`, `running`, `finished` or `failed`.
    #[schema(example = "finished")]
    pub status: String,
    /// When the job was queued.
    #[schema(example = "2026-03-10T15:00:00+00:00")]
    pub created_at: String,
    /// When the job last changed.
    #[schema(example = "2026-03-10T15:08:45+00:00")]
    pub updated_at: String,
    /// When the job started running; absent while queued.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2026-03-10T15:00:05+00:00", nullable = false)]
    pub started_at: Option<String>,
    /// When the job ended; absent until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2026-03-10T15:08:45+00:00", nullable = false)]
    pub finished_at: Option<String>,
}

/// A session's jobs, oldest first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionJobs {
    /// The session's id.
    #[schema(example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")]
    pub session_id: String,
    /// The jobs.
    pub jobs: Vec<JobListItem>,
}

/// A scrape job was queued.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobCreated {
    /// The new job's id; poll its status with `?jobId=`.
    #[schema(example = "2c1f0a8e-6b7d-4e3f-9a21-5d4c3b2a1f0e")]
    pub job_id: String,
}

/// The body of `POST /scrape/{session_id}/scrape`, for the OpenAPI document. The handler
/// validates the raw JSON itself so that every error names its field.
#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScrapeRequestDoc {
    /// 1 to 100 absolute http(s) URLs where the crawl starts.
    #[schema(example = json!(["https://docs.example.com/"]), min_items = 1, max_items = 100)]
    pub starter_links: Vec<String>,
    /// The application whose documentation is wanted (non-blank); it drives relevance ranking.
    #[schema(example = "Acme Directory", min_length = 1, pattern = r"\S")]
    pub application_name: String,
    /// The version to prefer among versioned copies; defaults to "current", blank counts as absent.
    #[schema(example = "4.8", nullable = false)]
    pub application_version: Option<String>,
    /// When false (the default) a finished job of the last 28 days with the same input is reused.
    #[schema(example = true, nullable = false)]
    pub skip_cache: Option<bool>,
    /// Page budget (pages fetched, whatever their outcome), 1 to the server cap; the server default (50) when absent.
    #[schema(example = 100, minimum = 1, nullable = false)]
    pub max_iterations: Option<u32>,
    /// Link hops from a starter link, 0 to 100; 0 fetches the starter pages only. Unbounded when absent.
    #[schema(example = 3, minimum = 0, maximum = 100, nullable = false)]
    pub max_depth: Option<u32>,
    /// URL path globs a page must match (any of them).
    #[schema(example = json!(["/docs/**"]), nullable = false)]
    pub include_patterns: Option<Vec<String>>,
    /// URL path globs that exclude a page; exclusion wins.
    #[schema(example = json!(["/docs/archive/**"]), nullable = false)]
    pub exclude_patterns: Option<Vec<String>>,
}

/// Where a job is.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// `queue`, `running`, `finished` or `failed`.
    #[schema(example = "running")]
    pub stage: String,
    /// A short sentence about the current work.
    #[schema(example = "Fetching https://docs.example.com/guide/")]
    pub message: String,
    /// Pages fetched against the budget; present once the job has run, never goes backwards.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 12, nullable = false)]
    pub completed_iterations: Option<i64>,
    /// The page budget; present once the job has run.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 50, nullable = false)]
    pub total_iterations: Option<i64>,
}

/// A page a job saved.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SavedPage {
    /// The page's title.
    #[schema(example = "Reference Documentation")]
    pub title: String,
    /// Chunks the page was cut into.
    #[schema(example = 8)]
    pub chunks: i64,
    /// When the page was fetched.
    #[schema(example = "2026-03-10T15:00:15+00:00")]
    pub scraped_at: String,
}

/// What a finished job did, a snapshot taken when it ended.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobResult {
    /// Why it ended: `no_more_links`, `max_iterations`, `completed`, `cancelled` or `reused_previous_session_data`.
    #[schema(example = "no_more_links")]
    pub finish_reason: String,
    /// Pages saved; the number of `savedPages`.
    #[schema(example = 42)]
    pub saved_pages_count: i64,
    /// Chunks saved; the sum of `savedPages[*].chunks`.
    #[schema(example = 328)]
    pub page_chunks_count: i64,
    /// Each saved page URL (final, normalised) with its title, chunk count and time.
    #[schema(example = json!({"https://docs.example.com/reference/": {"title": "Reference Documentation", "chunks": 8, "scrapedAt": "2026-03-10T15:00:15+00:00"}}))]
    pub saved_pages: BTreeMap<String, SavedPage>,
    /// Pages that failed, URL as requested to a one-line reason; absent when none did.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schema(example = json!({"https://docs.example.com/old/": "HTTP 404 Not Found"}))]
    pub failed_pages: BTreeMap<String, String>,
    /// What was removed as the site's template (an addition to the contract); omitted
    /// when nothing was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub template_removed: Option<TemplateRemoved>,
}

/// The site template a job learned from its pages and removed from them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateRemoved {
    /// Distinct blocks (text at one place in the page layout) found on enough of the
    /// job's pages to count as the site's template.
    #[schema(example = 14)]
    pub blocks: i64,
    /// Saved pages whose content and chunks they were removed from.
    #[schema(example = 640)]
    pub pages: i64,
}

/// The status object of a scrape job, exactly the contract's fields.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobStatus {
    /// The job's id.
    #[schema(example = "2c1f0a8e-6b7d-4e3f-9a21-5d4c3b2a1f0e")]
    pub job_id: String,
    /// `queued`, `running`, `finished`, `failed`, or `not_found` (then no other field but `jobId`).
    #[schema(example = "finished")]
    pub status: String,
    /// When the job was queued.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2026-03-10T15:00:00+00:00", nullable = false)]
    pub created_at: Option<String>,
    /// When the job started; absent while queued.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2026-03-10T15:00:05+00:00", nullable = false)]
    pub started_at: Option<String>,
    /// When the job last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2026-03-10T15:08:45+00:00", nullable = false)]
    pub updated_at: Option<String>,
    /// Stage, message and page counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub progress: Option<Progress>,
    /// Present only when `status` is `finished`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<JobResult>)]
    #[schema(value_type = Option<JobResult>, nullable = false)]
    pub result: Option<Box<serde_json::value::RawValue>>,
    /// Present only when `status` is `failed`: one presentable line each.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = json!(["Failed to scrape https://docs.example.com/: HTTP 503 Service Unavailable"]), nullable = false)]
    pub errors: Option<Vec<String>>,
}

/// Facts about a chunk, computed without an LLM.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChunkMetadata {
    /// Position of the chunk in its page, from 0.
    #[schema(example = 0)]
    pub chunk_number: i64,
    /// tiktoken cl100k_base tokens.
    #[schema(example = 812)]
    pub token_count: i64,
    /// Unicode scalar values.
    #[schema(example = 3377)]
    pub character_count: i64,
    /// The page's MIME type (the content itself is Markdown for HTML).
    #[schema(example = "text/html")]
    pub content_type: String,
    /// Heading path of the chunk; empty before the first heading.
    #[schema(example = "Reference > Users > Create a user")]
    pub section: String,
    /// Further deterministic metadata: `num_endpoints`, `tags`, `category`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    #[schema(value_type = Object, example = json!({"num_endpoints": 2, "tags": ["users"], "category": "reference"}))]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// One chunk of a saved page.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocChunk {
    /// The chunk's id.
    #[schema(example = "0d6f3c1a-2b4e-4f5a-8c7d-9e0f1a2b3c4d")]
    pub chunk_id: String,
    /// The page (document) it belongs to.
    #[schema(example = "5fa35e85-e4b6-4574-8d5c-fd4b62331e77")]
    pub doc_id: String,
    /// `scraper` for crawled pages, `upload` for uploaded files; an imported chunk keeps its own.
    #[schema(example = "scraper")]
    pub source: String,
    /// The page's URL (`upload://<file name>` for an uploaded file).
    #[schema(example = "https://docs.example.com/reference/users.html")]
    pub url: String,
    /// The page's title.
    #[schema(example = "Users")]
    pub title: String,
    /// An extractive summary; `null` where none was computed.
    #[schema(example = "Users: create, read, update and delete users.")]
    pub summary: Option<String>,
    /// The chunk's text: Markdown for HTML pages, the raw text for JSON, YAML and plain text.
    #[schema(example = "## Create a user\n\n`POST /users` creates a user.")]
    pub content: String,
    /// Facts about the chunk.
    pub metadata: ChunkMetadata,
    /// When the chunk was saved.
    #[schema(example = "2026-03-10T15:00:15+00:00")]
    pub created_at: String,
    /// Every job that saved the page, oldest first.
    #[schema(example = json!(["2c1f0a8e-6b7d-4e3f-9a21-5d4c3b2a1f0e"]))]
    pub scrape_job_ids: Vec<String>,
}

/// One saved page as documentation: its chunks in order.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocBundle {
    /// The page's id.
    #[schema(example = "5fa35e85-e4b6-4574-8d5c-fd4b62331e77")]
    pub doc_id: String,
    /// The page's chunks in order.
    pub chunks: Vec<DocChunk>,
}

impl From<crate::storage::pages::StoredDocument> for DocBundle {
    fn from(doc: crate::storage::pages::StoredDocument) -> DocBundle {
        let chunks = doc
            .chunks
            .into_iter()
            .map(|chunk| DocChunk {
                chunk_id: chunk.id,
                doc_id: doc.id.clone(),
                // An imported chunk may name its own source and URL.
                source: chunk.source.unwrap_or_else(|| doc.source.clone()),
                url: chunk.url.unwrap_or_else(|| doc.url.clone()),
                title: doc.title.clone(),
                summary: chunk.summary,
                content: chunk.content,
                metadata: ChunkMetadata {
                    chunk_number: chunk.number,
                    token_count: chunk.token_count,
                    character_count: chunk.character_count,
                    content_type: doc.content_type.clone(),
                    section: chunk.section,
                    extra: chunk.extra,
                },
                created_at: chunk.created_at,
                scrape_job_ids: doc.job_ids.clone(),
            })
            .collect();
        DocBundle {
            doc_id: doc.id,
            chunks,
        }
    }
}

/// What a documentation delete removed.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentationDeleted {
    /// A sentence saying what was deleted.
    #[schema(example = "Deleted 1 document(s) with 8 chunk(s)")]
    pub message: String,
    /// The session.
    #[schema(example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")]
    pub session_id: String,
    /// The deleted document, when one was named.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "5fa35e85-e4b6-4574-8d5c-fd4b62331e77", nullable = false)]
    pub doc_id: Option<String>,
    /// The same id under the name the original service uses for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "5fa35e85-e4b6-4574-8d5c-fd4b62331e77", nullable = false)]
    pub deleted_doc_id: Option<String>,
    /// Pages deleted.
    #[schema(example = 1)]
    pub deleted_pages: i64,
    /// Chunks deleted.
    #[schema(example = 8)]
    pub deleted_chunks: i64,
}

/// The answer to an upload: its job is queued and runs in the background.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadQueued {
    /// `Documentation upload queued for processing` (`… replacement …` for `PUT`).
    #[schema(example = "Documentation upload queued for processing")]
    pub message: String,
    /// The session.
    #[schema(example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")]
    pub session_id: String,
    /// The upload job; watch it in `…/documentation/status`.
    #[schema(example = "2c1f0a8e-6b7d-4e3f-9a21-5d4c3b2a1f0e")]
    pub job_id: String,
    /// The document the file becomes (one per uploaded file).
    #[schema(example = "5fa35e85-e4b6-4574-8d5c-fd4b62331e77")]
    pub doc_id: String,
    /// Always `queued`.
    #[schema(example = "queued")]
    pub status: String,
}

/// The multipart form of the upload routes.
#[allow(dead_code)]
#[derive(Debug, ToSchema)]
pub struct UploadForm {
    /// The file: PDF, DOCX, OpenAPI / Swagger (JSON or YAML), JSON, YAML, HTML, Markdown,
    /// AsciiDoc, CSV, SQL, XML, GraphQL or plain text.
    #[schema(value_type = String, format = Binary, example = "(the file's bytes)")]
    pub documentation: Vec<u8>,
}

/// One upload job of a session.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadJobItem {
    /// The upload job's id.
    #[schema(example = "2c1f0a8e-6b7d-4e3f-9a21-5d4c3b2a1f0e")]
    pub job_id: String,
    /// `documentation.processUpload`.
    #[serde(rename = "type")]
    #[schema(example = "documentation.processUpload")]
    pub kind: String,
    /// The document the file becomes.
    #[schema(example = "5fa35e85-e4b6-4574-8d5c-fd4b62331e77")]
    pub doc_id: String,
    /// The uploaded file's name, as sanitised for `upload://<file name>`.
    #[schema(example = "acme-api-guide.pdf")]
    pub file_name: String,
    /// `queued`, `running`, `finished` or `failed`.
    #[schema(example = "finished")]
    pub status: String,
    /// A short sentence about the current work.
    #[schema(example = "Saved 42 chunks")]
    pub message: String,
    /// Size of the uploaded file in bytes.
    #[schema(example = 183422)]
    pub size_bytes: u64,
    /// The detected format's MIME type, once the job has run.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "application/pdf", nullable = false)]
    pub content_type: Option<String>,
    /// When the upload was queued.
    #[schema(example = "2026-03-10T15:00:00+00:00")]
    pub created_at: String,
    /// When the job started; absent while queued.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2026-03-10T15:00:01+00:00", nullable = false)]
    pub started_at: Option<String>,
    /// When the job last changed.
    #[schema(example = "2026-03-10T15:00:04+00:00")]
    pub updated_at: String,
    /// When the job ended; absent until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2026-03-10T15:00:04+00:00", nullable = false)]
    pub finished_at: Option<String>,
    /// One line each; only when `failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = json!(["The PDF is encrypted; upload a decrypted copy."]), nullable = false)]
    pub errors: Option<Vec<String>>,
    /// Chunks saved; only when `finished`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 42, nullable = false)]
    pub chunks: Option<i64>,
    /// The earlier upload of the same file whose chunks were reused (`skipCache` false).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2c1f0a8e-6b7d-4e3f-9a21-5d4c3b2a1f0e", nullable = false)]
    pub reused_from_job_id: Option<String>,
}

/// The upload jobs of a session, oldest first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadStatus {
    /// The session.
    #[schema(example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")]
    pub session_id: String,
    /// Upload jobs of the session, oldest first.
    pub upload_jobs: Vec<UploadJobItem>,
    /// Number of upload jobs.
    #[schema(example = 1)]
    pub total_uploads: u64,
}

/// The body of `PUT …/documentation/{documentation_id}`, for the OpenAPI document. The
/// handler validates the raw JSON itself so that every error names its field.
#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentImportDoc {
    /// Must equal the path's `documentation_id` when given.
    #[schema(example = "5fa35e85-e4b6-4574-8d5c-fd4b62331e77")]
    pub doc_id: Option<uuid::Uuid>,
    /// The document's chunks in order; an empty list removes the document.
    pub chunks: Vec<ChunkImportDoc>,
}

/// One chunk of an imported document. Optional fields may be absent or `null`.
#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChunkImportDoc {
    /// Unique across the database.
    #[schema(example = "0d6f3c1a-2b4e-4f5a-8c7d-9e0f1a2b3c4d")]
    pub chunk_id: uuid::Uuid,
    /// e.g. `scraper` or `upload`; not blank.
    #[schema(min_length = 1, pattern = r"\S", example = "upload")]
    pub source: String,
    /// Where the text came from; `upload://<file name>` for a file.
    #[schema(example = "upload://acme-api-guide.pdf")]
    pub url: Option<String>,
    /// The document's title.
    #[schema(example = "Acme API guide")]
    pub title: Option<String>,
    /// A summary of the chunk, kept as given.
    #[schema(example = "Users: create, read, update and delete users.")]
    pub summary: Option<String>,
    /// The chunk's text.
    #[schema(example = "## Create a user\n\n`POST /users` creates a user.")]
    pub content: String,
    /// `section` and `content_type` are kept; counts are recomputed; other keys are kept as given.
    #[schema(schema_with = import_metadata_schema)]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// ISO 8601; now when absent.
    #[schema(format = DateTime, example = "2026-03-10T15:00:15+00:00")]
    pub created_at: Option<String>,
    /// Jobs credited with the chunk.
    #[schema(example = json!(["2c1f0a8e-6b7d-4e3f-9a21-5d4c3b2a1f0e"]))]
    pub scrape_job_ids: Option<Vec<uuid::Uuid>>,
}

/// `ChunkImportDoc.metadata`: any JSON object or `null`. Written by hand because utoipa
/// drops the example of a free-form object field.
fn import_metadata_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Object, Type::Null]))
        .description(Some(
            "`section` and `content_type` are kept; counts are recomputed; other keys are kept as given.",
        ))
        .examples([serde_json::json!({"section": "Reference > Users", "content_type": "application/pdf"})])
        .build()
}

/// The answer to a JSON import: the document now holds exactly the given chunks.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentImported {
    /// `Documentation imported successfully`.
    #[schema(example = "Documentation imported successfully")]
    pub message: String,
    /// The session.
    #[schema(example = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b")]
    pub session_id: String,
    /// The document.
    #[schema(example = "5fa35e85-e4b6-4574-8d5c-fd4b62331e77")]
    pub doc_id: String,
    /// Chunks the document now has.
    #[schema(example = 8)]
    pub imported_chunks: u64,
}
