//! Black-box helpers: the real `docscrape` binary on 127.0.0.1:0 with a temp SQLite file
//! (or, in the suite's PostgreSQL run, a fresh database on a throwaway cluster), a
//! blocking HTTP client, and polling.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, Response};
use serde_json::{json, Value};

/// Which database the suite runs on: each suite's `main.rs` says (`crate::BACKEND`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where a new test server keeps its data: `file` on SQLite, a fresh database of the
/// test cluster on PostgreSQL (SQLite again when no server is installed here).
pub fn new_database(file: PathBuf) -> PathBuf {
    if crate::BACKEND == Backend::Postgres {
        if let Some(cluster) = crate::postgres_cluster::cluster() {
            return PathBuf::from(crate::postgres_cluster::fresh_database(cluster));
        }
    }
    file
}

/// Whether `db` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres(db: &Path) -> bool {
    db.to_str()
        .is_some_and(|text| text.starts_with("postgres://"))
}

pub struct TestApp {
    pub address: String,
    pub client: Client,
    pub db_path: PathBuf,
    extra_args: Vec<String>,
    extra_env: Vec<(String, String)>,
    child: Option<Child>,
    /// Every line the current process printed on stdout after its listening line.
    stdout_lines: Arc<Mutex<Vec<String>>>,
    _dir: Option<tempfile::TempDir>,
}

impl TestApp {
    pub fn spawn() -> TestApp {
        TestApp::spawn_with(&[])
    }

