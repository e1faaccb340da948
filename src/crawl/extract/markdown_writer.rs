//! Block-structured Markdown builder used by the HTML extractor.
//!
//! The HTML walker is iterative and only reports "element opened / text /
//! element closed" events, so all knowledge about Markdown layout (blank
//! lines, list indentation, quote prefixes, table pipes, escaping) lives
//! here. Inline content accumulates in one buffer and is turned into lines
//! only when a block ends; every line then gets the prefixes of the open
//! containers (`> `, list markers or their indentation).

use std::borrow::Cow;

use crate::crawl::text::{code_fence, longest_run};

/// Deeper quote/list nesting adds nothing for a reader but would make every
/// line's prefix grow without bound on hostile input.
const MAX_CONTAINER_DEPTH: usize = 16;
/// The widest table kept: a row's cells (colspans counted) stop at this many columns while
/// the table is read, so that an absurd `colspan` or row costs nothing beyond its text.
const MAX_TABLE_COLUMNS: usize = 64;

enum Container {
    Quote { started: bool },
    Item { marker: String, started: bool },
}

impl Container {
    fn started(&self) -> bool {
        match self {
            Container::Quote { started } | Container::Item { started, .. } => *started,
        }
    }
}

struct ListState {
    ordered: bool,
    next_number: u64,
    items: usize,
}

/// Where an inline span (emphasis, link, …) began in the inline buffer.
/// The generation detects that the buffer was flushed in between (a block
/// inside an inline element), in which case the span is left unwrapped.
#[derive(Clone, Copy, Debug)]
pub struct SpanStart {
    pos: usize,
    generation: u64,
}

#[derive(Default)]
struct TableBuilder {
    rows: Vec<Vec<(String, usize)>>,
    open_cell: Option<usize>,
    caption: Option<String>,
    in_caption: bool,
}

#[derive(Default)]
pub struct MarkdownWriter {
    out: String,
    inline: String,
    generation: u64,
    pending_blank: bool,
    containers: Vec<Container>,
    lists: Vec<ListState>,
    table: Option<TableBuilder>,
    table_depth: usize,
    /// The tag the converter gave the paragraph being written (see [`Self::tag_paragraph`]).
    paragraph_tag: Option<u64>,
    /// Tagged paragraphs written so far: where each starts and ends in the output, its tag.
    tagged: Vec<(usize, usize, u64)>,
    /// The marker width of the list item closed last, when it wrote its marker line;
    /// cleared when a list or an item starts or ends after it (see
    /// [`Self::continue_item`]).
    closed_item_width: Option<usize>,
}

impl MarkdownWriter {
    pub fn new() -> Self {
        Self::default()
    }

    fn in_table(&self) -> bool {
        self.table_depth > 0
    }

    /// Bytes written so far (inline text not yet flushed excluded).
    pub fn written_len(&self) -> usize {
        self.out.len()
    }

    /// Whether what is written now stands outside any list, quote or table, so that a
    /// range of it can be cut out without breaking the Markdown around it.
    pub fn at_top_level(&self) -> bool {
        self.containers.is_empty() && self.lists.is_empty() && !self.in_table()
    }

    /// The Markdown written between two earlier `len()`s.
    pub fn written(&self, start: usize, end: usize) -> Option<&str> {
        self.out.get(start..end)
    }

    // ----- inline content -------------------------------------------------

    /// Appends document text: whitespace collapsed, Markdown escaped. One pass over the
    /// text, each character escaped by its neighbours (a collapsed copy of the text and a
    /// vector of its characters, made to know them, cost a tenth of writing a page's
    /// Markdown).
    pub fn push_text(&mut self, text: &str) {
        let mut last = self.inline.chars().next_back();
        let mut chars = collapsed_chars(text).peekable();
        while let Some(c) = chars.next() {
            if c == ' ' {
                if !is_gap(last) {
                    self.inline.push(' ');
                    last = Some(' ');
                }
                continue;
            }
            push_escaped(&mut self.inline, last, c, chars.peek().copied());
            last = Some(c);
        }
    }

    /// Appends already-formatted Markdown (code spans, images).
    pub fn push_raw(&mut self, markdown: &str) {
        self.inline.push_str(markdown);
    }

