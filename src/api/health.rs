use actix_web::HttpResponse;

use crate::model::Message;

/// Liveness: answers without touching the database.
#[utoipa::path(get, path = "/health", operation_id = "health", tag = "health", responses((status = 200, body = Message)))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Message {
        message: "OK".to_string(),
    })
}
