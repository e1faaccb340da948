//! Property tests of the crawl building blocks, through the library's public API: URL
//! normalisation and scope, HTML extraction and Markdown chunking.
//!
//! Case counts are bounded (see `config`) so the whole file runs in a few seconds in the
//! dev profile. On a failure proptest prints the shrunk input; failures are not persisted
//! (see `config`), so each one found is pinned as a plain test at the end of this file.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use docscrape::crawl::chunk::Chunker;
use docscrape::crawl::extract::html::extract_html;
use docscrape::crawl::scope::{normalize, parse_normalized, OutOfScope, Scope};
use docscrape::crawl::tokens::{self, TokenIndex};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use url::Url;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // Shrinking a tag soup can take long; a bounded budget still yields a small input.
        max_shrink_iters: 2048,
        // Only the files listed for this suite are written: no regression file. Failures
        // found so far are pinned as plain tests at the end of this file instead.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ----- URL strategies ------------------------------------------------------------

fn scheme() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => Just("http".to_string()),
        6 => Just("https".to_string()),
        2 => Just("HTTP".to_string()),
        2 => Just("HtTpS".to_string()),
        1 => Just("ftp".to_string()),
        1 => Just("mailto".to_string()),
        1 => Just("file".to_string()),
        1 => Just("javascript".to_string()),
        1 => Just("data".to_string()),
        1 => "[a-z][a-z0-9+.-]{0,6}",
    ]
}

fn scheme_separator() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        12 => Just("://"),
        1 => Just(":"),
        1 => Just(":/"),
        1 => Just(":///"),
        1 => Just(":\\\\"),
        1 => Just(""),
    ]
}

fn userinfo() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => Just(String::new()),
        1 => Just("user@".to_string()),
        1 => Just("u:p%40ss@".to_string()),
        1 => Just(":@".to_string()),
        1 => Just("a@b@".to_string()),
    ]
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-zA-Z][a-zA-Z0-9-]{0,8}(\\.[a-zA-Z][a-zA-Z0-9-]{0,8}){0,3}",
        2 => Just("Docs.Example.COM".to_string()),
        1 => "(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}",
        1 => Just("[::1]".to_string()),
        1 => Just("[2001:DB8::A]".to_string()),
        1 => Just("[::ffff:127.0.0.1]".to_string()),
        1 => Just("0x7f.1".to_string()),
        1 => Just("2130706433".to_string()),
        1 => Just("bücher.example".to_string()),
        1 => Just("xn--bcher-kva.example".to_string()),
        1 => Just("%41%42.example".to_string()),
        1 => Just("a..b".to_string()),
        1 => Just("example.com.".to_string()),
        1 => Just(String::new()),
        1 => Just("[".to_string()),
        1 => Just("exa mple.com".to_string()),
    ]
}

fn port() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => Just(String::new()),
        3 => Just(":80".to_string()),
        3 => Just(":443".to_string()),
        1 => Just(":080".to_string()),
        1 => Just(":00443".to_string()),
        2 => Just(":8080".to_string()),
        1 => Just(":0".to_string()),
        1 => Just(":65535".to_string()),
        1 => Just(":65536".to_string()),
        1 => Just(":".to_string()),
        1 => Just(":x".to_string()),
        1 => (0u32..70000).prop_map(|p| format!(":{p}")),
    ]
}

fn path_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9_~-]{1,8}",
        2 => Just(".".to_string()),
        2 => Just("..".to_string()),
        1 => Just("%2e".to_string()),
        1 => Just("%2E%2e".to_string()),
        1 => Just(".%2E".to_string()),
        1 => Just("%7e".to_string()),
        1 => Just("%7E".to_string()),
        1 => Just("%zz".to_string()),
        1 => Just("%".to_string()),
        1 => Just("%2F".to_string()),
        1 => Just("a b".to_string()),
        1 => Just("ü".to_string()),
        1 => Just(String::new()),
        1 => Just("index.html".to_string()),
        1 => Just("Login".to_string()),
        1 => Just("logo.PNG".to_string()),
        1 => Just("a;b=c".to_string()),
        1 => Just("\\".to_string()),
        1 => "%[0-9a-fA-F]{2}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    (prop::collection::vec(path_segment(), 0..6), any::<bool>()).prop_map(|(segments, slash)| {
        let mut path = String::new();
        for segment in &segments {
            path.push('/');
            path.push_str(segment);
        }
        if slash {
            path.push('/');
        }
        path
    })
}

