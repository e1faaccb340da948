//! The version rule on a real (in-memory) database: which copies are skipped.

use crate::storage::sql::Sql;

use super::*;
use crate::crawl::versions::numberless_hash;
use crate::storage::{jobs, migrations, sessions};

const JOB: &str = "job-1";
const SESSION: &str = "session-1";

fn database() -> rusqlite::Connection {
    let mut conn = rusqlite::Connection::open_in_memory().expect("memory db");
    conn.pragma_update(None, "foreign_keys", "ON").expect("fk");
    migrations::apply(&mut conn).expect("schema");
    sessions::create(&Sql::Lite(&conn), SESSION).expect("session");
    let tx = conn.transaction().expect("tx");
    jobs::insert(
        &Sql::Lite(&tx),
        &jobs::NewJob {
            id: JOB,
            session_id: SESSION,
            input: "{}",
            input_key: "key",
            total_iterations: 100,
        },
    )
    .expect("job");
    tx.commit().expect("commit");
    conn
}

/// Saves `url` with `text` for a job that asked for the current version.
fn save_page(conn: &mut rusqlite::Connection, url: &str, text: &str) -> SaveOutcome {
    let parsed = url::Url::parse(url).expect("url");
    let tx = conn.transaction().expect("tx");
    let outcome = save(
        &Sql::Lite(&tx),
        &NewPage {
            session_id: SESSION.into(),
            job_id: JOB.into(),
            url: url.into(),
            requested_url: url.into(),
            title: None,
            content_type: "text/html".into(),
            content: text.into(),
            content_hash: format!("hash of {text}"),
            http_status: 200,
            etag: None,
            last_modified: None,
            fetched_at: "2026-01-01T00:00:00+00:00".into(),
            chunks: vec![NewChunk {
                content: text.into(),
                token_count: 1,
                character_count: text.len(),
                section: String::new(),
                summary: None,
                extra: serde_json::Map::new(),
            }],
            links: "[]".into(),
            numberless_hash: numberless_hash(text),
            version: versioned_path(&parsed, "current"),
        },
    )
    .expect("save");
    tx.commit().expect("commit");
    outcome
}

fn saved(outcome: &SaveOutcome) -> bool {
    matches!(outcome, SaveOutcome::Saved { .. })
}

#[test]
fn bare_numbers_become_versions_once_the_job_sees_two_trees_alike() {
    let mut conn = database();
    let base = "https://d.example/docs";
    // The first pages under /docs/15/ and /docs/16/ are both kept: nothing says yet
    // that 15 and 16 are versions rather than numbered items.
    for page in ["intro", "select"] {
        for version in ["15", "16"] {
            let text = format!("PostgreSQL {version} manual: the {page} page.");
            let outcome = save_page(&mut conn, &format!("{base}/{version}/{page}.html"), &text);
            assert!(saved(&outcome), "{version}/{page}: {outcome:?}");
        }
    }
    let text = "PostgreSQL 15 manual: the insert page.";
    assert!(saved(&save_page(
        &mut conn,
        &format!("{base}/15/insert.html"),
        text
    )));
    // Two pages now stand under both numbers: the third copy is one.
    let copy = save_page(
        &mut conn,
        &format!("{base}/16/insert.html"),
        "PostgreSQL 16 manual: the insert page.",
    );
    assert_eq!(
        copy,
        SaveOutcome::NearDuplicate(format!("{base}/15/insert.html"))
    );
    // A page whose text differs in a word is never a copy.
    let edited = save_page(
        &mut conn,
        &format!("{base}/16/update.html"),
        "PostgreSQL 16 manual: the update page.",
    );
    assert!(saved(&edited));
    let other = save_page(
        &mut conn,
        &format!("{base}/15/update.html"),
        "PostgreSQL 15 manual: the UPDATE page.",
    );
    assert!(saved(&other), "{other:?}");
}

#[test]
fn numbered_items_of_one_template_stay_apart() {
    let mut conn = database();
    for n in 70..80 {
        let url = format!("https://d.example/issues/{n}/comments");
        let outcome = save_page(&mut conn, &url, &format!("Issue {n} has no comments yet."));
        assert!(saved(&outcome), "{url}: {outcome:?}");
    }
    for code in [401, 403, 404] {
        let url = format!("https://d.example/errors/{code}");
        let outcome = save_page(&mut conn, &url, &format!("Error {code}."));
        assert!(saved(&outcome), "{url}: {outcome:?}");
    }
}

#[test]
fn a_moving_name_in_the_same_place_makes_a_bare_number_a_version() {
    let mut conn = database();
    let current = "https://d.example/docs/current/intro.html";
    assert!(saved(&save_page(&mut conn, current, "Manual 17: intro.")));
    let outcome = save_page(
        &mut conn,
        "https://d.example/docs/15/intro.html",
        "Manual 15: intro.",
    );
    assert_eq!(outcome, SaveOutcome::NearDuplicate(current.to_string()));
}
