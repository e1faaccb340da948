//! Fidelity on sites of unknown generators (tests/fixtures/fidelity/*): the article is kept
//! whole, and the site's template, learned from the job's own pages, is removed from every
//! stored chunk — with chunk counts and numbering that stay consistent.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};

use crate::fixture_server::{FixtureServer, SiteOptions};
use crate::helpers::{assert_database_sound, TestApp};

/// Crawls `start` on a fixture site and returns the finished status and each saved page's
/// Markdown (its chunks joined), keyed by path.
fn crawl(app: &TestApp, server: &FixtureServer, start: &str) -> (Value, BTreeMap<String, String>) {
    let (session, _, status) = app.scrape_site(&server.url(start), json!({"maxIterations": 50}));
    assert_eq!(status["status"], "finished", "{status}");
    (status, session_pages(app, server, &session))
}

/// The session's saved pages, each page's Markdown (its chunks joined) keyed by path.
fn session_pages(app: &TestApp, server: &FixtureServer, session: &str) -> BTreeMap<String, String> {
    let docs: Value = app
        .get(&format!("/api/v1/session/{session}/documentation"))
        .json()
        .expect("json");
    pages_of(server, &docs)
}

fn pages_of(server: &FixtureServer, docs: &Value) -> BTreeMap<String, String> {
    let mut pages = BTreeMap::new();
    for bundle in docs.as_array().expect("bundles") {
        let chunks = bundle["chunks"].as_array().expect("chunks");
        let url = chunks[0]["url"].as_str().expect("url");
        let path = url.strip_prefix(&server.base).unwrap_or(url).to_string();
        let text: Vec<&str> = chunks
            .iter()
            .map(|c| c["content"].as_str().expect("content"))
            .collect();
        pages.insert(path, text.join("\n"));
    }
    pages
}

/// The result's per-page chunk counts are the stored chunks, numbered 0.. without gaps.
fn assert_chunks_consistent(app: &TestApp, status: &Value, session: &str) {
    let docs: Value = app
        .get(&format!("/api/v1/session/{session}/documentation"))
        .json()
        .expect("json");
    let mut total = 0;
    for bundle in docs.as_array().expect("bundles") {
        let chunks = bundle["chunks"].as_array().expect("chunks");
        let url = chunks[0]["url"].as_str().expect("url");
        let numbers: Vec<i64> = chunks
            .iter()
            .map(|c| c["metadata"]["chunk_number"].as_i64().expect("number"))
            .collect();
        assert_eq!(
            numbers,
            (0..chunks.len() as i64).collect::<Vec<_>>(),
            "{url}"
        );
        assert_eq!(
            status["result"]["savedPages"][url]["chunks"].as_i64(),
            Some(chunks.len() as i64),
            "{url}: {status}"
        );
        for chunk in chunks {
            let content = chunk["content"].as_str().expect("content");
            assert_eq!(
                chunk["metadata"]["character_count"].as_u64(),
                Some(content.chars().count() as u64)
            );
            assert!(chunk["metadata"]["token_count"].as_i64().unwrap_or(0) > 0);
        }
        total += chunks.len() as i64;
    }
    assert_eq!(status["result"]["pageChunksCount"].as_i64(), Some(total));
}

