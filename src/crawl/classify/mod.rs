//! Deterministic chunk metadata (endpoint count, tags, category, summary)
//! computed from text evidence alone, so it is cheap, reproducible and needs
//! no LLM.
//!
//! All keyword matching is ASCII-case-insensitive and word-bounded (the
//! characters around a match must not be ASCII letters, digits or `_`)
//! unless a rule says otherwise.

use std::collections::HashSet;
use std::sync::LazyLock;

use url::Url;

mod category;
mod endpoints;
mod summary;
mod tags;
#[cfg(test)]
mod tests;
mod vocab;

use crate::crawl::text::join_nonempty;
use category::*;
use endpoints::*;
use summary::*;
use tags::*;
use vocab::*;

/// What the crawled page was before it was turned into chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    Html,
    Markdown,
    Json,
    Yaml,
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkFacts {
    /// Distinct `(METHOD, path)` pairs; see [`find_endpoints`].
    pub num_endpoints: usize,
    /// Sorted case-insensitively, deduplicated; see [`detect_tags`].
    pub tags: Vec<String>,
    /// See [`categorize`].
    pub category: &'static str,
    /// See [`summarize`].
    pub summary: String,
}

pub fn describe_chunk(
    page_title: &str,
    page_url: &Url,
    section: &str,
    content: &str,
    kind: ContentKind,
    page_is_openapi: bool,
) -> ChunkFacts {
    let endpoints = find_endpoints(content, kind, page_is_openapi);
    // ASCII lower case keeps byte offsets: the content's is the tail after the newline.
    let section_and_lower = format!("{section}\n{content}").to_ascii_lowercase();
    let content_from = section.len() + 1;
    let hits = CHUNK_VOCABULARY.scan_with_tail(&section_and_lower, content_from);
    let ctx = Context {
        title: page_title,
        url_path: page_url.path(),
        section,
        content,
        lower: section_and_lower.get(content_from..).unwrap_or_default(),
        section_and_lower: &section_and_lower,
        hits: &hits,
        kind,
        page_is_openapi,
        endpoints: &endpoints,
    };
    ChunkFacts {
        num_endpoints: endpoints.len(),
        tags: detect_tags(&ctx),
        category: categorize(&ctx),
        summary: summarize(&ctx),
    }
}

struct Context<'a> {
    title: &'a str,
    url_path: &'a str,
    section: &'a str,
    content: &'a str,
    /// `content` in ASCII lower case, made once for the rules that ask it.
    lower: &'a str,
    /// The section's title, a line break and the content, in ASCII lower case.
    section_and_lower: &'a str,
    /// The keywords of [`CHUNK_VOCABULARY`] found in `section_and_lower` (its tail from
    /// the content on).
    hits: &'a Hits<'a>,
    kind: ContentKind,
    page_is_openapi: bool,
    endpoints: &'a [Endpoint],
}

/// An HTTP method (upper case) and a normalised path pattern.
type Endpoint = (String, String);

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
