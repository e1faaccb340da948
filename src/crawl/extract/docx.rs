//! DOCX → Markdown: paragraphs in order, headings from paragraph styles (built-in
//! "heading N" and "Title", or any style with an outline level), list items, tables as
//! Markdown tables, and code-styled paragraphs as fenced blocks.
//!
//! A DOCX is a ZIP of XML parts. Every part is read through a size cap, so a ZIP bomb
//! stops at the cap instead of filling memory, and the XML is read as a stream (no tree,
//! no recursion), so deep nesting costs nothing.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::converted::{escape_markdown_line, Converted};

/// Largest uncompressed main document part.
const MAX_DOCUMENT_XML: u64 = 64 * 1024 * 1024;
/// Largest uncompressed styles, relationships or properties part.
const MAX_SMALL_PART: u64 = 8 * 1024 * 1024;
/// Entries a DOCX may have; real ones have a few dozen.
const MAX_ENTRIES: usize = 10_000;
/// Paragraphs nested in paragraphs (text boxes) or tables in tables, beyond which inner
/// structure is flattened into its container.
const MAX_NESTING: usize = 32;

/// Converts a DOCX to Markdown, or says in one line why it cannot.
pub fn docx_to_markdown(bytes: &[u8]) -> Result<Converted, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|err| format!("not a readable DOCX (ZIP) file: {err}"))?;
    if archive.len() > MAX_ENTRIES {
        return Err(format!(
            "the DOCX has {} entries, more than the {MAX_ENTRIES} a document has",
            archive.len()
        ));
    }
    let main = main_part_name(&mut archive);
    let document = read_part(&mut archive, &main, MAX_DOCUMENT_XML)?.ok_or_else(|| {
        "the file is a ZIP without a Word document (word/document.xml); only DOCX is supported"
            .to_string()
    })?;
    let folder = main.rsplit_once('/').map(|(dir, _)| dir).unwrap_or("");
    let styles = read_part(
        &mut archive,
        &format!("{folder}/styles.xml"),
        MAX_SMALL_PART,
    )?
    .map(|xml| Styles::parse(&xml))
    .unwrap_or_default();
    let title = read_part(&mut archive, "docProps/core.xml", MAX_SMALL_PART)?
        .and_then(|xml| core_title(&xml));
    let (markdown, paragraphs) = convert_document(&document, &styles)?;
    if markdown.trim().is_empty() {
        return Err("the DOCX contains no text".to_string());
    }
    Ok(Converted {
        title,
        markdown,
        units: paragraphs,
    })
}

/// The main document part named by the package relationships (`word/document.xml` in
/// every ordinary file).
fn main_part_name(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> String {
    let fallback = "word/document.xml".to_string();
    let Ok(Some(rels)) = read_part(archive, "_rels/.rels", MAX_SMALL_PART) else {
        return fallback;
    };
    let mut reader = Reader::from_reader(rels.as_slice());
    let mut buffer = Vec::new();
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Empty(tag) | Event::Start(tag))
                if tag.local_name().into_inner() == "Relationship" =>
            {
                let kind = attribute(&tag, "Type").unwrap_or_default();
                if kind.ends_with("/officeDocument") {
                    if let Some(target) = attribute(&tag, "Target") {
                        return target.trim_start_matches('/').to_string();
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => return fallback,
            _ => {}
        }
        buffer.clear();
    }
}

/// A part's bytes, `None` when the archive has no such entry; an error when it is larger
/// than `cap` uncompressed or unreadable.
fn read_part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    cap: u64,
) -> Result<Option<Vec<u8>>, String> {
    let entry = match archive.by_name(name) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(err) => return Err(format!("the DOCX part {name} cannot be read: {err}")),
    };
    let mut bytes = Vec::new();
    entry
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| format!("the DOCX part {name} cannot be read: {err}"))?;
    if bytes.len() as u64 > cap {
        return Err(format!(
            "the DOCX part {name} is larger than {} MiB uncompressed (a ZIP bomb?)",
            cap >> 20
        ));
    }
    Ok(Some(bytes))
}

fn attribute(tag: &BytesStart<'_>, local: &str) -> Option<String> {
    tag.attributes()
        .flatten()
        .find(|attr| attr.key.local_name().into_inner() == local)
        .and_then(|attr| {
            attr.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|value| value.into_owned())
        })
}

/// What the styles part says about paragraph styles.
#[derive(Debug, Default)]
struct Styles {
    /// Style id → its heading level (1-based).
    heading_level: HashMap<String, usize>,
    /// Style ids of code / preformatted paragraphs.
    code: std::collections::HashSet<String>,
}

