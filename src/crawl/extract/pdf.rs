//! PDF → Markdown: each page's text in content order, lines grouped into paragraphs by
//! their spacing, and headings from the document outline (bookmarks) where it has one,
//! else from lines set clearly larger than the body text.
//!
//! PDF parsing of untrusted files is not bounded by the parsers themselves (deep object
//! graphs, decompression bombs, panics on malformed fonts), so uploads run this in a
//! separate process with CPU, memory and time limits (see `crate::uploads::sandbox`).
//! The limits here (characters, outline entries) keep the output itself in proportion.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use lopdf::{Dictionary, Document, Object, ObjectId};
use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use super::converted::{escape_markdown_line, Converted};
use crate::crawl::text::letters_and_digits;

/// Characters of text kept from one PDF; more means a generated or hostile file.
const MAX_TEXT_CHARS: usize = 32 * 1024 * 1024;
/// Outline entries read; real books have a few thousand at most.
const MAX_OUTLINE_ENTRIES: usize = 20_000;
/// Headings deeper than this become this level.
const MAX_HEADING_LEVEL: usize = 6;

/// Converts a PDF to Markdown, or says in one line why it cannot.
pub fn pdf_to_markdown(bytes: &[u8], deadline: Duration) -> Result<Converted, String> {
    let started = Instant::now();
    let doc = Document::load_mem(bytes).map_err(|err| format!("not a readable PDF: {err}"))?;
    if doc.is_encrypted() {
        return Err("the PDF is encrypted with a password; upload an unprotected copy".to_string());
    }
    let page_ids = doc.get_pages();
    if page_ids.is_empty() {
        return Err("the PDF has no pages".to_string());
    }
    let mut collector = TextCollector::new(started, deadline);
    match pdf_extract::output_doc(&doc, &mut collector) {
        Ok(()) => {}
        Err(_) if collector.stopped.is_some() => {
            return Err(collector.stopped.unwrap_or_default());
        }
        Err(err) => return Err(format!("the PDF's text could not be read: {err}")),
    }
    let pages = collector.finish();
    if pages.iter().all(|page| page.lines.is_empty()) {
        return Err(if has_images(&doc) {
            format!(
                "the PDF has no text layer: its {} page(s) are images (a scan?); run OCR on it and upload the result",
                page_ids.len()
            )
        } else {
            "the PDF contains no extractable text".to_string()
        });
    }
    let page_numbers: HashMap<ObjectId, u32> =
        page_ids.iter().map(|(number, id)| (*id, *number)).collect();
    let outline = read_outline(&doc, &page_numbers);
    let markdown = if outline.is_empty() {
        render_with_font_headings(&pages)
    } else {
        render_with_outline(&pages, &outline)
    };
    Ok(Converted {
        title: info_title(&doc),
        markdown,
        units: page_ids.len(),
    })
}

/// One line of text as laid out on the page.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    /// The largest font size on the line, in page units.
    size: f64,
    /// Vertical distance to the previous line, in units of this line's size; 0 for a
    /// page's first line.
    gap: f64,
}

#[derive(Debug, Default)]
struct PageText {
    number: u32,
    lines: Vec<Line>,
}

/// Receives positioned characters from `pdf_extract` and builds lines: a line ends where
/// the baseline moves by more than half a character height, a space goes where the gap
/// after the previous character is wider than a sixth of the font size.
struct TextCollector {
    pages: Vec<PageText>,
    line: String,
    line_size: f64,
    line_y: f64,
    previous_line_y: Option<f64>,
    last_end: f64,
    last_y: f64,
    has_char: bool,
    chars: usize,
    started: Instant,
    deadline: Duration,
    /// Why collection stopped early.
    stopped: Option<String>,
}

impl TextCollector {
    fn new(started: Instant, deadline: Duration) -> Self {
        TextCollector {
            pages: Vec::new(),
            line: String::new(),
            line_size: 0.0,
            line_y: 0.0,
            previous_line_y: None,
            last_end: 0.0,
            last_y: 0.0,
            has_char: false,
            chars: 0,
            started,
            deadline,
            stopped: None,
        }
    }

