//! Capping tag nesting before parsing, so that deep documents stay linear.

use super::*;

/// html5ever scans its stack of open elements for every start tag, so
/// parsing is quadratic in nesting depth (100,000 nested divs take tens of
/// seconds). Real documentation never nests this deep, so tags beyond this
/// depth are removed before parsing and their text is kept.
pub(super) const MAX_TAG_NESTING: usize = 512;

/// Elements whose end tag is optional or absent; counting them would let
/// sloppy but harmless markup (thousands of unclosed `<p>`) hit the cap.
pub(super) const UNCOUNTED_TAGS: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "caption",
    "option", "optgroup", "rb", "rt", "rp", "html", "head", "body", "area", "base", "br", "col",
    "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param",
];

pub(super) const RAW_TEXT_TAGS: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "noscript", "template",
];

pub(super) fn cap_nesting(html: &str) -> Cow<'_, str> {
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

pub(super) struct RawTag {
    name: String,
    is_end: bool,
    self_closing: bool,
    end: usize,
}

/// A rough tag scanner: good enough to count nesting, never used for content.
pub(super) fn scan_tag(html: &str, start: usize) -> Option<RawTag> {
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
