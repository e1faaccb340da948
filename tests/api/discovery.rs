//! Sitemaps, llms.txt and the relevance-ranked frontier.

use serde_json::json;

use std::time::Duration;

use crate::fixture_server::{FixtureServer, SiteOptions};
use crate::helpers::{saved_urls, TestApp};

/// Crawls the fixture `site` from its page `start` with the job's `params` on a new
/// server: the app, the site's server, the session and the job's status, which must
/// have finished.
fn crawl_finished(
    site: &'static str,
    start: &str,
    params: serde_json::Value,
) -> (TestApp, FixtureServer, String, serde_json::Value) {
    let server = FixtureServer::site(site);
    let app = TestApp::spawn();
    let (session, _, status) = app.scrape_site(&server.url(start), params);
    assert_eq!(status["status"], "finished", "{status}");
    (app, server, session, status)
}

/// The job's failed pages, by URL.
fn failed_pages(status: &serde_json::Value) -> &serde_json::Map<String, serde_json::Value> {
    status["result"]["failedPages"]
        .as_object()
        .expect("failedPages")
}

#[test]
fn pages_listed_only_in_sitemaps_and_llms_txt_are_found() {
    let (app, server, _, status) = crawl_finished("discover", "/", json!({}));
    let saved = saved_urls(&status);
    let expected = server.urls(&[
        "/",
        "/from-sitemap.html",
        "/from-default-sitemap.html",
        "/from-llms.html",
    ]);
    // /variant.html names /from-llms.html as its canonical URL, so it is not a page of its own.
    assert_eq!(saved, expected, "requests: {:?}", server.hits());
    assert!(
        !server.hits().iter().any(|p| p.starts_with("/private/")),
        "{:?}",
        server.hits()
    );

    // With link following off, discovery is off too.
    let (_, _, only_starter) = app.scrape_site(&server.url("/"), json!({"maxDepth": 0}));
    assert_eq!(only_starter["result"]["savedPagesCount"], 1);
}

#[test]
fn pages_named_only_in_the_site_scripts_are_found() {
    // Doxygen's main page with the tree view: its menus and navigation tree are built by
    // scripts from menudata.js and navtreedata.js; the HTML has no link at all.
    let (_app, server, _, status) = crawl_finished("scripted", "/index.html", json!({}));
    let saved = saved_urls(&status);
    let expected = server.urls(&[
        "/annotated.html",
        "/class_button.html",
        "/index.html",
        "/md_guide.html",
    ]);
    assert_eq!(saved, expected, "requests: {:?}", server.hits());
    // Every page loads the same scripts; each is read once.
    for script in ["/menudata.js", "/navtreedata.js", "/jquery.js"] {
        let reads = server
            .hits()
            .iter()
            .filter(|p| p.as_str() == script)
            .count();
        assert_eq!(reads, 1, "{script}: {:?}", server.hits());
    }
    // The page a script builds from the page's own path, not a literal, is not guessed.
    assert!(!server.hits().iter().any(|p| p.contains("search.php")));
}

#[test]
fn pages_named_in_scripts_resolve_against_the_pages_base() {
    // LibreOffice's help: every page sits under `<base href="../../../">` and a script
    // writes the table of contents into it; its links are relative to that base.
    let (_app, server, _, status) =
        crawl_finished("scripted", "/help/en/text/writer/start.html", json!({}));
    let saved = saved_urls(&status);
    assert_eq!(saved.len(), 3, "{saved:?}, requests: {:?}", server.hits());
    for page in [
        "/help/en/text/writer/tables.html",
        "/help/en/text/shared/styles.html",
    ] {
        assert!(
            saved.iter().any(|url| url.contains(page)),
            "{page} not saved: {saved:?}"
        );
    }
    // Resolved against the page instead, the links would name pages that do not exist.
    assert!(
        !server.hits().iter().any(|p| p.contains("/writer/en/")),
        "{:?}",
        server.hits()
    );
    assert!(status["result"]["failedPages"].is_null(), "{status}");
}

#[test]
fn a_frameset_without_a_word_leads_to_the_pages_its_frames_show() {
    // An older manual's index is a frameset: no anchor and no text of its own, only the
    // table of contents and the first chapter as `<frame src>`.
    let (_app, server, _, status) = crawl_finished("framed", "/index.html", json!({}));
    let expected = server.urls(&["/cover.html", "/install.html", "/tasks.html", "/toc.html"]);
    assert_eq!(
        saved_urls(&status),
        expected,
        "requests: {:?}",
        server.hits()
    );
    // The frameset itself has nothing to save, and says so.
    let failed = failed_pages(&status);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[&server.url("/index.html")], "no text content");
}

#[test]
fn a_starter_that_forwards_to_another_host_brings_that_host_into_scope() {
    // The address a user has (`localhost`) forwards to the host the manual lives on
    // (`127.0.0.1`, a host of its own for the scope), whether the page it lands on has
    // text of its own or is a frameset without a word.
    let server = FixtureServer::site("framed");
    let app = TestApp::spawn();
    let forwarded = |path: &str| {
        server
            .url(&format!("/moved-to-ip{path}"))
            .replace("127.0.0.1", "localhost")
    };
    for start in ["/toc.html", "/index.html"] {
        let (_, _, status) = app.scrape_site(&forwarded(start), json!({}));
        assert_eq!(status["status"], "finished", "{status}");
        let expected = server.urls(&["/cover.html", "/install.html", "/tasks.html", "/toc.html"]);
        assert_eq!(saved_urls(&status), expected, "from {start}: {status}");
        if start == "/index.html" {
            // The frameset is failed under the address the user gave.
            let failed = failed_pages(&status);
            assert_eq!(failed.len(), 1, "{failed:?}");
            assert_eq!(failed[&forwarded(start)], "no text content");
        }
    }
}

