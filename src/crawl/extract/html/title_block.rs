//! A page title written as text, not as a heading.
//!
//! Doxygen sets a page's title in `<div class="title">` (`wxAcceleratorTable Class
//! Reference`) and uses no `<h1>` at all: converted as it is, the Markdown opened with the
//! title as a line of text and every chunk's `section` path started one level down
//! (`Detailed Description`). The page's `<title>` says which text is the title, so the
//! element holding it is written as the page's `#` heading. `div.title` alone does not
//! say it: Asciidoctor names a listing's or an example's caption so.

use super::*;

/// Elements of the content container looked at before its first heading.
const MAX_ELEMENTS: usize = 200;
/// Longest title, in characters.
const MAX_TITLE_CHARS: usize = 200;
/// What follows the project's name in a `<title>` (Doxygen's `Project: Page`).
const PROJECT_SEPARATOR: &str = ": ";

/// The element of the content container `root` whose own text is the page's title, when
/// the page has no `<h1>`: the last before any heading whose own text (not its
/// children's: Doxygen puts the class's groups and labels inside the title's element)
/// has the words of the whole `<title>` or of what follows a `: ` in it (`wxWidgets:
/// wxAcceleratorTable Class Reference`), ignoring case and punctuation. Not what comes
/// before: in `Project: Page` that is the site's name, which Doxygen writes in the
/// masthead. Not the parts of a `Page | Site` or `Page - Site` title either, where the
/// last part is the site's name: such a title written as text is left as text. The last
/// such element, as a page's title comes below its masthead; only a block, or a phrase
/// that is all of its block's text (not a name at the start of a sentence); not inside a
/// link (a logo) or a list item (a menu's current entry), not in chrome, and not when a
/// heading of the page says the same words (a banner over the page's own heading).
pub(super) fn title_block<'a>(
    doc: &Html,
    root: ElementRef<'a>,
    page_title: Option<&str>,
) -> Option<ElementRef<'a>> {
    let names = title_names(page_title?);
    let mut candidate = None;
    for el in root
        .descendants()
        .skip(1)
        .filter_map(ElementRef::wrap)
        .take(MAX_ELEMENTS)
    {
        if is_heading(el) {
            break;
        }
        if !may_hold_title(el) {
            continue;
        }
        let words = own_words(el);
        if names.contains(&words)
            && alone_in_its_block(el, &words)
            && !in_link_or_item(el)
            && !is_boilerplate(el)
            && !inside_boilerplate(el)
        {
            candidate = Some((el, words));
        }
    }
    // Scans of the whole page, so only once something was found. A heading saying the
    // same words means the page has its title as a heading further down, and `el` is a
    // banner with the site's name over it (a home page titled with the site's name).
    let (el, words) = candidate?;
    let titled_below = root
        .descendent_elements()
        .any(|heading| is_heading(heading) && says(heading, &words));
    (elements(doc, "h1").next().is_none() && !titled_below).then_some(el)
}

/// Whether the text a reader sees in `el` has `words`, case and punctuation aside.
fn says(el: ElementRef, words: &[String]) -> bool {
    lower_case_words(&visible_text(el)).eq(words.iter().cloned())
}

/// Whether `el`, when a phrase, is all the text of the block it is in: `<p><b>License</b>
/// </p>` is a title, `<p><b>Widgetry</b> is a library …</p>` the start of a sentence.
fn alone_in_its_block(el: ElementRef, words: &[String]) -> bool {
    let mut block = el;
    while is_phrasing(block.value().name()) {
        match block.parent().and_then(ElementRef::wrap) {
            Some(parent) => block = parent,
            None => break,
        }
    }
    block.id() == el.id() || says(block, words)
}

fn in_link_or_item(el: ElementRef) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .any(|el| matches!(el.value().name(), "a" | "li"))
}

