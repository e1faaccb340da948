//! Parsing a page into scraper's tree with less of it kept in memory.
//!
//! A tree node costs 128 bytes and every attribute value longer than eight bytes its own
//! allocation, so a page of megabytes takes nine times its size while it is read (a 6 MB
//! Javadoc page: 240,505 nodes). Two things the tree would hold tell the reader nothing:
//!
//! - **whitespace between blocks**: the line break after a `</div>` before the next one
//!   is a node of its own (a fifth of that page's nodes). A browser does not render it,
//!   nor does the Markdown conversion write it. Only whitespace whose previous sibling
//!   is a block goes, or that opens a list, or is in a table outside its cells or in
//!   the document's head, and never inside preformatted text or a container named as
//!   code, where it is the text itself (a block's first child, such as a code line's
//!   indentation, stays);
//! - **copies of the same attribute value**: a reference's thousands of `class="col-first
//!   even-row-color"` and `title="class in java.lang"` become one shared value each.
//!
//! Parse errors are not collected either: nothing reads them. On that Javadoc page the
//! tree keeps 11,917 of 52,820 whitespace nodes and 10,674 copies of 93,302 long values;
//! when this sink came in, a crawl of the page alone peaked at 99.5 MiB instead of 107,
//! the whole 10,146-page reference at 114–119 instead of 125–126 (`docs/benchmarks.md`).
//! Across 105 sites of the fidelity harness the saved Markdown and chunks are byte for
//! byte the same.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{
    ElementFlags, NodeOrText, QuirksMode, TreeBuilder, TreeBuilderOpts, TreeSink,
};
use html5ever::{Attribute, QualName, TokenizerResult};
use scraper::{Html, HtmlTreeSink, Node};

use super::elements::{is_block_level, names_code};
use crate::crawl::tokens::Fnv;

/// Parses a whole document, as `Html::parse_document` does, into a lighter tree.
pub(super) fn parse_document(html: &str) -> Html {
    let sink = LeanSink {
        tree: HtmlTreeSink::new(Html::new_document()),
        values: RefCell::default(),
        verbatim: RefCell::default(),
    };
    parse_joining_text(sink, html)
}

