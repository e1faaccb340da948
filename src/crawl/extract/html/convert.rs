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
    LayoutTable,
    Row,
    Cell,
    Caption,
    Grid { columns: usize, cells: usize },
    Outline,
    QuotedHeading(Option<SpanStart>),
}

/// Which chrome a conversion drops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    /// Everything recognised as chrome.
    Strict,
    /// Chrome recognised by its structure; a block named like chrome (`toc`, `related`
    /// …) is kept when its text is at least `keep_named_from` characters, because then it
    /// is what the page is about (a chapter page whose content is its table of contents).
    Lenient { keep_named_from: usize },
}

/// The Markdown of a page and the blocks it is made of, for learning the site's template.
pub(super) struct Conversion {
    pub markdown: String,
    pub blocks: Vec<Block>,
}

/// A block of the output: a top-level element's Markdown (byte range) and a fingerprint of
/// its text (link targets left out) and its place in the DOM (the tag, id and classes of
/// it and its ancestors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub fingerprint: u64,
    pub start: u32,
    pub end: u32,
    pub heading: bool,
    /// Chrome named by a class or id that this conversion dropped (its range is empty):
    /// counted when the template is learned, so that the same block kept on a page
    /// extracted the second way is recognised as template there.
    pub dropped: bool,
    /// This entry repeats another of the page's blocks (the same range), fingerprinted at
    /// its place with the titled sections around it left out ([`is_titled_section`]).
    pub outside_sections: bool,
}

/// The place in the DOM of a descended element, as path hashes from the document's top.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Place {
    /// The tag, id and classes of the element and of each of its ancestors.
    full: u64,
    /// The same without the classes of `<html>` and `<body>`, for blocks above the page's
    /// first heading (see [`Converter::block_path`]); after it, not worked out.
    masthead: u64,
    /// The same as `full` with the page's titled sections left out ([`is_titled_section`]).
    outside_sections: u64,
}

impl Place {
    /// Above the document's top.
    const TOP: Place = Place {
        full: FNV_OFFSET,
        masthead: FNV_OFFSET,
        outside_sections: FNV_OFFSET,
    };

    /// The place of `el`, a child of the element at `self`; its masthead path only when
    /// `masthead` (0 otherwise).
    fn child(self, el: &ElementRef, page: &PageName, masthead: bool) -> Place {
        let id = placing_id(el);
        let full = mix_signature(self.full, el, id, true, page);
        let outside_sections = if is_titled_section(el) {
            self.outside_sections
        } else if self.outside_sections == self.full {
            // No titled section above: the same place (most pages of most sites).
            full
        } else {
            mix_signature(self.outside_sections, el, id, true, page)
        };
        Place {
            full,
            masthead: if masthead {
                mix_signature(self.masthead, el, id, false, page)
            } else {
                0
            },
            outside_sections,
        }
    }
}

/// Per page, at most this many blocks are also remembered by their place outside the
/// titled sections: what a site adds at the end of every page is a few blocks (an
/// epilogue's boxes, a licence paragraph), each of a few sentences. Fingerprinting every
/// block twice cost a Sphinx page 1 % more of its CPU.
const MAX_CLOSING_BLOCKS: usize = 8;
/// Longest block (Markdown bytes) remembered by its place outside the titled sections.
const MAX_CLOSING_BLOCK_BYTES: usize = 2_000;
/// Per page, at most this many blocks are remembered.
const MAX_BLOCKS: usize = 4000;
/// Dropped chrome shorter than this is not remembered (it could never be template).
const MIN_DROPPED_CHARS: usize = 12;

/// What a descended element is to the blocks: one, a phrase inside one, or neither.
enum Opened {
    Block(OpenBlock),
    Phrase,
    Other,
}

struct OpenBlock {
    start: usize,
    path: u64,
    /// The path without the titled sections around it ([`is_titled_section`]).
    outside_sections: u64,
    heading: bool,
    /// How many headings had been opened before it: if more when it closes, a heading is
    /// in it (or it is one), and it is known by its link targets too.
    headings_before: usize,
    /// A bare definition with its own permalink: never remembered, so never template.
    definition: bool,
}

pub(super) struct Converter<'u> {
    writer: MarkdownWriter,
    frames: Vec<Close>,
    base: &'u Url,
    page_url: &'u Url,
    /// What `<html>` and `<body>` classes naming this page look like (left out of paths),
    /// worked out once per page by the caller.
    page_name: &'u PageName,
    strong_depth: usize,
    emphasis_depth: usize,
    heading_depth: usize,
    mode: Mode,
    /// Path hashes of the descended elements, the root's first.
    paths: Vec<Place>,
    /// Where the first heading was written, once it has been: blocks before it are the
    /// page's masthead.
    title_at: Option<usize>,
    /// Headings opened so far.
    headings_opened: usize,
    /// Per descended element: the block it opened, if it may be one.
    open_blocks: Vec<Opened>,
    /// Per descended element: whether it is a definition's description (`dd`).
    descriptions: Vec<bool>,
    /// How many of the descended elements are descriptions.
    description_depth: usize,
    blocks: Vec<Block>,
    /// The last blocks closed inside titled sections: their place outside them and their
    /// byte range, fingerprinted when the page is done (see [`Self::end_block`]).
    closing_blocks: std::collections::VecDeque<(u64, u32, u32)>,
    /// Where the text of each closed element block starts and ends (see
    /// [`add_loose_paragraphs`]).
    element_texts: Vec<(usize, usize)>,
    /// Per open table, innermost last: data, or what it lays out instead.
    layout_tables: Vec<TableKind>,
    /// The layout table row being converted whose cells are all phrases (read on as one
    /// line), decided once when the row opens.
    phrase_row: Option<ego_tree::NodeId>,
    /// Whether dropped named chrome is remembered (not in the conversions doing that).
    remember_dropped: bool,
    /// A heading left out as it only repeats the title after it ([`title_echo`]).
    echo: Option<ego_tree::NodeId>,
    /// The element holding the page's title as text ([`title_block`]), written as its
    /// `#` heading.
    title_block: Option<ego_tree::NodeId>,
    /// The outlines of links being written as lists ([`is_outline`]), innermost last.
    outlines: Vec<ego_tree::NodeId>,
    /// The outline entry (`dt`) opened last: only the description right after it
    /// continues its item.
    last_entry: Option<ego_tree::NodeId>,
}

impl<'u> Converter<'u> {
    pub(super) fn new(
        base: &'u Url,
        page_url: &'u Url,
        page_name: &'u PageName,
        mode: Mode,
    ) -> Self {
        Self {
            writer: MarkdownWriter::new(),
            frames: Vec::new(),
            base,
            page_url,
            page_name,
            strong_depth: 0,
            emphasis_depth: 0,
            heading_depth: 0,
            mode,
            paths: Vec::new(),
            title_at: None,
            headings_opened: 0,
            open_blocks: Vec::new(),
            descriptions: Vec::new(),
            description_depth: 0,
            blocks: Vec::new(),
            closing_blocks: std::collections::VecDeque::new(),
            element_texts: Vec::new(),
            layout_tables: Vec::new(),
            phrase_row: None,
            remember_dropped: true,
            echo: None,
            title_block: None,
            outlines: Vec::new(),
            last_entry: None,
        }
    }

