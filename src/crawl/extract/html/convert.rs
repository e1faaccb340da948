//! The HTML → Markdown converter of the main content.

use super::*;

/// What to do when an element that was descended into is left.
pub(super) enum Close {
    Nothing,
    Block,
    Space,
    Heading(u8),
    Strong(Option<SpanStart>),
    Emphasis(Option<SpanStart>),
    Quoted(SpanStart),
    Link(SpanStart, String),
    BoldBlock(Option<SpanStart>),
    List,
    Container(bool),
    Table,
    Row,
    Cell,
    Caption,
    Grid { columns: usize, cells: usize },
}

pub(super) struct Converter<'u> {
    writer: MarkdownWriter,
    frames: Vec<Close>,
    base: &'u Url,
    page_url: &'u Url,
    strong_depth: usize,
    emphasis_depth: usize,
    heading_depth: usize,
}

impl<'u> Converter<'u> {
    pub(super) fn new(base: &'u Url, page_url: &'u Url) -> Self {
        Self {
            writer: MarkdownWriter::new(),
            frames: Vec::new(),
            base,
            page_url,
            strong_depth: 0,
            emphasis_depth: 0,
            heading_depth: 0,
        }
    }

    pub(super) fn convert(mut self, root: ElementRef) -> String {
        walk(root, |visit| match visit {
            Visit::Text(text) => {
                self.writer.push_text(text);
                Flow::Descend
            }
            Visit::Enter(el) => self.enter(el),
            Visit::Leave => {
                if let Some(close) = self.frames.pop() {
                    self.close(close);
                }
                Flow::Descend
            }
        });
        self.writer.finish()
    }

    fn enter(&mut self, el: ElementRef) -> Flow {
        if is_boilerplate(el) {
            return Flow::Skip;
        }
        match self.open(el) {
            Some(close) => {
                self.frames.push(close);
                Flow::Descend
            }
            None => Flow::Skip,
        }
    }

    /// Starts converting `el`; `None` means it was fully handled here.
    fn open(&mut self, el: ElementRef) -> Option<Close> {
        if let Some(close) = self.open_grid_cell() {
            return Some(close);
        }
        let name = el.value().name();
        if let Some(level) = heading_level(name) {
            self.writer.heading_start();
            self.heading_depth += 1;
            return Some(Close::Heading(level));
        }
        match name {
            "pre" => self.code_block(el),
            "code" | "kbd" | "samp" | "tt" => self.inline_code(el),
            "img" => self.image(el),
            "br" => self.writer.hard_break(),
            "hr" => self.writer.thematic_break(),
            "a" => return Some(self.open_link(el)),
            "strong" | "b" => return Some(self.open_strong()),
            "em" | "i" | "cite" | "dfn" => return Some(self.open_emphasis()),
            "q" => return Some(Close::Quoted(self.writer.span_start())),
            _ => return self.open_structure(el),
        }
        None
    }

    fn open_structure(&mut self, el: ElementRef) -> Option<Close> {
        let name = el.value().name();
        if is_signature(el) {
            let text = if has_class(&el, "rm-APIHeader") {
                spaced_children_text(el)
            } else {
                visible_text(el)
            };
            self.writer.code_line(&text);
            return None;
        }
        if has_class(&el, "Param-header") {
            // ReadMe puts name, type and "required" in adjacent spans.
            self.writer.block_boundary();
            self.writer.push_text(&spaced_children_text(el));
            self.writer.block_boundary();
            return None;
        }
        if let Some(columns) = grid_columns(&el) {
            self.writer.start_table();
            return Some(Close::Grid { columns, cells: 0 });
        }
        if is_admonition_title(&el) || matches!(name, "dt" | "summary") {
            self.writer.block_boundary();
            return Some(Close::BoldBlock(self.open_strong_span()));
        }
        if name == "blockquote"
            || (is_admonition(&el) && matches!(name, "div" | "aside" | "details"))
        {
            return Some(Close::Container(self.writer.push_quote()));
        }
        Some(self.open_other(el))
    }

    fn open_other(&mut self, el: ElementRef) -> Close {
        let name = el.value().name();
        match name {
            "ul" | "ol" | "menu" if is_structural_list(&el) => self.block(),
            "ul" | "menu" => self.list(false, 1),
            "ol" => self.list(true, list_start(&el)),
            "li" if parent_element(&el).is_some_and(|p| is_structural_list(&p)) => self.block(),
            "li" => Close::Container(self.writer.start_item()),
            "table" if is_layout_table(el) => self.block(),
            "table" => {
                self.writer.start_table();
                Close::Table
            }
            "tr" => {
                self.writer.start_row();
                Close::Row
            }
            "td" | "th" => {
                self.writer.start_cell(colspan(&el));
                Close::Cell
            }
            "caption" => {
                self.writer.start_caption();
                Close::Caption
            }
            // Generators wrap heading text in divs; it must stay one line.
            _ if is_block_tag(name) && self.heading_depth > 0 => {
                self.writer.push_text(" ");
                Close::Space
            }
            _ if is_block_tag(name) => self.block(),
            _ => Close::Nothing,
        }
    }