fn query() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(String::new()),
        2 => Just("?".to_string()),
        2 => "\\?[a-z]{1,4}=[a-z0-9%]{0,6}(&[a-z]{1,4}=[a-z0-9]{0,4}){0,2}",
        1 => Just("?q=%20&x=ü".to_string()),
        1 => Just("??".to_string()),
        1 => Just("?a#b?c".to_string()),
    ]
}

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(String::new()),
        2 => Just("#".to_string()),
        2 => "#[a-zA-Z0-9_-]{1,8}",
        1 => Just("#a#b".to_string()),
        1 => Just("#%20 x".to_string()),
        1 => Just("#/route?x=1".to_string()),
    ]
}

fn whitespace() -> impl Strategy<Value = &'static str> {
    prop_oneof![8 => Just(""), 1 => Just(" "), 1 => Just("\t\n"), 1 => Just("\u{a0}")]
}

/// Strings that look like URLs: the pieces of one, each drawn from plausible and
/// awkward spellings (dot segments, percent escapes, default ports, empty parts).
fn url_ish() -> impl Strategy<Value = String> {
    (
        whitespace(),
        scheme(),
        scheme_separator(),
        userinfo(),
        host(),
        port(),
        path(),
        query(),
        fragment(),
        whitespace(),
    )
        .prop_map(
            |(lead, scheme, sep, user, host, port, path, query, fragment, trail)| {
                format!("{lead}{scheme}{sep}{user}{host}{port}{path}{query}{fragment}{trail}")
            },
        )
}

/// Hosts used as starter hosts of a scope, and the hosts of candidate URLs: a small pool
/// so that candidates often hit (and often miss) the starter set.
const HOST_POOL: &[&str] = &[
    "docs.example.com",
    "example.com",
    "api.example.com",
    "docs.example.org",
    "127.0.0.1",
    "[::1]",
];

fn host_key_in_pool() -> impl Strategy<Value = String> {
    (
        prop::sample::select(HOST_POOL),
        prop_oneof![
            3 => Just(""),
            1 => Just(":8080"),
            1 => Just(":8443"),
        ],
    )
        .prop_map(|(host, port)| format!("{host}{port}"))
}

fn url_in_pool() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("http"), Just("https"), Just("HTTPS")],
        prop::sample::select(HOST_POOL),
        port(),
        path(),
        query(),
        fragment(),
    )
        .prop_map(|(scheme, host, port, path, query, fragment)| {
            // Upper-case the host sometimes: the scope must see the normalised spelling.
            let host = if path.len().is_multiple_of(2) {
                host.to_ascii_uppercase()
            } else {
                host.to_string()
            };
            format!("{scheme}://{host}{port}{path}{query}{fragment}")
        })
}

fn glob() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/api/**".to_string()),
        Just("/guide/*".to_string()),
        Just("**/*.html".to_string()),
        Just("/{a,b}/**".to_string()),
        Just("/[".to_string()),
        Just("{".to_string()),
        "[a-z/*?{},\\[\\]!]{0,10}",
    ]
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// The "same site" key written out independently of the library: host, plus the port
/// when it is not the scheme's default.
fn site_key(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) if Some(port) != default_port(url.scheme()) => format!("{host}:{port}"),
        _ => host.to_string(),
    })
}