    /// True when a following space would be redundant.
    fn ends_with_gap(&self) -> bool {
        is_gap(self.inline.chars().next_back())
    }

    pub fn hard_break(&mut self) {
        let trimmed = self.inline.trim_end_matches(' ').len();
        self.inline.truncate(trimmed);
        self.inline.push('\n');
    }

    pub fn span_start(&self) -> SpanStart {
        SpanStart {
            pos: self.inline.len(),
            generation: self.generation,
        }
    }

    fn span_content(&self, start: SpanStart) -> Option<&str> {
        if start.generation != self.generation {
            return None;
        }
        self.inline.get(start.pos..)
    }

    /// Wraps everything since `start` in `open`/`close`, keeping surrounding
    /// whitespace outside the delimiters (CommonMark would otherwise refuse
    /// to treat `** x**` as emphasis).
    pub fn span_wrap(&mut self, start: SpanStart, open: &str, close: &str) {
        let Some(content) = self.span_content(start) else {
            return;
        };
        let inner = content.trim_matches(|c| c == ' ' || c == '\n');
        if inner.is_empty() {
            return;
        }
        let lead = &content[..content.len() - content.trim_start_matches([' ', '\n']).len()];
        let trail = &content[content.trim_end_matches([' ', '\n']).len()..];
        let wrapped = format!("{lead}{open}{inner}{close}{trail}");
        self.inline.truncate(start.pos);
        self.inline.push_str(&wrapped);
    }

    /// Turns everything since `start` into `[text](destination)`; drops a
    /// link without visible text because it carries nothing for a reader.
    pub fn span_link(&mut self, start: SpanStart, destination: &str) {
        let Some(content) = self.span_content(start) else {
            return;
        };
        let inner = content.trim();
        if inner.is_empty() {
            self.inline.truncate(start.pos);
            return;
        }
        // Written piece by piece (a `format!` of a copy took a percent of a page's
        // instructions on link-heavy manuals), the link's text on one line.
        let lead = if content.starts_with([' ', '\n']) {
            " "
        } else {
            ""
        };
        let trail = if content.ends_with([' ', '\n']) {
            " "
        } else {
            ""
        };
        let destination = link_destination(destination);
        let mut wrapped = String::with_capacity(inner.len() + destination.len() + 6);
        wrapped.push_str(lead);
        wrapped.push('[');
        for (i, line) in inner.split('\n').enumerate() {
            if i > 0 {
                wrapped.push(' ');
            }
            wrapped.push_str(line);
        }
        wrapped.push_str("](");
        wrapped.push_str(&destination);
        wrapped.push(')');
        wrapped.push_str(trail);
        self.inline.truncate(start.pos);
        self.inline.push_str(&wrapped);
    }

    // ----- blocks -----------------------------------------------------------

    /// Ends the current paragraph; the next block is separated by a blank line.
    pub fn block_boundary(&mut self) {
        self.flush_paragraph();
        self.request_blank();
    }

    fn request_blank(&mut self) {
        // The first block of a list item shares the marker line, so a blank
        // line there would detach it from its bullet.
        if let Some(Container::Item { started: false, .. }) = self.containers.last() {
            return;
        }
        self.pending_blank = true;
    }

    fn flush_paragraph(&mut self) {
        if self.in_table() {
            if !self.inline.trim().is_empty() && !self.inline.ends_with('\n') {
                self.hard_break();
            }
            self.paragraph_tag = None;
            return;
        }
        self.generation += 1;
        let text = std::mem::take(&mut self.inline);
        let lines: Vec<&str> = text
            .split('\n')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let last = lines.len().saturating_sub(1);
        let start = self.out.len();
        for (i, line) in lines.iter().enumerate() {
            let escaped = escape_line_start(line);
            if i < last {
                self.emit_line(&format!("{escaped}\\"));
            } else {
                self.emit_line(&escaped);
            }
        }
        let tag = self.paragraph_tag.take();
        if !lines.is_empty() {
            if let Some(tag) = tag {
                self.tagged.push((start, self.out.len(), tag));
            }
            self.request_blank();
        }
    }

    /// Tags the paragraph being written (unless it has a tag already): when it is flushed
    /// its place in the output is kept with the tag, for [`Self::take_tagged`].
    pub fn tag_paragraph(&mut self, tag: impl FnOnce() -> u64) {
        if self.paragraph_tag.is_none() {
            self.paragraph_tag = Some(tag());
        }
    }

