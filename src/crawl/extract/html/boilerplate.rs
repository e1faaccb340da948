//! Choosing the main content and dropping navigation, headers and other chrome.

use std::hash::BuildHasherDefault;

use crate::crawl::tokens::Fnv;

use super::*;

pub(super) fn content_root(doc: &Html) -> Option<ElementRef<'_>> {
    let body = elements(doc, "body")
        .next()
        .unwrap_or_else(|| doc.root_element());
    // Measured only once a candidate has text to compare: most pages of many manuals
    // match no content selector, and this walk over the whole body was then for nothing.
    let body_len = std::cell::OnceCell::new();
    for ((selector, _), candidates) in CONTENT_SELECTOR_LIST.iter().zip(content_candidates(doc)) {
        for candidate in candidates {
            if inside_boilerplate(candidate) {
                continue;
            }
            let len = visible_text_len(candidate);
            if len > 0 && len * 3 >= *body_len.get_or_init(|| visible_text_len(body)) {
                return Some(widen_to_siblings(candidate, selector));
            }
        }
    }
    Some(body)
}

/// Levels a chosen container may widen by.
const MAX_WIDENING: usize = 8;

/// A document's sections are siblings, so the container a selector found first may be
/// only one of them (a man page's long OPTIONS beside NAME, SYNOPSIS and DESCRIPTION, or
/// a title block beside the body, a module's introduction before its first section).
/// Climbs while the parent adds sibling blocks that read as the document: ones matching
/// the same selector or headed prose, not mostly links, or an introduction before it.
/// Chrome that comes along is still dropped by the conversion or by the site's
/// learned template; a lost section would be lost for good.
fn widen_to_siblings<'a>(mut root: ElementRef<'a>, selector: &Selector) -> ElementRef<'a> {
    for _ in 0..MAX_WIDENING {
        let Some(parent) = root.parent().and_then(ElementRef::wrap) else {
            break;
        };
        if parent.value().name() == "html" {
            break;
        }
        let mut others = parent
            .child_elements()
            .filter(|child| child.id() != root.id() && !is_boilerplate(*child))
            .filter(|child| visible_text_len(*child) > 0)
            .peekable();
        if others.peek().is_some()
            && !others.any(|sibling| selector.matches(&sibling) || is_headed_prose(sibling))
            && !introduced(root)
        {
            break;
        }
        root = parent;
    }
    root
}

/// Levels above the content container where its page's title may sit.
const MAX_TITLE_CLIMB: usize = 3;
/// Siblings before each of them that are looked at.
const MAX_TITLE_SIBLINGS: usize = 8;
/// Longest title heading, in characters.
const MAX_TITLE_CHARS: usize = 200;

/// The page's title heading when the layout puts it outside the content container: an
/// `<h1>` just before the container, or before one of its nearest ancestors, above a row
/// of sidebar and content columns (Nim's docgen: `div.container > h1.title + div.row >
/// div.three.columns + div#content`). Only an `<h1>` that is not chrome, not a link
/// (a logo), and whose text the document's `<title>` starts with: a site's name set in
/// an `<h1>` comes after the page's in the `<title>`, when it is there at all.
pub(super) fn title_above<'a>(
    root: ElementRef<'a>,
    page_title: Option<&str>,
) -> Option<ElementRef<'a>> {
    let page_title = page_title?.to_lowercase();
    let mut el = root;
    for _ in 0..MAX_TITLE_CLIMB {
        let title = el
            .prev_siblings()
            .filter_map(ElementRef::wrap)
            .take(MAX_TITLE_SIBLINGS)
            .find(|sibling| sibling.value().name() == "h1");
        if let Some(title) = title {
            let text = visible_text(title);
            let (len, linked) = text_and_link_len(title);
            let names_page = !text.is_empty()
                && text.chars().count() <= MAX_TITLE_CHARS
                && page_title.starts_with(&text.to_lowercase());
            let is_chrome = is_boilerplate(title) || inside_boilerplate(title);
            return (names_page && linked * 2 < len && !is_chrome).then_some(title);
        }
        el = el.parent().and_then(ElementRef::wrap)?;
        if matches!(el.value().name(), "body" | "html") {
            return None;
        }
    }
    None
}

/// Elements of the content container looked at for a title's echo, in document order.
const MAX_ECHO_ELEMENTS: usize = 400;