fn check_normalised_shape(original: &str, normalised: &Url) -> Result<(), TestCaseError> {
    let text = normalised.as_str();
    prop_assert!(
        matches!(normalised.scheme(), "http" | "https"),
        "{original:?} -> {text}: scheme"
    );
    prop_assert!(
        normalised.host_str().is_some_and(|h| !h.is_empty()),
        "{original:?} -> {text}: no host"
    );
    prop_assert_eq!(normalised.fragment(), None, "{:?} -> {}", original, text);
    prop_assert!(!text.contains('#'), "{original:?} -> {text}: fragment kept");
    prop_assert!(
        normalised.port().is_none() || normalised.port() != default_port(normalised.scheme()),
        "{original:?} -> {text}: default port kept"
    );
    let default_suffix = match normalised.scheme() {
        "http" => ":80",
        _ => ":443",
    };
    let authority = text
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?']).next().unwrap_or(""))
        .unwrap_or("");
    prop_assert!(
        !authority.ends_with(default_suffix),
        "{original:?} -> {text}: default port in the text"
    );
    prop_assert!(
        normalised.query() != Some(""),
        "{original:?} -> {text}: empty query kept"
    );
    prop_assert!(
        normalised.username().is_empty() && normalised.password().is_none(),
        "{original:?} -> {text}: credentials kept"
    );
    let host = normalised.host_str().unwrap_or("");
    prop_assert_eq!(host.to_ascii_lowercase(), host, "host not lowercase");
    prop_assert!(
        !normalised
            .path_segments()
            .is_some_and(|mut s| s.any(|seg| seg == "." || seg == "..")),
        "{original:?} -> {text}: dot segment kept"
    );
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn normalize_never_panics_on_arbitrary_strings(text in any::<String>()) {
        let _ = parse_normalized(&text);
        if let Ok(url) = Url::parse(&text) {
            let _ = normalize(&url);
        }
    }

    #[test]
    fn normalize_never_panics_on_url_ish_strings(text in url_ish()) {
        let _ = parse_normalized(&text);
        if let Ok(url) = Url::parse(&text) {
            let _ = normalize(&url);
        }
    }

    #[test]
    fn normalized_urls_have_no_fragment_default_port_or_dot_segments(text in url_ish()) {
        if let Some(normalised) = parse_normalized(&text) {
            check_normalised_shape(&text, &normalised)?;
        }
    }

    #[test]
    fn normalize_is_idempotent(text in url_ish()) {
        let Some(once) = parse_normalized(&text) else {
            return Ok(());
        };
        // On the parsed value …
        let twice = normalize(&once);
        prop_assert_eq!(twice.as_ref(), Some(&once), "normalize(normalize({:?}))", text);
        // … and through its text, which is what the frontier stores and reloads.
        let reparsed = parse_normalized(once.as_str());
        prop_assert_eq!(
            reparsed.as_ref().map(Url::as_str),
            Some(once.as_str()),
            "parse_normalized(parse_normalized({:?}))",
            text
        );
    }

    #[test]
    fn only_http_and_https_survive(text in url_ish()) {
        if let Ok(url) = Url::parse(text.trim()) {
            let is_web = matches!(url.scheme(), "http" | "https") && url.host_str().is_some();
            prop_assert_eq!(normalize(&url).is_some(), is_web, "{}", text);
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn scope_checks_never_panic(
        starters in prop::collection::vec(url_ish(), 0..4),
        include in prop::collection::vec(glob(), 0..3),
        exclude in prop::collection::vec(glob(), 0..3),
        candidate in url_ish(),
    ) {
        let hosts = starters
            .iter()
            .filter_map(|s| parse_normalized(s))
            .filter_map(|u| site_key(&u));
        let Ok(scope) = Scope::new(hosts, &include, &exclude) else {
            return Ok(());
        };
        if let Ok(url) = Url::parse(candidate.trim()) {
            let _ = scope.check(&url);
            let _ = scope.check_path(&url);
        }
        if let Some(url) = parse_normalized(&candidate) {
            let _ = scope.check(&url);
            let _ = scope.check_path(&url);
        }
    }

    #[test]
    fn urls_outside_the_starter_hosts_are_never_in_scope(
        starters in prop::collection::btree_set(host_key_in_pool(), 1..4),
        include in prop::collection::vec(glob(), 0..2),
        exclude in prop::collection::vec(glob(), 0..2),
        candidate in prop_oneof![3 => url_in_pool(), 1 => url_ish()],
    ) {
        let Some(url) = parse_normalized(&candidate) else {
            return Ok(());
        };
        let Ok(mut scope) = Scope::new(starters.iter().cloned(), &include, &exclude) else {
            return Ok(());
        };
        let key = site_key(&url).unwrap_or_default();
        let verdict = scope.check(&url);
        if !starters.contains(&key) {
            prop_assert_eq!(
                verdict,
                Err(OutOfScope::OtherHost),
                "{} (site {}) is not one of {:?}",
                url.as_str(),
                key,
                starters
            );
            // Adding another host must not change that.
            scope.add_host("unrelated.example.net".to_string());
            prop_assert_eq!(scope.check(&url), Err(OutOfScope::OtherHost));
        } else {
            // On a starter host only the path rules decide.
            prop_assert_ne!(verdict.clone(), Err(OutOfScope::OtherHost), "{}", url.as_str());
            prop_assert_eq!(verdict, scope.check_path(&url), "{}", url.as_str());
        }
    }

    #[test]
    fn plain_documentation_paths_on_a_starter_host_are_in_scope(
        starter in host_key_in_pool(),
        segments in prop::collection::vec("[a-z][a-z0-9-]{0,8}", 0..5),
        page in prop_oneof![Just(""), Just("index.html"), Just("guide.md"), Just("ref/")],
    ) {
        let scope = Scope::new([starter.clone()], &[], &[]).expect("scope without globs");
        let path: String = segments.iter().map(|s| format!("/{s}")).collect();
        let text = format!("https://{starter}{path}/{page}");
        let url = parse_normalized(&text).expect("valid URL");
        let non_doc = ["login", "logout", "signin", "signup", "register", "pricing", "careers",
            "cart", "checkout", "subscribe", "unsubscribe", "signout"];
        prop_assume!(!segments.iter().any(|s| non_doc.contains(&s.as_str())));
        prop_assert_eq!(scope.check(&url), Ok(()), "{}", text);
    }
}

// ----- HTML extraction -----------------------------------------------------------

/// Marker text placed in every inserted `<script>`; it must never reach the Markdown.
const SCRIPT_MARKER: &str = "zqxSCRIPTLEAKqxz";

const BLOCK_TAGS: &[&str] = &[
    "div",
    "p",
    "ul",
    "ol",
    "li",
    "table",
    "tr",
    "td",
    "th",
    "pre",
    "code",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "span",
    "nav",
    "main",
    "article",
    "section",
    "aside",
    "header",
    "footer",
    "blockquote",
    "em",
    "strong",
    "dl",
    "dt",
    "dd",
];

fn href() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => url_ish(),
        2 => "/[a-z]{1,6}(/[a-z]{1,6}){0,2}(\\.html)?",
        2 => "(\\.\\./|\\./)?[a-z]{1,6}(#[a-z]{1,4})?",
        1 => Just("#top".to_string()),
        1 => Just("javascript:alert(1)".to_string()),
        1 => Just("mailto:someone@example.com".to_string()),
        1 => Just("//other.example.org/x".to_string()),
        1 => Just("data:text/html,<b>x</b>".to_string()),
        1 => Just("http://[::1".to_string()),
        1 => Just("   ".to_string()),
        1 => Just("?page=2".to_string()),
    ]
}

