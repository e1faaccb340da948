//! The operator routes: export (JSON Lines and a tar of Markdown), /metrics (behind the
//! token, parsed as Prometheus text), the dashboard's page list, page and job activity.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use serde_json::{json, Value};

use crate::fixture_server::FixtureServer;
use crate::helpers::TestApp;

/// A finished crawl of the fixture site: (app, site, session, job).
fn crawled(args: &[&str]) -> (TestApp, FixtureServer, String, String) {
    let app = TestApp::spawn_with(args);
    let site = FixtureServer::site("site");
    let (session, job, status) = app.scrape_site(&site.url("/"), json!({}));
    assert_eq!(status["status"], "finished", "{status}");
    (app, site, session, job)
}

fn documentation_chunks(app: &TestApp, session: &str) -> Vec<Value> {
    let bundles: Value = app
        .get(&format!("/api/v1/session/{session}/documentation"))
        .json()
        .expect("json");
    bundles
        .as_array()
        .expect("bundles")
        .iter()
        .flat_map(|bundle| bundle["chunks"].as_array().expect("chunks").clone())
        .collect()
}

#[test]
fn jsonl_export_is_every_chunk_of_the_documentation_one_a_line() {
    let (app, _site, session, _job) = crawled(&[]);
    let response = app.get(&format!(
        "/api/v1/session/{session}/documentation/export?format=jsonl"
    ));
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().ok(),
        Some("application/x-ndjson")
    );
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"docscrape-{session}.jsonl\"")
    );
    let body = response.text().expect("body");
    let lines: Vec<Value> = body
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect();
    assert!(body.ends_with('\n'));
    assert_eq!(lines, documentation_chunks(&app, &session));
    // Without `format`, JSON Lines too.
    let default = app
        .get(&format!("/api/v1/session/{session}/documentation/export"))
        .text()
        .expect("body");
    assert_eq!(default, body);
}

#[test]
fn markdown_export_is_a_tar_of_one_file_per_page_with_front_matter() {
    let (app, site, session, _job) = crawled(&[]);
    let response = app.get(&format!(
        "/api/v1/session/{session}/documentation/export?format=markdown"
    ));
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().ok(),
        Some("application/x-tar")
    );
    let bytes = response.bytes().expect("body");
    let mut archive = tar::Archive::new(bytes.as_ref());
    let mut files = BTreeMap::new();
    for entry in archive.entries().expect("a tar archive") {
        let mut entry = entry.expect("entry");
        let path = entry.path().expect("path").display().to_string();
        let mut body = String::new();
        entry.read_to_string(&mut body).expect("UTF-8 file");
        files.insert(path, body);
    }
    let bundles = documentation_chunks(&app, &session);
    let pages: BTreeSet<&str> = bundles.iter().filter_map(|c| c["url"].as_str()).collect();
    assert_eq!(files.len(), pages.len(), "{:?}", files.keys());
    let host = site.base.trim_start_matches("http://").replace(':', "_");
    for (path, body) in &files {
        assert!(path.starts_with(&format!("{session}/{host}/")), "{path}");
        assert!(path.ends_with(".md") && !path.contains(".."), "{path}");
        assert!(body.starts_with("---\nurl: \""), "{path}: {body}");
        assert!(body.contains("\nscrapedAt: \""), "{path}");
    }
    let install = &files[&format!("{session}/{host}/guide/install.md")];
    assert!(install.contains(&format!("url: \"{}\"", site.url("/guide/install.html"))));
    assert!(install.contains("title: \"Installation - Acme Directory\""));
    assert!(install.contains("\n---\n\n# Installation"), "{install}");
    // A JSON document is fenced, so the file still renders as Markdown.
    let spec = &files[&format!("{session}/{host}/openapi.json.md")];
    assert!(spec.contains("```json\n{"), "{spec}");
}

