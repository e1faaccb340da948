//! A crash (SIGKILL) mid-crawl and a restart on the same file resume the job: the exact
//! budget, no page fetched or saved twice.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::json;

use crate::fixture_server::{FixtureServer, SiteOptions};
use crate::helpers::{assert_database_sound, documentation_urls, TestApp};

#[test]
fn a_killed_server_resumes_its_job_with_the_exact_budget_and_no_duplicates() {
    let server = FixtureServer::start(SiteOptions {
        site: "site",
        delay: Duration::from_millis(40),
        generated_pages: 500,
        ..Default::default()
    });
    let mut app = TestApp::spawn();
    let session = app.create_session();
    let budget = 60;
    let job = app.start_scrape(
        &session,
        json!({"starterLinks": [server.url("/gen/0.html")], "applicationName": "Acme", "skipCache": true, "maxIterations": budget}),
    );
    for threshold in [8, 25] {
        let before = app.wait_until(&session, &job, Duration::from_secs(30), |s| {
            s["progress"]["completedIterations"].as_i64().unwrap_or(0) >= threshold
        });
        app.crash_and_restart();
        let after = app.status(&session, &job);
        assert!(
            after["progress"]["completedIterations"].as_i64()
                >= before["progress"]["completedIterations"].as_i64(),
            "progress lost in the crash: {before} -> {after}"
        );
    }
    let done = app.wait_until_over(&session, &job);
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(done["result"]["finishReason"], "max_iterations");
    assert_eq!(done["progress"]["completedIterations"], budget);
    assert_eq!(done["result"]["savedPagesCount"], budget);

    let urls = documentation_urls(&app, &session);
    let unique: BTreeSet<&String> = urls.iter().collect();
    assert_eq!(urls.len(), budget as usize);
    assert_eq!(unique.len(), urls.len(), "duplicate pages after restart");

    // A finished job reads the same after another restart.
    app.crash_and_restart();
    assert_eq!(app.status(&session, &job), done);
    app.kill();
    assert_database_sound(&app.db_path);
}

#[test]
fn sigterm_exits_and_the_job_resumes_at_the_next_start() {
    let server = FixtureServer::start(SiteOptions {
        site: "site",
        delay: Duration::from_millis(40),
        generated_pages: 200,
        ..Default::default()
    });
    let mut app = TestApp::spawn();
    let session = app.create_session();
    let job = app.start_scrape(
        &session,
        json!({"starterLinks": [server.url("/gen/0.html")], "applicationName": "Acme", "skipCache": true, "maxIterations": 40}),
    );
    app.wait_until(&session, &job, Duration::from_secs(30), |s| {
        s["progress"]["completedIterations"].as_i64().unwrap_or(0) >= 5
    });
    // `terminate` waits for the process to exit (and fails the test if it never does).
    app.terminate();
    app.restart();
    let done = app.wait_until_over(&session, &job);
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(done["progress"]["completedIterations"], 40);
    assert_eq!(done["result"]["savedPagesCount"], 40);
}
