use std::time::Duration;

use serde_json::{json, Value};

use crate::fixture_server::{FixtureServer, SiteOptions};
use crate::helpers::{assert_status_invariants, TestApp};

fn site() -> FixtureServer {
    FixtureServer::site("site")
}

fn slow_generated_site(pages: usize, delay_ms: u64) -> FixtureServer {
    FixtureServer::start(SiteOptions {
        site: "site",
        delay: Duration::from_millis(delay_ms),
        generated_pages: pages,
        ..Default::default()
    })
}

#[test]
fn invalid_requests_get_422_naming_the_field_and_create_no_job() {
    let app = TestApp::spawn();
    let session = app.create_session();
    let path = format!("/api/v1/scrape/{session}/scrape");
    let cases = [
        (
            json!({"applicationName": "A"}),
            json!(["body", "starterLinks"]),
        ),
        (
            json!({"starterLinks": ["https://ok.example/", "nope"], "applicationName": "A"}),
            json!(["body", "starterLinks", 1]),
        ),
        (
            json!({"starterLinks": [], "applicationName": "A"}),
            json!(["body", "starterLinks"]),
        ),
        (
            json!({"starterLinks": ["https://ok.example/"], "applicationName": "  "}),
            json!(["body", "applicationName"]),
        ),
        (
            json!({"starterLinks": ["https://ok.example/"], "applicationName": "A", "maxIterations": 0}),
            json!(["body", "maxIterations"]),
        ),
        (
            json!({"starterLinks": ["https://ok.example/"], "applicationName": "A", "maxIterations": 10_001}),
            json!(["body", "maxIterations"]),
        ),
        (
            json!({"starterLinks": ["https://ok.example/"], "applicationName": "A", "maxDepth": 101}),
            json!(["body", "maxDepth"]),
        ),
        (
            json!({"starterLinks": ["https://ok.example/"], "applicationName": "A", "skipCache": "no"}),
            json!(["body", "skipCache"]),
        ),
        (
            json!({"starterLinks": ["ftp://ok.example/"], "applicationName": "A"}),
            json!(["body", "starterLinks", 0]),
        ),
    ];
    for (body, loc) in cases {
        let response = app.post_json(&path, &body);
        assert_eq!(response.status(), 422, "{body}");
        let answer: Value = response.json().expect("json");
        let locs: Vec<&Value> = answer["detail"]
            .as_array()
            .expect("detail list")
            .iter()
            .map(|d| &d["loc"])
            .collect();
        assert!(locs.contains(&&loc), "{body} -> {answer}");
    }
    let not_json = app
        .client
        .post(app.url(&path))
        .body("{not json")
        .send()
        .expect("POST");
    assert_eq!(not_json.status(), 422);
    let too_big = app
        .client
        .post(app.url(&path))
        .body(vec![b' '; 1024 * 1024 + 10])
        .send()
        .expect("POST");
    assert_eq!(too_big.status(), 413);
    let answer: Value = too_big.json().expect("json");
    assert!(answer["detail"].is_string());

    let jobs: Value = app
        .get(&format!("/api/v1/session/{session}/jobs"))
        .json()
        .expect("json");
    assert_eq!(
        jobs["jobs"].as_array().map(Vec::len),
        Some(0),
        "no job may be created by a bad request"
    );
    let none = app.get(&path);
    assert_eq!(none.status(), 404);
    let answer: Value = none.json().expect("json");
    assert_eq!(
        answer["detail"],
        format!("No scrape job found in session {session}").as_str()
    );
}

#[test]
fn unknown_session_and_unknown_job_answers() {
    let app = TestApp::spawn();
    let ghost = "11111111-2222-4333-8444-555555555555";
    let response = app.post_json(
        &format!("/api/v1/scrape/{ghost}/scrape"),
        &json!({"starterLinks": ["https://ok.example/"], "applicationName": "A"}),
    );
    assert_eq!(response.status(), 404);
    let answer: Value = response.json().expect("json");
    assert_eq!(
        answer["detail"],
        format!("Session {ghost} not found").as_str()
    );

    let session = app.create_session();
    let status = app.status(&session, "9B3E7F12-8C4A-43D9-B5E2-1A9C8F7D6E5B");
    assert_eq!(
        status,
        json!({"jobId": "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b", "status": "not_found"})
    );
    let bad = app.get(&format!("/api/v1/scrape/{session}/scrape?jobId=xyz"));
    assert_eq!(bad.status(), 422);
    let answer: Value = bad.json().expect("json");
    assert_eq!(answer["detail"][0]["loc"], json!(["query", "jobId"]));
    let cancel_unknown = app.delete(&format!("/api/v1/scrape/{session}/scrape?jobId={ghost}"));
    assert_eq!(cancel_unknown.status(), 404);
}

