//! Pages that a site names only in its scripts. Documentation generators build menus and
//! navigation trees from data files (Doxygen's `menudata.js` and `navtreedata.js`: a main
//! page with no HTML link at all), so a crawl that reads HTML links only would stop at
//! the first page. A page's same-origin external scripts are fetched once per job, as
//! discovery documents are (no page budget, robots.txt and the body cap apply), and the string literals in them that name an HTML page
//! become links of that page, followed like any other.

use std::collections::HashSet;
use std::sync::Mutex;

use url::Url;

use super::discovery::{fetch_document, Polite};
use super::fetch::Fetcher;
use super::hosts::HostLimiter;
use super::robots::RobotsCache;

/// Scripts a job may fetch whatever its budget: a site's menus are in a few of them …
const MIN_JOB_SCRIPTS: usize = 64;
/// … and one per this many pages of the job's budget: a Doxygen manual's examples each
/// build their menu from a `menudata.js` of their own (28 of 120 scripts on one site),
/// and a fixed cap made which of them were read, so which pages were found, depend on
/// the order pages happened to finish in.
const PAGES_PER_SCRIPT: usize = 4;
/// Page links taken from one script at most.
const MAX_SCRIPT_LINKS: usize = 20_000;
/// Longest string literal looked at.
const MAX_LITERAL_BYTES: usize = 512;

/// The scripts a job has fetched (or is fetching), each once, and how many it may.
pub struct ScriptsSeen {
    seen: Mutex<HashSet<String>>,
    limit: usize,
}

impl ScriptsSeen {
    /// For a job whose page budget is `max_pages`.
    pub fn for_budget(max_pages: u32) -> Self {
        let limit = (max_pages as usize / PAGES_PER_SCRIPT).max(MIN_JOB_SCRIPTS);
        Self {
            seen: Mutex::new(HashSet::new()),
            limit,
        }
    }

    /// Whether `script` is this caller's to fetch: not seen before, and the job has room.
    pub fn claim(&self, script: &Url) -> bool {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.len() < self.limit && seen.insert(script.as_str().to_string())
    }
}

/// The page URLs that the same-origin scripts of the page at `page_url` name, for the
/// scripts `seen` lets this caller fetch. They are resolved against `base`, the page's
/// `<base href>` or the page itself: a script's strings are used in the page's document
/// (LibreOffice's help pages sit under `<base href="../../../">` and fill their table of
/// contents from `contents.js`). A script that cannot be fetched or read gives none.
pub async fn page_links_in_scripts(
    fetcher: &Fetcher,
    hosts: &HostLimiter,
    robots: &RobotsCache,
    seen: &ScriptsSeen,
    page_url: &Url,
    base: &Url,
    scripts: &[Url],
) -> Vec<Url> {
    let mut found = Vec::new();
    for script in scripts {
        if script.origin() != page_url.origin() || !seen.claim(script) {
            continue;
        }
        let rules = robots.rules_for(fetcher, hosts, script).await;
        if !rules.allows(script) {
            continue;
        }
        let polite = Polite::new(fetcher, hosts, &rules);
        let Some(body) = fetch_document(&polite, script).await else {
            continue;
        };
        let base = base.clone();
        let read = tokio::task::spawn_blocking(move || {
            let text = String::from_utf8_lossy(&body);
            page_paths(&text)
                .iter()
                .filter_map(|path| base.join(path).ok())
                .filter(|url| matches!(url.scheme(), "http" | "https"))
                .collect::<Vec<_>>()
        })
        .await;
        if let Ok(urls) = read {
            log::debug!("{script} names {} page(s)", urls.len());
            found.extend(urls);
        }
    }
    found
}

/// The string literals of a script that name an HTML page (`"annotated.html"`,
/// `'guide/intro.htm#setup'`), also those quoted inside a literal of markup, each once, in
/// order.
pub fn page_paths(script: &str) -> Vec<String> {
    let bytes = script.as_bytes();
    let mut seen = HashSet::new();
    let mut paths = Vec::new();
    let mut i = 0;
    while i < bytes.len() && paths.len() < MAX_SCRIPT_LINKS {
        let quote = bytes[i];
        // An escaped quote (`"esc\"aped"`) is inside a literal, never the start of one.
        if !matches!(quote, b'"' | b'\'' | b'`') || (i > 0 && bytes[i - 1] == b'\\') {
            i += 1;
            continue;
        }
        match literal_end(bytes, i + 1, quote) {
            Some(end) => {
                // Escaped slashes are JSON's (`guide\/intro.html`).
                let text = script[i + 1..end].replace("\\/", "/");
                if names_a_page(&text) {
                    if seen.insert(text.clone()) {
                        paths.push(text);
                    }
                    i = end + 1;
                } else {
                    // Markup written by the script (`innerHTML='<a href="guide.html">'`)
                    // quotes its links inside the literal: they are looked for too.
                    i += 1;
                }
            }
            // Not a literal (a quote in a comment or a regular expression): go on after it.
            None => i += 1,
        }
    }
    paths
}

