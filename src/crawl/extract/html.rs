//! HTML page → metadata, links and main-content Markdown.
//!
//! Every traversal here is iterative (see [`walk`]): crawled pages are
//! untrusted and a document of 100,000 nested elements must not overflow
//! the stack of a worker thread.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Deref;
use std::sync::LazyLock;

use scraper::{ElementRef, Html, Node, Selector};
use url::Url;

use super::markdown_writer::{escape_bracket_text, MarkdownWriter, SpanStart};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlPage {
    pub title: Option<String>,
    pub markdown: String,
    pub links: Vec<PageLink>,
    pub canonical: Option<Url>,
    pub lang: Option<String>,
    pub alternates: Vec<(String, Url)>,
    pub noindex: bool,
    pub nofollow: bool,
    pub spec_links: Vec<Url>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLink {
    pub url: Url,
    pub text: String,
    pub nofollow: bool,
}

pub fn extract_html(html: &str, page_url: &Url) -> HtmlPage {
    let doc = Html::parse_document(&cap_nesting(html));
    let base = base_url(&doc, page_url);
    let (noindex, nofollow) = robots_directives(&doc);
    let root = content_root(&doc);
    let markdown = root
        .map(|root| Converter::new(&base, page_url).convert(root))
        .unwrap_or_default();
    HtmlPage {
        title: page_title(&doc),
        markdown,
        links: page_links(&doc, &base),
        canonical: canonical_url(&doc, &base),
        lang: page_lang(&doc),
        alternates: alternate_urls(&doc, &base),
        noindex,
        nofollow,
        spec_links: spec_links(&doc, &base),
    }
}

// ----- nesting cap -------------------------------------------------------------

/// html5ever scans its stack of open elements for every start tag, so
/// parsing is quadratic in nesting depth (100,000 nested divs take tens of
/// seconds). Real documentation never nests this deep, so tags beyond this
/// depth are removed before parsing and their text is kept.
const MAX_TAG_NESTING: usize = 512;

/// Elements whose end tag is optional or absent; counting them would let
/// sloppy but harmless markup (thousands of unclosed `<p>`) hit the cap.
const UNCOUNTED_TAGS: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "caption",
    "option", "optgroup", "rb", "rt", "rp", "html", "head", "body", "area", "base", "br", "col",
    "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param",
];

const RAW_TEXT_TAGS: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "noscript", "template",
];

fn cap_nesting(html: &str) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut dropped_open = 0usize;
    let mut out = String::new();
    let mut copied_upto = 0;
    let mut pos = 0;
    while let Some(offset) = html.get(pos..).and_then(|rest| rest.find('<')) {
        let start = pos + offset;
        let Some(tag) = scan_tag(html, start) else {
            pos = start + 1;
            continue;
        };
        pos = tag.end;
        if !tag.is_end && RAW_TEXT_TAGS.contains(&tag.name.as_str()) {
            pos = find_end_tag(bytes, tag.end, &tag.name).unwrap_or(bytes.len());
            continue;
        }
        if tag.self_closing || UNCOUNTED_TAGS.contains(&tag.name.as_str()) {
            continue;
        }
        let drop = if tag.is_end {
            if dropped_open > 0 {
                dropped_open -= 1;
                true
            } else {
                depth = depth.saturating_sub(1);
                false
            }
        } else if depth >= MAX_TAG_NESTING {
            dropped_open += 1;
            true
        } else {
            depth += 1;
            false
        };
        if drop {
            out.push_str(&html[copied_upto..start]);
            copied_upto = tag.end;
        }
    }
    if copied_upto == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied_upto..]);
    Cow::Owned(out)
}

struct RawTag {
    name: String,
    is_end: bool,
    self_closing: bool,
    end: usize,
}

/// A rough tag scanner: good enough to count nesting, never used for content.
fn scan_tag(html: &str, start: usize) -> Option<RawTag> {
    let bytes = html.as_bytes();
    if html[start..].starts_with("<!--") {
        let end = html[start + 4..]
            .find("-->")
            .map_or(bytes.len(), |i| start + 4 + i + 3);
        return Some(RawTag {
            name: String::new(),
            is_end: false,
            self_closing: true,
            end,
        });
    }
    let is_end = bytes.get(start + 1) == Some(&b'/');
    let name_start = start + 1 + usize::from(is_end);
    let name_len = bytes
        .get(name_start..)?
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
        return None;
    }
    let end = html[name_start..].find('>').map(|i| name_start + i + 1)?;
    Some(RawTag {
        name: html[name_start..name_start + name_len].to_ascii_lowercase(),
        is_end,
        self_closing: bytes[end - 2] == b'/',
        end,
    })
}

fn find_end_tag(bytes: &[u8], from: usize, name: &str) -> Option<usize> {
    let mut pos = from;
    while pos + 2 + name.len() <= bytes.len() {
        if bytes[pos] == b'<'
            && bytes[pos + 1] == b'/'
            && bytes[pos + 2..pos + 2 + name.len()].eq_ignore_ascii_case(name.as_bytes())
        {
            return Some(pos);
        }
        pos += 1;
    }
    None
}

// ----- traversal -------------------------------------------------------------

/// ego_tree's node handle, named through scraper so that this module needs
/// no direct dependency on ego_tree.
type NodeRef<'a> = <ElementRef<'a> as Deref>::Target;

enum Visit<'a> {
    Enter(ElementRef<'a>),
    Text(&'a str),
    Leave,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Descend,
    Skip,
    Stop,
}

/// Depth-first walk over `root`'s descendants with an explicit stack.
/// `Leave` is reported for every element that answered `Descend`.
fn walk<'a>(root: ElementRef<'a>, mut visit: impl FnMut(Visit<'a>) -> Flow) {
    let mut open: Vec<NodeRef<'a>> = Vec::new();
    let mut cursor = root.first_child();
    loop {
        if let Some(node) = cursor {
            let flow = match node.value() {
                Node::Text(text) => visit(Visit::Text(text)),
                Node::Element(_) => match ElementRef::wrap(node) {
                    Some(el) => visit(Visit::Enter(el)),
                    None => Flow::Skip,
                },
                _ => Flow::Skip,
            };
            match flow {
                Flow::Stop => return,
                Flow::Descend if matches!(node.value(), Node::Element(_)) => {
                    open.push(node);
                    cursor = node.first_child();
                }
                _ => cursor = node.next_sibling(),
            }
            continue;
        }
        let Some(node) = open.pop() else { return };
        if visit(Visit::Leave) == Flow::Stop {
            return;
        }
        cursor = node.next_sibling();
    }
}

/// Text of a subtree as a reader sees it: boilerplate skipped, whitespace collapsed.
fn visible_text(root: ElementRef) -> String {
    let mut text = String::new();
    walk(root, |visit| match visit {
        Visit::Enter(el) if is_boilerplate(el) => Flow::Skip,
        Visit::Enter(el) if el.value().name() == "br" => {
            text.push(' ');
            Flow::Skip
        }
        Visit::Text(t) => {
            text.push_str(t);
            Flow::Descend
        }
        _ => Flow::Descend,
    });
    collapse(&text)
}

fn visible_text_len(root: ElementRef) -> usize {
    let mut len = 0;
    walk(root, |visit| match visit {
        Visit::Enter(el) if is_boilerplate(el) => Flow::Skip,
        Visit::Text(t) => {
            len += t.chars().filter(|c| !c.is_whitespace()).count();
            Flow::Descend
        }
        _ => Flow::Descend,
    });
    len
}

/// Raw text of a small subtree, or `None` once it exceeds the limits; keeps
/// per-element phrase checks linear on huge or deeply nested pages.
fn short_text(root: ElementRef, max_chars: usize) -> Option<String> {
    const MAX_NODES: usize = 64;
    let mut text = String::new();
    let mut nodes = 0;
    let mut too_big = false;
    walk(root, |visit| {
        nodes += 1;
        if let Visit::Text(t) = visit {
            text.push_str(t);
        }
        if nodes > MAX_NODES || text.len() > max_chars * 4 {
            too_big = true;
            return Flow::Stop;
        }
        Flow::Descend
    });
    let text = collapse(&text);
    (!too_big && text.chars().count() <= max_chars).then_some(text)
}

/// Whether `root` has a descendant satisfying `pred`, looking at a bounded
/// number of nodes.
fn has_descendant(root: ElementRef, max_nodes: usize, pred: impl Fn(ElementRef) -> bool) -> bool {
    let mut found = false;
    let mut nodes = 0;
    walk(root, |visit| {
        nodes += 1;
        if let Visit::Enter(el) = visit {
            if pred(el) {
                found = true;
                return Flow::Stop;
            }
        }
        if nodes > max_nodes {
            Flow::Stop
        } else {
            Flow::Descend
        }
    });
    found
}

/// Visible text of each child element, joined by spaces (for layouts that
/// separate words by CSS only).
fn spaced_children_text(root: ElementRef) -> String {
    root.child_elements()
        .filter(|child| !is_boilerplate(*child))
        .map(visible_text)
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn collapse(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn class_tokens<'a>(el: &ElementRef<'a>) -> impl Iterator<Item = &'a str> {
    el.value().classes()
}

fn has_class(el: &ElementRef, wanted: &str) -> bool {
    class_tokens(el).any(|c| c.eq_ignore_ascii_case(wanted))
}

fn attr_is(el: &ElementRef, name: &str, wanted: &str) -> bool {
    el.value()
        .attr(name)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted))
}

