//! Several instances on one PostgreSQL database: jobs are shared by leases, a dead
//! instance's jobs are finished by another with the exact budget, a cancel works from any
//! instance, and instances starting together agree on one schema.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::fixture_server::{FixtureServer, SiteOptions};
use crate::helpers::{assert_database_sound, documentation_urls, new_database, TestApp};

const PRIVATE: &str = "--allow-private-networks";

/// A slow generated site: crawls last long enough to kill an instance in the middle.
fn slow_site(delay_ms: u64) -> FixtureServer {
    FixtureServer::start(SiteOptions {
        site: "site",
        delay: Duration::from_millis(delay_ms),
        generated_pages: 2_000,
        ..Default::default()
    })
}

fn crawl(server: &FixtureServer, budget: u32) -> Value {
    json!({"starterLinks": [server.url("/gen/0.html")], "applicationName": "Acme", "skipCache": true, "maxIterations": budget})
}

/// A job ended with its exact budget, every page once.
fn assert_exact(app: &TestApp, session: &str, job: &str, budget: u32) -> Value {
    let done = app.wait_until_over(session, job);
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(done["result"]["finishReason"], "max_iterations", "{done}");
    assert_eq!(done["progress"]["completedIterations"], budget, "{done}");
    assert_eq!(done["result"]["savedPagesCount"], budget, "{done}");
    let urls = documentation_urls(app, session);
    let unique: BTreeSet<&String> = urls.iter().collect();
    assert_eq!(urls.len(), budget as usize, "pages of job {job}");
    assert_eq!(unique.len(), urls.len(), "a page saved twice for job {job}");
    done
}

fn second_instance(db: &Path) -> TestApp {
    TestApp::spawn_on_db(db, &[PRIVATE])
}

#[test]
fn a_killed_instance_s_jobs_are_finished_by_the_other_with_exact_budgets() {
    let server = slow_site(40);
    let mut a = TestApp::spawn_with(&["--max-concurrent-jobs", "3"]);
    if !a.on_postgres() {
        return;
    }
    let budgets = [30, 45, 60];
    let jobs: Vec<(String, String, u32)> = budgets
        .iter()
        .map(|&budget| {
            let session = a.create_session();
            let job = a.start_scrape(&session, crawl(&server, budget));
            (session, job, budget)
        })
        .collect();
    for (session, job, _) in &jobs {
        a.wait_until(session, job, Duration::from_secs(60), |s| {
            s["progress"]["completedIterations"].as_i64().unwrap_or(0) >= 5
        });
    }
    // B starts while A holds every job: it must leave them alone until A is gone.
    let b = second_instance(&a.db_path);
    a.kill();
    let mut ended = Vec::new();
    for (session, job, budget) in &jobs {
        ended.push(assert_exact(&b, session, job, *budget));
    }
    // A restarted answers exactly what B answers.
    a.restart();
    for ((session, job, _), done) in jobs.iter().zip(&ended) {
        assert_eq!(&a.status(session, job), done);
    }
    assert_database_sound(&a.db_path);
}

#[test]
fn instances_started_together_on_an_empty_database_share_one_schema() {
    let db = new_database(std::env::temp_dir().join("unused.db"));
    if !crate::helpers::is_postgres(&db) {
        return;
    }
    let starters: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || second_instance(&db))
        })
        .collect();
    let apps: Vec<TestApp> = starters
        .into_iter()
        .map(|starter| starter.join().expect("an instance started"))
        .collect();
    let session = apps[0].create_session();
    for app in &apps {
        assert_eq!(app.get(&format!("/api/v1/session/{session}")).status(), 200);
    }
    let applied = crate::helpers::query_i64(&db, "SELECT count(*) FROM schema_migrations", &[]);
    assert_eq!(applied, 1, "each migration applied once");
}

#[test]
fn jobs_submitted_to_two_instances_at_once_each_run_once_and_exactly() {
    let server = slow_site(5);
    let a = TestApp::spawn_with(&["--max-concurrent-jobs", "2"]);
    if !a.on_postgres() {
        return;
    }
    let b = TestApp::spawn_on_db(&a.db_path, &[PRIVATE, "--max-concurrent-jobs", "2"]);
    let budgets: Vec<u32> = (0..8).map(|n| 10 + 3 * n).collect();
    let submitted: Vec<(String, String, u32)> = std::thread::scope(|scope| {
        let handles: Vec<_> = budgets
            .iter()
            .enumerate()
            .map(|(n, &budget)| {
                let (app, server) = (if n % 2 == 0 { &a } else { &b }, &server);
                scope.spawn(move || {
                    let session = app.create_session();
                    let job = app.start_scrape(&session, crawl(server, budget));
                    (session, job, budget)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("submitted"))
            .collect()
    });
    for (n, (session, job, budget)) in submitted.iter().enumerate() {
        // Asked of the instance that did not take the request.
        let other = if n % 2 == 0 { &b } else { &a };
        let done = assert_exact(other, session, job, *budget);
        assert_eq!(a.status(session, job), done);
        assert_eq!(b.status(session, job), done);
    }
    assert_database_sound(&a.db_path);
}

#[test]
fn a_cancel_sent_to_the_instance_that_does_not_run_the_job_stops_it() {
    let server = slow_site(100);
    let a = TestApp::spawn();
    if !a.on_postgres() {
        return;
    }
    let session = a.create_session();
    let job = a.start_scrape(&session, crawl(&server, 500));
    a.wait_until(&session, &job, Duration::from_secs(60), |s| {
        s["progress"]["completedIterations"].as_i64().unwrap_or(0) >= 3
    });
    let b = second_instance(&a.db_path);
    let response = b.delete(&format!("/api/v1/scrape/{session}/scrape?jobId={job}"));
    assert_eq!(response.status(), 200);
    let cancelled: Value = response.json().expect("json");
    assert_eq!(
        cancelled["result"]["finishReason"], "cancelled",
        "{cancelled}"
    );

    // The owner notices within a couple of seconds and stops fetching.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut hits = server.hits().len();
    loop {
        std::thread::sleep(Duration::from_millis(1500));
        let now = server.hits().len();
        if now == hits {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "instance A kept fetching after the cancel"
        );
        hits = now;
    }
    assert_eq!(a.status(&session, &job), cancelled);
    assert_eq!(b.status(&session, &job), cancelled);
}

#[test]
fn a_job_claimed_while_the_leases_are_renewed_keeps_running() {
    let server = slow_site(50);
    // The second renewal stalls after it read which jobs this instance holds: a job
    // claimed meanwhile is not in that answer, and must not be taken for a lost one.
    let app = TestApp::spawn_with_env(&[], &[("DOCSCRAPE_TEST_FAULTS", "stall@lease-renew#2")]);
    app.wait_for_stdout_line(
        "docscrape stalled at fault point lease-renew",
        Duration::from_secs(30),
    );
    let session = app.create_session();
    let job = app.start_scrape(&session, crawl(&server, 1_000));
    app.wait_until(&session, &job, Duration::from_secs(30), |s| {
        s["progress"]["completedIterations"].as_i64().unwrap_or(0) >= 1
    });
    // The stall ends, that renewal acts on its answer, and the next one renews the lease.
    std::thread::sleep(Duration::from_secs(5));
    let status = app.status(&session, &job);
    assert_eq!(
        status["status"], "running",
        "the job was stopped by a renewal that began before its claim: {status}"
    );
    let cancel = app.delete(&format!("/api/v1/scrape/{session}/scrape?jobId={job}"));
    assert_eq!(cancel.status(), 200);
}
