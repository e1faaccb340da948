//! The OpenAPI 3 document, generated from the handlers' annotations and the wire types.

use actix_web::HttpResponse;
use utoipa::OpenApi;

use crate::model::*;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "docscrape",
        description = "Crawls an application's documentation into token-counted Markdown chunks."
    ),
    paths(
        super::health::health,
        super::sessions::create,
        super::sessions::list,
        super::sessions::create_with_id,
        super::sessions::get,
        super::sessions::head,
        super::sessions::delete,
        super::sessions::jobs,
        super::scrape::start,
        super::scrape::status,
        super::scrape::cancel,
        super::documentation::list,
        super::documentation::get,
        super::documentation::head,
        super::documentation::upload_status,
        super::documentation::delete_all,
        super::documentation::delete_one,
    ),
    components(schemas(
        Message,
        SessionCreated,
        SessionInfo,
        SessionList,
        SessionListItem,
        SessionDeleted,
        SessionJobs,
        JobListItem,
        JobCreated,
        ScrapeRequestDoc,
        JobStatus,
        Progress,
        JobResult,
        SavedPage,
        TemplateRemoved,
        DocBundle,
        DocChunk,
        ChunkMetadata,
        DocumentationDeleted,
        UploadStatus
    ))
)]
pub struct ApiDoc;

pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
