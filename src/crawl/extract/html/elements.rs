//! Classifying elements for conversion: headings, admonitions, layout tables, code.

use super::*;

pub(super) const ADMONITION_TOKENS: &[&str] = &[
    "admonition",
    "theme-admonition",
    // AsciiDoc's, which names no kind (Asciidoctor adds `note`, `warning` …).
    "admonitionblock",
    "note",
    "warning",
    "tip",
    "important",
    "caution",
    "danger",
    "attention",
    "hint",
    "seealso",
    "callout",
];

pub(super) fn is_admonition(el: &ElementRef) -> bool {
    class_tokens(el).any(|c| ADMONITION_TOKENS.iter().any(|t| c.eq_ignore_ascii_case(t)))
}

pub(super) fn is_admonition_title(el: &ElementRef) -> bool {
    class_tokens(el).any(|c| {
        let c = c.to_ascii_lowercase();
        c == "admonition-title" || c == "admonition-heading" || c.starts_with("admonitionheading")
    })
}

/// API signatures: Sphinx `dt.sig` (or older `dt[id]` with a `descname`),
/// Javadoc's member/type signature blocks.
pub(super) fn is_signature(el: ElementRef) -> bool {
    match el.value().name() {
        "dt" => {
            has_class(&el, "sig")
                || (el.value().attr("id").is_some()
                    && has_descendant(el, 200, |d| {
                        has_class(&d, "sig-name") || has_class(&d, "descname")
                    }))
        }
        "div" => ["member-signature", "type-signature", "rm-APIHeader"]
            .iter()
            .any(|c| has_class(&el, c)),
        _ => false,
    }
}

/// Javadoc lays out whole pages as nested lists; rendering them as
/// Markdown bullets would indent every heading and paragraph.
pub(super) fn is_structural_list(el: &ElementRef) -> bool {
    class_tokens(el).any(|c| {
        [
            "member-list",
            "details-list",
            "summary-list",
            "block-list",
            "blocklist",
            "bloclistlast",
            "blocklistlast",
        ]
        .iter()
        .any(|t| c.eq_ignore_ascii_case(t))
    })
}

/// Tables used to lay out code with line numbers, a single box, or a whole page (hand-
/// written sites put their banner, menu and article in table cells; a heading inside
/// says that the cells hold sections of a page, not data). A cell that holds a listing of
/// several lines lays out code too (YARD's `table.source_code`, a line-number gutter
/// beside the code): a Markdown cell is one line, and the listing would lose its lines.
pub(super) fn is_layout_table(table: ElementRef) -> bool {
    if has_class(&table, "highlighttable")
        || attr_is(&table, "role", "presentation")
        || attr_is(&table, "role", "none")
        || has_descendant(table, 5000, is_heading)
        || has_descendant(table, 5000, is_multiline_listing)
    {
        return true;
    }
    if is_box_table(table) {
        return true;
    }
    own_cells(table, 1, 2000).is_some_and(|(cells, _)| cells.len() == 1)
}

/// Most nodes of a layout table's cell read as a phrase of its row.
const MAX_PHRASE_CELL_NODES: usize = 200;

/// Most cells of a layout table's row read as one line.
const MAX_PHRASE_ROW_CELLS: usize = 6;

/// A layout table's row whose cells all hold a phrase, not blocks: Doxygen lays out each
/// member as a row of two such cells (the return type right-aligned, then the name and
/// parameters), and such a row reads as one line (`int SDL_Init (Uint32 flags)`), not as a
/// paragraph a cell. A row with a cell of blocks (a banner's logo beside the title and
/// article) keeps a block a cell.
pub(super) fn is_phrase_row(row: ElementRef) -> bool {
    let cells = || {
        row.children()
            .filter_map(ElementRef::wrap)
            .filter(|el| matches!(el.value().name(), "td" | "th"))
    };
    cells().count() <= MAX_PHRASE_ROW_CELLS && cells().all(is_phrase_cell)
}

