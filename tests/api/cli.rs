//! `docscrape scrape`: the real binary crawling fixture sites on loopback, as a user runs
//! it — exit codes, the summary, progress lines without a terminal, JSONL and Markdown
//! output, a server reading the same database afterwards, and Ctrl-C half way.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::fixture_server::{FixtureServer, SiteOptions};
use crate::helpers::TestApp;

fn scrape_command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_docscrape"));
    command
        .arg("scrape")
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("DOCSCRAPE_DB")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs `docscrape scrape ARGS` to its end (60 s at most).
fn scrape(args: &[&str]) -> Output {
    let child = scrape_command(args)
        .spawn()
        .expect("spawn docscrape scrape");
    wait_output(child, Duration::from_secs(60))
}

fn wait_output(mut child: Child, timeout: Duration) -> Output {
    let deadline = Instant::now() + timeout;
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("docscrape scrape did not end within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn query_i64(db: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open db");
    conn.query_row(sql, [], |row| row.get(0)).expect(sql)
}

/// `12345` → `12,345`, as the summary prints counts.
fn grouped(number: i64) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

struct Dir {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn temp_dir() -> Dir {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_path_buf();
    Dir { _dir: dir, path }
}

#[test]
fn a_crawl_writes_jsonl_and_a_later_server_shows_it() {
    let site = FixtureServer::site("site");
    let dir = temp_dir();
    let db = dir.path.join("crawl.db");
    let out = dir.path.join("out/chunks.jsonl");
    let output = scrape(&[
        &site.url("/"),
        "--app",
        "Acme Directory",
        "--db",
        db.to_str().expect("path"),
        "--out",
        out.to_str().expect("path"),
        "--allow-private-networks",
    ]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with("Finished in ") && stdout.contains("no more links to follow"),
        "{stdout}"
    );
    // Without a terminal, progress is plain lines on stderr.
    assert!(stderr.contains("Crawling http://127.0.0.1:"), "{stderr}");
    assert!(stderr.contains(" pages/s, "), "{stderr}");
    let saved = query_i64(&db, "SELECT count(*) FROM pages");
    let chunks = query_i64(&db, "SELECT count(*) FROM chunks");
    let tokens = query_i64(&db, "SELECT sum(token_count) FROM chunks");
    assert!(saved >= 5, "{stdout}");
    assert!(
        stdout.contains(&format!("saved:    {saved} pages, {chunks} chunks, ")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{} tokens", grouped(tokens))),
        "{stdout}"
    );
    // The fixture's missing pages and its binary file are failures, grouped by reason.
    assert!(stdout.contains("× HTTP 404 Not Found"), "{stdout}");
    assert!(
        stdout.contains("× unsupported content type application/octet-stream"),
        "{stdout}"
    );

    let lines: Vec<Value> = std::fs::read_to_string(&out)
        .expect("the JSONL file")
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON object per line"))
        .collect();
    assert_eq!(lines.len() as i64, chunks);
    for line in &lines {
        assert!(line["url"]
            .as_str()
            .is_some_and(|u| u.starts_with(&site.base)));
        assert!(
            line["title"].is_string() && line["content"].is_string(),
            "{line}"
        );
        assert!(line["metadata"]["chunk_number"].is_i64(), "{line}");
        assert!(line["metadata"]["token_count"].is_i64(), "{line}");
    }
    let urls: BTreeSet<&str> = lines.iter().filter_map(|l| l["url"].as_str()).collect();
    assert!(urls.contains(site.url("/guide/install.html").as_str()));

    // The crawl is a session like any other for the service.
    let app = TestApp::spawn_on_db(&db, &[]);
    let sessions: Value = app.get("/api/v1/session").json().expect("json");
    let session = &sessions["sessions"][0];
    assert_eq!(session["pageCount"].as_i64(), Some(saved), "{sessions}");
    let session_id = session["sessionId"].as_str().expect("session id");
    let status: Value = app
        .get(&format!("/api/v1/scrape/{session_id}/scrape"))
        .json()
        .expect("json");
    assert_eq!(status["status"], "finished", "{status}");
    assert_eq!(status["result"]["finishReason"], "no_more_links");
    assert_eq!(status["result"]["savedPagesCount"].as_i64(), Some(saved));
}

#[test]
fn a_crawl_writes_one_markdown_file_per_page_with_front_matter() {
    let site = FixtureServer::site("site");
    let dir = temp_dir();
    let db = dir.path.join("crawl.db");
    let out_dir = dir.path.join("pages");
    let output = scrape(&[
        &site.url("/"),
        "--app",
        "Acme Directory",
        "--db",
        db.to_str().expect("path"),
        "--out-dir",
        out_dir.to_str().expect("path"),
        "--allow-private-networks",
        "--max-pages",
        "20",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let mut files = Vec::new();
    collect_files(&out_dir, &mut files);
    let saved = query_i64(&db, "SELECT count(*) FROM pages");
    assert_eq!(files.len() as i64, saved, "{files:?}");
    let mut seen_urls = BTreeSet::new();
    for file in &files {
        let relative = file.strip_prefix(&out_dir).expect("inside the folder");
        let relative = relative.to_str().expect("UTF-8 path");
        assert!(relative.starts_with("127.0.0.1_"), "{relative}");
        assert!(!relative.contains(".."), "{relative}");
        assert_eq!(file.extension().and_then(|e| e.to_str()), Some("md"));
        let body = std::fs::read_to_string(file).expect("read");
        let header = body
            .strip_prefix("---\n")
            .and_then(|rest| rest.split_once("\n---\n"))
            .map(|(header, _)| header)
            .unwrap_or_else(|| panic!("no front matter in {file:?}: {body}"));
        let field = |name: &str| -> String {
            let line = header
                .lines()
                .find(|line| line.starts_with(&format!("{name}: ")))
                .unwrap_or_else(|| panic!("no {name} in {header}"));
            serde_json::from_str(&line[name.len() + 2..]).expect("a quoted value")
        };
        assert!(field("url").starts_with(&site.base));
        assert!(field("scrapedAt").ends_with("+00:00"));
        let _ = field("title");
        seen_urls.insert(field("url"));
    }
    assert_eq!(seen_urls.len(), files.len(), "one file per page");
    let install = out_dir
        .join(site.base.trim_start_matches("http://").replace(':', "_"))
        .join("guide/install.md");
    let install = std::fs::read_to_string(&install).expect("guide/install.md");
    assert!(
        install.contains("title: \"Installation - Acme Directory\""),
        "{install}"
    );
    assert!(install.contains("# Installation"), "{install}");
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn bad_arguments_exit_2_with_a_clear_line_and_no_crawl() {
    let dir = temp_dir();
    let db = dir.path.join("never.db");
    let db_arg = db.to_str().expect("path");
    let cases: [(&[&str], &str); 6] = [
        (&["https://docs.example.com/", "--db", db_arg], "--app"),
        (
            &["htp:/docs", "--app", "Acme", "--db", db_arg],
            "URL #1 \"htp:/docs\"",
        ),
        (
            &["https://docs.example.com/", "--app", "  ", "--db", db_arg],
            "--app",
        ),
        (
            &[
                "https://docs.example.com/",
                "--app",
                "Acme",
                "--out",
                "a.jsonl",
                "--out-dir",
                "b",
                "--db",
                db_arg,
            ],
            "--out-dir",
        ),
        (
            &[
                "https://docs.example.com/",
                "--app",
                "Acme",
                "--max-depth",
                "500",
                "--db",
                db_arg,
            ],
            "--max-depth",
        ),
        (
            &[
                "https://docs.example.com/",
                "--app",
                "Acme",
                "--include",
                "/docs/[",
                "--db",
                db_arg,
            ],
            "--include \"/docs/[\"",
        ),
    ];
    for (args, named) in cases {
        let output = scrape(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(named),
            "{args:?} should name {named}: {stderr}"
        );
        assert!(!db.exists(), "{args:?} must not create the database");
    }
}

#[test]
fn a_crawl_that_saves_nothing_exits_1() {
    // A port nobody listens on: every attempt is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let dir = temp_dir();
    let db = dir.path.join("crawl.db");
    let output = scrape(&[
        &format!("http://127.0.0.1:{port}/docs/"),
        "--app",
        "Acme",
        "--db",
        db.to_str().expect("path"),
        "--allow-private-networks",
        "--max-attempts",
        "1",
    ]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.starts_with("Failed after "), "{stdout}");
    assert!(
        stdout.contains("error:    Failed to scrape http://127.0.0.1:"),
        "{stdout}"
    );
}

#[test]
fn a_private_address_is_refused_without_the_flag() {
    let site = FixtureServer::site("site");
    let dir = temp_dir();
    let db = dir.path.join("crawl.db");
    let output = scrape(&[
        &site.url("/"),
        "--app",
        "Acme",
        "--db",
        db.to_str().expect("path"),
    ]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("--allow-private-networks"), "{stdout}");
    assert!(
        site.hits().is_empty(),
        "nothing may be fetched: {:?}",
        site.hits()
    );
}

#[test]
fn ctrl_c_half_way_stops_keeps_and_writes_what_was_saved() {
    let site = FixtureServer::start(SiteOptions {
        site: "site",
        delay: Duration::from_millis(300),
        generated_pages: 400,
        ..Default::default()
    });
    let dir = temp_dir();
    let db = dir.path.join("crawl.db");
    let out = dir.path.join("chunks.jsonl");
    let child = scrape_command(&[
        &site.url("/gen/0.html"),
        "--app",
        "Acme",
        "--db",
        db.to_str().expect("path"),
        "--out",
        out.to_str().expect("path"),
        "--allow-private-networks",
        "--max-pages",
        "300",
        "--include",
        "/gen/**",
    ])
    .spawn()
    .expect("spawn");
    // Half way: once some pages are saved, well before the budget.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let saved = if db.exists() {
            rusqlite::Connection::open(&db)
                .and_then(|conn| {
                    conn.query_row("SELECT count(*) FROM pages", [], |row| row.get::<_, i64>(0))
                })
                .unwrap_or(0)
        } else {
            0
        };
        if saved >= 5 {
            break;
        }
        assert!(Instant::now() < deadline, "the crawl saved nothing in time");
        std::thread::sleep(Duration::from_millis(100));
    }
    let interrupted_at = Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(status.success());
    let output = wait_output(child, Duration::from_secs(30));
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(
        interrupted_at.elapsed() < Duration::from_secs(10),
        "Ctrl-C took {:?}",
        interrupted_at.elapsed()
    );
    assert!(
        stderr.contains("Interrupted: stopping the crawl"),
        "{stderr}"
    );
    assert!(stdout.starts_with("Interrupted after "), "{stdout}");
    let saved = query_i64(&db, "SELECT count(*) FROM pages");
    assert!((5..300).contains(&saved), "{saved} pages saved");
    let conn = rusqlite::Connection::open(&db).expect("open");
    let (state, reason): (String, String) = conn
        .query_row("SELECT status, finish_reason FROM jobs", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .expect("the job row");
    assert_eq!((state.as_str(), reason.as_str()), ("finished", "cancelled"));
    let chunks = query_i64(&db, "SELECT count(*) FROM chunks");
    let lines = std::fs::read_to_string(&out)
        .expect("the JSONL file")
        .lines()
        .count();
    assert_eq!(lines as i64, chunks, "every saved chunk is written out");
    crate::helpers::assert_database_sound(&db);
}