    fn stop(&mut self, reason: String) -> OutputError {
        self.stopped = Some(reason);
        OutputError::FormatError(std::fmt::Error)
    }

    fn end_line(&mut self) {
        let text = self.line.trim().to_string();
        self.line.clear();
        if text.is_empty() {
            return;
        }
        let size = if self.line_size > 0.0 {
            self.line_size
        } else {
            1.0
        };
        let gap = self
            .previous_line_y
            .map(|previous| (previous - self.line_y).abs() / size)
            .unwrap_or(0.0);
        self.previous_line_y = Some(self.line_y);
        if let Some(page) = self.pages.last_mut() {
            page.lines.push(Line { text, size, gap });
        }
        self.line_size = 0.0;
    }

    fn finish(mut self) -> Vec<PageText> {
        self.end_line();
        self.pages
    }
}

impl OutputDev for TextCollector {
    fn begin_page(
        &mut self,
        page_num: u32,
        _media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.end_line();
        if self.started.elapsed() > self.deadline {
            let seconds = self.deadline.as_secs();
            return Err(self.stop(format!(
                "reading the PDF's text took longer than {seconds} s (stopped at page {page_num})"
            )));
        }
        self.pages.push(PageText {
            number: page_num,
            lines: Vec::new(),
        });
        self.previous_line_y = None;
        self.has_char = false;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        self.end_line();
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        // The font size through the text matrix: the side of a square of the same area
        // as the transformed (size, size) vector's box.
        let scaled_x = font_size * (trm.m11 + trm.m21);
        let scaled_y = font_size * (trm.m12 + trm.m22);
        let size = (scaled_x * scaled_y).abs().sqrt();
        let size = if size.is_finite() && size > 0.0 {
            size
        } else {
            1.0
        };
        let (x, y) = (trm.m31, trm.m32);
        if self.has_char {
            if (y - self.last_y).abs() > size * 0.5 {
                self.end_line();
            } else if x > self.last_end + size * 0.15 && !self.line.ends_with(' ') {
                self.line.push(' ');
            }
        }
        if self.line.is_empty() {
            self.line_y = y;
        }
        self.line.push_str(text);
        self.line_size = self.line_size.max(size);
        self.has_char = true;
        self.last_y = y;
        self.last_end = x + width * size;
        self.chars += text.len();
        if self.chars > MAX_TEXT_CHARS {
            return Err(self.stop(format!(
                "the PDF holds more than {} MiB of text",
                MAX_TEXT_CHARS >> 20
            )));
        }
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// One outline entry: its depth (1 = top) and title, and the page it points to.
#[derive(Debug, Clone, PartialEq)]
struct OutlineEntry {
    level: usize,
    title: String,
    page: u32,
}

/// The outline in document order, walked without recursion and with a visited set, so a
/// cyclic or absurdly deep outline cannot hang or overflow the stack.
fn read_outline(doc: &Document, page_numbers: &HashMap<ObjectId, u32>) -> Vec<OutlineEntry> {
    let Some(root) = doc
        .catalog()
        .ok()
        .and_then(|catalog| catalog.get(b"Outlines").ok())
        .and_then(|outlines| resolve_dict(doc, outlines))
    else {
        return Vec::new();
    };
    let mut destinations = NamedDestinations::new(doc);
    let mut entries = Vec::new();
    let mut seen = HashSet::new();
    // A stack of (next sibling to visit, its level).
    let mut stack: Vec<(Object, usize)> = Vec::new();
    if let Ok(first) = root.get(b"First") {
        stack.push((first.clone(), 1));
    }
    while let Some((node, level)) = stack.pop() {
        if entries.len() >= MAX_OUTLINE_ENTRIES {
            break;
        }
        if let Object::Reference(id) = node {
            if !seen.insert(id) {
                continue;
            }
        }
        let Some(item) = resolve_dict(doc, &node) else {
            continue;
        };
        // The sibling goes below the children on the stack, so children come first.
        if let Ok(next) = item.get(b"Next") {
            stack.push((next.clone(), level));
        }
        if let Ok(first) = item.get(b"First") {
            stack.push((first.clone(), level + 1));
        }
        let title = item
            .get(b"Title")
            .ok()
            .map(|title| deref(doc, title))
            .and_then(|title| lopdf::decode_text_string(title).ok())
            .map(|title| title.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default();
        if title.is_empty() {
            continue;
        }
        if let Some(page) = outline_target(doc, item, &mut destinations)
            .and_then(|page_id| page_numbers.get(&page_id).copied())
        {
            entries.push(OutlineEntry { level, title, page });
        }
    }
    entries
}

/// The page an outline item points to, through `/Dest` or a GoTo action's `/D`.
fn outline_target(
    doc: &Document,
    item: &Dictionary,
    destinations: &mut NamedDestinations<'_>,
) -> Option<ObjectId> {
    let destination = match item.get(b"Dest") {
        Ok(dest) => deref(doc, dest),
        Err(_) => {
            let action = resolve_dict(doc, item.get(b"A").ok()?)?;
            if action.get(b"S").ok()?.as_name().ok()? != b"GoTo" {
                return None;
            }
            deref(doc, action.get(b"D").ok()?)
        }
    };
    let array = match destination {
        Object::Array(array) => array.clone(),
        Object::Name(name) | Object::String(name, _) => destinations.lookup(name)?,
        _ => return None,
    };
    array.first()?.as_reference().ok()
}

/// Named destinations from the catalog's `/Dests` dictionary or its `/Names /Dests` name
/// tree, read once on first use (iteratively, with a visited set).
struct NamedDestinations<'a> {
    doc: &'a Document,
    table: Option<HashMap<Vec<u8>, Vec<Object>>>,
}

impl<'a> NamedDestinations<'a> {
    fn new(doc: &'a Document) -> Self {
        NamedDestinations { doc, table: None }
    }

    fn lookup(&mut self, name: &[u8]) -> Option<Vec<Object>> {
        let doc = self.doc;
        self.table
            .get_or_insert_with(|| read_named_destinations(doc))
            .get(name)
            .cloned()
    }
}

fn read_named_destinations(doc: &Document) -> HashMap<Vec<u8>, Vec<Object>> {
    let mut table = HashMap::new();
    let Ok(catalog) = doc.catalog() else {
        return table;
    };
    let as_destination = |value: &Object| -> Option<Vec<Object>> {
        match deref(doc, value) {
            Object::Array(array) => Some(array.clone()),
            Object::Dictionary(dict) => match deref(doc, dict.get(b"D").ok()?) {
                Object::Array(array) => Some(array.clone()),
                _ => None,
            },
            _ => None,
        }
    };
    if let Some(dests) = catalog
        .get(b"Dests")
        .ok()
        .and_then(|d| resolve_dict(doc, d))
    {
        for (name, value) in dests.iter() {
            if let Some(destination) = as_destination(value) {
                table.insert(name.clone(), destination);
            }
        }
    }
    let tree = catalog
        .get(b"Names")
        .ok()
        .and_then(|names| resolve_dict(doc, names))
        .and_then(|names| names.get(b"Dests").ok().cloned());
    let mut stack: Vec<Object> = tree.into_iter().collect();
    let mut seen = HashSet::new();
    while let Some(node) = stack.pop() {
        if table.len() >= MAX_OUTLINE_ENTRIES * 4 {
            break;
        }
        if let Object::Reference(id) = node {
            if !seen.insert(id) {
                continue;
            }
        }
        let Some(node) = resolve_dict(doc, &node) else {
            continue;
        };
        if let Ok(Object::Array(kids)) = node.get(b"Kids").map(|kids| deref(doc, kids)) {
            stack.extend(kids.iter().cloned());
        }
        if let Ok(Object::Array(pairs)) = node.get(b"Names").map(|names| deref(doc, names)) {
            for pair in pairs.chunks(2) {
                if let [Object::String(name, _), value] = pair {
                    if let Some(destination) = as_destination(value) {
                        table.insert(name.clone(), destination);
                    }
                }
            }
        }
    }
    table
}

/// Follows references (a bounded number of hops).
fn deref<'a>(doc: &'a Document, mut object: &'a Object) -> &'a Object {
    for _ in 0..32 {
        match object {
            Object::Reference(id) => match doc.get_object(*id) {
                Ok(target) => object = target,
                Err(_) => return object,
            },
            _ => return object,
        }
    }
    object
}

fn resolve_dict<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Dictionary> {
    match deref(doc, object) {
        Object::Dictionary(dict) => Some(dict),
        Object::Stream(stream) => Some(&stream.dict),
        _ => None,
    }
}

/// The document information dictionary's title, when it has a useful one.
fn info_title(doc: &Document) -> Option<String> {
    let info = resolve_dict(doc, doc.trailer.get(b"Info").ok()?)?;
    let title = lopdf::decode_text_string(deref(doc, info.get(b"Title").ok()?)).ok()?;
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty() && !title.eq_ignore_ascii_case("untitled")).then_some(title)
}

/// Whether any image is stored in the file (a scanned document has one per page).
fn has_images(doc: &Document) -> bool {
    doc.objects.values().any(|object| match object {
        Object::Stream(stream) => stream
            .dict
            .get(b"Subtype")
            .and_then(Object::as_name)
            .is_ok_and(|subtype| subtype == b"Image"),
        _ => false,
    })
}

/// Where an outline title is on a page at or after line `from`: the line (or two
/// consecutive lines) that read the same; `(index, lines taken)`.
fn find_heading(lines: &[Line], from: usize, title: &str) -> Option<(usize, usize)> {
    let wanted = letters_and_digits(title);
    if wanted.is_empty() {
        return None;
    }
    for index in from..lines.len() {
        let one = letters_and_digits(&lines[index].text);
        if one == wanted {
            return Some((index, 1));
        }
        if let Some(next) = lines.get(index + 1) {
            if !one.is_empty() && wanted.starts_with(&one) {
                let two = one + &letters_and_digits(&next.text);
                if two == wanted {
                    return Some((index, 2));
                }
            }
        }
    }
    None
}

/// Markdown with the outline's titles as headings, each where its page shows it (or at
/// the top of its page when the text there differs).
fn render_with_outline(pages: &[PageText], outline: &[OutlineEntry]) -> String {
    let mut by_page: HashMap<u32, Vec<&OutlineEntry>> = HashMap::new();
    for entry in outline {
        by_page.entry(entry.page).or_default().push(entry);
    }
    let mut out = MarkdownOut::default();
    for page in pages {
        let mut cursor = 0;
        for entry in by_page.get(&page.number).into_iter().flatten() {
            let heading = format!(
                "{} {}",
                "#".repeat(entry.level.min(MAX_HEADING_LEVEL)),
                entry.title
            );
            match find_heading(&page.lines, cursor, &entry.title) {
                Some((index, taken)) => {
                    out.body(&page.lines[cursor..index]);
                    out.heading(&heading);
                    cursor = index + taken;
                }
                None => out.heading(&heading),
            }
        }
        out.body(&page.lines[cursor..]);
        out.page_break();
    }
    out.finish()
}

/// Markdown whose headings are the short lines set clearly larger than the body text
/// (the size most characters have), at most three levels by size.
fn render_with_font_headings(pages: &[PageText]) -> String {
    let mut weight_by_size: HashMap<u64, usize> = HashMap::new();
    for line in pages.iter().flat_map(|page| &page.lines) {
        *weight_by_size.entry(size_key(line.size)).or_default() += line.text.chars().count();
    }
    let body = weight_by_size
        .iter()
        .max_by_key(|(size, weight)| (**weight, std::cmp::Reverse(**size)))
        .map(|(size, _)| *size as f64 / 10.0)
        .unwrap_or(0.0);
    let is_heading = |line: &Line| {
        body > 0.0
            && line.size >= body * 1.25
            && line.text.chars().count() <= 120
            && !line.text.ends_with(['.', ',', ';'])
            && line.text.chars().any(char::is_alphabetic)
    };
    let mut heading_sizes: Vec<u64> = pages
        .iter()
        .flat_map(|page| &page.lines)
        .filter(|line| is_heading(line))
        .map(|line| size_key(line.size))
        .collect();
    heading_sizes.sort_unstable_by(|a, b| b.cmp(a));
    heading_sizes.dedup();
    let level_of = |line: &Line| {
        let rank = heading_sizes
            .iter()
            .position(|size| *size == size_key(line.size))
            .unwrap_or(0);
        rank.min(2) + 1
    };
    let mut out = MarkdownOut::default();
    for page in pages {
        let mut start = 0;
        let mut index = 0;
        while index < page.lines.len() {
            let line = &page.lines[index];
            if !is_heading(line) {
                index += 1;
                continue;
            }
            out.body(&page.lines[start..index]);
            // A heading set on two lines of the same size is one heading.
            let mut title = line.text.clone();
            let mut end = index + 1;
            while let Some(next) = page.lines.get(end) {
                if size_key(next.size) != size_key(line.size) || !is_heading(next) || next.gap > 2.0
                {
                    break;
                }
                title.push(' ');
                title.push_str(&next.text);
                end += 1;
            }
            out.heading(&format!("{} {}", "#".repeat(level_of(line)), title));
            start = end;
            index = end;
        }
        out.body(&page.lines[start..]);
        out.page_break();
    }
    out.finish()
}

/// Font sizes to a tenth of a unit, so sizes compare and count.
fn size_key(size: f64) -> u64 {
    (size * 10.0).round().max(0.0) as u64
}

/// Builds the Markdown: paragraphs separated where lines are farther apart than usual.
#[derive(Default)]
struct MarkdownOut {
    text: String,
    /// The body text since the last heading ended at a page break.
    open_paragraph: bool,
}

impl MarkdownOut {
    fn heading(&mut self, heading: &str) {
        self.blank_line();
        self.text.push_str(heading);
        self.text.push('\n');
        self.open_paragraph = false;
    }