    /// Writes the own text of `block`, the page's title set as text (see
    /// [`title_block`]), as the page's `#` heading.
    pub(super) fn with_title_block(mut self, block: Option<ElementRef>) -> Self {
        self.title_block = block.map(|el| el.id());
        self
    }

    /// Leaves out `echo`, a heading that repeats the page's title (see [`title_echo`]).
    pub(super) fn without_echo(mut self, echo: Option<ElementRef>) -> Self {
        self.echo = echo.map(|el| el.id());
        self
    }

    pub(super) fn convert(self, root: ElementRef) -> Conversion {
        self.convert_titled(None, root)
    }

    /// Converts `title` (the page's heading, kept outside the content container by the
    /// layout: see [`title_above`]) and then what is inside `root`.
    pub(super) fn convert_titled(
        mut self,
        title: Option<ElementRef>,
        root: ElementRef,
    ) -> Conversion {
        if let Some(title) = title {
            let parent = title.parent().and_then(ElementRef::wrap).unwrap_or(title);
            self.paths
                .push(absolute_path_hashes(parent, self.page_name));
            self.convert_element(title);
            self.paths.pop();
        }
        self.paths.push(absolute_path_hashes(root, self.page_name));
        walk(root, |visit| self.visit(visit));
        if self.writer.at_top_level() {
            // What `finish` would write last, written now so that its place is known.
            self.writer.block_boundary();
        }
        let paragraphs = self.writer.take_tagged();
        let markdown = self.writer.finish();
        let len = markdown.len() as u32;
        let mut blocks = self.blocks;
        for (path, start, end) in self.closing_blocks {
            let Some(text) = markdown.get(start as usize..end.min(len) as usize) else {
                continue;
            };
            blocks.push(Block {
                fingerprint: block_fingerprint(path, text.trim(), false),
                start,
                end,
                heading: false,
                dropped: false,
                outside_sections: true,
            });
        }
        blocks.retain(|b| b.start < len);
        for block in &mut blocks {
            block.end = block.end.min(len);
        }
        let masthead_end = self.title_at.unwrap_or(0);
        add_loose_paragraphs(
            &markdown,
            &paragraphs,
            self.element_texts,
            masthead_end,
            &mut blocks,
        );
        Conversion { markdown, blocks }
    }

    fn visit(&mut self, visit: Visit) -> Flow {
        match visit {
            Visit::Text(text) => {
                self.tag_loose_text(text);
                self.writer.push_text(text);
                Flow::Descend
            }
            Visit::Enter(el) => self.enter(el),
            Visit::Leave => {
                if let Some(close) = self.frames.pop() {
                    self.close(close);
                }
                self.paths.pop();
                if let Some(Opened::Block(block)) = self.open_blocks.pop() {
                    self.end_block(block);
                }
                if self.descriptions.pop() == Some(true) {
                    self.description_depth -= 1;
                }
                Flow::Descend
            }
        }
    }

    /// Tags the paragraph that `text` goes into with the place of the block it is written
    /// in, so that a paragraph no element of its own holds (text between a block's child
    /// blocks) can be a block of the template too (see [`add_loose_paragraphs`]).
    fn tag_loose_text(&mut self, text: &str) {
        if !text.bytes().all(|b| b.is_ascii_whitespace()) {
            self.tag_loose();
        }
    }

    /// Tags the paragraph being written as loose text when nothing but phrasing elements
    /// stand between it and its block (see [`Self::tag_loose_text`]).
    fn tag_loose(&mut self) {
        if self.heading_depth > 0 || self.description_depth > 0 || !self.writer.at_top_level() {
            return;
        }
        // Text in a term, a caption or a cell is that element's, not its block's: only
        // text under phrasing elements up to its block is loose; with no block, the
        // converted root's.
        let mut owner = None;
        for opened in self.open_blocks.iter().rev() {
            match opened {
                Opened::Block(block) => {
                    owner = Some(block.path);
                    break;
                }
                Opened::Phrase => {}
                Opened::Other => return,
            }
        }
        let owner = owner.unwrap_or_else(|| {
            let root = self.paths.first().copied().unwrap_or_default();
            if self.title_at.is_some() {
                root.full
            } else {
                root.masthead
            }
        });
        self.writer.tag_paragraph(|| mix(owner, LOOSE_PARAGRAPH));
    }

    fn skips(&self, el: ElementRef) -> bool {
        match (chrome_kind(el), self.mode) {
            (None, _) => false,
            (Some(Chrome::Structural), _) | (Some(Chrome::Named), Mode::Strict) => true,
            // A name on a link, a phrase, a list item or an item's list (`<a class="toc">`,
            // `<li class="li-toc">`, `<ul class="toc">` on every entry of a manual's
            // contents and its sections) marks no block of its own: what holds it is
            // judged instead.
            (Some(Chrome::Named), Mode::Lenient { keep_named_from }) => {
                !is_entry(el) && structural_text_len(el) < keep_named_from
            }
        }
    }

    fn enter(&mut self, el: ElementRef) -> Flow {
        if self.echo == Some(el.id()) {
            return Flow::Skip;
        }
        if self.skips(el) {
            if self.remember_dropped
                && self.writer.at_top_level()
                && chrome_kind(el) == Some(Chrome::Named)
            {
                self.remember_dropped_block(el);
            }
            return Flow::Skip;
        }
        // What describes a term at some length (an option's text under its flag) belongs to
        // that term, like a list item's text: never a block of its own, so never template.
        // Many pages share an option and its words; cutting them left the flag with nothing
        // under it. A short one (`No description available.`) can still be template.
        let description = el.value().name() == "dd" && is_long_description(el);
        let may_be_block = self.writer.at_top_level()
            && self.description_depth == 0
            && !description
            && is_block_candidate(el.value().name());
        match self.open(el) {
            Some(close) => {
                self.frames.push(close);
                let (path, outside_sections) = self.block_path(&el);
                let heading = is_heading(el);
                let headings_before = self.headings_opened;
                self.headings_opened += usize::from(heading);
                let opened = if may_be_block {
                    Opened::Block(OpenBlock {
                        start: self.writer.written_len(),
                        path,
                        outside_sections,
                        heading,
                        headings_before,
                        definition: !heading && is_bare_permalinked_definition(el),
                    })
                } else if is_phrasing(el.value().name()) {
                    Opened::Phrase
                } else {
                    Opened::Other
                };
                self.open_blocks.push(opened);
                self.descriptions.push(description);
                self.description_depth += usize::from(description);
                Flow::Descend
            }
            None => Flow::Skip,
        }
    }

    /// The place in the DOM of `el`, a child of the innermost descended element.
    fn path_of(&self, el: &ElementRef) -> Place {
        let parent = self.paths.last().copied().unwrap_or(Place::TOP);
        // After the first heading no block asks for the masthead: not worked out.
        parent.child(el, self.page_name, self.title_at.is_none())
    }

