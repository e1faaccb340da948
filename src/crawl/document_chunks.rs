//! A document's chunks with their metadata: the last step of every pipeline, for crawled
//! pages and uploaded files alike.

use url::Url;

use super::chunk::Chunker;
use super::classify::{describe_chunk, ContentKind};
use super::extract::{ChunkSource, Document};
use crate::storage::pages::NewChunk;

/// Cuts each of the document's chunk sources (Markdown-aware where it is Markdown) and
/// describes every piece: endpoints, tags, category, summary. CPU work: call it on the
/// parsing threads (`cpu_pool`).
pub fn chunk_document(chunker: &Chunker, document: &Document, url: &Url) -> Vec<NewChunk> {
    chunk_document_until(chunker, document, url, &|| false).unwrap_or_default()
}

/// `chunk_document` that checks `stop` between the steps (each source, each window of
/// its text, each piece) and answers `None` once it says true: a cancelled job's page
/// stops costing CPU at the next step.
pub fn chunk_document_until(
    chunker: &Chunker,
    document: &Document,
    url: &Url,
    stop: &dyn Fn() -> bool,
) -> Option<Vec<NewChunk>> {
    let title = document.title.as_deref().unwrap_or_default();
    let (kind, is_api_spec) = (document.kind, document.is_api_spec);
    let sources = &document.chunk_sources;
    chunk_sources_until(chunker, title, url, sources, kind, is_api_spec, stop)
}

/// The chunks of text already cut into sources (as when a page is re-chunked after the
/// site's template was removed from it).
pub fn chunk_sources(
    chunker: &Chunker,
    title: &str,
    url: &Url,
    sources: &[ChunkSource],
    kind: ContentKind,
    is_api_spec: bool,
) -> Vec<NewChunk> {
    chunk_sources_until(chunker, title, url, sources, kind, is_api_spec, &|| false)
        .unwrap_or_default()
}

fn chunk_sources_until(
    chunker: &Chunker,
    title: &str,
    url: &Url,
    sources: &[ChunkSource],
    kind: ContentKind,
    is_api_spec: bool,
    stop: &dyn Fn() -> bool,
) -> Option<Vec<NewChunk>> {
    let mut chunks = Vec::new();
    for source in sources {
        if stop() {
            return None;
        }
        let pieces = if source.is_markdown {
            chunker.split_markdown_until(&source.text, stop)
        } else {
            chunker.split_text_until(&source.text, stop)
        };
        for piece in pieces {
            if stop() {
                return None;
            }
            let facts = describe_chunk(
                title,
                url,
                &piece.section,
                &piece.content,
                kind,
                is_api_spec,
            );
            let mut extra = serde_json::Map::new();
            extra.insert("num_endpoints".into(), facts.num_endpoints.into());
            extra.insert("tags".into(), facts.tags.into());
            extra.insert("category".into(), facts.category.into());
            chunks.push(NewChunk {
                content: piece.content,
                token_count: piece.token_count,
                character_count: piece.character_count,
                section: piece.section,
                summary: Some(facts.summary).filter(|s| !s.is_empty()),
                extra,
            });
        }
    }
    (!stop()).then_some(chunks)
}