    /// Starts the server with `--allow-private-networks` (fixtures are on loopback) and `args`.
    pub fn spawn_with(args: &[&str]) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let db_path = new_database(dir.path().join("nested").join("docscrape.db"));
        let mut extra: Vec<String> = vec!["--allow-private-networks".into()];
        extra.extend(args.iter().map(|a| a.to_string()));
        TestApp::start(db_path, extra, Some(dir))
    }

    /// Like `spawn_with`, with `env` added to the server's environment (kept on restarts
    /// until `restart_with_env` replaces it).
    pub fn spawn_with_env(args: &[&str], env: &[(&str, &str)]) -> TestApp {
        let mut app = TestApp::spawn_with(args);
        app.restart_with_env(env);
        app
    }

    /// Starts the server without `--allow-private-networks`.
    pub fn spawn_strict() -> TestApp {
        TestApp::spawn_strict_with(&[])
    }

    /// Starts the server with exactly `args` (no `--allow-private-networks`).
    pub fn spawn_strict_with(args: &[&str]) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let db_path = new_database(dir.path().join("docscrape.db"));
        let args = args.iter().map(|a| a.to_string()).collect();
        TestApp::start(db_path, args, Some(dir))
    }

    /// Starts the server on an existing database file (one a `docscrape scrape` wrote).
    pub fn spawn_on_db(db_path: &Path, args: &[&str]) -> TestApp {
        let args = args.iter().map(|a| a.to_string()).collect();
        TestApp::start(db_path.to_path_buf(), args, None)
    }

    /// Whether this server runs on PostgreSQL; tests that open the SQLite file
    /// themselves return early then.
    pub fn on_postgres(&self) -> bool {
        is_postgres(&self.db_path)
    }

    /// Starts the server on an existing database with `env` added to its environment.
    #[allow(dead_code)] // by the PostgreSQL suite's TLS test
    pub fn spawn_on_db_with_env(db_path: &Path, args: &[&str], env: &[(&str, &str)]) -> TestApp {
        let mut app = TestApp::spawn_on_db_deferred(db_path, args);
        app.extra_env = env
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        app.restart();
        app
    }

    /// A server not started yet (`restart` starts it).
    #[allow(dead_code)] // by the PostgreSQL suite's TLS test
    fn spawn_on_db_deferred(db_path: &Path, args: &[&str]) -> TestApp {
        TestApp {
            address: String::new(),
            client: Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            db_path: db_path.to_path_buf(),
            extra_args: args.iter().map(|a| a.to_string()).collect(),
            extra_env: Vec::new(),
            child: None,
            stdout_lines: Arc::new(Mutex::new(Vec::new())),
            _dir: None,
        }
    }

    fn start(db_path: PathBuf, extra_args: Vec<String>, dir: Option<tempfile::TempDir>) -> TestApp {
        let (child, address, stdout_lines) = launch(&db_path, &extra_args, &[]);
        TestApp {
            address,
            client: Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            db_path,
            extra_args,
            extra_env: Vec::new(),
            child: Some(child),
            stdout_lines,
            _dir: dir,
        }
    }

    /// SIGKILLs the server (no chance to clean up) and starts it again on the same file.
    pub fn crash_and_restart(&mut self) {
        self.restart();
    }

    /// SIGKILLs the server and starts it again on the same file with `env` added to its
    /// environment (e.g. test faults); an empty `env` starts it plain.
    pub fn restart_with_env(&mut self, env: &[(&str, &str)]) {
        self.extra_env = env
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        self.restart();
    }

    /// Waits until the server prints `line` on stdout (a fault point reports itself so).
    pub fn wait_for_stdout_line(&self, line: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            if self
                .stdout_lines
                .lock()
                .expect("stdout lines")
                .iter()
                .any(|seen| seen == line)
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not print {line:?} within {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends SIGTERM and waits for the process to exit, failing the test if it has not
    /// after a generous minute (its own shutdown timeout is 5 s).
    pub fn terminate(&mut self) {
        if let Some(mut child) = self.child.take() {
            let status = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .expect("kill -TERM");
            assert!(status.success());
            let deadline = Instant::now() + Duration::from_secs(60);
            while child.try_wait().expect("try_wait").is_none() {
                if Instant::now() > deadline {
                    let _ = child.kill();
                    panic!("the server did not exit within 60 s of SIGTERM");
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// SIGKILLs the server and starts it again on the same database file.
    pub fn restart(&mut self) {
        self.kill();
        let (child, address, stdout_lines) =
            launch(&self.db_path, &self.extra_args, &self.extra_env);
        self.child = Some(child);
        self.address = address;
        self.stdout_lines = stdout_lines;
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().expect("GET")
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .expect("POST")
    }

    pub fn delete(&self, path: &str) -> Response {
        self.client.delete(self.url(path)).send().expect("DELETE")
    }

    pub fn create_session(&self) -> String {
        let response = self
            .client
            .post(self.url("/api/v1/session"))
            .send()
            .expect("POST session");
        assert_eq!(response.status(), 201);
        let body: Value = response.json().expect("json");
        body["sessionId"].as_str().expect("sessionId").to_string()
    }

    pub fn start_scrape(&self, session: &str, body: Value) -> String {
        let response = self.post_json(&format!("/api/v1/scrape/{session}/scrape"), &body);
        let status = response.status();
        let body: Value = response.json().expect("json");
        assert_eq!(status, 200, "start scrape: {body}");
        body["jobId"].as_str().expect("jobId").to_string()
    }

    pub fn status(&self, session: &str, job: &str) -> Value {
        let response = self.get(&format!("/api/v1/scrape/{session}/scrape?jobId={job}"));
        assert_eq!(response.status(), 200);
        response.json().expect("json")
    }

    /// Polls until `done(status)` holds, checking the contract's invariants on every poll.
    pub fn wait_until(
        &self,
        session: &str,
        job: &str,
        timeout: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + timeout;
        let mut last_completed = 0;
        loop {
            let status = self.status(session, job);
            assert_status_invariants(&status);
            let completed = status["progress"]["completedIterations"]
                .as_i64()
                .unwrap_or(0);
            assert!(
                completed >= last_completed,
                "completedIterations went backwards: {status}"
            );
            last_completed = completed;
            if done(&status) {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting; last status {status}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_until_over(&self, session: &str, job: &str) -> Value {
        self.wait_until(session, job, Duration::from_secs(60), |s| {
            matches!(s["status"].as_str(), Some("finished") | Some("failed"))
        })
    }

    pub fn scrape_site(&self, start_url: &str, extra: Value) -> (String, String, Value) {
        let session = self.create_session();
        let mut body = json!({"starterLinks": [start_url], "applicationName": "Acme Directory", "skipCache": true});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            for (key, value) in extra {
                body.insert(key.clone(), value.clone());
            }
        }
        let job = self.start_scrape(&session, body);
        let status = self.wait_until_over(&session, &job);
        (session, job, status)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.kill();
    }
}

type StdoutLines = Arc<Mutex<Vec<String>>>;

fn launch(
    db_path: &Path,
    extra_args: &[String],
    extra_env: &[(String, String)],
) -> (Child, String, StdoutLines) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_docscrape"))
        .args(["serve", "--bind", "127.0.0.1:0", "--db"])
        .arg(db_path)
        .args(extra_args)
        .env(
            "RUST_LOG",
            std::env::var("TEST_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .envs(extra_env.iter().map(|(key, value)| (key, value)))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn docscrape");
    let stdout = child.stdout.take().expect("stdout");
    // A reader thread keeps the pipe open for the process's life and collects what it
    // prints after the listening line.
    let lines: StdoutLines = Arc::new(Mutex::new(Vec::new()));
    let (first_tx, first_rx) = mpsc::channel();
    let collected = lines.clone();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        let _ = reader.read_line(&mut first);
        let _ = first_tx.send(first);
        for line in reader.lines().map_while(Result::ok) {
            collected.lock().expect("stdout lines").push(line);
        }
    });
    let line = first_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("read the listening line");
    let address = line
        .trim()
        .strip_prefix("docscrape listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (child, address, lines)
}

/// The rules every status object obeys, whatever the job's state.
pub fn assert_status_invariants(status: &Value) {
    let object = status.as_object().expect("status object");
    for (key, value) in object {
        assert!(!value.is_null(), "{key} is null in {status}");
    }
    let state = status["status"].as_str().expect("status");
    assert_eq!(
        object.contains_key("result"),
        state == "finished",
        "result only when finished: {status}"
    );
    assert_eq!(
        object.contains_key("errors"),
        state == "failed",
        "errors only when failed: {status}"
    );
    if state == "not_found" {
        assert_eq!(object.len(), 2, "{status}");
        return;
    }
    for key in ["jobId", "createdAt", "updatedAt", "progress"] {
        assert!(object.contains_key(key), "{key} missing: {status}");
    }
    let progress = &status["progress"];
    let stage = progress["stage"].as_str().expect("stage");
    let expected_stage = match state {
        "queued" => "queue",
        "running" => "running",
        "finished" => "finished",
        _ => "failed",
    };
    assert_eq!(stage, expected_stage, "{status}");
    assert!(progress["message"].as_str().is_some_and(|m| !m.is_empty()));
    if state == "queued" {
        assert!(progress.get("completedIterations").is_none(), "{status}");
        assert!(object.get("startedAt").is_none(), "{status}");
    } else {
        let completed = progress["completedIterations"].as_i64().expect("completed");
        let total = progress["totalIterations"].as_i64().expect("total");
        assert!(completed <= total, "{status}");
        assert!(object.contains_key("startedAt"), "{status}");
    }
    for key in ["createdAt", "updatedAt", "startedAt"] {
        if let Some(at) = status[key].as_str() {
            assert!(at.ends_with("+00:00"), "{key} {at}");
        }
    }
    if state == "finished" {
        let result = &status["result"];
        let pages = result["savedPages"].as_object().expect("savedPages");
        assert_eq!(
            result["savedPagesCount"].as_i64(),
            Some(pages.len() as i64),
            "{status}"
        );
        let chunk_sum: i64 = pages
            .values()
            .map(|p| p["chunks"].as_i64().expect("chunks"))
            .sum();
        assert_eq!(
            result["pageChunksCount"].as_i64(),
            Some(chunk_sum),
            "{status}"
        );
        for page in pages.values() {
            assert!(
                page["title"].is_string() && page["scrapedAt"].is_string(),
                "{page}"
            );
        }
    }
}

/// The URLs of a finished job's `result.savedPages`.
pub fn saved_urls(status: &Value) -> std::collections::BTreeSet<String> {
    status["result"]["savedPages"]
        .as_object()
        .map(|pages| pages.keys().cloned().collect())
        .unwrap_or_default()
}

/// The URL of every document of a session's documentation, in the order served.
pub fn documentation_urls(app: &TestApp, session: &str) -> Vec<String> {
    let docs: Value = app
        .get(&format!("/api/v1/session/{session}/documentation"))
        .json()
        .expect("json");
    docs.as_array()
        .expect("list")
        .iter()
        .map(|bundle| {
            bundle["chunks"][0]["url"]
                .as_str()
                .expect("url")
                .to_string()
        })
        .collect()
}

/// What a crash must never leave behind: a corrupt file, a page saved twice, a chunk
/// written twice, or a page row without its chunks (a half-written page).
pub fn assert_database_sound(db_path: &Path) {
    if is_postgres(db_path) {
        return assert_postgres_sound(db_path);
    }
    let conn = rusqlite::Connection::open(db_path).expect("open the database");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity_check");
    assert_eq!(check, "ok");
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |row| row.get(0)).expect(sql) };
    assert_eq!(
        count("SELECT count(*) FROM (SELECT 1 FROM chunks GROUP BY page_id, chunk_number HAVING count(*) > 1)"),
        0,
        "duplicate chunks"
    );
    assert_eq!(
        count("SELECT count(*) FROM (SELECT 1 FROM pages GROUP BY session_id, url HAVING count(*) > 1)"),
        0,
        "a page saved twice in one session"
    );
    assert_eq!(
        count("SELECT count(*) FROM pages p WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.page_id = p.id)"),
        0,
        "a page without chunks"
    );
}

/// One integer a query answers (`?1` … are `args`), on either backend.
pub fn query_i64(db: &Path, sql: &str, args: &[&str]) -> i64 {
    if is_postgres(db) {
        let url = db.to_str().expect("URL");
        let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
        let sql = sql.replace('?', "$");
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> = args
            .iter()
            .map(|arg| arg as &(dyn postgres::types::ToSql + Sync))
            .collect();
        let row = client.query_one(&sql, &params).expect(&sql);
        return row.get::<_, i64>(0);
    }
    let conn = rusqlite::Connection::open(db).expect("open the database");
    conn.query_row(sql, rusqlite::params_from_iter(args), |row| row.get(0))
        .expect(sql)
}

/// The same checks on a PostgreSQL database (whose own integrity is the server's).
fn assert_postgres_sound(db: &Path) {
    let url = db.to_str().expect("URL");
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
    for (sql, what) in SOUNDNESS_CHECKS {
        let found: i64 = client.query_one(*sql, &[]).expect(sql).get(0);
        assert_eq!(found, 0, "{what}");
    }
}

const SOUNDNESS_CHECKS: &[(&str, &str)] = &[
    (
        "SELECT count(*) FROM (SELECT 1 FROM chunks GROUP BY page_id, chunk_number HAVING count(*) > 1) d",
        "duplicate chunks",
    ),
    (
        "SELECT count(*) FROM (SELECT 1 FROM pages GROUP BY session_id, url HAVING count(*) > 1) d",
        "a page saved twice in one session",
    ),
    (
        "SELECT count(*) FROM pages p WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.page_id = p.id)",
        "a page without chunks",
    ),
];

/// A request sent byte for byte as given (no client normalises its path), and the answer's
/// status code and body. For spellings of a path that HTTP clients would rewrite.
pub fn raw_request(
    address: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
) -> (u16, String) {
    use std::io::{Read, Write};
    let authority = address.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(authority).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("read timeout");
    let mut request = format!(
        "{method} {target} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Length: 0\r\n"
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).to_string();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    (status, body)
}

/// The pid of the docscrape process started on `db_path`: the one process whose command
/// line has that (per-test, temporary) path as an argument.
pub fn pid_of_server_using(db_path: &Path) -> u32 {
    let wanted = db_path.as_os_str().as_encoded_bytes();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if cmdline.split(|b| *b == 0).any(|arg| arg == wanted) {
            found.push(pid);
        }
    }
    assert_eq!(
        found.len(),
        1,
        "processes using {}: {found:?}",
        db_path.display()
    );
    found[0]
}

/// VmHWM (peak resident set size) of a process, in KiB.
pub fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("process status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no VmHWM in /proc/{pid}/status"))
}

/// CPU time (user + system) a process has used so far, in clock ticks (1/100 s on Linux).
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("process stat");
    // Fields after the command name (which is in parentheses and may hold spaces).
    let after = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    ticks(11) + ticks(12)
}

/// Waits until the process uses (almost) no CPU for a whole second and returns its CPU
/// ticks then; fails after `timeout`.
pub fn wait_until_idle(pid: u32, timeout: Duration) -> u64 {
    let deadline = Instant::now() + timeout;
    let mut samples = std::collections::VecDeque::new();
    loop {
        let now = cpu_ticks(pid);
        samples.push_back(now);
        if samples.len() > 6 {
            samples.pop_front();
            // At most 3 ticks (30 ms) in the last second: idle.
            if now - samples[0] <= 3 {
                return now;
            }
        }
        assert!(
            Instant::now() < deadline,
            "process {pid} still busy after {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