#[test]
fn a_shell_page_without_a_word_leads_to_the_pages_its_scripts_name() {
    // A page its scripts fill: no text and no link in its HTML, its pages named in a data
    // script.
    let (_app, server, _, status) = crawl_finished("framed", "/app.html", json!({}));
    let saved = saved_urls(&status);
    for page in ["/install.html", "/tasks.html"] {
        assert!(saved.contains(&server.url(page)), "{page}: {saved:?}");
    }
    let failed = failed_pages(&status);
    assert_eq!(failed[&server.url("/app.html")], "no text content");
}

#[test]
fn an_empty_iframe_or_script_written_as_xml_does_not_hide_the_rest_of_the_page() {
    // `<iframe …/>` and `<script …/>` open elements whose text runs to their end tag; the
    // page has none, so read as HTML everything after them would be unseen text.
    let (app, _server, session, status) =
        crawl_finished("framed", "/install.html", json!({"maxDepth": 0}));
    assert_eq!(status["result"]["savedPagesCount"], 1, "{status}");
    let docs: serde_json::Value = app
        .get(&format!("/api/v1/session/{session}/documentation"))
        .json()
        .expect("json");
    let text: String = docs[0]["chunks"]
        .as_array()
        .expect("chunks")
        .iter()
        .filter_map(|chunk| chunk["content"].as_str())
        .collect();
    for kept in [
        "# Installing Gadget Builder",
        "add its `bin` folder to the search path",
        "## Checking the installation",
        "the configuration file it reads on start",
    ] {
        assert!(text.contains(kept), "{kept:?} missing from {text}");
    }
}

#[test]
fn the_api_reference_is_fetched_first_under_a_small_budget() {
    let server = FixtureServer::site("ranked");
    // One page at a time, so that every choice is made with what is known so far.
    let app = TestApp::spawn_with(&["--job-concurrency", "1"]);
    let (_, _, status) = app.scrape_site(&server.url("/"), json!({"maxIterations": 3}));
    assert_eq!(
        status["result"]["finishReason"], "max_iterations",
        "{status}"
    );
    let saved = saved_urls(&status);
    // Breadth-first order would have fetched two blog posts instead.
    let expected = server.urls(&["/", "/docs/index.html", "/docs/api/reference.html"]);
    assert_eq!(saved, expected);

    // With a budget for everything, the blog posts (direct children) are still fetched.
    let (_, _, all) = app.scrape_site(&server.url("/"), json!({}));
    assert_eq!(all["result"]["savedPagesCount"], 11, "{all}");
}

#[test]
fn a_near_copy_for_another_version_is_skipped_in_favour_of_the_requested_one() {
    let server = FixtureServer::site("versions");
    let app = TestApp::spawn();
    for (asked, kept, skipped) in [
        ("2", "/docs/v2/users.html", "/docs/v1/users.html"),
        ("1.0", "/docs/v1/users.html", "/docs/v2/users.html"),
    ] {
        let (_, _, status) =
            app.scrape_site(&server.url("/"), json!({"applicationVersion": asked}));
        let saved = saved_urls(&status);
        let expected = server.urls(&["/", kept]);
        assert_eq!(saved, expected, "asked for {asked}: {status}");
        assert!(!saved.contains(&server.url(skipped)));
    }
}

#[test]
fn numbered_pages_from_one_template_are_all_saved() {
    let (_app, server, _, status) = crawl_finished("numbered", "/", json!({}));
    let saved = saved_urls(&status);
    let codes = [
        400, 401, 403, 404, 405, 406, 408, 409, 410, 413, 415, 422, 429, 500, 502, 503, 504, 520,
        521, 522,
    ];
    let mut expected: Vec<String> = codes.iter().map(|code| format!("/errors/{code}")).collect();
    expected.push("/".to_string());
    // Two versions of a page that differ by a word, not only in numbers: both are kept.
    expected.push("/docs/v1/setup.html".to_string());
    expected.push("/docs/v2/setup.html".to_string());
    let expected_paths: Vec<&str> = expected.iter().map(String::as_str).collect();
    let missing: Vec<String> = server
        .urls(&expected_paths)
        .into_iter()
        .filter(|url| !saved.contains(url))
        .collect();
    assert!(missing.is_empty(), "not saved: {missing:?}\n{status}");
    assert_eq!(saved.len(), 23, "{status}");
}

#[test]
fn robots_txt_and_sitemaps_keep_the_per_host_limit() {
    let server = FixtureServer::start(SiteOptions {
        site: "discover",
        delay: Duration::from_millis(150),
        generated_pages: 0,
        ..Default::default()
    });
    let app = TestApp::spawn_with(&["--per-host-concurrency", "1"]);
    // Three jobs on one host at once: their robots.txt, sitemap, llms.txt and page
    // requests all share the host's one slot.
    let jobs: Vec<(String, String)> = (0..3)
        .map(|_| {
            let session = app.create_session();
            let job = app.start_scrape(
                &session,
                json!({"starterLinks": [server.url("/")], "applicationName": "Discover", "skipCache": true}),
            );
            (session, job)
        })
        .collect();
    for (session, job) in &jobs {
        let status = app.wait_until_over(session, job);
        assert_eq!(status["status"], "finished", "{status}");
        assert_eq!(status["result"]["savedPagesCount"], 4, "{status}");
    }
    let hits = server.hits();
    assert!(
        hits.iter().filter(|p| *p == "/sitemaps/index.xml").count() == 3,
        "{hits:?}"
    );
    assert_eq!(server.most_in_flight(), 1, "requests: {hits:?}");
}
