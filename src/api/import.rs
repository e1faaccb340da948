//! Validating the body of `PUT …/documentation/{documentation_id}`: one document given
//! whole as `{"docId", "chunks": [chunk…]}`. Every problem is reported with its field.

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use crate::crawl::chunk::Chunker;
use crate::error::ValidationIssue;
use crate::ids;
use crate::storage::pages::NewChunk;
use crate::storage::uploads::{ImportedChunk, ImportedDocument};

/// Chunks one import may hold.
const MAX_CHUNKS: usize = 100_000;
/// Longest `source` or `url`.
const MAX_LABEL_CHARS: usize = 2048;

/// Checks the body and builds the document; token and character counts are recomputed
/// from the content, `chunk_number` is the chunk's position.
pub fn parse_import(
    body: &Value,
    session_id: &str,
    doc_id: &str,
    chunker: &Chunker,
) -> Result<ImportedDocument, Vec<ValidationIssue>> {
    let mut issues = Vec::new();
    let Some(object) = body.as_object() else {
        return Err(vec![ValidationIssue::new(
            "model_attributes_type",
            vec![json!("body")],
            "Input should be a valid dictionary or object to extract fields from",
            body.clone(),
        )]);
    };
    match object.get("docId") {
        None | Some(Value::Null) => {}
        Some(Value::String(raw)) => match ids::parse_uuid(raw) {
            Some(id) if ids::format_uuid(&id) == doc_id => {}
            Some(_) => issues.push(ValidationIssue::new(
                "value_error",
                vec![json!("body"), json!("docId")],
                format!("Body docId ({raw}) must match path documentation_id ({doc_id})"),
                json!(raw),
            )),
            None => issues.push(uuid_issue(vec![json!("body"), json!("docId")], raw)),
        },
        Some(other) => issues.push(ValidationIssue::new(
            "string_type",
            vec![json!("body"), json!("docId")],
            "Input should be a valid string",
            other.clone(),
        )),
    }
    let chunks = match object.get("chunks") {
        Some(Value::Array(chunks)) if chunks.len() > MAX_CHUNKS => {
            issues.push(ValidationIssue::new(
                "too_long",
                vec![json!("body"), json!("chunks")],
                format!("List should have at most {MAX_CHUNKS} items"),
                Value::Null,
            ));
            &[][..]
        }
        Some(Value::Array(chunks)) => &chunks[..],
        None => {
            issues.push(ValidationIssue::new(
                "missing",
                vec![json!("body"), json!("chunks")],
                "Field required",
                Value::Null,
            ));
            &[][..]
        }
        Some(other) => {
            issues.push(ValidationIssue::new(
                "list_type",
                vec![json!("body"), json!("chunks")],
                "Input should be a valid list",
                other.clone(),
            ));
            &[][..]
        }
    };
    let mut seen = HashSet::new();
    let mut parsed = Vec::with_capacity(chunks.len());
    for (index, chunk) in chunks.iter().enumerate() {
        if let Some(chunk) = parse_chunk(chunk, index, chunker, &mut seen, &mut issues) {
            parsed.push(chunk);
        }
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    let first = chunks.first().and_then(Value::as_object);
    let first_parsed = parsed.first();
    let shown_url = first_parsed
        .and_then(|chunk| chunk.url.clone())
        .unwrap_or_else(|| format!("import://{doc_id}"));
    let title = first
        .and_then(|chunk| chunk.get("title"))
        .and_then(Value::as_str)
        .filter(|title| !title.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| shown_url.clone());
    let content_type = first
        .and_then(|chunk| chunk.get("metadata"))
        .and_then(|metadata| metadata.get("content_type"))
        .and_then(Value::as_str)
        .unwrap_or("text/markdown")
        .to_string();
    Ok(ImportedDocument {
        doc_id: doc_id.to_string(),
        session_id: session_id.to_string(),
        title,
        source: first_parsed
            .map(|chunk| chunk.source.clone())
            .unwrap_or_else(|| "upload".to_string()),
        shown_url,
        content_type,
        chunks: parsed,
    })
}

fn parse_chunk(
    value: &Value,
    index: usize,
    chunker: &Chunker,
    seen: &mut HashSet<String>,
    issues: &mut Vec<ValidationIssue>,
) -> Option<ImportedChunk> {
    let loc = |field: &str| vec![json!("body"), json!("chunks"), json!(index), json!(field)];
    let Some(chunk) = value.as_object() else {
        issues.push(ValidationIssue::new(
            "model_attributes_type",
            vec![json!("body"), json!("chunks"), json!(index)],
            "Input should be a valid dictionary or object to extract fields from",
            value.clone(),
        ));
        return None;
    };
    let before = issues.len();
    let chunk_id = match chunk.get("chunkId") {
        Some(Value::String(raw)) => match ids::parse_uuid(raw) {
            Some(id) => {
                let id = ids::format_uuid(&id);
                if !seen.insert(id.clone()) {
                    issues.push(ValidationIssue::new(
                        "value_error",
                        loc("chunkId"),
                        format!("Duplicate chunkId in import payload: {id}"),
                        json!(raw),
                    ));
                }
                Some(id)
            }
            None => {
                issues.push(uuid_issue(loc("chunkId"), raw));
                None
            }
        },
        other => {
            issues.push(required_string(loc("chunkId"), other));
            None
        }
    };
    let source = match chunk.get("source") {
        Some(Value::String(source)) if source.trim().is_empty() => {
            issues.push(ValidationIssue::new(
                "string_too_short",
                loc("source"),
                "String should have at least 1 character",
                json!(source),
            ));
            None
        }
        Some(Value::String(source)) => Some(label(source)),
        other => {
            issues.push(required_string(loc("source"), other));
            None
        }
    };
    let content = match chunk.get("content") {
        Some(Value::String(content)) => Some(content.clone()),
        other => {
            issues.push(required_string(loc("content"), other));
            None
        }
    };
    let url = optional_string(chunk, "url", &loc, issues).map(|url| label(&url));
    let summary = optional_string(chunk, "summary", &loc, issues);
    let created_at = match optional_string(chunk, "createdAt", &loc, issues) {
        None => Some(ids::now()),
        Some(raw) => match ids::parse_timestamp(&raw) {
            Some(at) => Some(ids::format_timestamp(at)),
            None => {
                issues.push(ValidationIssue::new(
                    "datetime_from_date_parsing",
                    loc("createdAt"),
                    "Input should be a valid ISO 8601 datetime",
                    json!(raw),
                ));
                None
            }
        },
    };
    let metadata = match chunk.get("metadata").or_else(|| chunk.get("@metadata")) {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(other) => {
            issues.push(ValidationIssue::new(
                "dict_type",
                loc("metadata"),
                "Input should be a valid dictionary",
                other.clone(),
            ));
            Map::new()
        }
    };
    let job_ids = match chunk.get("scrapeJobIds") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(ids_given)) => {
            let mut parsed = Vec::new();
            for (position, raw) in ids_given.iter().enumerate() {
                let mut at = loc("scrapeJobIds");
                at.push(json!(position));
                match raw.as_str().and_then(ids::parse_uuid) {
                    Some(id) => parsed.push(ids::format_uuid(&id)),
                    None => issues.push(uuid_issue(at, raw.as_str().unwrap_or(""))),
                }
            }
            parsed
        }
        Some(other) => {
            issues.push(ValidationIssue::new(
                "list_type",
                loc("scrapeJobIds"),
                "Input should be a valid list",
                other.clone(),
            ));
            Vec::new()
        }
    };
    if issues.len() > before {
        return None;
    }
    let (chunk_id, source, content, created_at) = (chunk_id?, source?, content?, created_at?);
    let mut extra = metadata;
    let section = match extra.remove("section") {
        Some(Value::String(section)) => section,
        _ => String::new(),
    };
    // Counts and position are facts of the content, not of the client's copy.
    for derived in [
        "chunk_number",
        "token_count",
        "character_count",
        "content_type",
    ] {
        extra.remove(derived);
    }
    Some(ImportedChunk {
        chunk_id,
        source,
        url,
        created_at,
        job_ids,
        chunk: NewChunk {
            token_count: chunker.count_tokens(&content),
            character_count: content.chars().count(),
            content,
            section,
            summary,
            extra,
        },
    })
}

fn label(text: &str) -> String {
    text.trim().chars().take(MAX_LABEL_CHARS).collect()
}

fn optional_string(
    chunk: &Map<String, Value>,
    field: &str,
    loc: &dyn Fn(&str) -> Vec<Value>,
    issues: &mut Vec<ValidationIssue>,
) -> Option<String> {
    match chunk.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(other) => {
            issues.push(ValidationIssue::new(
                "string_type",
                loc(field),
                "Input should be a valid string",
                other.clone(),
            ));
            None
        }
    }
}

fn required_string(loc: Vec<Value>, value: Option<&Value>) -> ValidationIssue {
    match value {
        None => ValidationIssue::new("missing", loc, "Field required", Value::Null),
        Some(other) => ValidationIssue::new(
            "string_type",
            loc,
            "Input should be a valid string",
            other.clone(),
        ),
    }
}

fn uuid_issue(loc: Vec<Value>, raw: &str) -> ValidationIssue {
    ValidationIssue::new(
        "uuid_parsing",
        loc,
        "Input should be a valid UUID",
        json!(raw),
    )
}