/// A cell that holds a phrase: no element that starts a line, and not large.
fn is_phrase_cell(cell: ElementRef) -> bool {
    let mut nodes = 0;
    let mut phrase = true;
    walk(cell, |visit| {
        nodes += 1;
        if nodes > MAX_PHRASE_CELL_NODES {
            phrase = false;
            return Flow::Stop;
        }
        match visit {
            Visit::Enter(el) if el.id() != cell.id() && holds_lines(el.value().name()) => {
                phrase = false;
                Flow::Stop
            }
            _ => Flow::Descend,
        }
    });
    phrase
}

/// Elements that start a line of their own in Markdown.
fn holds_lines(name: &str) -> bool {
    is_block_tag(name) || is_block_level(name) || matches!(name, "pre" | "br")
}

/// The cells of `table`, not of the tables inside it, up to `most + 1` of them (then the
/// walk stops), and whether a table is nested in it; `None` when the table has more than
/// `max_nodes` nodes before that is known.
fn own_cells(table: ElementRef, most: usize, max_nodes: usize) -> Option<(Vec<ElementRef>, bool)> {
    let mut cells = Vec::new();
    let (mut nodes, mut nested, mut decided) = (0, false, true);
    walk(table, |visit| {
        nodes += 1;
        if nodes > max_nodes {
            decided = false;
            return Flow::Stop;
        }
        match visit {
            Visit::Enter(el) if el.value().name() == "table" => {
                nested = true;
                Flow::Skip
            }
            Visit::Enter(el) if matches!(el.value().name(), "td" | "th") => {
                cells.push(el);
                if cells.len() > most {
                    Flow::Stop
                } else {
                    Flow::Skip
                }
            }
            _ => Flow::Descend,
        }
    });
    decided.then_some((cells, nested))
}

/// Most cells a table laying out one box may have.
const MAX_BOX_CELLS: usize = 3;
/// Most visible characters of a box's other cells (its label: "Note", "Warning").
const MAX_BOX_LABEL_CHARS: usize = 24;

/// A table that lays out one box rather than data: an admonition drawn with its icon
/// (DocBook's `admon.graphics`: the icon in a cell spanning two rows, the label beside
/// it, the paragraphs under the label). One cell holds blocks (paragraphs, lists,
/// listings); the others, at most two, hold an image or a short label. A data table has
/// more cells, or several cells of blocks. (An admonition's own table is read more
/// widely, see [`admonition_cells`].)
fn is_box_table(table: ElementRef) -> bool {
    let Some(cells) = box_table_cells(table) else {
        return false;
    };
    let holds_blocks = |cell: &ElementRef| {
        cell.child_elements().any(|child| {
            matches!(
                child.value().name(),
                "p" | "ul" | "ol" | "dl" | "pre" | "div" | "blockquote"
            )
        })
    };
    let boxes = cells.iter().filter(|cell| holds_blocks(cell)).count();
    (boxes == 1
        && cells
            .iter()
            .filter(|cell| !holds_blocks(cell))
            .all(|cell| visible_text_len(*cell) <= MAX_BOX_LABEL_CHARS))
        || admonition_cells(table).is_some()
}

/// The two or three cells of `table`, when it has no more and no table inside.
fn box_table_cells(table: ElementRef) -> Option<Vec<ElementRef>> {
    let Some((cells, false)) = own_cells(table, MAX_BOX_CELLS, 400) else {
        return None;
    };
    (2..=MAX_BOX_CELLS).contains(&cells.len()).then_some(cells)
}

/// The icon cell of a box table (`[Note]`'s picture beside the label "Note"): only
/// images, no text. The label says it already.
pub(super) fn is_box_icon_cell(cell: ElementRef) -> bool {
    visible_text_len(cell) == 0
        && has_descendant(cell, 50, |el| el.value().name() == "img")
        && cell
            .ancestors()
            .filter_map(ElementRef::wrap)
            .find(|el| el.value().name() == "table")
            .is_some_and(is_box_table)
}