    /// Descends into `el` and answers the path its block is fingerprinted with. Before the
    /// page's first heading that path leaves out the classes of `<html>` and `<body>`:
    /// generators that name the kind of page there (rustdoc's `rustdoc struct`, `rustdoc
    /// fn` …) give each kind its own fingerprint of the same logo and banner, and a kind
    /// with few pages never reaches the template's share. What precedes the title is the
    /// site's masthead, whatever the kind of page; below it the kinds stay apart (what
    /// every struct page shares is not what every module page shares).
    ///
    /// Also answered: the path outside the page's titled sections (see
    /// [`is_titled_section`]), the same as the first where none encloses `el`.
    fn block_path(&mut self, el: &ElementRef) -> (u64, u64) {
        let place = self.path_of(el);
        self.paths.push(place);
        if self.title_at.is_some() {
            (place.full, place.outside_sections)
        } else {
            (place.masthead, place.masthead)
        }
    }

    /// Fingerprints a block of named chrome as it would read if it were kept.
    fn remember_dropped_block(&mut self, el: ElementRef) {
        if self.blocks.len() >= MAX_BLOCKS || !is_block_candidate(el.value().name()) {
            return;
        }
        let place = self.path_of(&el);
        let path = if self.title_at.is_some() {
            place.full
        } else {
            place.masthead
        };
        let mut inner = Converter::new(self.base, self.page_url, self.page_name, Mode::Strict);
        inner.remember_dropped = false;
        let text = inner.convert(el).markdown;
        let text = text.trim();
        if text.len() < MIN_DROPPED_CHARS {
            return;
        }
        let has_heading = el.descendent_elements().any(is_heading);
        self.blocks.push(Block {
            fingerprint: block_fingerprint(path, text, has_heading),
            start: 0,
            end: 0,
            heading: false,
            dropped: true,
            outside_sections: false,
        });
    }

    /// Records a closed block whose Markdown stayed outside lists, quotes and tables.
    fn end_block(&mut self, block: OpenBlock) {
        let end = self.writer.written_len();
        let Some(text) = self.writer.written(block.start, end) else {
            return;
        };
        let lead = text.len() - text.trim_start().len();
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        // Also the blocks never remembered: a paragraph that is one of them is no loose text.
        let text_start = block.start + lead;
        self.element_texts
            .push((text_start, text_start + text.len()));
        if block.definition || self.blocks.len() >= MAX_BLOCKS || !self.writer.at_top_level() {
            return;
        }
        let (Ok(start), Ok(end)) = (u32::try_from(block.start), u32::try_from(end)) else {
            return;
        };
        let has_heading = self.headings_opened > block.headings_before;
        self.blocks.push(Block {
            fingerprint: block_fingerprint(block.path, text, has_heading),
            start,
            end,
            heading: block.heading,
            dropped: false,
            outside_sections: false,
        });
        // Text a site adds at the end of every page sits in the page's last section, a
        // different place on each: the same block is also known by its place outside the
        // sections, by which only the text that closes a page is cut (see
        // `template::strip`), so only the page's last few are. Headings are the page's
        // outline, never that.
        if block.outside_sections != block.path
            && !has_heading
            && text.len() <= MAX_CLOSING_BLOCK_BYTES
        {
            if self.closing_blocks.len() == MAX_CLOSING_BLOCKS {
                self.closing_blocks.pop_front();
            }
            self.closing_blocks
                .push_back((block.outside_sections, start, end));
        }
    }

    /// Starts converting `el`; `None` means it was fully handled here.
    fn open(&mut self, el: ElementRef) -> Option<Close> {
        if let Some(close) = self.open_grid_cell() {
            return Some(close);
        }
        if self.title_block == Some(el.id()) {
            self.title_heading(el);
            return None;
        }
        let name = el.value().name();
        if let Some(level) = heading_level(name) {
            self.writer.heading_start();
            self.heading_depth += 1;
            self.title_at.get_or_insert(self.writer.written_len());
            // A heading inside a quote is a note's label (DocBook's `<div class="note">
            // <h3 class="title">Note</h3>`): bold, as other admonitions' titles are. As a
            // Markdown heading it was also where the chunker cut, in the middle of the
            // quote's line (`> ` in one chunk, `### Note` in the next).
            if self.writer.in_quote() {
                return Some(Close::QuotedHeading(self.open_strong_span()));
            }
            return Some(Close::Heading(level));
        }
        match name {
            "pre" => self.code_block(el),
            "div" if is_notebook_prompt(el) => {}
            "div" if is_line_per_element_code(el) => self.line_code_block(el),
            "code" | "kbd" | "samp" | "tt" => self.inline_code(el),
            "img" => self.image(el),
            "br" => self.writer.hard_break(),
            "hr" => self.writer.thematic_break(),
            "a" if is_permalink_glyph(el) => {}
            "a" => return Some(self.open_link(el)),
            "strong" | "b" => return Some(self.open_strong()),
            "em" | "i" | "cite" | "dfn" => return Some(self.open_emphasis()),
            "q" => return Some(Close::Quoted(self.writer.span_start())),
            _ => return self.open_structure(el),
        }
        None
    }

    /// Writes the own text of `el` as the page's `#` heading, then its child elements
    /// (Doxygen's group links and labels beside the title) as what they are.
    fn title_heading(&mut self, el: ElementRef) {
        self.writer.heading_start();
        self.title_at.get_or_insert(self.writer.written_len());
        self.headings_opened += 1;
        self.heading_depth += 1;
        self.writer.push_text(&own_text(el).unwrap_or_default());
        self.close(Close::Heading(1));
        // The children's place is under the title's element, as anywhere else.
        let place = self.path_of(&el);
        self.paths.push(place);
        for child in el.child_elements() {
            self.convert_element(child);
        }
        self.paths.pop();
    }

