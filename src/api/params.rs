//! Reading path, query and body input by hand, so that every rejection is the contract's
//! 422 shape naming the exact field.

use actix_web::{web, HttpRequest};
use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::error::{ApiError, ValidationIssue};
use crate::ids;

/// Largest JSON body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Largest page of a listing.
pub const MAX_LIMIT: u64 = 1000;

pub fn path_uuid(req: &HttpRequest, name: &'static str) -> Result<String, ApiError> {
    let raw = req.match_info().get(name).unwrap_or("");
    ids::parse_uuid(raw)
        .map(|id| ids::format_uuid(&id))
        .ok_or_else(|| ApiError::validation(uuid_issue(vec![json!("path"), json!(name)], raw)))
}

fn uuid_issue(loc: Vec<Value>, raw: &str) -> ValidationIssue {
    ValidationIssue::new(
        "uuid_parsing",
        loc,
        "Input should be a valid UUID",
        Value::String(raw.to_string()),
    )
}

pub fn query_value(req: &HttpRequest, name: &str) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

pub fn query_uuid(req: &HttpRequest, name: &'static str) -> Result<Option<String>, ApiError> {
    match query_value(req, name) {
        None => Ok(None),
        Some(raw) => ids::parse_uuid(&raw)
            .map(|id| Some(ids::format_uuid(&id)))
            .ok_or_else(|| {
                ApiError::validation(uuid_issue(vec![json!("query"), json!(name)], &raw))
            }),
    }
}

/// `offset` (default 0) and `limit` (default `default_limit`, at most `MAX_LIMIT`).
pub fn paging(req: &HttpRequest, default_limit: u64) -> Result<(u64, u64), ApiError> {
    let offset = query_int(req, "offset", 0, u64::MAX >> 1)?.unwrap_or(0);
    let limit = query_int(req, "limit", 1, MAX_LIMIT)?.unwrap_or(default_limit);
    Ok((offset, limit))
}

fn query_int(
    req: &HttpRequest,
    name: &'static str,
    min: u64,
    max: u64,
) -> Result<Option<u64>, ApiError> {
    let Some(raw) = query_value(req, name) else {
        return Ok(None);
    };
    let issue = |kind, msg: String| {
        ApiError::validation(ValidationIssue::new(
            kind,
            vec![json!("query"), json!(name)],
            msg,
            Value::String(raw.clone()),
        ))
    };
    let number: u64 = raw.trim().parse().map_err(|_| {
        issue(
            "int_parsing",
            "Input should be a valid non-negative integer".to_string(),
        )
    })?;
    if number < min {
        return Err(issue(
            "greater_than_equal",
            format!("Input should be greater than or equal to {min}"),
        ));
    }
    if number > max {
        return Err(issue(
            "less_than_equal",
            format!("Input should be less than or equal to {max}"),
        ));
    }
    Ok(Some(number))
}

/// A boolean query parameter, read as FastAPI reads one (`true`/`false`, `1`/`0`,
/// `yes`/`no`, `on`/`off`, any case); 422 `bool_parsing` otherwise.
pub fn query_bool(req: &HttpRequest, name: &'static str) -> Result<Option<bool>, ApiError> {
    let Some(raw) = query_value(req, name) else {
        return Ok(None);
    };
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" | "t" | "y" => Ok(Some(true)),
        "false" | "0" | "no" | "off" | "f" | "n" => Ok(Some(false)),
        _ => Err(ApiError::validation(ValidationIssue::new(
            "bool_parsing",
            vec![json!("query"), json!(name)],
            "Input should be a valid boolean, unable to interpret input",
            Value::String(raw),
        ))),
    }
}

/// Reads a JSON body of at most `MAX_BODY_BYTES`; 413 beyond, 422 when it is not JSON.
/// The Content-Type is not enforced: `curl -d` sends a form type for JSON text.
pub async fn json_body(payload: web::Payload) -> Result<Value, ApiError> {
    json_body_capped(payload, MAX_BODY_BYTES).await
}

/// [`json_body`] with another size limit (a whole imported document).
pub async fn json_body_capped(mut payload: web::Payload, cap: usize) -> Result<Value, ApiError> {
    let mut body = web::BytesMut::new();
    while let Some(piece) = payload.next().await {
        let piece = piece.map_err(|err| {
            ApiError::Unprocessable(format!("The request body could not be read: {err}."))
        })?;
        if body.len() + piece.len() > cap {
            return Err(ApiError::PayloadTooLarge(cap));
        }
        body.extend_from_slice(&piece);
    }
    serde_json::from_slice(&body).map_err(|err| {
        ApiError::validation(ValidationIssue::new(
            "json_invalid",
            vec![json!("body"), json!(err.column())],
            format!("JSON decode error: {err}"),
            Value::String(String::from_utf8_lossy(&body).chars().take(200).collect()),
        ))
    })
}