/// A notebook cell's execution count beside it (`[3]:`, `In [3]:`, `Out[3]:`): nbsphinx
/// writes it as a listing of its own in a `div.prompt`, nbconvert in a `div.input_prompt`
/// or `div.jp-InputPrompt`. It numbers a run of the notebook, not the documentation, and
/// as a listing it would be a code block of its own before every cell.
pub(super) fn is_notebook_prompt(el: ElementRef) -> bool {
    // Asked of every `div`: a substring test first.
    if !el
        .value()
        .attr("class")
        .is_some_and(|c| c.contains("rompt"))
    {
        return false;
    }
    class_tokens(&el).any(|c| {
        c.eq_ignore_ascii_case("prompt") || c.ends_with("_prompt") || c.ends_with("Prompt")
    }) && is_execution_count(&visible_text(el))
}

/// `[3]:`, `In [3]:`, `Out[ ]:`, `[*]:` and the like, alone.
fn is_execution_count(text: &str) -> bool {
    let text = text.trim();
    let text = text
        .strip_prefix("In")
        .or_else(|| text.strip_prefix("Out"))
        .unwrap_or(text)
        .trim_start();
    let Some(inside) = text.strip_prefix('[').and_then(|rest| {
        rest.strip_suffix(':')
            .unwrap_or(rest)
            .trim_end()
            .strip_suffix(']')
    }) else {
        return false;
    };
    inside
        .chars()
        .all(|c| c.is_ascii_digit() || c == '*' || c.is_whitespace())
}

/// What a cell of an admonition's table (see [`admonition_cells`]) holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum BoxCell {
    /// The box's text: converted as blocks.
    Content,
    /// A short label ("Note", "Warning"): written as the box's bold title.
    Label,
    /// A picture and no text: its `alt` (or an icon font's `title`), brackets trimmed,
    /// when no other cell says the label; else nothing, the label says it already.
    Icon(Option<String>),
}

/// The cells of the table an admonition is laid out with, the table being the
/// admonition's only child (DocBook's `div.note > table` of `admon.graphics`; AsciiDoc's
/// and Asciidoctor's `div.admonitionblock > table`: a label or icon cell, then the text,
/// bare or in paragraphs), with what each holds: one the box's text (paragraphs, lists,
/// listings, or more than a label's characters), the others a short label or a picture.
pub(super) fn admonition_cells(table: ElementRef) -> Option<Vec<(ElementRef, BoxCell)>> {
    let holder = parent_element(&table)?;
    if !is_admonition(&holder) || holder.child_elements().count() != 1 {
        return None;
    }
    let mut kinds: Vec<(ElementRef, BoxCell)> = box_table_cells(table)?
        .into_iter()
        .map(|cell| (cell, admonition_cell_kind(cell)))
        .collect();
    let contents = kinds
        .iter()
        .filter(|(_, kind)| *kind == BoxCell::Content)
        .count();
    if contents != 1 {
        return None;
    }
    if kinds.iter().any(|(_, kind)| *kind == BoxCell::Label) {
        for (_, kind) in &mut kinds {
            if let BoxCell::Icon(label) = kind {
                *label = None;
            }
        }
    }
    Some(kinds)
}

fn admonition_cell_kind(cell: ElementRef) -> BoxCell {
    let holds_blocks = has_descendant(cell, 400, |el| {
        matches!(
            el.value().name(),
            "p" | "ul" | "ol" | "dl" | "pre" | "blockquote" | "table"
        )
    });
    let text = visible_text_len(cell);
    if holds_blocks || text > MAX_BOX_LABEL_CHARS {
        BoxCell::Content
    } else if text > 0 {
        BoxCell::Label
    } else {
        BoxCell::Icon(icon_label(cell))
    }
}

