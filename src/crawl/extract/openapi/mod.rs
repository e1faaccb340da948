//! Renders OpenAPI 3.x and Swagger 2.0 documents as Markdown.
//!
//! Every operation becomes one `## METHOD /path` section that contains only
//! `###`/`####` sub-headings and already has its `$ref`s expanded, so a
//! Markdown chunker that cuts at `##` keeps each operation self-contained.
//! Schema expansion is bounded (cycle guard, depth cap, line budget) so that
//! huge or recursive specs render in bounded time and size.

use std::collections::HashMap;
use std::fmt::{self, Write as _};

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

mod model;
mod render;
mod schema;
#[cfg(test)]
mod tests;
mod text;

use crate::crawl::text::join_nonempty;
use model::*;
use render::*;
use schema::*;
use text::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecFormat {
    Json,
    Yaml,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiSpec {
    pub title: Option<String>,
    pub version: Option<String>,
    pub markdown: String,
    pub operation_count: usize,
}

/// Returns `None` unless `text` parses and has a top-level `openapi` key
/// whose value starts with `3` or a `swagger` key whose value starts with `2`.
pub fn parse_api_spec(text: &str, format: SpecFormat) -> Option<ApiSpec> {
    let root = match format {
        SpecFormat::Json => parse_json(text)?,
        SpecFormat::Yaml => parse_yaml(text)?,
    };
    if !is_supported_spec(&root) {
        return None;
    }
    Some(Renderer::new(&root, expansion_budget(text)).render())
}

/// How large the rendering may grow before schemas stop being expanded: the spec's own
/// size, at least 2 MiB. Every operation is still rendered with its schemas' names; a
/// spec of 20,000 operations that all reference one wide schema would otherwise render
/// to ten times its size, and chunking that takes minutes.
fn expansion_budget(text: &str) -> usize {
    text.len().max(2 << 20)
}

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// Deep enough for realistic nested payloads, shallow enough to keep one
/// operation's section readable.
const MAX_SCHEMA_DEPTH: usize = 6;
/// Caps the lines one schema expands to; wide schemas referencing wide
/// schemas would otherwise grow exponentially with depth.
const MAX_SCHEMA_LINES: usize = 120;
const MAX_ENUM_VALUES: usize = 12;
const MAX_CELL_CHARS: usize = 300;
/// Node nesting allowed when converting YAML; deeper documents are not specs
/// and recursive conversion/drop could exhaust the stack.
const MAX_YAML_NESTING: usize = 256;