#[test]
fn a_job_moves_from_queued_to_running_to_finished_with_exact_fields() {
    let server = slow_generated_site(40, 60);
    let app = TestApp::spawn_with(&["--max-concurrent-jobs", "1"]);
    let session = app.create_session();
    let body = json!({"starterLinks": [server.url("/gen/0.html")], "applicationName": "Acme", "skipCache": true, "maxIterations": 8});
    let first = app.start_scrape(&session, body.clone());
    let second = app.start_scrape(&session, body);

    // With one worker the second job waits in the queue.
    let queued = app.status(&session, &second);
    assert_status_invariants(&queued);
    assert_eq!(queued["status"], "queued");
    assert_eq!(queued["progress"]["stage"], "queue");
    assert!(queued.get("startedAt").is_none() && queued.get("result").is_none());

    let running = app.wait_until(&session, &first, Duration::from_secs(20), |s| {
        s["status"] == "running"
    });
    assert_eq!(running["progress"]["totalIterations"], 8);

    let done = app.wait_until_over(&session, &first);
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(done["result"]["finishReason"], "max_iterations");
    assert_eq!(done["progress"]["completedIterations"], 8);
    assert_eq!(
        done["progress"]["message"],
        "Scraping completed successfully"
    );
    assert_eq!(done["result"]["savedPagesCount"], 8);

    // The latest job is the default of a poll without jobId.
    let latest: Value = app
        .get(&format!("/api/v1/scrape/{session}/scrape"))
        .json()
        .expect("json");
    assert_eq!(latest["jobId"], second.as_str());
    let done_second = app.wait_until_over(&session, &second);
    assert_eq!(done_second["status"], "finished");

    let jobs: Value = app
        .get(&format!("/api/v1/session/{session}/jobs"))
        .json()
        .expect("json");
    let jobs = jobs["jobs"].as_array().expect("jobs");
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0]["jobId"], first.as_str(), "oldest first");
    assert_eq!(jobs[0]["type"], "scrape.getRelevantDocumentation");
    assert!(jobs[0]["finishedAt"].is_string() && jobs[0]["startedAt"].is_string());
}

#[test]
fn finish_reasons_no_more_links_and_completed() {
    let server = site();
    let app = TestApp::spawn();
    let (_, _, all) = app.scrape_site(&server.url("/"), json!({}));
    assert_eq!(all["result"]["finishReason"], "no_more_links", "{all}");

    let (_, _, starters_only) = app.scrape_site(&server.url("/"), json!({"maxDepth": 0}));
    assert_eq!(
        starters_only["result"]["finishReason"], "completed",
        "{starters_only}"
    );
    assert_eq!(starters_only["result"]["savedPagesCount"], 1);
    assert_eq!(starters_only["progress"]["completedIterations"], 1);
}

