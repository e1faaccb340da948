//! The HTTP API of the contract: routes, their handlers and the OpenAPI document.

pub mod auth;
mod dashboard;
mod documentation;
mod export;
mod health;
mod import;
mod monitor;
pub mod openapi;
mod pages;
mod params;
mod scrape;
mod sessions;
mod upload_body;
mod uploads;

use actix_web::http::header;
use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse, ResponseError};

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
                .default_service(not_allowed("GET")),
        )
        .service(
            web::resource("/openapi.json")
                .route(web::get().to(openapi::serve))
                .default_service(not_allowed("GET")),
        )
        .service(
            web::resource("/")
                .route(web::get().to(dashboard::index))
                .default_service(not_allowed("GET")),
        )
        .service(
            web::resource("/docs")
                .route(web::get().to(dashboard::docs))
                .default_service(not_allowed("GET")),
        )
        .service(
            web::resource("/assets/{name}")
                .route(web::get().to(dashboard::asset))
                .default_service(not_allowed("GET")),
        )
        .service(
            web::resource("/metrics")
                .wrap(from_fn(auth::require_token))
                .route(web::get().to(monitor::metrics))
                .default_service(not_allowed("GET")),
        )
        .service(
            // Everything under /api/v1 needs the API token when one is set (see `auth`);
            // add API routes inside this scope so that they are protected too.
            web::scope("/api/v1")
                .wrap(from_fn(auth::require_token))
                .service(
                    web::resource("/session")
                        .route(web::post().to(sessions::create))
                        .route(web::get().to(sessions::list))
                        .default_service(not_allowed("GET, POST")),
                )
                .service(
                    web::resource("/session/{session_id}")
                        .route(web::post().to(sessions::create_with_id))
                        .route(web::get().to(sessions::get))
                        .route(web::head().to(sessions::head))
                        .route(web::delete().to(sessions::delete))
                        .default_service(not_allowed("GET, HEAD, POST, DELETE")),
                )
                .service(
                    web::resource("/session/{session_id}/jobs")
                        .route(web::get().to(sessions::jobs))
                        .default_service(not_allowed("GET")),
                )
                .service(
                    web::resource("/session/{session_id}/jobs/{job_id}/activity")
                        .route(web::get().to(pages::activity))
                        .default_service(not_allowed("GET")),
                )
                .service(
                    web::resource("/session/{session_id}/pages")
                        .route(web::get().to(pages::list))
                        .default_service(not_allowed("GET")),
                )
                .service(
                    web::resource("/session/{session_id}/pages/{documentation_id}")
                        .route(web::get().to(pages::get))
                        .default_service(not_allowed("GET")),
                )
                .service(
                    web::resource("/session/{session_id}/documentation")
                        .route(web::get().to(documentation::list))
                        .route(web::post().to(uploads::upload_new))
                        .route(web::put().to(uploads::replace_all))
                        .route(web::delete().to(documentation::delete_all))
                        .default_service(not_allowed("GET, POST, PUT, DELETE")),
                )
                // Before `{documentation_id}`, which would take `status` for an id.
                .service(
                    web::resource("/session/{session_id}/documentation/export")
                        .route(web::get().to(export::export))
                        .default_service(not_allowed("GET")),
                )
                .service(
                    web::resource("/session/{session_id}/documentation/status")
                        .route(web::get().to(uploads::status))
                        .default_service(not_allowed("GET")),
                )
                .service(
                    web::resource("/session/{session_id}/documentation/{documentation_id}")
                        .route(web::get().to(documentation::get))
                        .route(web::head().to(uploads::head))
                        .route(web::post().to(uploads::upload_into))
                        .route(web::put().to(uploads::import))
                        .route(web::delete().to(documentation::delete_one))
                        .default_service(not_allowed("GET, HEAD, POST, PUT, DELETE")),
                )
                .service(
                    web::resource("/scrape/{session_id}/scrape")
                        .route(web::post().to(scrape::start))
                        .route(web::get().to(scrape::status))
                        .route(web::delete().to(scrape::cancel))
                        .default_service(not_allowed("GET, POST, DELETE")),
                ),
        );
}

pub async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(serde_json::json!({ "detail": "Not Found" }))
}

/// 405 with the `Allow` header listing what the resource answers (RFC 9110).
fn not_allowed(allow: &'static str) -> actix_web::Route {
    web::to(move || async move {
        let mut response = ApiError::MethodNotAllowed.error_response();
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static(allow));
        response
    })
}

/// `Ok` when the session exists, else the contract's 404.
pub(crate) async fn require_session(state: &AppState, session_id: &str) -> Result<(), ApiError> {
    let session = session_id.to_string();
    let exists = state
        .db
        .run(move |conn| crate::storage::sessions::exists(conn, &session))
        .await?;
    if exists {
        Ok(())
    } else {
        Err(session_not_found(session_id))
    }
}

/// 404 with the contract's sentence when a session does not exist.
pub(crate) fn session_not_found(session_id: &str) -> ApiError {
    ApiError::NotFound(format!("Session {session_id} not found"))
}