    /// The tagged paragraphs written so far, as (start, end, tag), in the order written.
    pub fn take_tagged(&mut self) -> Vec<(usize, usize, u64)> {
        std::mem::take(&mut self.tagged)
    }

    fn emit_line(&mut self, content: &str) {
        if self.pending_blank && !self.out.is_empty() {
            let blank = self.blank_prefix();
            self.out.push_str(blank.trim_end());
            self.out.push('\n');
        }
        self.pending_blank = false;
        let prefix = self.line_prefix();
        let line = format!("{prefix}{content}");
        self.out.push_str(line.trim_end());
        self.out.push('\n');
    }

    fn blank_prefix(&self) -> String {
        let mut prefix = String::new();
        for container in self.containers.iter().take_while(|c| c.started()) {
            match container {
                Container::Quote { .. } => prefix.push_str("> "),
                Container::Item { marker, .. } => prefix.push_str(&" ".repeat(marker.len())),
            }
        }
        prefix
    }

    fn line_prefix(&mut self) -> String {
        let mut prefix = String::new();
        for container in &mut self.containers {
            match container {
                Container::Quote { started } => {
                    prefix.push_str("> ");
                    *started = true;
                }
                Container::Item { marker, started } if *started => {
                    prefix.push_str(&" ".repeat(marker.len()));
                }
                Container::Item { marker, started } => {
                    prefix.push_str(marker);
                    *started = true;
                }
            }
        }
        prefix
    }

    /// Whether what is written now goes into a quote (`> `), at any depth.
    pub fn in_quote(&self) -> bool {
        self.containers
            .iter()
            .any(|c| matches!(c, Container::Quote { .. }))
    }

    pub fn heading_start(&mut self) {
        self.block_boundary();
    }

