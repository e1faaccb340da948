//! Access control and the address policy's flags.

use serde_json::{json, Value};

use crate::fixture_server::FixtureServer;
use crate::helpers::{raw_request, TestApp};

#[test]
fn with_a_token_every_api_route_needs_it_and_health_stays_open() {
    let app = TestApp::spawn_with(&["--api-token", "s3cret-token"]);
    assert_eq!(app.get("/health").status(), 200);
    assert_eq!(app.get("/openapi.json").status(), 200);

    for (method, path) in [("GET", "/api/v1/session"), ("POST", "/api/v1/session")] {
        let request = app
            .client
            .request(method.parse().expect("method"), app.url(path));
        let response = request.send().expect("send");
        assert_eq!(response.status(), 401, "{method} {path}");
        assert_eq!(
            response
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok()),
            Some("Bearer")
        );
        let body: Value = response.json().expect("json");
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("Bearer")),
            "{body}"
        );
    }
    let wrong = app
        .client
        .get(app.url("/api/v1/session"))
        .bearer_auth("s3cret-tokeN")
        .send()
        .expect("send");
    assert_eq!(wrong.status(), 401);
    let right = app
        .client
        .post(app.url("/api/v1/session"))
        .bearer_auth("s3cret-token")
        .send()
        .expect("send");
    assert_eq!(right.status(), 201);
    // Clients of the original Python service send the key as X-API-Key.
    let api_key = |key: &str| {
        app.client
            .post(app.url("/api/v1/session"))
            .header("X-API-Key", key)
            .send()
            .expect("send")
            .status()
    };
    assert_eq!(api_key("s3cret-token"), 201);
    assert_eq!(api_key("s3cret-tokeN"), 401);
}

#[test]
fn allow_network_opens_exactly_one_range() {
    let server = FixtureServer::site("site");
    let body = json!({"starterLinks": [server.url("/guide/install.html")], "applicationName": "Acme", "skipCache": true, "maxDepth": 0});

    let other_range = TestApp::spawn_strict_with(&["--allow-network", "10.0.0.0/8"]);
    let session = other_range.create_session();
    let refused = other_range.post_json(&format!("/api/v1/scrape/{session}/scrape"), &body);
    assert_eq!(refused.status(), 422);

    let loopback = TestApp::spawn_strict_with(&["--allow-network", "127.0.0.0/8"]);
    let session = loopback.create_session();
    let job = loopback.start_scrape(&session, body);
    let status = loopback.wait_until_over(&session, &job);
    assert_eq!(status["status"], "finished", "{status}");
    assert_eq!(status["result"]["savedPagesCount"], 1);
}

#[test]
fn private_addresses_are_refused_in_every_spelling_and_behind_redirects() {
    let server = FixtureServer::site("site");
    let port = server.base.rsplit(':').next().expect("port").to_string();
    let app = TestApp::spawn_strict_with(&["--allow-network", "127.0.0.1/32"]);
    let session = app.create_session();
    let spellings = [
        "2130706433",
        "0x7f.0.0.2",
        "127.2",
        "[::1]",
        "[::ffff:127.0.0.3]",
        "0.0.0.0",
        "169.254.169.254",
        "10.0.0.1",
    ];
    for spelling in spellings {
        let body = json!({"starterLinks": [format!("http://{spelling}:{port}/")], "applicationName": "Acme"});
        let response = app.post_json(&format!("/api/v1/scrape/{session}/scrape"), &body);
        // 2130706433 is 127.0.0.1, which --allow-network opens; every other spelling is refused.
        if spelling == "2130706433" {
            assert_eq!(response.status(), 200, "{spelling}");
        } else {
            assert_eq!(response.status(), 422, "{spelling}");
        }
    }

    // The allowed host redirects to 127.0.0.2: the hop is refused before connecting.
    let job = app.start_scrape(&session, json!({"starterLinks": [server.url("/to-private")], "applicationName": "Acme", "skipCache": true}));
    let status = app.wait_until_over(&session, &job);
    assert_eq!(status["status"], "failed", "{status}");
    let line = status["errors"][0].as_str().expect("line");
    assert!(line.contains("refused to connect to 127.0.0.2"), "{line}");
}

