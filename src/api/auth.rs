//! Optional token access control. The token comes as `Authorization: Bearer <token>` or,
//! as clients of the original Python service send it, `X-API-Key: <token>`.
//!
//! `require_token` is middleware on the routes themselves, never a test of the request's
//! path text: a path can be spelt many ways (`/%61pi/…`, `//api/…`) and only the router
//! knows which route a spelling reaches. It wraps the whole `/api/v1` scope in
//! `api::routes`, so every route registered inside that scope (and the scope's own
//! "not found" answers) needs the token, whoever adds it. A protected route outside the
//! scope wraps its own resource, e.g. `/metrics`:
//!
//! ```ignore
//! web::resource("/metrics")
//!     .wrap(actix_web::middleware::from_fn(auth::require_token))
//!     .route(web::get().to(metrics::serve))
//! ```
//!
//! `/health`, `/openapi.json` and the dashboard's static assets stay open.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, Error, ResponseError};

use crate::error::ApiError;

/// The configured token, shared with the middleware.
pub struct ApiToken(pub Option<String>);

pub async fn require_token(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let expected = req
        .app_data::<web::Data<ApiToken>>()
        .and_then(|token| token.0.clone());
    let Some(expected) = expected else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let bearer = header("Authorization").and_then(|value| {
        value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
    });
    let presented = bearer.or_else(|| header("X-API-Key")).map(str::trim);
    match presented {
        Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
        _ => {
            let error = ApiError::Unauthorized(
                "A valid 'Authorization: Bearer <token>' header is required.".to_string(),
            );
            Ok(req
                .into_response(error.error_response())
                .map_into_right_body())
        }
    }
}

/// Compares without an early exit, so response time does not reveal how much matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut difference = a.len() ^ b.len();
    for (index, byte) in b.iter().enumerate() {
        difference |= usize::from(a.get(index).copied().unwrap_or(0) ^ byte);
    }
    difference == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_only_when_every_byte_and_the_length_match() {
        assert!(constant_time_eq(b"s3cret", b"s3cret"));
        assert!(!constant_time_eq(b"s3cre", b"s3cret"));
        assert!(!constant_time_eq(b"s3cretX", b"s3cret"));
        assert!(!constant_time_eq(b"S3cret", b"s3cret"));
        assert!(!constant_time_eq(b"", b"s3cret"));
    }
}