    pub fn heading_end(&mut self, level: u8) {
        if self.in_table() {
            self.flush_paragraph();
            return;
        }
        self.generation += 1;
        self.paragraph_tag = None;
        let raw = std::mem::take(&mut self.inline);
        let text = raw.replace('\n', " ");
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            let hashes = "#".repeat(usize::from(level.clamp(1, 6)));
            self.emit_line(&format!("{hashes} {}", escape_closing_hashes(&text)));
        }
        self.request_blank();
    }

    /// A code signature (API definition) rendered as inline code on its own line.
    pub fn code_line(&mut self, code: &str) {
        let code = code.split_whitespace().collect::<Vec<_>>().join(" ");
        if code.is_empty() {
            return;
        }
        self.block_boundary();
        self.push_raw(&code_span(&code));
        self.block_boundary();
    }

    /// A code span. Space that opens the code stays as a space before the span, and a span
    /// right after another is set apart by one: `` `a``b` `` would read as a single span of
    /// `` a``b `` (odoc writes `type vertex` and ` = V.t` as two adjacent `<code>`s).
    pub fn inline_code(&mut self, code: &str) {
        let spaced = code.starts_with(char::is_whitespace);
        let code = code.split_whitespace().collect::<Vec<_>>().join(" ");
        if code.is_empty() {
            return;
        }
        if (spaced || self.inline.ends_with('`')) && !self.ends_with_gap() {
            self.inline.push(' ');
        }
        self.push_raw(&code_span(&code));
    }

    pub fn code_block(&mut self, language: &str, code: &str) {
        let code = trim_code(code);
        if code.is_empty() {
            return;
        }
        if self.in_table() {
            self.inline_code(code);
            return;
        }
        self.block_boundary();
        let fence = code_fence(code);
        self.emit_line(&format!("{fence}{language}"));
        for line in code.split('\n') {
            self.emit_line(line);
        }
        self.emit_line(&fence);
        self.request_blank();
    }

    pub fn thematic_break(&mut self) {
        if self.in_table() {
            return;
        }
        self.block_boundary();
        // A rule parts what is around it: above everything, or right under another rule,
        // it parts nothing (a Texinfo node's `<hr>` under its dropped navigation header),
        // and a Markdown file opening with `---` reads as front matter to many tools.
        let written = self.out.trim_end();
        if written.is_empty() || ends_with_rule(written) {
            return;
        }
        self.emit_line("---");
        self.request_blank();
    }

    // ----- containers ------------------------------------------------------

    /// Returns whether a container was pushed, to be handed back to
    /// [`Self::pop_container`].
    pub fn push_quote(&mut self) -> bool {
        self.block_boundary();
        if self.in_table() || self.containers.len() >= MAX_CONTAINER_DEPTH {
            return false;
        }
        self.containers.push(Container::Quote { started: false });
        true
    }

    pub fn pop_container(&mut self, pushed: bool) {
        self.flush_paragraph();
        self.closed_item_width = None;
        if pushed {
            // An item that wrote nothing has no line for what follows to continue.
            if let Some(Container::Item {
                marker,
                started: true,
            }) = self.containers.pop()
            {
                self.closed_item_width = Some(marker.len());
            }
        }
        self.request_blank();
    }

    /// Continues the list item closed just before, as its next lines: what an outline
    /// writes under an entry comes in the element after the entry's (a `<dd>` after its
    /// `<dt>`). Returns whether a container was pushed: not when no item was closed just
    /// before (see [`Self::pop_container`]).
    pub fn continue_item(&mut self) -> bool {
        self.flush_paragraph();
        let Some(width) = self.closed_item_width.take() else {
            return false;
        };
        if self.in_table() || self.containers.len() >= MAX_CONTAINER_DEPTH {
            return false;
        }
        self.containers.push(Container::Item {
            marker: " ".repeat(width),
            started: true,
        });
        true
    }

    pub fn start_list(&mut self, ordered: bool, start: u64) {
        self.flush_paragraph();
        self.closed_item_width = None;
        // A list nested in an item hugs its parent line; elsewhere a list is
        // its own block.
        let nested = matches!(self.containers.last(), Some(Container::Item { .. }));
        if nested {
            self.pending_blank = false;
        } else {
            self.request_blank();
        }
        self.lists.push(ListState {
            ordered,
            next_number: start,
            items: 0,
        });
    }

    pub fn end_list(&mut self) {
        self.flush_paragraph();
        self.closed_item_width = None;
        self.lists.pop();
        self.request_blank();
    }

    /// Returns whether a container was pushed (see [`Self::pop_container`]).
    pub fn start_item(&mut self) -> bool {
        self.flush_paragraph();
        self.closed_item_width = None;
        if self.in_table() {
            return false;
        }
        let marker = self.next_marker();
        if self.containers.len() >= MAX_CONTAINER_DEPTH {
            return false;
        }
        self.containers.push(Container::Item {
            marker,
            started: false,
        });
        true
    }

    fn next_marker(&mut self) -> String {
        let Some(list) = self.lists.last_mut() else {
            return "- ".to_string();
        };
        if list.items > 0 {
            // Items of one list are tight; separation comes from the marker.
            self.pending_blank = false;
        }
        list.items += 1;
        if list.ordered {
            let number = list.next_number;
            list.next_number = list.next_number.saturating_add(1);
            format!("{number}. ")
        } else {
            "- ".to_string()
        }
    }

    // ----- tables ----------------------------------------------------------

    pub fn start_table(&mut self) {
        if self.table_depth == 0 {
            self.block_boundary();
            self.table = Some(TableBuilder::default());
        } else {
            self.flush_paragraph();
        }
        self.table_depth += 1;
    }

    pub fn end_table(&mut self) {
        if self.table_depth == 0 {
            return;
        }
        self.table_depth -= 1;
        if self.table_depth == 0 {
            self.finish_table();
        }
    }

    pub fn start_row(&mut self) {
        if self.table_depth != 1 {
            // Nested tables are flattened: a row becomes a line break.
            self.flush_paragraph();
            return;
        }
        self.end_cell();
        if let Some(table) = self.table.as_mut() {
            table.rows.push(Vec::new());
        }
    }

    pub fn start_cell(&mut self, colspan: usize) {
        if self.table_depth != 1 {
            if !self.ends_with_gap() {
                self.inline.push(' ');
            }
            return;
        }
        self.end_cell();
        self.inline.clear();
        self.generation += 1;
        if let Some(table) = self.table.as_mut() {
            table.open_cell = Some(colspan.clamp(1, MAX_TABLE_COLUMNS));
        }
    }

    pub fn end_cell(&mut self) {
        if self.table_depth != 1 {
            return;
        }
        let Some(table) = self.table.as_mut() else {
            return;
        };
        let Some(colspan) = table.open_cell.take() else {
            return;
        };
        let text = format_cell(&std::mem::take(&mut self.inline));
        self.generation += 1;
        if table.rows.is_empty() {
            table.rows.push(Vec::new());
        }
        if let Some(row) = table.rows.last_mut() {
            let width = row_width(row);
            if width < MAX_TABLE_COLUMNS {
                row.push((text, colspan.min(MAX_TABLE_COLUMNS - width)));
            } else if let Some((last, _)) = row.last_mut().filter(|_| !text.is_empty()) {
                // A row wider than any real table: the text of its further cells joins
                // the last cell, so nothing is lost and the row stays as wide as the cap.
                if !last.is_empty() {
                    last.push(' ');
                }
                last.push_str(&text);
            }
        }
    }

    pub fn start_caption(&mut self) {
        if self.table_depth != 1 {
            return;
        }
        self.end_cell();
        self.inline.clear();
        self.generation += 1;
        if let Some(table) = self.table.as_mut() {
            table.in_caption = true;
        }
    }

    pub fn end_caption(&mut self) {
        let Some(table) = self.table.as_mut().filter(|t| t.in_caption) else {
            return;
        };
        table.in_caption = false;
        let caption = format_cell(&std::mem::take(&mut self.inline)).replace("\\|", "|");
        self.generation += 1;
        if !caption.is_empty() {
            table.caption = Some(caption);
        }
    }

    fn finish_table(&mut self) {
        self.end_cell();
        self.inline.clear();
        self.generation += 1;
        let Some(table) = self.table.take() else {
            return;
        };
        if let Some(caption) = &table.caption {
            self.push_text(caption);
            self.block_boundary();
        }
        let rows: Vec<Vec<(String, usize)>> = table
            .rows
            .into_iter()
            .filter(|row| row.iter().any(|(text, _)| !text.is_empty()))
            .collect();
        let width = rows.iter().map(|row| row_width(row)).max().unwrap_or(0);
        match (rows.len(), width) {
            (0, _) | (_, 0) => {}
            // A single cell is a layout box, not data: render it as text.
            (1, 1) => self.single_cell_paragraph(&rows[0][0].0),
            _ => self.emit_table_rows(&rows, width),
        }
        self.request_blank();
    }

    fn single_cell_paragraph(&mut self, cell: &str) {
        self.inline = cell.replace("<br>", "\n").replace("\\|", "|");
        self.flush_paragraph();
    }

    /// Every row padded to `width` columns, a cell spanning several followed by empty
    /// ones, so that columns keep lining up. Padding is written, never stored as cells.
    fn emit_table_rows(&mut self, rows: &[Vec<(String, usize)>], width: usize) {
        for (i, row) in rows.iter().enumerate() {
            let mut line = String::from("|");
            for (cell, span) in row {
                if cell.is_empty() {
                    line.push_str(" |");
                } else {
                    line.push(' ');
                    line.push_str(cell);
                    line.push_str(" |");
                }
                line.push_str(&" |".repeat(span - 1));
            }
            line.push_str(&" |".repeat(width - row_width(row)));
            self.emit_line(&line);
            if i == 0 {
                self.emit_line(&format!("|{}", " --- |".repeat(width)));
            }
        }
    }

    /// Everything written so far, normalised to end with one newline.
    pub fn finish(mut self) -> String {
        while self.table_depth > 0 {
            self.end_table();
        }
        self.flush_paragraph();
        // Nor does a rule below everything.
        let mut trimmed = self.out.trim_end();
        while ends_with_rule(trimmed) {
            trimmed = trimmed[..trimmed.len() - "---".len()].trim_end();
        }
        let trimmed = trimmed.len();
        self.out.truncate(trimmed);
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out
    }
}

