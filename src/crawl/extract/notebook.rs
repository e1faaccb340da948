//! Renders a Jupyter notebook (`.ipynb`, nbformat 4 and 3) as Markdown.
//!
//! Documentation sites link their examples' notebooks beside the rendered pages
//! (sphinx-gallery's and nbsphinx's downloads, a repository's `examples/`). Kept as their
//! JSON, their text drowns in cell metadata, escaped newlines and base64 images; read as
//! a reader of the notebook sees it, they are documentation like any page: the Markdown
//! cells as written, each code cell a fenced block in the kernel's language, and the
//! text its run printed (results, streams, errors) as a fenced block after it: an
//! output's Markdown, else its plain text (a table's HTML rendering gives way to it).
//! Images, with the plot object's name beside them, are left out.

use serde_json::Value;

use crate::crawl::text::code_fence;

/// The MIME type recorded for a notebook, whatever the server called it.
pub const NOTEBOOK_MIME: &str = "application/x-ipynb+json";

/// An output's text is cut to this many lines: a loop's log or a dumped array is the
/// run's, not the documentation's.
const OUTPUT_LINES: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notebook {
    /// The first level-one heading of its text cells.
    pub title: Option<String>,
    pub markdown: String,
}

/// `None` unless `text` is a JSON object with an integer `nbformat` and its cells.
pub fn render_notebook(text: &str) -> Option<Notebook> {
    // A cheap look first: most JSON crawled is not a notebook, and parsing it whole into
    // a tree only to find that out costs as much as the rest of its pipeline.
    if !text.contains("\"nbformat\"") {
        return None;
    }
    let root: Value = serde_json::from_str(text).ok()?;
    root.get("nbformat")?.as_u64()?;
    let cells = cells_of(&root)?;
    let language = language_of(&root);
    let mut blocks: Vec<String> = Vec::new();
    for cell in cells {
        render_cell(cell, &language, &mut blocks);
    }
    // The title is a heading of the text cells: a code cell's `# comment` is not one.
    let title = cells
        .iter()
        .filter_map(|cell| match cell.get("cell_type")?.as_str()? {
            "markdown" => text_of(cell.get("source"))
                .lines()
                .find_map(|line| line.strip_prefix("# ").map(str::to_string)),
            "heading" if cell.get("level")?.as_u64()? == 1 => Some(text_of(cell.get("source"))),
            _ => None,
        })
        .map(|title| title.trim().to_string())
        .find(|title| !title.is_empty());
    Some(Notebook {
        title,
        markdown: blocks.join("\n\n"),
    })
}

/// nbformat 4 keeps the cells at the top; nbformat 3 in its first worksheet.
fn cells_of(root: &Value) -> Option<&Vec<Value>> {
    root.get("cells")
        .or_else(|| root.get("worksheets")?.get(0)?.get("cells"))?
        .as_array()
}

/// The code cells' language, for their fences: the kernel's, as the notebook names it.
fn language_of(root: &Value) -> String {
    let metadata = root.get("metadata");
    let named = |path: &[&str]| {
        path.iter()
            .try_fold(metadata?, |value, key| value.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    named(&["language_info", "name"])
        .or_else(|| named(&["kernelspec", "language"]))
        .or_else(|| {
            // nbformat 3 names it on each code cell.
            let cells = cells_of(root)?;
            cells
                .iter()
                .find_map(|cell| cell.get("language")?.as_str().map(str::to_string))
        })
        .unwrap_or_default()
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '-' | '_'))
        .collect()
}

fn render_cell(cell: &Value, language: &str, blocks: &mut Vec<String>) {
    let kind = cell.get("cell_type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "markdown" => push_text(blocks, text_of(cell.get("source"))),
        "heading" => {
            // nbformat 3's heading cells carry their level apart from their text.
            let level = cell.get("level").and_then(Value::as_u64).unwrap_or(1);
            let text = text_of(cell.get("source"));
            let text = text.trim();
            if !text.is_empty() {
                let hashes = "#".repeat(level.clamp(1, 6) as usize);
                blocks.push(format!("{hashes} {text}"));
            }
        }
        "code" => {
            let source = text_of(cell.get("source").or_else(|| cell.get("input")));
            if !source.trim().is_empty() {
                blocks.push(fenced(language, source.trim_start_matches('\n').trim_end()));
            }
            let outputs = cell.get("outputs").and_then(Value::as_array);
            for output in outputs.into_iter().flatten() {
                render_output(output, blocks);
            }
        }
        // Raw cells are input to nbconvert (reST, LaTeX), not what a reader sees.
        _ => {}
    }
}

