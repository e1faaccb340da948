//! Page metadata (title, language, canonical, alternates, robots) and links.

use std::hash::BuildHasherDefault;

use crate::crawl::tokens::Fnv;

use super::*;

pub(super) fn elements<'a>(doc: &'a Html, name: &str) -> impl Iterator<Item = ElementRef<'a>> {
    let name = name.to_string();
    doc.root_element()
        .descendent_elements()
        .filter(move |el| el.value().name() == name)
}

/// The elements the metadata and the links are read from, in document order, found in
/// one pass over the page: each of them took a pass of its own over every element
/// before, five in all.
#[derive(Default)]
pub(super) struct Tagged<'a> {
    bases: Vec<ElementRef<'a>>,
    links: Vec<ElementRef<'a>>,
    metas: Vec<ElementRef<'a>>,
    anchors: Vec<ElementRef<'a>>,
    scripts: Vec<ElementRef<'a>>,
    frames: Vec<ElementRef<'a>>,
}

impl<'a> Tagged<'a> {
    pub(super) fn of(doc: &'a Html) -> Tagged<'a> {
        let mut tagged = Tagged::default();
        for el in doc.root_element().descendent_elements() {
            let list = match el.value().name() {
                "base" => &mut tagged.bases,
                "link" => &mut tagged.links,
                "meta" => &mut tagged.metas,
                "a" => &mut tagged.anchors,
                "script" => &mut tagged.scripts,
                "frame" | "iframe" => &mut tagged.frames,
                _ => continue,
            };
            list.push(el);
        }
        tagged
    }

    /// Whether a link of the page declares the previous or next page ([`STEP_RELS`]).
    pub(super) fn has_step_links(&self) -> bool {
        self.anchors.iter().any(|a| rel_has_any(a, &STEP_RELS))
    }
}

/// Scripts of one page whose page links are looked for, at most.
const MAX_PAGE_SCRIPTS: usize = 16;

/// The page's external scripts (`<script src>`), resolved, each once. A site's menus and
/// navigation trees are often built from such a file (Doxygen's `menudata.js` and
/// `navtreedata.js`), and a page whose links are all written by scripts has none in its
/// HTML.
pub(super) fn script_sources(tagged: &Tagged, base: &Url) -> Vec<Url> {
    let mut seen = HashSet::new();
    tagged
        .scripts
        .iter()
        .filter_map(|script| script.value().attr("src"))
        .filter_map(|src| resolve_http(base, src))
        .filter(|url| seen.insert(url.as_str().to_string()))
        .take(MAX_PAGE_SCRIPTS)
        .collect()
}

pub(super) fn base_url(tagged: &Tagged, page_url: &Url) -> Url {
    tagged
        .bases
        .iter()
        .find_map(|el| el.value().attr("href"))
        .and_then(|href| page_url.join(href.trim()).ok())
        .unwrap_or_else(|| page_url.clone())
}

pub(super) fn page_title(doc: &Html) -> Option<String> {
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

pub(super) fn page_lang(doc: &Html) -> Option<String> {
    doc.root_element()
        .value()
        .attr("lang")
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
}

pub(super) fn rel_has(el: &ElementRef, token: &str) -> bool {
    rel_has_any(el, &[token])
}

/// Whether `el`'s `rel` names one of `tokens`. Finds `rel` among the attributes by name:
/// `attr("rel")` interns its argument on every call, and every link of a page is asked.
pub(super) fn rel_has_any(el: &ElementRef, tokens: &[&str]) -> bool {
    el.value()
        .attrs()
        .find(|&(name, _)| name == "rel")
        .is_some_and(|(_, rel)| {
            rel.split_ascii_whitespace()
                .any(|t| tokens.iter().any(|token| t.eq_ignore_ascii_case(token)))
        })
}

pub(super) fn resolve_http(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    let url = match href.strip_prefix('#') {
        // A place in the base document, which `join` would parse as a whole URL again
        // (every entry of a page's own table of contents). `join` also trims the C0
        // controls that `str::trim` leaves; after the `#` only the end can have them.
        Some(fragment) => {
            let mut url = base.clone();
            url.set_fragment(Some(fragment.trim_end_matches(|c: char| c <= ' ')));
            url
        }
        None => base.join(href).ok()?,
    };
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// `resolve_http` written out, the target of a link or image in the saved Markdown.
pub(super) fn resolve_http_string(base: &Url, href: &str) -> Option<String> {
    let href = href.trim();
    join_plain_path(base, href).or_else(|| resolve_http(base, href).map(String::from))
}

/// What `base.join(href)` writes, for an http(s) `base` and the relative paths most links
/// of a manual are (`page.html`, `images/next.png`, `../../api/Type.html#method`),
/// without parsing a URL; `None` for any other `href`. Past its leading `../` and `./`
/// (each `../` takes the last directory off the base's, none above the root) such a
/// path is written as it is: its characters (letters, digits and `-._~/`; in the
/// fragment any printable ASCII but `"<>\``) need no escaping, and it has no other `.`
/// or `..` segment to remove and no `\`, `?`, scheme or host to read, so it replaces
/// what follows that directory, and the base's query and fragment go. (It saves 0.4 and
/// 0.7 % of a page's instructions on GIMP's help and the python manual.)
pub(super) fn join_plain_path(base: &Url, href: &str) -> Option<String> {
    if !matches!(base.scheme(), "http" | "https") {
        return None;
    }
    let (path, fragment) = match href.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (href, None),
    };
    let through_path = &base[..url::Position::AfterPath];
    let path_start = through_path.len() - base.path().len();
    // The base's directory, with its `/`; an http(s) path starts with one.
    let mut directory = &base.path()[..base.path().rfind('/')? + 1];
    let mut rest = path;
    loop {
        if let Some(after) = rest.strip_prefix("../") {
            let parent = directory.strip_suffix('/').unwrap_or(directory);
            directory = parent.rfind('/').map_or(directory, |at| &directory[..=at]);
            rest = after;
        } else if let Some(after) = rest.strip_prefix("./") {
            rest = after;
        } else {
            break;
        }
    }
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if rest.is_empty()
        || rest.starts_with('/')
        || !rest.bytes().all(|b| plain(b) || b == b'/')
        || rest
            .split('/')
            .any(|segment| segment == "." || segment == "..")
        || !fragment.is_none_or(|f| f.bytes().all(kept_in_a_fragment))
    {
        return None;
    }
    let mut joined = String::with_capacity(path_start + directory.len() + href.len());
    joined.push_str(&through_path[..path_start]);
    joined.push_str(directory);
    joined.push_str(rest);
    if let Some(fragment) = fragment {
        joined.push('#');
        joined.push_str(fragment);
    }
    Some(joined)
}

/// Printable ASCII that a URL's fragment keeps as it is (the fragment percent-encode set
/// is the controls, space and `"<>\``).
fn kept_in_a_fragment(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'"' | b'<' | b'>' | b'`')
}

pub(super) fn canonical_url(tagged: &Tagged, base: &Url) -> Option<Url> {
    tagged
        .links
        .iter()
        .filter(|l| rel_has(l, "canonical"))
        .find_map(|l| resolve_http(base, l.value().attr("href")?))
}

pub(super) fn alternate_urls(tagged: &Tagged, base: &Url) -> Vec<(String, Url)> {
    tagged
        .links
        .iter()
        .filter(|l| rel_has(l, "alternate"))
        .filter_map(|l| {
            let lang = l.value().attr("hreflang")?.trim();
            let url = resolve_http(base, l.value().attr("href")?)?;
            (!lang.is_empty()).then(|| (lang.to_string(), url))
        })
        .collect()
}

pub(super) fn robots_directives(tagged: &Tagged) -> (bool, bool) {
    let mut noindex = false;
    let mut nofollow = false;
    for meta in tagged.metas.iter().filter(|m| attr_is(m, "name", "robots")) {
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

/// Distinct link targets kept from one page, in document order. The index of a large
/// manual links a few thousand pages (its many `#anchor` links to one page count once);
/// a page with more is a link farm, and taking all of it would flood the frontier and
/// the page's memory.
pub(super) const MAX_PAGE_LINKS: usize = 10_000;

/// The page's links: its anchors, then the pages its frames show. A frameset page (the
/// index of an older manual, Javadoc before version 9) has no anchor at all: its table
/// of contents and first chapter are `<frame src>`, and the site is reached through them.
pub(super) fn page_links(tagged: &Tagged, base: &Url) -> Vec<PageLink> {
    // Both are asked of every link of the page: FNV, not SipHash, hashes their keys.
    let mut seen: HashSet<String, BuildHasherDefault<Fnv>> = HashSet::default();
    // Targets as written: a page names the same target many times (a reference's every
    // mention of a type, its menus), and one written alike resolves alike, so it is
    // resolved once: the later ones would be dropped as seen anyway.
    let mut written: HashSet<&str, BuildHasherDefault<Fnv>> = HashSet::default();
    let mut links = Vec::new();
    // Each kind of link: the attribute naming its target, and how its text is read.
    type Kind = (&'static str, fn(ElementRef) -> String);
    const ANCHOR: Kind = ("href", anchor_text);
    const FRAME: Kind = ("src", frame_text);
    let anchors = tagged.anchors.iter().map(|&a| (a, ANCHOR));
    let frames = tagged.frames.iter().map(|&frame| (frame, FRAME));
    for (element, (attribute, text_of)) in anchors.chain(frames) {
        if links.len() >= MAX_PAGE_LINKS {
            break;
        }
        let Some(target) = element.value().attr(attribute) else {
            continue;
        };
        if !written.insert(target) {
            continue;
        }
        let Some(mut url) = resolve_http(base, target) else {
            continue;
        };
        // The fragment names a place in the page, not another page.
        url.set_fragment(None);
        if !seen.insert(url.as_str().to_string()) {
            continue;
        }
        links.push(PageLink {
            text: text_of(element),
            nofollow: rel_has(&element, "nofollow"),
            url,
        });
    }
    links
}

/// A frame has no text: its title, else the name links target it by.
fn frame_text(frame: ElementRef) -> String {
    ["title", "name"]
        .iter()
        .filter_map(|name| frame.value().attr(name))
        .map(collapse)
        .find(|t| !t.is_empty())
        .unwrap_or_default()
}

pub(super) fn anchor_text(anchor: ElementRef) -> String {
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
pub(super) fn link_text(anchor: ElementRef) -> String {
    rendered_text(anchor, |el| is_dropped_tag(el.value().name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A target that is only a fragment resolves without `join`, to what `join` gives.
    #[test]
    fn a_fragment_resolves_as_join_resolves_it() {
        let bases = [
            "https://d.example/docs/page.html",
            "https://d.example/docs/page.html?q=1#old",
            "http://d.example/",
        ];
        let targets = [
            "#",
            "#a",
            "  #a  ",
            "#a b",
            "#a\tb",
            "#a\nb",
            "#ü",
            "#%41",
            "#a#b",
            "#a\"<>`",
            "#a\u{1}",
            "#a\u{a0}\u{1f}",
            "#\u{1}a\u{7f}",
        ];
        for base in bases {
            let base = Url::parse(base).expect("base");
            for target in targets {
                let joined = base.join(target.trim()).expect("join");
                assert_eq!(
                    resolve_http(&base, target).map(String::from),
                    Some(String::from(joined)),
                    "{base} + {target:?}"
                );
            }
        }
        let not_http = Url::parse("file:///tmp/page.html").expect("base");
        assert_eq!(resolve_http(&not_http, "#a"), None);
    }

    const BASES: [&str; 9] = [
        "https://d.example/docs/page.html",
        "https://d.example/a//b/c.html",
        "https://d.example/a/b/c/d.html?x#y",
        "http://d.example/a/",
        "https://d.example/docs/page.html?q=1#old",
        "http://d.example:8080/",
        "http://d.example",
        "https://d.example/a/b/",
        "https://user:pw@d.example/%7Eme/x.html",
    ];

    proptest::proptest! {
        /// Wherever the plain-path join answers, it answers what `join` writes.
        #[test]
        fn a_plain_path_joins_as_join_joins_it(
            base in proptest::sample::select(&BASES[..]),
            href in "(\\.\\./|\\./|\\.\\.){0,4}[a-zA-Z0-9./~_:#?%\\ -]{0,10}(#[ -~\t\u{0}\u{7f}]{0,6})?",
        ) {
            let base = Url::parse(base).expect("base");
            if let Some(joined) = join_plain_path(&base, &href) {
                proptest::prop_assert_eq!(Some(joined), base.join(&href).ok().map(String::from));
            }
        }
    }

    /// The links a manual is made of take the plain-path join, and what it cannot write
    /// as it is goes to `join`.
    #[test]
    fn plain_paths_are_joined_without_parsing_and_the_rest_by_join() {
        let base = Url::parse("https://d.example/docs/page.html?q=1#old").expect("base");
        for (href, joined) in [
            ("next.html", "https://d.example/docs/next.html"),
            ("images/up.png", "https://d.example/docs/images/up.png"),
            (
                "api/Type.html#method.len",
                "https://d.example/docs/api/Type.html#method.len",
            ),
            ("page.html#", "https://d.example/docs/page.html#"),
            ("...", "https://d.example/docs/..."),
            ("../../../up.html#a:b", "https://d.example/up.html#a:b"),
            (
                "../api/Map.html#get(java.lang.Object)",
                "https://d.example/api/Map.html#get(java.lang.Object)",
            ),
            ("./.././x/y.html", "https://d.example/x/y.html"),
        ] {
            assert_eq!(
                join_plain_path(&base, href).as_deref(),
                Some(joined),
                "{href}"
            );
        }
        for href in [
            "..",
            "../..",
            "./",
            "a/./b",
            "a/..",
            "x/../y",
            "/abs.html",
            "..//x",
            "//host/x",
            "a b.html",
            "a%20b",
            "a\\b",
            "mailto:x@y",
            "x?y=1",
            "#frag",
            "a.html#x y",
            "ü.html",
            "",
        ] {
            assert_eq!(join_plain_path(&base, href), None, "{href}");
        }
        let file = Url::parse("file:///tmp/page.html").expect("base");
        assert_eq!(join_plain_path(&file, "next.html"), None);
        assert_eq!(
            resolve_http_string(&base, " ../up.html\n").as_deref(),
            Some("https://d.example/up.html")
        );
    }
}