/// A heading that only repeats the page's title just before it: a theme's page header
/// (openstackdocstheme's `<h2>Using Sessions</h2>` over a byline, then the article's
/// `<h1>Using Sessions</h1>`). The first heading of `root`, when it is not the `<h1>` and
/// the next heading is an `<h1>` with the same text; converted, the page opened with its
/// title twice at two levels.
pub(super) fn title_echo(root: ElementRef<'_>) -> Option<ElementRef<'_>> {
    let mut headings = root
        .descendants()
        .take(MAX_ECHO_ELEMENTS)
        .filter_map(ElementRef::wrap)
        .filter(|el| is_heading(*el));
    let first = headings.next()?;
    let next = headings.next()?;
    if first.value().name() == "h1" || next.value().name() != "h1" {
        return None;
    }
    // Words alone: a permalink glyph (`¶`) after either is not part of the title.
    let (first_text, next_text) = (visible_text(first), visible_text(next));
    let mut words = lower_case_words(&first_text).peekable();
    (words.peek().is_some() && words.eq(lower_case_words(&next_text))).then_some(first)
}

/// Fewest visible characters of a paragraph that reads as a sentence of the document.
const MIN_PROSE_CHARS: usize = 40;

/// Whether a paragraph of prose comes before `el` among its siblings: the introduction a
/// generator writes between the title and the first section (a module's description
/// above its list of procedures). Only what comes before: a line after the content is
/// more often a footer's.
fn introduced(el: ElementRef) -> bool {
    el.prev_siblings()
        .filter_map(ElementRef::wrap)
        .any(|sibling| !is_boilerplate(sibling) && is_loose_prose(sibling))
}

/// A block with a heading whose text is mostly not links: a section, not a menu.
fn is_headed_prose(el: ElementRef) -> bool {
    if !(is_heading(el) || has_descendant(el, 400, is_heading)) {
        return false;
    }
    let (text, linked) = text_and_link_len(el);
    text > 0 && linked * 2 < text
}

/// A paragraph (or a quote, or a definition list) of a sentence or more that is mostly
/// not links. A menu is mostly links.
fn is_loose_prose(el: ElementRef) -> bool {
    if !matches!(el.value().name(), "p" | "blockquote" | "dl") {
        return false;
    }
    let (text, linked) = text_and_link_len(el);
    text >= MIN_PROSE_CHARS && linked * 2 < text
}

/// Visible characters of a subtree and how many of them are link text.
pub(super) fn text_and_link_len(root: ElementRef) -> (usize, usize) {
    let (mut text, mut linked, mut links_open) = (0, 0, 0usize);
    // One entry per descended element (each reports a Leave): whether it is a link.
    let mut open: Vec<bool> = Vec::new();
    walk(root, |visit| match visit {
        Visit::Enter(el) if is_boilerplate(el) => Flow::Skip,
        Visit::Enter(el) => {
            let is_link = el.value().name() == "a";
            links_open += usize::from(is_link);
            open.push(is_link);
            Flow::Descend
        }
        Visit::Text(t) => {
            let n = non_whitespace_chars(t);
            text += n;
            if links_open > 0 {
                linked += n;
            }
            Flow::Descend
        }
        Visit::Leave => {
            if open.pop() == Some(true) {
                links_open -= 1;
            }
            Flow::Descend
        }
    });
    (text, linked)
}

pub(super) fn inside_boilerplate(el: ElementRef) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .take(256)
        .any(is_boilerplate)
}

// ----- boilerplate -------------------------------------------------------------

pub(super) const DROPPED_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed",
    "button", "input", "select", "textarea", "option", "datalist", "nav", "footer", "dialog",
    "head", "link", "meta", "audio", "video", "map",
];

static DROPPED_TAG_SET: LazyLock<HashSet<&'static str, BuildHasherDefault<Fnv>>> =
    LazyLock::new(|| DROPPED_TAGS.iter().copied().collect());

/// Whether `name` is one of [`DROPPED_TAGS`] (a hash lookup: asked of most elements).
pub(super) fn is_dropped_tag(name: &str) -> bool {
    DROPPED_TAG_SET.contains(name)
}

pub(super) const DROPPED_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "search",
    "dialog",
    "alertdialog",
];