    fn block(&mut self) -> Close {
        self.writer.block_boundary();
        Close::Block
    }

    fn list(&mut self, ordered: bool, start: u64) -> Close {
        self.writer.start_list(ordered, start);
        Close::List
    }

    /// Direct children of a Javadoc summary grid are its cells, row-major.
    fn open_grid_cell(&mut self) -> Option<Close> {
        let Some(Close::Grid { columns, cells }) = self.frames.last_mut() else {
            return None;
        };
        let new_row = *cells % (*columns).max(1) == 0;
        *cells += 1;
        if new_row {
            self.writer.start_row();
        }
        self.writer.start_cell(1);
        Some(Close::Cell)
    }

    fn open_link(&mut self, el: ElementRef) -> Close {
        match el
            .value()
            .attr("href")
            .and_then(|href| self.link_target(href))
        {
            Some(target) => Close::Link(self.writer.span_start(), target),
            None => Close::Nothing,
        }
    }

    /// Absolute destination for a content link; `None` keeps only the text
    /// (same-page anchors and script pseudo-links mean nothing out of page).
    fn link_target(&self, href: &str) -> Option<String> {
        let href = href.trim();
        if href.is_empty() || href.starts_with('#') {
            return None;
        }
        let url = self.base.join(href).ok()?;
        if !matches!(url.scheme(), "http" | "https" | "mailto" | "ftp") {
            return None;
        }
        let mut without_fragment = url.clone();
        without_fragment.set_fragment(None);
        let same_page = url.fragment().is_some() && without_fragment == *self.page_url;
        (!same_page).then(|| url.to_string())
    }

    fn open_strong(&mut self) -> Close {
        Close::Strong(self.open_strong_span())
    }

    fn open_strong_span(&mut self) -> Option<SpanStart> {
        self.strong_depth += 1;
        // Nested bold adds nothing and would produce `****`.
        (self.strong_depth == 1).then(|| self.writer.span_start())
    }

    fn open_emphasis(&mut self) -> Close {
        self.emphasis_depth += 1;
        Close::Emphasis((self.emphasis_depth == 1).then(|| self.writer.span_start()))
    }

    fn code_block(&mut self, pre: ElementRef) {
        let language = code_language(pre);
        self.writer.code_block(&language, &code_text(pre));
    }

    fn inline_code(&mut self, code: ElementRef) {
        let text = code_text(code);
        self.writer.inline_code(&text);
    }

    fn image(&mut self, img: ElementRef) {
        let alt = escape_bracket_text(img.value().attr("alt").unwrap_or_default());
        let src = ["src", "data-src"]
            .iter()
            .filter_map(|name| img.value().attr(name))
            .find_map(|src| resolve_http(self.base, src));
        if let (false, Some(src)) = (alt.is_empty(), src) {
            self.writer.push_raw(&format!("![{alt}]({src})"));
        }
    }

    fn close(&mut self, close: Close) {
        let writer = &mut self.writer;
        match close {
            Close::Nothing => {}
            Close::Block => writer.block_boundary(),
            Close::Space => writer.push_text(" "),
            Close::Heading(level) => {
                self.heading_depth = self.heading_depth.saturating_sub(1);
                writer.heading_end(level);
            }
            Close::Strong(start) => {
                self.strong_depth = self.strong_depth.saturating_sub(1);
                start
                    .into_iter()
                    .for_each(|s| writer.span_wrap(s, "**", "**"));
            }
            Close::BoldBlock(start) => {
                self.strong_depth = self.strong_depth.saturating_sub(1);
                start
                    .into_iter()
                    .for_each(|s| writer.span_wrap(s, "**", "**"));
                writer.block_boundary();
            }
            Close::Emphasis(start) => {
                self.emphasis_depth = self.emphasis_depth.saturating_sub(1);
                start
                    .into_iter()
                    .for_each(|s| writer.span_wrap(s, "*", "*"));
            }
            Close::Quoted(start) => writer.span_wrap(start, "\"", "\""),
            Close::Link(start, target) => writer.span_link(start, &target),
            Close::List => writer.end_list(),
            Close::Container(pushed) => writer.pop_container(pushed),
            Close::Table | Close::Grid { .. } => writer.end_table(),
            Close::Row => {}
            Close::Cell => writer.end_cell(),
            Close::Caption => writer.end_caption(),
        }
    }
}

pub(super) fn parent_element<'a>(el: &ElementRef<'a>) -> Option<ElementRef<'a>> {
    el.parent().and_then(ElementRef::wrap)
}

pub(super) fn list_start(ol: &ElementRef) -> u64 {
    ol.value()
        .attr("start")
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1)
}

pub(super) fn colspan(cell: &ElementRef) -> usize {
    cell.value()
        .attr("colspan")
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1)
}