/// The text of `el`'s own text nodes, when they all come before its children's text:
/// Doxygen's title, then the class's groups and labels. Text after a child's (`This page
/// has moved <a>here</a>.`) is a sentence with a link in it, not a title.
pub(super) fn own_text(el: ElementRef) -> Option<String> {
    let mut text = String::new();
    let mut after_child_text = false;
    for child in el.children() {
        match child.value() {
            Node::Text(t) if !t.trim().is_empty() => {
                if after_child_text {
                    return None;
                }
                text.push_str(t);
            }
            Node::Element(_) if !after_child_text => {
                after_child_text = ElementRef::wrap(child)
                    .is_some_and(|child| child.text().any(|t| !t.trim().is_empty()));
            }
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

fn own_words(el: ElementRef) -> Vec<String> {
    own_text(el)
        .map(|text| lower_case_words(&text).collect())
        .unwrap_or_default()
}

/// Elements a generator sets a title in as text (not a list item, a cell or a link),
/// with text of their own: most are wrappers, told so without building any string.
fn may_hold_title(el: ElementRef) -> bool {
    matches!(
        el.value().name(),
        "div" | "p" | "span" | "b" | "strong" | "big" | "font" | "center"
    ) && has_own_text(el)
}

/// The words of the whole `<title>` and of what follows each `: ` in it.
fn title_names(page_title: &str) -> Vec<Vec<String>> {
    if page_title.chars().count() > MAX_TITLE_CHARS {
        return Vec::new();
    }
    let mut names = vec![lower_case_words(page_title).collect::<Vec<_>>()];
    names.extend(
        page_title
            .match_indices(PROJECT_SEPARATOR)
            .map(|(at, _)| lower_case_words(&page_title[at + PROJECT_SEPARATOR.len()..]).collect()),
    );
    names.retain(|words| !words.is_empty());
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(html: &str) -> Option<String> {
        let doc = Html::parse_document(html);
        let title = doc
            .select(&scraper::Selector::parse("title").expect("selector"))
            .next()
            .map(|t| t.text().collect::<String>());
        let body = elements(&doc, "body").next().expect("body");
        title_block(&doc, body, title.as_deref()).and_then(own_text)
    }

    #[test]
    fn the_last_part_of_the_title_written_as_text_before_any_heading_is_the_title() {
        let page = r#"<title>wxWidgets: wxTimer Class Reference</title>
            <div id="projectname">wxWidgets</div>
            <div class="headertitle"><div class="title">wxTimer Class Reference<div class="ingroups">
            <a href="g.html">Timers and the events they send to their owners</a></div></div></div>
            <h2>Detailed Description</h2>"#;
        assert_eq!(found(page).as_deref(), Some("wxTimer Class Reference"));
        // The site's name may be the longer part.
        let short = r#"<title>Acme Widgets Library: Classes</title>
            <div>Acme Widgets Library</div><div class="title">Classes</div><h2>A</h2>"#;
        assert_eq!(found(short).as_deref(), Some("Classes"));
        let whole = r#"<title>Timers</title><p>Timers</p><h2>Usage</h2>"#;
        assert_eq!(found(whole).as_deref(), Some("Timers"));
        // A phrase that is all of its block's text; what follows the first `: ` too.
        let bold = r#"<title>License</title><p><b>License</b></p><p>Some text.</p>"#;
        assert_eq!(found(bold).as_deref(), Some("License"));
        let nested = r#"<title>Xapian: API: Xapian::Query - Class Reference</title>
            <div class="title">Xapian::Query - Class Reference</div><h2>Types</h2>"#;
        assert_eq!(
            found(nested).as_deref(),
            Some("Xapian::Query - Class Reference")
        );
    }

    #[test]
    fn a_site_name_a_caption_or_a_page_with_a_heading_first_has_none() {
        for page in [
            // Text that is no part of the title, or the site's name before the page's.
            r#"<title>wxWidgets: wxTimer Class Reference</title><div>wxTimer</div><h2>x</h2>"#,
            r#"<title>glibmm: Member List</title><div>glibmm</div>
               <div class="title">Glib::Timer Member List</div><h2>x</h2>"#,
            // A caption after the first heading (Asciidoctor's `div.title`).
            r#"<title>Timers</title><h2>Intro</h2><div class="title">Timers</div>"#,
            // The page has its `<h1>`.
            r#"<title>Timers</title><div>Timers</div><h1>Overview</h1>"#,
            // The site's name closing a `Page | Site` title.
            r#"<title>Timers | Widgetry</title><div>Widgetry</div><h2>Usage</h2>"#,
            // A name at the start of a sentence, or a menu's current entry.
            r#"<title>Widgetry</title><p><b>Widgetry</b> is a library.</p><h2>Features</h2>"#,
            r#"<title>Widgetry: Download</title><ul><li><a href="/">Home</a></li>
               <li><b>Download</b></li></ul><h2>Files</h2>"#,
            // In a link (a logo or a breadcrumb) or in chrome.
            r#"<title>Timers</title><a href="/"><span>Timers</span></a>"#,
            r#"<title>Timers</title><nav><span>Timers</span></nav>"#,
            // A sentence with a link in it (a page that moved).
            r#"<title>This page has moved</title><p>This page has moved <a href="n.html">here</a>.</p>"#,
            // A banner with the site's name over the page's own heading of it.
            r#"<title>Widgetry</title><div><img alt="logo"><b>Widgetry</b></div><hr>
               <h2>Widgetry</h2>"#,
            // A cell of a layout table.
            r#"<title>Timers</title><table><tr><td>Timers</td></tr></table>"#,
        ] {
            assert_eq!(found(page), None, "{page}");
        }
    }
}