fn static_selector(css: &str) -> Option<Selector> {
    Selector::parse(css).ok()
}

// ----- metadata ----------------------------------------------------------------

fn elements<'a>(doc: &'a Html, name: &str) -> impl Iterator<Item = ElementRef<'a>> {
    let name = name.to_string();
    doc.root_element()
        .descendent_elements()
        .filter(move |el| el.value().name() == name)
}

fn first_attr<'a>(doc: &'a Html, element: &str, attr: &str) -> Option<&'a str> {
    elements(doc, element).find_map(|el| el.value().attr(attr))
}

fn base_url(doc: &Html, page_url: &Url) -> Url {
    first_attr(doc, "base", "href")
        .and_then(|href| page_url.join(href.trim()).ok())
        .unwrap_or_else(|| page_url.clone())
}

fn page_title(doc: &Html) -> Option<String> {
    let from_title = elements(doc, "title")
        .find(|t| {
            !t.ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| a.value().name() == "svg")
        })
        .map(|t| collapse(&t.text().collect::<String>()))
        .filter(|t| !t.is_empty());
    from_title.or_else(|| {
        elements(doc, "h1")
            .map(visible_text)
            .find(|t| !t.is_empty())
    })
}

fn page_lang(doc: &Html) -> Option<String> {
    doc.root_element()
        .value()
        .attr("lang")
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
}

fn rel_has(el: &ElementRef, token: &str) -> bool {
    el.value().attr("rel").is_some_and(|rel| {
        rel.split_ascii_whitespace()
            .any(|t| t.eq_ignore_ascii_case(token))
    })
}

fn resolve_http(base: &Url, href: &str) -> Option<Url> {
    let url = base.join(href.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

fn canonical_url(doc: &Html, base: &Url) -> Option<Url> {
    elements(doc, "link")
        .filter(|l| rel_has(l, "canonical"))
        .find_map(|l| resolve_http(base, l.value().attr("href")?))
}

fn alternate_urls(doc: &Html, base: &Url) -> Vec<(String, Url)> {
    elements(doc, "link")
        .filter(|l| rel_has(l, "alternate"))
        .filter_map(|l| {
            let lang = l.value().attr("hreflang")?.trim();
            let url = resolve_http(base, l.value().attr("href")?)?;
            (!lang.is_empty()).then(|| (lang.to_string(), url))
        })
        .collect()
}

fn robots_directives(doc: &Html) -> (bool, bool) {
    let mut noindex = false;
    let mut nofollow = false;
    for meta in elements(doc, "meta").filter(|m| attr_is(m, "name", "robots")) {
        let content = meta.value().attr("content").unwrap_or_default();
        for directive in content.split(',').map(|d| d.trim().to_ascii_lowercase()) {
            match directive.as_str() {
                "noindex" => noindex = true,
                "nofollow" => nofollow = true,
                "none" => (noindex, nofollow) = (true, true),
                _ => {}
            }
        }
    }
    (noindex, nofollow)
}

// ----- links -------------------------------------------------------------------

fn page_links(doc: &Html, base: &Url) -> Vec<PageLink> {
    let mut seen = HashSet::new();
    let mut links = Vec::new();
    for anchor in elements(doc, "a") {
        let Some(url) = anchor
            .value()
            .attr("href")
            .and_then(|h| resolve_http(base, h))
        else {
            continue;
        };
        if !seen.insert(url.as_str().to_string()) {
            continue;
        }
        links.push(PageLink {
            text: anchor_text(anchor),
            nofollow: rel_has(&anchor, "nofollow"),
            url,
        });
    }
    links
}

fn anchor_text(anchor: ElementRef) -> String {
    let text = collapse(&link_text(anchor));
    if !text.is_empty() {
        return text;
    }
    ["title", "aria-label"]
        .iter()
        .filter_map(|name| anchor.value().attr(name))
        .map(collapse)
        .find(|t| !t.is_empty())
        .or_else(|| {
            anchor
                .descendent_elements()
                .find_map(|el| el.value().attr("alt"))
                .map(collapse)
        })
        .unwrap_or_default()
}

/// An anchor's own text without what a reader never sees (scripts, styles, templates);
/// unlike `visible_text`, chrome rules do not apply: a "Next" link keeps its words.
fn link_text(anchor: ElementRef) -> String {
    let mut text = String::new();
    walk(anchor, |visit| match visit {
        Visit::Enter(el) if DROPPED_TAGS.contains(&el.value().name()) => Flow::Skip,
        Visit::Text(t) => {
            text.push_str(t);
            Flow::Descend
        }
        _ => Flow::Descend,
    });
    text
}

// ----- OpenAPI spec discovery --------------------------------------------------

/// Web components of API renderers and the attribute holding the spec URL
/// (html5ever lower-cases attribute names, e.g. `apiDescriptionUrl`).
const SPEC_ATTRIBUTES: &[(&str, &str)] = &[
    ("redoc", "spec-url"),
    ("rapi-doc", "spec-url"),
    ("rapi-doc-mini", "spec-url"),
    ("openapi-explorer", "spec-url"),
    ("elements-api", "apidescriptionurl"),
];

fn spec_links(doc: &Html, base: &Url) -> Vec<Url> {
    let mut found: Vec<String> = Vec::new();
    for el in doc.root_element().descendent_elements() {
        let name = el.value().name();
        for (tag, attr) in SPEC_ATTRIBUTES {
            if name == *tag {
                found.extend(el.value().attr(attr).map(str::to_string));
            }
        }
        if name == "script" {
            found.extend(script_spec_urls(el));
        }
    }
    let mut seen = HashSet::new();
    found
        .iter()
        .filter_map(|raw| resolve_http(base, raw))
        .filter(|url| seen.insert(url.as_str().to_string()))
        .collect()
}

fn script_spec_urls(script: ElementRef) -> Vec<String> {
    // Scalar API Reference: <script id="api-reference" data-url="…">.
    if attr_is(&script, "id", "api-reference") {
        if let Some(url) = script.value().attr("data-url") {
            return vec![url.to_string()];
        }
    }
    if script.value().attr("src").is_some() {
        return Vec::new();
    }
    let js: String = script.text().collect();
    let mut urls = Vec::new();
    if js.contains("SwaggerUI") {
        urls.extend(js_url_properties(&js));
    }
    for (index, _) in js.match_indices("Redoc.init(") {
        urls.extend(leading_string_literal(&js[index + "Redoc.init(".len()..]));
    }
    urls
}

/// String values of `url:` properties (also `"url":`), which is how both
/// `SwaggerUIBundle({ url })` and `urls: [{ url, name }]` name their specs.
fn js_url_properties(js: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for (index, _) in js.match_indices("url") {
        let before = js[..index].chars().next_back();
        let quote = before.filter(|c| matches!(c, '"' | '\''));
        if before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '.')) {
            continue;
        }
        let mut rest = &js[index + 3..];
        if let Some(q) = quote {
            let Some(stripped) = rest.strip_prefix(q) else {
                continue;
            };
            rest = stripped;
        }
        let Some(value) = rest.trim_start().strip_prefix(':') else {
            continue;
        };
        urls.extend(leading_string_literal(value));
    }
    urls
}

/// The string literal at the start of `js` (after whitespace), if it is a
/// plain one; template literals with substitutions are not resolvable.
fn leading_string_literal(js: &str) -> Option<String> {
    let js = js.trim_start();
    let quote = js
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))?;
    let body = &js[1..];
    let end = body.find(quote)?;
    let value = body[..end].trim();
    let plain =
        !value.is_empty() && !value.contains("${") && !value.contains('\\') && value.len() < 2048;
    plain.then(|| value.to_string())
}

// ----- main content selection --------------------------------------------------

/// Generator-specific containers first, generic ones last.
const CONTENT_SELECTORS: &[&str] = &[
    ".theme-doc-markdown",
    ".md-content__inner",
    ".md-content",
    "div.body",
    "div[role=main]",
    ".rst-content .document",
    "main",
    ".contentContainer",
    ".content-container",
    "div.book, div.chapter, div.section, div.sect1, div.refentry",
    "[data-testid='page.contentEditor']",
    ".markdown-body",
    ".rm-Article",
    "[role=main]",
    "article",
    "#content",
    ".content",
    ".documentation",
];

