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
        super::uploads::head,
        super::uploads::status,
        super::documentation::delete_all,
        super::documentation::delete_one,
        super::uploads::upload_new,
        super::uploads::upload_into,
        super::uploads::replace_all,
        super::uploads::import,
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
        UploadStatus,
        UploadJobItem,
        UploadQueued,
        UploadForm,
        DocumentImportDoc,
        ChunkImportDoc,
        DocumentImported
    ))
)]
pub struct ApiDoc;

pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