fn attr_value() -> impl Strategy<Value = String> {
    // Attribute values never carry the script marker, so any leak is from a script.
    "[a-zA-Z0-9 _:/.#-]{0,12}".prop_map(|v| v.replace('"', ""))
}

fn attribute() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => href().prop_map(|h| format!(" href=\"{}\"", h.replace('"', "%22"))),
        2 => attr_value().prop_map(|v| format!(" class=\"{v}\"")),
        1 => attr_value().prop_map(|v| format!(" id=\"{v}\"")),
        1 => Just(" role=\"navigation\"".to_string()),
        1 => Just(" role=\"main\"".to_string()),
        1 => Just(" hidden".to_string()),
        1 => Just(" aria-hidden=\"true\"".to_string()),
        1 => Just(" style=\"display:none\"".to_string()),
        1 => Just(" rel=\"nofollow\"".to_string()),
        1 => prop_oneof![Just("python"), Just("rust"), Just("")]
            .prop_map(|l| format!(" class=\"language-{l}\"")),
        1 => Just(" colspan=\"2\"".to_string()),
        1 => Just(" onclick=\"x()\"".to_string()),
        1 => Just(" data-x='a\"b'".to_string()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 ]{1,20}",
        1 => Just("a * b _c_ `d` [e](f) | g |".to_string()),
        1 => Just("&amp; &nbsp; &#x41; &bogus; &".to_string()),
        1 => Just("  \n\t  ".to_string()),
        1 => Just("ünïcødé 日本語 🎉".to_string()),
        1 => Just("# not a heading\n- not a list".to_string()),
        1 => Just("```\nfence\n```".to_string()),
    ]
}

