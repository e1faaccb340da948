//! A definition list that defines nothing: an outline of links.
//!
//! DocBook's stylesheets (both the XSL ones and the older DSSSL ones), and the index
//! pages of several generators, write a table of contents or a book's index as a `<dl>`:
//! each entry a `<dt>` holding its link, its sub-entries a `<dl>` in the `<dd>` after it.
//! No `<dd>` says anything of its own, so nothing is defined: it is a nested list. Read
//! as terms, every entry became a bold paragraph of its own (`**2.1. [Planning](…)**`)
//! and the nesting was lost; read as a list, each entry is an item and its sub-entries
//! are items under it.

use super::*;

/// Levels of nested lists looked through; an outline deeper than this is read as terms.
const MAX_DEPTH: usize = 8;
/// Nodes of a list looked through; a larger one is read as terms.
const MAX_NODES: usize = 100_000;

/// Whether `dl` is an outline of links: its children are terms and descriptions only,
/// every description holds nothing but outlines (or nothing), every term is an entry
/// ([`is_entry_term`]) but a leading caption (DSSSL's `<dt><b>Table of Contents</b></dt>`),
/// and no term is an API signature.
pub(super) fn is_outline(dl: ElementRef) -> bool {
    let mut nodes = 0;
    outline_at(dl, 0, &mut nodes)
}

fn outline_at(dl: ElementRef, depth: usize, nodes: &mut usize) -> bool {
    if depth >= MAX_DEPTH || has_own_text(dl) {
        return false;
    }
    let mut entries = 0;
    for (index, child) in dl.child_elements().enumerate() {
        *nodes += 1;
        if *nodes > MAX_NODES {
            return false;
        }
        match child.value().name() {
            "dt" if is_signature(child) => return false,
            "dt" if is_entry_term(child) => entries += 1,
            "dt" if index == 0 => {}
            "dd" if !has_own_text(child)
                && child.child_elements().all(|inner| {
                    inner.value().name() == "dl" && outline_at(inner, depth + 1, nodes)
                }) => {}
            _ => return false,
        }
    }
    entries > 0
}

/// A term of an outline that is an entry of it (an item of the list): one holding a
/// link, or a group of sub-entries (an index's `attribute` over `retrieving value` and
/// `writing`, the sub-entries in the description after it).
pub(super) fn is_entry_term(dt: ElementRef) -> bool {
    holds_link(dt)
        || dt
            .next_siblings()
            .find_map(ElementRef::wrap)
            .is_some_and(|next| {
                next.value().name() == "dd" && next.child_elements().next().is_some()
            })
}