fn render_output(output: &Value, blocks: &mut Vec<String>) {
    let kind = output
        .get("output_type")
        .and_then(Value::as_str)
        .unwrap_or("");
    match kind {
        "stream" => push_output(blocks, &text_of(output.get("text"))),
        "execute_result" | "display_data" | "pyout" => {
            let data = output.get("data").unwrap_or(output);
            // A plot's text is its object's name (`<Figure size 640x480 with 1 Axes>`).
            let is_image = data
                .as_object()
                .is_some_and(|data| data.keys().any(|mime| mime.starts_with("image/")));
            if is_image {
                return;
            }
            if let Some(markdown) = data.get("text/markdown") {
                push_text(blocks, text_of(Some(markdown)));
            } else if let Some(plain) = data.get("text/plain").or_else(|| data.get("text")) {
                push_output(blocks, &text_of(Some(plain)));
            }
        }
        "error" | "pyerr" => {
            let traceback = output.get("traceback").and_then(Value::as_array);
            let lines: Vec<String> = traceback
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(without_terminal_escapes)
                .collect();
            let text = if lines.is_empty() {
                let name = output.get("ename").and_then(Value::as_str).unwrap_or("");
                let value = output.get("evalue").and_then(Value::as_str).unwrap_or("");
                format!("{name}: {value}")
            } else {
                lines.join("\n")
            };
            push_output(blocks, &text);
        }
        _ => {}
    }
}

/// A cell's source or an output's text: a string, or the list of its lines.
fn text_of(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(lines)) => lines.iter().filter_map(Value::as_str).collect(),
        _ => String::new(),
    }
}

fn push_text(blocks: &mut Vec<String>, text: String) {
    let text = text.trim();
    if !text.is_empty() {
        blocks.push(text.to_string());
    }
}

fn push_output(blocks: &mut Vec<String>, text: &str) {
    let text = without_terminal_escapes(text);
    let text = text.trim_matches('\n').trim_end();
    if text.trim().is_empty() {
        return;
    }
    let lines: Vec<&str> = text.lines().collect();
    let shown = if lines.len() > OUTPUT_LINES {
        let rest = lines.len() - OUTPUT_LINES;
        format!(
            "{}\n… ({rest} more lines)",
            lines[..OUTPUT_LINES].join("\n")
        )
    } else {
        text.to_string()
    };
    blocks.push(fenced("text", &shown));
}

fn fenced(language: &str, text: &str) -> String {
    let fence = code_fence(text);
    format!("{fence}{language}\n{text}\n{fence}")
}

