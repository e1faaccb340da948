//! Receiving an uploaded file: the multipart body is streamed, its `documentation` field
//! screened on its first bytes (415 for what cannot be documentation) and spooled into
//! the database in pieces, never held whole in memory; past the size limit it is a 413.

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::session_not_found;
use crate::error::{ApiError, ValidationIssue};
use crate::storage::{uploads, Db};
use crate::uploads::format::{screen, SCREEN_BYTES};
use crate::uploads::sanitize_file_name;

/// The form field that carries the file, as in the original service.
pub const FILE_FIELD: &str = "documentation";
/// Bytes written to the spool at once.
const PART_BYTES: usize = 1024 * 1024;
/// What a body may carry besides the file: boundaries, part headers, small form fields.
const FORM_OVERHEAD: u64 = 1024 * 1024;

/// A file received completely into its spool.
#[derive(Debug)]
pub struct ReceivedFile {
    pub file_name: String,
    pub declared_type: String,
    pub size: u64,
    pub content_hash: String,
}

/// Streams the multipart body into spool `spool_id` of the session. On any error the
/// spool is removed again.
pub async fn receive(
    db: &Db,
    spool_id: &str,
    session_id: &str,
    req: &HttpRequest,
    payload: web::Payload,
    max_bytes: u64,
) -> Result<ReceivedFile, ApiError> {
    let declared_length = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > max_bytes + FORM_OVERHEAD) {
        return Err(too_large(max_bytes));
    }
    let mut receiver = Receiver {
        db,
        spool_id,
        session_id,
        max_bytes,
        spooled: false,
    };
    let outcome = receiver.read(Multipart::new(req.headers(), payload)).await;
    if outcome.is_err() && receiver.spooled {
        let spool = spool_id.to_string();
        if let Err(err) = db.write(move |tx| uploads::delete_spool(tx, &spool)).await {
            log::warn!("could not remove the spool of a refused upload {spool_id}: {err}");
        }
    }
    outcome
}

struct Receiver<'a> {
    db: &'a Db,
    spool_id: &'a str,
    session_id: &'a str,
    max_bytes: u64,
    /// Whether the spool row exists (and must be removed on failure).
    spooled: bool,
}

impl Receiver<'_> {
    async fn read(&mut self, mut multipart: Multipart) -> Result<ReceivedFile, ApiError> {
        let mut received: Option<ReceivedFile> = None;
        let mut other_bytes = 0u64;
        while let Some(field) = multipart.next().await {
            let mut field = field.map_err(|err| bad_form(&err.to_string()))?;
            if field.name() != Some(FILE_FIELD) {
                // Other form fields are ignored, within the body's allowance.
                while let Some(piece) = field.next().await {
                    other_bytes += piece.map_err(|err| bad_form(&err.to_string()))?.len() as u64;
                    if other_bytes > FORM_OVERHEAD {
                        return Err(too_large(self.max_bytes));
                    }
                }
                continue;
            }
            if received.is_some() {
                return Err(ApiError::validation(ValidationIssue::new(
                    "too_long",
                    vec![json!("body"), json!(FILE_FIELD)],
                    "Upload one file per request",
                    Value::Null,
                )));
            }
            let file_name = sanitize_file_name(
                field
                    .content_disposition()
                    .and_then(|disposition| disposition.get_filename())
                    .unwrap_or(""),
            );
            let declared_type = field
                .content_type()
                .map(|mime| mime.essence_str().to_string())
                .unwrap_or_default();
            received = Some(
                self.spool_field(&mut field, file_name, declared_type)
                    .await?,
            );
        }
        received.ok_or_else(missing_file)
    }

    /// Screens the field's first bytes, then writes it to the spool piece by piece.
    async fn spool_field(
        &mut self,
        field: &mut actix_multipart::Field,
        file_name: String,
        declared_type: String,
    ) -> Result<ReceivedFile, ApiError> {
        let mut hasher = Sha256::new();
        let mut pending: Vec<u8> = Vec::with_capacity(SCREEN_BYTES);
        let mut size = 0u64;
        let mut seq = 0u32;
        let mut screened = false;
        loop {
            let piece = match field.next().await {
                Some(piece) => Some(piece.map_err(|err| bad_form(&err.to_string()))?),
                None => None,
            };
            let done = piece.is_none();
            if let Some(piece) = piece {
                size += piece.len() as u64;
                if size > self.max_bytes {
                    return Err(too_large(self.max_bytes));
                }
                hasher.update(&piece);
                pending.extend_from_slice(&piece);
            }
            if !screened && (pending.len() >= SCREEN_BYTES || done) {
                if pending.is_empty() {
                    return Err(empty_file(&file_name));
                }
                screen(&pending, &file_name, &declared_type)
                    .map_err(ApiError::UnsupportedMediaType)?;
                screened = true;
                self.start_spool().await?;
            }
            if screened && (pending.len() >= PART_BYTES || (done && !pending.is_empty())) {
                self.write_part(seq, std::mem::take(&mut pending)).await?;
                seq += 1;
            }
            if done {
                break;
            }
        }
        Ok(ReceivedFile {
            file_name,
            declared_type,
            size,
            content_hash: hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        })
    }

    async fn start_spool(&mut self) -> Result<(), ApiError> {
        let (spool, session) = (self.spool_id.to_string(), self.session_id.to_string());
        let created = self
            .db
            .write(move |tx| uploads::create_spool(tx, &spool, &session))
            .await?;
        if !created {
            return Err(session_not_found(self.session_id));
        }
        self.spooled = true;
        Ok(())
    }

    async fn write_part(&self, seq: u32, bytes: Vec<u8>) -> Result<(), ApiError> {
        let spool = self.spool_id.to_string();
        let kept = self
            .db
            .write(move |tx| uploads::append_part(tx, &spool, seq, &bytes))
            .await?;
        if kept {
            Ok(())
        } else {
            // The session was deleted while the file streamed in.
            Err(session_not_found(self.session_id))
        }
    }
}

fn too_large(max_bytes: u64) -> ApiError {
    ApiError::PayloadTooLarge(usize::try_from(max_bytes).unwrap_or(usize::MAX))
}

fn missing_file() -> ApiError {
    ApiError::validation(ValidationIssue::new(
        "missing",
        vec![json!("body"), json!(FILE_FIELD)],
        "Field required: a multipart/form-data body with the file in field `documentation`",
        Value::Null,
    ))
}

fn bad_form(reason: &str) -> ApiError {
    ApiError::validation(ValidationIssue::new(
        "missing",
        vec![json!("body"), json!(FILE_FIELD)],
        format!(
            "Expected a multipart/form-data body with the file in field `documentation` ({reason})"
        ),
        Value::Null,
    ))
}

fn empty_file(file_name: &str) -> ApiError {
    ApiError::validation(ValidationIssue::new(
        "value_error",
        vec![json!("body"), json!(FILE_FIELD)],
        format!("Uploaded documentation {file_name} is empty"),
        Value::Null,
    ))
}