static CONTENT_SELECTOR_LIST: LazyLock<Vec<Selector>> = LazyLock::new(|| {
    CONTENT_SELECTORS
        .iter()
        .filter_map(|css| static_selector(css))
        .collect()
});

fn content_root(doc: &Html) -> Option<ElementRef<'_>> {
    let body = elements(doc, "body")
        .next()
        .unwrap_or_else(|| doc.root_element());
    let body_len = visible_text_len(body);
    for selector in CONTENT_SELECTOR_LIST.iter() {
        // A few candidates per selector suffice and bound the work.
        for candidate in doc.select(selector).take(8) {
            if inside_boilerplate(candidate) {
                continue;
            }
            let len = visible_text_len(candidate);
            if len > 0 && len * 3 >= body_len {
                return Some(candidate);
            }
        }
    }
    Some(body)
}

fn inside_boilerplate(el: ElementRef) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .take(256)
        .any(is_boilerplate)
}

// ----- boilerplate -------------------------------------------------------------

const DROPPED_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed",
    "button", "input", "select", "textarea", "option", "datalist", "nav", "footer", "dialog",
    "head", "link", "meta", "audio", "video", "map",
];

const DROPPED_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "search",
    "dialog",
    "alertdialog",
];

/// Class/id tokens that name boilerplate exactly.
const BOILERPLATE_TOKENS: &[&str] = &[
    "sidebar",
    "sidenav",
    "side-nav",
    "toc",
    "toc-wrapper",
    "toc-container",
    "page-toc",
    "table-of-contents",
    "tableofcontents",
    "contents-panel",
    "breadcrumb",
    "breadcrumbs",
    "cookie",
    "cookies",
    "cookie-banner",
    "cookie-consent",
    "consent",
    "edit-this-page",
    "theme-edit-this-page",
    "edit-page",
    "edit-link",
    "editlink",
    "pagination",
    "pagination-nav",
    "prev-next",
    "prevnext",
    "related",
    "headerlink",
    "hash-link",
    "anchorjs-link",
    "skip-link",
    "skip-links",
    "skiplink",
    "skip-to-content",
    "skip-nav",
    "feedback",
    "search",
    "searchbox",
    "search-box",
    "sphinxsidebar",
    "sphinxsidebarwrapper",
    "navheader",
    "navfooter",
    "navbar",
    "nav",
    "menu",
    "mobile-nav",
    "sub-nav",
    "top-nav",
    "md-footer",
    "md-header",
    "md-tabs",
    "md-sidebar",
    "md-search",
    "md-skip",
    "md-content__button",
    "md-source-file",
    "md-top",
    "md-clipboard",
    "rst-footer-buttons",
    "rst-versions",
    "wy-nav-side",
    "wy-nav-top",
    "wy-breadcrumbs",
    "footer",
    "site-footer",
    "page-footer",
    "site-header",
    "topbar",
    "top-bar",
    "theme-doc-footer",
    "theme-doc-breadcrumbs",
    "theme-doc-version-badge",
    "theme-doc-version-banner",
    "theme-doc-toc-mobile",
    "theme-doc-toc-desktop",
    "theme-back-to-top-button",
    "theme-last-updated",
    "last-updated",
    "linenos",
    "lineno",
    "linenodiv",
    "line-numbers-rows",
    "viewcode-link",
    "copybutton",
    "copy-button",
    "clipboard",
    "docsearch",
    "hub-sidebar",
    "rm-sidebar",
    "rm-header",
    "sidebar-wrapper",
    "announcement",
    "version-switcher",
    "callout-icon",
    "updatedat",
];

/// Tokens that mark boilerplate when followed by `-`/`_` (BEM modifiers,
/// CSS-module hashes such as `tableOfContents_bqdL`).
const BOILERPLATE_PREFIXES: &[&str] = &[
    "sidebar",
    "sidenav",
    "md-sidebar",
    "md-footer",
    "md-header",
    "md-nav",
    "md-tabs",
    "md-search",
    "breadcrumb",
    "breadcrumbs",
    "cookie",
    "consent",
    "pagination",
    "pagination-nav",
    "theme-doc-toc",
    "theme-doc-footer",
    "theme-doc-sidebar",
    "theme-doc-breadcrumbs",
    "tableofcontents",
    "table-of-contents",
    "skiptocontent",
    "announcementbar",
    "docsearch",
    "rm-sidebar",
    "rst-footer",
    "wy-nav",
    "navbar",
    "edit-this-page",
    "prev-next",
    "feedback",
    "toccollapsible",
    "backtotopbutton",
];

/// Tokens that mark boilerplate when preceded by `-`/`_` (`docs-sidebar`, `page-toc`).
const BOILERPLATE_SUFFIXES: &[&str] = &[
    "sidebar",
    "sidenav",
    "breadcrumbs",
    "breadcrumb",
    "toc",
    "pagination",
    "navbar",
];

const BOILERPLATE_PHRASES: &[&str] = &[
    "skip to content",
    "skip to main content",
    "skip to navigation",
    "skip navigation",
    "edit this page",
    "edit on github",
    "edit on gitlab",
    "edit on bitbucket",
    "view page source",
    "show source",
    "suggest an edit",
    "suggest edits",
    "improve this page",
    "back to top",
    "scroll to top",
];

const BOILERPLATE_PHRASE_PREFIXES: &[&str] = &[
    "was this page helpful",
    "was this helpful",
    "did this page help",
    "is this page helpful",
    "rate this page",
    "last updated",
    "last update:",
];

/// Material for MkDocs marks its chrome with `data-md-component`.
const MKDOCS_CHROME: &[&str] = &[
    "skip",
    "announce",
    "header",
    "sidebar",
    "tabs",
    "toc",
    "footer",
    "top",
    "outdated",
    "search",
    "navigation",
];

fn is_boilerplate(el: ElementRef) -> bool {
    let name = el.value().name();
    if DROPPED_TAGS.contains(&name) {
        return true;
    }
    if is_content_sidebar(&el) {
        return false;
    }
    if has_boilerplate_attribute(&el) || has_boilerplate_token(&el) {
        return true;
    }
    match name {
        "aside" => !is_admonition(&el) && !class_tokens(&el).any(|c| c.starts_with("footnote")),
        "header" => !has_descendant(el, 400, is_heading),
        "form" => is_search_form(&el),
        "a" => is_boilerplate_phrase(el) || is_prev_next_link(el),
        "p" | "div" | "li" | "section" => is_boilerplate_phrase(el),
        _ => false,
    }
}

/// Inactive tab panels are hidden but hold real alternatives (another
/// language, another package manager), so they are kept.
fn is_hidden(el: &ElementRef) -> bool {
    let hidden = el.value().attr("hidden").is_some() && !attr_is(el, "role", "tabpanel");
    hidden || attr_is(el, "aria-hidden", "true")
}

/// Hidden elements and landmark roles of page chrome. Iterates the
/// attributes once: `attr(name)` interns its argument on every call, which
/// showed up in profiles of large pages.
fn has_boilerplate_attribute(el: &ElementRef) -> bool {
    let mut hidden = false;
    let mut tabpanel = false;
    for (name, value) in el.value().attrs() {
        let value = value.trim();
        match name {
            "hidden" => hidden = true,
            "aria-hidden" if value.eq_ignore_ascii_case("true") => return true,
            "role" if value.eq_ignore_ascii_case("tabpanel") => tabpanel = true,
            "role" if DROPPED_ROLES.iter().any(|d| value.eq_ignore_ascii_case(d)) => return true,
            "data-md-component" if MKDOCS_CHROME.contains(&value) => return true,
            _ => {}
        }
    }
    // Inactive tab panels are hidden but hold real alternatives.
    hidden && !tabpanel
}

static BOILERPLATE_TOKEN_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| BOILERPLATE_TOKENS.iter().copied().collect());

/// Sphinx's `.. sidebar::` directive is content set beside the text (often with code),
/// marked by its `sidebar-title`; page-chrome sidebars have no such title.
fn is_content_sidebar(el: &ElementRef) -> bool {
    if class_tokens(el).any(|c| c == "sidebar-title") {
        return true;
    }
    class_tokens(el).any(|c| c == "sidebar")
        && el
            .children()
            .filter_map(ElementRef::wrap)
            .any(|child| class_tokens(&child).any(|c| c == "sidebar-title"))
}