fn holds_link(el: ElementRef) -> bool {
    has_descendant(el, 200, |d| {
        d.value().name() == "a" && d.value().attr("href").is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_dl(html: &str) -> bool {
        let doc = Html::parse_document(html);
        let selector = Selector::parse("dl").expect("selector");
        let dl = doc.select(&selector).next().expect("a dl");
        is_outline(dl)
    }

    #[test]
    fn a_docbook_table_of_contents_is_an_outline() {
        assert!(first_dl(
            r##"<dl class="toc"><dt><span class="chapter"><a href="a.html">1. A</a></span></dt>
            <dd><dl><dt><span class="section"><a href="a1.html">1.1. B</a></span></dt>
            <dt><a href="a2.html">1.2. C</a></dt></dl></dd>
            <dt><a href="d.html">2. D</a></dt><dd></dd></dl>"##
        ));
    }

    #[test]
    fn a_caption_term_may_open_it() {
        assert!(first_dl(
            r##"<DL><DT><B>Table of Contents</B></DT><DT>1. <A HREF="a.html">A</A></DT>
            <DD><DL><DT>1.1. <A HREF="b.html">B</A></DT></DL></DD></DL>"##
        ));
        assert!(!first_dl(
            r##"<dl><dt><a href="a.html">A</a></dt><dt>Loose term</dt></dl>"##
        ));
        assert!(!first_dl(r##"<dl><dt>Only a caption</dt></dl>"##));
    }

    #[test]
    fn a_term_grouping_sub_entries_is_an_entry_anywhere() {
        // A book's index: `attribute` links nowhere, its sub-entries do.
        assert!(first_dl(
            r##"<dl><dt>compiler flags, <a href="a.html">Compilation</a></dt>
            <dt>attribute</dt><dd><dl><dt>writing, <a href="w.html">Writing</a></dt></dl></dd>
            <dt>encoding, <a href="e.html">Encoding</a></dt></dl>"##
        ));
        assert!(!first_dl(
            r##"<dl><dt><a href="a.html">A</a></dt><dt>attribute</dt><dd></dd></dl>"##
        ));
    }

    #[test]
    fn terms_with_descriptions_are_not() {
        assert!(!first_dl(
            r##"<dl><dt><a href="#x">x</a></dt><dd>The x option.</dd></dl>"##
        ));
        assert!(!first_dl(
            r##"<dl><dt><a href="#x">x</a></dt><dd><p>The x option.</p></dd></dl>"##
        ));
        // A nested list of terms with descriptions: the whole is read as terms.
        assert!(!first_dl(
            r##"<dl><dt><a href="a.html">A</a></dt><dd><dl><dt><a href="#b">b</a></dt>
            <dd>What b is.</dd></dl></dd></dl>"##
        ));
        assert!(!first_dl(
            r##"<dl><dt class="sig"><a href="#f">f()</a></dt><dd></dd></dl>"##
        ));
        assert!(!first_dl(
            r##"<dl>Loose text<dt><a href="a.html">A</a></dt></dl>"##
        ));
    }

    #[test]
    fn a_deeper_outline_than_the_limit_is_read_as_terms() {
        let mut html = String::new();
        for _ in 0..MAX_DEPTH + 1 {
            html.push_str(r##"<dl><dt><a href="a.html">A</a></dt><dd>"##);
        }
        for _ in 0..MAX_DEPTH + 1 {
            html.push_str("</dd></dl>");
        }
        assert!(!first_dl(&html));
    }
}

#[cfg(test)]
mod conversion_tests {
    use super::*;

    fn md(body: &str) -> String {
        let url = Url::parse("https://docs.example.com/book/part.html").expect("static url");
        extract_html(
            format!("<html><body><main><h1>II. Administration</h1>{body}</main></body></html>"),
            &url,
        )
        .markdown
    }

    #[test]
    fn a_table_of_contents_is_written_as_a_nested_list() {
        let out = md(r##"<p>This part covers administration.</p><div><dl>
            <dt><b>Table of Contents</b></dt>
            <dt>2. <a href="install.html">Installation</a></dt>
            <dd><dl><dt>2.1. <a href="plan.html">Planning</a></dt>
            <dt>2.2. <a href="req.html">Requirements</a></dt></dl></dd>
            <dt>3. <a href="run.html">Operation</a></dt><dd></dd>
            <dt>Appendixes</dt><dd><dl><dt>A. <a href="faq.html">FAQ</a></dt></dl></dd>
            </dl></div><p>After.</p>"##);
        assert_eq!(
            out,
            "# II. Administration\n\nThis part covers administration.\n\n\
             **Table of Contents**\n\n\
             - 2\\. [Installation](https://docs.example.com/book/install.html)\n  \
             - 2.1. [Planning](https://docs.example.com/book/plan.html)\n  \
             - 2.2. [Requirements](https://docs.example.com/book/req.html)\n\
             - 3\\. [Operation](https://docs.example.com/book/run.html)\n\
             - Appendixes\n  \
             - A. [FAQ](https://docs.example.com/book/faq.html)\n\nAfter.\n"
        );
    }

    #[test]
    fn terms_with_descriptions_stay_bold_terms() {
        let out = md(r##"<dl><dt><a href="x.html">x</a></dt><dd>The x option.</dd></dl>"##);
        assert_eq!(
            out,
            "# II. Administration\n\n**[x](https://docs.example.com/book/x.html)**\n\nThe x option.\n"
        );
    }

    #[test]
    fn a_description_after_a_left_out_term_continues_no_entry() {
        let out = md(r##"<dl><dt><a href="a.html">A</a></dt>
            <dd><dl><dt><a href="b.html">B</a></dt></dl></dd>
            <dt hidden><a href="c.html">C</a></dt>
            <dd><dl><dt><a href="d.html">D</a></dt></dl></dd>
            <dt><a href="e.html"></a></dt>
            <dd><dl><dt><a href="f.html">F</a></dt></dl></dd></dl>"##);
        assert!(out.contains("\n  - [B]("), "{out}");
        assert!(!out.contains("C]("), "{out}");
        for entry in ["D", "F"] {
            assert!(out.contains(&format!("\n- [{entry}](")), "{out}");
        }
    }

    #[test]
    fn terms_with_descriptions_inside_an_entry_stay_terms() {
        let out = md(r##"<dl><dt><a href="a.html">A</a>
            <dl><dt><a href="b.html">b</a></dt><dd>What b is.</dd></dl></dt></dl>"##);
        assert!(
            out.contains("**[b](https://docs.example.com/book/b.html)**"),
            "{out}"
        );
    }

    #[test]
    fn a_notes_heading_is_its_bold_label() {
        let out = md("<blockquote><h3><b>Note</b></h3><p>Paths must be absolute.</p></blockquote>");
        assert_eq!(
            out,
            "# II. Administration\n\n> **Note**\n>\n> Paths must be absolute.\n"
        );
    }

    #[test]
    fn deeply_nested_outlines_stay_bounded() {
        let handle = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(|| {
                let depth = 20_000;
                let html = format!(
                    "{}x{}",
                    r##"<dl><dt><a href="a.html">A</a></dt><dd>"##.repeat(depth),
                    "</dd></dl>".repeat(depth),
                );
                md(&html)
            })
            .expect("spawn test thread");
        let markdown = handle.join().expect("conversion must not panic");
        assert!(markdown.contains('x'));
    }
}