#[test]
fn a_job_with_nothing_saved_fails_with_error_lines() {
    let server = site();
    let app = TestApp::spawn();
    let (_, _, status) = app.scrape_site(&server.url("/missing.html"), json!({}));
    assert_eq!(status["status"], "failed", "{status}");
    assert_eq!(status["progress"]["stage"], "failed");
    assert_eq!(
        status["progress"]["message"],
        "Failed to scrape documentation"
    );
    let errors = status["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1);
    let line = errors[0].as_str().expect("line");
    assert!(
        line.contains("/missing.html") && line.contains("404"),
        "{line}"
    );
}

/// Requests for the generated site's pages (`/gen/…`) the server has seen so far.
fn generated_hits(server: &FixtureServer) -> usize {
    server
        .hits()
        .iter()
        .filter(|path| path.starts_with("/gen/"))
        .count()
}

/// Runs a small job in a new session to its end. On a server with one job slot, that
/// job starts only once every earlier job's task is over: after it, nothing of theirs can
/// still fetch.
fn run_one_more_job(app: &TestApp, server: &FixtureServer) {
    let (_, _, status) =
        app.scrape_site(&server.url("/guide/install.html"), json!({"maxDepth": 0}));
    assert_eq!(status["status"], "finished", "{status}");
}

#[test]
fn cancel_stops_the_job_keeps_pages_and_then_conflicts() {
    let server = slow_generated_site(300, 150);
    let app = TestApp::spawn_with(&["--max-concurrent-jobs", "1"]);
    let session = app.create_session();
    let job = app.start_scrape(
        &session,
        json!({"starterLinks": [server.url("/gen/0.html")], "applicationName": "Acme", "skipCache": true, "maxIterations": 200}),
    );
    app.wait_until(&session, &job, Duration::from_secs(20), |s| {
        s["progress"]["completedIterations"].as_i64().unwrap_or(0) >= 3
    });
    let hits_at_cancel = generated_hits(&server);
    let response = app.delete(&format!("/api/v1/scrape/{session}/scrape?jobId={job}"));
    assert_eq!(response.status(), 200);
    // The answer is the job's final status: the cancel is done when it comes.
    let status: Value = response.json().expect("json");
    assert_status_invariants(&status);
    assert_eq!(status["status"], "finished");
    assert_eq!(status["result"]["finishReason"], "cancelled");
    let saved = status["result"]["savedPagesCount"].as_i64().expect("count");
    assert!(saved >= 3, "{status}");

    // Nothing more is fetched or saved after the cancel: at most the requests that were
    // already on their way (one job's concurrency) reach the server.
    run_one_more_job(&app, &server);
    let fetched_after = generated_hits(&server) - hits_at_cancel;
    assert!(
        fetched_after <= 4,
        "the crawler fetched {fetched_after} pages after cancel"
    );
    let later = app.status(&session, &job);
    assert_eq!(later, status, "a cancelled job's status must not change");
    let docs: Value = app
        .get(&format!("/api/v1/session/{session}/documentation"))
        .json()
        .expect("json");
    assert_eq!(docs.as_array().map(Vec::len), Some(saved as usize));

    let again = app.delete(&format!("/api/v1/scrape/{session}/scrape?jobId={job}"));
    assert_eq!(again.status(), 409);
    let answer: Value = again.json().expect("json");
    assert!(answer["detail"].is_string());
}

#[test]
fn a_queued_job_can_be_cancelled_and_a_deleted_session_stops_its_jobs() {
    let server = slow_generated_site(300, 150);
    let app = TestApp::spawn_with(&["--max-concurrent-jobs", "1"]);
    let session = app.create_session();
    let body = json!({"starterLinks": [server.url("/gen/0.html")], "applicationName": "Acme", "skipCache": true, "maxIterations": 200});
    let running = app.start_scrape(&session, body.clone());
    let queued = app.start_scrape(&session, body);
    let response = app.delete(&format!("/api/v1/scrape/{session}/scrape?jobId={queued}"));
    assert_eq!(response.status(), 200);
    let status: Value = response.json().expect("json");
    assert_eq!(status["result"]["finishReason"], "cancelled");
    assert_eq!(status["result"]["savedPagesCount"], 0);

    app.wait_until(&session, &running, Duration::from_secs(20), |s| {
        s["status"] == "running"
    });
    let hits_at_delete = generated_hits(&server);
    assert_eq!(
        app.delete(&format!("/api/v1/session/{session}")).status(),
        200
    );
    run_one_more_job(&app, &server);
    let fetched_after = generated_hits(&server) - hits_at_delete;
    assert!(
        fetched_after <= 4,
        "a deleted session's job fetched {fetched_after} pages after the delete"
    );
    assert_eq!(
        app.get(&format!("/api/v1/scrape/{session}/scrape?jobId={running}"))
            .status(),
        404
    );
}

#[test]
fn an_identical_request_reuses_a_finished_crawl_unless_skip_cache() {
    let server = site();
    let app = TestApp::spawn();
    let body = json!({"starterLinks": [server.url("/")], "applicationName": "Acme Directory"});
    let first_session = app.create_session();
    let first = app.start_scrape(&first_session, body.clone());
    let first_status = app.wait_until_over(&first_session, &first);
    assert_eq!(first_status["result"]["finishReason"], "no_more_links");

    let second_session = app.create_session();
    let second = app.start_scrape(&second_session, body.clone());
    let reused = app.wait_until_over(&second_session, &second);
    assert_eq!(
        reused["result"]["finishReason"], "reused_previous_session_data",
        "{reused}"
    );
    let original = first_status["result"]["savedPages"]
        .as_object()
        .expect("pages");
    let copied = reused["result"]["savedPages"].as_object().expect("pages");
    assert_eq!(
        original.keys().collect::<Vec<_>>(),
        copied.keys().collect::<Vec<_>>()
    );
    for (url, page) in original {
        assert_eq!(page["title"], copied[url]["title"], "{url}");
        assert_eq!(page["chunks"], copied[url]["chunks"], "{url}");
    }
    let docs: Value = app
        .get(&format!("/api/v1/session/{second_session}/documentation"))
        .json()
        .expect("json");
    assert_eq!(
        docs.as_array().map(Vec::len),
        reused["result"]["savedPagesCount"]
            .as_u64()
            .map(|n| n as usize)
    );

    let hits_before = server.hits().len();
    let mut fresh = body;
    fresh["skipCache"] = json!(true);
    let third = app.start_scrape(&second_session, fresh);
    let crawled = app.wait_until_over(&second_session, &third);
    assert_eq!(crawled["result"]["finishReason"], "no_more_links");
    assert!(
        server.hits().len() > hits_before,
        "skipCache true must crawl again"
    );
}

#[test]
fn private_addresses_are_refused_without_the_flag() {
    let server = site();
    let app = TestApp::spawn_strict();
    let session = app.create_session();
    let literal = app.post_json(
        &format!("/api/v1/scrape/{session}/scrape"),
        &json!({"starterLinks": ["https://docs.example.com/", server.url("/")], "applicationName": "Acme"}),
    );
    assert_eq!(literal.status(), 422);
    let answer: Value = literal.json().expect("json");
    assert_eq!(
        answer["detail"][0]["loc"],
        json!(["body", "starterLinks", 1])
    );
    assert!(
        answer["detail"][0]["msg"]
            .as_str()
            .is_some_and(|m| m.contains("127.0.0.1")),
        "{answer}"
    );

    // A name that resolves to loopback passes validation and fails at connect time.
    let port = server.base.rsplit(':').next().expect("port");
    let job = app.start_scrape(
        &session,
        json!({"starterLinks": [format!("http://localhost:{port}/")], "applicationName": "Acme", "skipCache": true}),
    );
    let status = app.wait_until_over(&session, &job);
    assert_eq!(status["status"], "failed", "{status}");
    let line = status["errors"][0].as_str().expect("line");
    assert!(
        line.contains("refused to connect") && line.contains("loopback"),
        "{line}"
    );
    assert!(
        server.hits().is_empty(),
        "nothing may connect: {:?}",
        server.hits()
    );
}

#[test]
fn a_job_without_progress_is_failed_by_the_watchdog() {
    let server = slow_generated_site(10, 20_000);
    let app = TestApp::spawn_with(&["--stall-timeout-secs", "2"]);
    let session = app.create_session();
    let job = app.start_scrape(
        &session,
        json!({"starterLinks": [server.url("/gen/0.html")], "applicationName": "Acme", "skipCache": true}),
    );
    let status = app.wait_until(&session, &job, Duration::from_secs(15), |s| {
        s["status"] != "queued" && s["status"] != "running"
    });
    assert_eq!(status["status"], "failed", "{status}");
    let line = status["errors"][0].as_str().expect("line");
    assert_eq!(line, "Job stalled: no progress for 2 seconds");
    assert_eq!(app.get("/health").status(), 200);
}

#[test]
fn queued_jobs_beyond_the_limit_are_refused_with_429() {
    let server = slow_generated_site(50, 200);
    let app = TestApp::spawn_with(&[
        "--max-concurrent-jobs",
        "1",
        "--max-queued-per-session",
        "1",
    ]);
    let session = app.create_session();
    let body = json!({"starterLinks": [server.url("/gen/0.html")], "applicationName": "Acme", "skipCache": true, "maxIterations": 20});
    let running = app.start_scrape(&session, body.clone());
    app.wait_until(&session, &running, Duration::from_secs(20), |s| {
        s["status"] == "running"
    });
    app.start_scrape(&session, body.clone());
    let refused = app.post_json(&format!("/api/v1/scrape/{session}/scrape"), &body);
    assert_eq!(refused.status(), 429);
    let answer: Value = refused.json().expect("json");
    assert!(
        answer["detail"]
            .as_str()
            .is_some_and(|d| d.contains("queued")),
        "{answer}"
    );
    // Another session still has room.
    let other = app.create_session();
    app.start_scrape(&other, body);
}