    fn body(&mut self, lines: &[Line]) {
        for line in lines {
            // Lines of one paragraph are about 1.2 sizes apart; more is a new paragraph.
            if !self.open_paragraph || line.gap > 1.7 {
                self.blank_line();
            }
            self.text.push_str(&escape_markdown_line(&line.text));
            self.text.push('\n');
            self.open_paragraph = true;
        }
    }

    fn page_break(&mut self) {
        self.open_paragraph = false;
    }

    fn blank_line(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with("\n\n") {
            if !self.text.ends_with('\n') {
                self.text.push('\n');
            }
            self.text.push('\n');
        }
    }

    fn finish(self) -> String {
        self.text.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, size: f64, gap: f64) -> Line {
        Line {
            text: text.to_string(),
            size,
            gap,
        }
    }

    #[test]
    fn outline_titles_become_headings_where_the_page_shows_them() {
        let pages = vec![
            PageText {
                number: 1,
                lines: vec![
                    line("Preface text.", 10.0, 0.0),
                    line("1 Users", 14.0, 2.0),
                    line("Create a user with POST /users.", 10.0, 2.0),
                ],
            },
            PageText {
                number: 2,
                lines: vec![line("Groups hold users.", 10.0, 0.0)],
            },
        ];
        let outline = vec![
            OutlineEntry {
                level: 1,
                title: "1 Users".into(),
                page: 1,
            },
            OutlineEntry {
                level: 2,
                title: "1.1 Groups".into(),
                page: 2,
            },
        ];
        let markdown = render_with_outline(&pages, &outline);
        assert_eq!(
            markdown,
            "Preface text.\n\n# 1 Users\n\nCreate a user with POST /users.\n\n## 1.1 Groups\n\nGroups hold users."
        );
    }