/// Where the literal opened by `quote` just before `from` closes: on its line, within
/// [`MAX_LITERAL_BYTES`], escapes skipped.
fn literal_end(bytes: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut j = from;
    while j < bytes.len() && j - from <= MAX_LITERAL_BYTES {
        match bytes[j] {
            b'\\' => j += 2,
            b'\n' => return None,
            b if b == quote => return Some(j),
            _ => j += 1,
        }
    }
    None
}

/// A relative or absolute URL of an HTML page: no spaces or code characters, a file name
/// ending in `.html`, `.htm` or `.xhtml` (a query or fragment may follow).
fn names_a_page(text: &str) -> bool {
    if text.is_empty()
        || text.len() > MAX_LITERAL_BYTES
        || text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>{}()[]\"'`\\*|^$,;!".contains(c))
    {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    if ["javascript:", "data:", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
    {
        return false;
    }
    let path = lower.split(['?', '#']).next().unwrap_or_default();
    let file = path.rsplit('/').next().unwrap_or_default();
    [".html", ".htm", ".xhtml"]
        .iter()
        .any(|extension| file.len() > extension.len() && file.ends_with(extension))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_names_are_read_from_menus_and_trees() {
        let menu = r#"var menudata={children:[
{text:"Main Page",url:"index.html"},
{text:"Classes",url:"annotated.html",children:[{text:"Class List",url:"annotated.html"}]},
{text:"Files",url:'files.html#list'}]}
var NAVTREE = [ [ "SDL", "index.html", [ [ "Guide", "md_docs_guide.html", null ] ] ] ];
var cfg = {"page":"api\/reference.htm?v=2", suffix: ".html", type: "text/html", glob: "*.html"};
// don't: an apostrophe in a comment does not hide 'kept.html' on its line
var next = `chapter-2.xhtml`; var css = "style.css"; var sp = "a page.html";
el.innerHTML = '<li><a href="en/text/tables.html?DbPAR=WRITER">Tables</a></li>';"#;
        assert_eq!(
            page_paths(menu),
            vec![
                "index.html",
                "annotated.html",
                "files.html#list",
                "md_docs_guide.html",
                "api/reference.htm?v=2",
                "kept.html",
                "chapter-2.xhtml",
                "en/text/tables.html?DbPAR=WRITER",
            ]
        );
    }

    #[test]
    fn broken_or_hostile_scripts_give_what_can_be_read() {
        assert!(page_paths("\"unterminated.html").is_empty());
        assert!(page_paths("'a.html\n'").is_empty());
        assert_eq!(
            page_paths("x = \"esc\\\"aped.html\"; y = 'b.html'"),
            vec!["b.html"]
        );
        assert!(page_paths("\"javascript:go.html\" \"data:x.html\"").is_empty());
        let long = format!("\"{}.html\"", "a".repeat(MAX_LITERAL_BYTES + 1));
        assert!(page_paths(&long).is_empty());
        assert!(page_paths("\u{0}\u{ff}ü'é.html'").contains(&"é.html".to_string()));
    }

    #[test]
    fn each_script_is_claimed_once_and_a_job_claims_few() {
        let url = |i: usize| Url::parse(&format!("http://d.example/{i}.js")).expect("url");
        let claimed = |seen: &ScriptsSeen| (0..10_000).filter(|&i| seen.claim(&url(i))).count();
        let seen = ScriptsSeen::for_budget(50);
        assert!(seen.claim(&url(0)));
        assert!(!seen.claim(&url(0)), "each script once");
        assert_eq!(claimed(&seen), MIN_JOB_SCRIPTS - 1);
        assert_eq!(claimed(&ScriptsSeen::for_budget(2_000)), 500);
    }
}