fn script() -> impl Strategy<Value = String> {
    (
        "[a-zA-Z0-9 ;=(){}.]{0,20}",
        prop_oneof![
            Just("<script>"),
            Just("<script type=\"text/javascript\">"),
            Just("<SCRIPT>"),
            Just("<script src=\"/x.js\">"),
            Just("<script type=\"module\" async>"),
        ],
        prop_oneof![Just("</script>"), Just("</SCRIPT>"), Just("</script >")],
    )
        .prop_map(|(body, open, close)| {
            format!(
                "{open}var {SCRIPT_MARKER} = 1; {body}; document.write('{SCRIPT_MARKER}'){close}"
            )
        })
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => text(),
        2 => script(),
        1 => Just("<br>".to_string()),
        1 => Just("<hr/>".to_string()),
        1 => Just("<img src=\"/i.png\" alt=\"an image\">".to_string()),
        1 => Just("<!-- a comment <script>not a script</script> -->".to_string()),
        1 => Just("<style>.x{color:red}</style>".to_string()),
        1 => Just("</div>".to_string()),
        1 => Just("</td></tr></table>".to_string()),
        // A bare `<` before a space is text; a bare `<p` would swallow the next tag into its
        // name (`<p<script>` is no script element), so it is not generated here.
        1 => Just("a < b <= c".to_string()),
    ]
}

/// Random nesting of documentation-ish elements with random attributes, text and
/// scripts; some tags are left unclosed or closed in the wrong order.
fn tag_soup() -> impl Strategy<Value = String> {
    leaf().prop_recursive(5, 96, 6, |inner| {
        (
            prop::sample::select(BLOCK_TAGS),
            prop::collection::vec(attribute(), 0..3),
            prop::collection::vec(inner, 0..6),
            prop_oneof![6 => Just(0u8), 2 => Just(1u8), 1 => Just(2u8)],
        )
            .prop_map(|(tag, attrs, children, closing)| {
                let mut html = format!("<{tag}{}>", attrs.concat());
                for child in children {
                    html.push_str(&child);
                }
                match closing {
                    0 => html.push_str(&format!("</{tag}>")),
                    1 => {}                              // unclosed
                    _ => html.push_str("</div></span>"), // mismatched
                }
                html
            })
    })
}

fn document() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            3 => Just(String::new()),
            1 => href().prop_map(|h| format!("<base href=\"{}\">", h.replace('"', ""))),
        ],
        prop::collection::vec(tag_soup(), 1..5),
        any::<bool>(),
    )
        .prop_map(|(base, body, wrap)| {
            if wrap {
                format!(
                    "<!doctype html><html><head><title>T</title>{base}<script>{SCRIPT_MARKER}</script></head><body>{}</body></html>",
                    body.concat()
                )
            } else {
                format!("{base}{}", body.concat())
            }
        })
}

fn page_url() -> impl Strategy<Value = Url> {
    prop_oneof![
        3 => Just(Url::parse("https://docs.example.com/guide/intro.html").expect("url")),
        1 => url_ish().prop_filter_map("not an http(s) URL", |s| parse_normalized(&s)),
    ]
}

