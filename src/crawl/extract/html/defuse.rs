//! Defusing markup before parsing: html5ever is correct but some inputs make it
//! quadratic or make it build millions of elements, so the tags that would cause that are
//! removed first (their text is kept). Real documentation never comes near these limits.

use super::*;

/// html5ever scans its stack of open elements for every start tag, so parsing is
/// quadratic in nesting depth (100,000 nested divs take tens of seconds).
pub(super) const MAX_TAG_NESTING: usize = 512;

/// Start tags kept in one document; past this, tags are dropped and the rest of the
/// page is text. A large one-page manual has tens of thousands; 150,000 parsed elements
/// take around 100 MB.
pub(super) const MAX_ELEMENTS: usize = 150_000;

/// Unclosed formatting elements (`<b>`, `<i>`, `<a>` …) are re-created by html5ever in
/// every later block ("reconstruct the active formatting elements"): 500 open `<b>`s
/// followed by 100,000 `<p>`s build 50 million elements. This bounds the elements such
/// re-creation could build; past it, the page's formatting tags are all dropped.
pub(super) const MAX_FORMATTING_REBUILDS: usize = 200_000;

/// Elements whose end tag is optional or absent; counting them would let
/// sloppy but harmless markup (thousands of unclosed `<p>`) hit the cap.
pub(super) const UNCOUNTED_TAGS: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "caption",
    "option", "optgroup", "rb", "rt", "rp", "html", "head", "body", "area", "base", "br", "col",
    "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param",
];

/// Elements whose content html5ever reads as text, not markup (with scripting on, as
/// scraper parses). `<template>` is not one: its content is parsed like any other.
pub(super) const RAW_TEXT_TAGS: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "noscript", "iframe", "noembed", "noframes",
];

