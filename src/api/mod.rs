//! The HTTP API of the contract: routes, their handlers and the OpenAPI document.

pub mod auth;
mod documentation;
mod health;
pub mod openapi;
mod params;
mod scrape;
mod sessions;

use actix_web::{web, HttpResponse};

use crate::config::Settings;
use crate::error::ApiError;
use crate::jobs::JobEngine;
use crate::storage::Db;

/// What handlers share.
pub struct AppState {
    pub db: Db,
    pub engine: JobEngine,
    pub settings: Settings,
}

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource("/health")
                .route(web::get().to(health::health))
                .default_service(web::to(method_not_allowed)),
        )
        .service(
            web::resource("/openapi.json")
                .route(web::get().to(openapi::serve))
                .default_service(web::to(method_not_allowed)),
        )
        .service(
            web::scope("/api/v1")
                .service(
                    web::resource("/session")
                        .route(web::post().to(sessions::create))
                        .route(web::get().to(sessions::list))
                        .default_service(web::to(method_not_allowed)),
                )
                .service(
                    web::resource("/session/{session_id}")
                        .route(web::post().to(sessions::create_with_id))
                        .route(web::get().to(sessions::get))
                        .route(web::head().to(sessions::head))
                        .route(web::delete().to(sessions::delete))
                        .default_service(web::to(method_not_allowed)),
                )
                .service(
                    web::resource("/session/{session_id}/jobs")
                        .route(web::get().to(sessions::jobs))
                        .default_service(web::to(method_not_allowed)),
                )
                .service(
                    web::resource("/session/{session_id}/documentation")
                        .route(web::get().to(documentation::list))
                        .route(web::delete().to(documentation::delete_all))
                        .default_service(web::to(method_not_allowed)),
                )
                .service(
                    web::resource("/session/{session_id}/documentation/{documentation_id}")
                        .route(web::get().to(documentation::get))
                        .route(web::delete().to(documentation::delete_one))
                        .default_service(web::to(method_not_allowed)),
                )
                .service(
                    web::resource("/scrape/{session_id}/scrape")
                        .route(web::post().to(scrape::start))
                        .route(web::get().to(scrape::status))
                        .route(web::delete().to(scrape::cancel))
                        .default_service(web::to(method_not_allowed)),
                ),
        );
}

pub async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(serde_json::json!({ "detail": "Not Found" }))
}

async fn method_not_allowed() -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed)
}

/// 404 with the contract's sentence when a session does not exist.
pub(crate) fn session_not_found(session_id: &str) -> ApiError {
    ApiError::NotFound(format!("Session {session_id} not found"))
}