fn check_links_absolute(
    page: &docscrape::crawl::extract::html::HtmlPage,
) -> Result<(), TestCaseError> {
    let all = page
        .links
        .iter()
        .map(|l| &l.url)
        .chain(page.canonical.iter())
        .chain(page.alternates.iter().map(|(_, u)| u))
        .chain(page.spec_links.iter());
    for url in all {
        prop_assert!(
            matches!(url.scheme(), "http" | "https"),
            "link {} is not http(s)",
            url.as_str()
        );
        prop_assert!(
            url.host_str().is_some_and(|h| !h.is_empty()),
            "link {} has no host",
            url.as_str()
        );
        // Absolute: parsing its text on its own gives the same URL back.
        let reparsed = Url::parse(url.as_str()).ok();
        prop_assert_eq!(reparsed.as_ref(), Some(url));
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn extract_html_never_panics_on_arbitrary_strings(html in any::<String>(), url in page_url()) {
        let page = extract_html(&html, &url);
        check_links_absolute(&page)?;
    }

    #[test]
    fn extract_html_never_panics_on_tag_soup(html in document(), url in page_url()) {
        let page = extract_html(&html, &url);
        prop_assert!(
            !page.markdown.contains(SCRIPT_MARKER),
            "script content leaked into the Markdown:\n{}\n--- from ---\n{}",
            page.markdown,
            html
        );
        prop_assert!(
            !page.markdown.to_ascii_lowercase().contains("<script"),
            "a <script tag reached the Markdown:\n{}",
            page.markdown
        );
        if let Some(title) = &page.title {
            prop_assert!(!title.contains(SCRIPT_MARKER), "script in title {}", title);
        }
        check_links_absolute(&page)?;
    }

    /// Anchor texts feed link ranking; script source inside an `<a>` is not its text.
    #[test]
    fn link_texts_never_contain_script_content(html in document()) {
        let url = Url::parse("https://docs.example.com/guide/intro.html").expect("url");
        let page = extract_html(&html, &url);
        for link in &page.links {
            prop_assert!(
                !link.text.contains(SCRIPT_MARKER),
                "script content in the text of the link to {}: {:?}\n--- from ---\n{}",
                link.url.as_str(),
                link.text,
                html
            );
        }
    }

    #[test]
    fn extract_html_is_deterministic(html in document()) {
        let url = Url::parse("https://docs.example.com/a/b/").expect("url");
        prop_assert_eq!(extract_html(&html, &url), extract_html(&html, &url));
    }
}

// ----- chunking --------------------------------------------------------------------

const BUDGET: usize = 50;

/// Building a chunker loads the tokenizer; share one between cases.
static CHUNKER: LazyLock<Chunker> = LazyLock::new(|| Chunker::new(BUDGET));

fn markdown_line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 ,.]{0,120}",
        1 => "#{1,7} [a-zA-Z ]{0,30}",
        1 => "(- |\\* |1\\. )[a-z ]{0,40}",
        1 => Just("```".to_string()),
        1 => Just("~~~~rust".to_string()),
        1 => Just("| a | b |\n|---|---|\n| 1 | 2 |".to_string()),
        1 => Just("> quoted text that goes on".to_string()),
        1 => Just(String::new()),
        1 => "[a-z]{200,400}",
        1 => Just("👨‍👩‍👧‍👦".repeat(20)),
        1 => Just("e\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}".repeat(8)),
        1 => "\\PC{0,80}",
    ]
}

fn markdown() -> impl Strategy<Value = String> {
    prop::collection::vec(markdown_line(), 0..40).prop_map(|lines| lines.join("\n"))
}

/// Letters and digits outside code-fence lines: the chunker may drop an empty code block
/// and re-open a code block cut between chunks, but it never loses text.
fn alphanumerics_outside_fence_lines(text: &str) -> usize {
    text.lines()
        .filter(|line| {
            let line = line.trim_start();
            !(line.starts_with("```") || line.starts_with("~~~"))
        })
        .map(|line| line.chars().filter(|c| c.is_alphanumeric()).count())
        .sum()
}

fn check_chunks(text: &str) -> Result<(), TestCaseError> {
    let chunks = CHUNKER.split_markdown(text);
    for chunk in &chunks {
        prop_assert!(
            chunk.token_count <= BUDGET,
            "chunk of {} tokens: {:?}",
            chunk.token_count,
            chunk.content
        );
        prop_assert_eq!(chunk.token_count, CHUNKER.count_tokens(&chunk.content));
        prop_assert_eq!(chunk.character_count, chunk.content.chars().count());
        prop_assert!(!chunk.content.trim().is_empty(), "blank chunk");
    }
    let kept: usize = chunks
        .iter()
        .map(|c| c.content.chars().filter(|c| c.is_alphanumeric()).count())
        .sum();
    let given = alphanumerics_outside_fence_lines(text);
    prop_assert!(
        kept >= given,
        "text lost: {} letters and digits in, {} in the chunks {:?}",
        given,
        kept,
        chunks
            .iter()
            .map(|c| c.content.as_str())
            .collect::<Vec<_>>()
    );
    Ok(())
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn chunks_of_arbitrary_text_fit_the_budget(text in any::<String>()) {
        check_chunks(&text)?;
    }

    #[test]
    fn chunks_of_markdown_fit_the_budget(text in markdown()) {
        check_chunks(&text)?;
    }
}

// ----- token counts ----------------------------------------------------------------

/// tiktoken-rs, the reference implementation of `cl100k_base`.
fn reference_count(text: &str) -> usize {
    tiktoken_rs::cl100k_base_singleton()
        .encode_ordinary(text)
        .len()
}