    /// Converts `el` and what it holds, as the walk of its parent would.
    fn convert_element(&mut self, el: ElementRef) {
        if self.visit(Visit::Enter(el)) == Flow::Descend {
            walk(el, |visit| self.visit(visit));
            self.visit(Visit::Leave);
        }
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
        if let Some(close) = self.open_in_outline(el) {
            return Some(close);
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
        if let (Some(TableKind::Box(cells)), "td" | "th") = (self.layout_tables.last(), name) {
            let kind = cells
                .iter()
                .find(|(cell, _)| *cell == el.id())
                .map(|(_, kind)| kind.clone());
            return self.open_box_cell(el, kind);
        }
        if matches!(name, "td" | "th")
            && self.layout_tables.last() == Some(&TableKind::Layout)
            && is_box_icon_cell(el)
        {
            return None;
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
            "table" if is_layout_table(el) => {
                let kind = match admonition_cells(el) {
                    Some(cells) => TableKind::Box(
                        cells
                            .into_iter()
                            .map(|(cell, kind)| (cell.id(), kind))
                            .collect(),
                    ),
                    None => TableKind::Layout,
                };
                self.layout_tables.push(kind);
                self.writer.block_boundary();
                Close::LayoutTable
            }
            "table" => {
                self.layout_tables.push(TableKind::Data);
                self.writer.start_table();
                Close::Table
            }
            // The rows and cells of a table used for page layout are blocks of the page;
            // a row of phrases is one block, a line.
            "tr" if self.in_layout_table() => {
                if self.layout_tables.last() == Some(&TableKind::Layout) && is_phrase_row(el) {
                    self.phrase_row = Some(el.id());
                }
                self.block()
            }
            "td" | "th"
                if self.in_layout_table()
                    && self.phrase_row.is_some()
                    && parent_element(&el).map(|row| row.id()) == self.phrase_row =>
            {
                self.writer.push_text(" ");
                Close::Space
            }
            "td" | "th" if self.in_layout_table() => self.block(),
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
            // Docutils' classifier of a definition's term (numpydoc's parameter type:
            // `<strong>axis</strong><span class="classifier">int</span>`): its HTML5
            // style sheet writes the colon before it, which the page's text lacks (the
            // older writer puts it in a `span.classifier-delimiter` of its own).
            "span"
                if has_class(&el, "classifier")
                    && !el
                        .prev_siblings()
                        .find_map(ElementRef::wrap)
                        .is_some_and(|before| has_class(&before, "classifier-delimiter")) =>
            {
                self.writer.push_text(" : ");
                Close::Nothing
            }
            _ => Close::Nothing,
        }
    }

    fn block(&mut self) -> Close {
        self.writer.block_boundary();
        Close::Block
    }

    fn in_layout_table(&self) -> bool {
        matches!(
            self.layout_tables.last(),
            Some(TableKind::Layout | TableKind::Box(_))
        )
    }

    /// A cell of an admonition's table, holding `kind`: the text as blocks, the label as
    /// the box's bold title (as an admonition's title is written), an icon as its words
    /// only where no label says them.
    fn open_box_cell(&mut self, cell: ElementRef, kind: Option<BoxCell>) -> Option<Close> {
        let label = match kind {
            Some(BoxCell::Label) => Some(visible_text(cell)),
            Some(BoxCell::Icon(label)) => label,
            Some(BoxCell::Content) | None => return Some(self.block()),
        };
        // Written whole: the label's own blocks (AsciiDoc's `div.title`) would part it
        // from its bold markers.
        if let Some(label) = label {
            self.writer.block_boundary();
            let start = self.open_strong_span();
            self.writer.push_text(&label);
            self.close(Close::BoldBlock(start));
        }
        None
    }

    /// An outline of links ([`is_outline`]) is a list: each of its entries an item, the
    /// description after it (its sub-entries) that item's next lines. A caption term
    /// stays a bold line above the items.
    fn open_in_outline(&mut self, el: ElementRef) -> Option<Close> {
        let in_outline = |el: &ElementRef| {
            parent_element(el).is_some_and(|parent| self.outlines.last() == Some(&parent.id()))
        };
        match el.value().name() {
            "dl" if parent_element(&el)
                .is_some_and(|dd| dd.value().name() == "dd" && in_outline(&dd))
                || is_outline(el) =>
            {
                self.outlines.push(el.id());
                self.writer.start_list(false, 1);
                Some(Close::Outline)
            }
            "dt" if in_outline(&el) && is_entry_term(el) => {
                self.last_entry = Some(el.id());
                Some(Close::Container(self.writer.start_item()))
            }
            "dd" if in_outline(&el) => {
                // After a term left out (chrome), the description is not the previous
                // entry's: its sub-entries stand as items of their own.
                let entry = el.prev_siblings().find_map(ElementRef::wrap);
                let continues = entry.is_some_and(|dt| self.last_entry == Some(dt.id()));
                let pushed = continues && self.writer.continue_item();
                Some(Close::Container(pushed))
            }
            _ => None,
        }
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
        if let Some(target) = join_plain_path(self.base, href) {
            let same_page = target
                .split_once('#')
                .is_some_and(|(page, _)| page == self.page_url.as_str());
            return (!same_page).then_some(target);
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
        let code = code_text(pre);
        // A column of line numbers beside the listing (rustdoc's source pages write it as
        // a `<pre class="line-numbers">` before the code's own `<pre>`) is a gutter.
        let beside_a_listing = self.in_layout_table()
            || pre
                .next_siblings()
                .find_map(ElementRef::wrap)
                .is_some_and(|next| next.value().name() == "pre");
        if is_gutter(&pre) || (beside_a_listing && is_line_number_column(&code)) {
            return;
        }
        let language = code_language(pre);
        self.writer.code_block(&language, &code);
    }

    /// Code written a line per element (Doxygen's `div.fragment` of `div.line`s), kept as
    /// one fenced block with its indentation, not a paragraph a line.
    fn line_code_block(&mut self, lines: ElementRef) {
        let code = lines
            .child_elements()
            .filter(is_code_line)
            .map(|line| code_text(line).trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n");
        self.writer.code_block("", &code);
    }

    fn inline_code(&mut self, code: ElementRef) {
        let text = code_text(code);
        self.writer.inline_code(&text);
    }

    fn image(&mut self, img: ElementRef) {
        let alt = escape_bracket_text(img.value().attr("alt").unwrap_or_default());
        if alt.is_empty() {
            return;
        }
        let src = ["src", "data-src"]
            .iter()
            .filter_map(|name| img.value().attr(name))
            .find_map(|src| resolve_http_string(self.base, src));
        if let Some(src) = src {
            // A logo straight in the page's container, beside its blocks, is loose too.
            self.tag_loose();
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
            Close::Table => {
                self.layout_tables.pop();
                writer.end_table();
            }
            Close::LayoutTable => {
                self.layout_tables.pop();
                writer.block_boundary();
            }
            Close::Grid { .. } => writer.end_table(),
            Close::Row => {}
            Close::Cell => writer.end_cell(),
            Close::Caption => writer.end_caption(),
            Close::QuotedHeading(start) => {
                self.heading_depth = self.heading_depth.saturating_sub(1);
                self.close(Close::BoldBlock(start));
            }
            Close::Outline => {
                self.outlines.pop();
                writer.end_list();
            }
        }
    }
}

/// What an open table lays out.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TableKind {
    /// Rows and columns of data: a Markdown table.
    Data,
    /// The page, a listing with its line numbers, or one cell of text: blocks.
    Layout,
    /// An admonition's box, its label or icon beside its text: what each cell holds
    /// (see [`admonition_cells`]).
    Box(Vec<(ego_tree::NodeId, BoxCell)>),
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

/// Characters of text a definition's description needs to be kept whole with its term.
const MIN_DESCRIPTION_CHARS: usize = 80;

fn is_long_description(el: ElementRef) -> bool {
    text_and_link_len(el).0 >= MIN_DESCRIPTION_CHARS
}

/// Levels of only children followed down to a permalinked definition.
const MAX_DEFINITION_DEPTH: usize = 6;
/// Nodes searched under an element for the link to its own id.
const MAX_PERMALINK_NODES: usize = 64;

/// An API signature that generators give an anchor and a link to it (`<dl><dt id="type-t">
/// <a href="#type-t">` in odoc, Sphinx's `dt` with its headerlink), alone in its block: no
/// prose with it. Many modules declare the same `type t` or `val compare : t -> t -> int`
/// at the same place of the layout, so it recurs like a template, yet it is the page's own
/// API; a definition together with recurring prose (rustdoc's blanket implementations) is
/// another block and is still learned as template, and so is a permalinked heading (their
/// own rule keeps a recurring heading while anything is left under it).
fn is_bare_permalinked_definition(el: ElementRef) -> bool {
    let mut current = el;
    for _ in 0..MAX_DEFINITION_DEPTH {
        if current
            .value()
            .id()
            .is_some_and(|id| links_to_own_id(current, id))
        {
            // A permalinked heading or section is left to the rules for headings.
            return !is_heading(current) && !has_descendant(current, 400, is_heading);
        }
        let mut with_text = current
            .child_elements()
            .filter(|child| child.text().any(|t| !t.trim().is_empty()));
        match (with_text.next(), with_text.next()) {
            (Some(only), None) if !has_own_text(current) => current = only,
            _ => return false,
        }
    }
    false
}

/// A link that only draws a glyph (`¶`, `§`, `#`, `🔗`) pointing at an element that holds
/// it, or at itself (Node.js: `<a href="#process" id="process">#</a>`): the permalink a
/// generator puts in a heading or an item (Sphinx, rustdoc, Hugo …), whatever its class.
/// Out of the page it is a stray symbol after a heading's text.
fn is_permalink_glyph(link: ElementRef) -> bool {
    let Some(id) = link
        .value()
        .attr("href")
        .and_then(|href| href.trim().strip_prefix('#'))
        .filter(|id| !id.is_empty())
    else {
        return false;
    };
    let mut glyphs = 0;
    for text in link.text() {
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            if c.is_alphanumeric() {
                return false;
            }
            glyphs += 1;
        }
    }
    glyphs > 0
        && glyphs <= MAX_PERMALINK_GLYPHS
        && (link.value().id() == Some(id)
            || link
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(|ancestor| ancestor.value().id() == Some(id)))
}

/// A permalink's glyph is a character or two (`¶`, `#`, an emoji with its selector).
const MAX_PERMALINK_GLYPHS: usize = 3;

/// Whether a link near the top of `el` points at `#id`, the element's own anchor.
fn links_to_own_id(el: ElementRef, id: &str) -> bool {
    let mut found = false;
    let mut nodes = 0;
    walk(el, |visit| {
        nodes += 1;
        if nodes > MAX_PERMALINK_NODES {
            return Flow::Stop;
        }
        if let Visit::Enter(child) = visit {
            let target = child.value().attr("href").and_then(|h| h.strip_prefix('#'));
            if child.value().name() == "a" && target == Some(id) {
                found = true;
                return Flow::Stop;
            }
        }
        Flow::Descend
    });
    found
}

/// Fewest words of a paragraph of loose text that is a block (fewer make a label).
const MIN_LOOSE_WORDS: usize = 4;

/// Marks the path of a paragraph of loose text apart from its block's own path.
const LOOSE_PARAGRAPH: &str = "\u{1}loose text";

/// Adds to `blocks` the tagged paragraphs that are not the whole text of an element's
/// block: loose text, such as Doxygen's `The documentation for this class was generated
/// from the following file:` after an `<hr>` in the page's contents, a browser's
/// anonymous block. Without a block of its own, text repeated on every page at the same
/// place could never be learned as the site's template.
///
/// `element_texts`: where the text of each element's block starts and ends (whitespace
/// left out), remembered or not. `masthead_end`: where the page's first heading was
/// written (0 without one); a label of a few words before it is a block too.
fn add_loose_paragraphs(
    markdown: &str,
    paragraphs: &[(usize, usize, u64)],
    mut element_texts: Vec<(usize, usize)>,
    masthead_end: usize,
    blocks: &mut Vec<Block>,
) {
    if paragraphs.is_empty() {
        return;
    }
    let trimmed = |start: usize, end: usize| -> Option<(usize, usize, &str)> {
        let text = markdown.get(start..end.min(markdown.len()))?;
        let lead = text.len() - text.trim_start().len();
        let text = text.trim();
        (!text.is_empty()).then_some((start + lead, start + lead + text.len(), text))
    };
    element_texts.sort_unstable();
    for &(start, end, tag) in paragraphs {
        if blocks.len() >= MAX_BLOCKS {
            return;
        }
        let Some((text_start, text_end, text)) = trimmed(start, end) else {
            continue;
        };
        if element_texts.binary_search(&(text_start, text_end)).is_ok() {
            continue;
        }
        // A label of a few words (`Linear Supertypes`, `**Subsections**`, `since: 2.0`,
        // rustdoc's `const: [unstable](…) · [source](…)` beside a method's heading)
        // belongs to what it stands by, which differs from page to page: cut as template,
        // it would leave that content without its label. Above the page's first heading
        // a label stands by nothing of the page's own: it is the masthead's (Node.js's
        // unfilled `__JS_FLAVORED_DYNAMIC_CSS__` placeholder, Doxygen's quick links).
        let in_masthead = text_end <= masthead_end;
        if !in_masthead && !has_reader_words(text, MIN_LOOSE_WORDS) && !is_only_images(text) {
            continue;
        }
        let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(end)) else {
            continue;
        };
        blocks.push(Block {
            fingerprint: block_fingerprint(tag, text, false),
            start,
            end: end.min(markdown.len() as u32),
            heading: false,
            dropped: false,
            outside_sections: false,
        });
    }
}

/// Part of a list or a text: a phrase, an item, or the list of an item's own entries.
fn is_entry(el: ElementRef) -> bool {
    match el.value().name() {
        "li" | "dt" | "dd" => true,
        "ul" | "ol" | "dl" => el
            .parent()
            .and_then(|parent| parent.value().as_element().map(|p| p.name()))
            .is_some_and(|parent| matches!(parent, "li" | "dd")),
        name => is_phrasing(name),
    }
}

/// Elements that only mark up text (the descended ones: code and images are written
/// whole where they open).
pub(super) fn is_phrasing(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "big"
            | "cite"
            | "data"
            | "del"
            | "dfn"
            | "em"
            | "font"
            | "i"
            | "ins"
            | "mark"
            | "nobr"
            | "q"
            | "s"
            | "small"
            | "span"
            | "strike"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "u"
            | "var"
    )
}

