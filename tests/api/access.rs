//! Access control and the address policy's flags.

use serde_json::{json, Value};

use crate::fixture_server::FixtureServer;
use crate::helpers::TestApp;

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
