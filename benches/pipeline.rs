//! Benchmarks of the per-page pipeline: HTML → Markdown extraction, Markdown chunking and
//! link normalisation. Inputs are generated here (deterministically) so the numbers do not
//! depend on fixtures or the network.
//!
//! cargo bench --bench pipeline -- --warm-up-time 1 --measurement-time 3

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use docscrape::crawl::chunk::Chunker;
use docscrape::crawl::classify::{describe_chunk, ContentKind};
use docscrape::crawl::extract::html::extract_html;
use docscrape::crawl::scope::{normalize, parse_normalized};
use docscrape::crawl::tokens::{self, TokenIndex};
use docscrape::jobs::live::LiveJobs;
use docscrape::jobs::status::status_of;
use docscrape::storage::jobs::{JobRow, JobState};
use url::Url;

/// A tiny deterministic generator (xorshift) so inputs vary without a `rand` dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "the",
    "request",
    "returns",
    "a",
    "list",
    "of",
    "users",
    "in",
    "organisation",
    "each",
    "field",
    "is",
    "optional",
    "unless",
    "marked",
    "required",
    "token",
    "scope",
    "pagination",
    "cursor",
    "limit",
    "offset",
    "response",
    "schema",
    "error",
    "code",
    "retry",
    "after",
    "webhook",
    "payload",
    "signature",
    "header",
    "authentication",
    "bearer",
    "client",
    "credentials",
    "resource",
    "identifier",
    "created",
    "updated",
    "deleted",
    "filter",
    "query",
    "parameter",
    "value",
    "default",
    "maximum",
    "string",
    "integer",
    "boolean",
];

/// `min` to `min + spread - 1` words (exactly `min` when `spread` is 0).
fn sentence(rng: &mut Rng, min: usize, spread: usize) -> String {
    let words = min + if spread == 0 { 0 } else { rng.below(spread) };
    let mut out = String::new();
    for i in 0..words {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(rng.pick(WORDS));
    }
    out.push('.');
    out
}

fn html_paragraph(rng: &mut Rng) -> String {
    let mut p = String::from("<p>");
    for _ in 0..(3 + rng.below(4)) {
        p.push_str(&sentence(rng, 8, 12));
        p.push(' ');
        match rng.below(5) {
            0 => {
                let _ = write!(
                    p,
                    "Use <code>{}_{}</code> here. ",
                    rng.pick(WORDS),
                    rng.pick(WORDS)
                );
            }
            1 => {
                let _ = write!(
                    p,
                    "See <a href=\"../{0}/{1}.html#{1}\">the {0} guide</a>. ",
                    rng.pick(WORDS),
                    rng.pick(WORDS)
                );
            }
            2 => {
                let _ = write!(
                    p,
                    "<strong>{}</strong> <em>{}</em> ",
                    rng.pick(WORDS),
                    rng.pick(WORDS)
                );
            }
            _ => {}
        }
    }
    p.push_str("</p>\n");
    p
}

fn html_code_block(rng: &mut Rng) -> String {
    let mut code = String::from("<div class=\"highlight\"><pre><code class=\"language-python\">");
    for line in 0..(6 + rng.below(12)) {
        let _ = writeln!(
            code,
            "<span class=\"n\">{}</span> <span class=\"o\">=</span> client.{}(<span class=\"s\">\"{}\"</span>, limit=<span class=\"mi\">{line}</span>)",
            rng.pick(WORDS),
            rng.pick(WORDS),
            rng.pick(WORDS)
        );
    }
    code.push_str("</code></pre></div>\n");
    code
}

fn html_table(rng: &mut Rng) -> String {
    let mut table = String::from(
        "<table class=\"docutils\"><thead><tr><th>Name</th><th>Type</th><th>Description</th></tr></thead><tbody>\n",
    );
    for _ in 0..(4 + rng.below(10)) {
        let _ = writeln!(
            table,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            rng.pick(WORDS),
            rng.pick(&["string", "integer", "boolean", "object", "array"]),
            sentence(rng, 6, 10)
        );
    }
    table.push_str("</tbody></table>\n");
    table
}

