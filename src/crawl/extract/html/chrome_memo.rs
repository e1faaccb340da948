//! Every pass over a page asks whether an element is chrome: choosing the content
//! container walks candidates and their siblings, the conversion walks the container,
//! the recall check walks the body. The answer depends only on the element's subtree and
//! attributes, and the phrase check reads up to 64 nodes of text for every `p`, `div`,
//! `li`, `section` and `a`, so on a large manual the same questions took 15 % of a
//! crawl's CPU. The answers for the page being extracted are remembered per thread for
//! the duration of a [`ChromeMemo`] scope.

use std::cell::RefCell;
use std::hash::{Hash, Hasher};

use ego_tree::{NodeId, Tree};
use scraper::node::Node;

use super::*;

/// The tree whose answers are remembered (its address; 0 for none), the answers, and
/// whether the page has a link to its previous or next page at all.
#[derive(Default)]
struct Memo {
    tree: usize,
    /// One byte a node, by its place in the tree ([`node_number`]): a page of 200,000
    /// nodes needs 200 KB, where a map keyed by node id took 2 to 4 MiB at the peak of
    /// the largest pages' memory.
    kinds: Vec<Remembered>,
    step_links: bool,
}

/// What is remembered of a node; `Unknown` until asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Remembered {
    #[default]
    Unknown,
    Kind(Option<Chrome>),
}

/// The number ego-tree gives a node: its place in the tree's storage, counted from 1.
/// `NodeId` keeps it private but hashes as exactly that number, which this reads
/// (checked by `node_numbers_count_the_nodes_in_order`).
fn node_number(id: NodeId) -> usize {
    #[derive(Default)]
    struct Number(usize);
    impl Hasher for Number {
        fn write(&mut self, _: &[u8]) {}
        fn write_usize(&mut self, n: usize) {
            self.0 = n;
        }
        fn finish(&self) -> u64 {
            self.0 as u64
        }
    }
    let mut number = Number::default();
    id.hash(&mut number);
    debug_assert_ne!(number.0, 0, "a node id is never 0");
    number.0
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// Remembers chrome answers about `doc`'s elements until dropped. Create it after `doc`
/// so that it is dropped first: the tree's address identifies it only while it lives.
pub(super) struct ChromeMemo(());

/// Above this many nodes the memo's memory is given back when a scope ends.
const KEEP_CAPACITY: usize = 1 << 20;

impl ChromeMemo {
    /// `step_links`: whether `doc` has a link whose `rel` names the previous or next page
    /// ([`STEP_RELS`]); without one no element of it is a pager line.
    pub(super) fn enter(doc: &Html, step_links: bool) -> Self {
        MEMO.with(|memo| {
            let mut memo = memo.borrow_mut();
            memo.tree = tree_address(&doc.tree);
            memo.kinds.clear();
            memo.step_links = step_links;
        });
        ChromeMemo(())
    }
}

impl Drop for ChromeMemo {
    fn drop(&mut self) {
        MEMO.with(|memo| {
            let mut memo = memo.borrow_mut();
            memo.tree = 0;
            if memo.kinds.capacity() > KEEP_CAPACITY {
                memo.kinds = Vec::new();
            } else {
                memo.kinds.clear();
            }
        });
    }
}

fn tree_address(tree: &Tree<Node>) -> usize {
    std::ptr::from_ref(tree) as usize
}

/// False when `el`'s page is known to have no link to its previous or next page; true
/// when it has one or nothing is known (outside a [`ChromeMemo`] of its document).
pub(super) fn may_hold_step_links(el: ElementRef) -> bool {
    let tree = tree_address(el.tree());
    MEMO.with(|memo| {
        let memo = memo.borrow();
        memo.tree != tree || memo.step_links
    })
}

/// Why `el` counts as chrome, if it does; see [`chrome_kind_of`]. Remembered while a
/// [`ChromeMemo`] of `el`'s document is open, worked out each time otherwise.
pub(super) fn chrome_kind(el: ElementRef) -> Option<Chrome> {
    let tree = tree_address(el.tree());
    let number = node_number(el.id());
    let remembered = MEMO.with(|memo| {
        let memo = memo.borrow();
        (memo.tree == tree).then(|| memo.kinds.get(number).copied().unwrap_or_default())
    });
    // Outside a scope of this page: worked out, not remembered.
    let Some(remembered) = remembered else {
        return chrome_kind_of(el);
    };
    if let Remembered::Kind(kind) = remembered {
        return kind;
    }
    // The memo is not borrowed across the work: it asks about other elements of the page.
    let kind = chrome_kind_of(el);
    MEMO.with(|memo| {
        let kinds = &mut memo.borrow_mut().kinds;
        if kinds.len() <= number {
            kinds.resize(number + 1, Remembered::Unknown);
        }
        kinds[number] = Remembered::Kind(kind);
    });
    kind
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<html><body>
        <a href="/">Skip to content</a>
        <nav><a href="/a">A</a></nav>
        <div class="sidebar"><p>Menu</p></div>
        <main><h1>Title</h1><p>Edit this page</p><p>Real text of the page.</p>
        <ul><li>One</li><li>Back to top</li></ul></main>
        </body></html>"#;

    fn all_elements(doc: &Html) -> Vec<ElementRef<'_>> {
        doc.tree.nodes().filter_map(ElementRef::wrap).collect()
    }

    /// Asks about every element of `doc`, filling the memo when a scope is open.
    fn ask_all(doc: &Html) {
        for el in all_elements(doc) {
            chrome_kind(el);
        }
    }

    #[test]
    fn remembered_answers_are_the_answers() {
        let doc = super::parse::parse_document(PAGE);
        let expected: Vec<_> = all_elements(&doc).into_iter().map(chrome_kind_of).collect();
        assert!(expected.contains(&Some(Chrome::Structural)));
        assert!(expected.contains(&Some(Chrome::Named)));
        let _memo = ChromeMemo::enter(&doc, true);
        for _ in 0..2 {
            let answered: Vec<_> = all_elements(&doc).into_iter().map(chrome_kind).collect();
            assert_eq!(answered, expected);
        }
    }

    /// Another document's elements share node ids with the remembered one: they are
    /// worked out, never answered from the other page's memo.
    #[test]
    fn another_documents_elements_are_not_answered_from_the_memo() {
        let doc = super::parse::parse_document(PAGE);
        let _memo = ChromeMemo::enter(&doc, true);
        ask_all(&doc);
        let other = super::parse::parse_document(
            r#"<html><body><p>Plain</p><nav>Skip to content</nav><div>Back to top</div>
               <section class="toc">x</section><li>Edit this page</li></body></html>"#,
        );
        for el in all_elements(&other) {
            assert_eq!(chrome_kind(el), chrome_kind_of(el), "{:?}", el.value());
        }
    }

    #[test]
    fn node_numbers_count_the_nodes_in_order() {
        let doc = super::parse::parse_document(PAGE);
        let numbers: Vec<usize> = doc
            .tree
            .nodes()
            .map(|node| node_number(node.id()))
            .collect();
        let expected: Vec<usize> = (1..=numbers.len()).collect();
        assert_eq!(numbers, expected);
        assert_eq!(std::mem::size_of::<Remembered>(), 1, "one byte a node");
    }

    #[test]
    fn nothing_is_remembered_after_the_scope() {
        let doc = super::parse::parse_document(PAGE);
        {
            let _memo = ChromeMemo::enter(&doc, true);
            ask_all(&doc);
        }
        MEMO.with(|memo| {
            let memo = memo.borrow();
            assert_eq!(memo.tree, 0);
            assert!(memo.kinds.is_empty());
        });
    }
}
