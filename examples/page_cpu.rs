//! Runs the per-page CPU work of a crawl (decode, extract, chunk, describe) over saved
//! HTML files, for counting instructions with a deterministic tool:
//!
//!     valgrind --tool=callgrind target/release/examples/page_cpu DIR BASE_URL [LIMIT]
//!
//! Files are taken in sorted path order (every `.html` under DIR, up to LIMIT); each is
//! treated as fetched from BASE_URL joined with its path. Prints pages, chunks and a
//! hash of every saved Markdown and chunk so two builds can be compared, and a "full"
//! hash that also covers every chunk's metadata (token and character counts, section,
//! summary, category, tags, endpoints) and the page's title, links, canonical URL and
//! template blocks.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use docscrape::crawl::chunk::Chunker;
use docscrape::crawl::document_chunks::chunk_document;
use docscrape::crawl::extract::{extract, Extracted};
use url::Url;

#[path = "common/saved_pages.rs"]
mod saved_pages;

fn main() {
    let (root, base, limit) = saved_pages::arguments("page_cpu DIR BASE_URL [LIMIT]");
    let limit: usize = limit.and_then(|s| s.parse().ok()).unwrap_or(usize::MAX);
    let mut files = saved_pages::html_files(&root);
    files.truncate(limit);
    let chunker = Chunker::new(2_000);
    let (mut pages, mut chunks) = (0usize, 0usize);
    let mut hasher = DefaultHasher::new();
    let mut full = DefaultHasher::new();
    for path in &files {
        let Ok(body) = std::fs::read(path) else {
            continue;
        };
        let Some(url) = saved_pages::url_of(&base, &root, path) else {
            continue;
        };
        let mut fetched = saved_pages::fetched(&url, body);
        let Extracted::Document(document) = extract(&mut fetched) else {
            continue;
        };
        document.content.hash(&mut hasher);
        document.content.hash(&mut full);
        document.title.hash(&mut full);
        for link in &document.links {
            (link.url.as_str(), &link.text, link.nofollow).hash(&mut full);
        }
        document.canonical.as_ref().map(Url::as_str).hash(&mut full);
        format!("{:?}", document.blocks).hash(&mut full);
        for chunk in chunk_document(&chunker, &document, &url) {
            chunk.content.hash(&mut hasher);
            chunk.content.hash(&mut full);
            (chunk.token_count, chunk.character_count).hash(&mut full);
            (&chunk.section, &chunk.summary).hash(&mut full);
            serde_json::Value::Object(chunk.extra)
                .to_string()
                .hash(&mut full);
            chunks += 1;
        }
        pages += 1;
    }
    println!(
        "pages {pages} chunks {chunks} hash {:016x} full {:016x}",
        hasher.finish(),
        full.finish()
    );
}