/// A section's id is its heading's slug (Sphinx: `<section id="cookie-objects">`), so
/// the id of an element that opens with a heading says nothing about chrome.
fn id_is_a_heading_slug(el: &ElementRef) -> bool {
    // Empty anchors (`<span id="id1"></span>`) may come before the heading.
    el.children()
        .filter_map(ElementRef::wrap)
        .find(|child| child.text().any(|t| !t.trim().is_empty()))
        .is_some_and(|first| {
            matches!(
                first.value().name(),
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
            )
        })
}

fn has_boilerplate_token(el: &ElementRef) -> bool {
    let id = el.value().id().filter(|_| !id_is_a_heading_slug(el));
    class_tokens(el).chain(id).any(|token| {
        if token.bytes().any(|b| b.is_ascii_uppercase()) {
            is_boilerplate_token(&token.to_ascii_lowercase())
        } else {
            is_boilerplate_token(token)
        }
    })
}

fn is_boilerplate_token(token: &str) -> bool {
    if BOILERPLATE_TOKEN_SET.contains(token) {
        return true;
    }
    let separated = |rest: &str| rest.starts_with(['-', '_']);
    BOILERPLATE_PREFIXES
        .iter()
        .any(|p| token.strip_prefix(p).is_some_and(separated))
        || BOILERPLATE_SUFFIXES.iter().any(|s| {
            token
                .strip_suffix(s)
                .is_some_and(|rest| rest.ends_with(['-', '_']))
        })
}

/// Widgets that are recognisable only by their (short) wording.
fn is_boilerplate_phrase(el: ElementRef) -> bool {
    let Some(text) = short_text(el, 60) else {
        return false;
    };
    let text = text.to_lowercase();
    let text = text.trim_matches(|c: char| !c.is_alphanumeric() && c != '?' && c != ':');
    !text.is_empty()
        && (BOILERPLATE_PHRASES.contains(&text)
            || BOILERPLATE_PHRASE_PREFIXES
                .iter()
                .any(|p| text.starts_with(p)))
}

/// Prev/next pager links label themselves "Previous"/"Next" in a child
/// element followed by the target page's title.
fn is_prev_next_link(anchor: ElementRef) -> bool {
    if rel_has(&anchor, "prev") || rel_has(&anchor, "next") {
        return true;
    }
    let Some(label) = first_text_chunk(anchor) else {
        return false;
    };
    let label = label.to_lowercase();
    let label = label.trim_matches(|c: char| !c.is_alphabetic());
    matches!(label, "previous" | "prev" | "next") && short_text(anchor, 160).is_some()
}

/// The first non-blank text node of a small subtree.
fn first_text_chunk(root: ElementRef) -> Option<String> {
    let mut found = None;
    let mut nodes = 0;
    walk(root, |visit| {
        nodes += 1;
        match visit {
            Visit::Text(t) if !t.trim().is_empty() => {
                found = Some(t.trim().to_string());
                Flow::Stop
            }
            _ if nodes > 64 => Flow::Stop,
            Visit::Enter(el) if is_boilerplate(el) => Flow::Skip,
            _ => Flow::Descend,
        }
    });
    found
}

fn is_search_form(form: &ElementRef) -> bool {
    let mentions_search = |v: &str| v.to_ascii_lowercase().contains("search");
    form.value().attr("action").is_some_and(mentions_search)
        || form.value().attr("role").is_some_and(mentions_search)
        || class_tokens(form)
            .chain(form.value().id())
            .any(mentions_search)
}

fn is_heading(el: ElementRef) -> bool {
    heading_level(el.value().name()).is_some()
}

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

// ----- element classification for conversion ------------------------------------

const ADMONITION_TOKENS: &[&str] = &[
    "admonition",
    "theme-admonition",
    "note",
    "warning",
    "tip",
    "important",
    "caution",
    "danger",
    "attention",
    "hint",
    "seealso",
    "callout",
];

fn is_admonition(el: &ElementRef) -> bool {
    class_tokens(el).any(|c| ADMONITION_TOKENS.iter().any(|t| c.eq_ignore_ascii_case(t)))
}

fn is_admonition_title(el: &ElementRef) -> bool {
    class_tokens(el).any(|c| {
        let c = c.to_ascii_lowercase();
        c == "admonition-title" || c == "admonition-heading" || c.starts_with("admonitionheading")
    })
}

/// API signatures: Sphinx `dt.sig` (or older `dt[id]` with a `descname`),
/// Javadoc's member/type signature blocks.
fn is_signature(el: ElementRef) -> bool {
    match el.value().name() {
        "dt" => {
            has_class(&el, "sig")
                || (el.value().attr("id").is_some()
                    && has_descendant(el, 200, |d| {
                        has_class(&d, "sig-name") || has_class(&d, "descname")
                    }))
        }
        "div" => ["member-signature", "type-signature", "rm-APIHeader"]
            .iter()
            .any(|c| has_class(&el, c)),
        _ => false,
    }
}

/// Javadoc lays out whole pages as nested lists; rendering them as
/// Markdown bullets would indent every heading and paragraph.
fn is_structural_list(el: &ElementRef) -> bool {
    class_tokens(el).any(|c| {
        [
            "member-list",
            "details-list",
            "summary-list",
            "block-list",
            "blocklist",
            "bloclistlast",
            "blocklistlast",
        ]
        .iter()
        .any(|t| c.eq_ignore_ascii_case(t))
    })
}

/// Tables used to lay out code with line numbers or a single box.
fn is_layout_table(table: ElementRef) -> bool {
    if has_class(&table, "highlighttable")
        || attr_is(&table, "role", "presentation")
        || attr_is(&table, "role", "none")
    {
        return true;
    }
    let mut cells = 0;
    let mut nodes = 0;
    let mut decided = true;
    walk(table, |visit| {
        nodes += 1;
        if nodes > 2000 {
            decided = false;
            return Flow::Stop;
        }
        match visit {
            Visit::Enter(el) if el.value().name() == "table" => Flow::Skip,
            Visit::Enter(el) if matches!(el.value().name(), "td" | "th") => {
                cells += 1;
                if cells > 1 {
                    Flow::Stop
                } else {
                    Flow::Skip
                }
            }
            _ => Flow::Descend,
        }
    });
    decided && cells == 1
}

/// Column count of a Javadoc 17 `div.summary-table` grid.
fn grid_columns(el: &ElementRef) -> Option<usize> {
    if !has_class(el, "summary-table") {
        return None;
    }
    let named = class_tokens(el).find_map(|c| match c {
        "two-column-summary" => Some(2),
        "three-column-summary" => Some(3),
        "four-column-summary" => Some(4),
        _ => None,
    });
    let headers = el
        .child_elements()
        .filter(|c| has_class(c, "table-header"))
        .count();
    named.or((headers > 0).then_some(headers))
}

fn is_block_tag(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "header"
            | "address"
            | "figure"
            | "figcaption"
            | "hgroup"
            | "fieldset"
            | "legend"
            | "center"
            | "details"
            | "dl"
            | "dd"
            | "form"
            | "body"
            | "aside"
            | "search"
            | "tbody"
            | "thead"
            | "tfoot"
            | "caption"
            | "summary"
            | "label"
    )
}

// ----- code blocks -------------------------------------------------------------

fn is_gutter(el: &ElementRef) -> bool {
    class_tokens(el).any(|c| {
        [
            "linenos",
            "lineno",
            "linenodiv",
            "line-numbers-rows",
            "gutter",
            "line-number",
            "line-numbers",
        ]
        .iter()
        .any(|t| c.eq_ignore_ascii_case(t))
    })
}

/// Code text exactly as displayed: highlight markup flattened, `<br>` as
/// newline (Docusaurus renders lines that way), gutters and buttons dropped.
fn code_text(pre: ElementRef) -> String {
    let mut code = String::new();
    walk(pre, |visit| match visit {
        Visit::Enter(el) if is_gutter(&el) || is_hidden(&el) => Flow::Skip,
        Visit::Enter(el) if matches!(el.value().name(), "button" | "script" | "style") => {
            Flow::Skip
        }
        Visit::Enter(el) if el.value().name() == "br" => {
            code.push('\n');
            Flow::Skip
        }
        Visit::Text(t) => {
            code.push_str(t);
            Flow::Descend
        }
        _ => Flow::Descend,
    });
    code
}

fn code_language(pre: ElementRef) -> String {
    let code = pre.child_elements().find(|c| c.value().name() == "code");
    let own = [Some(pre), code].into_iter().flatten();
    let from_self = own
        .clone()
        .find_map(|el| language_from_classes(&el))
        .or_else(|| own.clone().find_map(|el| language_from_data(&el)));
    if let Some(language) = from_self {
        return language;
    }
    pre.ancestors()
        .filter_map(ElementRef::wrap)
        .take(6)
        .find_map(|a| language_from_classes(&a).or_else(|| language_from_data(&a)))
        .unwrap_or_default()
}

