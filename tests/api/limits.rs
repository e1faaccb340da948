//! What one job may cost: memory and frontier rows bounded by its page budget however
//! much a site lists, and no CPU work once it is cancelled.

use std::time::Duration;

use serde_json::json;

use crate::fixture_server::{FixtureServer, SiteOptions};
use crate::helpers::{
    cpu_ticks, peak_rss_kib, pid_of_server_using, query_i64, wait_until_idle, TestApp,
};

/// Peak resident set size allowed for a 50-page crawl of a site whose sitemaps list
/// 200,000 pages.
const MAX_DISCOVERY_PEAK_RSS_KIB: u64 = 150 * 1024;

#[test]
fn a_sitemap_of_200000_pages_does_not_outgrow_a_50_page_budget() {
    let server = FixtureServer::start(SiteOptions {
        site: "site",
        generated_pages: 200_000,
        sitemap_pages: 200_000,
        ..Default::default()
    });
    let app = TestApp::spawn();
    let pid = pid_of_server_using(&app.db_path);
    let (_, job, status) = app.scrape_site(
        &server.url("/gen/0.html"),
        json!({"maxIterations": 50, "applicationName": "Acme"}),
    );
    let peak_kib = peak_rss_kib(pid);
    eprintln!(
        "200,000-page sitemap: docscrape peak RSS {} MiB",
        peak_kib / 1024
    );
    assert_eq!(status["status"], "finished", "{status}");
    assert_eq!(status["result"]["finishReason"], "max_iterations");
    assert_eq!(status["result"]["savedPagesCount"], 50);
    let hits = server.hits();
    for sitemap in [
        "/sitemap.xml",
        "/sitemaps/gen-0.xml",
        "/sitemaps/gen-1.xml.gz",
        "/sitemaps/gen-3.xml.gz",
    ] {
        assert!(hits.iter().any(|hit| hit == sitemap), "{sitemap} not read");
    }

    let rows = query_i64(
        &app.db_path,
        "SELECT count(*) FROM frontier WHERE job_id = ?1",
        &[&job],
    );
    eprintln!("200,000-page sitemap: {rows} frontier rows");
    assert!(rows <= 20 * 50, "{rows} frontier rows for a 50-page budget");
    assert!(
        peak_kib < MAX_DISCOVERY_PEAK_RSS_KIB,
        "docscrape peak RSS {} MiB, over {} MiB",
        peak_kib / 1024,
        MAX_DISCOVERY_PEAK_RSS_KIB / 1024
    );
}

#[test]
fn pages_of_thousands_of_links_keep_the_frontier_to_a_multiple_of_the_budget() {
    let server = FixtureServer::start(SiteOptions {
        site: "site",
        generated_pages: 10_000_000,
        generated_fanout: 3_000,
        ..Default::default()
    });
    let app = TestApp::spawn();
    let (_, job, status) = app.scrape_site(
        &server.url("/gen/0.html"),
        json!({"maxIterations": 20, "applicationName": "Acme"}),
    );
    assert_eq!(status["status"], "finished", "{status}");
    assert_eq!(status["result"]["finishReason"], "max_iterations");
    assert_eq!(status["result"]["savedPagesCount"], 20);
    let rows = query_i64(
        &app.db_path,
        "SELECT count(*) FROM frontier WHERE job_id = ?1",
        &[&job],
    );
    // 20 pages offered 60,000 links; the frontier keeps its best 500 pending.
    assert!(rows <= 1_000, "{rows} frontier rows for a 20-page budget");
}

/// Bytes of each slow page: plain text whose chunking takes a few seconds of CPU.
const SLOW_PAGE_BYTES: usize = 4 * 1024 * 1024;

#[test]
fn a_cancelled_job_stops_its_cpu_work() {
    let server = FixtureServer::start(SiteOptions {
        site: "site",
        text_pages: 12,
        text_page_bytes: SLOW_PAGE_BYTES,
        ..Default::default()
    });
    let app = TestApp::spawn();
    let pid = pid_of_server_using(&app.db_path);
    let starters = |range: std::ops::Range<usize>| -> Vec<String> {
        range
            .map(|n| server.url(&format!("/text/{n}.txt")))
            .collect()
    };

    // What one slow page costs the server, start to end.
    let before = wait_until_idle(pid, Duration::from_secs(60));
    let (_, _, one) = app.scrape_site(&starters(0..1)[0], json!({"maxDepth": 0}));
    assert_eq!(one["result"]["savedPagesCount"], 1, "{one}");
    let one_page = wait_until_idle(pid, Duration::from_secs(60)) - before;
    eprintln!("one slow page: {one_page} CPU ticks");

    // Eleven more, cancelled once the first is recorded: others are being parsed then.
    let session = app.create_session();
    let job = app.start_scrape(
        &session,
        json!({"starterLinks": starters(1..12), "applicationName": "Acme", "skipCache": true, "maxDepth": 0}),
    );
    app.wait_until(&session, &job, Duration::from_secs(120), |s| {
        s["progress"]["completedIterations"].as_i64().unwrap_or(0) >= 1
    });
    let at_cancel = cpu_ticks(pid);
    let response = app.delete(&format!("/api/v1/scrape/{session}/scrape?jobId={job}"));
    assert_eq!(response.status(), 200);
    let cancelled: serde_json::Value = response.json().expect("json");
    assert_eq!(cancelled["result"]["finishReason"], "cancelled");

    let after_cancel = wait_until_idle(pid, Duration::from_secs(120)) - at_cancel;
    eprintln!("after cancel: {after_cancel} CPU ticks");
    // The pages in hand stop at their next step; they do not run to the end.
    assert!(
        after_cancel * 2 < one_page,
        "{after_cancel} CPU ticks spent after cancel; one whole page costs {one_page}"
    );
    // Nothing more was recorded.
    assert_eq!(app.status(&session, &job), cancelled);
    let docs: serde_json::Value = app
        .get(&format!("/api/v1/session/{session}/documentation"))
        .json()
        .expect("json");
    assert_eq!(
        docs.as_array().map(Vec::len),
        cancelled["result"]["savedPagesCount"]
            .as_u64()
            .map(|n| n as usize)
    );
}
