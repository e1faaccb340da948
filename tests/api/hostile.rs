//! One crawl of a site made of traps: the job must end in time, keep what is good, name
//! every trap in `failedPages`, respect robots.txt and stay small in memory.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{peak_rss_kib, pid_of_server_using, TestApp};
use crate::hostile_server::{self as hostile, HostileServer};

/// Peak resident set size allowed for the docscrape process.
const MAX_PEAK_RSS_KIB: u64 = 300 * 1024;

#[test]
fn a_hostile_site_cannot_hang_crash_or_bloat_the_crawler() {
    let server = HostileServer::start();
    let app = TestApp::spawn_with(&[
        "--request-timeout-secs",
        "4",
        "--connect-timeout-secs",
        "2",
        "--max-polite-delay-secs",
        "2",
    ]);
    let pid = pid_of_server_using(&app.db_path);
    hostile::prepare_bomb();

    let session = app.create_session();
    let started = Instant::now();
    let job = app.start_scrape(
        &session,
        json!({
            "starterLinks": [server.url("/")],
            "applicationName": "Hostile",
            "maxIterations": 60,
            "skipCache": true,
        }),
    );
    let status = app.wait_until(&session, &job, Duration::from_secs(120), |s| {
        matches!(s["status"].as_str(), Some("finished") | Some("failed"))
    });
    let elapsed = started.elapsed();
    let peak_kib = peak_rss_kib(pid);
    eprintln!(
        "hostile crawl: over after {elapsed:.1?}, docscrape peak RSS {} MiB",
        peak_kib / 1024
    );
    eprintln!("hostile crawl: final status {status:#}");
    eprintln!("hostile crawl: requests {:?}", server.hits());

    // Every check runs, so that one run names every problem at once.
    let mut problems: Vec<String> = Vec::new();
    let mut check = |ok: bool, problem: String| {
        if !ok {
            problems.push(problem);
        }
    };

    check(
        status["status"] == "finished",
        format!("status is {}, not finished", status["status"]),
    );
    check(
        status["result"]["finishReason"] == "max_iterations",
        format!(
            "finishReason {} (the endless calendar must use up the budget)",
            status["result"]["finishReason"]
        ),
    );
    check(
        status["progress"]["completedIterations"] == 60,
        format!(
            "completedIterations {}",
            status["progress"]["completedIterations"]
        ),
    );

    let empty = serde_json::Map::new();
    let saved = status["result"]["savedPages"].as_object().unwrap_or(&empty);
    let failed = status["result"]["failedPages"]
        .as_object()
        .unwrap_or(&empty);

    for path in [
        "/",
        hostile::BROKEN_UTF8,
        hostile::LATIN1,
        hostile::BUSY,
        hostile::FLAKY,
        hostile::MALFORMED,
        hostile::FORMATTING,
        hostile::COLSPAN,
    ] {
        let url = server.url(path);
        check(
            saved.contains_key(&url),
            format!("{path} not saved (failed: {:?})", failed.get(&url)),
        );
    }

    let reason = |path: &str| -> String {
        failed
            .get(&server.url(path))
            .and_then(Value::as_str)
            .unwrap_or("(not in failedPages)")
            .to_string()
    };
    let expectations: [(&str, &[&str]); 10] = [
        (hostile::LOOP, &["redirect loop"]),
        (hostile::HUGE, &["body larger than 10 MiB"]),
        (hostile::BOMB, &["larger than", "decompressed"]),
        (hostile::DRIP, &["timed out after 4 s"]),
        (hostile::SILENT, &["timed out after 4 s"]),
        (hostile::RESET, &["connection reset"]),
        (
            hostile::BINARY,
            &["unsupported content type application/octet-stream"],
        ),
        (hostile::SHORT, &["response body ended early"]),
        (hostile::BIG_HEADER, &["response headers too large"]),
        (
            hostile::IMAGE_AS_HTML,
            &["binary content served as text/html"],
        ),
    ];
    for (path, wanted) in expectations {
        let actual = reason(path);
        for fragment in wanted {
            check(
                actual.contains(fragment),
                format!("{path}: reason {actual:?} does not contain {fragment:?}"),
            );
        }
    }

    // 100,000 nested divs (open or `<div/>`): processed one way or the other, without
    // taking the server down.
    for path in [hostile::NESTED, hostile::SLASHED_DIVS] {
        let url = server.url(path);
        check(
            saved.contains_key(&url) || failed.contains_key(&url),
            format!("{path} neither saved nor failed"),
        );
    }

    // The calendar is deeper than every trap, so it cannot have starved them; it ran on
    // until the budget stopped it.
    let hits = server.hits();
    let calendar_pages = hits.iter().filter(|p| p.starts_with("/calendar/")).count();
    check(
        calendar_pages >= 2,
        format!("only {calendar_pages} calendar pages requested"),
    );

    check(
        !hits.iter().any(|p| p.starts_with("/forbidden/")),
        format!("a path disallowed by robots.txt was requested: {hits:?}"),
    );
    check(
        hits.iter().filter(|p| *p == "/robots.txt").count() == 1,
        format!("robots.txt not requested exactly once: {hits:?}"),
    );

    // The Latin-1 page was decoded by its declared charset.
    let docs: Value = app
        .get(&format!("/api/v1/session/{session}/documentation"))
        .json()
        .expect("documentation json");
    let latin1_url = server.url(hostile::LATIN1);
    let latin1_text: String = docs
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .flat_map(|bundle| bundle["chunks"].as_array().cloned().unwrap_or_default())
        .filter(|chunk| chunk["url"] == latin1_url.as_str())
        .filter_map(|chunk| chunk["content"].as_str().map(str::to_string))
        .collect::<Vec<_>>()
        .join("\n");
    check(
        latin1_text.contains("Café") && latin1_text.contains("Übersicht"),
        format!("the Latin-1 page's Markdown lacks \"Café Übersicht\": {latin1_text:?}"),
    );

    check(
        Path::new(&format!("/proc/{pid}")).exists(),
        format!("the docscrape process {pid} is gone"),
    );
    check(
        peak_kib < MAX_PEAK_RSS_KIB,
        format!(
            "docscrape peak RSS {} MiB, over {} MiB",
            peak_kib / 1024,
            MAX_PEAK_RSS_KIB / 1024
        ),
    );

    assert!(
        problems.is_empty(),
        "{} problem(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

/// Peak resident set size allowed while the crawler handles the one colspan page: the
/// server's own footprint plus a few times the 2.2 MB page, not the nine million table
/// columns the page claims.
const MAX_COLSPAN_PEAK_RSS_KIB: u64 = 160 * 1024;

#[test]
fn a_page_of_wide_cells_stays_small() {
    let server = HostileServer::start();
    let app = TestApp::spawn();
    let pid = pid_of_server_using(&app.db_path);
    let (session, _, status) = app.scrape_site(
        &server.url(hostile::COLSPAN),
        json!({"maxDepth": 0, "applicationName": "Hostile"}),
    );
    let peak_kib = peak_rss_kib(pid);
    eprintln!("colspan page: docscrape peak RSS {} MiB", peak_kib / 1024);
    assert_eq!(status["status"], "finished", "{status}");
    assert_eq!(status["result"]["savedPagesCount"], 1, "{status}");
    let docs: Value = app
        .get(&format!("/api/v1/session/{session}/documentation"))
        .json()
        .expect("documentation json");
    let content: String = docs[0]["chunks"]
        .as_array()
        .expect("chunks")
        .iter()
        .filter_map(|chunk| chunk["content"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    // Past the column cap, cells' text joins the last cell: every cell's "x" is kept.
    let cells = (hostile::COLSPAN_PAGE_BYTES - 200) / 16;
    let kept = content
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| *w == "x")
        .count();
    assert!(
        kept >= cells,
        "{kept} of {cells} cells kept: {}",
        &content[..content.len().min(200)]
    );
    assert!(
        peak_kib < MAX_COLSPAN_PEAK_RSS_KIB,
        "docscrape peak RSS {} MiB, over {} MiB",
        peak_kib / 1024,
        MAX_COLSPAN_PEAK_RSS_KIB / 1024
    );
}