/// `language-xx`, `lang-xx` or Sphinx `highlight-xx`; an explicit
/// `highlight-default`/`none` yields an empty language.
fn language_from_classes(el: &ElementRef) -> Option<String> {
    class_tokens(el).find_map(|class| {
        let lower = class.to_ascii_lowercase();
        let language = ["language-", "lang-", "highlight-"]
            .iter()
            .find_map(|prefix| lower.strip_prefix(prefix))?;
        match language {
            "default" | "none" | "plaintext" => Some(String::new()),
            _ => sanitize_language(language),
        }
    })
}

fn language_from_data(el: &ElementRef) -> Option<String> {
    ["data-lang", "data-language"]
        .iter()
        .find_map(|name| el.value().attr(name))
        .and_then(|value| sanitize_language(&value.to_ascii_lowercase()))
}

fn sanitize_language(language: &str) -> Option<String> {
    let valid = !language.is_empty()
        && language.len() <= 32
        && language
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-#_.".contains(c));
    valid.then(|| language.to_string())
}

// ----- conversion ----------------------------------------------------------------

/// What to do when an element that was descended into is left.
enum Close {
    Nothing,
    Block,
    Space,
    Heading(u8),
    Strong(Option<SpanStart>),
    Emphasis(Option<SpanStart>),
    Quoted(SpanStart),
    Link(SpanStart, String),
    BoldBlock(Option<SpanStart>),
    List,
    Container(bool),
    Table,
    Row,
    Cell,
    Caption,
    Grid { columns: usize, cells: usize },
}

struct Converter<'u> {
    writer: MarkdownWriter,
    frames: Vec<Close>,
    base: &'u Url,
    page_url: &'u Url,
    strong_depth: usize,
    emphasis_depth: usize,
    heading_depth: usize,
}

impl<'u> Converter<'u> {
    fn new(base: &'u Url, page_url: &'u Url) -> Self {
        Self {
            writer: MarkdownWriter::new(),
            frames: Vec::new(),
            base,
            page_url,
            strong_depth: 0,
            emphasis_depth: 0,
            heading_depth: 0,
        }
    }

    fn convert(mut self, root: ElementRef) -> String {
        walk(root, |visit| match visit {
            Visit::Text(text) => {
                self.writer.push_text(text);
                Flow::Descend
            }
            Visit::Enter(el) => self.enter(el),
            Visit::Leave => {
                if let Some(close) = self.frames.pop() {
                    self.close(close);
                }
                Flow::Descend
            }
        });
        self.writer.finish()
    }

    fn enter(&mut self, el: ElementRef) -> Flow {
        if is_boilerplate(el) {
            return Flow::Skip;
        }
        match self.open(el) {
            Some(close) => {
                self.frames.push(close);
                Flow::Descend
            }
            None => Flow::Skip,
        }
    }

    /// Starts converting `el`; `None` means it was fully handled here.
    fn open(&mut self, el: ElementRef) -> Option<Close> {
        if let Some(close) = self.open_grid_cell() {
            return Some(close);
        }
        let name = el.value().name();
        if let Some(level) = heading_level(name) {
            self.writer.heading_start();
            self.heading_depth += 1;
            return Some(Close::Heading(level));
        }
        match name {
            "pre" => self.code_block(el),
            "code" | "kbd" | "samp" | "tt" => self.inline_code(el),
            "img" => self.image(el),
            "br" => self.writer.hard_break(),
            "hr" => self.writer.thematic_break(),
            "a" => return Some(self.open_link(el)),
            "strong" | "b" => return Some(self.open_strong()),
            "em" | "i" | "cite" | "dfn" => return Some(self.open_emphasis()),
            "q" => return Some(Close::Quoted(self.writer.span_start())),
            _ => return self.open_structure(el),
        }
        None
    }

    fn open_structure(&mut self, el: ElementRef) -> Option<Close> {
        let name = el.value().name();
        if is_signature(el) {
            let text = if has_class(&el, "rm-APIHeader") {
                spaced_children_text(el)
            } else {
                visible_text(el)
            };
            self.writer.code_line(&text);
            return None;
        }
        if has_class(&el, "Param-header") {
            // ReadMe puts name, type and "required" in adjacent spans.
            self.writer.block_boundary();
            self.writer.push_text(&spaced_children_text(el));
            self.writer.block_boundary();
            return None;
        }
        if let Some(columns) = grid_columns(&el) {
            self.writer.start_table();
            return Some(Close::Grid { columns, cells: 0 });
        }
        if is_admonition_title(&el) || matches!(name, "dt" | "summary") {
            self.writer.block_boundary();
            return Some(Close::BoldBlock(self.open_strong_span()));
        }
        if name == "blockquote"
            || (is_admonition(&el) && matches!(name, "div" | "aside" | "details"))
        {
            return Some(Close::Container(self.writer.push_quote()));
        }
        Some(self.open_other(el))
    }

    fn open_other(&mut self, el: ElementRef) -> Close {
        let name = el.value().name();
        match name {
            "ul" | "ol" | "menu" if is_structural_list(&el) => self.block(),
            "ul" | "menu" => self.list(false, 1),
            "ol" => self.list(true, list_start(&el)),
            "li" if parent_element(&el).is_some_and(|p| is_structural_list(&p)) => self.block(),
            "li" => Close::Container(self.writer.start_item()),
            "table" if is_layout_table(el) => self.block(),
            "table" => {
                self.writer.start_table();
                Close::Table
            }
            "tr" => {
                self.writer.start_row();
                Close::Row
            }
            "td" | "th" => {
                self.writer.start_cell(colspan(&el));
                Close::Cell
            }
            "caption" => {
                self.writer.start_caption();
                Close::Caption
            }
            // Generators wrap heading text in divs; it must stay one line.
            _ if is_block_tag(name) && self.heading_depth > 0 => {
                self.writer.push_text(" ");
                Close::Space
            }
            _ if is_block_tag(name) => self.block(),
            _ => Close::Nothing,
        }
    }

    fn block(&mut self) -> Close {
        self.writer.block_boundary();
        Close::Block
    }

    fn list(&mut self, ordered: bool, start: u64) -> Close {
        self.writer.start_list(ordered, start);
        Close::List
    }

    /// Direct children of a Javadoc summary grid are its cells, row-major.
    fn open_grid_cell(&mut self) -> Option<Close> {
        let Some(Close::Grid { columns, cells }) = self.frames.last_mut() else {
            return None;
        };
        let new_row = *cells % (*columns).max(1) == 0;
        *cells += 1;
        if new_row {
            self.writer.start_row();
        }
        self.writer.start_cell(1);
        Some(Close::Cell)
    }

    fn open_link(&mut self, el: ElementRef) -> Close {
        match el
            .value()
            .attr("href")
            .and_then(|href| self.link_target(href))
        {
            Some(target) => Close::Link(self.writer.span_start(), target),
            None => Close::Nothing,
        }
    }

    /// Absolute destination for a content link; `None` keeps only the text
    /// (same-page anchors and script pseudo-links mean nothing out of page).
    fn link_target(&self, href: &str) -> Option<String> {
        let href = href.trim();
        if href.is_empty() || href.starts_with('#') {
            return None;
        }
        let url = self.base.join(href).ok()?;
        if !matches!(url.scheme(), "http" | "https" | "mailto" | "ftp") {
            return None;
        }
        let mut without_fragment = url.clone();
        without_fragment.set_fragment(None);
        let same_page = url.fragment().is_some() && without_fragment == *self.page_url;
        (!same_page).then(|| url.to_string())
    }

    fn open_strong(&mut self) -> Close {
        Close::Strong(self.open_strong_span())
    }

    fn open_strong_span(&mut self) -> Option<SpanStart> {
        self.strong_depth += 1;
        // Nested bold adds nothing and would produce `****`.
        (self.strong_depth == 1).then(|| self.writer.span_start())
    }

    fn open_emphasis(&mut self) -> Close {
        self.emphasis_depth += 1;
        Close::Emphasis((self.emphasis_depth == 1).then(|| self.writer.span_start()))
    }

    fn code_block(&mut self, pre: ElementRef) {
        let language = code_language(pre);
        self.writer.code_block(&language, &code_text(pre));
    }

    fn inline_code(&mut self, code: ElementRef) {
        let text = code_text(code);
        self.writer.inline_code(&text);
    }

    fn image(&mut self, img: ElementRef) {
        let alt = escape_bracket_text(img.value().attr("alt").unwrap_or_default());
        let src = ["src", "data-src"]
            .iter()
            .filter_map(|name| img.value().attr(name))
            .find_map(|src| resolve_http(self.base, src));
        if let (false, Some(src)) = (alt.is_empty(), src) {
            self.writer.push_raw(&format!("![{alt}]({src})"));
        }
    }