/// A documentation page of at least `target_bytes`: head with scripts and styles, top
/// navigation, a sidebar of links, the main article (headings, paragraphs, code blocks,
/// tables), a table of contents and a footer.
fn documentation_page(target_bytes: usize, seed: u64) -> String {
    let mut rng = Rng(seed);
    let mut page = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Users API — Example Docs</title>\
         <link rel=\"canonical\" href=\"https://docs.example.com/reference/users.html\">\
         <link rel=\"stylesheet\" href=\"/_static/theme.css\">\
         <script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}</script>\
         <style>body{font-family:sans-serif}.sidebar{width:20em}</style></head><body>\n\
         <header class=\"md-header\"><nav class=\"navbar\">",
    );
    for i in 0..40 {
        let _ = write!(page, "<a href=\"/section-{i}/\">Section {i}</a> ");
    }
    page.push_str("</nav></header>\n<div class=\"sidebar\"><ul>");
    for i in 0..150 {
        let _ = write!(
            page,
            "<li><a href=\"/reference/{}-{i}.html\">{} {i}</a></li>",
            rng.pick(WORDS),
            rng.pick(WORDS)
        );
    }
    page.push_str("</ul></div>\n<main><article role=\"main\">\n<h1>Users API</h1>\n");
    let body_target = target_bytes.saturating_sub(2_000);
    let mut section = 0;
    while page.len() < body_target {
        section += 1;
        let _ = writeln!(
            page,
            "<h2 id=\"s{section}\">{} {section}<a class=\"headerlink\" href=\"#s{section}\">¶</a></h2>",
            rng.pick(WORDS)
        );
        for sub in 0..3 {
            let _ = writeln!(page, "<h3>{} {section}.{sub}</h3>", rng.pick(WORDS));
            page.push_str(&html_paragraph(&mut rng));
            match rng.below(3) {
                0 => page.push_str(&html_code_block(&mut rng)),
                1 => page.push_str(&html_table(&mut rng)),
                _ => {
                    page.push_str("<ul>");
                    for _ in 0..(3 + rng.below(5)) {
                        let _ = write!(page, "<li>{}</li>", sentence(&mut rng, 7, 0));
                    }
                    page.push_str("</ul>\n");
                }
            }
            page.push_str(&html_paragraph(&mut rng));
        }
    }
    page.push_str("</article></main>\n<div class=\"toc\"><ul>");
    for s in 1..=section.min(60) {
        let _ = write!(page, "<li><a href=\"#s{s}\">Section {s}</a></li>");
    }
    page.push_str(
        "</ul></div>\n<footer><p>© Example Inc. <a href=\"/privacy\">Privacy</a></p></footer>\
         <script src=\"/_static/search.js\"></script></body></html>\n",
    );
    page
}

/// Markdown of at least `target_bytes`: headings, paragraphs, fenced code, lists, tables.
fn documentation_markdown(target_bytes: usize, seed: u64) -> String {
    let mut rng = Rng(seed);
    let mut md = String::from("# Reference\n\n");
    let mut section = 0;
    while md.len() < target_bytes {
        section += 1;
        let _ = writeln!(md, "## {} {section}\n", rng.pick(WORDS));
        for sub in 0..3 {
            let _ = writeln!(md, "### {} {section}.{sub}\n", rng.pick(WORDS));
            for _ in 0..(2 + rng.below(3)) {
                let mut para = String::new();
                for _ in 0..(3 + rng.below(4)) {
                    para.push_str(&sentence(&mut rng, 8, 12));
                    para.push(' ');
                }
                let _ = writeln!(md, "{}\n", para.trim_end());
            }
            match rng.below(3) {
                0 => {
                    md.push_str("```python\n");
                    for i in 0..(5 + rng.below(15)) {
                        let _ = writeln!(
                            md,
                            "{} = client.{}(\"{}\", limit={i})",
                            rng.pick(WORDS),
                            rng.pick(WORDS),
                            rng.pick(WORDS)
                        );
                    }
                    md.push_str("```\n\n");
                }
                1 => {
                    md.push_str("| Name | Type | Description |\n|---|---|---|\n");
                    for _ in 0..(4 + rng.below(8)) {
                        let _ = writeln!(
                            md,
                            "| `{}` | string | {} |",
                            rng.pick(WORDS),
                            sentence(&mut rng, 8, 0)
                        );
                    }
                    md.push('\n');
                }
                _ => {
                    for _ in 0..(3 + rng.below(5)) {
                        let _ = writeln!(md, "- {}", sentence(&mut rng, 9, 0));
                    }
                    md.push('\n');
                }
            }
        }
    }
    md
}

