//! Crashes and storage failures at named points of the crawl (`DOCSCRAPE_TEST_FAULTS`):
//! a SIGKILL during a fetch, during a page's write and during the job's final write, and
//! a database that turns full or read-only mid-crawl.

use std::time::Duration;

use serde_json::{json, Value};

use crate::fixture_server::{FixtureServer, SiteOptions};
use crate::helpers::{assert_database_sound, saved_urls, TestApp};

const FAULTS: &str = "DOCSCRAPE_TEST_FAULTS";

fn generated_site(pages: usize, delay: Duration) -> FixtureServer {
    FixtureServer::start(SiteOptions {
        site: "site",
        delay,
        generated_pages: pages,
        ..Default::default()
    })
}

fn crawl_request(server: &FixtureServer) -> Value {
    json!({"starterLinks": [server.url("/gen/0.html")], "applicationName": "Acme",
           "skipCache": true, "maxIterations": 100})
}

fn paused_at(point: &str) -> String {
    format!("docscrape paused at fault point {point}")
}

#[test]
fn killed_during_a_fetch_a_page_write_and_the_final_write_the_job_ends_as_if_never_killed() {
    let server = generated_site(40, Duration::ZERO);

    // The reference: the same crawl, never interrupted.
    let reference = TestApp::spawn();
    let (_, _, expected) =
        reference.scrape_site(&server.url("/gen/0.html"), json!({"maxIterations": 100}));
    assert_eq!(expected["status"], "finished", "{expected}");
    assert_eq!(expected["result"]["finishReason"], "no_more_links");
    assert_eq!(expected["result"]["savedPagesCount"], 40);

    let mut app = TestApp::spawn_with_env(&[], &[(FAULTS, "pause@fetch-body#5")]);
    let session = app.create_session();
    let job = app.start_scrape(&session, crawl_request(&server));
    let timeout = Duration::from_secs(30);
    app.wait_for_stdout_line(&paused_at("fetch-body"), timeout);

    // Each restart arms the next point; the process is SIGKILLed while stopped there.
    app.restart_with_env(&[(FAULTS, "pause@page-write#4")]);
    app.wait_for_stdout_line(&paused_at("page-write"), timeout);
    app.restart_with_env(&[(FAULTS, "pause@job-finish")]);
    app.wait_for_stdout_line(&paused_at("job-finish"), timeout);
    let before_last_kill = app.status(&session, &job);
    assert_eq!(
        before_last_kill["status"], "running",
        "the final write had not committed: {before_last_kill}"
    );
    app.restart_with_env(&[]);

    let done = app.wait_until_over(&session, &job);
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(done["result"]["finishReason"], "no_more_links");
    assert_eq!(saved_urls(&done), saved_urls(&expected));
    assert_eq!(
        done["progress"]["completedIterations"], expected["progress"]["completedIterations"],
        "an interrupted page was counted twice or lost"
    );
    assert_eq!(
        done["result"]["pageChunksCount"],
        expected["result"]["pageChunksCount"]
    );
    app.kill();
    assert_database_sound(&app.db_path);
}