/// The words an icon stands for: an image's `alt`, or the `title` of an icon font's
/// element (`<i class="fa icon-note" title="Note">`), without the brackets DocBook puts
/// around it (`[Note]`).
fn icon_label(cell: ElementRef) -> Option<String> {
    let mut label = None;
    walk(cell, |visit| {
        if let Visit::Enter(el) = visit {
            let words = match el.value().name() {
                "img" => el.value().attr("alt"),
                _ => el.value().attr("title"),
            };
            let words = words.map(|w| {
                w.trim()
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .trim()
            });
            if let Some(words) = words.filter(|w| !w.is_empty()) {
                label = Some(words.to_string());
                return Flow::Stop;
            }
        }
        Flow::Descend
    });
    label
}

/// Column count of a Javadoc 17 `div.summary-table` grid.
pub(super) fn grid_columns(el: &ElementRef) -> Option<usize> {
    if !has_class(el, "summary-table") {
        return None;
    }
    let named = class_tokens(el).find_map(|c| match c {
        "two-column-summary" => Some(2),
        "three-column-summary" => Some(3),
        "four-column-summary" => Some(4),
        _ => None,
    });
    let headers = el
        .child_elements()
        .filter(|c| has_class(c, "table-header"))
        .count();
    named.or((headers > 0).then_some(headers))
}

/// Elements a browser lays out as blocks: their text starts and ends a line, and
/// whitespace after one starts no text. (`is_block_tag` is narrower: the blocks the
/// Markdown conversion writes as paragraphs of their own.)
pub(super) fn is_block_level(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "head"
            | "header"
            | "hgroup"
            | "hr"
            | "li"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
    )
}

pub(super) fn is_block_tag(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "header"
            | "address"
            | "figure"
            | "figcaption"
            | "hgroup"
            | "fieldset"
            | "legend"
            | "center"
            | "details"
            | "dl"
            | "dd"
            | "form"
            | "body"
            | "aside"
            | "search"
            | "tbody"
            | "thead"
            | "tfoot"
            | "caption"
            | "summary"
            | "label"
    )
}

// ----- code blocks -------------------------------------------------------------

/// Least lines of a block of code written a line per element.
const MIN_CODE_LINES: usize = 2;

/// A line of code written as an element of its own: classed `line`, no block inside.
pub(super) fn is_code_line(el: &ElementRef) -> bool {
    class_tokens(el).any(|c| c == "line")
        && !el
            .descendent_elements()
            .skip(1)
            .any(|inner| is_block_tag(inner.value().name()))
}

/// Class names of a container that say it holds code.
const CODE_CONTAINER_NAMES: [&str; 6] = [
    "fragment",
    "code",
    "highlight",
    "listing",
    "source",
    "program",
];

/// Whether a `class` attribute names its element a container of code (`sourceCode`,
/// `highlight-python`, `fragment` …): where code is written a line per element, and
/// where the parser keeps whitespace as it is (`parse.rs`).
pub(super) fn names_code(classes: &str) -> bool {
    CODE_CONTAINER_NAMES.iter().any(|name| {
        classes
            .as_bytes()
            .windows(name.len())
            .any(|window| window.eq_ignore_ascii_case(name.as_bytes()))
    })
}

/// Code written a line per element, as Doxygen writes its code fragments and source
/// files (`<div class="fragment"><div class="line">…</div>…`): the first child element
/// and at least two in all are lines, with no text between them. What else it holds
/// follows the lines and is not code (Doxygen's hidden tooltips, `div.ttc`). Lines are
/// also how reStructuredText writes a line block (`div.line-block`: an address, a list of
/// names), which is prose: the container must say it holds code, by a class name or by
/// a line-number gutter in its lines.
pub(super) fn is_line_per_element_code(el: ElementRef) -> bool {
    // Asked of every division: most have no line as their first child.
    if !el
        .child_elements()
        .next()
        .is_some_and(|first| class_tokens(&first).any(|c| c == "line"))
    {
        return false;
    }
    let named_code = el.value().attr("class").is_some_and(names_code);
    if !named_code
        && !el
            .descendent_elements()
            .take(64)
            .any(|inner| is_gutter(&inner))
    {
        return false;
    }
    let mut lines = 0;
    let mut first = true;
    for child in el.children() {
        match ElementRef::wrap(child) {
            Some(line) if is_code_line(&line) => lines += 1,
            Some(_) if first => return false,
            Some(_) => {}
            None => {
                if child
                    .value()
                    .as_text()
                    .is_some_and(|t| !t.trim().is_empty())
                {
                    return false;
                }
                continue;
            }
        }
        first = false;
    }
    lines >= MIN_CODE_LINES
}