/// 10,000 links as found on pages: absolute and relative, with fragments, dot segments,
/// default ports, upper-case hosts, queries and percent escapes.
fn links(count: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng(seed);
    (0..count)
        .map(|i| {
            let a = rng.pick(WORDS);
            let b = rng.pick(WORDS);
            match rng.below(8) {
                0 => format!("https://docs.example.com/{a}/{b}.html#{b}"),
                1 => format!("HTTPS://Docs.Example.COM:443/{a}/./{b}/../{b}.html"),
                2 => format!("../{a}/{b}.html"),
                3 => format!("/reference/{a}/{i}?lang=en&"),
                4 => format!("#{a}"),
                5 => format!("http://api.example.com:80/v1/{a}%20{b}?q={i}#frag"),
                6 => format!("{a}/{b}/"),
                _ => format!("https://other.example.org/{a}/{b}?page={i}"),
            }
        })
        .collect()
}

fn bench_extract(c: &mut Criterion) {
    let url = Url::parse("https://docs.example.com/reference/users.html").expect("url");
    let mut group = c.benchmark_group("extract_html");
    for (name, size) in [("100KB", 100 * 1024), ("1MB", 1024 * 1024)] {
        let page = documentation_page(size, 0x5eed_0001);
        // Sanity: the generated page yields real content and links.
        let sample = extract_html(&page, &url);
        assert!(sample.markdown.len() > size / 4, "{name}: little Markdown");
        assert!(sample.links.len() > 100, "{name}: few links");
        group.throughput(Throughput::Bytes(page.len() as u64));
        if size > 512 * 1024 {
            group.sample_size(10);
        }
        group.bench_with_input(BenchmarkId::from_parameter(name), &page, |b, page| {
            b.iter(|| extract_html(black_box(page), black_box(&url)))
        });
    }
    group.finish();
}

fn bench_chunk(c: &mut Criterion) {
    let markdown = documentation_markdown(200 * 1024, 0x5eed_0002);
    let chunker = Chunker::new(2000);
    let sample = chunker.split_markdown(&markdown);
    assert!(sample.len() > 5, "few chunks");
    let mut group = c.benchmark_group("split_markdown");
    group.throughput(Throughput::Bytes(markdown.len() as u64));
    group.sample_size(10);
    group.bench_function("200KB@2000tokens", |b| {
        b.iter(|| chunker.split_markdown(black_box(&markdown)))
    });
    group.finish();
}

/// Chunk metadata (endpoints, tags, category, summary) for every chunk of a 200 KB page.
fn bench_classify(c: &mut Criterion) {
    let markdown = documentation_markdown(200 * 1024, 0x5eed_0002);
    let chunks = Chunker::new(500).split_markdown(&markdown);
    let url = Url::parse("https://docs.example.com/reference/users.html").expect("constant URL");
    let mut group = c.benchmark_group("classify");
    group.throughput(Throughput::Bytes(markdown.len() as u64));
    group.bench_function("describe_chunk/200KB", |b| {
        b.iter(|| {
            chunks
                .iter()
                .map(|chunk| {
                    describe_chunk(
                        "Users",
                        &url,
                        &chunk.section,
                        black_box(&chunk.content),
                        ContentKind::Html,
                        false,
                    )
                    .tags
                    .len()
                })
                .sum::<usize>()
        })
    });
    group.finish();
}

