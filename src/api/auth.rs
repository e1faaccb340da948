//! Optional token access control for every `/api` route (`/health` and `/openapi.json`
//! stay open). The token comes as `Authorization: Bearer <token>` or, as clients of the
//! original Python service send it, `X-API-Key: <token>`.

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
    let Some(expected) = expected.filter(|_| req.path().starts_with("/api/")) else {
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