/// Whether `markdown` is nothing but images, each maybe a link (`[![logo](a.png)](/)`):
/// a logo or a banner, never the label of what stands beside it.
pub(super) fn is_only_images(markdown: &str) -> bool {
    let mut rest = markdown.trim();
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let linked = rest.starts_with("[![");
        let Some(image) = rest.strip_prefix(if linked { "[![" } else { "![" }) else {
            return false;
        };
        let Some(after) = past_target(image) else {
            return false;
        };
        rest = if linked {
            match after
                .starts_with("](")
                .then(|| past_target(after))
                .flatten()
            {
                Some(after_link) => after_link.trim_start(),
                None => return false,
            }
        } else {
            after.trim_start()
        };
    }
    true
}

/// What follows `text](target)`, or `None` when `text` does not start so.
fn past_target(text: &str) -> Option<&str> {
    let open = text.find("](")?;
    let target = &text[open + 2..];
    let close = target.find(')')?;
    Some(&target[close + 1..])
}

/// Whether `markdown` shows a reader at least `wanted` words (link targets are not read,
/// nor are tokens without a letter or digit, such as `·`).
fn has_reader_words(markdown: &str, wanted: usize) -> bool {
    let mut words = 0;
    for shown in crate::crawl::text::without_link_targets(markdown) {
        words += shown
            .split_whitespace()
            .filter(|word| word.chars().any(char::is_alphanumeric))
            .count();
        if words >= wanted {
            return true;
        }
    }
    false
}