impl Styles {
    fn parse(xml: &[u8]) -> Styles {
        struct Raw {
            name: String,
            based_on: Option<String>,
            outline: Option<usize>,
        }
        let mut raw: HashMap<String, Raw> = HashMap::new();
        let mut current: Option<String> = None;
        let mut reader = Reader::from_reader(xml);
        let mut buffer = Vec::new();
        loop {
            let event = match reader.read_event_into(&mut buffer) {
                Ok(Event::Eof) | Err(_) => break,
                Ok(event) => event,
            };
            match event {
                Event::Start(tag) | Event::Empty(tag) => match tag.local_name().into_inner() {
                    "style" => {
                        let paragraph = attribute(&tag, "type").is_none_or(|t| t == "paragraph");
                        current = attribute(&tag, "styleId").filter(|_| paragraph);
                        if let Some(id) = &current {
                            raw.insert(
                                id.clone(),
                                Raw {
                                    name: String::new(),
                                    based_on: None,
                                    outline: None,
                                },
                            );
                        }
                    }
                    "name" | "basedOn" | "outlineLvl" => {
                        let Some(style) = current.as_ref().and_then(|id| raw.get_mut(id)) else {
                            continue;
                        };
                        let value = attribute(&tag, "val").unwrap_or_default();
                        match tag.local_name().into_inner() {
                            "name" => style.name = value.to_ascii_lowercase(),
                            "basedOn" => style.based_on = Some(value),
                            _ => style.outline = value.parse::<usize>().ok(),
                        }
                    }
                    _ => {}
                },
                Event::End(tag) if tag.local_name().into_inner() == "style" => current = None,
                _ => {}
            }
            buffer.clear();
        }
        let own_level = |style: &Raw| -> Option<usize> {
            if style.name == "title" {
                return Some(1);
            }
            if let Some(level) = style.name.strip_prefix("heading ") {
                return level
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|l| (1..=9).contains(l));
            }
            // outlineLvl 9 means body text.
            style
                .outline
                .filter(|level| *level < 9)
                .map(|level| level + 1)
        };
        let mut styles = Styles::default();
        for (id, style) in &raw {
            // Follow basedOn a few steps: a custom style based on "heading 2" is one.
            let mut probe = Some(style);
            for _ in 0..8 {
                let Some(current) = probe else { break };
                if let Some(level) = own_level(current) {
                    styles.heading_level.insert(id.clone(), level.min(6));
                    break;
                }
                probe = current.based_on.as_ref().and_then(|base| raw.get(base));
            }
            let name = &style.name;
            if name.contains("code") || name.contains("preformatted") || name == "verbatim" {
                styles.code.insert(id.clone());
            }
        }
        styles
    }
}

/// `dc:title` of the core properties.
fn core_title(xml: &[u8]) -> Option<String> {
    let mut reader = Reader::from_reader(xml);
    let mut buffer = Vec::new();
    let mut in_title = false;
    let mut title = String::new();
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(tag)) if tag.local_name().into_inner() == "title" => in_title = true,
            Ok(Event::End(tag)) if tag.local_name().into_inner() == "title" => break,
            Ok(Event::Text(text)) if in_title => title.push_str(&text.xml10_content()),
            Ok(Event::GeneralRef(reference)) if in_title => {
                title.push_str(&resolve_entity(&reference.into_inner()));
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buffer.clear();
    }
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then_some(title)
}

/// The text of a predefined or numeric XML entity reference (`amp`, `#x41` …).
fn resolve_entity(name: &str) -> String {
    match name {
        "amp" => "&".to_string(),
        "lt" => "<".to_string(),
        "gt" => ">".to_string(),
        "quot" => "\"".to_string(),
        "apos" => "'".to_string(),
        _ => {
            let code =
                if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    u32::from_str_radix(hex, 16).ok()
                } else {
                    name.strip_prefix('#').and_then(|dec| dec.parse().ok())
                };
            code.and_then(char::from_u32)
                .map(String::from)
                .unwrap_or_default()
        }
    }
}

/// A paragraph being read.
#[derive(Debug, Default)]
struct Paragraph {
    style: Option<String>,
    outline_level: Option<usize>,
    list_level: Option<usize>,
    text: String,
}

/// A table being read: rows of cells of text.
#[derive(Debug, Default)]
struct Table {
    rows: Vec<Vec<String>>,
}

