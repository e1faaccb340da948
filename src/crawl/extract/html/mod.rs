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
mod convert;
mod defuse;
mod dom;
mod elements;
mod metadata;
mod spec_links;
#[cfg(test)]
mod tests;

use boilerplate::*;
use convert::*;
use defuse::*;
use dom::*;
use elements::*;
use metadata::*;
use spec_links::*;

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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLink {
    pub url: Url,
    pub text: String,
    pub nofollow: bool,
}

pub fn extract_html(html: &str, page_url: &Url) -> HtmlPage {
    let doc = Html::parse_document(&defuse(html));
    let base = base_url(&doc, page_url);
    let (noindex, nofollow) = robots_directives(&doc);
    let root = content_root(&doc);
    let markdown = root
        .map(|root| Converter::new(&base, page_url).convert(root))
        .unwrap_or_default();
    HtmlPage {
        title: page_title(&doc),
        markdown,
        links: page_links(&doc, &base),
        canonical: canonical_url(&doc, &base),
        lang: page_lang(&doc),
        alternates: alternate_urls(&doc, &base),
        noindex,
        nofollow,
        spec_links: spec_links(&doc, &base),
    }
}