/// The formatting elements of the HTML parsing algorithm.
pub(super) const FORMATTING_TAGS: &[&str] = &[
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

/// Roots of foreign content, the only place where `<x/>` closes a non-void element.
pub(super) const FOREIGN_ROOTS: &[&str] = &["svg", "math"];

/// Which of the lists above a tag name is on, as bits: the lists are asked about every
/// tag of the page (thousands), and comparing each name with some sixty strings was most
/// of this pass's cost; a name is now looked up as one number.
#[derive(Clone, Copy, Default)]
struct Kind(u8);

impl Kind {
    const UNCOUNTED: u8 = 1;
    const RAW_TEXT: u8 = 2;
    const FORMATTING: u8 = 4;
    const FOREIGN_ROOT: u8 = 8;

    fn of(name: &[u8]) -> Kind {
        let Some(key) = name_key(name) else {
            return Kind::default();
        };
        KINDS
            .binary_search_by_key(&key, |&(known, _)| known)
            .map_or_else(|_| Kind::default(), |found| KINDS[found].1)
    }

    fn is(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

/// A name of up to eight bytes as a number (its bytes, zero-padded): every name on the
/// lists is that short, and a scanned name never holds a zero byte.
fn name_key(name: &[u8]) -> Option<u64> {
    let mut bytes = [0u8; 8];
    bytes.get_mut(..name.len())?.copy_from_slice(name);
    Some(u64::from_le_bytes(bytes))
}

/// Every name on one of the lists, with its bits, sorted by [`name_key`].
static KINDS: LazyLock<Vec<(u64, Kind)>> = LazyLock::new(|| {
    let mut kinds: Vec<(u64, Kind)> = Vec::new();
    for (list, bit) in [
        (UNCOUNTED_TAGS, Kind::UNCOUNTED),
        (RAW_TEXT_TAGS, Kind::RAW_TEXT),
        (FORMATTING_TAGS, Kind::FORMATTING),
        (FOREIGN_ROOTS, Kind::FOREIGN_ROOT),
    ] {
        for name in list {
            let key = name_key(name.as_bytes()).expect("every listed name has at most 8 bytes");
            match kinds.iter_mut().find(|(known, _)| *known == key) {
                Some((_, kind)) => kind.0 |= bit,
                None => kinds.push((key, Kind(bit))),
            }
        }
    }
    kinds.sort_unstable_by_key(|&(key, _)| key);
    kinds
});

pub(super) fn defuse(html: &str) -> Cow<'_, str> {
    // Whether formatting must go depends on all of the page's tags, but it almost never
    // must: one pass keeps it and gives up as soon as the page shows it must go (the
    // second pass, which drops it, runs only for such pages and never gives up).
    defuse_pass(html, Formatting::KeptUnlessHostile)
        .or_else(|| defuse_pass(html, Formatting::Dropped))
        .unwrap_or(Cow::Borrowed(html))
}

#[derive(Clone, Copy, PartialEq)]
enum Formatting {
    /// Formatting tags are kept; the pass answers `None` once they could make html5ever
    /// re-create more than [`MAX_FORMATTING_REBUILDS`] elements.
    KeptUnlessHostile,
    Dropped,
}

fn defuse_pass(html: &str, formatting: Formatting) -> Option<Cow<'_, str>> {
    let strip_formatting = formatting == Formatting::Dropped;
    let mut rebuilds = Rebuilds::default();
    let mut depth = 0usize;
    let mut dropped_open = 0usize;
    let mut foreign = 0usize;
    let mut elements = 0usize;
    let mut out = String::new();
    let mut copied_upto = 0;
    for (start, tag) in tags(html) {
        if !strip_formatting && rebuilds.add(&tag, MAX_FORMATTING_REBUILDS) {
            return None;
        }
        let kind = tag.kind;
        let drop = if elements >= MAX_ELEMENTS || (strip_formatting && kind.is(Kind::FORMATTING)) {
            true
        } else {
            if !tag.is_end {
                elements += 1;
            }
            if kind.is(Kind::FOREIGN_ROOT) && !tag.self_closing {
                foreign = if tag.is_end {
                    foreign.saturating_sub(1)
                } else {
                    foreign + 1
                };
            }
            // A page written as XHTML but served as HTML: `<iframe …/>` or `<script …/>`
            // opens an element whose text runs to its end tag, and with none the rest of
            // the page becomes text nobody sees (a browser shows the page blank from
            // there). The author meant an empty element, so it is closed where it opens.
            if tag.self_closing && kind.is(Kind::RAW_TEXT) && !tag.is_end && foreign == 0 {
                out.push_str(&html[copied_upto..tag.end]);
                out.push_str("</");
                out.push_str(tag.name.as_str());
                out.push('>');
                copied_upto = tag.end;
                continue;
            }
            // `<div/>` opens a div in HTML: the slash only closes in SVG and MathML.
            if (tag.self_closing && foreign > 0) || kind.is(Kind::UNCOUNTED) {
                continue;
            }
            if tag.is_end {
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
            }
        };
        if drop {
            out.push_str(&html[copied_upto..start]);
            copied_upto = tag.end;
        }
    }
    if copied_upto == 0 {
        return Some(Cow::Borrowed(html));
    }
    out.push_str(&html[copied_upto..]);
    Some(Cow::Owned(out))
}

/// Whether html5ever could re-create more than `limit` formatting elements: every start
/// tag may re-create each formatting element still open before it.
#[cfg(test)]
pub(super) fn formatting_rebuilds_exceed(html: &str, limit: usize) -> bool {
    let mut rebuilds = Rebuilds::default();
    tags(html).any(|(_, tag)| rebuilds.add(&tag, limit))
}

/// The formatting elements html5ever could re-create so far, tag by tag.
#[derive(Default)]
struct Rebuilds {
    open: usize,
    total: usize,
}

impl Rebuilds {
    /// Counts `tag`; true once more than `limit` could be re-created.
    fn add(&mut self, tag: &RawTag, limit: usize) -> bool {
        match (tag.is_end, tag.kind.is(Kind::FORMATTING)) {
            (true, true) => self.open = self.open.saturating_sub(1),
            (true, false) => {}
            (false, true) => self.open += 1,
            (false, false) => self.total += self.open,
        }
        self.total > limit
    }
}

/// The tags of a document with their start offsets, comments as nameless tags, and the
/// content of raw-text elements skipped.
fn tags(html: &str) -> impl Iterator<Item = (usize, RawTag)> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || loop {
        let start = pos + memchr::memchr(b'<', html.as_bytes().get(pos..)?)?;
        let Some(tag) = scan_tag(html, start) else {
            pos = start + 1;
            continue;
        };
        pos = tag.end;
        if !tag.is_end && tag.kind.is(Kind::RAW_TEXT) && !tag.self_closing {
            pos = find_end_tag(html.as_bytes(), tag.end, tag.name.as_str()).unwrap_or(html.len());
        }
        if tag.name.is_empty() {
            continue;
        }
        return Some((start, tag));
    })
}