#[test]
fn man_pages_keep_name_synopsis_and_description_beside_options() {
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/manpages");
    let (status, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(status["result"]["savedPagesCount"], 5, "{status}");
    for command in ["acme-fetch", "acme-merge", "acme-prune", "acme-tag"] {
        let page = &pages[&format!("/{command}.html")];
        for section in ["## NAME", "## SYNOPSIS", "## DESCRIPTION", "## OPTIONS"] {
            assert!(page.contains(section), "{command} lost {section}:\n{page}");
        }
        assert!(page.contains(&format!("{command} - ")), "{page}");
        assert!(page.contains("--porcelain"), "{page}");
        // The suite line closes every page at the same place: template, with its heading.
        assert!(!page.contains("Part of the"), "{page}");
        assert!(!page.contains("## ACME"), "{page}");
    }
    assert_eq!(status["result"]["templateRemoved"]["pages"], 4, "{status}");
    // An admonition laid out as a table (its label or icon cell beside the text) reads
    // as a titled quote, not as a one-row table.
    assert!(
        pages["/acme-fetch.html"].contains(
            "> **Note**\n>\n> Fetching never changes the working tree; run `acme-merge` to bring the fetched heads in.\n"
        ),
        "{}",
        pages["/acme-fetch.html"]
    );
    assert!(
        pages["/acme-prune.html"].contains(
            "> **Warning**\n>\n> Objects pruned are gone for good.\n>\n> Run `acme-prune --dry-run` first to see what would go.\n"
        ),
        "{}",
        pages["/acme-prune.html"]
    );
}

#[test]
fn a_module_page_keeps_its_introduction_before_the_first_section() {
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/module-intro");
    let (status, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(status["result"]["savedPagesCount"], 5, "{status}");
    for (module, introduction, since, last_call) in [
        (
            "strings",
            "never allocates when the answer is a slice",
            "2.0",
            "reverse",
        ),
        ("files", "nothing here expands a tilde", "2.1", "rename"),
        (
            "clock",
            "The monotonic clock never goes backwards",
            "2.3",
            "parse",
        ),
        (
            "net",
            "Each socket belongs to the thread that opened it",
            "2.4",
            "close",
        ),
    ] {
        let page = &pages[&format!("/gizmo-{module}.html")];
        let since = format!("Stable since gizmo {since}.");
        for kept in [introduction, &since, "# Procs"] {
            assert!(page.contains(kept), "gizmo-{module} lost {kept:?}:\n{page}");
        }
        assert!(page.contains(&format!("proc {last_call}(")), "{page}");
        for chrome in ["Dark Mode", "Compiler docs", "Made with Gizmo"] {
            assert!(
                !page.contains(chrome),
                "gizmo-{module} kept {chrome:?}:\n{page}"
            );
        }
    }
}

#[test]
fn a_chapter_page_that_is_a_table_of_contents_keeps_it() {
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/docbook");
    let (_, pages) = crawl(&app, &server, "/index.html");
    let chapter = &pages["/commands.html"];
    for (command, purpose) in [
        ("ABORT", "abort the current transaction"),
        ("BEGIN", "start a transaction block"),
        ("VACUUM", "garbage-collect and optionally analyze"),
    ] {
        assert!(chapter.contains(command), "{chapter}");
        assert!(chapter.contains(purpose), "{chapter}");
    }
    assert!(chapter.contains("reference information for the commands"));
    // DocBook writes a table of contents as a definition list that defines nothing:
    // each entry is a list item, its sub-entries items under it, not a bold paragraph.
    let line_of = |page: &str, start: &str| {
        page.lines()
            .find(|line| line.starts_with(start))
            .map(str::to_string)
    };
    let abort = line_of(chapter, "- [ABORT](").unwrap_or_default();
    assert!(abort.contains("abort the current transaction"), "{chapter}");
    let contents = &pages["/index.html"];
    let part = contents
        .find("- [VI. Command Reference](")
        .unwrap_or_else(|| panic!("no part entry:\n{contents}"));
    let first_command = contents[part..].lines().nth(1).unwrap_or_default();
    assert!(first_command.starts_with("  - [ABORT]("), "{contents}");
    let entry = &pages["/cmd-begin.html"];
    assert!(entry.contains("## Synopsis") && entry.contains("step 5 of BEGIN"));
    for chrome in ["Prev", "Next", "Widget Store Manual"] {
        assert!(!entry.contains(chrome), "{chrome} kept:\n{entry}");
    }
}

#[test]
fn a_landmark_free_site_loses_its_banner_menu_and_footer_on_every_page() {
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/handwritten");
    let (session, _, status) =
        app.scrape_site(&server.url("/index.html"), json!({"maxIterations": 50}));
    let pages = session_pages(&app, &server, &session);
    assert_eq!(pages.len(), 6, "{status}");
    for (path, page) in &pages {
        for chrome in [
            "Hand-crafted widgets since 1999",
            "Widgetry logo",
            // A linked image straight in the body, beside its blocks.
            "Widgetry badge",
            "Copyright 1999-2024",
            // Loose text, outside any element of its own.
            "checked twice",
            // A box that reads the same everywhere, its links naming each page.
            "Report a problem with this page",
            "[Configure](",
        ] {
            assert!(!page.contains(chrome), "{path} keeps {chrome:?}:\n{page}");
        }
        assert!(
            page.contains("detail 2"),
            "{path} lost its article:\n{page}"
        );
    }
    assert!(pages["/gears.html"].starts_with("## Gear widgets\n\nGears mesh with sprockets"));
    let removed = &status["result"]["templateRemoved"];
    assert_eq!(removed["pages"], 6, "{status}");
    assert!(removed["blocks"].as_i64().unwrap_or(0) >= 3, "{status}");
    assert_chunks_consistent(&app, &status, &session);

    // A re-crawl answered 304 reuses the clean pages as they are.
    let job = app.start_scrape(
        &session,
        json!({"starterLinks": [server.url("/index.html")], "applicationName": "Widgetry",
               "skipCache": true, "maxIterations": 50}),
    );
    let again = app.wait_until_over(&session, &job);
    assert!(server.not_modified() >= 6, "{again}");
    assert_eq!(session_pages(&app, &server, &session), pages);
    assert_chunks_consistent(&app, &again, &session);
}

#[test]
fn generated_blocks_repeated_on_every_item_page_are_removed() {
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/rustdoc");
    let (_, pages) = crawl(&app, &server, "/widgets/index.html");
    assert_eq!(pages.len(), 6);
    for name in ["Sprocket", "Gear", "Chain", "Axle", "Bearing"] {
        let page = &pages[&format!("/widgets/struct.{name}.html")];
        assert!(page.contains("## Implementations"), "{page}");
        assert!(page.contains(&format!("pub struct {name}")), "{page}");
        assert!(page.contains("Returns the pitch of this"), "{page}");
        for generated in ["Blanket Implementations", "Gets the", "identity conversion"] {
            assert!(
                !page.contains(generated),
                "{name} keeps {generated:?}:\n{page}"
            );
        }
    }
}

#[test]
fn signatures_that_many_modules_share_stay_while_the_footer_goes() {
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/odoc");
    let (status, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 6, "{status}");
    for name in ["Gear", "Chain", "Axle", "Bearing", "Sprocket"] {
        let page = &pages[&format!("/{name}.html")];
        assert!(page.contains(&format!("Module `Widgets.{name}`")), "{page}");
        // Every module declares these at the same place: the API, not a template.
        for signature in [
            "type t",
            "val compare : t -> t -> int",
            "val hash : t -> int",
        ] {
            assert!(
                page.contains(signature),
                "{name} lost {signature:?}:\n{page}"
            );
        }
        assert!(page.contains(" : t -> "), "{page}");
        assert!(
            !page.contains("Generated by odoc"),
            "{name} keeps the footer:\n{page}"
        );
    }
    assert_eq!(status["result"]["templateRemoved"]["pages"], 6, "{status}");
}

#[test]
fn method_source_laid_out_beside_its_line_numbers_stays_a_code_listing() {
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/yard");
    let (status, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 4, "{status}");
    for (name, method, body, line) in [
        ("gear", "teeth", "@teeth", 10),
        ("chain", "links", "@links.size", 14),
        ("axle", "length", "@length_mm", 18),
    ] {
        let title = format!("{}{}", name[..1].to_uppercase(), &name[1..]);
        let page = &pages[&format!("/{title}.html")];
        let listing = format!(
            "```\n# File 'lib/acme/{name}.rb', line {line}\n\ndef {method}\n  {body}\nend\n```"
        );
        assert!(page.contains(&listing), "{title} lost its listing:\n{page}");
        assert!(page.contains(&format!("Returns the {method} of this {name}.")));
        // The gutter's numbers are not code, nor a table row.
        assert!(!page.contains(&format!("{}\n{}", line, line + 1)), "{page}");
        assert!(!page.contains("| `"), "{page}");
        assert!(!page.contains("Generated on"), "{page}");
    }
}

#[test]
fn a_custom_theme_header_bar_goes_and_an_article_in_a_chrome_named_section_stays() {
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/sphinxtheme");
    let (_, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 5);
    for (path, page) in &pages {
        assert!(!page.contains("Table of contents"), "{path}:\n{page}");
        assert!(!page.contains("Software Foundation"), "{path}:\n{page}");
    }
    let pagination = &pages["/pagination.html"];
    assert!(pagination.contains("# Pagination"), "{pagination}");
    assert!(pagination.contains("paragraph 3 adds detail about pagination"));
    assert!(pagination.contains("```python\nfrom acme import pagination"));
    assert!(pages["/index.html"].contains("[Making queries]("));
}

#[test]
fn a_template_on_a_hundred_pages_goes_from_every_one_of_them() {
    // More pages than one batch of the pass that removes the template: every batch is
    // read, cleaned and written, the last one too.
    let banner = "Acme Widgets documentation, release 4.2, for every platform";
    let server = FixtureServer::start(SiteOptions {
        site: "site",
        generated_pages: 100,
        generated_banner: Some(banner),
        ..Default::default()
    });
    let app = TestApp::spawn();
    let (session, _, status) =
        app.scrape_site(&server.url("/gen/0.html"), json!({"maxIterations": 200}));
    assert_eq!(status["status"], "finished", "{status}");
    assert_eq!(
        status["result"]["templateRemoved"]["pages"], 100,
        "{status}"
    );
    let pages = session_pages(&app, &server, &session);
    assert_eq!(pages.len(), 100, "{status}");
    for n in 0..100 {
        let page = &pages[&format!("/gen/{n}.html")];
        assert!(
            !page.contains(banner),
            "/gen/{n}.html keeps the banner:\n{page}"
        );
        assert!(
            page.contains(&format!("It explains feature {n} in detail.")),
            "/gen/{n}.html lost its article:\n{page}"
        );
    }
    assert_chunks_consistent(&app, &status, &session);
}

#[test]
fn killed_while_removing_the_template_the_resumed_job_finishes_it() {
    let server = FixtureServer::site("fidelity/handwritten");
    let mut app =
        TestApp::spawn_with_env(&[], &[("DOCSCRAPE_TEST_FAULTS", "pause@template-clean")]);
    let session = app.create_session();
    let job = app.start_scrape(
        &session,
        json!({"starterLinks": [server.url("/index.html")], "applicationName": "Widgetry",
               "skipCache": true, "maxIterations": 50}),
    );
    app.wait_for_stdout_line(
        "docscrape paused at fault point template-clean",
        Duration::from_secs(30),
    );
    assert_eq!(app.status(&session, &job)["status"], "running");
    // SIGKILLed inside the write of the first cleaned pages: the learned template was
    // committed before, the cleaning was not.
    app.restart_with_env(&[]);
    let status = app.wait_until_over(&session, &job);
    assert_eq!(status["status"], "finished", "{status}");
    assert_eq!(status["result"]["templateRemoved"]["pages"], 6, "{status}");
    for (path, page) in session_pages(&app, &server, &session) {
        assert!(!page.contains("Hand-crafted widgets"), "{path}:\n{page}");
        assert!(page.contains("detail 2"), "{path}:\n{page}");
    }
    assert_chunks_consistent(&app, &status, &session);
    app.kill();
    assert_database_sound(&app.db_path);
}

#[test]
fn an_authors_sidebar_box_and_a_note_laid_out_in_a_table_are_kept_as_text() {
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/docbook-sidebars");
    let (_, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 5);
    for (slug, kind, words) in [
        (
            "browsers",
            "CULTURE",
            "Mozilla's trademark policy forbade shipping",
        ),
        (
            "mail",
            "BACK TO BASICS",
            "Maildir stores every message in its own file",
        ),
        (
            "office",
            "ALTERNATIVE",
            "Calligra integrates tightly with Plasma",
        ),
        ("emulation", "TIP", "Setting WINEPREFIX points each program"),
    ] {
        let page = &pages[&format!("/{slug}.html")];
        assert!(page.contains(kind), "{slug} lost its box's title:\n{page}");
        assert!(page.contains(words), "{slug} lost its box:\n{page}");
        assert!(page.contains("closes with the packages"), "{page}");
        // The site's menu is a sidebar too, but of links, with no title of its own.
        assert!(
            !page.contains("[Office Suites]("),
            "{slug} keeps the menu:\n{page}"
        );
        // A note laid out as a table with its icon is a note under its bold label, not a
        // row of data.
        assert!(page.contains("> **Note**\n"), "{slug}:\n{page}");
        assert!(
            !page.contains("note.png") && !page.contains("| Note"),
            "{page}"
        );
    }
    assert!(pages["/browsers.html"].contains("> Plugins for the browser come from"));
    assert!(pages["/browsers.html"].contains("| package | size |"));
    assert!(pages["/browsers.html"].contains("| chromium | 260 |"));
}

#[test]
fn a_small_page_mostly_made_of_what_every_page_inherits_keeps_it() {
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/inherited");
    let (status, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 6, "{status}");
    for (path, page) in &pages {
        assert!(
            !page.contains("Toolkit reference manual"),
            "{path}:\n{page}"
        );
    }
    // Five classes share the inherited methods: template on the large pages, where they
    // are a small part, but most of what a small class's page says.
    for name in ["Spinner", "Separator", "Frame"] {
        let page = &pages[&format!("/class.{name}.html")];
        assert!(
            page.contains("A ") && page.contains(&name.to_lowercase()),
            "{page}"
        );
        let kept = [
            "Flags a widget to be displayed",
            "Reverses the effects of showing",
            "Causes keyboard input to arrive",
            "Schedules another size negotiation",
        ]
        .iter()
        .filter(|text| page.contains(*text))
        .count();
        assert!(kept >= 2, "{name} lost what it inherits:\n{page}");
    }
    for name in ["Label", "Entry"] {
        let page = &pages[&format!("/class.{name}.html")];
        assert!(page.contains("## ") || page.contains("# "), "{page}");
        assert!(!page.contains("Flags a widget to be displayed"), "{page}");
    }
    assert!(pages["/class.Label.html"].contains("Mnemonics mark an underlined letter"));
    assert!(
        status["result"]["templateRemoved"]["pages"].as_i64() >= Some(6),
        "{status}"
    );
}

#[test]
fn a_small_page_keeps_half_of_what_a_reader_sees_not_only_of_its_markdown() {
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/small-structs");
    let (status, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 6, "{status}");
    let shared = [
        "Borrows the value immutably",
        "Mutably borrows from an owned value",
        "Returns the argument unchanged",
        "Converts this value into another type",
        "Gets the identifier of the concrete type",
        "Performs the fallible conversion",
    ];
    let kept = |page: &str| shared.iter().filter(|text| page.contains(*text)).count();
    for name in ["Big1", "Big2", "Big3"] {
        let page = &pages[&format!("/struct.{name}.html")];
        assert!(
            page.contains(&format!("The {name} structure paragraph 11")),
            "{page}"
        );
        assert_eq!(kept(page), 0, "{page}");
    }
    // A small struct's Markdown is mostly the shared implementations, and a reader also
    // sees the sidebar's menu, which the extraction leaves out: half of the Markdown's
    // words (three of the six) would be under half of what the reader sees. The section
    // that cannot lose all of its shared text keeps all of it, not a few of its lines.
    for name in ["Tiny1", "Tiny2"] {
        let page = &pages[&format!("/struct.{name}.html")];
        assert!(page.contains(&format!("{name} ")), "{page}");
        assert!(!page.contains("Walnut helper functions"), "{page}");
        assert_eq!(kept(page), shared.len(), "{name} kept a part:\n{page}");
    }
}

#[test]
fn an_option_that_many_pages_share_keeps_its_description_while_the_footer_goes() {
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/shared-options");
    let (status, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 6, "{status}");
    for command in [
        "tool-record",
        "tool-report",
        "tool-listen",
        "tool-split",
        "tool-stat",
    ] {
        let page = &pages[&format!("/{command}.html")];
        assert!(page.contains(&format!("{command} - ")), "{page}");
        // The same option, described the same way on every command's page: its text
        // belongs to its flag, so it stays under it.
        for shared in [
            "--verbose[=level]",
            "Set the log level. Supported log levels are",
            "Example: enable all critical, error and warning logs",
        ] {
            assert!(page.contains(shared), "{command} lost {shared:?}:\n{page}");
        }
        // The copying notice closes every page at the same place: template.
        assert!(!page.contains("Free use of this software"), "{page}");
    }
    assert_eq!(status["result"]["templateRemoved"]["pages"], 6, "{status}");
}

#[test]
fn a_part_page_with_an_introduction_keeps_its_described_table_of_contents() {
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/docbook-parts");
    let (_, pages) = crawl(&app, &server, "/index.html");
    let part = &pages["/commands.html"];
    assert!(part.contains("must open every script"), "{part}");
    // Its own text is most of the page, so the first extraction is saved: the table of
    // contents is kept there because its entries say what each command is for.
    for (command, purpose) in [
        (
            "CLUSTER NAME",
            "name the replication cluster the script works on",
        ),
        ("ADMIN CONNINFO", "how the script reaches each node"),
        ("ECHO", "print a message on the console"),
    ] {
        assert!(part.contains(command), "{part}");
        assert!(part.contains(purpose), "lost {purpose:?}:\n{part}");
    }
    for chrome in ["Prev", "Next page", "Home"] {
        assert!(!part.contains(chrome), "{chrome} kept:\n{part}");
    }
    // A table of contents of titles alone (a page's own sections) is navigation.
    let entry = &pages["/cmd-echo.html"];
    assert!(entry.contains("## Synopsis") && entry.contains("step 5 of a script"));
    assert!(!entry.contains("Table of Contents"), "{entry}");
}

#[test]
fn a_sidebar_under_a_body_whose_id_names_the_page_is_learned_as_template() {
    // Every page's <body> has an id of its own (`page-sensors`); the link list and the
    // brand line beside the article are the same on every page but for the current
    // item's class, and no landmark or chrome name marks them.
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/pageids");
    let (status, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 5, "{pages:?}");
    assert!(
        status["result"]["templateRemoved"]["pages"].as_i64() >= Some(5),
        "{status}"
    );
    for (path, page) in &pages {
        assert!(!page.contains("Source repository"), "{path}:\n{page}");
        assert!(
            !page.contains("version 4.2 for rotating"),
            "{path}:\n{page}"
        );
        assert!(
            page.contains("explains the details a reader needs"),
            "{path}:\n{page}"
        );
    }
    assert!(pages["/sensors.html"].contains("# Sensors\n"));
    assert!(pages["/sensors.html"].contains("magnetic ones need shielding"));
}

#[test]
fn an_index_of_every_type_beside_each_page_goes_however_short_the_page() {
    // A generated API reference in Crystal's layout: beside every page a sidebar (a
    // `div`, no landmark) lists all 80 types of the library, more words than a page's
    // own, so each page keeps it to hold half of what a reader sees; learned as the
    // site's template, the list goes from every page all the same.
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/type-index");
    let (status, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 8, "{pages:?}");
    assert!(
        status["result"]["templateRemoved"]["pages"].as_i64() >= Some(7),
        "{status}"
    );
    for (path, page) in &pages {
        for listed in ["[JuniperIndex]", "[HarborGrid]", "[CobaltBuffer]"] {
            assert!(!page.contains(listed), "{path} kept {listed}:\n{page}");
        }
    }
    let grid = &pages["/FalconGrid.html"];
    assert!(grid.contains("# class FalconGrid\n"), "{grid}");
    assert!(
        grid.contains("lays out widgets in rows and columns"),
        "{grid}"
    );
    assert!(
        grid.contains("Returns the FalconGrid to the state"),
        "{grid}"
    );
    // The overview's own list of types, below its title, stays.
    assert!(
        pages["/index.html"].contains("[GarnetHandle]"),
        "{}",
        pages["/index.html"]
    );
}

#[test]
fn a_manuals_contents_closing_every_page_goes_and_so_do_its_pager_tables() {
    // texi2html's layout (LilyPond's manuals): above every section a table of pager links,
    // after the page a `div` with the whole manual's contents, more words than a page's
    // own, where the entries of the page it is on are written as labels (they link to its
    // own sections).
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/closing-contents");
    let (status, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 9, "{pages:?}");
    assert!(
        status["result"]["templateRemoved"]["pages"].as_i64() >= Some(8),
        "{status}"
    );
    for (path, page) in &pages {
        for chrome in [
            "Further study for",
            "Common mistakes for",
            "Up : Manual",
            "Forward",
        ] {
            assert!(!page.contains(chrome), "{path} kept {chrome:?}:\n{page}");
        }
    }
    let rhythm = &pages["/rhythm.html"];
    assert!(rhythm.contains("## 4. Keeping rhythm\n"), "{rhythm}");
    assert!(
        rhythm.contains("explains keeping rhythm with the dune method"),
        "{rhythm}"
    );
    assert!(
        rhythm.contains("Technique of keeping rhythm starts slowly"),
        "{rhythm}"
    );
    // The cover's own list of chapters stays.
    assert!(
        pages["/index.html"].contains("[Keeping rhythm]"),
        "{}",
        pages["/index.html"]
    );
}

#[test]
fn an_id_on_the_wrapper_of_the_whole_page_does_not_hide_the_template() {
    // docutils' layout: `<body><div class="document" id="<slug of the title>">` holds the
    // whole page, menu and banner included, so that id differs on every page.
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/wrapper-ids");
    let (status, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 5, "{pages:?}");
    assert!(
        status["result"]["templateRemoved"]["pages"].as_i64() >= Some(5),
        "{status} {pages:?}"
    );
    for (path, page) in &pages {
        for chrome in [
            "Your donation helps",
            "Developing with Gizmo and its sensors",
        ] {
            assert!(!page.contains(chrome), "{path} kept {chrome:?}:\n{page}");
        }
    }
    assert!(pages["/sensors.html"].contains("# Sensor support\n"));
    assert!(pages["/sensors.html"].contains("Magnetic sensors need shielding"));
    assert!(pages["/cli.html"].contains("exits with status two"));
}

#[test]
fn what_a_site_adds_inside_every_pages_last_section_goes() {
    // Sphinx with an included epilogue: a "See also" box and a copyright line close every
    // page inside its last `<section>`, whose id is that section's slug and whose depth is
    // the page's outline.
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/closing-include");
    let (status, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 6, "{pages:?}");
    assert!(
        status["result"]["templateRemoved"]["pages"].as_i64() >= Some(6),
        "{status}"
    );
    for (path, page) in &pages {
        for chrome in ["Mailing list", "Quill issues", "Copyright 2011-2026"] {
            assert!(!page.contains(chrome), "{path} kept {chrome:?}:\n{page}");
        }
    }
    // The same sentence in the same place of three pages, but not closing them, stays.
    for path in ["/inputs.html", "/filters.html", "/queues.html"] {
        let page = &pages[path];
        assert!(
            page.contains("it is read once, when the configuration is loaded."),
            "{path}:\n{page}"
        );
    }
    let queues = &pages["/queues.html"];
    assert!(queues.contains("#### Discarding\n"), "{queues}");
    assert!(
        queues.contains("thrown away instead of queued."),
        "{queues}"
    );
}

#[test]
fn sentences_many_pages_share_inside_their_articles_stay() {
    // Every extension's page says it takes no options and captions its example alike,
    // between its own paragraphs; the footer every page ends with is the template.
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/shared-sentences");
    let (status, pages) = crawl(&app, &server, "/tables.html");
    assert_eq!(pages.len(), 5, "{pages:?}");
    assert!(
        status["result"]["templateRemoved"]["pages"].as_i64() >= Some(5),
        "{status}"
    );
    for (path, page) in &pages {
        assert!(
            page.contains(
                "calling the processor.\n\nThis extension does not accept any special \
                 configuration options.\n\nA trivial example:\n\n```"
            ),
            "{path}:\n{page}"
        );
        assert!(!page.contains("Copyright 2026"), "{path}:\n{page}");
    }
}

#[test]
fn classes_naming_the_page_on_its_body_do_not_hide_the_template_below_the_title() {
    // MediaWiki's layout: `<body class="mediawiki … page-Sensors …">` names each page, and
    // the tagline and the licence notice under the title are the same on every page.
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/page-classes");
    let (status, pages) = crawl(&app, &server, "/wiki/Main_Page.html");
    assert_eq!(pages.len(), 5, "{pages:?}");
    assert!(
        status["result"]["templateRemoved"]["pages"].as_i64() >= Some(5),
        "{status}"
    );
    for (path, page) in &pages {
        assert!(!page.contains("From the Gizmo wiki"), "{path}:\n{page}");
        assert!(!page.contains("Documentation Licence"), "{path}:\n{page}");
        assert!(page.contains("# "), "{path}:\n{page}");
    }
    let sensors = &pages["/wiki/Sensors.html"];
    assert!(
        sensors.contains("magnetic ones need shielding from motors"),
        "{sensors}"
    );
    assert!(sensors.contains("read first on every sample"), "{sensors}");
}

#[test]
fn a_texinfo_node_header_goes_whole_not_leaving_its_labels() {
    // `Next: <a rel=next>…</a>, Previous: <a rel=prev>…</a>, Up: <a rel=up>…</a>
    // [<a rel=contents>Contents</a>]` above every node: navigation, labels included.
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/texinfo");
    let (_, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 4, "{pages:?}");
    for (path, page) in &pages {
        assert!(!page.contains("Next:"), "{path}:\n{page}");
        assert!(!page.contains("Previous:"), "{path}:\n{page}");
        assert!(!page.contains("[Contents]"), "{path}:\n{page}");
        // A sentence of the article whose link declares rel="up" stays, links and all.
        assert!(
            page.contains("See [the top node](") && page.contains("the words a reader needs next"),
            "{path}:\n{page}"
        );
    }
    assert!(pages["/Tuning.html"].contains("## 2 Tuning\n"));
    assert!(pages["/Tuning.html"].contains("a quarter turn at a time"));
}

#[test]
fn the_masthead_goes_on_every_kind_of_page_and_a_kept_section_keeps_its_outline() {
    // rustdoc 1.63's layout: `<body class="rustdoc struct">` (or `fn`, `trait`, `mod`), a
    // logo above the title, and on every struct's page the same blanket implementations,
    // each a heading with a `source` link beside it and its one-line docs under it.
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/page-kinds");
    let (status, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 9, "{status}");
    // No kind of page has the three pages a template needs on this site, but the logo
    // precedes every page's title: the site's masthead, whatever the kind.
    for (path, page) in &pages {
        assert!(!page.contains("pinekit-logo.svg"), "{path}:\n{page}");
        assert!(page.contains("# "), "{path}:\n{page}");
    }
    for name in ["Big1", "Big2"] {
        let page = &pages[&format!("/struct.{name}.html")];
        assert!(page.contains(&format!("The {name} structure paragraph 11")));
        assert!(!page.contains("Borrowing Quasar"), "{page}");
    }
    // A small struct cannot lose the whole section and keep half of its words; it keeps
    // the implementations' headings (the outline), without the docs under them, though
    // nothing is left under those headings. Source links are chrome on every page, the
    // page's own too (`srclink` beside its title).
    let page = &pages["/struct.Small1.html"];
    assert!(
        page.contains("remembering how far reading advanced"),
        "{page}"
    );
    for heading in ["Borrowing Quasar", "Fallible Meteor"] {
        assert!(
            page.contains(&format!("### impl {heading} for T")),
            "{page}"
        );
    }
    assert!(!page.contains("Lends the value"), "{page}");
    assert!(!page.contains("src/core/blanket"), "{page}");
    assert!(!page.contains("src/pinekit/small1.rs"), "{page}");
}

#[test]
fn headings_whose_slugs_name_chrome_stay() {
    // Markdown site generators put each heading's slug on the heading itself
    // (`<h2 id="pagination">`); a section called Search, Cookies or Feedback is the page's
    // own, while the search box, the related-pages bar and the feedback line are chrome.
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/heading-ids");
    let (status, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 4, "{status} {pages:?}");
    for (path, heading) in [
        ("/index.html", "## Menu\n"),
        ("/invoices.html", "## Pagination\n"),
        ("/invoices.html", "## Search\n"),
        ("/invoices.html", "### Related invoices\n"),
        ("/sessions.html", "## Cookies\n"),
        ("/sessions.html", "## Consent\n"),
        ("/changes.html", "## Feedback\n"),
    ] {
        assert!(
            pages[path].contains(heading),
            "{path} lost {heading:?}:\n{}",
            pages[path]
        );
    }
    for (path, page) in &pages {
        for chrome in [
            "Previous and next",
            "Was this page helpful",
            "Search the Ledgerly",
        ] {
            assert!(!page.contains(chrome), "{path} kept {chrome:?}:\n{page}");
        }
    }
}

#[test]
fn a_title_set_above_the_content_columns_opens_each_page() {
    // Nim's docgen sets each module's `<h1>` above a row of a sidebar and the content
    // column that is chosen as the article: the page must still open with its title.
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/title-above");
    let (status, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 4, "{status} {pages:?}");
    for (path, title) in [
        ("/index.html", "lib/index"),
        ("/strutils.html", "std/strutils"),
        ("/paths.html", "std/paths"),
        ("/clocks.html", "std/clocks"),
    ] {
        let page = &pages[path];
        assert!(
            page.starts_with(&format!("# {title}\n\n")),
            "{path}:\n{page}"
        );
        for chrome in ["Dark Mode", "Made with Quill", "Standard library"] {
            assert!(!page.contains(chrome), "{path} kept {chrome:?}:\n{page}");
        }
    }
    assert!(pages["/strutils.html"].contains("Splits s at every sep"));
}

#[test]
fn self_anchored_permalinks_and_a_placeholder_above_the_title_go() {
    // Node.js's API docs: every heading ends with `<a href="#x" id="x">#</a>`, and an
    // unfilled placeholder written in `<head>` shows above every page's title.
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/self-anchors");
    let (status, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 4, "{status} {pages:?}");
    for (path, page) in &pages {
        assert!(!page.contains("HARBOR_DYNAMIC_STYLES"), "{path}:\n{page}");
        assert!(
            !page.contains("#\n"),
            "{path} kept a permalink glyph:\n{page}"
        );
    }
    let page = &pages["/sockets.html"];
    assert!(page.starts_with("## Sockets\n"), "{page}");
    assert!(
        page.contains("### Closing\n\nEnding a socket flushes"),
        "{page}"
    );
}

#[test]
fn a_title_header_and_a_build_stamp_go_while_an_items_property_stays() {
    // openstackdocstheme: a page header repeating the title in an `<h2>`, a byline
    // `updated: <build time>` above and below every article; a function's `Since: 2.4`
    // is shared by many pages too, but it is the function's own fact.
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/build-stamps");
    let (status, pages) = crawl(&app, &server, "/index.html");
    assert_eq!(pages.len(), 5, "{status} {pages:?}");
    for (path, page) in &pages {
        assert!(!page.contains("updated:"), "{path}:\n{page}");
        assert!(page.starts_with("# "), "{path}:\n{page}");
    }
    assert!(
        pages["/paging.html"].starts_with("# Paging through results\n\nListing calls"),
        "{}",
        pages["/paging.html"]
    );
    for path in [
        "/sessions.html",
        "/retries.html",
        "/paging.html",
        "/errors.html",
    ] {
        let page = &pages[path];
        assert!(
            page.contains("for one call at a time.\n\nSince: 2.4"),
            "{path}:\n{page}"
        );
    }
}

#[test]
fn a_linked_notebook_reads_as_its_text_code_and_printed_output() {
    // sphinx-gallery and nbsphinx link each example's `.ipynb` beside its page, and
    // servers label it `application/octet-stream`: it is saved as the notebook a reader
    // sees, not as its JSON with base64 images and cell metadata.
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/notebooks");
    let (session, _, status) = app.scrape_site(&server.url("/index.html"), json!({}));
    assert_eq!(status["status"], "finished", "{status}");
    let docs: Value = app
        .get(&format!("/api/v1/session/{session}/documentation"))
        .json()
        .expect("json");
    let url = server.url("/examples/fitting.ipynb");
    let bundle = docs
        .as_array()
        .expect("bundles")
        .iter()
        .find(|bundle| bundle["chunks"][0]["url"] == url.as_str())
        .unwrap_or_else(|| panic!("{url} not saved: {docs}"));
    let chunk = &bundle["chunks"][0];
    assert_eq!(chunk["title"], "Fitting a line to directory sizes");
    assert_eq!(
        chunk["metadata"]["content_type"],
        "application/x-ipynb+json"
    );
    let page = &pages_of(&server, &docs)["/examples/fitting.ipynb"];
    for expected in [
        "# Fitting a line to directory sizes\n\nThis example fits",
        "```python\nimport acme_directory as acme\n",
        "np.polyfit([0, 1, 2], sizes, 1)\n```\n\n```text\nfetched 3 groups\n```",
        "```text\narray([12.5,  3. ])\n```",
        "## Groups that do not exist",
        "GroupNotFound: no group named 'contractors'\n```",
    ] {
        assert!(page.contains(expected), "{expected:?} missing:\n{page}");
    }
    for raw in [
        "cell_type",
        "iVBORw0KGgo",
        "<Figure size",
        "\u{1b}[",
        "[0;31m",
        "Printed manuals",
    ] {
        assert!(!page.contains(raw), "{raw:?} kept:\n{page}");
    }
}

#[test]
fn a_title_written_as_text_is_the_pages_heading_and_its_chunks_section() {
    // Doxygen's layout: no `<h1>`, the page's title in `<div class="title">` (with the
    // class's groups or labels inside it), the `<title>` as `Project: Page title`.
    let app = TestApp::spawn();
    let server = FixtureServer::site("fidelity/text-titles");
    let (session, _, status) =
        app.scrape_site(&server.url("/index.html"), json!({"maxIterations": 50}));
    assert_eq!(status["status"], "finished", "{status}");
    let pages = session_pages(&app, &server, &session);
    assert_eq!(pages.len(), 6, "{pages:?}");
    for (path, title) in [
        ("/classAcmeTimer.html", "AcmeTimer Class Reference"),
        ("/classAcmeRuler.html", "AcmeRuler Class Reference"),
        ("/classAcmeSaw.html", "AcmeSaw Class Reference"),
        ("/annotated.html", "Class List"),
        ("/index.html", "Acme Widgets Documentation"),
    ] {
        let page = &pages[path];
        assert!(page.starts_with(&format!("# {title}\n")), "{path}:\n{page}");
        assert!(
            !page.contains("Widgets that measure twice"),
            "{path}:\n{page}"
        );
    }
    // What the generator put inside the title's element follows it.
    assert!(pages["/classAcmeTimer.html"].contains("[Timing and scheduling widgets]("));
    let ruler = &pages["/classAcmeRuler.html"];
    assert!(
        ruler.contains("\nabstract\n") && !ruler.contains("Referenceabstract"),
        "{ruler}"
    );
    let docs: Value = app
        .get(&format!("/api/v1/session/{session}/documentation"))
        .json()
        .expect("json");
    let sections: Vec<&str> = docs
        .as_array()
        .expect("bundles")
        .iter()
        .flat_map(|bundle| bundle["chunks"].as_array().expect("chunks"))
        .filter(|chunk| {
            chunk["content"]
                .as_str()
                .is_some_and(|c| c.contains("never twice"))
        })
        .filter_map(|chunk| chunk["metadata"]["section"].as_str())
        .collect();
    assert!(
        sections
            .iter()
            .any(|s| s.starts_with("AcmeSaw Class Reference")),
        "{sections:?}"
    );
}
