//! Iterative traversal and small element helpers shared by the passes below.

use super::*;

/// ego_tree's node handle, named through scraper so that this module needs
/// no direct dependency on ego_tree.
type NodeRef<'a> = <ElementRef<'a> as Deref>::Target;

pub(super) enum Visit<'a> {
    Enter(ElementRef<'a>),
    Text(&'a str),
    Leave,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Flow {
    Descend,
    Skip,
    Stop,
}

/// Depth-first walk over `root`'s descendants with an explicit stack.
/// `Leave` is reported for every element that answered `Descend`.
pub(super) fn walk<'a>(root: ElementRef<'a>, mut visit: impl FnMut(Visit<'a>) -> Flow) {
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
pub(super) fn visible_text(root: ElementRef) -> String {
    collapse(&rendered_text(root, is_boilerplate))
}

/// The text of `root` outside the elements `skip` answers for, with a space where a
/// browser breaks the line (at a `<br>` and around each block). Adjacent blocks need not
/// be apart in the markup (`<p>previous</p><p>pandas.test</p>`, minified pages, and the
/// whitespace between blocks the parser leaves out), but their texts must be.
pub(super) fn rendered_text(root: ElementRef, skip: impl Fn(ElementRef) -> bool) -> String {
    let mut text = String::new();
    let mut breaks = LineBreaks::default();
    walk(root, |visit| match visit {
        Visit::Enter(el) if skip(el) => Flow::Skip,
        visit => {
            breaks.write(&visit, &mut text);
            Flow::Descend
        }
    });
    text
}

/// Where a walk's text breaks its line as a browser lays it out: at a `<br>` and where a
/// block starts or ends. Told of every element the walk descends into and leaves.
#[derive(Default)]
pub(super) struct LineBreaks {
    /// Whether each open element breaks the line when it is left.
    open: Vec<bool>,
}

impl LineBreaks {
    /// Whether `visit` (of an element the walk descends into, or a leave) breaks the line.
    pub(super) fn at(&mut self, visit: &Visit) -> bool {
        match visit {
            Visit::Enter(el) => {
                let name = el.value().name();
                let block = is_block_level(name);
                self.open.push(block);
                block || name == "br"
            }
            Visit::Leave => self.open.pop() == Some(true),
            Visit::Text(_) => false,
        }
    }

    /// Appends `visit`'s text to `text`, or a space where it breaks the line.
    pub(super) fn write(&mut self, visit: &Visit, text: &mut String) {
        if let Visit::Text(t) = visit {
            text.push_str(t);
        } else if self.at(visit) {
            text.push(' ');
        }
    }
}

pub(super) fn visible_text_len(root: ElementRef) -> usize {
    let mut len = 0;
    walk(root, |visit| match visit {
        Visit::Enter(el) if is_boilerplate(el) => Flow::Skip,
        Visit::Text(t) => {
            len += non_whitespace_chars(t);
            Flow::Descend
        }
        _ => Flow::Descend,
    });
    len
}

/// Characters of `text` that are not whitespace (`char::is_whitespace`), counted by
/// byte when the text is ASCII, as most text nodes are.
///
/// One pass finds both whether the text is ASCII and how many ASCII whitespace bytes it
/// has, without branches (the ASCII whitespace of `char::is_whitespace` is the space and
/// the bytes 9 to 13, see [`crate::crawl::text::is_ascii_char_whitespace`]); the counts
/// of a block of up to 255 bytes add up in a byte so that the loop vectorises.
pub(super) fn non_whitespace_chars(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut high = 0u8;
    let mut blank = 0usize;
    for block in bytes.chunks(255) {
        let mut in_block = 0u8;
        for &b in block {
            high |= b;
            in_block += u8::from(b == b' ') | u8::from(b.wrapping_sub(b'\t') < 5);
        }
        blank += usize::from(in_block);
    }
    if high < 0x80 {
        bytes.len() - blank
    } else {
        text.chars().filter(|c| !c.is_whitespace()).count()
    }
}

/// Text of a small subtree (blocks apart, see [`LineBreaks`]), or `None` once it exceeds
/// the limits; keeps per-element phrase checks linear on huge or deeply nested pages.
pub(super) fn short_text(root: ElementRef, max_chars: usize) -> Option<String> {
    const MAX_NODES: usize = 64;
    let mut text = String::new();
    let mut breaks = LineBreaks::default();
    let mut nodes = 0;
    let mut too_big = false;
    walk(root, |visit| {
        nodes += 1;
        breaks.write(&visit, &mut text);
        if nodes > MAX_NODES || text.len() > max_chars * 4 {
            too_big = true;
            return Flow::Stop;
        }
        Flow::Descend
    });
    let text = collapse(&text);
    (!too_big && text.chars().count() <= max_chars).then_some(text)
}

/// Whether `el` has text of its own, not only inside its children.
pub(super) fn has_own_text(el: ElementRef) -> bool {
    el.children()
        .any(|n| n.value().as_text().is_some_and(|t| !t.trim().is_empty()))
}

/// Whether `root` has a descendant satisfying `pred`, looking at a bounded
/// number of nodes.
pub(super) fn has_descendant(
    root: ElementRef,
    max_nodes: usize,
    pred: impl Fn(ElementRef) -> bool,
) -> bool {
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
pub(super) fn spaced_children_text(root: ElementRef) -> String {
    root.child_elements()
        .filter(|child| !is_boilerplate(*child))
        .map(visible_text)
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text`'s words joined by single spaces (built in place: no list of the words).
pub(super) fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for part in text
        .split(|c: char| c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}')
        .filter(|part| !part.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

pub(super) fn class_tokens<'a>(el: &ElementRef<'a>) -> impl Iterator<Item = &'a str> {
    el.value().classes()
}

pub(super) fn has_class(el: &ElementRef, wanted: &str) -> bool {
    class_tokens(el).any(|c| c.eq_ignore_ascii_case(wanted))
}

pub(super) fn attr_is(el: &ElementRef, name: &str, wanted: &str) -> bool {
    el.value()
        .attr(name)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted))
}

pub(super) fn static_selector(css: &str) -> Option<Selector> {
    Selector::parse(css).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_whitespace_chars_counts_as_char_is_whitespace_does() {
        let all_ascii: String = (0u8..128).map(char::from).collect();
        for text in [
            all_ascii.as_str(),
            " a\tb\nc\x0Bd\x0Ce\rf\x1Cg ",
            "été\u{a0}x\u{2003}y\u{3000}",
            "",
        ] {
            let expected = text.chars().filter(|c| !c.is_whitespace()).count();
            assert_eq!(non_whitespace_chars(text), expected, "{text:?}");
        }
    }

    proptest::proptest! {
        /// Long texts too: blocks of 255 bytes, the first non-ASCII byte anywhere.
        #[test]
        fn non_whitespace_chars_counts_any_text_as_char_is_whitespace_does(
            text in "[ \\t\\n\\x0B\\x0C\\r\\x1Cax\\u{a0}\\u{2003}é]{0,700}",
            repeat in 1usize..4,
        ) {
            let text = text.repeat(repeat);
            let expected = text.chars().filter(|c| !c.is_whitespace()).count();
            proptest::prop_assert_eq!(non_whitespace_chars(&text), expected);
            let ascii: String = text.chars().filter(char::is_ascii).collect();
            let expected = ascii.chars().filter(|c| !c.is_whitespace()).count();
            proptest::prop_assert_eq!(non_whitespace_chars(&ascii), expected);
        }
    }
}