/// Whether the last line of `written` (trimmed at its end) is a thematic break.
fn ends_with_rule(written: &str) -> bool {
    written == "---" || written.ends_with("\n---")
}

/// Columns a row takes, colspans counted.
fn row_width(row: &[(String, usize)]) -> usize {
    row.iter().map(|(_, span)| span).sum()
}

/// Table cells must stay on one line: line breaks become `<br>` and pipes
/// are escaped (GFM honours `\|` even inside code spans).
fn format_cell(raw: &str) -> String {
    raw.split('\n')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("<br>")
        .replace('|', "\\|")
}

/// Whether a space after `last` (the last character written, if any) would be redundant.
fn is_gap(last: Option<char>) -> bool {
    matches!(last, None | Some(' ' | '\n'))
}

/// The characters of `text` without the invisible ones, each run of white space one
/// space (also at its edges, where it separates the text from its inline neighbours).
fn collapsed_chars(text: &str) -> CollapsedChars<'_> {
    CollapsedChars {
        chars: text.chars(),
        after_space: None,
    }
}

/// See [`collapsed_chars`].
struct CollapsedChars<'a> {
    chars: std::str::Chars<'a>,
    /// The character that ended a run of white space, given after its space.
    after_space: Option<char>,
}

impl Iterator for CollapsedChars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        if let Some(c) = self.after_space.take() {
            return Some(c);
        }
        let mut space = false;
        for c in self.chars.by_ref() {
            if is_invisible(c) {
                continue;
            }
            if c.is_whitespace() {
                space = true;
                continue;
            }
            if space {
                self.after_space = Some(c);
                return Some(' ');
            }
            return Some(c);
        }
        space.then_some(' ')
    }
}