#[test]
fn a_database_turning_read_only_fails_the_job_with_a_clear_line_and_the_server_keeps_answering() {
    let server = generated_site(40, Duration::from_millis(20));
    let mut app = TestApp::spawn_with_env(
        &["--job-concurrency", "1"],
        &[(FAULTS, "readonly@page-write#3")],
    );
    let session = app.create_session();
    let job = app.start_scrape(&session, crawl_request(&server));

    let failed = app.wait_until_over(&session, &job);
    assert_eq!(failed["status"], "failed", "{failed}");
    let errors = failed["errors"].as_array().expect("errors");
    assert!(
        errors
            .iter()
            .any(|line| line.as_str().is_some_and(|l| l.contains("read-only"))),
        "{failed}"
    );
    // Nothing can be written any more, so the failure is served from memory, the same
    // on every read.
    assert_eq!(app.status(&session, &job), failed);
    let listed: Value = app
        .get(&format!("/api/v1/session/{session}/jobs"))
        .json()
        .expect("json");
    assert_eq!(listed["jobs"][0]["status"], "failed", "{listed}");

    // Reads keep working; writes answer 503 with the reason, not a 500 or a hang.
    assert_eq!(app.get("/health").status(), 200);
    let docs = app.get(&format!("/api/v1/session/{session}/documentation"));
    assert_eq!(docs.status(), 200);
    let saved = docs.json::<Value>().expect("json").as_array().map(Vec::len);
    assert!(
        saved.is_some_and(|n| n >= 3),
        "pages saved before the fault are kept"
    );
    let refused = app
        .client
        .post(app.url("/api/v1/session"))
        .send()
        .expect("POST");
    assert_eq!(refused.status(), 503);
    let detail: Value = refused.json().expect("json");
    assert!(
        detail["detail"]
            .as_str()
            .is_some_and(|d| d.contains("read-only")),
        "{detail}"
    );
    let cancel = app.delete(&format!("/api/v1/scrape/{session}/scrape?jobId={job}"));
    assert_eq!(cancel.status(), 409, "a failed job cannot be cancelled");

    // Writable again after a restart: the job, still running in the file, resumes.
    app.restart_with_env(&[]);
    let done = app.wait_until_over(&session, &job);
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(done["result"]["savedPagesCount"], 40);
    app.kill();
    assert_database_sound(&app.db_path);
}

#[test]
fn a_full_disk_fails_the_job_with_a_clear_line_and_loses_no_saved_page() {
    let server = generated_site(60, Duration::ZERO);
    let mut app = TestApp::spawn_with_env(&[], &[(FAULTS, "full@page-write#2")]);
    if app.on_postgres() {
        // A test cannot fill the server's disk; the read-only fault above covers the
        // way a refused write fails a job on PostgreSQL.
        return;
    }
    let session = app.create_session();
    let job = app.start_scrape(&session, crawl_request(&server));

    let failed = app.wait_until_over(&session, &job);
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(
        failed["errors"]
            .as_array()
            .is_some_and(|lines| lines.iter().any(|line| line
                .as_str()
                .is_some_and(|l| l.contains("the database is full")))),
        "{failed}"
    );
    assert_eq!(app.get("/health").status(), 200);
    assert_eq!(app.status(&session, &job), failed);
    let docs = app.get(&format!("/api/v1/session/{session}/documentation"));
    assert_eq!(docs.status(), 200);
    app.kill();
    assert_database_sound(&app.db_path);
}

#[test]
fn an_unreadable_fault_list_stops_the_server_at_start_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_docscrape"))
        .args(["serve", "--bind", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("x.db"))
        .env(FAULTS, "pause@nowhere")
        .output()
        .expect("run docscrape");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(FAULTS) && stderr.contains("pause@nowhere"),
        "{stderr}"
    );
}

#[test]
fn a_panic_while_planning_a_pages_links_fails_that_page_not_the_job() {
    let server = generated_site(13, Duration::ZERO);
    let app = TestApp::spawn_with_env(&[], &[(FAULTS, "panic@plan-links#3")]);
    let (_, _, status) = app.scrape_site(&server.url("/gen/0.html"), json!({}));
    assert_eq!(status["status"], "finished", "{status}");
    let failed = status["result"]["failedPages"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert_eq!(failed.len(), 1, "{status}");
    let (url, reason) = failed.iter().next().expect("one failed page");
    assert_eq!(reason, "internal error while processing the page", "{url}");
    // The other pages the crawl reached are saved; the failed page's links are not
    // followed, so its children may be missing, never the pages outside its subtree.
    let saved = saved_urls(&status);
    assert!(saved.len() >= 4, "{status}");
    assert!(!saved.contains(url));
    assert_eq!(app.get("/health").status(), 200);
}