/// Where text goes while the document part is read.
struct Converter<'a> {
    styles: &'a Styles,
    out: String,
    paragraphs: Vec<Paragraph>,
    tables: Vec<Table>,
    /// Text of the cell being read, per open table.
    cells: Vec<String>,
    in_code_block: bool,
    paragraph_count: usize,
    /// Inside `w:t` (text to keep), `w:delText` / `w:instrText` (text to drop).
    in_text: bool,
    in_dropped_text: bool,
    /// Paragraphs and tables opened past `MAX_NESTING`, not tracked on their own.
    untracked_paragraphs: usize,
    untracked_tables: usize,
}

fn convert_document(xml: &[u8], styles: &Styles) -> Result<(String, usize), String> {
    let mut converter = Converter {
        styles,
        out: String::new(),
        paragraphs: Vec::new(),
        tables: Vec::new(),
        cells: Vec::new(),
        in_code_block: false,
        paragraph_count: 0,
        in_text: false,
        in_dropped_text: false,
        untracked_paragraphs: 0,
        untracked_tables: 0,
    };
    let mut reader = Reader::from_reader(xml);
    let mut buffer = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buffer)
            .map_err(|err| format!("the DOCX's document XML is malformed: {err}"))?;
        match event {
            Event::Eof => break,
            Event::Start(tag) => converter.start(&tag, false),
            Event::Empty(tag) => converter.start(&tag, true),
            Event::End(tag) => converter.end(tag.local_name().into_inner()),
            Event::Text(text) if converter.in_text && !converter.in_dropped_text => {
                converter.push_text(&text.xml10_content());
            }
            Event::GeneralRef(reference) if converter.in_text && !converter.in_dropped_text => {
                converter.push_text(&resolve_entity(&reference.into_inner()));
            }
            _ => {}
        }
        buffer.clear();
    }
    converter.close_code_block();
    Ok((converter.out.trim().to_string(), converter.paragraph_count))
}