    #[test]
    fn without_an_outline_larger_short_lines_are_headings() {
        let pages = vec![PageText {
            number: 1,
            lines: vec![
                line("Reference Guide", 24.0, 0.0),
                line("Users", 16.0, 3.0),
                line("A user has a name and an email address, and", 10.0, 2.0),
                line("belongs to groups.", 10.0, 1.2),
                line("# not a heading", 10.0, 1.9),
            ],
        }];
        let markdown = render_with_font_headings(&pages);
        assert_eq!(
            markdown,
            "# Reference Guide\n\n## Users\n\nA user has a name and an email address, and\nbelongs to groups.\n\n\\# not a heading"
        );
    }

    #[test]
    fn headings_split_over_two_lines_are_found() {
        let lines = vec![
            line("Intro", 10.0, 0.0),
            line("3.2 Provisioning of", 14.0, 2.0),
            line("accounts", 14.0, 1.2),
        ];
        assert_eq!(
            find_heading(&lines, 0, "3.2 Provisioning of accounts"),
            Some((1, 2))
        );
        assert_eq!(find_heading(&lines, 2, "Intro"), None);
    }

    #[test]
    fn garbage_is_a_clear_error_not_a_panic() {
        let error = pdf_to_markdown(b"%PDF-1.4\nthis is not a pdf", Duration::from_secs(5))
            .expect_err("garbage");
        assert!(error.starts_with("not a readable PDF"), "{error}");
    }
}

#[cfg(test)]
mod fixture_tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/uploads/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
    }

    /// The fixture was written as Markdown, turned into DOCX by pandoc and into a PDF
    /// (with bookmarks) by LibreOffice; `pdftotext` reads the same 584 words from it.
    #[test]
    fn a_real_pdf_keeps_its_text_in_order_with_outline_headings() {
        let converted = pdf_to_markdown(
            &fixture("acme-directory-guide.pdf"),
            Duration::from_secs(30),
        )
        .expect("converts");
        assert_eq!(converted.units, 3);
        assert_eq!(
            converted.title.as_deref(),
            Some("Acme Directory Integration Guide")
        );
        let markdown = &converted.markdown;
        let headings: Vec<&str> = markdown.lines().filter(|l| l.starts_with('#')).collect();
        assert_eq!(
            headings,
            [
                "# Introduction",
                "# Authentication",
                "## Requesting a token",
                "## Scopes",
                "# Accounts",
                "## Listing accounts",
                "## Creating an account",
                "## Updating an account",
                "## Deleting an account",
                "# Groups",
                "## Managing members",
                "# Error handling",
            ]
        );
        let at = |text: &str| {
            markdown
                .find(text)
                .unwrap_or_else(|| panic!("{text} missing"))
        };
        assert!(at("# Groups") < at("Groups may be nested"));
        assert!(at("Groups may be nested") < at("## Managing members"));
        assert!(at("rate limit of 600 requests per minute") < at("# Authentication"));
        assert!(markdown.contains("grant_type=client_credentials&client_id=connector"));
        assert_eq!(
            markdown
                .split_whitespace()
                .filter(|w| !w.starts_with('#'))
                .count(),
            584
        );
    }

    #[test]
    fn an_empty_user_password_opens_and_a_real_one_is_reported() {
        let opened = pdf_to_markdown(&fixture("print-restricted.pdf"), Duration::from_secs(30))
            .expect("an owner password alone does not stop reading");
        assert!(opened.markdown.contains("## Managing members"));
        let error = pdf_to_markdown(&fixture("password-protected.pdf"), Duration::from_secs(30))
            .expect_err("needs a password");
        assert!(error.contains("encrypted with a password"), "{error}");
    }
}
