use std::time::Duration;

use serde_json::{json, Value};

use crate::fixture_server::{FixtureServer, SiteOptions};
use crate::helpers::TestApp;

#[test]
fn health_answers_ok() {
    let app = TestApp::spawn();
    let response = app.get("/health");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().expect("body"), r#"{"message":"OK"}"#);
}

#[test]
fn session_lifecycle_follows_the_contract() {
    let app = TestApp::spawn();
    let id = app.create_session();
    assert_eq!(id, id.to_lowercase());
    assert_eq!(uuid_version(&id), Some(4));

    let body: Value = app
        .get(&format!("/api/v1/session/{id}"))
        .json()
        .expect("json");
    assert_eq!(body["sessionId"], id.as_str());
    for key in ["createdAt", "updatedAt", "message"] {
        assert!(body[key].is_string(), "{key}: {body}");
    }

    let head = app
        .client
        .head(app.url(&format!("/api/v1/session/{id}")))
        .send()
        .expect("HEAD");
    assert_eq!(head.status(), 204);

    // Clients of the original service poll upload status; docscrape takes no uploads.
    let uploads: Value = app
        .get(&format!("/api/v1/session/{id}/documentation/status"))
        .json()
        .expect("json");
    assert_eq!(
        uploads,
        json!({"sessionId": id, "uploadJobs": [], "totalUploads": 0})
    );

    // Other spellings of the same id reach the same session.
    let upper = id.to_uppercase();
    assert_eq!(app.get(&format!("/api/v1/session/{upper}")).status(), 200);
    let braced = format!("{{{id}}}");
    assert_eq!(app.get(&format!("/api/v1/session/{braced}")).status(), 200);

    let list: Value = app.get("/api/v1/session").json().expect("json");
    assert_eq!(list["sessions"][0]["sessionId"], id.as_str());
    assert_eq!(list["sessions"][0]["jobCount"], 0);
    assert_eq!(list["sessions"][0]["pageCount"], 0);

    let jobs: Value = app
        .get(&format!("/api/v1/session/{id}/jobs"))
        .json()
        .expect("json");
    assert_eq!(jobs["jobs"].as_array().map(Vec::len), Some(0));

    let deleted = app.delete(&format!("/api/v1/session/{id}"));
    assert_eq!(deleted.status(), 200);
    let body: Value = deleted.json().expect("json");
    assert_eq!(body["sessionId"], id.as_str());
    assert!(body["message"].is_string());

    let missing = app.get(&format!("/api/v1/session/{id}"));
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().expect("json");
    assert_eq!(body["detail"], format!("Session {id} not found").as_str());
    let head = app
        .client
        .head(app.url(&format!("/api/v1/session/{id}")))
        .send()
        .expect("HEAD");
    assert_eq!(head.status(), 404);
    assert_eq!(
        head.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "an error answer to HEAD is typed like the GET answer, without its body"
    );
    assert!(head.bytes().expect("body").is_empty());
    assert_eq!(app.delete(&format!("/api/v1/session/{id}")).status(), 404);
}

#[test]
fn creating_a_session_with_a_chosen_id_conflicts_once_it_exists() {
    let app = TestApp::spawn();
    let id = "2F1C0E4B-9A5D-4C3B-8E7F-1A2B3C4D5E6F";
    let first = app
        .client
        .post(app.url(&format!("/api/v1/session/{id}")))
        .send()
        .expect("POST");
    assert_eq!(first.status(), 201);
    let body: Value = first.json().expect("json");
    assert_eq!(body["sessionId"], id.to_lowercase().as_str());
    let again = app
        .client
        .post(app.url(&format!("/api/v1/session/urn:uuid:{id}")))
        .send()
        .expect("POST");
    assert_eq!(again.status(), 409);
    let body: Value = again.json().expect("json");
    assert!(body["detail"]
        .as_str()
        .is_some_and(|d| d.contains("already exists")));
}

#[test]
fn concurrent_creation_of_the_same_id_gives_exactly_one_201() {
    let app = TestApp::spawn();
    let id = "7d3a9f8e-1b2c-4d5e-8f90-abcdefabcdef";
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    app.client
                        .post(app.url(&format!("/api/v1/session/{id}")))
                        .send()
                        .expect("POST")
                        .status()
                        .as_u16()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        7,
        "{statuses:?}"
    );
}