#[test]
fn export_refuses_a_bad_format_and_reports_missing_sessions_and_documentation() {
    let app = TestApp::spawn();
    let session = app.create_session();
    let bad = app.get(&format!(
        "/api/v1/session/{session}/documentation/export?format=pdf"
    ));
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json().expect("json");
    assert_eq!(body["detail"][0]["loc"], json!(["query", "format"]));
    assert_eq!(body["detail"][0]["type"], "enum");
    let empty = app.get(&format!("/api/v1/session/{session}/documentation/export"));
    assert_eq!(empty.status(), 404);
    let body: Value = empty.json().expect("json");
    assert_eq!(
        body["detail"],
        format!("No documentation found in session {session}")
    );
    let missing = "0d6f3c1a-2b4e-4f5a-8c7d-9e0f1a2b3c4d";
    let response = app.get(&format!("/api/v1/session/{missing}/documentation/export"));
    assert_eq!(response.status(), 404);
    let response = app.get("/api/v1/session/nope/documentation/export");
    assert_eq!(response.status(), 422);
}

type Samples = Vec<(String, BTreeMap<String, String>, f64)>;

/// Parses the Prometheus text format (0.0.4) strictly: `# HELP` and `# TYPE` before a
/// family's samples, names and label names of the allowed characters, quoted label values
/// with `\\`, `\"` and `\n` escapes, a float value; histogram series (`_bucket`, `_sum`,
/// `_count`) under a histogram TYPE. Panics on anything else.
fn parse_metrics(text: &str) -> Samples {
    let is_name = |name: &str| {
        !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    };
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut samples = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("`# TYPE name kind`");
            assert!(is_name(name), "{line}");
            assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
            assert!(
                types.insert(name.to_string(), kind.to_string()).is_none(),
                "TYPE twice: {line}"
            );
            continue;
        }
        if line.starts_with("# HELP ") || line.is_empty() {
            continue;
        }
        assert!(!line.starts_with('#'), "unknown comment {line}");
        let name_end = line.find(['{', ' ']).expect("a sample line");
        let name = &line[..name_end];
        assert!(is_name(name), "{line}");
        let mut labels = BTreeMap::new();
        let mut rest = &line[name_end..];
        if let Some(inner) = rest.strip_prefix('{') {
            let mut index = 0;
            while !inner[index..].starts_with('}') {
                let eq = inner[index..].find("=\"").expect("label=\"") + index;
                let label = &inner[index..eq];
                assert!(is_name(label), "label {label:?} in {line}");
                let mut value = String::new();
                index = eq + 2;
                loop {
                    let c = inner[index..].chars().next().expect("unterminated value");
                    index += c.len_utf8();
                    match c {
                        '"' => break,
                        '\\' => {
                            let escaped = inner[index..].chars().next().expect("escape");
                            index += escaped.len_utf8();
                            value.push(match escaped {
                                'n' => '\n',
                                '\\' => '\\',
                                '"' => '"',
                                other => panic!("bad escape \\{other} in {line}"),
                            });
                        }
                        other => value.push(other),
                    }
                }
                labels.insert(label.to_string(), value);
                if inner[index..].starts_with(',') {
                    index += 1;
                }
            }
            rest = &inner[index + 1..];
        }
        let value_text = rest.strip_prefix(' ').expect("space before the value");
        let value: f64 = match value_text {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            other => other
                .parse()
                .unwrap_or_else(|_| panic!("bad value in {line}")),
        };
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix))
            .filter(|base| types.get(*base).is_some_and(|kind| kind == "histogram"))
            .unwrap_or(name);
        assert!(types.contains_key(family), "sample before its TYPE: {line}");
        if name.ends_with("_bucket") {
            assert!(labels.contains_key("le"), "{line}");
        }
        samples.push((name.to_string(), labels, value));
    }
    assert!(!samples.is_empty());
    samples
}

