//! The original service's upload routes, against the real server: each format becomes
//! one document of `upload` chunks, HEAD follows an upload's job, PUT replaces all
//! documentation, JSON import replaces one document, bad and hostile files fail with one
//! clear line (or 413 / 415 at once), and upload jobs survive a SIGKILL.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use reqwest::blocking::Response;
use serde_json::{json, Value};

use crate::fixture_server::FixtureServer;
use crate::helpers::{assert_database_sound, TestApp};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
const FAULTS: &str = "DOCSCRAPE_TEST_FAULTS";

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{path}")).expect("fixture")
}

/// A multipart/form-data body with one file part named `field`.
fn form(field: &str, file_name: &str, content_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----docscrape-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\n\
         Content-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn send_file(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Response {
    let (header, body) = form("documentation", file_name, content_type, bytes);
    app.client
        .request(method, app.url(path))
        .header("content-type", header)
        .body(body)
        .send()
        .expect("upload")
}

/// POSTs a file to the session's documentation and returns the queued answer.
fn upload(
    app: &TestApp,
    session: &str,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Value {
    let path = format!("/api/v1/session/{session}/documentation");
    let response = send_file(
        app,
        reqwest::Method::POST,
        &path,
        file_name,
        content_type,
        bytes,
    );
    let status = response.status();
    let answer: Value = response.json().expect("json");
    assert_eq!(status, 200, "{file_name}: {answer}");
    answer
}

fn upload_jobs(app: &TestApp, session: &str) -> Value {
    let response = app.get(&format!("/api/v1/session/{session}/documentation/status"));
    assert_eq!(response.status(), 200);
    response.json().expect("json")
}

/// Polls the status route until the upload job is over; returns its entry.
fn wait_for_upload(app: &TestApp, session: &str, job: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let all = upload_jobs(app, session);
        let entry = all["uploadJobs"]
            .as_array()
            .expect("uploadJobs")
            .iter()
            .find(|entry| entry["jobId"] == job)
            .cloned()
            .unwrap_or_else(|| panic!("job {job} not listed: {all}"));
        assert_upload_entry_invariants(&entry);
        if matches!(entry["status"].as_str(), Some("finished" | "failed")) {
            return entry;
        }
        assert!(Instant::now() < deadline, "upload still not over: {entry}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn assert_upload_entry_invariants(entry: &Value) {
    let object = entry.as_object().expect("entry");
    for (key, value) in object {
        assert!(!value.is_null(), "{key} is null in {entry}");
    }
    for key in [
        "jobId",
        "docId",
        "fileName",
        "status",
        "createdAt",
        "updatedAt",
    ] {
        assert!(entry[key].is_string(), "{key} in {entry}");
    }
    assert_eq!(entry["type"], "documentation.processUpload");
    let status = entry["status"].as_str().expect("status");
    assert!(["queued", "running", "finished", "failed"].contains(&status));
    assert_eq!(object.contains_key("errors"), status == "failed", "{entry}");
    assert_eq!(
        object.contains_key("chunks"),
        status == "finished",
        "{entry}"
    );
    assert_eq!(
        object.contains_key("startedAt"),
        status != "queued",
        "{entry}"
    );
}

fn document(app: &TestApp, session: &str, doc: &str) -> Value {
    let response = app.get(&format!("/api/v1/session/{session}/documentation/{doc}"));
    assert_eq!(response.status(), 200, "document {doc}");
    response.json().expect("json")
}

/// All chunk contents of a document joined in order.
fn text_of(bundle: &Value) -> String {
    bundle["chunks"]
        .as_array()
        .expect("chunks")
        .iter()
        .map(|chunk| chunk["content"].as_str().expect("content"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn head_status(app: &TestApp, session: &str, doc: &str) -> (u16, Option<String>) {
    let response = app
        .client
        .head(app.url(&format!("/api/v1/session/{session}/documentation/{doc}")))
        .send()
        .expect("HEAD");
    let job = response
        .headers()
        .get("x-job-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    (response.status().as_u16(), job)
}

/// Uploads a file and waits for its document; returns (job entry, bundle).
fn upload_and_read(
    app: &TestApp,
    session: &str,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> (Value, Value) {
    let queued = upload(app, session, file_name, content_type, bytes);
    let entry = wait_for_upload(app, session, queued["jobId"].as_str().expect("jobId"));
    assert_eq!(entry["status"], "finished", "{file_name}: {entry}");
    let bundle = document(app, session, queued["docId"].as_str().expect("docId"));
    assert_eq!(
        bundle["chunks"].as_array().map(Vec::len),
        entry["chunks"].as_u64().map(|n| n as usize),
        "{file_name}"
    );
    for chunk in bundle["chunks"].as_array().expect("chunks") {
        assert_eq!(chunk["source"], "upload", "{chunk}");
        assert_eq!(chunk["url"], format!("upload://{file_name}"));
        assert_eq!(chunk["docId"], queued["docId"]);
        assert_eq!(chunk["scrapeJobIds"], json!([queued["jobId"]]));
        let metadata = &chunk["metadata"];
        assert!(metadata["token_count"].as_u64().is_some_and(|n| n > 0));
        assert!(metadata["category"].is_string() && metadata["tags"].is_array());
    }
    (entry, bundle)
}

fn sections(bundle: &Value) -> Vec<String> {
    bundle["chunks"]
        .as_array()
        .expect("chunks")
        .iter()
        .map(|chunk| {
            chunk["metadata"]["section"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

#[test]
fn every_supported_format_becomes_a_document_of_upload_chunks() {
    let mut app = TestApp::spawn_with(&["--chunk-tokens", "200"]);
    let session = app.create_session();

    // A real multi-page PDF with an outline: text in order, headings where it has them.
    let (entry, pdf) = upload_and_read(
        &app,
        &session,
        "acme-directory-guide.pdf",
        "application/pdf",
        &fixture("uploads/acme-directory-guide.pdf"),
    );
    assert_eq!(entry["contentType"], "application/pdf");
    assert_eq!(
        pdf["chunks"][0]["title"],
        "Acme Directory Integration Guide"
    );
    let text = text_of(&pdf);
    let order = [
        "# Introduction",
        "rate limit of 600 requests per minute",
        "# Authentication",
        "## Scopes",
        "## Creating an account",
        "# Groups",
        "Groups may be nested",
        "# Error handling",
        "rate_limited: the client sent too many requests",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|needle| {
            text.find(needle)
                .unwrap_or_else(|| panic!("{needle} missing"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert!(
        sections(&pdf).iter().any(|s| s.starts_with("Accounts")),
        "{:?}",
        sections(&pdf)
    );

    // DOCX: headings from styles, the table as a Markdown table, code fenced.
    let (_, docx) = upload_and_read(
        &app,
        &session,
        "acme-directory-guide.docx",
        "application/octet-stream",
        &fixture("uploads/acme-directory-guide.docx"),
    );
    let text = text_of(&docx);
    assert!(text.contains("| accounts.write | create, update and delete accounts |"));
    assert!(text.contains("```\nPOST /oauth/token"));
    assert!(sections(&docx)
        .iter()
        .any(|s| s.ends_with("Authentication > Scopes")));

    // This server's own OpenAPI document: one Markdown section per operation, then the raw text.
    let spec = app.get("/openapi.json").bytes().expect("openapi");
    let (entry, openapi) =
        upload_and_read(&app, &session, "openapi.json", "application/json", &spec);
    assert_eq!(entry["contentType"], "application/json");
    let text = text_of(&openapi);
    assert!(
        text.contains("## POST /api/v1/session/{session_id}/documentation"),
        "per-operation rendering"
    );
    assert!(text.contains("\"openapi\""), "the raw document follows");
    let endpoints: u64 = openapi["chunks"]
        .as_array()
        .expect("chunks")
        .iter()
        .map(|c| c["metadata"]["num_endpoints"].as_u64().unwrap_or(0))
        .sum();
    assert!(endpoints >= 10, "{endpoints}");

    // HTML goes through the crawler's extractor: the navigation is gone, headings stay.
    let (_, html) = upload_and_read(
        &app,
        &session,
        "api.html",
        "text/html",
        &fixture("site/reference/api.html"),
    );
    assert_eq!(
        html["chunks"][0]["title"],
        "REST API reference - Acme Directory"
    );
    let text = text_of(&html);
    assert!(text.contains("### Create a user") && text.contains("`POST /api/v1/users`"));
    assert!(!text.contains("Home"), "navigation kept: {text}");

    // Text formats, each detected from its name, its type or its bytes.
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        ("guide.adoc", "", "= Guide\n\n== Users\n\n[source,json]\n----\n{\"a\": 1}\n----\n", "text/asciidoc", "## Users\n\n```json\n{\"a\": 1}\n```"),
        ("notes.md", "text/markdown", "# Notes\n\nSome *notes*.\n", "text/markdown", "Some *notes*."),
        ("users.csv", "text/csv", "id,name\n1,Ann\n2,Bob\n", "text/csv", "2,Bob"),
        ("schema.sql", "", "CREATE TABLE users (id INT PRIMARY KEY);\n", "application/sql", "CREATE TABLE users"),
        ("service.wsdl", "", "<?xml version=\"1.0\"?><definitions name=\"Users\"/>\n", "application/xml", "<definitions name=\"Users\"/>"),
        ("schema.graphql", "", "type Query { users: [User] }\n", "application/graphql", "type Query"),
        ("config.yaml", "", "users:\n  - ann\n  - bob\n", "application/yaml", "  - bob"),
        ("readme", "application/octet-stream", "Plain words only.\n", "text/plain", "Plain words only."),
        ("spec.txt", "text/plain", "openapi: 3.0.0\ninfo: {title: Tiny, version: '1'}\npaths:\n  /users:\n    get: {summary: List users, responses: {'200': {description: ok}}}\n", "application/yaml", "## GET /users"),
        ("latin1.txt", "text/plain; charset=iso-8859-1", "caf\u{e9}", "text/plain", "café"),
    ];
    for (name, declared, body, expected_type, expected_text) in cases {
        let bytes: Vec<u8> = if name.starts_with("latin1") {
            body.chars().map(|c| c as u32 as u8).collect()
        } else {
            body.as_bytes().to_vec()
        };
        let (entry, bundle) = upload_and_read(&app, &session, name, declared, &bytes);
        assert_eq!(entry["contentType"], *expected_type, "{name}");
        let text = text_of(&bundle);
        assert!(text.contains(expected_text), "{name}: {text}");
    }

    // A Jupyter notebook reads as its cells, whatever type the client declared.
    let (entry, notebook) = upload_and_read(
        &app,
        &session,
        "fitting.ipynb",
        "application/octet-stream",
        &fixture("fidelity/notebooks/examples/fitting.ipynb"),
    );
    assert_eq!(entry["contentType"], "application/x-ipynb+json");
    assert_eq!(
        notebook["chunks"][0]["title"],
        "Fitting a line to directory sizes"
    );
    let text = text_of(&notebook);
    assert!(
        text.contains("```python\nimport acme_directory as acme\n") && !text.contains("cell_type"),
        "{text}"
    );

    // Uploaded documents are listed with the others, each once.
    let all: Value = app
        .get(&format!("/api/v1/session/{session}/documentation"))
        .json()
        .expect("json");
    assert_eq!(all.as_array().map(Vec::len), Some(5 + cases.len()));
    let status = upload_jobs(&app, &session);
    assert_eq!(status["totalUploads"], 5 + cases.len());
    app.kill();
    assert_database_sound(&app.db_path);
}

#[test]
fn file_names_are_sanitised_and_two_uploads_of_one_name_are_two_documents() {
    let app = TestApp::spawn();
    let session = app.create_session();
    let first = upload(
        &app,
        &session,
        "../../etc/  Spec   .md",
        "text/markdown",
        b"# One\n",
    );
    let second = upload(&app, &session, "Spec.md", "text/markdown", b"# Two\n");
    assert_ne!(first["docId"], second["docId"]);
    for queued in [&first, &second] {
        let entry = wait_for_upload(&app, &session, queued["jobId"].as_str().expect("job"));
        assert_eq!(entry["status"], "finished", "{entry}");
    }
    let one = document(&app, &session, first["docId"].as_str().expect("doc"));
    assert_eq!(one["chunks"][0]["url"], "upload://Spec .md");
    let two = document(&app, &session, second["docId"].as_str().expect("doc"));
    assert_eq!(two["chunks"][0]["url"], "upload://Spec.md");
}

#[test]
fn post_into_a_document_replaces_it_when_done_and_head_follows_the_job() {
    // One job at a time, and the first upload job stops once it is running.
    let mut app = TestApp::spawn_with_env(
        &["--max-concurrent-jobs", "1"],
        &[(FAULTS, "pause@upload-process")],
    );
    let session = app.create_session();
    let path = format!("/api/v1/session/{session}/documentation");
    let first = upload(
        &app,
        &session,
        "first.md",
        "text/markdown",
        b"# First\n\nold text\n",
    );
    let doc = first["docId"].as_str().expect("doc").to_string();
    assert_eq!(
        first["message"],
        "Documentation upload queued for processing"
    );
    assert_eq!(first["status"], "queued");
    app.wait_for_stdout_line(
        "docscrape paused at fault point upload-process",
        Duration::from_secs(30),
    );
    // Running: 202 with the job's id.
    assert_eq!(
        head_status(&app, &session, &doc),
        (202, first["jobId"].as_str().map(String::from))
    );
    let second_doc = "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e";
    let answer = send_file(
        &app,
        reqwest::Method::POST,
        &format!("{path}/{second_doc}"),
        "second.md",
        "text/markdown",
        b"# Second\n\nqueued text\n",
    );
    assert_eq!(answer.status(), 200);
    let second: Value = answer.json().expect("json");
    assert_eq!(second["docId"], second_doc);
    let listed = upload_jobs(&app, &session);
    let states: Vec<&str> = listed["uploadJobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|job| job["status"].as_str().expect("status"))
        .collect();
    assert_eq!(states, ["running", "queued"], "{listed}");
    // Queued: 202 as well; an unknown document is a 404.
    assert_eq!(head_status(&app, &session, second_doc).0, 202);
    assert_eq!(
        head_status(&app, &session, "11111111-2222-4333-8444-555555555555").0,
        404
    );

    // SIGKILL with one job running and one queued: both resume after the restart.
    app.restart_with_env(&[]);
    for queued in [&first, &second] {
        let entry = wait_for_upload(&app, &session, queued["jobId"].as_str().expect("job"));
        assert_eq!(entry["status"], "finished", "{entry}");
    }
    assert_eq!(head_status(&app, &session, &doc), (204, None));
    assert_eq!(head_status(&app, &session, second_doc), (204, None));
    assert!(text_of(&document(&app, &session, &doc)).contains("old text"));

    // Uploading into an existing document replaces its chunks once the job is done.
    let answer = send_file(
        &app,
        reqwest::Method::POST,
        &format!("{path}/{doc}"),
        "first-v2.md",
        "text/markdown",
        b"# First, again\n\nnew text\n",
    );
    let replaced: Value = answer.json().expect("json");
    assert_eq!(replaced["docId"], doc.as_str());
    let entry = wait_for_upload(&app, &session, replaced["jobId"].as_str().expect("job"));
    assert_eq!(entry["status"], "finished");
    let bundle = document(&app, &session, &doc);
    let text = text_of(&bundle);
    assert!(
        text.contains("new text") && !text.contains("old text"),
        "{text}"
    );
    assert_eq!(bundle["chunks"][0]["url"], "upload://first-v2.md");
    let all: Value = app.get(&path).json().expect("json");
    assert_eq!(all.as_array().map(Vec::len), Some(2));

    // A document id of another session is refused before the body is read.
    let other = app.create_session();
    let refused = send_file(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/session/{other}/documentation/{doc}"),
        "x.md",
        "text/markdown",
        b"# X\n",
    );
    assert_eq!(refused.status(), 409);
    app.kill();
    assert_database_sound(&app.db_path);
}

#[test]
fn put_replaces_all_scraped_and_uploaded_documentation_once_the_file_is_processed() {
    let server = FixtureServer::site("site");
    let app = TestApp::spawn();
    let (session, _, scraped) = app.scrape_site(&server.url("/"), json!({}));
    assert_eq!(scraped["status"], "finished");
    let before = upload(&app, &session, "extra.md", "text/markdown", b"# Extra\n");
    wait_for_upload(&app, &session, before["jobId"].as_str().expect("job"));
    let path = format!("/api/v1/session/{session}/documentation");
    let listed: Value = app.get(&path).json().expect("json");
    assert!(listed.as_array().map_or(0, Vec::len) > 2);

    // A file that fails leaves the documentation as it was.
    let failed = send_file(
        &app,
        reqwest::Method::PUT,
        &path,
        "locked.pdf",
        "application/pdf",
        &fixture("uploads/password-protected.pdf"),
    );
    let failed: Value = failed.json().expect("json");
    let entry = wait_for_upload(&app, &session, failed["jobId"].as_str().expect("job"));
    assert_eq!(entry["status"], "failed");
    assert_eq!(app.get(&path).json::<Value>().expect("json"), listed);

    let answer = send_file(
        &app,
        reqwest::Method::PUT,
        &format!("{path}?skipCache=true"),
        "acme-directory-guide.docx",
        "",
        &fixture("uploads/acme-directory-guide.docx"),
    );
    assert_eq!(answer.status(), 200);
    let answer: Value = answer.json().expect("json");
    assert_eq!(
        answer["message"],
        "Documentation replacement queued for processing"
    );
    let entry = wait_for_upload(&app, &session, answer["jobId"].as_str().expect("job"));
    assert_eq!(entry["status"], "finished", "{entry}");
    let after: Value = app.get(&path).json().expect("json");
    let after = after.as_array().expect("list");
    assert_eq!(after.len(), 1);
    assert_eq!(after[0]["docId"], answer["docId"]);
    assert_eq!(after[0]["chunks"][0]["source"], "upload");
}

#[test]
fn json_import_replaces_one_document_and_names_every_bad_field() {
    let app = TestApp::spawn();
    let session = app.create_session();
    let queued = upload(
        &app,
        &session,
        "notes.md",
        "text/markdown",
        b"# Notes\n\nfirst version\n",
    );
    wait_for_upload(&app, &session, queued["jobId"].as_str().expect("job"));
    let doc = queued["docId"].as_str().expect("doc");
    let path = format!("/api/v1/session/{session}/documentation/{doc}");
    let put = |body: &Value| {
        app.client
            .put(app.url(&path))
            .json(body)
            .send()
            .expect("PUT")
    };

    // An exported document, edited and imported back.
    let mut bundle = document(&app, &session, doc);
    bundle["chunks"][0]["content"] = json!("# Notes\n\nedited by a person");
    bundle["chunks"][0]["summary"] = json!("Edited notes");
    let extra_chunk = json!({"chunkId": "0b0f6a52-5f0e-4b0c-9a55-3c1f2f1e9d01", "source": "scraper",
        "url": "https://docs.example.com/more", "content": "More text.", "metadata": {"section": "More", "tags": ["x"]}});
    bundle["chunks"]
        .as_array_mut()
        .expect("chunks")
        .push(extra_chunk);
    let answer = put(&bundle);
    assert_eq!(answer.status(), 200);
    let answer: Value = answer.json().expect("json");
    assert_eq!(
        answer,
        json!({"message": "Documentation imported successfully", "sessionId": session,
                               "docId": doc, "importedChunks": 2})
    );
    let stored = document(&app, &session, doc);
    assert_eq!(
        stored["chunks"][0]["content"],
        "# Notes\n\nedited by a person"
    );
    assert_eq!(stored["chunks"][0]["summary"], "Edited notes");
    assert_eq!(stored["chunks"][0]["url"], "upload://notes.md");
    assert_eq!(stored["chunks"][1]["source"], "scraper");
    assert_eq!(stored["chunks"][1]["url"], "https://docs.example.com/more");
    assert_eq!(stored["chunks"][1]["metadata"]["section"], "More");
    assert_eq!(stored["chunks"][1]["metadata"]["tags"], json!(["x"]));
    assert_eq!(stored["chunks"][1]["metadata"]["chunk_number"], 1);
    assert_eq!(stored["chunks"][1]["metadata"]["token_count"], 3);

    // Bad bodies: 422 naming each field.
    let locs = |body: Value| -> Vec<Value> {
        let response = put(&body);
        assert_eq!(response.status(), 422, "{body}");
        let answer: Value = response.json().expect("json");
        answer["detail"]
            .as_array()
            .expect("detail list")
            .iter()
            .map(|issue| issue["loc"].clone())
            .collect()
    };
    assert_eq!(locs(json!([])), vec![json!(["body"])]);
    assert_eq!(locs(json!({"docId": doc})), vec![json!(["body", "chunks"])]);
    assert_eq!(
        locs(json!({"docId": "11111111-2222-4333-8444-555555555555", "chunks": []})),
        vec![json!(["body", "docId"])]
    );
    let chunk = |id: &str| json!({"chunkId": id, "source": "upload", "content": "x"});
    assert_eq!(
        locs(
            json!({"chunks": [{"chunkId": "nope", "content": 5, "createdAt": "yesterday", "metadata": []}]})
        ),
        vec![
            json!(["body", "chunks", 0, "chunkId"]),
            json!(["body", "chunks", 0, "source"]),
            json!(["body", "chunks", 0, "content"]),
            json!(["body", "chunks", 0, "createdAt"]),
            json!(["body", "chunks", 0, "metadata"]),
        ]
    );
    let same = "2c5e8f0a-1b3d-4e6f-8a9b-0c1d2e3f4a5b";
    assert_eq!(
        locs(json!({"chunks": [chunk(same), chunk(same)]})),
        vec![json!(["body", "chunks", 1, "chunkId"])]
    );
    let not_json = app
        .client
        .put(app.url(&path))
        .body("{nope")
        .send()
        .expect("PUT");
    assert_eq!(not_json.status(), 422);
    // A chunk id another document uses is a conflict; nothing changed.
    let other = upload(&app, &session, "other.md", "text/markdown", b"# Other\n");
    wait_for_upload(&app, &session, other["jobId"].as_str().expect("job"));
    let taken = document(&app, &session, other["docId"].as_str().expect("doc"))["chunks"][0]
        ["chunkId"]
        .clone();
    let conflict = put(&json!({"chunks": [chunk(taken.as_str().expect("id"))]}));
    assert_eq!(conflict.status(), 409);
    assert_eq!(document(&app, &session, doc), stored);
    // Importing into a new id creates the document; an empty list removes it.
    let fresh = "7a0e3c1b-2d4f-4a6b-9c8d-1e2f3a4b5c6d";
    let created = app
        .client
        .put(app.url(&format!("/api/v1/session/{session}/documentation/{fresh}")))
        .json(&json!({"docId": fresh, "chunks": [chunk("5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f")]}))
        .send()
        .expect("PUT");
    assert_eq!(created.status(), 200);
    assert_eq!(head_status(&app, &session, fresh).0, 204);
    let removed = app
        .client
        .put(app.url(&format!("/api/v1/session/{session}/documentation/{fresh}")))
        .json(&json!({"chunks": []}))
        .send()
        .expect("PUT");
    assert_eq!(removed.json::<Value>().expect("json")["importedChunks"], 0);
    assert_eq!(head_status(&app, &session, fresh).0, 404);
    let unknown = app
        .client
        .put(app.url(&format!(
            "/api/v1/session/11111111-2222-4333-8444-555555555555/documentation/{fresh}"
        )))
        .json(&json!({"chunks": []}))
        .send()
        .expect("PUT");
    assert_eq!(unknown.status(), 404);
}

#[test]
fn oversized_binary_empty_and_fieldless_uploads_are_refused_before_any_job() {
    let app = TestApp::spawn_with(&["--max-upload-bytes", "100000"]);
    let session = app.create_session();
    let path = format!("/api/v1/session/{session}/documentation");
    let post = |name: &str, content_type: &str, bytes: &[u8]| {
        send_file(
            &app,
            reqwest::Method::POST,
            &path,
            name,
            content_type,
            bytes,
        )
    };
    let detail = |response: Response| -> (u16, Value) {
        let status = response.status().as_u16();
        (
            status,
            response.json::<Value>().expect("json")["detail"].clone(),
        )
    };

    // 413: a declared length over the limit, and a chunked body that grows past it.
    let (status, message) = detail(post("big.txt", "text/plain", &vec![b'a'; 150_000]));
    assert_eq!(status, 413);
    assert!(
        message.as_str().is_some_and(|m| m.contains("100000")),
        "{message}"
    );
    let (header, body) = form(
        "documentation",
        "big.txt",
        "text/plain",
        &vec![b'a'; 150_000],
    );
    let streamed = app
        .client
        .post(app.url(&path))
        .header("content-type", header)
        .body(reqwest::blocking::Body::new(std::io::Cursor::new(body)))
        .send()
        .expect("POST");
    assert_eq!(streamed.status(), 413);
    // Exactly the limit is accepted.
    let fits = post("fits.txt", "text/plain", &vec![b'a'; 100_000]);
    assert_eq!(fits.status(), 200);

    // 415 at once when the bytes say it is no document, whatever the name says.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
    let (status, message) = detail(post("diagram.pdf", "application/pdf", png));
    assert_eq!(status, 415);
    assert!(
        message.as_str().is_some_and(|m| m.contains("PNG image")),
        "{message}"
    );
    let noise: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert_eq!(
        post("data.bin", "application/octet-stream", &noise).status(),
        415
    );
    assert_eq!(
        post(
            "old.doc",
            "application/msword",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0"
        )
        .status(),
        415
    );
    let mut zip = b"PK\x03\x04".to_vec();
    zip.extend([0u8; 22]);
    zip.extend(7u16.to_le_bytes());
    zip.extend([0u8; 2]);
    zip.extend(b"a/b.txt");
    assert_eq!(post("docs.zip", "application/zip", &zip).status(), 415);

    // 422: an empty file, no file field, a body that is no form, a bad skipCache.
    let (status, message) = detail(post("empty.md", "text/markdown", b""));
    assert_eq!(status, 422);
    assert_eq!(message[0]["loc"], json!(["body", "documentation"]));
    let (header, body) = form("file", "a.md", "text/markdown", b"# A\n");
    let wrong_field = app
        .client
        .post(app.url(&path))
        .header("content-type", header)
        .body(body)
        .send()
        .expect("POST");
    assert_eq!(wrong_field.status(), 422);
    let not_a_form = app.post_json(&path, &json!({"documentation": "x"}));
    assert_eq!(not_a_form.status(), 422);
    let bad_flag = send_file(
        &app,
        reqwest::Method::POST,
        &format!("{path}?skipCache=maybe"),
        "a.md",
        "",
        b"# A\n",
    );
    let (status, message) = detail(bad_flag);
    assert_eq!(status, 422);
    assert_eq!(message[0]["loc"], json!(["query", "skipCache"]));
    // 404 for an unknown session.
    let unknown = send_file(
        &app,
        reqwest::Method::POST,
        "/api/v1/session/11111111-2222-4333-8444-555555555555/documentation",
        "a.md",
        "",
        b"# A\n",
    );
    assert_eq!(unknown.status(), 404);

    // Only the file that fitted became a job; nothing of the refused ones was kept.
    let jobs = upload_jobs(&app, &session);
    assert_eq!(jobs["totalUploads"], 1, "{jobs}");
    app.get("/health");
    let spools = crate::helpers::query_i64(
        &app.db_path,
        "SELECT count(*) FROM upload_spools WHERE id NOT IN (SELECT job_id FROM uploads)",
        &[],
    );
    assert_eq!(spools, 0, "refused uploads left spooled bytes");
}

/// A minimal PDF from object bodies (object i + 1 is `objects[i]`; 1 is the catalog).
fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.5\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (index, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", index + 1).as_bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut body = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    body.extend(data);
    body.extend(b"\nendstream");
    body
}

fn deflate(data: impl Fn(&mut dyn Write)) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    data(&mut encoder);
    encoder.finish().expect("deflate")
}

#[test]
fn hostile_and_unreadable_files_fail_their_job_with_one_line_and_the_server_answers_on() {
    // One conversion at a time: these files burn CPU on purpose, and the tests that run
    // beside this one on a two-core machine must not be starved by them.
    let app = TestApp::spawn_with(&[
        "--max-concurrent-jobs",
        "1",
        "--upload-parse-timeout-secs",
        "2",
        "--upload-parse-memory-mib",
        "512",
    ]);
    let session = app.create_session();
    let font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec();

    // A scan: one page that only draws an image.
    let image_only = pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
        stream("", b"q 200 0 0 200 0 0 cm /Im1 Do Q"),
        stream("/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8", b"\x80"),
    ]);
    // A page tree whose /Parent chain loops (inherited attributes are looked up forever).
    let looping_parents = pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 5 0 R >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>".to_vec(),
        stream("", b"BT /F1 12 Tf 10 10 Td (hello) Tj ET"),
        b"<< /Type /Pages /Kids [] /Count 0 /Parent 2 0 R >>".to_vec(),
    ]);
    // A content stream that inflates to 1 GiB.
    let bomb = deflate(|out| {
        let block = vec![b' '; 1 << 20];
        for _ in 0..1024 {
            out.write_all(&block).expect("write");
        }
    });
    let decompression_bomb = pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
        stream("/Filter /FlateDecode", &bomb),
        font.clone(),
    ]);
    // 40,000 pages, each drawing 2,000 lines besides its text: far more than two
    // seconds of work (and little text, so that only the time limit can stop it).
    let pages = 40_000;
    let mut page_content = b"BT /F1 12 Tf 10 10 Td (Page text.) Tj ET\n".to_vec();
    page_content.extend(b"0 0 m 10 10 l S\n".repeat(2_000));
    let page_content = deflate(|out| out.write_all(&page_content).expect("write"));
    let mut many = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!(
            "<< /Type /Pages /Count {pages} /MediaBox [0 0 200 200] /Resources << /Font << /F1 4 0 R >> >> /Kids [{}] >>",
            (0..pages).map(|i| format!("{} 0 R", i + 5)).collect::<Vec<_>>().join(" ")
        )
        .into_bytes(),
        stream("/Filter /FlateDecode", &page_content),
        font.clone(),
    ];
    for _ in 0..pages {
        many.push(b"<< /Type /Page /Parent 2 0 R /Contents 3 0 R >>".to_vec());
    }
    let many_pages = pdf(&many);
    // Arrays nested 100,000 deep.
    let deep = pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots {}{} >>",
            "[".repeat(100_000),
            "]".repeat(100_000)
        )
        .into_bytes(),
    ]);
    // A DOCX whose document part inflates to 80 MiB of spaces.
    let mut docx_bomb = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut docx_bomb);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("word/document.xml", options).expect("entry");
        let block = vec![b' '; 1 << 20];
        for _ in 0..80 {
            zip.write_all(&block).expect("write");
        }
        zip.finish().expect("zip");
    }
    let docx_bomb = docx_bomb.into_inner();

    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "locked.pdf",
            fixture("uploads/password-protected.pdf"),
            "the PDF is encrypted with a password",
        ),
        ("scan.pdf", image_only, "no text layer"),
        ("loop.pdf", looping_parents, "took longer than 2 s"),
        ("bomb.pdf", decompression_bomb, "memory"),
        ("huge.pdf", many_pages, "took longer than 2 s"),
        ("bomb.docx", docx_bomb, "ZIP bomb"),
        (
            "broken.pdf",
            b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n".to_vec(),
            "not a readable PDF",
        ),
        (
            "fake.docx",
            b"PK\x03\x04 not really a zip".to_vec(),
            "not a readable DOCX",
        ),
    ];
    let started = Instant::now();
    let queued: Vec<(&str, Value, &str)> = cases
        .iter()
        .map(|(name, bytes, expected)| (*name, upload(&app, &session, name, "", bytes), *expected))
        .collect();
    let deep_job = upload(&app, &session, "deep.pdf", "application/pdf", &deep);
    for (name, queued, expected) in &queued {
        let entry = wait_for_upload(&app, &session, queued["jobId"].as_str().expect("job"));
        assert_eq!(entry["status"], "failed", "{name}: {entry}");
        let errors = entry["errors"].as_array().expect("errors");
        assert_eq!(errors.len(), 1, "{entry}");
        let line = errors[0].as_str().expect("line");
        assert!(
            line.starts_with(&format!("Failed to process {name}: ")),
            "{line}"
        );
        assert!(line.contains(expected), "{name}: {line}");
        assert!(!line.contains('\n'));
        assert_eq!(
            head_status(&app, &session, queued["docId"].as_str().expect("doc")).0,
            404
        );
    }
    // Deep nesting is either refused by the parser or read; never the server's end.
    let entry = wait_for_upload(&app, &session, deep_job["jobId"].as_str().expect("job"));
    assert!(
        entry["status"] == "failed" || entry["status"] == "finished",
        "{entry}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(app.get("/health").status(), 200);
    let good = upload(&app, &session, "ok.md", "text/markdown", b"# Still fine\n");
    assert_eq!(
        wait_for_upload(&app, &session, good["jobId"].as_str().expect("job"))["status"],
        "finished"
    );
}

#[test]
fn skip_cache_false_reuses_an_identical_upload_and_true_processes_again() {
    let app = TestApp::spawn();
    let first_session = app.create_session();
    let bytes = fixture("uploads/acme-directory-guide.pdf");
    let (first, first_doc) =
        upload_and_read(&app, &first_session, "guide.pdf", "application/pdf", &bytes);
    assert!(first.get("reusedFromJobId").is_none());

    let second_session = app.create_session();
    let (second, second_doc) = upload_and_read(
        &app,
        &second_session,
        "guide.pdf",
        "application/pdf",
        &bytes,
    );
    assert_eq!(second["reusedFromJobId"], first["jobId"], "{second}");
    assert_eq!(text_of(&second_doc), text_of(&first_doc));
    assert_ne!(
        second_doc["chunks"][0]["chunkId"],
        first_doc["chunks"][0]["chunkId"]
    );

    let path = format!("/api/v1/session/{second_session}/documentation?skipCache=true");
    let answer = send_file(
        &app,
        reqwest::Method::POST,
        &path,
        "guide.pdf",
        "application/pdf",
        &bytes,
    );
    let answer: Value = answer.json().expect("json");
    let third = wait_for_upload(
        &app,
        &second_session,
        answer["jobId"].as_str().expect("job"),
    );
    assert_eq!(third["status"], "finished");
    assert!(third.get("reusedFromJobId").is_none(), "{third}");
}

#[test]
fn the_openapi_document_describes_the_upload_routes() {
    let app = TestApp::spawn();
    let document: Value = app.get("/openapi.json").json().expect("json");
    let paths = &document["paths"];
    let list = &paths["/api/v1/session/{session_id}/documentation"];
    let one = &paths["/api/v1/session/{session_id}/documentation/{documentation_id}"];
    for operation in [&list["post"], &list["put"], &one["post"]] {
        assert!(
            operation["requestBody"]["content"]["multipart/form-data"].is_object(),
            "{operation}"
        );
        for status in ["200", "413", "415", "422"] {
            assert!(
                operation["responses"][status].is_object(),
                "{status} in {operation}"
            );
        }
    }
    assert!(one["put"]["requestBody"]["content"]["application/json"].is_object());
    assert!(one["head"]["responses"]["202"].is_object());
    assert!(paths["/api/v1/session/{session_id}/documentation/status"]["get"].is_object());
    let mut raw = Vec::new();
    app.get("/openapi.json")
        .read_to_end(&mut raw)
        .expect("read");
    assert!(String::from_utf8_lossy(&raw).contains("UploadJobItem"));
}