/// Spellings of `path` that a router or a proxy might treat as the same route: percent
/// escapes of unreserved letters, upper case, doubled slashes, dot segments (plain and
/// escaped) and a trailing slash.
fn spellings(path: &str) -> Vec<String> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let join = |parts: &[String]| format!("/{}", parts.join("/"));
    let owned: Vec<String> = segments.iter().map(|s| s.to_string()).collect();
    let mut out = vec![path.to_string()];
    for index in 0..owned.len() {
        let mut parts = owned.clone();
        let segment = owned[index].clone();
        if let Some(first) = segment.chars().next().filter(char::is_ascii_alphanumeric) {
            parts[index] = format!("%{:02X}{}", first as u32, &segment[1..]);
            out.push(join(&parts));
            parts[index] = format!("%{:02x}{}", first as u32, &segment[1..]);
            out.push(join(&parts));
        }
        let mut upper = owned.clone();
        upper[index] = upper[index].to_ascii_uppercase();
        out.push(join(&upper));
        let mut doubled = owned.clone();
        doubled[index] = format!("/{}", doubled[index]);
        out.push(join(&doubled));
        for dots in [".", "%2e", "x/..", "x/%2E%2E", "%2e%2e/api"] {
            let mut dotted = owned.clone();
            dotted.insert(index, dots.to_string());
            out.push(join(&dotted));
        }
    }
    let everything: String = path
        .chars()
        .map(|c| match c {
            '/' => "/".to_string(),
            c => format!("%{:02X}", c as u32),
        })
        .collect();
    out.push(everything);
    out.push(format!("{path}/"));
    out.push(format!("/{path}"));
    out.push(format!("{path}?next=/health"));
    out
}

#[test]
fn no_spelling_of_an_api_path_gets_past_the_token() {
    let token = "s3cret-token";
    let app = TestApp::spawn_with(&["--api-token", token]);
    let bearer = format!("Bearer {token}");
    let authorised = [("Authorization", bearer.as_str())];
    let session = {
        let (status, body) = raw_request(&app.address, "POST", "/api/v1/session", &authorised);
        assert_eq!(status, 201, "{body}");
        let body: Value = serde_json::from_str(&body).expect("json");
        body["sessionId"].as_str().expect("sessionId").to_string()
    };
    let document = "0f4a7a4e-55a4-4a0b-9d0e-2f1b6f0f3b11";

    // Every operation the API documents, so that routes added later are covered too.
    let (status, openapi) = raw_request(&app.address, "GET", "/openapi.json", &[]);
    assert_eq!(status, 200, "/openapi.json stays open");
    let openapi: Value = serde_json::from_str(&openapi).expect("openapi json");
    let mut operations = Vec::new();
    for (path, item) in openapi["paths"].as_object().expect("paths") {
        if !path.starts_with("/api/") {
            continue;
        }
        let concrete = path
            .replace("{session_id}", &session)
            .replace("{documentation_id}", document)
            .replace("{job_id}", document);
        assert!(!concrete.contains('{'), "unfilled parameter in {path}");
        for method in item.as_object().expect("path item").keys() {
            operations.push((method.to_ascii_uppercase(), concrete.clone()));
        }
    }
    assert!(operations.len() >= 15, "{operations:?}");
    // The routes of the original service that answer 405 here are routes too.
    operations.push((
        "PUT".into(),
        format!("/api/v1/session/{session}/documentation"),
    ));
    operations.push(("PATCH".into(), "/api/v1/session".into()));

    let mut leaks = Vec::new();
    let mut tried = 0;
    for (method, path) in &operations {
        for spelling in spellings(path) {
            tried += 1;
            let (status, body) = raw_request(&app.address, method, &spelling, &[]);
            // 401, or the router's own 404: no handler ran.
            let router_miss =
                status == 404 && (method == "HEAD" || body == r#"{"detail":"Not Found"}"#);
            if status != 401 && !router_miss {
                leaks.push(format!("{method} {spelling} -> {status} {body}"));
            }
        }
        if method == "GET" || method == "HEAD" {
            let (status, body) = raw_request(&app.address, method, path, &authorised);
            assert_ne!(status, 401, "{method} {path} with the token: {body}");
        }
        let (status, _) = raw_request(&app.address, method, path, &[]);
        assert_eq!(status, 401, "{method} {path} without the token");
    }
    assert!(
        leaks.is_empty(),
        "{} of {tried} requests without the token reached a handler:\n  {}",
        leaks.len(),
        leaks.join("\n  ")
    );

    // The percent-encoded spelling routes to the real handler once the token is given.
    let (status, _) = raw_request(&app.address, "GET", "/%61pi/v1/session", &authorised);
    assert_eq!(status, 200);
    // Nothing was created or deleted by the attempts without the token.
    let (status, body) = raw_request(&app.address, "GET", "/api/v1/session", &authorised);
    assert_eq!(status, 200);
    let list: Value = serde_json::from_str(&body).expect("json");
    let ids: Vec<&str> = list["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter_map(|s| s["sessionId"].as_str())
        .collect();
    assert_eq!(ids, vec![session.as_str()]);
    for open in ["/health", "/openapi.json"] {
        assert_eq!(raw_request(&app.address, "GET", open, &[]).0, 200, "{open}");
    }
}