#[test]
fn bad_ids_unknown_routes_and_wrong_methods_get_json_errors() {
    let app = TestApp::spawn();
    let bad = app.get("/api/v1/session/not-a-uuid");
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json().expect("json");
    assert_eq!(
        body["detail"][0]["loc"],
        serde_json::json!(["path", "session_id"])
    );
    assert_eq!(body["detail"][0]["input"], "not-a-uuid");
    assert!(body["detail"][0]["type"].is_string() && body["detail"][0]["msg"].is_string());

    let unknown = app.get("/api/v1/nothing-here");
    assert_eq!(unknown.status(), 404);
    assert_eq!(unknown.text().expect("body"), r#"{"detail":"Not Found"}"#);

    let wrong = app
        .client
        .put(app.url("/api/v1/session"))
        .send()
        .expect("PUT");
    assert_eq!(wrong.status(), 405);
    assert_eq!(
        wrong.text().expect("body"),
        r#"{"detail":"Method Not Allowed"}"#
    );

    let bad_limit = app.get("/api/v1/session?limit=abc");
    assert_eq!(bad_limit.status(), 422);
    let body: Value = bad_limit.json().expect("json");
    assert_eq!(
        body["detail"][0]["loc"],
        serde_json::json!(["query", "limit"])
    );
}

#[test]
fn openapi_document_lists_every_route_with_lowercase_names() {
    let app = TestApp::spawn();
    let doc: Value = app.get("/openapi.json").json().expect("json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let paths = doc["paths"].as_object().expect("paths");
    for path in [
        "/health",
        "/api/v1/session",
        "/api/v1/session/{session_id}",
        "/api/v1/session/{session_id}/jobs",
        "/api/v1/session/{session_id}/documentation",
        "/api/v1/session/{session_id}/documentation/{documentation_id}",
        "/api/v1/scrape/{session_id}/scrape",
    ] {
        assert!(paths.contains_key(path), "{path} missing");
    }
    for path in paths.keys() {
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            let first = segment
                .trim_start_matches('{')
                .chars()
                .next()
                .unwrap_or('a');
            assert!(!first.is_uppercase(), "{path}");
        }
    }
    let status_props = doc["components"]["schemas"]["JobStatus"]["properties"]
        .as_object()
        .expect("JobStatus");
    for key in status_props.keys() {
        assert!(
            key.chars().next().is_some_and(|c| c.is_lowercase()),
            "{key}"
        );
    }
}

fn uuid_version(id: &str) -> Option<u32> {
    id.chars().nth(14).and_then(|c| c.to_digit(16))
}

#[test]
fn sessions_past_the_limit_are_refused_with_429_until_one_is_deleted() {
    let app = TestApp::spawn_with(&["--max-sessions", "2"]);
    let first = app.create_session();
    let chosen = "7d2a61c6-5a0e-4a43-9f61-4d1f4c1b2f10";
    assert_eq!(
        app.client
            .post(app.url(&format!("/api/v1/session/{chosen}")))
            .send()
            .expect("POST")
            .status(),
        201
    );
    for path in [
        "/api/v1/session".to_string(),
        "/api/v1/session/0b8f8c4e-2a53-4f1e-8a51-0d9d1b7e6c3a".to_string(),
    ] {
        let refused = app.client.post(app.url(&path)).send().expect("POST");
        assert_eq!(refused.status(), 429, "{path}");
        let body: Value = refused.json().expect("json");
        let detail = body["detail"].as_str().expect("detail");
        assert!(detail.contains("2 sessions"), "{detail}");
        assert!(!detail.contains('\n'));
    }
    // An existing id is still a conflict, not a lack of room.
    let again = app
        .client
        .post(app.url(&format!("/api/v1/session/{chosen}")))
        .send()
        .expect("POST");
    assert_eq!(again.status(), 409);
    let sessions: Value = app.get("/api/v1/session").json().expect("json");
    assert_eq!(sessions["sessions"].as_array().map(Vec::len), Some(2));

    assert_eq!(
        app.delete(&format!("/api/v1/session/{first}")).status(),
        200
    );
    app.create_session();
}

/// Writes `pages` pages of `chunks` chunks each into `session`, straight into the
/// server's database file: a session as large as a long crawl leaves, in seconds.
fn fill_session(db_path: &std::path::Path, session: &str, pages: usize, chunks: usize) {
    let mut conn = rusqlite::Connection::open(db_path).expect("open the database");
    conn.busy_timeout(Duration::from_secs(30))
        .expect("busy timeout");
    let tx = conn.transaction().expect("transaction");
    {
        let mut page = tx
            .prepare(
                "INSERT INTO pages (id, session_id, url, requested_url, title, content_type, content,
                                    content_hash, http_status, fetched_at, created_at)
                 VALUES (?1, ?2, ?3, ?3, 'Filler', 'text/html', 'filler', ?1, 200, ?4, ?4)",
            )
            .expect("page statement");
        let mut chunk = tx
            .prepare(
                "INSERT INTO chunks (id, page_id, chunk_number, content, token_count, character_count,
                                     section, created_at)
                 VALUES (?1, ?2, ?3, ?4, 40, 200, 'Filler', ?5)",
            )
            .expect("chunk statement");
        let at = "2026-01-01T00:00:00+00:00";
        let text = "filler text of a large session ".repeat(6);
        for p in 0..pages {
            let page_id = format!("{session}-page-{p}");
            let url = format!("https://filler.example/{session}/{p}");
            page.execute(rusqlite::params![page_id, session, url, at])
                .expect("page");
            for c in 0..chunks {
                let chunk_id = format!("{page_id}-chunk-{c}");
                chunk
                    .execute(rusqlite::params![chunk_id, page_id, c as i64, text, at])
                    .expect("chunk");
            }
        }
    }
    tx.commit().expect("commit");
}

