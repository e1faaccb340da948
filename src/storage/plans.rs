//! Every statement a page runs, checked with `EXPLAIN QUERY PLAN`: none may scan a table
//! or walk all of a job's or a session's rows, so that a page costs the same at the
//! 30,000th page as at the first. The statements are recorded with SQLite's trace hook
//! while the storage calls of a page's life run against a database that already holds
//! two jobs' worth of pages, so a new query on that path is checked without being listed.

use std::sync::Mutex;

use rusqlite::trace::{TraceEvent, TraceEventCodes};
use rusqlite::{Connection, TransactionBehavior};

use super::sql::Sql;

use super::frontier::{self, NewUrl, UrlState};
use super::jobs::{self, NewJob};
use super::pages::{self, NewChunk, NewPage};
use super::{configure, migrations, sessions, templates};
use crate::crawl::versions::VersionedPath;

static TRACED: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn record_statement(event: TraceEvent<'_>) {
    if let TraceEvent::Stmt(_, sql) = event {
        TRACED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(sql.to_string());
    }
}

fn page(session: &str, job: &str, n: usize, version: Option<&str>) -> NewPage {
    NewPage {
        session_id: session.to_string(),
        job_id: job.to_string(),
        url: format!(
            "https://docs.example.com/{}/page-{n}.html",
            version.unwrap_or("en")
        ),
        requested_url: format!("https://docs.example.com/page-{n}.html"),
        title: Some(format!("Page {n}")),
        content_type: "text/html".to_string(),
        content: format!("# Page {n}\n\n{}", "Some text of the page. ".repeat(50)),
        content_hash: format!("hash-{session}-{n}"),
        http_status: 200,
        etag: Some(format!("\"{n}\"")),
        last_modified: None,
        fetched_at: crate::ids::now(),
        chunks: vec![NewChunk {
            content: format!("# Page {n}"),
            token_count: 4,
            character_count: 8,
            section: format!("Page {n}"),
            summary: None,
            extra: serde_json::Map::new(),
        }],
        links: "[]".to_string(),
        numberless_hash: n as u64,
        version: version.map(|v| VersionedPath {
            key: format!("/{{version}}/page-{n}.html"),
            closeness: u8::from(v == "v2") * 2,
            segment: 0,
            bare_number: v.bytes().all(|b| b.is_ascii_digit()),
        }),
    }
}

fn new_job(tx: &Sql<'_>, session: &str, job: &str) {
    sessions::create(tx, session).expect("session");
    jobs::insert(
        tx,
        &NewJob {
            id: job,
            session_id: session,
            input: "{}",
            input_key: "key",
            total_iterations: 100_000,
        },
    )
    .expect("job");
    jobs::mark_running(tx, job).expect("running");
}

fn links(job: &str, from: usize, count: usize) -> Vec<NewUrl> {
    (from..from + count)
        .map(|n| NewUrl {
            url: format!("https://docs.example.com/{job}/link-{n}.html"),
            depth: 2,
            priority: (n % 7) as i64,
        })
        .collect()
}

/// Two sessions with a job each, hundreds of saved pages and thousands of frontier rows.
fn populated() -> Connection {
    let mut conn = Connection::open_in_memory().expect("memory db");
    configure(&conn).expect("configure");
    migrations::apply(&mut conn).expect("schema");
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .expect("tx");
    for (session, job) in [("s1", "j1"), ("s2", "j2")] {
        new_job(&Sql::Lite(&tx), session, job);
        frontier::add(&Sql::Lite(&tx), job, &links(job, 0, 3000)).expect("frontier");
        for n in 0..400 {
            let page = page(session, job, n, None);
            pages::save(&Sql::Lite(&tx), &page).expect("page");
            templates::remember_blocks(
                &Sql::Lite(&tx),
                job,
                &page.url,
                &page.content_hash,
                b"blocks",
            )
            .expect("blocks");
        }
    }
    tx.commit().expect("commit");
    conn
}