pub(super) fn is_gutter(el: &ElementRef) -> bool {
    class_tokens(el).any(|c| {
        [
            "linenos",
            "lineno",
            "linenodiv",
            "line-numbers-rows",
            "gutter",
            "line-number",
            "line-numbers",
        ]
        .iter()
        .any(|t| c.eq_ignore_ascii_case(t))
    })
}

/// A `<pre>` whose text spans lines.
fn is_multiline_listing(el: ElementRef) -> bool {
    el.value().name() == "pre" && el.text().collect::<String>().trim().contains('\n')
}

/// A listing that is only line numbers, one a line (`7`, `8`, `9`): the gutter a layout
/// table puts beside the code, whatever its class is called.
pub(super) fn is_line_number_column(code: &str) -> bool {
    let mut numbers = 0;
    for line in code.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !line.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        numbers += 1;
    }
    numbers >= 2
}

/// Code text exactly as displayed: highlight markup flattened, `<br>` as
/// newline (Docusaurus renders lines that way), gutters and buttons dropped.
pub(super) fn code_text(pre: ElementRef) -> String {
    let mut code = String::new();
    walk(pre, |visit| match visit {
        Visit::Enter(el) if is_gutter(&el) || is_hidden(&el) => Flow::Skip,
        Visit::Enter(el) if matches!(el.value().name(), "button" | "script" | "style") => {
            Flow::Skip
        }
        Visit::Enter(el) if el.value().name() == "br" => {
            code.push('\n');
            Flow::Skip
        }
        Visit::Text(t) => {
            code.push_str(t);
            Flow::Descend
        }
        _ => Flow::Descend,
    });
    code
}

pub(super) fn code_language(pre: ElementRef) -> String {
    let code = pre.child_elements().find(|c| c.value().name() == "code");
    let own = [Some(pre), code].into_iter().flatten();
    let from_self = own
        .clone()
        .find_map(|el| language_from_classes(&el))
        .or_else(|| own.clone().find_map(|el| language_from_data(&el)));
    if let Some(language) = from_self {
        return language;
    }
    pre.ancestors()
        .filter_map(ElementRef::wrap)
        .take(6)
        .find_map(|a| language_from_classes(&a).or_else(|| language_from_data(&a)))
        .unwrap_or_default()
}

/// `language-xx`, `lang-xx` or Sphinx `highlight-xx`; an explicit
/// `highlight-default`/`none` yields an empty language.
pub(super) fn language_from_classes(el: &ElementRef) -> Option<String> {
    class_tokens(el).find_map(|class| {
        let lower = class.to_ascii_lowercase();
        let language = ["language-", "lang-", "highlight-"]
            .iter()
            .find_map(|prefix| lower.strip_prefix(prefix))?;
        match language {
            "default" | "none" | "plaintext" => Some(String::new()),
            _ => sanitize_language(language),
        }
    })
}

pub(super) fn language_from_data(el: &ElementRef) -> Option<String> {
    ["data-lang", "data-language"]
        .iter()
        .find_map(|name| el.value().attr(name))
        .and_then(|value| sanitize_language(&value.to_ascii_lowercase()))
}

pub(super) fn sanitize_language(language: &str) -> Option<String> {
    let valid = !language.is_empty()
        && language.len() <= 32
        && language
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-#_.".contains(c));
    valid.then(|| language.to_string())
}