#[test]
fn deleting_a_large_session_lets_other_jobs_keep_writing() {
    let server = FixtureServer::start(SiteOptions {
        site: "site",
        generated_pages: 5_000,
        ..Default::default()
    });
    let app = TestApp::spawn();
    if app.on_postgres() {
        // SQLite has one write lock, which a long deleting transaction would hold from the
        // other job; the test fills and reads the SQLite file directly.
        return;
    }
    let large = app.create_session();
    fill_session(&app.db_path, &large, 3_000, 100);

    let other = app.create_session();
    let job = app.start_scrape(
        &other,
        json!({"starterLinks": [server.url("/gen/0.html")], "applicationName": "Acme", "skipCache": true, "maxIterations": 3000}),
    );
    app.wait_until(&other, &job, Duration::from_secs(60), |s| {
        s["progress"]["completedIterations"].as_i64().unwrap_or(0) >= 3
    });

    let deleting = {
        let (client, url) = (
            app.client.clone(),
            app.url(&format!("/api/v1/session/{large}")),
        );
        std::thread::spawn(move || client.delete(url).send().expect("DELETE").status())
    };
    // While the deletion runs, a reader of our own counts the large session's pages and the
    // status gives the other job's progress. Deleted in short transactions, the session is
    // seen part-deleted again and again, and the other job's pages land in between; deleted
    // in one transaction, it would go from all its pages to none at once. (No timing: the
    // bound holds on a machine slowed by other work. Timing the write lock from a second
    // connection measured SQLite's busy-handler back-off more than the deletion.)
    let reader = rusqlite::Connection::open(&app.db_path).expect("open the database");
    let mut progress_while_part_deleted = std::collections::BTreeSet::new();
    let mut part_deleted_counts = std::collections::BTreeSet::new();
    while !deleting.is_finished() {
        let pages_left: i64 = reader
            .query_row(
                "SELECT count(*) FROM pages WHERE session_id = ?1",
                [&large],
                |row| row.get(0),
            )
            .expect("count the pages left");
        let status = app.status(&other, &job);
        if 0 < pages_left && pages_left < 3_000 {
            part_deleted_counts.insert(pages_left);
            progress_while_part_deleted.insert(
                status["progress"]["completedIterations"]
                    .as_i64()
                    .unwrap_or(0),
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(deleting.join().expect("delete thread"), 200);
    eprintln!(
        "seen part-deleted with {part_deleted_counts:?} pages left; the other job's \
         progress meanwhile {progress_while_part_deleted:?}"
    );
    assert!(
        part_deleted_counts.len() >= 5,
        "the session was not deleted in short transactions: seen with {part_deleted_counts:?} pages left"
    );
    assert!(
        progress_while_part_deleted.len() >= 2,
        "the other job recorded nothing while the session was deleted: {progress_while_part_deleted:?}"
    );
    assert_eq!(app.get(&format!("/api/v1/session/{large}")).status(), 404);
    let conn = rusqlite::Connection::open(&app.db_path).expect("open the database");
    let left: i64 = conn
        .query_row(
            "SELECT count(*) FROM chunks c JOIN pages p ON p.id = c.page_id WHERE p.session_id = ?1",
            [&large],
            |row| row.get(0),
        )
        .expect("count");
    assert_eq!(left, 0);
    // The other job may have crawled its 3,000 pages meanwhile (409: already ended).
    let cancel = app.delete(&format!("/api/v1/scrape/{other}/scrape?jobId={job}"));
    assert!(
        [200, 409].contains(&cancel.status().as_u16()),
        "{}",
        cancel.status()
    );
}