fn value(samples: &Samples, name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|(metric, have, _)| {
            metric == name
                && labels
                    .iter()
                    .all(|(k, v)| have.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|(_, _, value)| value)
        .sum()
}

#[test]
fn metrics_count_the_crawl_and_the_requests_by_route_behind_the_token() {
    let token = "metrics-secret";
    let app = TestApp::spawn_with(&["--api-token", token]);
    let site = FixtureServer::site("site");
    let authorized = |request: reqwest::blocking::RequestBuilder| {
        request
            .header("Authorization", format!("Bearer {token}"))
            .send()
            .expect("request")
    };
    let refused = app.get("/metrics");
    assert_eq!(refused.status(), 401);
    let session: Value = authorized(app.client.post(app.url("/api/v1/session")))
        .json()
        .expect("json");
    let session = session["sessionId"].as_str().expect("id").to_string();
    let job: Value = authorized(
        app.client
            .post(app.url(&format!("/api/v1/scrape/{session}/scrape")))
            .json(&json!({"starterLinks": [site.url("/")], "applicationName": "Acme", "skipCache": true})),
    )
    .json()
    .expect("json");
    let job = job["jobId"].as_str().expect("job").to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let status: Value = authorized(
            app.client
                .get(app.url(&format!("/api/v1/scrape/{session}/scrape?jobId={job}"))),
        )
        .json()
        .expect("json");
        if status["status"] == "finished" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{status}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let with_key = app
        .client
        .get(app.url("/metrics"))
        .header("X-API-Key", token)
        .send()
        .expect("metrics");
    assert_eq!(with_key.status(), 200);
    let response = authorized(app.client.get(app.url("/metrics")));
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("text/plain; version=0.0.4"));
    let text = response.text().expect("body");
    let samples = parse_metrics(&text);

    let count = |sql: &str| -> f64 { crate::helpers::query_i64(&app.db_path, sql, &[]) as f64 };
    let fetched = count("SELECT completed_iterations FROM jobs");
    assert_eq!(
        value(&samples, "docscrape_pages_fetched_total", &[]),
        fetched
    );
    assert_eq!(
        value(&samples, "docscrape_pages_saved_total", &[]),
        count("SELECT count(*) FROM pages")
    );
    assert_eq!(
        value(&samples, "docscrape_chunks_saved_total", &[]),
        count("SELECT count(*) FROM chunks")
    );
    assert_eq!(
        value(&samples, "docscrape_tokens_saved_total", &[]),
        count("SELECT CAST(sum(token_count) AS BIGINT) FROM chunks")
    );
    assert_eq!(
        value(
            &samples,
            "docscrape_pages_failed_total",
            &[("reason", "http_4xx")]
        ),
        1.0,
        "missing.html"
    );
    assert_eq!(
        value(
            &samples,
            "docscrape_pages_failed_total",
            &[("reason", "unsupported_content")]
        ),
        1.0
    );
    assert!(value(&samples, "docscrape_downloaded_bytes_total", &[]) > 1000.0);
    assert_eq!(
        value(
            &samples,
            "docscrape_job_duration_seconds_count",
            &[("outcome", "no_more_links")]
        ),
        1.0
    );
    assert_eq!(
        value(&samples, "docscrape_jobs", &[("state", "running")]),
        0.0
    );
    assert_eq!(
        value(&samples, "docscrape_jobs", &[("state", "queued")]),
        0.0
    );
    // Requests by route pattern, never by raw path; refusals counted too.
    let polls = value(
        &samples,
        "docscrape_http_requests_total",
        &[
            ("method", "GET"),
            ("route", "/api/v1/scrape/{session_id}/scrape"),
            ("status", "200"),
        ],
    );
    assert!(polls >= 1.0, "{text}");
    assert_eq!(
        value(
            &samples,
            "docscrape_http_requests_total",
            &[("route", "/metrics"), ("status", "401")]
        ),
        1.0
    );
    assert!(
        value(
            &samples,
            "docscrape_http_request_duration_seconds_count",
            &[("route", "/api/v1/session")]
        ) >= 1.0
    );
    assert!(!text.contains(&session), "a raw path leaked into a label");
    // Failure reasons come from a fixed set, whatever the sites said.
    for (name, labels, _) in &samples {
        if name == "docscrape_pages_failed_total" {
            let reason = labels["reason"].as_str();
            assert!(
                !reason.contains(' ') && !reason.contains("http://"),
                "{reason}"
            );
        }
    }
}