/// Class/id tokens that name boilerplate exactly.
pub(super) const BOILERPLATE_TOKENS: &[&str] = &[
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
    // Doxygen's trail of directories to the page.
    "navpath",
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
    "bottom-nav",
    // The same bars written as one word (camelCase names such as Javadoc 8's `topNav`
    // are also looked up as hyphenated words: `top-nav`).
    "topnav",
    "subnav",
    "bottomnav",
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
    // Links to an item's source code (rustdoc's `source`, gi-docgen's and Node.js's
    // `[src]`), and rustdoc's spans that float them right of each heading with the
    // version and the collapse toggle (`1.0.0 · source · [−]`).
    "srclink",
    "rightside",
    "out-of-band",
    // RDoc's hint beside each method's call sequence ("click to toggle source").
    "method-click-advice",
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
pub(super) const BOILERPLATE_PREFIXES: &[&str] = &[
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
pub(super) const BOILERPLATE_SUFFIXES: &[&str] = &[
    "sidebar",
    "sidenav",
    "breadcrumbs",
    "breadcrumb",
    "toc",
    "pagination",
    "navbar",
];

pub(super) const BOILERPLATE_PHRASES: &[&str] = &[
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

pub(super) const BOILERPLATE_PHRASE_PREFIXES: &[&str] = &[
    "was this page helpful",
    "was this helpful",
    "did this page help",
    "is this page helpful",
    "rate this page",
    "last updated",
    "last update:",
];

/// Material for MkDocs marks its chrome with `data-md-component`.
pub(super) const MKDOCS_CHROME: &[&str] = &[
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

/// Why an element counts as chrome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Chrome {
    /// By what it is: a dropped tag, a landmark role, hidden, a search form, a phrase.
    Structural,
    /// Only by a class or id token (`toc`, `sidebar`, `related` …): a guess from a name,
    /// which a page whose content *is* such a block (a chapter's table of contents) defeats.
    Named,
}

pub(super) fn is_boilerplate(el: ElementRef) -> bool {
    chrome_kind(el).is_some()
}

/// Why `el` counts as chrome, worked out from the element (see [`chrome_kind`] for the
/// remembered answer).
pub(super) fn chrome_kind_of(el: ElementRef) -> Option<Chrome> {
    let name = el.value().name();
    if is_dropped_tag(name) {
        return Some(Chrome::Structural);
    }
    if is_content_sidebar(&el) {
        return None;
    }
    if has_boilerplate_attribute(&el) {
        return Some(Chrome::Structural);
    }
    if has_boilerplate_token(&el) && !is_described_contents(el) {
        return Some(Chrome::Named);
    }
    is_structural_chrome(el, name).then_some(Chrome::Structural)
}

/// A table of contents whose entries say what each page is for (DocBook's reference part
/// pages: `ABORT — abort the current transaction`, one line a command) is the part's own
/// index, written for the reader: its text is mostly the entries' purposes, not link
/// titles. A table of contents of titles alone is navigation (a chapter's, a page's).
fn is_described_contents(el: ElementRef) -> bool {
    class_tokens(&el).any(|c| c.eq_ignore_ascii_case("toc")) && is_prose(el)
}

fn is_structural_chrome(el: ElementRef, name: &str) -> bool {
    match name {
        "aside" => !is_admonition(&el) && !class_tokens(&el).any(|c| c.starts_with("footnote")),
        "header" => !has_descendant(el, 400, is_heading),
        "form" => is_search_form(&el),
        "a" => is_boilerplate_phrase(el) || is_prev_next_link(el),
        "p" | "div" | "li" | "section" => is_boilerplate_phrase(el) || is_pager_line(el),
        "table" => is_pager_line(el),
        _ => false,
    }
}

/// Link types that lead to the previous or next page: a pager line has one of them.
pub(super) const STEP_RELS: [&str; 3] = ["prev", "previous", "next"];
/// Link types that move a reader through a document rather than say something.
const PAGER_RELS: [&str; 9] = [
    "prev", "previous", "next", "up", "contents", "index", "start", "first", "last",
];
/// Letters a pager line may have outside its links (`Next: , Previous: , Up: `).
const MAX_PAGER_LABEL_LETTERS: usize = 40;

/// A line of document navigation (Texinfo's node header: `Next: <a rel=next>Errors</a>,
/// Previous: <a rel=prev>Statements</a> [<a rel=contents>Contents</a>]`), or a table of
/// them (texi2html's `[ << Chapter ][Top][Contents][Index][ Next chapter >> ]` above every
/// section): links of which more declare a navigation link type than not, at least one of
/// them to the previous or next page, and nothing outside them but a few labels.
/// Dropping only the pager links left the labels (`Next: , Previous: [Contents][Index]`).
fn is_pager_line(el: ElementRef) -> bool {
    // Asked of every paragraph, division and table: most pages have no such link at all.
    if !may_hold_step_links(el) {
        return false;
    }
    let (mut pager, mut marked, mut unmarked, mut letters, mut nodes) = (false, 0, 0, 0, 0);
    let mut other = false;
    walk(el, |visit| {
        nodes += 1;
        if nodes > 64 {
            other = true;
            return Flow::Stop;
        }
        match visit {
            Visit::Enter(child) if child.value().name() == "a" => {
                pager |= rel_has_any(&child, &STEP_RELS);
                if rel_has_any(&child, &PAGER_RELS) {
                    marked += 1;
                } else {
                    unmarked += 1;
                }
                Flow::Skip
            }
            Visit::Enter(child) if is_heading(child) => {
                other = true;
                Flow::Stop
            }
            Visit::Text(text) => {
                letters += text.chars().filter(|c| c.is_alphabetic()).count();
                if letters > MAX_PAGER_LABEL_LETTERS {
                    other = true;
                    return Flow::Stop;
                }
                Flow::Descend
            }
            _ => Flow::Descend,
        }
    });
    pager && !other && marked >= 2 && unmarked < marked
}

/// Inactive tab panels are hidden but hold real alternatives (another
/// language, another package manager), so they are kept.
pub(super) fn is_hidden(el: &ElementRef) -> bool {
    let hidden = el.value().attr("hidden").is_some() && !attr_is(el, "role", "tabpanel");
    hidden || attr_is(el, "aria-hidden", "true")
}

/// Hidden elements and landmark roles of page chrome. Iterates the
/// attributes once: `attr(name)` interns its argument on every call, which
/// showed up in profiles of large pages.
pub(super) fn has_boilerplate_attribute(el: &ElementRef) -> bool {
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

pub(super) static BOILERPLATE_TOKEN_SET: LazyLock<HashSet<&'static str, BuildHasherDefault<Fnv>>> =
    LazyLock::new(|| BOILERPLATE_TOKENS.iter().copied().collect());

/// A sidebar can be the author's: Sphinx's `.. sidebar::` directive (marked by its
/// `sidebar-title`) or DocBook's `<sidebar>` box ("CULTURE: Iceweasel, Firefox and
/// others") set inside the text. Such a box opens with its own title and reads as prose;
/// a page-chrome sidebar is a menu of links, or has no title of its own.
pub(super) fn is_content_sidebar(el: &ElementRef) -> bool {
    if class_tokens(el).any(|c| c == "sidebar-title") {
        return true;
    }
    if !class_tokens(el).any(|c| c == "sidebar") {
        return false;
    }
    el.children()
        .filter_map(ElementRef::wrap)
        .any(|child| class_tokens(&child).any(|c| c == "sidebar-title"))
        || (opens_with_title(*el) && is_prose(*el))
}

/// Characters of prose a titled box needs before it counts as the author's.
const MIN_BOX_PROSE: usize = 80;

/// Whether the first text inside `el` belongs to a heading or to an element whose class
/// names a title (`p.title`, `div.titlepage`).
fn opens_with_title(el: ElementRef) -> bool {
    let mut titled = false;
    let mut depth_titles: Vec<bool> = Vec::new();
    let mut nodes = 0;
    walk(el, |visit| {
        nodes += 1;
        if nodes > 64 {
            return Flow::Stop;
        }
        match visit {
            Visit::Enter(child) => {
                let is_title = is_heading(child)
                    || class_tokens(&child).any(|c| c == "title" || c.ends_with("-title"));
                depth_titles.push(is_title);
                Flow::Descend
            }
            Visit::Text(text) if !text.trim().is_empty() => {
                titled = depth_titles.iter().any(|&t| t);
                Flow::Stop
            }
            Visit::Text(_) => Flow::Descend,
            Visit::Leave => {
                depth_titles.pop();
                Flow::Descend
            }
        }
    });
    titled
}

/// Text that is mostly not link text, and enough of it to be read.
fn is_prose(el: ElementRef) -> bool {
    // Prose has more text outside links than in them, so at least `MIN_BOX_PROSE` / 2
    // characters outside links; counting those first spares a menu of links (a
    // navigation sidebar) the chrome answers of all its entries.
    if !unlinked_len_exceeds(el, MIN_BOX_PROSE / 2) {
        return false;
    }
    let (text, linked) = text_and_link_len(el);
    text >= MIN_BOX_PROSE && linked * 2 < text
}

/// Whether more than `limit` visible characters of `root`'s subtree lie outside links,
/// counting chrome too: a bound from above on the `text - linked` of
/// [`text_and_link_len`], which only drops text by skipping chrome and counts a text as
/// linked by the same `a` ancestors. Nothing here asks whether an element is chrome.
///
/// It bounds [`is_prose`] exactly: prose has `text >= MIN_BOX_PROSE` and
/// `linked < text - linked`, so `text < 2 * (text - linked)` and more than
/// `MIN_BOX_PROSE / 2` characters outside links.
fn unlinked_len_exceeds(root: ElementRef, limit: usize) -> bool {
    let mut unlinked = 0;
    walk(root, |visit| match visit {
        Visit::Enter(el) if el.value().name() == "a" => Flow::Skip,
        Visit::Text(t) => {
            unlinked += non_whitespace_chars(t);
            if unlinked > limit {
                Flow::Stop
            } else {
                Flow::Descend
            }
        }
        _ => Flow::Descend,
    });
    unlinked > limit
}

/// A section's id is its heading's slug (Sphinx: `<section id="cookie-objects">`), and
/// so is a heading's own (MkDocs, Hugo, Docusaurus: `<h2 id="pagination">`) or an anchor's
/// inside one (`<h3><a id="search">`), so the id of a heading, of an element in one, or of
/// an element that opens with one says nothing about chrome.
pub(super) fn id_is_a_heading_slug(el: &ElementRef) -> bool {
    let in_heading = || {
        el.ancestors()
            .filter_map(ElementRef::wrap)
            .take(256)
            .any(is_heading)
    };
    if is_heading(*el) || in_heading() {
        return true;
    }
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

pub(super) fn has_boilerplate_token(el: &ElementRef) -> bool {
    let named = |token: &str| {
        if token.bytes().any(|b| b.is_ascii_uppercase()) {
            is_boilerplate_token(&token.to_ascii_lowercase())
        } else {
            is_boilerplate_token(token)
        }
    };
    // A class in camelCase is also read as words; an id is not: ids name the page's own
    // items too (Apache's `<a id="CookieDomain">`, Erlang's `feedbackBuffer`), and as
    // words those would start with chrome's prefixes.
    let named_class = |token: &str| {
        named(token) || camel_case_words(token).is_some_and(|words| is_boilerplate_token(&words))
    };
    // The id's heading check walks children: asked only of an id that names chrome.
    class_tokens(el).any(named_class)
        || el
            .value()
            .id()
            .is_some_and(|id| named(id) && !id_is_a_heading_slug(el))
}

/// A camelCase name written as hyphenated lower-case words (`sideNav` → `side-nav`,
/// `tableOfContents_x1` → `table-of-contents_x1`), so that the token lists, written in
/// CSS's hyphenated style, name the same chrome in either style; `None` when no
/// lower-case letter is followed by a capital.
fn camel_case_words(token: &str) -> Option<String> {
    let bytes = token.as_bytes();
    if !bytes
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
    {
        return None;
    }
    let mut words = String::with_capacity(token.len() + 4);
    let mut after_lower = false;
    for c in token.chars() {
        if c.is_ascii_uppercase() && after_lower {
            words.push('-');
        }
        after_lower = c.is_ascii_lowercase();
        words.push(c.to_ascii_lowercase());
    }
    Some(words)
}

pub(super) fn is_boilerplate_token(token: &str) -> bool {
    if BOILERPLATE_TOKEN_SET.contains(token) {
        return true;
    }
    // A prefix followed by a separator, or a suffix after one: the token is cut at each of
    // its separators (most tokens have none, few more than two) and the two sides looked
    // up, instead of trying every affix against it.
    token.match_indices(['-', '_']).any(|(at, _)| {
        BOILERPLATE_PREFIX_SET.contains(&token[..at])
            || BOILERPLATE_SUFFIX_SET.contains(&token[at + 1..])
    })
}

static BOILERPLATE_PREFIX_SET: LazyLock<HashSet<&'static str, BuildHasherDefault<Fnv>>> =
    LazyLock::new(|| BOILERPLATE_PREFIXES.iter().copied().collect());

static BOILERPLATE_SUFFIX_SET: LazyLock<HashSet<&'static str, BuildHasherDefault<Fnv>>> =
    LazyLock::new(|| BOILERPLATE_SUFFIXES.iter().copied().collect());

/// Widgets that are recognisable only by their (short) wording.
pub(super) fn is_boilerplate_phrase(el: ElementRef) -> bool {
    may_open_with_a_phrase(el) && is_phrase_text(el)
}

/// The phrase check itself: the element's short text, collapsed, lower-cased and trimmed.
pub(super) fn is_phrase_text(el: ElementRef) -> bool {
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

/// The first two words of each of [`BOILERPLATE_PHRASES`] and
/// [`BOILERPLATE_PHRASE_PREFIXES`]; `None` if one of them is a single word (then any
/// text may open with it).
static PHRASE_OPENINGS: LazyLock<Option<Vec<(&'static str, &'static str)>>> = LazyLock::new(|| {
    BOILERPLATE_PHRASES
        .iter()
        .chain(BOILERPLATE_PHRASE_PREFIXES)
        .map(|phrase| {
            let (first, rest) = phrase.split_once(' ')?;
            Some((first, rest.split(' ').next().unwrap_or(rest)))
        })
        .collect()
});

/// The longest word [`may_open_with_a_phrase`] reads: longer than any of the phrases'.
pub(super) const LONGEST_OPENING_WORD: usize = 16;

/// False when `el`'s text cannot be one of the phrases, decided from its first two words
/// alone: most elements asked (every `p`, `div`, `li`, `section` and `a`) open with
/// other words, and this spares them building, collapsing and lower-casing their text.
/// The phrase check trims everything but letters, digits, `?` and `:` from the front of
/// the collapsed text, and every phrase opens with two ASCII words and a space between,
/// so the text's first word (from its first such character to the next white space)
/// must be a phrase's first word, and its second (to the next white space or the end;
/// the check may trim its end) must begin with that phrase's second word. Common words
/// open phrases (`Is this page helpful`, `Show source`, `Last updated`), hence two.
/// Undecided (true) on a non-ASCII letter or digit up to there, whose lower case or
/// class would need the full check; other characters before the first word are
/// trimmed by the check, and non-ASCII white space separates words as ASCII's does.
pub(super) fn may_open_with_a_phrase(el: ElementRef) -> bool {
    let Some(openings) = PHRASE_OPENINGS.as_ref() else {
        return true;
    };
    // The words so far (lower case, ASCII), once the first has started.
    let mut words = [[0u8; LONGEST_OPENING_WORD]; 2];
    let mut lens = [0usize; 2];
    // Which word is being read (0 or 1), and whether it has started.
    let mut current = 0;
    let mut started = false;
    let mut decided = None;
    let mut nodes = 0;
    let mut breaks = LineBreaks::default();
    // Whether the words read open a phrase: the first is its first word, and the second
    // (complete, or as far as it was read) begins with its second.
    let opens = |words: &[[u8; LONGEST_OPENING_WORD]; 2], lens: &[usize; 2]| {
        let first = read_word(&words[0], lens[0]);
        let second = &words[1][..lens[1]];
        openings
            .iter()
            .any(|(one, two)| *one == first && second.starts_with(two.as_bytes()))
    };
    walk(el, |visit| {
        nodes += 1;
        if nodes > 64 {
            // `short_text` gives up here too: no phrase.
            decided = Some(false);
            return Flow::Stop;
        }
        // A line break ends a word as white space does (`short_text` writes one).
        let text = match visit {
            Visit::Text(text) => text,
            visit if breaks.at(&visit) => " ",
            _ => return Flow::Descend,
        };
        for c in text.chars() {
            // What `collapse` cuts the text at.
            let space = c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}';
            if !started {
                if space {
                    continue;
                }
                if current == 1 || c.is_ascii_alphanumeric() || c == '?' || c == ':' {
                    started = true;
                } else if c.is_alphanumeric() {
                    // A letter whose lower case may be ASCII (the Kelvin sign's is `k`).
                    decided = Some(true);
                    return Flow::Stop;
                } else {
                    // Trimmed from the front by the phrase check.
                    continue;
                }
            } else if space {
                if current == 1 {
                    decided = Some(opens(&words, &lens));
                    return Flow::Stop;
                }
                let first = read_word(&words[0], lens[0]);
                if !openings.iter().any(|(one, _)| *one == first) {
                    decided = Some(false);
                    return Flow::Stop;
                }
                (current, started) = (1, false);
                continue;
            }
            if !c.is_ascii() {
                // Within a word: its lower case or class needs the full check.
                decided = Some(true);
                return Flow::Stop;
            }
            if lens[current] == LONGEST_OPENING_WORD {
                // A first word this long opens no phrase; a second word's first letters
                // decide as well as the whole word.
                decided = Some(current == 1 && opens(&words, &lens));
                return Flow::Stop;
            }
            // ASCII: one byte.
            words[current][lens[current]] = c.to_ascii_lowercase() as u8;
            lens[current] += 1;
        }
        Flow::Descend
    });
    // The text ended within its second word (which then decides), or before: not a
    // phrase of two words.
    decided.unwrap_or_else(|| current == 1 && started && opens(&words, &lens))
}

/// The first `len` bytes of a word [`may_open_with_a_phrase`] read: lower-cased ASCII,
/// so valid UTF-8.
fn read_word(word: &[u8; LONGEST_OPENING_WORD], len: usize) -> &str {
    std::str::from_utf8(&word[..len]).unwrap_or_default()
}

/// Prev/next pager links label themselves "Previous"/"Next" in a child
/// element followed by the target page's title.
pub(super) fn is_prev_next_link(anchor: ElementRef) -> bool {
    if rel_has_any(&anchor, &["prev", "next"]) {
        return true;
    }
    let Some(label) = first_text_chunk(anchor) else {
        return false;
    };
    const PAGER_WORDS: [&str; 3] = ["previous", "prev", "next"];
    let labelled = if label.is_ascii() {
        // Lower-casing ASCII turns no letter into a non-letter: trimmed first, compared
        // without a lower-cased copy.
        let word = label.trim_matches(|c: char| !c.is_alphabetic());
        PAGER_WORDS.iter().any(|p| word.eq_ignore_ascii_case(p))
    } else {
        let lower = label.to_lowercase();
        PAGER_WORDS.contains(&lower.trim_matches(|c: char| !c.is_alphabetic()))
    };
    labelled && short_text(anchor, 160).is_some()
}

/// The first non-blank text node of a small subtree, trimmed.
pub(super) fn first_text_chunk(root: ElementRef<'_>) -> Option<&str> {
    let mut found = None;
    let mut nodes = 0;
    walk(root, |visit| {
        nodes += 1;
        match visit {
            Visit::Text(t) if !t.trim().is_empty() => {
                found = Some(t.trim());
                Flow::Stop
            }
            _ if nodes > 64 => Flow::Stop,
            Visit::Enter(el) if is_boilerplate(el) => Flow::Skip,
            _ => Flow::Descend,
        }
    });
    found
}

pub(super) fn is_search_form(form: &ElementRef) -> bool {
    let mentions_search = |v: &str| v.to_ascii_lowercase().contains("search");
    form.value().attr("action").is_some_and(mentions_search)
        || form.value().attr("role").is_some_and(mentions_search)
        || class_tokens(form)
            .chain(form.value().id())
            .any(mentions_search)
}

pub(super) fn is_heading(el: ElementRef) -> bool {
    heading_level(el.value().name()).is_some()
}

pub(super) fn heading_level(name: &str) -> Option<u8> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// [`is_prose`] as first written: the whole subtree's counts, chrome skipped.
    fn prose_by_counts(el: ElementRef) -> bool {
        let (text, linked) = text_and_link_len(el);
        text >= MIN_BOX_PROSE && linked * 2 < text
    }

    /// Pieces of a box: plain and linked text of several lengths, chrome that holds
    /// text (skipped by the counts) and links that are chrome themselves.
    const PIECES: &[&str] = &[
        "word ",
        "a longer run of plain words here ",
        "<a href=\"/x\">link</a>",
        "<a href=\"/y\">a much longer link title</a> ",
        "<a href=\"/z\"><span>inner linked text</span></a>",
        "<nav>navigation text that is chrome</nav>",
        "<span hidden>hidden words that do not count</span>",
        "<a rel=\"next\" href=\"/n\">Next page</a>",
        "<p>Edit this page</p>",
        "<a href=\"/e\">Edit this page</a>",
        "<aside>an aside with enough words</aside>",
        "<h3>A title</h3>",
        "<p class=\"toc\"><a href=\"/t\">toc entry</a> toc words</p>",
        "<div aria-hidden=\"true\">aria hidden words here</div>",
    ];

    fn box_html(pieces: &[usize], nest: &[bool]) -> String {
        let mut html = String::from("<html><body><div class=\"sidebar\"><h3>Box</h3>");
        for (i, &piece) in pieces.iter().enumerate() {
            if nest.get(i).copied().unwrap_or(false) {
                html.push_str("<div>");
                html.push_str(PIECES[piece % PIECES.len()]);
                html.push_str("</div>");
            } else {
                html.push_str(PIECES[piece % PIECES.len()]);
            }
        }
        html.push_str("</div></body></html>");
        html
    }

    proptest! {
        #[test]
        fn prose_answers_as_the_counts_do(
            pieces in proptest::collection::vec(0usize..64, 0..40),
            nest in proptest::collection::vec(any::<bool>(), 0..40),
        ) {
            let doc = Html::parse_document(&box_html(&pieces, &nest));
            for el in doc.tree.nodes().filter_map(ElementRef::wrap) {
                prop_assert_eq!(is_prose(el), prose_by_counts(el));
            }
        }
    }

    #[test]
    fn the_unlinked_bound_decides_at_the_limit() {
        // 40 characters outside links never make prose; 41 may.
        let forty = format!(
            "<div>{}<a href=\"/x\">{}</a></div>",
            "x".repeat(40),
            "y".repeat(39)
        );
        let forty_one = format!(
            "<div>{}<a href=\"/x\">{}</a></div>",
            "x".repeat(41),
            "y".repeat(39)
        );
        for (html, prose) in [(forty, false), (forty_one, true)] {
            let doc = Html::parse_fragment(&html);
            let el = elements(&doc, "div").next().expect("a div");
            assert_eq!(prose_by_counts(el), prose, "{html}");
            assert_eq!(is_prose(el), prose, "{html}");
        }
    }

    /// The affix rules as first written: every prefix and suffix tried against the token.
    fn affix_rules(token: &str) -> bool {
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

    #[test]
    fn tokens_cut_at_separators_answer_as_the_affix_rules() {
        let mut tokens: Vec<String> = ["", "-", "_", "a-b", "toc", "x-toc", "toc-", "-toc"]
            .map(String::from)
            .to_vec();
        for affix in BOILERPLATE_PREFIXES.iter().chain(BOILERPLATE_SUFFIXES) {
            for sep in ["-", "_", "--", ""] {
                for other in ["", "x", "main", "x-y", "é"] {
                    tokens.push(format!("{affix}{sep}{other}"));
                    tokens.push(format!("{other}{sep}{affix}"));
                }
            }
        }
        for token in &tokens {
            let expected = BOILERPLATE_TOKEN_SET.contains(token.as_str()) || affix_rules(token);
            assert_eq!(is_boilerplate_token(token), expected, "{token:?}");
        }
        assert!(tokens
            .iter()
            .any(|t| is_boilerplate_token(t) && affix_rules(t)));
        assert!(tokens.iter().any(|t| !is_boilerplate_token(t)));
    }

    #[test]
    fn camel_case_names_are_read_as_hyphenated_words() {
        for (class, chrome) in [
            ("sideNav", true),
            ("topNav", true),
            ("docsSidebar", true),
            ("tableOfContents_bqdL", true),
            ("siteFooter", true),
            ("skipLink", true),
            ("menuItem", false),
            ("codeBlock", false),
            ("SIDENAV", true),
            ("XMLReference", false),
        ] {
            let html = format!(r#"<div class="{class}"><p>words</p></div>"#);
            let doc = Html::parse_fragment(&html);
            let el = elements(&doc, "div").next().expect("a div");
            assert_eq!(has_boilerplate_token(&el), chrome, "{class}");
        }
        // A heading's id is its slug, whatever words it is made of.
        for html in [
            r#"<h4 id="cookies">Cookies</h4>"#,
            r#"<h2 id="pagination">Pagination</h2>"#,
            r#"<h3><a id="search">Search</a></h3>"#,
        ] {
            let doc = Html::parse_fragment(html);
            let el = doc
                .root_element()
                .descendants()
                .filter_map(ElementRef::wrap)
                .find(|el| el.value().id().is_some())
                .expect("an element with an id");
            assert!(!has_boilerplate_token(&el), "{html}");
        }
        // Ids name the page's own items too: read as written.
        let doc = Html::parse_fragment(r#"<h2><a id="CookieDomain">CookieDomain</a></h2>"#);
        let anchor = elements(&doc, "a").next().expect("an anchor");
        assert!(!has_boilerplate_token(&anchor));
        assert_eq!(camel_case_words("sideNav").as_deref(), Some("side-nav"));
        assert_eq!(camel_case_words("side-nav"), None);
    }
}
