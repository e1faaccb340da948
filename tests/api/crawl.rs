//! What a crawl of the fixture site fetches, skips and saves.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::fixture_server::FixtureServer;
use crate::helpers::{saved_urls, TestApp};

fn crawl_fixture_site() -> (FixtureServer, TestApp, String, Value) {
    let server = FixtureServer::site("site");
    let app = TestApp::spawn_with(&["--chunk-tokens", "100"]);
    let (session, _, status) = app.scrape_site(&server.url("/"), json!({}));
    (server, app, session, status)
}

#[test]
fn the_fixture_site_is_crawled_completely_and_only_once() {
    let (server, _app, _session, status) = crawl_fixture_site();
    assert_eq!(status["status"], "finished", "{status}");
    let saved = saved_urls(&status);
    let expected = server.urls(&[
        "/",
        "/guide/",
        "/guide/install.html",
        "/reference/api.html",
        "/openapi.json",
        "/notes.txt",
        "/readme.md",
    ]);
    assert_eq!(saved, expected);
    assert_eq!(status["result"]["finishReason"], "no_more_links");
    // Ten fetches: seven pages, the redirecting /old-guide, a 404 and a binary file.
    assert_eq!(status["progress"]["completedIterations"], 10, "{status}");

    let failed = status["result"]["failedPages"]
        .as_object()
        .expect("failedPages");
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert_eq!(failed[&server.url("/missing.html")], "HTTP 404 Not Found");
    assert_eq!(
        failed[&server.url("/files/export.bin")],
        "unsupported content type application/octet-stream"
    );

    let hits = server.hits();
    let pages: Vec<&String> = hits.iter().filter(|p| *p != "/robots.txt").collect();
    let unique: BTreeSet<&String> = pages.iter().copied().collect();
    assert_eq!(
        unique.len(),
        pages.len(),
        "a URL was fetched twice: {hits:?}"
    );
    assert_eq!(
        hits.iter().filter(|p| *p == "/robots.txt").count(),
        1,
        "robots.txt once per job"
    );
    for never in [
        "/private/secret.html",
        "/login",
        "/pricing/",
        "/careers",
        "/logo.png",
    ] {
        assert!(
            !hits.iter().any(|p| p == never),
            "{never} was fetched: {hits:?}"
        );
    }
}

#[test]
fn html_becomes_clean_markdown_chunks_and_api_documents_stay_intact() {
    let (server, app, session, status) = crawl_fixture_site();
    let docs: Value = app
        .get(&format!("/api/v1/session/{session}/documentation"))
        .json()
        .expect("json");
    let docs = docs.as_array().expect("bundles");
    let page = |path: &str| -> String {
        let url = server.url(path);
        docs.iter()
            .find(|bundle| bundle["chunks"][0]["url"] == url.as_str())
            .unwrap_or_else(|| panic!("{url} not saved"))["chunks"]
            .as_array()
            .expect("chunks")
            .iter()
            .map(|c| c["content"].as_str().expect("content").to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let guide = page("/guide/");
    assert!(guide.contains("# User guide"), "{guide}");
    assert!(guide.contains("## Roles"), "{guide}");
    assert!(guide.contains("```python\nimport acme"), "{guide}");
    assert!(
        guide.contains("| viewer | yes | no |") || guide.contains("| viewer |"),
        "{guide}"
    );
    assert!(!guide.contains("Acme footer text"), "footer kept: {guide}");
    assert!(!guide.contains("tracking"), "script kept: {guide}");

    let spec = page("/openapi.json");
    assert!(
        spec.contains("\"openapi\": \"3.0.3\""),
        "the raw spec must be kept: {spec}"
    );
    assert!(
        spec.contains("GET /api/v1/users"),
        "the spec must be rendered per operation too: {spec}"
    );

    // Every chunk honours the token budget and carries its metadata.
    let mut total = 0;
    for bundle in docs {
        for (index, chunk) in bundle["chunks"]
            .as_array()
            .expect("chunks")
            .iter()
            .enumerate()
        {
            total += 1;
            let meta = &chunk["metadata"];
            assert_eq!(meta["chunk_number"], index as i64);
            assert!(
                meta["token_count"]
                    .as_i64()
                    .is_some_and(|t| t > 0 && t <= 100),
                "{chunk}"
            );
            assert_eq!(
                meta["character_count"].as_u64(),
                chunk["content"].as_str().map(|c| c.chars().count() as u64)
            );
            assert!(meta["content_type"].is_string() && meta["section"].is_string());
            assert_eq!(chunk["source"], "scraper");
            assert_eq!(chunk["docId"], bundle["docId"]);
        }
    }
    assert_eq!(status["result"]["pageChunksCount"], total);
}

#[test]
fn a_re_crawl_sends_conditional_requests_and_reuses_unchanged_pages() {
    let server = FixtureServer::site("site");
    let app = TestApp::spawn();
    let (first_session, _, first) = app.scrape_site(&server.url("/"), json!({}));
    assert_eq!(server.not_modified(), 0);
    let (second_session, _, second) = app.scrape_site(&server.url("/"), json!({}));
    assert_eq!(second["status"], "finished", "{second}");
    // Every static page saved the first time is answered 304 and reused.
    assert!(
        server.not_modified() >= 7,
        "only {} conditional hits",
        server.not_modified()
    );
    let pages = |status: &Value| -> BTreeSet<String> {
        status["result"]["savedPages"]
            .as_object()
            .expect("pages")
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(
        pages(&first),
        pages(&second),
        "a 304 re-crawl must still follow the saved links"
    );
    assert_eq!(
        first["result"]["pageChunksCount"],
        second["result"]["pageChunksCount"]
    );
    let docs = |session: &str| -> Vec<String> {
        let list: Value = app
            .get(&format!("/api/v1/session/{session}/documentation"))
            .json()
            .expect("json");
        let mut contents: Vec<String> = list
            .as_array()
            .expect("list")
            .iter()
            .flat_map(|bundle| {
                bundle["chunks"]
                    .as_array()
                    .expect("chunks")
                    .iter()
                    .map(|c| c["content"].as_str().unwrap_or("").to_string())
            })
            .collect();
        contents.sort();
        contents
    };
    assert_eq!(docs(&first_session), docs(&second_session));
}