/// What one page of job `j1` runs, for each kind of outcome.
fn per_page_work(conn: &mut Connection) {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .expect("tx");
    let claimed = frontier::claim_next(&Sql::Lite(&tx), "j1")
        .expect("claim")
        .expect("a url");
    jobs::set_message(&Sql::Lite(&tx), "j1", "Fetching").expect("message");
    pages::find_cached(&Sql::Lite(&tx), "s1", &claimed.url).expect("cache miss");
    pages::find_cached(&Sql::Lite(&tx), "s1", &page("s2", "j2", 3, None).url)
        .expect("other session");
    pages::find_cached(&Sql::Lite(&tx), "s1", &page("s1", "j1", 3, None).url).expect("own session");
    frontier::claim_redirect_target(
        &Sql::Lite(&tx),
        "j1",
        "https://docs.example.com/moved.html",
        1,
    )
    .expect("redirect");
    jobs::is_running(&Sql::Lite(&tx), "j1").expect("running");
    jobs::add_host(&Sql::Lite(&tx), "j1", "docs.example.com").expect("host");
    // A new page, one with a URL and one with content the job has, versioned copies.
    pages::save(&Sql::Lite(&tx), &page("s1", "j1", 1000, None)).expect("new");
    pages::save(&Sql::Lite(&tx), &page("s1", "j1", 5, None)).expect("same url");
    let mut same_content = page("s1", "j1", 1001, None);
    same_content.content_hash = "hash-s1-7".to_string();
    pages::save(&Sql::Lite(&tx), &same_content).expect("same content");
    pages::save(&Sql::Lite(&tx), &page("s1", "j1", 2000, Some("v1"))).expect("v1");
    pages::save(&Sql::Lite(&tx), &page("s1", "j1", 2000, Some("v2"))).expect("v2");
    // Bare-number versions look at the two trees' other pages.
    pages::save(&Sql::Lite(&tx), &page("s1", "j1", 3000, Some("15"))).expect("15");
    pages::save(&Sql::Lite(&tx), &page("s1", "j1", 3000, Some("16"))).expect("16");
    // A 304: the copy saved by another session joins this job.
    let cached = pages::find_cached(&Sql::Lite(&tx), "s1", &page("s2", "j2", 9, None).url)
        .expect("cached")
        .expect("a copy");
    let version = page("s1", "j1", 9, Some("v2")).version;
    let url = page("s1", "j1", 9, Some("v2")).url;
    pages::closer_version_saved_by_job(&Sql::Lite(&tx), "j1", "s1", &url, version.as_ref(), 9)
        .expect("closer");
    let reused = pages::reuse_page(
        &Sql::Lite(&tx),
        &cached.id,
        "s1",
        "j1",
        "2026-01-01T00:00:00+00:00",
    )
    .expect("reuse")
    .expect("reused");
    pages::set_version_facts(&Sql::Lite(&tx), &reused, Some(9), version.as_ref()).expect("facts");
    pages::drop_farther_versions(
        &Sql::Lite(&tx),
        "j1",
        "s1",
        &reused,
        &url,
        version.as_ref(),
        9,
    )
    .expect("drop");
    for state in [UrlState::Done, UrlState::Failed, UrlState::Skipped] {
        frontier::set_state(&Sql::Lite(&tx), "j1", &claimed.url, 1, state, Some("why"))
            .expect("state");
    }
    frontier::add(&Sql::Lite(&tx), "j1", &links("j1", 2990, 40)).expect("links");
    jobs::count_iteration(&Sql::Lite(&tx), "j1", "Scraping").expect("count");
    frontier::state_of(&Sql::Lite(&tx), "j1", &claimed.url).expect("state of");
    tx.commit().expect("commit");
    // Streaming the session's documentation, batch by batch.
    let keys = pages::page_keys(&Sql::Lite(conn), "s1", 100, 16).expect("keys");
    for (_, id) in keys {
        pages::document(&Sql::Lite(conn), "s1", &id).expect("document");
    }
    jobs::get(&Sql::Lite(conn), "j1").expect("job");
    sessions::get(&Sql::Lite(conn), "s1").expect("session");
    // The end of the job: its template removed from the saved pages, batch by batch.
    let batch =
        templates::pending_pages(&Sql::Lite(conn), "j1", "", 512, 32, |_| true).expect("pending");
    let through = batch.through.expect("a batch");
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .expect("tx");
    templates::apply_cleaned(&Sql::Lite(&tx), "j1", &through, &[], "Cleaning").expect("cleaned");
    tx.commit().expect("commit");
}

/// Why a plan line makes a statement's cost grow with the data, if it does.
fn growth(detail: &str) -> Option<&'static str> {
    if detail.starts_with("SCAN ") && detail != "SCAN CONSTANT ROW" {
        return Some("scans a whole table or index");
    }
    if detail.contains("USE TEMP B-TREE") {
        return Some("sorts its rows");
    }
    let owner_only = ["(job_id=?)", "(session_id=?)", "(job_id=? AND rowid>?)"];
    if detail.starts_with("SEARCH ") && owner_only.iter().any(|end| detail.ends_with(end)) {
        return Some("walks every row of a job or session");
    }
    None
}

#[test]
fn no_statement_of_a_page_scans_or_walks_a_growing_table() {
    let mut conn = populated();
    conn.trace_v2(TraceEventCodes::SQLITE_TRACE_STMT, Some(record_statement));
    per_page_work(&mut conn);
    conn.trace_v2(TraceEventCodes::empty(), None);
    let mut statements = std::mem::take(
        &mut *TRACED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()),
    );
    statements.sort();
    statements.dedup();
    let checked: Vec<&String> = statements
        .iter()
        .filter(|sql| {
            let head = sql.trim_start().to_ascii_uppercase();
            ![
                "BEGIN",
                "COMMIT",
                "ROLLBACK",
                "SAVEPOINT",
                "RELEASE",
                "PRAGMA",
                "--",
            ]
            .iter()
            .any(|word| head.starts_with(word))
        })
        .collect();
    assert!(
        checked.len() >= 20,
        "too few statements traced: {checked:#?}"
    );
    let mut problems = Vec::new();
    for sql in checked {
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain");
        // Unbound parameters are NULL, which does not change the plan.
        let mut rows = stmt.raw_query();
        let mut details = Vec::new();
        while let Some(row) = rows.next().expect("plan row") {
            details.push(row.get::<_, String>(3).expect("detail"));
        }
        for detail in details {
            if let Some(why) = growth(&detail) {
                let short: String = sql.chars().take(300).collect();
                problems.push(format!("{why}: {detail}\n    in {short}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_rule_flags_scans_sorts_and_whole_job_walks() {
    assert!(growth("SCAN pages").is_some());
    assert!(growth("SCAN p USING INDEX pages_by_hash").is_some());
    assert!(growth("USE TEMP B-TREE FOR ORDER BY").is_some());
    assert!(growth("SEARCH jp USING PRIMARY KEY (job_id=?)").is_some());
    assert!(
        growth("SEARCH p USING INDEX sqlite_autoindex_pages_2 (session_id=? AND url=?)").is_none()
    );
    assert!(growth("SCAN CONSTANT ROW").is_none());
}