/// Zero-width characters that doc generators use as anchors or hyphenation hints.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{ad}'
    )
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(char::is_alphanumeric)
}

/// Escapes only characters that could start formatting in their position,
/// so that prose such as `snake_case` or `a * b` stays readable.
fn push_escaped(out: &mut String, prev: Option<char>, c: char, next: Option<char>) {
    let needs_escape = match c {
        '\\' => next.is_none_or(|n| n.is_ascii_punctuation()),
        '`' => true,
        // An unknown neighbour (chunk edge) may turn out to be a word.
        '*' => !(prev.is_some_and(char::is_whitespace) && next.is_some_and(char::is_whitespace)),
        '_' => !(is_word(prev) && is_word(next)),
        '<' => next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')),
        ']' => next == Some('('),
        '~' => prev == Some('~') || next == Some('~'),
        _ => false,
    };
    if needs_escape {
        out.push('\\');
    }
    out.push(c);
}

/// Prevents a paragraph line from being read as a heading, quote, list
/// item, fence or thematic break.
fn escape_line_start(line: &str) -> Cow<'_, str> {
    let bytes = line.as_bytes();
    let Some(&first) = bytes.first() else {
        return Cow::Borrowed(line);
    };
    let second = bytes.get(1).copied();
    let escape_first = match first {
        b'#' => {
            let run = line.bytes().take_while(|&b| b == b'#').count();
            run <= 6 && matches!(bytes.get(run), None | Some(b' '))
        }
        b'>' => true,
        b'-' | b'+' | b'*' => matches!(second, None | Some(b' ')) || is_rule_line(line),
        b'=' | b'_' => is_rule_line(line),
        b'`' | b'~' => line.starts_with("```") || line.starts_with("~~~"),
        _ => false,
    };
    if escape_first {
        return Cow::Owned(format!("\\{line}"));
    }
    escape_ordered_marker(line)
}

fn is_rule_line(line: &str) -> bool {
    let Some(first) = line.chars().next() else {
        return false;
    };
    line.chars().all(|c| c == first || c == ' ')
        && line.chars().filter(|&c| c == first).count() >= 2
}

/// `1. foo` / `1) foo` at the start of a line would begin an ordered list.
fn escape_ordered_marker(line: &str) -> Cow<'_, str> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 9 {
        return Cow::Borrowed(line);
    }
    let bytes = line.as_bytes();
    let is_marker = matches!(bytes.get(digits), Some(b'.' | b')'))
        && matches!(bytes.get(digits + 1), None | Some(b' '));
    if !is_marker {
        return Cow::Borrowed(line);
    }
    Cow::Owned(format!("{}\\{}", &line[..digits], &line[digits..]))
}

/// A heading ending in ` #` would lose those hashes as a closing sequence.
fn escape_closing_hashes(text: &str) -> Cow<'_, str> {
    let body = text.trim_end_matches('#');
    if body.len() == text.len() || !(body.is_empty() || body.ends_with(' ')) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(format!("{body}\\{}", &text[body.len()..]))
}