/// Elements whose Markdown is a block of its own.
fn is_block_candidate(name: &str) -> bool {
    is_block_tag(name)
        || heading_level(name).is_some()
        || matches!(
            name,
            "ul" | "ol" | "table" | "blockquote" | "center" | "tr" | "td" | "th"
        )
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// A block's fingerprint: its place and the text a reader sees, link targets and
/// brackets left out.
/// A site's sidebar box often links each page's own address (`Report a bug` against
/// this module, `Edit this page`, the logo to this part's front page): the box reads the
/// same on every page and is the template all the same. A block with a heading in it is
/// known by its targets too: an API page's member (rustdoc's `fn clone(&self) -> Self`
/// with its `source` link, Scaladoc's inherited `finalize` with its permalink) reads the
/// same on many pages and is each page's own.
fn block_fingerprint(path: u64, text: &str, has_heading: bool) -> u64 {
    let hash = if has_heading {
        text_hash(path, text.as_bytes())
    } else {
        // The link's brackets left out too: a link to the page's own section is written
        // as its bare label, so that a site's contents shown on every page reads alike on
        // each. Brackets inside a label (`<string[]>`) are its text and stay.
        let mut hasher = TextHasher::new(path);
        let mut pieces = crate::crawl::text::without_link_targets(text).peekable();
        while let Some(piece) = pieces.next() {
            if pieces.peek().is_none() {
                // The text after the last link: no label ends it.
                hasher.write(piece.as_bytes());
                break;
            }
            match label_opening(piece) {
                Some(at) => {
                    hasher.write(&piece.as_bytes()[..at]);
                    hasher.write(&piece.as_bytes()[at + 1..]);
                }
                None => hasher.write(piece.as_bytes()),
            }
        }
        hasher.finish()
    };
    fnv(hash, &[0xff])
}

/// Where the `[` opening the link label that ends `piece` is (the text before a link's
/// `](`): the last unmatched one, brackets inside the label being balanced.
fn label_opening(piece: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (at, byte) in piece.bytes().enumerate().rev() {
        match byte {
            b']' => depth += 1,
            b'[' if depth == 0 => return Some(at),
            b'[' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Hashes a block's text eight bytes at a time (a block's text is hashed once for each
/// block it is in, so byte-at-a-time FNV was 1.4 % of a page's instructions), the rest a
/// byte at a time. Little-endian words: stable across runs, builds and machines, since
/// fingerprints are stored.
fn text_hash(seed: u64, bytes: &[u8]) -> u64 {
    let mut hasher = TextHasher::new(seed);
    hasher.write(bytes);
    hasher.finish()
}

/// [`text_hash`] of a text read in pieces: the same as of the pieces joined, wherever
/// they are cut.
struct TextHasher {
    hash: u64,
    carry: [u8; 8],
    carried: usize,
}

impl TextHasher {
    fn new(seed: u64) -> Self {
        TextHasher {
            hash: seed,
            carry: [0; 8],
            carried: 0,
        }
    }

    fn write(&mut self, mut bytes: &[u8]) {
        if self.carried > 0 {
            let take = (8 - self.carried).min(bytes.len());
            self.carry[self.carried..self.carried + take].copy_from_slice(&bytes[..take]);
            self.carried += take;
            bytes = &bytes[take..];
            if self.carried < 8 {
                return;
            }
            self.hash = mix_word(self.hash, self.carry);
            self.carried = 0;
        }
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut array = [0u8; 8];
            array.copy_from_slice(word);
            self.hash = mix_word(self.hash, array);
        }
        let rest = words.remainder();
        self.carry[..rest.len()].copy_from_slice(rest);
        self.carried = rest.len();
    }

    fn finish(self) -> u64 {
        fnv(self.hash, &self.carry[..self.carried])
    }
}

fn mix_word(hash: u64, word: [u8; 8]) -> u64 {
    const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;
    let hash = (hash ^ u64::from_le_bytes(word)).wrapping_mul(MULTIPLIER);
    hash ^ (hash >> 29)
}

/// FNV-1a: stable across runs and builds, since fingerprints are stored.
fn mix(seed: u64, text: &str) -> u64 {
    fnv(fnv(seed, text.as_bytes()), &[0xff])
}

fn fnv(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(seed, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `mix(seed, signature)` of the element's signature `tag#id.class.class` (what places an
/// element among its siblings across pages), hashed piece by piece: every element the
/// conversion opens is hashed, and building the string for it was most of the cost. `id`
/// is its [`placing_id`]; the classes of `<html>` and `<body>` are left out unless
/// `root_classes`.
///
/// The id of the document's `<html>` and `<body>` is left out: it names the page
/// (`<body id="api-section-dns">`), not a place in the layout, and would give every block
/// of every page a fingerprint of its own, so that no template could ever be learned. So
/// is the id of an element that wraps the whole page (docutils' `<body><div
/// class="document" id="sax-support">`, the slug of each page's title): it encloses every
/// block of its page, so it places none of them.
/// Their classes stay: they tell kinds of pages apart (rustdoc's `<body class="rustdoc
/// enum">`), whose blocks must not be counted together; but not the ones that name the
/// page itself (MediaWiki's `page-Main_Page`, see [`PageName`]), for the same reason as
/// the id.
fn mix_signature(
    seed: u64,
    el: &ElementRef,
    id: Option<&str>,
    root_classes: bool,
    page: &PageName,
) -> u64 {
    let mut hash = fnv(seed, el.value().name().as_bytes());
    if let Some(id) = id {
        hash = fnv(fnv(hash, b"#"), id.as_bytes());
    }
    let root = is_document_root(el);
    if !root {
        for class in class_tokens(el) {
            hash = fnv(fnv(hash, b"."), class.as_bytes());
        }
    } else if root_classes {
        for class in class_tokens(el).filter(|class| !page.is_named_by(class)) {
            hash = fnv(fnv(hash, b"."), class.as_bytes());
        }
    }
    fnv(hash, &[0xff])
}

/// The id that places `el` in the layout: none for the document's `<html>` and `<body>`
/// and for an element that wraps the whole page (see [`mix_signature`]). Worked out once
/// for an element's full path and its masthead path alike.
fn placing_id<'a>(el: &ElementRef<'a>) -> Option<&'a str> {
    el.value()
        .id()
        .filter(|_| !is_document_root(el) && !wraps_the_page(el))
}

/// Most characters of a section's heading read to tell whether the section's id names it.
const MAX_SECTION_TITLE_READ: usize = 256;

/// Whether `el` is a section of the page's text named after its heading (Sphinx's and
/// docutils' `<section id="module-parameters"><h2>Module Parameters</h2>`, Texinfo's `<div
/// class="section-level-extent" id="Breaks"><h3>4.3 Breaks</h3>`): it places nothing in
/// the layout, so the place outside the sections ([`Place::outside_sections`]) goes
/// through it as if it were not there. Its id is the slug of its own title and its depth
/// is the page's outline, both different on every page, so a text a site adds at the end
/// of every page (an included "See also" box, a licence paragraph) sits in each page's
/// last section and is never seen twice in the same place in full. Told from a layout
/// container by the id: the first child that shows anything (Sphinx puts a reference's
/// empty `<span id>` before it) is a heading whose text holds the id's letters and digits.
fn is_titled_section(el: &ElementRef) -> bool {
    let Some(id) = el.value().id() else {
        return false;
    };
    if is_document_root(el) {
        return false;
    }
    let Some(heading) = el
        .children()
        .filter_map(ElementRef::wrap)
        .take(MAX_WRAPPER_SIBLINGS)
        .find(|child| !shows_nothing(child))
        .filter(|first| is_heading(*first))
    else {
        return false;
    };
    let id = letters_and_digits(id);
    let mut title = String::new();
    for text in heading.text() {
        title.push_str(text);
        if title.len() > MAX_SECTION_TITLE_READ {
            break;
        }
    }
    !id.is_empty() && letters_and_digits(&title).contains(&id)
}

/// The document's `<html>` or `<body>` (by name: a parser puts exactly one of each at the top).
fn is_document_root(el: &ElementRef) -> bool {
    matches!(el.value().name(), "html" | "body")
}

/// Most elements beside a page's wrapper (scripts, an empty anchor): with more it is no
/// wrapper. Bounds the work for every element with an id (a page of ten thousand empty
/// anchors side by side would otherwise take their square).
const MAX_WRAPPER_SIBLINGS: usize = 8;
/// Most nodes read to tell that an element beside a wrapper shows nothing.
const MAX_NODES_READ: usize = 64;

/// Whether `el` is, with every ancestor below `<body>`, the only element of its parent
/// that shows anything: the whole page is inside it.
fn wraps_the_page(el: &ElementRef) -> bool {
    let mut node = *el;
    loop {
        let Some(parent) = node.parent().and_then(ElementRef::wrap) else {
            return false;
        };
        let siblings: Vec<ElementRef> = node
            .prev_siblings()
            .chain(node.next_siblings())
            .filter_map(ElementRef::wrap)
            .take(MAX_WRAPPER_SIBLINGS + 1)
            .collect();
        if siblings.len() > MAX_WRAPPER_SIBLINGS || !siblings.iter().all(shows_nothing) {
            return false;
        }
        if parent.value().name() == "body" {
            return true;
        }
        node = parent;
    }
}

/// An element beside a page's wrapper that puts nothing in the page's Markdown: one the
/// conversion always drops ([`is_dropped_tag`]: a script, a style, an icon sprite sheet),
/// or one without text (the empty `<em>` a parser reopens after the wrapper when a page
/// leaves one unclosed inside it — which one a page has must not change its blocks'
/// places).
fn shows_nothing(el: &ElementRef) -> bool {
    if is_dropped_tag(el.value().name()) {
        return true;
    }
    let mut nodes = el.descendants();
    let blank = nodes.by_ref().take(MAX_NODES_READ).all(|node| {
        node.value()
            .as_text()
            .is_none_or(|text| text.trim().is_empty())
    });
    blank && nodes.next().is_none()
}

/// The path hashes of `root` from the document's top, so that blocks of conversions that
/// start at different containers still compare.
fn absolute_path_hashes(root: ElementRef, page: &PageName) -> Place {
    let mut chain: Vec<ElementRef> = root
        .ancestors()
        .filter_map(ElementRef::wrap)
        .take(256)
        .collect();
    chain.reverse();
    chain.push(root);
    chain
        .iter()
        .fold(Place::TOP, |parent, el| parent.child(el, page, true))
}

/// Visible characters of a subtree, dropping only chrome recognised by its structure.
pub(super) fn structural_text_len(root: ElementRef) -> usize {
    let mut len = 0;
    walk(root, |visit| match visit {
        Visit::Enter(el) if chrome_kind(el) == Some(Chrome::Structural) => Flow::Skip,
        Visit::Text(t) => {
            len += non_whitespace_chars(t);
            Flow::Descend
        }
        _ => Flow::Descend,
    });
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_text_hashes_are_stable_and_see_every_byte() {
        // Stored fingerprints must read the same in the next build.
        let text = b"Report a problem with this page";
        // (The value as a few lines of Python compute the same algorithm.)
        assert_eq!(text_hash(FNV_OFFSET, text), 0x834a_79a2_db2c_6ee0);
        let mut seen = HashSet::new();
        for at in 0..text.len() {
            let mut changed = text.to_vec();
            changed[at] ^= 1;
            assert!(seen.insert(text_hash(FNV_OFFSET, &changed)), "byte {at}");
        }
        assert!(!seen.contains(&text_hash(FNV_OFFSET, text)));
        assert_ne!(text_hash(1, text), text_hash(2, text));
    }

    #[test]
    fn a_text_hashed_in_pieces_hashes_as_the_pieces_joined() {
        let text = b"Report a problem with this page, or two";
        for first in 0..text.len() {
            for second in first..text.len() {
                let mut hasher = TextHasher::new(FNV_OFFSET);
                for piece in [&text[..first], &text[first..second], &text[second..]] {
                    hasher.write(piece);
                }
                assert_eq!(
                    hasher.finish(),
                    text_hash(FNV_OFFSET, text),
                    "{first} {second}"
                );
            }
        }
    }

    #[test]
    fn a_link_and_its_bare_label_fingerprint_alike() {
        // A manual's contents on every page: the entries of the page it is on are written
        // as their labels (links to its own sections).
        let linked =
            "- [Pitches](http://h.example/p.html)\n  - [Note heads](http://h.example/n.html#heads)";
        let bare = "- [Pitches](http://h.example/p.html)\n  - Note heads";
        assert_eq!(
            block_fingerprint(7, linked, false),
            block_fingerprint(7, bare, false)
        );
        let other = "- [Pitches](http://h.example/p.html)\n  - Note tails";
        assert_ne!(
            block_fingerprint(7, linked, false),
            block_fingerprint(7, other, false)
        );
        // Brackets inside a label are its text: an array is not a string.
        let array = "- Returns: [\\<string[]>](http://h.example/String)";
        let string = "- Returns: [\\<string>](http://h.example/String)";
        assert_ne!(
            block_fingerprint(7, array, false),
            block_fingerprint(7, string, false)
        );
    }

    /// The signature as a string, as it was hashed before.
    fn element_signature(el: &ElementRef) -> String {
        let mut signature = el.value().name().to_string();
        if let Some(id) = placing_id(el) {
            signature.push('#');
            signature.push_str(id);
        }
        for class in class_tokens(el) {
            signature.push('.');
            signature.push_str(class);
        }
        signature
    }

    /// The path hashes of the first list of `html`, a page at `url`.
    fn path_of_list_at(html: &str, url: &str) -> (u64, u64) {
        let place = place_of_list_at(html, url);
        (place.full, place.masthead)
    }

    /// The place of the first list of `html`, a page at `url`.
    fn place_of_list_at(html: &str, url: &str) -> Place {
        let doc = Html::parse_document(html);
        let list = doc
            .tree
            .nodes()
            .filter_map(ElementRef::wrap)
            .find(|el| el.value().name() == "ul")
            .expect("list");
        let url = Url::parse(url).expect("url");
        absolute_path_hashes(list, &PageName::of(&url))
    }

    fn path_of_list(html: &str) -> (u64, u64) {
        path_of_list_at(html, "http://h/a/b.html")
    }

    #[test]
    fn a_wrapper_around_the_whole_page_places_no_block() {
        // docutils: `<div class="document" id="<slug of the title>">` holds the page.
        let page = |slug: &str, after: &str| {
            path_of_list(&format!(
                r#"<body><div class="document" id="{slug}"><div id=menu><ul><li>a</li></ul></div>
                   <h1>T</h1></div>{after}<script>var x;</script></body>"#
            ))
        };
        assert_eq!(page("sax-support", ""), page("why-lxml", ""));
        // An element without text beside it (a formatting element the parser reopened
        // after it) is no layout either.
        assert_eq!(page("sax-support", "<em> </em>"), page("why-lxml", ""));
        // Beside more empty elements than a wrapper has, it is one of a row of them.
        let anchors = "<a id=n></a>".repeat(MAX_WRAPPER_SIBLINGS);
        assert_ne!(page("sax-support", &anchors), page("why-lxml", &anchors));
        // Beside other elements the id places what is inside it.
        let beside = "<div class=footer>f</div>";
        assert_ne!(page("sax-support", beside), page("why-lxml", beside));
        // Inside the wrapper, ids still place blocks.
        let inner = |id: &str| {
            path_of_list(&format!(
                r#"<body><div id=page><div id={id}><ul><li>a</li></ul></div><p>t</p></div></body>"#
            ))
        };
        assert_ne!(inner("menu"), inner("contents"));
    }

    #[test]
    fn a_section_named_after_its_heading_is_left_out_of_a_place_outside_sections() {
        // Sphinx: the last section of each page, at the outline's depth, with its title's
        // slug for an id, holds what the site adds at the end of every page.
        let nested = |sections: &[(&str, &str)]| {
            let open: String = sections
                .iter()
                .map(|(id, title)| {
                    format!(r#"<section id="{id}"><span id="ref"></span><h2>{title}<a>¶</a></h2><p>t</p>"#)
                })
                .collect();
            place_of_list_at(
                &format!(
                    r#"<body><div class="body" role="main">{open}<ul><li>a</li></ul>{}</div><p>f</p></body>"#,
                    "</section>".repeat(sections.len())
                ),
                "http://h/a/b.html",
            )
        };
        let one = nested(&[("queues", "Queues")]);
        let two = nested(&[
            ("disk-assisted-queues", "Disk-assisted queues"),
            ("watermarks", "Watermarks"),
        ]);
        assert_eq!(one.outside_sections, two.outside_sections);
        assert_ne!(one.full, two.full, "in full, sections place blocks");
        // Texinfo numbers its headings; the id still names the section.
        assert_eq!(
            one.outside_sections,
            nested(&[("Breaks", "4.3 Breaks")]).outside_sections
        );
        // A container whose id is not its heading's is part of the layout.
        let other = nested(&[("content", "Watermarks")]);
        assert_ne!(one.outside_sections, other.outside_sections);
        assert_eq!(other.full, other.outside_sections);
        let layout = |id: &str| {
            place_of_list_at(
                &format!(
                    r#"<body><div id="{id}"><h2>Contents</h2><ul><li>a</li></ul></div><p>f</p></body>"#
                ),
                "http://h/a/b.html",
            )
            .outside_sections
        };
        assert_ne!(layout("sidebar"), layout("main"));
    }

    #[test]
    fn a_body_that_names_its_page_places_blocks_as_any_body_does() {
        let plain = path_of_list(
            "<body><div id=left><ul><li>a</li></ul></div><div id=main><p>t</p></div></body>",
        );
        let named = path_of_list(
            r#"<html id="top"><body id="page-dns"><div id=left><ul><li>a</li></ul></div><div id=main><p>t</p></div></body></html>"#,
        );
        assert_eq!(plain, named);
        let kind = path_of_list(
            r#"<body class="enum"><div id=left><ul><li>a</li></ul></div><div id=main><p>t</p></div></body>"#,
        );
        assert_ne!(
            plain.0, kind.0,
            "a body's classes tell kinds of pages apart"
        );
        assert_eq!(plain.1, kind.1, "… but not in the masthead");
        let moved = path_of_list(
            "<body><div id=right><ul><li>a</li></ul></div><div id=main><p>t</p></div></body>",
        );
        assert_ne!(plain, moved);
        assert_ne!(plain.1, moved.1);
        // A class naming the page (MediaWiki's `page-<title>`, a post's number) is left out
        // like the id; the kind beside it stays.
        let wiki = |title: &str| {
            path_of_list_at(
                &format!(
                    r#"<body class="enum page-{title} postid-{}"><div id=left><ul><li>a</li></ul></div><div id=main><p>t</p></div></body>"#,
                    title.len()
                ),
                &format!("http://h/wiki/{title}"),
            )
        };
        assert_eq!(wiki("Sensors"), kind);
        assert_eq!(wiki("Export_formats"), kind);
    }

    #[test]
    fn signatures_hash_as_their_strings() {
        let doc = Html::parse_document(
            r#"<div id="main" class="b a Ünï"><p class="x">t</p><span>s</span>
               <section id="only-id"></section></div>"#,
        );
        let mut elements = 0;
        for el in doc.tree.nodes().filter_map(ElementRef::wrap) {
            for seed in [FNV_OFFSET, 42] {
                assert_eq!(
                    mix_signature(seed, &el, placing_id(&el), true, &PageName::default()),
                    mix(seed, &element_signature(&el)),
                    "{:?}",
                    el.value()
                );
            }
            elements += 1;
        }
        assert!(elements >= 7);
    }
}
