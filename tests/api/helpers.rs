//! Black-box helpers: the real `docscrape` binary on 127.0.0.1:0 with a temp SQLite file,
//! a blocking HTTP client, and polling.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, Response};
use serde_json::{json, Value};

pub struct TestApp {
    pub address: String,
    pub client: Client,
    pub db_path: PathBuf,
    extra_args: Vec<String>,
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

impl TestApp {
    pub fn spawn() -> TestApp {
        TestApp::spawn_with(&[])
    }

    /// Starts the server with `--allow-private-networks` (fixtures are on loopback) and `args`.
    pub fn spawn_with(args: &[&str]) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let db_path = dir.path().join("nested").join("docscrape.db");
        let mut extra: Vec<String> = vec!["--allow-private-networks".into()];
        extra.extend(args.iter().map(|a| a.to_string()));
        TestApp::start(db_path, extra, Some(dir))
    }

    /// Starts the server without `--allow-private-networks`.
    pub fn spawn_strict() -> TestApp {
        TestApp::spawn_strict_with(&[])
    }

    /// Starts the server with exactly `args` (no `--allow-private-networks`).
    pub fn spawn_strict_with(args: &[&str]) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let db_path = dir.path().join("docscrape.db");
        let args = args.iter().map(|a| a.to_string()).collect();
        TestApp::start(db_path, args, Some(dir))
    }

    fn start(db_path: PathBuf, extra_args: Vec<String>, dir: Option<tempfile::TempDir>) -> TestApp {
        let (child, address) = launch(&db_path, &extra_args);
        TestApp {
            address,
            client: Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            db_path,
            extra_args,
            child: Some(child),
            _dir: dir,
        }
    }

    /// SIGKILLs the server (no chance to clean up) and starts it again on the same file.
    pub fn crash_and_restart(&mut self) {
        self.kill();
        let (child, address) = launch(&self.db_path, &self.extra_args);
        self.child = Some(child);
        self.address = address;
    }

    /// Sends SIGTERM and waits for the process to exit; returns how long that took.
    pub fn terminate(&mut self) -> Duration {
        let started = Instant::now();
        if let Some(mut child) = self.child.take() {
            let status = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .expect("kill -TERM");
            assert!(status.success());
            let deadline = Instant::now() + Duration::from_secs(15);
            while child.try_wait().expect("try_wait").is_none() {
                if Instant::now() > deadline {
                    let _ = child.kill();
                    panic!("the server did not exit within 15 s of SIGTERM");
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        started.elapsed()
    }

    /// Starts the server again on the same database file.
    pub fn restart(&mut self) {
        self.kill();
        let (child, address) = launch(&self.db_path, &self.extra_args);
        self.child = Some(child);
        self.address = address;
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

fn launch(db_path: &Path, extra_args: &[String]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_docscrape"))
        .args(["serve", "--bind", "127.0.0.1:0", "--db"])
        .arg(db_path)
        .args(extra_args)
        .env(
            "RUST_LOG",
            std::env::var("TEST_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn docscrape");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the listening line");
    let address = line
        .trim()
        .strip_prefix("docscrape listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (child, address)
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