/// Text that exercises every alternative of the pre-tokenising expression: words,
/// contractions, digit runs, punctuation runs, newlines and runs of spaces, non-ASCII
/// letters and digits, emoji.
fn tokenizer_text() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        4 => "[a-zA-Z]{1,12}",
        2 => "[0-9]{1,8}",
        2 => "[ ]{1,4}",
        1 => "[\\n\\r\\t ]{1,4}",
        2 => "[.,;:!?()\\[\\]{}<>/\\\\`'\"#*_=+-]{1,4}",
        1 => prop::sample::select(vec!["'s", "'T", "'re", "'ll", "'d", "n't"]).prop_map(String::from),
        1 => "[éüßøçñ中文字日本한국어]{1,4}",
        1 => "[٠-٩०-९]{1,3}",
        1 => Just("🙂👨‍👩‍👧".to_string()),
        1 => "\\PC{0,6}",
    ];
    prop::collection::vec(part, 0..60).prop_map(|parts| parts.concat())
}

/// Text dense in the places where the hand-written pre-tokeniser (`tokens::pieces`)
/// decides a piece: apostrophes before letters in any case, digit runs of every length,
/// white space before newlines and at the end, punctuation runs into newlines, `\r`,
/// control characters, and non-ASCII letters, digits and spaces right next to ASCII.
fn splitter_text() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        3 => "[a-zA-Z]{1,5}",
        3 => "'[sStTrReEvVmMlLdDx]{0,3}",
        2 => "[0-9]{1,7}",
        3 => "[ \t]{1,4}",
        3 => "[ \t\r\n]{1,5}",
        3 => "[.,;:!?()'\"#*_=+/-]{1,4}[\r\n]{0,2}",
        1 => "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]{1,2}",
        2 => "[éÜßſ\u{212a}中字٣²\u{a0}\u{85}\u{2003}\u{3000}🙂]{1,2}",
    ];
    prop::collection::vec(part, 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(config(1024))]

    /// The hand-written pre-tokeniser cuts every text where the regular expression does,
    /// and the counts stay tiktoken's.
    #[test]
    fn pieces_are_the_regular_expressions(text in splitter_text()) {
        let expected: Vec<&str> = bpe_openai::cl100k_base().split(&text).collect();
        let pieces: Vec<&str> = tokens::pieces(&text).collect();
        prop_assert_eq!(pieces, expected, "text {:?}", &text);
        prop_assert_eq!(tokens::count(&text), reference_count(&text), "text {:?}", &text);
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn token_counts_are_tiktokens(text in tokenizer_text()) {
        prop_assert_eq!(tokens::count(&text), reference_count(&text));
    }

    /// A slice's count from the index of the whole text is its count as a text of its own.
    #[test]
    fn slice_counts_from_an_index_are_exact(text in tokenizer_text(), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
        let boundaries: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
        let (x, y) = (*a.get(&boundaries), *b.get(&boundaries));
        let (start, end) = (x.min(y), x.max(y));
        let index = TokenIndex::build(&text);
        prop_assert_eq!(index.total(), reference_count(&text));
        prop_assert_eq!(index.count(start, end), reference_count(&text[start..end]), "slice {:?}", &text[start..end]);
    }
}

#[test]
fn starter_set_is_compared_by_site_key() {
    // A fixed example next to the properties: the port is part of the site.
    let hosts: BTreeSet<String> = ["docs.example.com".to_string()].into();
    let scope = Scope::new(hosts, &[], &[]).expect("scope");
    let on = parse_normalized("HTTPS://DOCS.example.com:443/a/../b").expect("url");
    let off = parse_normalized("https://docs.example.com:8443/b").expect("url");
    assert_eq!(scope.check(&on), Ok(()));
    assert_eq!(scope.check(&off), Err(OutOfScope::OtherHost));
}

#[test]
fn script_inside_a_link_is_not_link_text() {
    // Found by `link_texts_never_contain_script_content`.
    let url = Url::parse("https://docs.example.com/guide/intro.html").expect("url");
    let page = extract_html(
        "<a href=\"/next\">Next page<div><script>var leaked = 1;</script></div></a>",
        &url,
    );
    assert_eq!(page.links.len(), 1);
    assert_eq!(page.links[0].text, "Next page");
    assert!(!page.markdown.contains("leaked"), "{}", page.markdown);
}