/// Tracebacks and coloured logs hold ANSI escape sequences (`ESC [ … m`), which are the
/// terminal's colours, not text.
fn without_terminal_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            // Parameters and intermediates up to the final byte (`@` to `~`).
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notebook(cells: &str) -> String {
        format!(
            r#"{{"nbformat": 4, "nbformat_minor": 5,
                "metadata": {{"kernelspec": {{"language": "python", "name": "python3"}},
                              "language_info": {{"name": "python"}}}},
                "cells": [{cells}]}}"#
        )
    }

    #[test]
    fn cells_read_as_text_code_and_what_the_run_printed() {
        let text = notebook(
            r##"{"cell_type": "markdown", "metadata": {}, "source": ["# Fitting a line\n", "\n", "We fit `y = ax + b`."]},
                {"cell_type": "code", "execution_count": 3, "metadata": {"collapsed": false},
                 "source": ["\n", "import numpy as np\n", "np.polyfit([0, 1], [1, 3], 1)"],
                 "outputs": [
                   {"output_type": "stream", "name": "stdout", "text": ["fitting\n"]},
                   {"output_type": "display_data", "metadata": {},
                    "data": {"text/plain": ["<Figure size 640x480 with 1 Axes>"], "image/png": "iVBORw0KGgoAAAANSUhEUg=="}},
                   {"output_type": "execute_result", "execution_count": 3, "metadata": {},
                    "data": {"text/plain": ["array([2., 1.])"]}}]},
                {"cell_type": "raw", "metadata": {}, "source": ".. autosummary::"}"##,
        );
        let rendered = render_notebook(&text).expect("a notebook");
        assert_eq!(rendered.title.as_deref(), Some("Fitting a line"));
        assert_eq!(
            rendered.markdown,
            "# Fitting a line\n\nWe fit `y = ax + b`.\n\n\
             ```python\nimport numpy as np\nnp.polyfit([0, 1], [1, 3], 1)\n```\n\n\
             ```text\nfitting\n```\n\n```text\narray([2., 1.])\n```"
        );
    }

    #[test]
    fn an_error_is_its_traceback_without_terminal_colours() {
        let text = notebook(
            r#"{"cell_type": "code", "metadata": {}, "source": "1/0",
                "outputs": [{"output_type": "error", "ename": "ZeroDivisionError",
                  "evalue": "division by zero",
                  "traceback": ["\u001b[0;31mZeroDivisionError\u001b[0m: division by zero"]}]}"#,
        );
        let markdown = render_notebook(&text).expect("a notebook").markdown;
        assert!(
            markdown.ends_with("```text\nZeroDivisionError: division by zero\n```"),
            "{markdown}"
        );
    }

    #[test]
    fn long_outputs_are_cut_and_backticks_lengthen_the_fence() {
        let lines: Vec<String> = (0..100).map(|i| format!("\"step {i}\\n\"")).collect();
        let text = notebook(&format!(
            r#"{{"cell_type": "code", "metadata": {{}}, "source": "s = '```'",
                "outputs": [{{"output_type": "stream", "name": "stdout", "text": [{}]}}]}}"#,
            lines.join(",")
        ));
        let markdown = render_notebook(&text).expect("a notebook").markdown;
        assert!(
            markdown.starts_with("````python\ns = '```'\n````"),
            "{markdown}"
        );
        assert!(
            markdown.contains("step 39\n… (60 more lines)\n```"),
            "{markdown}"
        );
        assert!(!markdown.contains("step 40"), "{markdown}");
    }

    #[test]
    fn nbformat_3_keeps_its_cells_in_a_worksheet() {
        let text = r#"{"nbformat": 3, "metadata": {"name": "old"},
            "worksheets": [{"cells": [
              {"cell_type": "heading", "level": 2, "source": ["Setup"]},
              {"cell_type": "code", "language": "python", "input": ["x = 1"],
               "outputs": [{"output_type": "pyout", "text": ["1"]}]}]}]}"#;
        let markdown = render_notebook(text).expect("a notebook").markdown;
        assert_eq!(
            markdown,
            "## Setup\n\n```python\nx = 1\n```\n\n```text\n1\n```"
        );
    }

    #[test]
    fn the_title_is_a_text_cells_heading_not_a_code_comment() {
        let text = notebook(
            r##"{"cell_type": "code", "metadata": {}, "source": "# Imports\nimport os", "outputs": []},
                {"cell_type": "markdown", "metadata": {}, "source": "Intro.\n\n# Walking a tree"}"##,
        );
        let rendered = render_notebook(&text).expect("a notebook");
        assert_eq!(rendered.title.as_deref(), Some("Walking a tree"));
    }

    #[test]
    fn other_json_is_not_a_notebook() {
        assert!(render_notebook(r#"{"cells": []}"#).is_none());
        assert!(render_notebook(r#"{"nbformat": "4", "cells": []}"#).is_none());
        assert!(render_notebook(r#"{"nbformat": 4}"#).is_none());
        assert!(render_notebook(r#"{"nbformat": 4, "cells": [ broken"#).is_none());
        assert!(render_notebook(r#"[{"nbformat": 4}]"#).is_none());
    }
}