    fn close(&mut self, close: Close) {
        let writer = &mut self.writer;
        match close {
            Close::Nothing => {}
            Close::Block => writer.block_boundary(),
            Close::Space => writer.push_text(" "),
            Close::Heading(level) => {
                self.heading_depth = self.heading_depth.saturating_sub(1);
                writer.heading_end(level);
            }
            Close::Strong(start) => {
                self.strong_depth = self.strong_depth.saturating_sub(1);
                start
                    .into_iter()
                    .for_each(|s| writer.span_wrap(s, "**", "**"));
            }
            Close::BoldBlock(start) => {
                self.strong_depth = self.strong_depth.saturating_sub(1);
                start
                    .into_iter()
                    .for_each(|s| writer.span_wrap(s, "**", "**"));
                writer.block_boundary();
            }
            Close::Emphasis(start) => {
                self.emphasis_depth = self.emphasis_depth.saturating_sub(1);
                start
                    .into_iter()
                    .for_each(|s| writer.span_wrap(s, "*", "*"));
            }
            Close::Quoted(start) => writer.span_wrap(start, "\"", "\""),
            Close::Link(start, target) => writer.span_link(start, &target),
            Close::List => writer.end_list(),
            Close::Container(pushed) => writer.pop_container(pushed),
            Close::Table | Close::Grid { .. } => writer.end_table(),
            Close::Row => {}
            Close::Cell => writer.end_cell(),
            Close::Caption => writer.end_caption(),
        }
    }
}

fn parent_element<'a>(el: &ElementRef<'a>) -> Option<ElementRef<'a>> {
    el.parent().and_then(ElementRef::wrap)
}

fn list_start(ol: &ElementRef) -> u64 {
    ol.value()
        .attr("start")
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1)
}