fn bench_tokens(c: &mut Criterion) {
    let markdown = documentation_markdown(200 * 1024, 0x5eed_0004);
    let mut group = c.benchmark_group("tokens");
    group.throughput(Throughput::Bytes(markdown.len() as u64));
    group.bench_function("count/200KB", |b| {
        b.iter(|| tokens::count(black_box(&markdown)))
    });
    group.bench_function("index/200KB", |b| {
        b.iter(|| TokenIndex::build(black_box(&markdown)).total())
    });
    group.finish();
}

/// A finished job's status of `pages` saved pages, as the database row holds it.
fn finished_result(pages: usize) -> String {
    let saved: serde_json::Map<String, serde_json::Value> = (0..pages)
        .map(|n| {
            (
                format!(
                    "https://docs.example.com/api/acme.users{}/Class{n}.html",
                    n / 100
                ),
                serde_json::json!({"title": format!("acme.users.Class{n}"), "chunks": 4,
                                   "scrapedAt": "2026-12-03T08:44:38.744587+00:00"}),
            )
        })
        .collect();
    serde_json::json!({"finishReason": "no_more_links", "savedPagesCount": pages,
                       "pageChunksCount": pages * 4, "savedPages": saved, "failedPages": {}})
    .to_string()
}

fn bench_status(c: &mut Criterion) {
    let row = JobRow {
        id: "0b8e6f1e-4f54-4c55-9d7b-0c1a2b3c4d5e".into(),
        session_id: "5e0c7a1b-2d3e-4f50-8a9b-0c1d2e3f4a5b".into(),
        kind: "scrape.getRelevantDocumentation".into(),
        state: JobState::Running,
        created_at: "2026-12-03T08:44:34.555442+00:00".into(),
        started_at: Some("2026-12-03T08:44:34.555442+00:00".into()),
        updated_at: "2026-12-03T08:44:34.555442+00:00".into(),
        finished_at: None,
        input: "{}".into(),
        stage: "running".into(),
        message: "Scraping documentation pages".into(),
        completed_iterations: 120,
        total_iterations: 10_000,
        finish_reason: None,
        result: None,
    };
    let live = LiveJobs::default();
    live.insert(&row);
    let mut group = c.benchmark_group("status");
    group.bench_function("running/from-memory", |b| {
        b.iter(|| {
            let job = live.get(&row.session_id, &row.id).expect("live");
            serde_json::to_vec(&job.status(black_box(&row.id))).expect("json")
        })
    });
    let mut finished = row.clone();
    finished.state = JobState::Finished;
    finished.result = Some(finished_result(10_000));
    let bytes = finished.result.as_ref().map_or(0, String::len);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function("finished-10k-pages/serialise", |b| {
        let conn = rusqlite::Connection::open_in_memory().expect("db");
        b.iter(|| {
            let status = status_of(&docscrape::storage::Sql::Lite(&conn), black_box(&finished))
                .expect("status");
            serde_json::to_vec(&status).expect("json")
        })
    });
    group.finish();
}

fn bench_normalize(c: &mut Criterion) {
    let base = Url::parse("https://docs.example.com/guide/intro.html").expect("url");
    let hrefs = links(10_000, 0x5eed_0003);
    let absolute: Vec<String> = hrefs
        .iter()
        .filter_map(|h| base.join(h).ok())
        .map(String::from)
        .collect();
    let mut group = c.benchmark_group("normalize");
    group.throughput(Throughput::Elements(hrefs.len() as u64));
    group.bench_function("parse_normalized/10k", |b| {
        b.iter(|| {
            absolute
                .iter()
                .filter_map(|text| parse_normalized(black_box(text)))
                .count()
        })
    });
    group.bench_function("join+normalize/10k", |b| {
        b.iter(|| {
            hrefs
                .iter()
                .filter_map(|href| base.join(black_box(href)).ok())
                .filter_map(|url| normalize(&url))
                .count()
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = pipeline;
    config = config();
    targets = bench_extract, bench_chunk, bench_classify, bench_tokens, bench_status, bench_normalize
}
criterion_main!(pipeline);