/// What `html5ever::parse_document(sink, Default::default()).one(html)` does, with the
/// tree builder behind [`JoinedText`].
fn parse_joining_text<S: TreeSink>(sink: S, html: &str) -> S::Output {
    let builder = TreeBuilder::new(sink, TreeBuilderOpts::default());
    let tokenizer = Tokenizer::new(JoinedText::new(builder), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
    tokenizer.end();
    tokenizer.sink.inner.sink.finish()
}

/// Hands the tree builder each run of text as one token. The tokenizer sends a line
/// break that opens a text on its own and the rest of the text after it (its fast path
/// skips text that starts with one), so the indentation of pretty-printed HTML cost
/// two trips through the tree builder for every text between tags. The builder takes
/// text in runs of any length and treats a run as it treats the same characters sent
/// one token after another, so the runs are joined until the next token of another
/// kind, or the tokenizer's question about the current node, which the text may change.
struct JoinedText<S> {
    inner: S,
    /// Text not yet handed on, and the line it started on.
    pending: RefCell<Option<(StrTendril, u64)>>,
}

impl<S: TokenSink> JoinedText<S> {
    fn new(inner: S) -> Self {
        JoinedText {
            inner,
            pending: RefCell::default(),
        }
    }

    fn flush(&self) {
        let pending = self.pending.borrow_mut().take();
        if let Some((text, line)) = pending {
            // Text never asks the tokenizer to change state; only tags do.
            let answer = self.inner.process_token(Token::CharacterTokens(text), line);
            debug_assert!(matches!(answer, TokenSinkResult::Continue));
        }
    }
}

impl<S: TokenSink> TokenSink for JoinedText<S> {
    type Handle = S::Handle;

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<S::Handle> {
        match token {
            Token::CharacterTokens(text) => {
                let mut pending = self.pending.borrow_mut();
                match pending.as_mut() {
                    Some((joined, _)) => joined.push_tendril(&text),
                    None => *pending = Some((text, line_number)),
                }
                TokenSinkResult::Continue
            }
            token => {
                self.flush();
                self.inner.process_token(token, line_number)
            }
        }
    }

    fn end(&self) {
        self.flush();
        self.inner.end()
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.flush();
        self.inner
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// Attribute values up to this long live inside the tendril, with no allocation.
const INLINE_BYTES: usize = 8;

/// scraper's sink, told to skip inter-block whitespace and to share repeated attribute
/// values. Every other call is passed on unchanged.
struct LeanSink {
    tree: HtmlTreeSink,
    /// One copy of each long attribute value seen; cloning it shares its buffer.
    values: RefCell<HashSet<StrTendril, BuildHasherDefault<Fnv>>>,
    /// Per element asked about: whether whitespace in it is kept ([`Self::is_verbatim`]).
    verbatim: RefCell<HashMap<ego_tree::NodeId, bool, BuildHasherDefault<Fnv>>>,
}

impl LeanSink {
    fn share_values(&self, attrs: &mut [Attribute]) {
        let mut values = self.values.borrow_mut();
        for attr in attrs.iter_mut() {
            if attr.value.len() <= INLINE_BYTES {
                continue;
            }
            match values.get(str::as_bytes(&attr.value)) {
                Some(seen) => attr.value = seen.clone(),
                None => {
                    values.insert(attr.value.clone());
                }
            }
        }
    }

    /// Whether whitespace appended to `parent` now would be rendered by nobody: it
    /// follows a block, starts a list, or is in a table outside its cells, and no
    /// ancestor keeps whitespace as it is.
    fn is_unrendered_whitespace(&self, parent: &ego_tree::NodeId, text: &str) -> bool {
        if !text.bytes().all(|b| b.is_ascii_whitespace()) {
            return false;
        }
        let html = self.tree.0.borrow();
        let Some(parent) = html.tree.get(*parent) else {
            return false;
        };
        let parent_name = parent.value().as_element().map(|el| el.name());
        let unrendered_here = match parent.last_child() {
            // Before a list's first item; text in it a browser shows (`<ul><a>One</a>
            // <a>Two</a></ul>`), so only whitespace ahead of everything goes.
            None => parent_name.is_some_and(|name| holds_no_text(name) || is_list(name)),
            Some(last) => {
                parent_name.is_some_and(holds_no_text)
                    || last
                        .value()
                        .as_element()
                        .is_some_and(|el| is_block_level(el.name()))
            }
        };
        unrendered_here && !self.is_verbatim(parent)
    }

    /// Whether `node` or one of its ancestors keeps whitespace as it is. Remembered per
    /// node, so that a page's whitespace costs one look at each element, not one per
    /// ancestor each time. The parser's later moves (misnested formatting, foster
    /// parenting) only take ancestors away or swap them for clones of the same name and
    /// attributes, so an answer can only go stale towards keeping whitespace.
    fn is_verbatim(&self, node: ego_tree::NodeRef<'_, Node>) -> bool {
        let mut known = self.verbatim.borrow_mut();
        let mut unknown = Vec::new();
        let mut answer = false;
        for node in std::iter::successors(Some(node), |node| node.parent()) {
            if let Some(&seen) = known.get(&node.id()) {
                answer = seen;
                break;
            }
            unknown.push(node.id());
            if matches!(node.value(), Node::Element(el) if keeps_whitespace(el)) {
                answer = true;
                break;
            }
        }
        for id in unknown {
            known.insert(id, answer);
        }
        answer
    }
}

/// Elements whose whitespace the parser keeps but a browser never renders: the
/// document's and head's, and a table's outside its cells (text in a table is moved
/// ahead of it, whitespace is not).
fn holds_no_text(name: &str) -> bool {
    matches!(
        name,
        "html" | "head" | "table" | "thead" | "tbody" | "tfoot" | "tr"
    )
}

fn is_list(name: &str) -> bool {
    matches!(name, "ul" | "ol" | "dl")
}

/// Preformatted elements, and containers named as code.
fn keeps_whitespace(el: &scraper::node::Element) -> bool {
    matches!(
        el.name(),
        "pre" | "textarea" | "listing" | "xmp" | "plaintext" | "code" | "samp" | "kbd" | "tt"
    ) || el.attr("class").is_some_and(names_code)
}

impl TreeSink for LeanSink {
    type Handle = <HtmlTreeSink as TreeSink>::Handle;
    type Output = Html;
    type ElemName<'a> = <HtmlTreeSink as TreeSink>::ElemName<'a>;

    fn finish(self) -> Html {
        self.tree.finish()
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> Self::Handle {
        self.tree.get_document()
    }

    fn elem_name<'a>(&'a self, target: &'a Self::Handle) -> Self::ElemName<'a> {
        self.tree.elem_name(target)
    }

    fn create_element(
        &self,
        name: QualName,
        mut attrs: Vec<Attribute>,
        flags: ElementFlags,
    ) -> Self::Handle {
        self.share_values(&mut attrs);
        self.tree.create_element(name, attrs, flags)
    }

    fn create_comment(&self, text: StrTendril) -> Self::Handle {
        self.tree.create_comment(text)
    }

    fn create_pi(&self, target: StrTendril, data: StrTendril) -> Self::Handle {
        self.tree.create_pi(target, data)
    }

    fn append(&self, parent: &Self::Handle, child: NodeOrText<Self::Handle>) {
        if let NodeOrText::AppendText(text) = &child {
            if self.is_unrendered_whitespace(parent, text) {
                return;
            }
        }
        self.tree.append(parent, child)
    }

    fn append_based_on_parent_node(
        &self,
        element: &Self::Handle,
        prev_element: &Self::Handle,
        child: NodeOrText<Self::Handle>,
    ) {
        self.tree
            .append_based_on_parent_node(element, prev_element, child)
    }

    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.tree
            .append_doctype_to_document(name, public_id, system_id)
    }

    fn mark_script_already_started(&self, node: &Self::Handle) {
        self.tree.mark_script_already_started(node)
    }

    fn get_template_contents(&self, target: &Self::Handle) -> Self::Handle {
        self.tree.get_template_contents(target)
    }

    fn same_node(&self, x: &Self::Handle, y: &Self::Handle) -> bool {
        self.tree.same_node(x, y)
    }

    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.tree.set_quirks_mode(mode)
    }

    fn append_before_sibling(&self, sibling: &Self::Handle, new_node: NodeOrText<Self::Handle>) {
        self.tree.append_before_sibling(sibling, new_node)
    }

    fn add_attrs_if_missing(&self, target: &Self::Handle, mut attrs: Vec<Attribute>) {
        self.share_values(&mut attrs);
        self.tree.add_attrs_if_missing(target, attrs)
    }

    fn remove_from_parent(&self, target: &Self::Handle) {
        self.tree.remove_from_parent(target)
    }

    fn reparent_children(&self, node: &Self::Handle, new_parent: &Self::Handle) {
        self.tree.reparent_children(node, new_parent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text nodes of `doc`, as they are in its tree.
    fn texts(doc: &Html) -> Vec<String> {
        doc.tree
            .nodes()
            .filter_map(|node| node.value().as_text().map(|t| t.to_string()))
            .collect()
    }

    #[test]
    fn whitespace_after_a_block_is_left_out() {
        let doc = parse_document(
            "<body><div>one</div>\n  <div>two</div>\n<ul>\n<li>three</li>\n</ul>\n\
             <table>\n<tr>\n<td>four</td>\n</tr>\n</table></body>",
        );
        assert_eq!(texts(&doc), ["one", "two", "three", "four"]);
    }

    #[test]
    fn whitespace_a_reader_sees_stays() {
        let page = "<body><p><a>one</a> <b>two</b></p>\
                    <div>  <span>indented</span></div>\
                    <pre><div>x</div>\n<div>y</div></pre>\
                    <div class=\"sourceCode\"><div>a</div>\n<div>b</div></div>\
                    <ul><a>c</a> <a>d</a></ul><pre><ul>\n<li>e</li>\n</ul></pre></body>";
        let doc = parse_document(page);
        assert_eq!(
            texts(&doc),
            [
                "one", " ", "two", "  ", "indented", "x", "\n", "y", "a", "\n", "b", "c", " ", "d",
                "\n", "e", "\n"
            ]
        );
    }

    #[test]
    fn repeated_attribute_values_share_one_copy() {
        let doc = parse_document(
            "<p class=\"col-first even-row-color\">a</p><p class=\"col-first even-row-color\">b</p>",
        );
        let values: Vec<*const u8> = doc
            .tree
            .nodes()
            .filter_map(|node| node.value().as_element()?.attr("class"))
            .map(str::as_ptr)
            .collect();
        assert_eq!(values.len(), 2);
        assert_eq!(values[0], values[1]);
    }

    /// Every node of `doc` in document order, with its depth: adjacent text nodes stay
    /// apart, as they would not in serialised HTML.
    fn nodes(doc: &Html) -> Vec<String> {
        let mut depth = 0;
        let mut out = Vec::new();
        for edge in doc.tree.root().traverse() {
            match edge {
                ego_tree::iter::Edge::Open(node) => {
                    out.push(format!("{depth} {:?}", node.value()));
                    depth += 1;
                }
                ego_tree::iter::Edge::Close(_) => depth -= 1,
            }
        }
        out
    }

    /// Pieces of markup where a run of text could matter to the tree builder: preformatted
    /// text's first line break, text in tables (moved ahead of them), raw text, foreign
    /// content's CDATA, character references, NUL and carriage returns.
    const PIECES: [&str; 34] = [
        "\n",
        "  ",
        "\r\n",
        "\t",
        "word",
        " two words ",
        "&amp;",
        "&lt;b&gt;",
        "&nbsp;",
        "\0",
        "<pre>",
        "</pre>",
        "<textarea>",
        "</textarea>",
        "<listing>",
        "<table>",
        "<tr>",
        "<td>",
        "</td>",
        "</table>",
        "<p>",
        "</p>",
        "<b>",
        "</b>",
        "<script>",
        "</script>",
        "<style>",
        "</style>",
        "<svg>",
        "<![CDATA[ x ]]>",
        "</svg>",
        "<title>",
        "<!-- c -->",
        "<select><option>",
    ];

    proptest::proptest! {
        /// Text joined into runs builds the tree html5ever's own driver builds.
        #[test]
        fn joined_text_builds_the_same_tree(
            picks in proptest::collection::vec(0..PIECES.len(), 0..40),
        ) {
            let page: String = picks.iter().map(|&i| PIECES[i]).collect();
            let joined = parse_joining_text(HtmlTreeSink::new(Html::new_document()), &page);
            proptest::prop_assert_eq!(nodes(&joined), nodes(&Html::parse_document(&page)));
        }
    }

    #[test]
    fn the_tree_is_otherwise_the_one_scraper_builds() {
        let page = "<!DOCTYPE html><html><head><title>T</title></head><body>\
                    <table><tr><td>cell</td></tr>text<b>bold<p>moved</b></p></table>\
                    <template><p>inside</p></template></body></html>";
        let ours = parse_document(page);
        let theirs = Html::parse_document(page);
        assert_eq!(ours.html(), theirs.html());
    }
}