#[test]
fn pages_are_listed_searched_and_read_with_their_chunks() {
    let (app, site, session, job) = crawled(&[]);
    let all: Value = app
        .get(&format!("/api/v1/session/{session}/pages"))
        .json()
        .expect("json");
    let saved = app.get(&format!("/api/v1/session/{session}/documentation"));
    let bundles: Value = saved.json().expect("json");
    assert_eq!(
        all["total"].as_i64(),
        Some(bundles.as_array().expect("list").len() as i64)
    );
    assert_eq!(all["offset"], 0);
    let found: Value = app
        .get(&format!("/api/v1/session/{session}/pages?search=INSTALL"))
        .json()
        .expect("json");
    assert_eq!(found["total"], 1, "{found}");
    let page = &found["pages"][0];
    assert_eq!(page["url"], site.url("/guide/install.html"));
    assert_eq!(page["title"], "Installation - Acme Directory");
    // A search text is literal: `%` and `_` match only themselves.
    let literal: Value = app
        .get(&format!("/api/v1/session/{session}/pages?search=%25"))
        .json()
        .expect("json");
    assert_eq!(literal["total"], 0, "{literal}");
    let paged: Value = app
        .get(&format!("/api/v1/session/{session}/pages?offset=1&limit=2"))
        .json()
        .expect("json");
    assert_eq!(paged["pages"].as_array().map(Vec::len), Some(2));
    assert_eq!(paged["pages"][0]["docId"], all["pages"][1]["docId"]);

    let doc_id = page["docId"].as_str().expect("docId");
    let detail: Value = app
        .get(&format!("/api/v1/session/{session}/pages/{doc_id}"))
        .json()
        .expect("json");
    assert!(detail["content"]
        .as_str()
        .expect("content")
        .contains("# Installation"));
    let chunks = detail["chunks"].as_array().expect("chunks");
    assert_eq!(chunks.len() as i64, page["chunks"].as_i64().expect("count"));
    let tokens: i64 = chunks
        .iter()
        .map(|c| c["tokenCount"].as_i64().expect("tokens"))
        .sum();
    assert_eq!(detail["tokens"].as_i64(), Some(tokens));
    assert_eq!(page["tokens"].as_i64(), Some(tokens));

    let activity: Value = app
        .get(&format!("/api/v1/session/{session}/jobs/{job}/activity"))
        .json()
        .expect("json");
    assert_eq!(activity["status"], "finished");
    assert_eq!(activity["pendingUrls"], 0);
    assert_eq!(activity["failedUrls"], 2, "{activity}");
    let failures: BTreeSet<&str> = activity["latestFailures"]
        .as_array()
        .expect("failures")
        .iter()
        .filter_map(|f| f["reason"].as_str())
        .collect();
    assert!(failures.contains("HTTP 404 Not Found"), "{activity}");

    let other = app.create_session();
    let foreign = app.get(&format!("/api/v1/session/{other}/jobs/{job}/activity"));
    assert_eq!(foreign.status(), 404);
    let missing_page = app.get(&format!("/api/v1/session/{other}/pages/{doc_id}"));
    assert_eq!(missing_page.status(), 404);
}

#[test]
fn the_openapi_document_lists_the_operator_routes() {
    let app = TestApp::spawn();
    let document: Value = app.get("/openapi.json").json().expect("json");
    for path in [
        "/api/v1/session/{session_id}/documentation/export",
        "/api/v1/session/{session_id}/pages",
        "/api/v1/session/{session_id}/pages/{documentation_id}",
        "/api/v1/session/{session_id}/jobs/{job_id}/activity",
        "/metrics",
    ] {
        assert!(document["paths"][path]["get"].is_object(), "{path} missing");
    }
    assert!(document["components"]["securitySchemes"]["bearerToken"].is_object());
}