/// Inline code whose delimiter is longer than any backtick run inside it.
pub fn code_span(code: &str) -> String {
    let fence = "`".repeat(longest_run(code, '`') + 1);
    let pad = if code.starts_with('`') || code.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{code}{pad}{fence}")
}

/// Drops blank lines around code but keeps indentation of the first line.
fn trim_code(code: &str) -> &str {
    let start = code
        .char_indices()
        .take_while(|&(_, c)| c.is_whitespace())
        .filter(|&(_, c)| c == '\n')
        .last()
        .map_or(0, |(i, _)| i + 1);
    code[start..].trim_end()
}

/// Destinations with spaces or parentheses need the `<…>` form.
fn link_destination(url: &str) -> Cow<'_, str> {
    if url.contains([' ', '(', ')']) {
        Cow::Owned(format!("<{}>", url.replace('<', "%3C").replace('>', "%3E")))
    } else {
        Cow::Borrowed(url)
    }
}

/// Escapes text placed inside `![…]` or link brackets.
pub fn escape_bracket_text(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.replace('[', "\\[").replace(']', "\\]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn collapse_whitespace_keep_edges(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut in_space = false;
        for c in text.chars() {
            if is_invisible(c) {
                continue;
            }
            if c.is_whitespace() {
                in_space = true;
                continue;
            }
            if in_space {
                out.push(' ');
                in_space = false;
            }
            out.push(c);
        }
        if in_space {
            out.push(' ');
        }
        out
    }

    /// `push_text` as it was written first: the text collapsed into a copy, then each
    /// character escaped with its neighbours in that copy.
    fn push_text_by_copies(inline: &mut String, text: &str) {
        let collapsed = collapse_whitespace_keep_edges(text);
        let chars: Vec<char> = collapsed.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if !matches!(inline.chars().next_back(), None | Some(' ' | '\n')) {
                    inline.push(' ');
                }
                continue;
            }
            let prev = inline.chars().next_back();
            let next = chars.get(i + 1).copied();
            push_escaped(inline, prev, c, next);
        }
    }

    /// `span_link` as it was written first, by a copy and `format!`.
    fn span_link_by_format(inline: &mut String, start: usize, destination: &str) {
        let text = inline[start..].replace('\n', " ");
        let inner = text.trim();
        if inner.is_empty() {
            inline.truncate(start);
            return;
        }
        let lead = if text.starts_with(' ') { " " } else { "" };
        let trail = if text.ends_with(' ') { " " } else { "" };
        let wrapped = format!("{lead}[{inner}]({}){trail}", link_destination(destination));
        inline.truncate(start);
        inline.push_str(&wrapped);
    }

    proptest! {
        /// A link's text and destination are written as the copy and `format!` wrote them.
        #[test]
        fn a_link_is_written_as_format_wrote_it(
            before in "[a-z \n]{0,3}",
            text in "[a-z \n\u{a0}\u{2003}\\[\\]é]{0,12}",
            destination in "[a-z:/ ()<>]{0,10}",
        ) {
            let mut writer = MarkdownWriter::new();
            writer.push_raw(&before);
            let start = writer.span_start();
            writer.push_raw(&text);
            writer.span_link(start, &destination);
            let mut expected = format!("{before}{text}");
            span_link_by_format(&mut expected, before.len(), &destination);
            prop_assert_eq!(&writer.inline, &expected);
        }

        /// One pass writes what the collapsed copy gave, after any inline text.
        #[test]
        fn text_is_written_as_its_collapsed_copy_wrote_it(
            before in "[a-z \n*_~]{0,3}",
            texts in proptest::collection::vec(
                "[a-z \t\n*_`<>\\[\\]()~\\\\!/?\u{200b}\u{ad}\u{a0}\u{2003}é]{0,16}",
                1..4,
            ),
        ) {
            let mut writer = MarkdownWriter::new();
            writer.push_raw(&before);
            let mut expected = before.clone();
            for text in &texts {
                writer.push_text(text);
                push_text_by_copies(&mut expected, text);
            }
            prop_assert_eq!(&writer.inline, &expected);
        }
    }
}