impl Converter<'_> {
    fn start(&mut self, tag: &BytesStart<'_>, empty: bool) {
        match tag.local_name().into_inner() {
            "p" if !empty => {
                if self.paragraphs.len() < MAX_NESTING {
                    self.paragraphs.push(Paragraph::default());
                } else {
                    // Too deep: the text stays in the enclosing paragraph.
                    self.untracked_paragraphs += 1;
                    self.push_text(" ");
                }
            }
            "pStyle" => {
                if let Some(paragraph) = self.paragraphs.last_mut() {
                    paragraph.style = attribute(tag, "val");
                }
            }
            "outlineLvl" => {
                if let Some(paragraph) = self.paragraphs.last_mut() {
                    paragraph.outline_level = attribute(tag, "val")
                        .and_then(|v| v.parse::<usize>().ok())
                        .filter(|level| *level < 9)
                        .map(|level| level + 1);
                }
            }
            "ilvl" => {
                if let Some(paragraph) = self.paragraphs.last_mut() {
                    paragraph.list_level = Some(
                        attribute(tag, "val")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0),
                    );
                }
            }
            "numId" => {
                if let Some(paragraph) = self.paragraphs.last_mut() {
                    // numId 0 removes numbering.
                    if attribute(tag, "val").as_deref() == Some("0") {
                        paragraph.list_level = None;
                    } else if paragraph.list_level.is_none() {
                        paragraph.list_level = Some(0);
                    }
                }
            }
            "t" if !empty => self.in_text = true,
            "delText" | "instrText" if !empty => self.in_dropped_text = true,
            "tab" => self.push_text("\t"),
            "br" | "cr" => self.push_text("\n"),
            "noBreakHyphen" => self.push_text("-"),
            "tbl" if !empty => {
                if self.tables.len() < MAX_NESTING {
                    self.tables.push(Table::default());
                    self.cells.push(String::new());
                } else {
                    self.untracked_tables += 1;
                }
            }
            "tr" if !empty => {
                if let Some(table) = self.tables.last_mut() {
                    table.rows.push(Vec::new());
                }
            }
            "tc" if !empty => {
                if let Some(cell) = self.cells.last_mut() {
                    cell.clear();
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "t" => self.in_text = false,
            "delText" | "instrText" => self.in_dropped_text = false,
            "p" if self.untracked_paragraphs > 0 => self.untracked_paragraphs -= 1,
            "tbl" if self.untracked_tables > 0 => self.untracked_tables -= 1,
            "p" => {
                if let Some(paragraph) = self.paragraphs.pop() {
                    self.finish_paragraph(paragraph);
                }
            }
            "tc" => {
                let text = self
                    .cells
                    .last_mut()
                    .map(std::mem::take)
                    .unwrap_or_default();
                if let Some(row) = self.tables.last_mut().and_then(|t| t.rows.last_mut()) {
                    row.push(text);
                }
            }
            "tbl" => {
                if let Some(table) = self.tables.pop() {
                    self.cells.pop();
                    let markdown = render_table(&table);
                    if self.tables.is_empty() {
                        self.block(&markdown);
                    } else if let Some(cell) = self.cells.last_mut() {
                        // A table in a table cell: its text joins the cell.
                        let flat = table
                            .rows
                            .iter()
                            .map(|row| row.join(" "))
                            .collect::<Vec<_>>()
                            .join(" ");
                        push_spaced(cell, &flat);
                    }
                }
            }
            _ => {}
        }
    }

    fn push_text(&mut self, text: &str) {
        if let Some(paragraph) = self.paragraphs.last_mut() {
            paragraph.text.push_str(text);
        }
    }

    fn finish_paragraph(&mut self, paragraph: Paragraph) {
        self.paragraph_count += 1;
        // A paragraph inside a paragraph (a text box) joins its host's flow as a block.
        let style = paragraph.style.as_deref().unwrap_or("");
        let is_code = self.styles.code.contains(style);
        if !self.tables.is_empty() {
            let text = paragraph
                .text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if let Some(cell) = self.cells.last_mut() {
                push_spaced(cell, &text);
            }
            return;
        }
        if is_code {
            if !self.in_code_block {
                self.blank_line();
                self.out.push_str("```\n");
                self.in_code_block = true;
            }
            self.out.push_str(paragraph.text.trim_end());
            self.out.push('\n');
            return;
        }
        let text = paragraph
            .text
            .lines()
            .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>();
        if text.is_empty() {
            return;
        }
        let level = self
            .styles
            .heading_level
            .get(style)
            .copied()
            .or(paragraph.outline_level);
        if let Some(level) = level {
            self.block(&format!("{} {}", "#".repeat(level.min(6)), text.join(" ")));
        } else if let Some(list_level) = paragraph.list_level {
            self.close_code_block();
            if !self.out.ends_with('\n') && !self.out.is_empty() {
                self.out.push('\n');
            }
            // List items follow each other without blank lines.
            if !self.out.is_empty() && !self.last_line_is_list_item() {
                self.blank_line();
            }
            self.out.push_str(&"  ".repeat(list_level.min(8)));
            self.out.push_str("- ");
            self.out.push_str(&text.join(" "));
            self.out.push('\n');
        } else {
            let lines: Vec<String> = text.iter().map(|line| escape_markdown_line(line)).collect();
            self.block(&lines.join("  \n"));
        }
    }

    fn last_line_is_list_item(&self) -> bool {
        self.out
            .trim_end_matches('\n')
            .rsplit('\n')
            .next()
            .is_some_and(|line| line.trim_start().starts_with("- "))
    }

    fn block(&mut self, text: &str) {
        self.close_code_block();
        self.blank_line();
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn close_code_block(&mut self) {
        if self.in_code_block {
            self.out.push_str("```\n");
            self.in_code_block = false;
        }
    }

    fn blank_line(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            if !self.out.ends_with('\n') {
                self.out.push('\n');
            }
            self.out.push('\n');
        }
    }
}

fn push_spaced(target: &mut String, text: &str) {
    if text.is_empty() {
        return;
    }
    if !target.is_empty() {
        target.push(' ');
    }
    target.push_str(text);
}

