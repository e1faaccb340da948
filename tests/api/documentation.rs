use serde_json::{json, Value};

use crate::fixture_server::FixtureServer;
use crate::helpers::TestApp;

#[test]
fn documentation_returns_every_saved_chunk_and_can_be_paged_and_deleted() {
    let server = FixtureServer::site("site");
    let app = TestApp::spawn();
    let session = app.create_session();
    let path = format!("/api/v1/session/{session}/documentation");
    let empty = app.get(&path);
    assert_eq!(empty.status(), 404);
    let answer: Value = empty.json().expect("json");
    assert_eq!(
        answer["detail"],
        format!("No documentation found in session {session}").as_str()
    );

    let job = app.start_scrape(
        &session,
        json!({"starterLinks": [server.url("/")], "applicationName": "Acme", "skipCache": true}),
    );
    let status = app.wait_until_over(&session, &job);
    let saved = status["result"]["savedPages"]
        .as_object()
        .expect("pages")
        .clone();

    let all: Value = app.get(&path).json().expect("json");
    let bundles = all.as_array().expect("list");
    assert_eq!(bundles.len(), saved.len());
    for bundle in bundles {
        let chunks = bundle["chunks"].as_array().expect("chunks");
        let url = chunks[0]["url"].as_str().expect("url");
        assert_eq!(
            saved[url]["chunks"].as_u64(),
            Some(chunks.len() as u64),
            "{url}"
        );
        for chunk in chunks {
            assert_eq!(chunk["scrapeJobIds"], json!([job]));
            for key in ["chunkId", "docId", "url", "title", "content", "createdAt"] {
                assert!(chunk[key].is_string(), "{key} in {chunk}");
            }
            assert!(
                chunk.get("summary").is_some(),
                "summary is present (maybe null)"
            );
        }
    }

    let page: Value = app
        .get(&format!("{path}?offset=1&limit=2"))
        .json()
        .expect("json");
    assert_eq!(page.as_array().map(Vec::len), Some(2));
    assert_eq!(page[0]["docId"], bundles[1]["docId"]);
    let beyond: Value = app
        .get(&format!("{path}?offset=1000"))
        .json()
        .expect("json");
    assert_eq!(beyond, json!([]));

    let doc_id = bundles[0]["docId"].as_str().expect("docId");
    let one: Value = app.get(&format!("{path}/{doc_id}")).json().expect("json");
    assert_eq!(one, bundles[0]);
    assert_eq!(
        app.get(&format!("{path}/11111111-2222-4333-8444-555555555555"))
            .status(),
        404
    );

    let head = |doc: &str| {
        app.client
            .head(app.url(&format!("{path}/{doc}")))
            .send()
            .expect("HEAD")
            .status()
    };
    assert_eq!(head(doc_id), 204);
    assert_eq!(head("11111111-2222-4333-8444-555555555555"), 404);
    assert_eq!(head("not-a-uuid"), 422);

    let deleted = app.delete(&format!("{path}/{doc_id}"));
    assert_eq!(deleted.status(), 200);
    let answer: Value = deleted.json().expect("json");
    assert_eq!(answer["deletedPages"], 1);
    assert_eq!(answer["deletedDocId"], doc_id);
    assert_eq!(app.get(&format!("{path}/{doc_id}")).status(), 404);
    assert_eq!(head(doc_id), 404);
    assert_eq!(app.delete(&format!("{path}/{doc_id}")).status(), 404);

    let rest = app.delete(&path);
    assert_eq!(rest.status(), 200);
    let answer: Value = rest.json().expect("json");
    assert_eq!(
        answer["deletedPages"].as_u64(),
        Some(saved.len() as u64 - 1)
    );
    assert_eq!(app.get(&path).status(), 404);
    // Emptying an empty session is not an error (as in the original service).
    let again = app.delete(&path);
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().expect("json")["deletedPages"], 0);
    // The finished job's status is a snapshot and does not change.
    assert_eq!(app.status(&session, &job), status);
}
