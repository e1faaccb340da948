use actix_web::HttpResponse;

use crate::model::Message;

/// Liveness: answers without touching the database.
#[utoipa::path(get, path = "/health", operation_id = "health", tag = "health",
    summary = "Liveness",
    description = "Answers `{\"message\":\"OK\"}` without touching the database.", responses((status = 200, body = Message, description = "The service is up")))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Message {
        message: "OK".to_string(),
    })
}