pub(super) struct RawTag {
    name: TagName,
    kind: Kind,
    is_end: bool,
    self_closing: bool,
    end: usize,
}

/// A tag's name, lower-cased, kept inline: a page has thousands of tags and the names
/// that matter here are short. A longer name keeps its first [`TagName::CAP`] bytes,
/// which equal none of the names looked for.
#[derive(Clone, Copy)]
pub(super) struct TagName {
    bytes: [u8; TagName::CAP],
    len: u8,
}

impl TagName {
    const CAP: usize = 24;

    const EMPTY: TagName = TagName {
        bytes: [0; TagName::CAP],
        len: 0,
    };

    /// `name` is ASCII letters, digits and `-` (see [`scan_tag`]).
    fn new(name: &[u8]) -> TagName {
        let mut tag = TagName::EMPTY;
        let len = name.len().min(TagName::CAP);
        for (to, from) in tag.bytes.iter_mut().zip(&name[..len]) {
            *to = from.to_ascii_lowercase();
        }
        tag.len = len as u8;
        tag
    }

    fn bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A rough tag scanner: good enough to count nesting, never used for content.
pub(super) fn scan_tag(html: &str, start: usize) -> Option<RawTag> {
    let bytes = html.as_bytes();
    if html[start..].starts_with("<!--") {
        let end = html[start + 4..]
            .find("-->")
            .map_or(bytes.len(), |i| start + 4 + i + 3);
        return Some(RawTag {
            name: TagName::EMPTY,
            kind: Kind::default(),
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
    let end = memchr::memchr(b'>', &bytes[name_start..]).map(|i| name_start + i + 1)?;
    let name = TagName::new(&bytes[name_start..name_start + name_len]);
    // In `<a href=x/>` the slash ends an unquoted value; it closes only after the name,
    // a space or a quote.
    let name_end = name_start + name_len;
    let self_closing = end - 2 >= name_end
        && bytes[end - 2] == b'/'
        && (end - 2 == name_end
            || matches!(bytes[end - 3], b'"' | b'\'' | b' ' | b'\t' | b'\n' | b'\r'));
    Some(RawTag {
        kind: Kind::of(name.bytes()),
        name,
        is_end,
        self_closing,
        end,
    })
}

pub(super) fn find_end_tag(bytes: &[u8], from: usize, name: &str) -> Option<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn count(text: &str, needle: &str) -> usize {
        text.matches(needle).count()
    }

    #[test]
    fn a_slash_does_not_close_a_div_so_slashed_divs_are_capped_like_open_ones() {
        let html = format!("<main>{}text</main>", "<div/>".repeat(5_000));
        let defused = defuse(&html);
        assert!(count(&defused, "<div/>") <= MAX_TAG_NESTING);
        assert!(defused.contains("text"));
    }

    #[test]
    fn a_slash_closes_svg_elements_so_they_are_kept() {
        let html = format!(
            "<svg>{}</svg><p>after</p>",
            "<path d=\"M0\"/>".repeat(2_000)
        );
        assert_eq!(defuse(&html), html);
    }

    #[test]
    fn template_content_is_markup_and_capped() {
        let html = format!("<template>{}deep", "<div>".repeat(5_000));
        assert!(count(&defuse(&html), "<div>") <= MAX_TAG_NESTING);
    }

    #[test]
    fn unclosed_formatting_elements_before_many_blocks_lose_their_formatting_tags() {
        let opens: String = (0..500).map(|i| format!("<b class=\"c{i}\">")).collect();
        let html = format!("<main><p>{opens}x{}</main>", "<p>x".repeat(10_000));
        let defused = defuse(&html);
        assert_eq!(count(&defused, "<b"), 0);
        assert_eq!(count(&defused, "<p>x"), 10_001);
    }

    #[test]
    fn ordinary_formatting_is_kept() {
        let page =
            "<p>Use <b>bold</b>, <i>italic</i> and <a href=\"/x\">links</a>.</p>".repeat(20_000);
        assert!(!formatting_rebuilds_exceed(&page, MAX_FORMATTING_REBUILDS));
        assert_eq!(defuse(&page), page);
        // A few unclosed tags in a long page are sloppy, not hostile.
        let sloppy = format!("<b><i>{}", "<p>text</p>".repeat(20_000));
        assert!(!formatting_rebuilds_exceed(
            &sloppy,
            MAX_FORMATTING_REBUILDS
        ));
    }

    #[test]
    fn elements_past_the_cap_become_text() {
        let html = "<span>x</span>".repeat(MAX_ELEMENTS + 100);
        let defused = defuse(&html);
        assert_eq!(count(&defused, "<span>"), MAX_ELEMENTS);
        assert_eq!(count(&defused, "x"), MAX_ELEMENTS + 100);
    }

    #[test]
    fn raw_text_elements_written_as_empty_xml_elements_are_closed_where_they_open() {
        let html = "<nav><iframe src=\"https://x.test/b\" title=\"Sponsor\"/></nav>\
                    <script src=\"a.js\" /><TITLE/><main><p>kept</p></main>";
        let defused = defuse(html);
        assert_eq!(
            defused,
            "<nav><iframe src=\"https://x.test/b\" title=\"Sponsor\"/></iframe></nav>\
             <script src=\"a.js\" /></script><TITLE/></title><main><p>kept</p></main>"
        );
        let doc = Html::parse_document(&defused);
        let text: String = doc.root_element().text().collect();
        assert!(text.contains("kept"), "{text}");
    }

    #[test]
    fn a_slash_ending_an_unquoted_value_or_inside_svg_closes_nothing_more() {
        // `src=a/` is the value "a/": the iframe is open, as html5ever reads it.
        let unquoted = "<iframe src=a/>fallback</iframe><p>after</p>";
        assert_eq!(defuse(unquoted), unquoted);
        // In SVG the slash closes `<title/>` and `<style/>` already.
        let svg = "<svg><title/><style/></svg><p>after</p>";
        assert_eq!(defuse(svg), svg);
        // An element with its end tag is left as it is.
        let closed = "<script src=\"a.js\"></script><p>after</p>";
        assert_eq!(defuse(closed), closed);
    }

    #[test]
    fn a_name_is_on_the_lists_it_is_written_on_and_no_other() {
        let lists = [
            (UNCOUNTED_TAGS, Kind::UNCOUNTED),
            (RAW_TEXT_TAGS, Kind::RAW_TEXT),
            (FORMATTING_TAGS, Kind::FORMATTING),
            (FOREIGN_ROOTS, Kind::FOREIGN_ROOT),
        ];
        for (list, _) in lists {
            for name in list {
                let kind = Kind::of(name.as_bytes());
                for (other, bit) in lists {
                    assert_eq!(kind.is(bit), other.contains(name), "{name}");
                }
            }
        }
        for name in ["div", "section", "blockquote", "scripts", "bb", "x-script"] {
            assert_eq!(Kind::of(name.as_bytes()).0, 0, "{name}");
        }
    }

    #[test]
    fn script_content_is_not_counted_as_markup() {
        let html = format!("<script>{}</script><p>kept</p>", "<div>".repeat(5_000));
        assert_eq!(defuse(&html), html);
    }
}
