//! How much of a page's CPU cost is the HTML parse alone: over saved HTML files, times
//! (single thread, best of RUNS passes) the whole per-page work (decode, extract, chunk,
//! describe, as `page_cpu` runs it) against two steps no extractor that builds a DOM can
//! skip — html5ever's parse of the page into scraper's tree, and one exact cl100k count
//! of the saved Markdown —, so the cost of the rest can be read off:
//!
//!     cargo build --release --example parse_floor
//!     target/release/examples/parse_floor DIR BASE_URL [RUNS]
//!
//! Every `.html` under DIR is taken (sorted); each is treated as fetched from BASE_URL
//! joined with its path. Prints ms per page for each step.

use std::time::{Duration, Instant};

use docscrape::crawl::chunk::Chunker;
use docscrape::crawl::document_chunks::chunk_document;
use docscrape::crawl::extract::{extract, Extracted};
use url::Url;

#[path = "common/saved_pages.rs"]
mod saved_pages;

/// The best of `runs` timings of `step` over every page.
fn best_of(runs: usize, pages: &[(Url, Vec<u8>)], mut step: impl FnMut(&Url, &[u8])) -> Duration {
    (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            for (url, body) in pages {
                step(url, body);
            }
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let (root, base, runs) = saved_pages::arguments("parse_floor DIR BASE_URL [RUNS]");
    let runs: usize = runs.and_then(|s| s.parse().ok()).unwrap_or(3);
    let pages: Vec<(Url, Vec<u8>)> = saved_pages::html_files(&root)
        .iter()
        .filter_map(|path| {
            let body = std::fs::read(path).ok()?;
            Some((saved_pages::url_of(&base, &root, path)?, body))
        })
        .collect();
    if pages.is_empty() {
        eprintln!("no .html files under {}", root.display());
        std::process::exit(2);
    }
    let chunker = Chunker::new(2_000);
    let mut markdown = Vec::new();
    let whole = best_of(runs, &pages, |url, body| {
        if let Extracted::Document(document) =
            extract(&mut saved_pages::fetched(url, body.to_vec()))
        {
            std::hint::black_box(chunk_document(&chunker, &document, url));
            if markdown.len() < pages.len() {
                markdown.push(document.content);
            }
        }
    });
    let parse = best_of(runs, &pages, |_, body| {
        let text = String::from_utf8_lossy(body);
        std::hint::black_box(scraper::Html::parse_document(&text));
    });
    let tokenizer = bpe_openai::cl100k_base();
    let count = (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            for text in &markdown {
                std::hint::black_box(tokenizer.count(text));
            }
            start.elapsed()
        })
        .min()
        .unwrap_or_default();
    let bytes: usize = pages.iter().map(|(_, body)| body.len()).sum();
    let per_page = |d: Duration| d.as_secs_f64() * 1000.0 / pages.len() as f64;
    println!(
        "pages {} ({:.1} KB of HTML a page), best of {runs}",
        pages.len(),
        bytes as f64 / 1024.0 / pages.len() as f64
    );
    println!("whole per-page work     {:.3} ms/page", per_page(whole));
    println!(
        "html5ever parse alone   {:.3} ms/page ({:.0} % of it)",
        per_page(parse),
        100.0 * parse.as_secs_f64() / whole.as_secs_f64()
    );
    println!(
        "one cl100k count        {:.3} ms/page ({:.0} % of it)",
        per_page(count),
        100.0 * count.as_secs_f64() / whole.as_secs_f64()
    );
}
