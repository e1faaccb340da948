//! One pipeline per content type: a fetched body becomes a document (text to store, the
//! text to chunk, and links to follow) or a reason why it is not documentation.

pub mod asciidoc;
pub mod converted;
pub mod decode;
pub mod docx;
pub mod html;
mod markdown_writer;
pub mod notebook;
pub mod openapi;
pub mod pdf;

use std::borrow::Cow;

use url::Url;

use super::classify::ContentKind;
use super::fetch::Fetched;
use html::PageLink;
use notebook::{render_notebook, NOTEBOOK_MIME};
use openapi::{parse_api_spec, SpecFormat};

/// A page ready to be chunked and saved.
#[derive(Debug)]
pub struct Document {
    pub title: Option<String>,
    /// What is stored as the page's content: Markdown for HTML and notebooks, the raw
    /// text otherwise.
    pub content: String,
    pub kind: ContentKind,
    /// The type to record instead of the server's, where the pipeline knows better: a
    /// notebook served as `application/json` or `application/octet-stream`.
    pub mime: Option<&'static str>,
    /// Texts to chunk, in order. An OpenAPI spec adds its per-operation Markdown rendering
    /// before the raw text, so that no operation is cut in half.
    pub chunk_sources: Vec<ChunkSource>,
    pub links: Vec<PageLink>,
    pub canonical: Option<Url>,
    /// Other-language versions of this page (hreflang alternates), ranked down.
    pub other_languages: Vec<Url>,
    pub nofollow: bool,
    pub is_api_spec: bool,
    /// HTML only: the blocks of `content`, from which the site's template is learned.
    pub blocks: Vec<html::Block>,
    /// HTML only: the distinct words a reader sees on the page (0 otherwise).
    pub visible_words: usize,
    /// HTML only: the page's external scripts, whose page links the crawler may follow.
    pub scripts: Vec<Url>,
    /// HTML only: what the page's relative URLs resolve against (its `<base href>`, else
    /// itself); the strings of its scripts resolve against it too. `None` for other types.
    pub base: Option<Url>,
}

#[derive(Debug)]
pub struct ChunkSource {
    pub text: String,
    pub is_markdown: bool,
}

#[derive(Debug)]
pub enum Extracted {
    Document(Box<Document>),
    Unsupported(String),
}

/// Takes the page's body out of `fetched` (left empty) once it is to be decoded: a page
/// of megabytes is let go as soon as its tree is built, before the walks over that tree
/// need memory of their own. A body refused as unsupported stays where it was.
pub fn extract(fetched: &mut Fetched) -> Extracted {
    let Some(kind) = kind_of(fetched) else {
        let mime = if fetched.mime.is_empty() {
            "(none)"
        } else {
            fetched.mime.as_str()
        };
        return Extracted::Unsupported(format!("unsupported content type {mime}"));
    };
    // Servers label images and archives text/html too; their bytes are not documentation.
    if looks_binary(&fetched.body) {
        let mime = fetched.mime.as_str();
        return Extracted::Unsupported(format!("binary content served as {mime}"));
    }
    let text = decode::decode_owned(
        std::mem::take(&mut fetched.body),
        fetched.charset.as_deref(),
        kind == ContentKind::Html,
    );
    Extracted::Document(Box::new(match kind {
        ContentKind::Html => from_html(text, &fetched.final_url),
        ContentKind::Json => from_structured(text, ContentKind::Json, SpecFormat::Json),
        ContentKind::Yaml => from_structured(text, ContentKind::Yaml, SpecFormat::Yaml),
        ContentKind::Markdown => plain(text, ContentKind::Markdown, true),
        ContentKind::Text => plain(text, ContentKind::Text, false),
    }))
}

/// Decides the pipeline from the MIME type, the URL's extension for generic types, and a
/// look at the first bytes when the server named no type.
fn kind_of(fetched: &Fetched) -> Option<ContentKind> {
    let mime = fetched.mime.as_str();
    let extension = fetched
        .final_url
        .path()
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    let by_extension = || match extension.as_str() {
        "md" | "markdown" => Some(ContentKind::Markdown),
        "yaml" | "yml" => Some(ContentKind::Yaml),
        "json" | "ipynb" => Some(ContentKind::Json),
        "txt" => Some(ContentKind::Text),
        "html" | "htm" => Some(ContentKind::Html),
        _ => None,
    };
    match mime {
        "text/html" | "application/xhtml+xml" => Some(ContentKind::Html),
        "text/markdown" | "text/x-markdown" => Some(ContentKind::Markdown),
        "application/json" | "text/json" => Some(ContentKind::Json),
        _ if mime.ends_with("+json") => Some(ContentKind::Json),
        "application/yaml" | "application/x-yaml" | "text/yaml" | "text/x-yaml" => {
            Some(ContentKind::Yaml)
        }
        _ if mime.ends_with("+yaml") => Some(ContentKind::Yaml),
        "text/plain" => by_extension().or(Some(ContentKind::Text)),
        "" | "application/octet-stream" | "binary/octet-stream" if !looks_binary(&fetched.body) => {
            by_extension().or_else(|| sniff(&fetched.body))
        }
        _ => None,
    }
}

