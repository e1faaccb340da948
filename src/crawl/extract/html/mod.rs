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

mod boilerplate;
mod chrome_memo;
mod content_selectors;
mod convert;
mod defuse;
mod dom;
mod elements;
mod metadata;
mod outline;
mod page_name;
mod parse;
mod recall;
mod spec_links;
#[cfg(test)]
mod tests;
mod title_block;

use crate::crawl::text::{letters_and_digits, lower_case_words};
use boilerplate::*;
use chrome_memo::*;
use content_selectors::*;
use convert::*;
use defuse::*;
use dom::*;
use elements::*;
use metadata::*;
use outline::*;
use page_name::PageName;
use recall::*;
use spec_links::*;
use title_block::*;

pub use convert::Block;
pub use recall::for_each_word;

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
    /// The page's external scripts, whose page links the crawler may look for.
    pub scripts: Vec<Url>,
    /// What the page's relative URLs are resolved against: its `<base href>`, else itself.
    /// A script's strings are used in the page's document, so they resolve against it too.
    pub base: Url,
    /// The blocks of `markdown`, for learning the site's template.
    pub blocks: Vec<Block>,
    /// The distinct words a reader sees on the page (outside landmarks of chrome): what
    /// the template's removal must leave half of where it can.
    pub visible_words: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLink {
    pub url: Url,
    pub text: String,
    pub nofollow: bool,
}

/// A page given owned is let go once its tree is built: the tree keeps a copy of the
/// text it needs, and the walks below need memory of their own.
pub fn extract_html<'a>(html: impl Into<Cow<'a, str>>, page_url: &Url) -> HtmlPage {
    let html = html.into();
    let doc = parse::parse_document(&defuse(&html));
    drop(html);
    let tagged = Tagged::of(&doc);
    let _memo = ChromeMemo::enter(&doc, tagged.has_step_links());
    let base = base_url(&tagged, page_url);
    let (noindex, nofollow) = robots_directives(&tagged);
    let title = page_title(&doc);
    let (content, visible_words) = main_content(&doc, &base, page_url, title.as_deref());
    HtmlPage {
        title,
        markdown: content.markdown,
        blocks: content.blocks,
        visible_words,
        links: page_links(&tagged, &base),
        canonical: canonical_url(&tagged, &base),
        lang: page_lang(&doc),
        alternates: alternate_urls(&tagged, &base),
        noindex,
        nofollow,
        spec_links: spec_links(&doc, &base),
        scripts: script_sources(&tagged, &base),
        base,
    }
}

/// Below this share of the page's visible words, a conversion lost the article.
const MIN_RECALL: f64 = 0.5;

/// The main content as Markdown. When it keeps less than half of the words a reader sees
/// on the page, the article was lost (a wrong container, or the content is a block named
/// like chrome, such as a chapter's table of contents): the same container, then the
/// whole body, are converted again dropping only structural chrome and blocks named like
/// chrome that are small beside the rest, and the conversion that keeps most is used.
/// A title heading the layout sets above the container ([`title_above`]) is converted
/// first; else a title the page writes as text ([`title_block`]) is written as its
/// heading. Also answers how many distinct words a reader sees on the page.
fn main_content(
    doc: &Html,
    base: &Url,
    page_url: &Url,
    page_title: Option<&str>,
) -> (Conversion, usize) {
    let body = elements(doc, "body")
        .next()
        .unwrap_or_else(|| doc.root_element());
    let root = content_root(doc).unwrap_or(body);
    let page_name = PageName::of(page_url);
    let title = if root.id() == body.id() {
        None
    } else {
        title_above(root, page_title)
    };
    let echo = title_echo(root);
    let title_text = title
        .is_none()
        .then(|| title_block(doc, root, page_title))
        .flatten();
    let first = Converter::new(base, page_url, &page_name, Mode::Strict)
        .without_echo(echo)
        .with_title_block(title_text)
        .convert_titled(title, root);
    let words = PageWords::of(doc);
    let mut best_recall = words.recall_until(&first.markdown, MIN_RECALL);
    if best_recall >= MIN_RECALL {
        return (first, words.count());
    }
    let mut best = first;
    let retries = if root.id() == body.id() {
        vec![body]
    } else {
        vec![root, body]
    };
    for retry in retries {
        let keep_named_from = (structural_text_len(retry) / 3).max(1);
        let mode = Mode::Lenient { keep_named_from };
        let title = title.filter(|_| retry.id() == root.id());
        let candidate = Converter::new(base, page_url, &page_name, mode)
            .without_echo(echo)
            .with_title_block(title_text)
            .convert_titled(title, retry);
        // Compared with the best so far, which is below MIN_RECALL here.
        let recall = words.recall_until(&candidate.markdown, MIN_RECALL);
        if recall > best_recall {
            (best, best_recall) = (candidate, recall);
        }
        if best_recall >= MIN_RECALL {
            break;
        }
    }
    (best, words.count())
}
