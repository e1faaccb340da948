//! Typed errors and their one mapping to HTTP responses.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::Value;

/// A failure of the embedded database. Never shown to clients in detail.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database error: {}", postgres_detail(.0))]
    Postgres(#[from] postgres::Error),
    #[error("the query returned no row")]
    NoRows,
    #[error("database pool error: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("database file {path}: {source}")]
    Open {
        path: String,
        source: std::io::Error,
    },
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database worker stopped: {0}")]
    Worker(String),
}

impl StorageError {
    /// The condition behind the error when it is one an operator can act on (a full
    /// disk, a read-only file), in words for an error line; `None` for other faults.
    pub fn condition(&self) -> Option<&'static str> {
        use rusqlite::ErrorCode;
        if let StorageError::Postgres(err) = self {
            return postgres_condition(err);
        }
        let StorageError::Sqlite(rusqlite::Error::SqliteFailure(failure, _)) = self else {
            return None;
        };
        match failure.code {
            ErrorCode::DiskFull => Some("the database is full (no space left on its disk)"),
            ErrorCode::ReadOnly => Some("the database file is read-only"),
            ErrorCode::SystemIoFailure => Some("the disk holding the database failed"),
            ErrorCode::CannotOpen => Some("the database file cannot be opened"),
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                Some("the database stayed locked by another writer")
            }
            _ => None,
        }
    }

    /// One line for a job's `errors`: what failed and, where known, why.
    pub fn job_error_line(&self) -> String {
        match self.condition() {
            Some(condition) => {
                format!("Storage error: could not write the crawl to the database: {condition}")
            }
            None => format!("Internal error while scraping: {self}"),
        }
    }
}

/// The server's own message and code where it sent one ("db error" says nothing).
fn postgres_detail(err: &postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => match std::error::Error::source(err) {
            // "error connecting to server" and the like: the cause says what went wrong.
            Some(cause) => format!("{err}: {cause}"),
            None => err.to_string(),
        },
    }
}

/// The same conditions on a PostgreSQL server, by SQLSTATE class.
fn postgres_condition(err: &postgres::Error) -> Option<&'static str> {
    if err.is_closed() {
        return Some("the connection to the database server was lost");
    }
    let code = err.code()?.code();
    if code == "53100" {
        Some("the database is full (no space left on its disk)")
    } else if code == "25006" {
        Some("the database is read-only")
    } else if code.starts_with("08") || code.starts_with("57P") {
        Some("the database server is unavailable")
    } else if code.starts_with("53") {
        Some("the database server is out of resources")
    } else {
        None
    }
}

/// One entry of a 422 validation answer, in the shape FastAPI clients already parse.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ValidationIssue {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub loc: Vec<Value>,
    pub msg: String,
    pub input: Value,
}

impl ValidationIssue {
    pub fn new(kind: &'static str, loc: Vec<Value>, msg: impl Into<String>, input: Value) -> Self {
        ValidationIssue {
            kind,
            loc,
            msg: msg.into(),
            input,
        }
    }
}

/// Everything an API handler can fail with; `error_response` is the only HTTP mapping.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("invalid request")]
    Validation(Vec<ValidationIssue>),
    #[error("{0}")]
    Unprocessable(String),
    #[error("Request body is larger than {0} bytes.")]
    PayloadTooLarge(usize),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("Method Not Allowed")]
    MethodNotAllowed,
    #[error("{0}")]
    Unavailable(String),
    #[error("internal storage error")]
    Storage(#[from] StorageError),
}

impl ApiError {
    pub fn validation(issue: ValidationIssue) -> Self {
        ApiError::Validation(vec![issue])
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Validation(_) | ApiError::Unprocessable(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Storage(err) if err.condition().is_some() => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let detail = match self {
            ApiError::Validation(issues) => serde_json::json!(issues),
            ApiError::Storage(err) => {
                log::error!("{err}");
                match err.condition() {
                    Some(condition) => Value::from(format!(
                        "The server cannot use its database right now: {condition}; try again later."
                    )),
                    None => Value::from(
                        "The server could not read or write its database; try again later.",
                    ),
                }
            }
            other => Value::from(other.to_string()),
        };
        let mut response = HttpResponse::build(self.status_code());
        if let ApiError::Unauthorized(_) = self {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        response.json(serde_json::json!({ "detail": detail }))
    }
}