/// Binary data, judged on the first 4 KiB: a NUL byte (unless a UTF-16 byte-order mark
/// says why), or more than 5 % control bytes, which text in any 8-bit charset or UTF-8
/// never has and compressed data (PNG, ZIP, gzip) has about 10 % of.
pub fn looks_binary(body: &[u8]) -> bool {
    if body.starts_with(&[0xFF, 0xFE]) || body.starts_with(&[0xFE, 0xFF]) {
        return false;
    }
    let head = &body[..body.len().min(4096)];
    if head.contains(&0) {
        return true;
    }
    let control = head
        .iter()
        .filter(|b| **b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
        .count();
    control * 20 > head.len()
}

fn sniff(body: &[u8]) -> Option<ContentKind> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
    match body[start] {
        b'<' => Some(ContentKind::Html),
        b'{' | b'[' => Some(ContentKind::Json),
        _ => None,
    }
}

/// `text` owned is let go once parsed (see [`html::extract_html`]).
pub(crate) fn from_html<'a>(text: impl Into<Cow<'a, str>>, url: &Url) -> Document {
    let page = html::extract_html(text, url);
    let page_language = page.lang.as_deref().map(primary_language);
    let other_languages = page
        .alternates
        .iter()
        .filter(|(language, _)| {
            let language = primary_language(language);
            language != "x" && Some(language.as_str()) != page_language.as_deref()
        })
        .map(|(_, url)| url.clone())
        .collect();
    let mut links = page.links;
    links.extend(page.spec_links.into_iter().map(|url| PageLink {
        url,
        text: "OpenAPI specification".to_string(),
        nofollow: false,
    }));
    Document {
        title: page.title,
        chunk_sources: vec![ChunkSource {
            text: page.markdown.clone(),
            is_markdown: true,
        }],
        content: page.markdown,
        kind: ContentKind::Html,
        mime: None,
        links,
        canonical: page.canonical,
        other_languages,
        nofollow: page.nofollow,
        is_api_spec: false,
        blocks: page.blocks,
        visible_words: page.visible_words,
        scripts: page.scripts,
        base: Some(page.base),
    }
}

pub(crate) fn from_structured(text: String, kind: ContentKind, format: SpecFormat) -> Document {
    if format == SpecFormat::Json {
        if let Some(notebook) = render_notebook(&text) {
            let mut document = plain(notebook.markdown, ContentKind::Markdown, true);
            document.title = notebook.title;
            document.mime = Some(NOTEBOOK_MIME);
            return document;
        }
    }
    let spec = parse_api_spec(&text, format);
    let mut chunk_sources = Vec::new();
    let title = spec.as_ref().and_then(|spec| spec.title.clone());
    let is_api_spec = spec.is_some();
    if let Some(spec) = spec {
        chunk_sources.push(ChunkSource {
            text: spec.markdown,
            is_markdown: true,
        });
    }
    chunk_sources.push(ChunkSource {
        text: text.clone(),
        is_markdown: false,
    });
    Document {
        title,
        content: text,
        kind,
        mime: None,
        chunk_sources,
        links: Vec::new(),
        canonical: None,
        other_languages: Vec::new(),
        nofollow: false,
        is_api_spec,
        blocks: Vec::new(),
        visible_words: 0,
        scripts: Vec::new(),
        base: None,
    }
}

pub(crate) fn plain(text: String, kind: ContentKind, is_markdown: bool) -> Document {
    let title = is_markdown
        .then(|| {
            text.lines()
                .find_map(|line| line.strip_prefix("# ").map(|t| t.trim().to_string()))
        })
        .flatten();
    Document {
        title,
        chunk_sources: vec![ChunkSource {
            text: text.clone(),
            is_markdown,
        }],
        content: text,
        kind,
        mime: None,
        links: Vec::new(),
        canonical: None,
        other_languages: Vec::new(),
        nofollow: false,
        is_api_spec: false,
        blocks: Vec::new(),
        visible_words: 0,
        scripts: Vec::new(),
        base: None,
    }
}

/// `pt-BR` → `pt`; `x-default` → `x`.
fn primary_language(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetched(mime: &str, body: &[u8]) -> Fetched {
        Fetched {
            final_url: Url::parse("https://docs.example.com/page").expect("static url"),
            status: 200,
            mime: mime.to_string(),
            charset: None,
            body: body.to_vec(),
            etag: None,
            last_modified: None,
        }
    }

    fn reason(extracted: Extracted) -> Option<String> {
        match extracted {
            Extracted::Unsupported(reason) => Some(reason),
            _ => None,
        }
    }

    #[test]
    fn binary_bodies_are_refused_whatever_their_label() {
        // PNG-like bytes: a signature, then compressed data without a NUL.
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8 | 1));
        assert_eq!(
            reason(extract(&mut fetched("text/html", &png))).as_deref(),
            Some("binary content served as text/html")
        );
        let with_nul = b"<html>\0\0\0</html>";
        assert!(reason(extract(&mut fetched("text/plain", with_nul))).is_some());
        let latin1 = "<p>Caf\u{e9} cr\u{e8}me, na\u{ef}ve \u{2014} r\u{e9}sum\u{e9}</p>".repeat(50);
        let latin1: Vec<u8> = latin1.chars().map(|c| c as u32 as u8).collect();
        assert!(reason(extract(&mut fetched("text/html", &latin1))).is_none());
        assert!(!looks_binary(b"\xFF\xFE<\0h\0t\0m\0l\0>\0"));
    }
}