fn colspan(cell: &ElementRef) -> usize {
    cell.value()
        .attr("colspan")
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_url() -> Url {
        Url::parse("https://docs.example.com/guide/page.html").expect("static url")
    }

    fn extract(html: &str) -> HtmlPage {
        extract_html(html, &page_url())
    }

    /// Markdown of `body` wrapped in a `<main>` so that selection is not under test.
    fn md(body: &str) -> String {
        extract(&format!("<html><body><main>{body}</main></body></html>")).markdown
    }

    // ----- conversion rules ------------------------------------------------------

    #[test]
    fn headings_become_atx_with_blank_lines() {
        let out = md("<h1>Title</h1><p>Intro</p><h3>Deep <em>dive</em></h3><p>Text</p>");
        assert_eq!(out, "# Title\n\nIntro\n\n### Deep *dive*\n\nText\n");
    }

    #[test]
    fn heading_text_wrapped_in_divs_stays_on_one_line() {
        let out = md("<h2><div>Install</div><div>the SDK</div></h2>");
        assert_eq!(out, "## Install the SDK\n");
    }

    #[test]
    fn inline_formatting_moves_whitespace_outside_markers() {
        let out = md("<p>a<b> bold </b>and<em> em</em>.</p>");
        assert_eq!(out, "a **bold** and *em*.\n");
    }

    #[test]
    fn nested_bold_is_not_doubled() {
        assert_eq!(md("<p><b>x <strong>y</strong></b></p>"), "**x y**\n");
    }

    #[test]
    fn nested_lists_are_indented_under_their_item() {
        let out = md(
            "<ul><li>one<ul><li>sub <code>x</code></li><li>sub2</li></ul></li><li>two</li></ul>",
        );
        assert_eq!(out, "- one\n  - sub `x`\n  - sub2\n- two\n");
    }

    #[test]
    fn ordered_lists_honour_start_and_keep_paragraphs_in_items() {
        let out = md("<ol start=\"3\"><li><p>first</p><p>more</p></li><li>second</li></ol>");
        assert_eq!(out, "3. first\n\n   more\n4. second\n");
    }

    #[test]
    fn list_after_paragraph_is_separated_by_blank_line() {
        assert_eq!(md("<p>Intro:</p><ul><li>a</li></ul>"), "Intro:\n\n- a\n");
    }

    #[test]
    fn table_escapes_pipes_and_repeats_colspan() {
        let out = md("<table><thead><tr><th>a|b</th><th>c</th><th>d</th></tr></thead>\
             <tbody><tr><td colspan=\"2\">wide</td><td>x<br>y</td></tr><tr><td>1</td></tr></tbody></table>");
        assert_eq!(
            out,
            "| a\\|b | c | d |\n| --- | --- | --- |\n| wide | | x<br>y |\n| 1 | | |\n"
        );
    }

    #[test]
    fn table_without_thead_uses_first_row_as_header() {
        let out = md("<table><tr><td>k</td><td>v</td></tr><tr><td>1</td><td>2</td></tr></table>");
        assert_eq!(out, "| k | v |\n| --- | --- |\n| 1 | 2 |\n");
    }

    #[test]
    fn nested_table_is_flattened_into_its_cell() {
        let out = md(
            "<table><tr><th>h</th><th>i</th></tr><tr><td><table><tr><td>a</td><td>b</td></tr>\
             <tr><td>c</td></tr></table></td><td>z</td></tr></table>",
        );
        assert_eq!(out, "| h | i |\n| --- | --- |\n| a b<br>c | z |\n");
    }

    #[test]
    fn table_caption_becomes_paragraph_before_table() {
        let out = md("<table><caption>Limits</caption><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>");
        assert!(out.starts_with("Limits\n\n| a | b |"), "{out}");
    }

    #[test]
    fn code_language_from_class_on_pre_or_code() {
        assert_eq!(
            md("<pre class=\"language-rust\">fn a() {}</pre>"),
            "```rust\nfn a() {}\n```\n"
        );
        assert_eq!(
            md("<pre><code class=\"lang-go\">x := 1</code></pre>"),
            "```go\nx := 1\n```\n"
        );
    }

    #[test]
    fn code_language_from_data_attributes() {
        assert_eq!(
            md("<pre data-lang=\"toml\">a = 1</pre>"),
            "```toml\na = 1\n```\n"
        );
        assert_eq!(
            md("<pre><code data-language=\"sql\">SELECT 1</code></pre>"),
            "```sql\nSELECT 1\n```\n"
        );
    }

    #[test]
    fn code_language_from_sphinx_and_mkdocs_ancestors() {
        let sphinx = "<div class=\"highlight-python3 notranslate\"><div class=\"highlight\"><pre><span class=\"gp\">&gt;&gt;&gt; </span>1 + 1\n2</pre></div></div>";
        assert_eq!(md(sphinx), "```python3\n>>> 1 + 1\n2\n```\n");
        let default =
            "<div class=\"highlight-default\"><div class=\"highlight\"><pre>x</pre></div></div>";
        assert_eq!(md(default), "```\nx\n```\n");
        let mkdocs = "<div class=\"language-yaml highlight\"><pre><span></span><code>a: 1\n</code></pre></div>";
        assert_eq!(md(mkdocs), "```yaml\na: 1\n```\n");
    }

    #[test]
    fn code_block_keeps_whitespace_and_drops_gutters() {
        let html = "<table class=\"highlighttable\"><tr><td class=\"linenos\"><div class=\"linenodiv\"><pre>1\n2</pre></div></td>\
             <td class=\"code\"><div class=\"highlight\"><pre>if x:\n    <span class=\"k\">pass</span>  # *not* markdown\n</pre></div></td></tr></table>";
        assert_eq!(md(html), "```\nif x:\n    pass  # *not* markdown\n```\n");
    }

    #[test]
    fn code_block_lines_from_br_elements() {
        let html = "<pre class=\"prism-code language-js\"><code><span class=\"token-line\">a();<br></span><span class=\"token-line\">b();<br></span></code></pre>";
        assert_eq!(md(html), "```js\na();\nb();\n```\n");
    }

    #[test]
    fn code_block_fence_outgrows_backticks_inside() {
        assert_eq!(
            md("<pre>```\ninner\n```</pre>"),
            "````\n```\ninner\n```\n````\n"
        );
    }

    #[test]
    fn inline_code_uses_longer_fence_for_backticks() {
        assert_eq!(
            md("<p>Use <code>a`b</code> or <code>`x`</code></p>"),
            "Use ``a`b`` or `` `x` ``\n"
        );
    }

    #[test]
    fn relative_links_are_made_absolute() {
        let out = md("<p>See <a href=\"../api/x.html#f\">the API</a>.</p>");
        assert_eq!(
            out,
            "See [the API](https://docs.example.com/api/x.html#f).\n"
        );
    }

    #[test]
    fn base_href_is_used_for_links_and_images() {
        let html = "<html><head><base href=\"https://cdn.example.org/v2/\"></head><body><main>\
             <p><a href=\"intro\">Intro</a> <img src=\"i.png\" alt=\"Diagram\"></p></main></body></html>";
        let page = extract(html);
        assert_eq!(
            page.markdown,
            "[Intro](https://cdn.example.org/v2/intro) ![Diagram](https://cdn.example.org/v2/i.png)\n"
        );
        assert_eq!(
            page.links[0].url.as_str(),
            "https://cdn.example.org/v2/intro"
        );
    }

    #[test]
    fn fragment_links_keep_only_their_text() {
        assert_eq!(
            md("<p>Go to <a href=\"#usage\">usage</a>.</p>"),
            "Go to usage.\n"
        );
        assert_eq!(
            md("<p><a href=\"page.html#usage\">usage</a></p>"),
            "usage\n"
        );
    }

    #[test]
    fn links_without_text_and_script_links_are_not_rendered_as_links() {
        assert_eq!(
            md("<p>a<a href=\"/x\"> </a>b <a href=\"javascript:void(0)\">run</a></p>"),
            "ab run\n"
        );
    }

    #[test]
    fn images_need_alt_text() {
        assert_eq!(
            md("<p><img src=\"a.png\">x<img src=\"/b.png\" alt=\"B [1]\"></p>"),
            "x![B \\[1\\]](https://docs.example.com/b.png)\n"
        );
    }

    #[test]
    fn definition_lists_render_terms_bold_and_signatures_as_code() {
        let out = md("<dl><dt>Term</dt><dd><p>Meaning.</p></dd></dl>\
             <dl class=\"py function\"><dt class=\"sig sig-object py\" id=\"m.f\"><span class=\"sig-prename\">m.</span>\
             <span class=\"sig-name descname\">f</span>(<em class=\"sig-param\">x</em>)<a class=\"headerlink\" href=\"#m.f\">¶</a></dt>\
             <dd><p>Does f.</p></dd></dl>");
        assert_eq!(out, "**Term**\n\nMeaning.\n\n`m.f(x)`\n\nDoes f.\n");
    }

    #[test]
    fn blockquote_and_admonition_become_quotes() {
        assert_eq!(
            md("<blockquote><p>a</p><p>b</p></blockquote>"),
            "> a\n>\n> b\n"
        );
        let admonition = "<div class=\"admonition note\"><p class=\"admonition-title\">Note</p><p>Careful.</p></div>";
        assert_eq!(md(admonition), "> **Note**\n>\n> Careful.\n");
    }

    #[test]
    fn hr_br_sup_sub() {
        assert_eq!(
            md("<p>a<br>b</p><hr><p>x<sup>2</sup> H<sub>2</sub>O</p>"),
            "a\\\nb\n\n---\n\nx2 H2O\n"
        );
    }

    #[test]
    fn markdown_significant_text_is_escaped_only_where_needed() {
        let out = md("<p># not heading</p><p>1. not list</p><p>- no</p><p>snake_case and 2 * 3 and __init__ and <b>x</b></p><p>use &lt;div&gt;</p>");
        assert_eq!(
            out,
            "\\# not heading\n\n1\\. not list\n\n\\- no\n\nsnake_case and 2 * 3 and \\_\\_init\\_\\_ and **x**\n\nuse \\<div>\n"
        );
    }

    #[test]
    fn whitespace_is_collapsed_and_output_ends_with_one_newline() {
        assert_eq!(
            md("<p>  a \n\n  b\u{a0} c </p>\n\n<p></p><div> </div>"),
            "a b c\n"
        );
        assert_eq!(md(""), "");
    }

    // ----- boilerplate -------------------------------------------------------------

    #[test]
    fn boilerplate_elements_are_dropped() {
        let html = "<nav>Menu</nav><header><a href=\"/\">Logo</a></header><p>Keep me.</p>\
             <div class=\"sphinxsidebar\">Side</div><div class=\"md-sidebar md-sidebar--primary\">Side2</div>\
             <ul class=\"table-of-contents\"><li>TOC</li></ul><div class=\"breadcrumbs\">Home</div>\
             <div id=\"cookie-banner\">Cookies!</div><a class=\"theme-edit-this-page\" href=\"/e\">Edit this page</a>\
             <nav class=\"pagination-nav\"><a href=\"/p\">Previous</a></nav><div class=\"related\">next | prev</div>\
             <div role=\"navigation\">Nav2</div><div aria-hidden=\"true\">Hidden</div><p hidden>Hidden2</p>\
             <aside>Aside</aside><form class=\"search\"><input name=\"q\"></form><button>Copy</button>\
             <script>var x;</script><style>p{}</style><p>Was this page helpful?</p><a href=\"#main\">Skip to content</a>";
        assert_eq!(md(html), "Keep me.\n");
    }

    #[test]
    fn sections_named_like_chrome_and_sphinx_sidebars_are_content() {
        let html = "<html><body><div class=\"body\" role=\"main\"><h1>http.cookies</h1>\
             <section id=\"cookie-objects\"><h2>Cookie Objects</h2><p>BaseCookie methods.</p></section>\
             <section id=\"feedback\"><span id=\"id1\"></span><h2>Feedback</h2><p>Send comments to the author.</p></section>\
             <aside class=\"sidebar\"><p class=\"sidebar-title\">Turtle star</p><pre>from turtle import *</pre></aside>\
             <div id=\"cookie-banner\">Accept cookies?</div></div>\
             <div class=\"sphinxsidebar\">Quick search</div></body></html>";
        let page = extract_html(
            html,
            &Url::parse("https://docs.example.com/p.html").expect("url"),
        );
        for kept in [
            "## Cookie Objects",
            "BaseCookie methods",
            "## Feedback",
            "Turtle star",
            "from turtle import *",
        ] {
            assert!(
                page.markdown.contains(kept),
                "{kept} lost: {}",
                page.markdown
            );
        }
        for dropped in ["Accept cookies", "Quick search"] {
            assert!(
                !page.markdown.contains(dropped),
                "{dropped} kept: {}",
                page.markdown
            );
        }
    }

    #[test]
    fn boilerplate_class_matching_does_not_hit_content_lookalikes() {
        let html = "<p class=\"tocdepth-note\">Depth note.</p><div class=\"toctree-wrapper compound\">\
             <ul><li><a href=\"intro.html\">Intro</a></li></ul></div><p class=\"menuselection\">File</p>";
        assert_eq!(
            md(html),
            "Depth note.\n\n- [Intro](https://docs.example.com/guide/intro.html)\n\nFile\n"
        );
    }

    #[test]
    fn header_holding_the_page_heading_is_kept() {
        assert_eq!(
            md("<header><h1>Title</h1></header><p>Body</p>"),
            "# Title\n\nBody\n"
        );
    }

    #[test]
    fn headerlinks_and_hash_links_are_dropped() {
        let out = md("<h2>A<a class=\"headerlink\" href=\"#a\">¶</a></h2><h2>B<a class=\"hash-link\" href=\"#b\">\u{200b}</a></h2>");
        assert_eq!(out, "## A\n\n## B\n");
    }

    #[test]
    fn prev_next_pager_links_are_dropped() {
        let out = md(
            "<p>Body</p><a href=\"/a\"><span><span>Previous</span><span>Intro</span></span></a>\
             <p>See <a href=\"/next-steps\">Next steps</a></p>",
        );
        assert_eq!(
            out,
            "Body\n\nSee [Next steps](https://docs.example.com/next-steps)\n"
        );
    }

    // ----- main content selection ---------------------------------------------

    #[test]
    fn generator_specific_root_wins_over_generic_main() {
        let html = "<body><main><div class=\"theme-doc-markdown\"><h1>Doc</h1><p>Real content here.</p></div>\
             <p>Other main text</p></main></body>";
        assert_eq!(extract(html).markdown, "# Doc\n\nReal content here.\n");
    }

    #[test]
    fn small_main_falls_back_to_body() {
        let html =
            "<body><main><p>Tiny</p></main><div><p>Most of the page text lives outside of main, \
             which happens on hand-written pages.</p></div></body>";
        let out = extract(html).markdown;
        assert!(out.starts_with("Tiny\n\nMost of the page text"), "{out}");
    }

    #[test]
    fn boilerplate_does_not_count_for_the_fallback_rule() {
        let html = "<body><nav>".to_string()
            + &"navigation link ".repeat(100)
            + "</nav><article><p>Short article body.</p></article><footer>footer</footer></body>";
        assert_eq!(extract(&html).markdown, "Short article body.\n");
    }

    // ----- metadata --------------------------------------------------------------------

    #[test]
    fn title_is_collapsed_and_falls_back_to_h1() {
        assert_eq!(
            extract("<title>  A \n B </title>").title.as_deref(),
            Some("A B")
        );
        let fallback =
            extract("<title> </title><body><h1>Head<a class=\"headerlink\">¶</a></h1></body>");
        assert_eq!(fallback.title.as_deref(), Some("Head"));
        assert_eq!(
            extract("<body><svg><title>icon</title></svg></body>").title,
            None
        );
    }

    #[test]
    fn canonical_alternates_lang_and_robots() {
        let page = extract(
            "<html lang=\"de\"><head><link rel=\"canonical\" href=\"/de/page\">\
             <link rel=\"alternate\" hreflang=\"en\" href=\"https://docs.example.com/en/page\">\
             <link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\">\
             <meta name=\"ROBOTS\" content=\"NoIndex, nofollow\"></head><body></body></html>",
        );
        assert_eq!(
            page.canonical.map(String::from).as_deref(),
            Some("https://docs.example.com/de/page")
        );
        assert_eq!(page.lang.as_deref(), Some("de"));
        assert_eq!(page.alternates.len(), 1);
        assert_eq!(page.alternates[0].0, "en");
        assert!(page.noindex && page.nofollow);
        let none = extract("<meta name=\"robots\" content=\"none\">");
        assert!(none.noindex && none.nofollow);
        let plain = extract("<meta name=\"robots\" content=\"index, follow\">");
        assert!(!plain.noindex && !plain.nofollow);
    }

    #[test]
    fn links_cover_whole_document_deduplicated_and_filtered() {
        let page = extract(
            "<body><nav><a href=\"/a\">A</a></nav><main><a href=\"/a\">again</a>\
             <a href=\"b.html#x\" rel=\"nofollow noopener\"> B\n text </a><a href=\"javascript:go()\">js</a>\
             <a href=\"mailto:x@example.com\">mail</a><a href=\"tel:123\">tel</a><a href=\"data:text/plain,x\">d</a>\
             <a href=\"/icon\" aria-label=\"Icon link\"><svg></svg></a></main></body>",
        );
        let urls: Vec<&str> = page.links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://docs.example.com/a",
                "https://docs.example.com/guide/b.html#x",
                "https://docs.example.com/icon"
            ]
        );
        assert_eq!(page.links[0].text, "A");
        assert_eq!(page.links[1].text, "B text");
        assert!(page.links[1].nofollow && !page.links[0].nofollow);
        assert_eq!(page.links[2].text, "Icon link");
    }

    #[test]
    fn spec_links_from_web_components_and_scripts() {
        let page = extract(
            "<body><redoc spec-url=\"/openapi.yaml\"></redoc><rapi-doc spec-url=\"rapi.json\"></rapi-doc>\
             <elements-api apiDescriptionUrl=\"https://x.example/elements.yaml\"></elements-api>\
             <script>SwaggerUIBundle({ url: \"/swagger.json\", dom_id: '#ui' })</script>\
             <script>const cfg = { url: '/not-a-spec.json' };</script>\
             <script>Redoc.init(\"/redoc-init.json\", {}, el)</script>\
             <script id=\"api-reference\" data-url=\"/scalar.json\"></script></body>",
        );
        let urls: Vec<String> = page
            .spec_links
            .iter()
            .map(|u| u.path().to_string())
            .collect();
        assert_eq!(
            urls,
            [
                "/openapi.yaml",
                "/guide/rapi.json",
                "/elements.yaml",
                "/swagger.json",
                "/redoc-init.json",
                "/scalar.json"
            ]
        );
    }

    #[test]
    fn swagger_urls_array_is_read() {
        let urls = js_url_properties("SwaggerUIBundle({urls: [{url: \"a.json\", name: \"A\"}, {\"url\": 'b.yaml'}], configUrl: \"c\"})");
        assert_eq!(urls, ["a.json", "b.yaml"]);
    }

    // ----- robustness ----------------------------------------------------------------

    #[test]
    fn deeply_nested_divs_do_not_overflow_a_small_stack() {
        let handle = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(|| {
                let depth = 100_000;
                let html = format!(
                    "{}deep text{}",
                    "<div>".repeat(depth),
                    "</div>".repeat(depth)
                );
                extract(&html).markdown
            })
            .expect("spawn test thread");
        let markdown = handle.join().expect("conversion must not panic");
        assert_eq!(markdown, "deep text\n");
    }

    #[test]
    fn deeply_nested_lists_and_quotes_stay_bounded() {
        let handle = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(|| {
                let depth = 20_000;
                let html = format!(
                    "{}x{}{}y",
                    "<ul><li><blockquote>".repeat(depth),
                    "</blockquote></li></ul>".repeat(depth),
                    "<b>".repeat(depth)
                );
                extract(&html).markdown
            })
            .expect("spawn test thread");
        let markdown = handle.join().expect("conversion must not panic");
        assert!(markdown.contains('x') && markdown.contains("**y**"));
        assert!(markdown.len() < 1000, "prefix growth must be capped");
    }

    #[test]
    fn malformed_and_empty_input_is_handled() {
        for html in [
            "",
            "<",
            "<html><body><p>unclosed <b>bold <i>both",
            "<table><td>x<tr><li>y",
            "\u{0}\u{feff}<<>>",
        ] {
            let page = extract(html);
            assert!(page.markdown.is_empty() || page.markdown.ends_with('\n'));
        }
        assert_eq!(
            extract("<p>unclosed <b>bold <i>both").markdown,
            "unclosed **bold *both***\n"
        );
    }

    // ----- golden files -------------------------------------------------------------------

    fn golden_dir() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
    }

    fn golden_page(name: &str) -> HtmlPage {
        let html = std::fs::read_to_string(golden_dir().join(format!("{name}.html")))
            .expect("golden html exists");
        let url =
            Url::parse(&format!("https://docs.example.com/{name}/page.html")).expect("valid url");
        extract_html(&html, &url)
    }

    #[test]
    fn golden_files_match() {
        let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
        let mut entries: Vec<_> = std::fs::read_dir(golden_dir())
            .expect("golden directory exists")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|ext| ext == "html"))
            .collect();
        entries.sort();
        assert!(entries.len() >= 10, "expected at least 10 golden pages");
        let mut failures = Vec::new();
        for html_path in entries {
            let name = html_path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            let actual = golden_page(&name).markdown;
            let md_path = html_path.with_extension("md");
            if update {
                std::fs::write(&md_path, &actual).expect("write golden md");
                continue;
            }
            let expected = std::fs::read_to_string(&md_path).unwrap_or_default();
            if actual != expected {
                failures.push(format!(
                    "--- {name}: expected\n{expected}\n--- actual\n{actual}"
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "golden mismatch (UPDATE_GOLDEN=1 rewrites):\n{}",
            failures.join("\n")
        );
    }

    #[test]
    fn golden_pages_have_clean_content_and_metadata() {
        for name in [
            "sphinx",
            "mkdocs_material",
            "docusaurus",
            "javadoc",
            "docbook",
            "gitbook",
            "readme_api_reference",
            "plain",
        ] {
            let page = golden_page(name);
            assert!(page.markdown.len() > 300, "{name}: content missing");
            for junk in [
                "¶",
                "Edit this page",
                "Skip to",
                "Previous",
                "Was this",
                "Table of Contents",
                "\u{200b}",
            ] {
                assert!(!page.markdown.contains(junk), "{name}: contains {junk:?}");
            }
            assert!(!page.links.is_empty(), "{name}: links missing");
            assert!(page.title.is_some(), "{name}: title missing");
        }
        let sphinx = golden_page("sphinx");
        assert!(sphinx.markdown.contains("```python3\n>>> import json\n"));
        assert!(sphinx
            .markdown
            .contains("`json.dump(obj, fp, *, skipkeys=False, indent=None, **kw)`"));
        assert!(sphinx
            .links
            .iter()
            .any(|l| l.url.as_str() == "https://docs.example.com/genindex.html"));
        let docusaurus = golden_page("docusaurus");
        assert_eq!(docusaurus.alternates.len(), 3);
        assert!(golden_page("plain").noindex);
    }

    #[test]
    fn golden_api_shells_expose_spec_links() {
        let redoc: Vec<String> = golden_page("redoc")
            .spec_links
            .iter()
            .map(Url::to_string)
            .collect();
        assert_eq!(
            redoc,
            [
                "https://docs.example.com/openapi/petstore.yaml",
                "https://docs.example.com/admin/openapi.json"
            ]
        );
        let swagger: Vec<String> = golden_page("swagger_ui")
            .spec_links
            .iter()
            .map(Url::to_string)
            .collect();
        assert_eq!(
            swagger,
            [
                "https://api.example.com/v2/openapi.json",
                "https://docs.example.com/swagger_ui/specs/internal.yaml"
            ]
        );
    }
}