/// A Markdown table: the first row is the header; short rows are padded.
fn render_table(table: &Table) -> String {
    let rows: Vec<&Vec<String>> = table.rows.iter().filter(|row| !row.is_empty()).collect();
    let Some(columns) = rows.iter().map(|row| row.len()).max() else {
        return String::new();
    };
    let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    let line = |row: &Vec<String>| {
        let mut cells: Vec<String> = row.iter().map(|text| cell(text)).collect();
        cells.resize(columns, String::new());
        format!("| {} |", cells.join(" | "))
    };
    let mut out = Vec::with_capacity(rows.len() + 1);
    out.push(line(rows[0]));
    out.push(format!("|{}", " --- |".repeat(columns)));
    out.extend(rows[1..].iter().map(|row| line(row)));
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A DOCX with the given document.xml body and a styles part declaring Heading1/2.
    pub(crate) fn docx(body: &str) -> Vec<u8> {
        let mut bytes = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut bytes);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            zip.start_file("[Content_Types].xml", options)
                .expect("entry");
            zip.write_all(b"<Types/>").expect("write");
            zip.start_file("word/styles.xml", options).expect("entry");
            zip.write_all(br#"<w:styles xmlns:w="w"><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style><w:style w:type="paragraph" w:styleId="Custom2"><w:name w:val="My Heading"/><w:basedOn w:val="Heading2"/></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style><w:style w:type="paragraph" w:styleId="SourceCode"><w:name w:val="Source Code"/></w:style></w:styles>"#).expect("write");
            zip.start_file("word/document.xml", options).expect("entry");
            write!(
                zip,
                r#"<w:document xmlns:w="w"><w:body>{body}</w:body></w:document>"#
            )
            .expect("write");
            zip.finish().expect("finish");
        }
        bytes.into_inner()
    }

    fn para(style: &str, text: &str) -> String {
        let style = if style.is_empty() {
            String::new()
        } else {
            format!(r#"<w:pPr><w:pStyle w:val="{style}"/></w:pPr>"#)
        };
        format!(r#"<w:p>{style}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
    }

    #[test]
    fn headings_paragraphs_lists_tables_and_code() {
        let body = [
            para("Heading1", "Users API"),
            para("", "Create &amp; list users."),
            r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>first</w:t></w:r></w:p>"#.to_string(),
            r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>nested</w:t></w:r></w:p>"#.to_string(),
            para("Custom2", "Fields"),
            r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Name</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Type</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>id</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>a|b</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#.to_string(),
            para("SourceCode", "GET /users"),
            para("SourceCode", "  Accept: json"),
            r#"<w:p><w:r><w:t>kept</w:t></w:r><w:del><w:r><w:delText>dropped</w:delText></w:r></w:del><w:r><w:tab/><w:t>tabbed</w:t></w:r></w:p>"#.to_string(),
        ]
        .concat();
        let converted = docx_to_markdown(&docx(&body)).expect("converts");
        assert_eq!(
            converted.markdown,
            "# Users API\n\nCreate & list users.\n\n- first\n  - nested\n\n## Fields\n\n| Name | Type |\n| --- | --- |\n| id | a\\|b |\n\n```\nGET /users\n  Accept: json\n```\n\nkept tabbed"
        );
    }

    #[test]
    fn zip_bombs_stop_at_the_cap() {
        let mut bytes = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut bytes);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            zip.start_file("word/document.xml", options).expect("entry");
            let block = vec![b' '; 1 << 20];
            for _ in 0..(MAX_DOCUMENT_XML >> 20) + 1 {
                zip.write_all(&block).expect("write");
            }
            zip.finish().expect("finish");
        }
        let bytes = bytes.into_inner();
        assert!(bytes.len() < 1 << 20, "the bomb is small: {}", bytes.len());
        let error = docx_to_markdown(&bytes).expect_err("bomb");
        assert!(error.contains("ZIP bomb"), "{error}");
    }

    #[test]
    fn other_zips_and_garbage_say_what_they_are() {
        let mut bytes = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut bytes);
            zip.start_file("xl/workbook.xml", zip::write::SimpleFileOptions::default())
                .expect("entry");
            zip.write_all(b"<workbook/>").expect("write");
            zip.finish().expect("finish");
        }
        let error = docx_to_markdown(&bytes.into_inner()).expect_err("xlsx");
        assert!(error.contains("without a Word document"), "{error}");
        assert!(docx_to_markdown(b"PK\x03\x04garbage").is_err());
        assert!(docx_to_markdown(&docx(&para("", "  "))).is_err());
    }
}

#[cfg(test)]
mod fixture_tests {
    use super::*;

    /// Written as Markdown and turned into DOCX by pandoc (heading styles, a table, a
    /// code block in the "Source Code" style, a bulleted list).
    #[test]
    fn a_real_docx_keeps_headings_tables_lists_and_code() {
        let path = format!(
            "{}/tests/fixtures/uploads/acme-directory-guide.docx",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
        let converted = docx_to_markdown(&bytes).expect("converts");
        let markdown = &converted.markdown;
        assert_eq!(
            converted.title.as_deref(),
            Some("Acme Directory Integration Guide")
        );
        let headings: Vec<&str> = markdown.lines().filter(|l| l.starts_with('#')).collect();
        assert_eq!(headings.len(), 13, "{headings:?}");
        assert_eq!(headings[1], "# Introduction");
        assert_eq!(headings[12], "# Error handling");
        assert!(markdown.contains(
            "| Scope | Grants |\n| --- | --- |\n| accounts.read | list and read accounts |"
        ));
        assert!(markdown
            .contains("```\nPOST /oauth/token\nContent-Type: application/x-www-form-urlencoded\n"));
        assert!(markdown.contains("- not_found: the account or group does not exist\n- conflict:"));
        let at = |text: &str| {
            markdown
                .find(text)
                .unwrap_or_else(|| panic!("{text} missing"))
        };
        assert!(
            at("# Groups") < at("Groups may be nested")
                && at("Groups may be nested") < at("## Managing members")
        );
    }
}
