//! What the converters of binary document formats (PDF, DOCX) produce.

use serde::{Deserialize, Serialize};

/// A binary document converted to Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Converted {
    /// The document's own title (PDF information dictionary, DOCX core properties).
    pub title: Option<String>,
    pub markdown: String,
    /// Pages of a PDF, paragraphs of a DOCX.
    pub units: usize,
}

/// A line of body text made safe to place in Markdown: a leading `#` or `>` and lines
/// of only `-`, `=`, `*` or `_` (which would turn the line above into a heading or a
/// rule) are escaped.
pub fn escape_markdown_line(line: &str) -> String {
    let trimmed = line.trim_start();
    let rule_like = trimmed.len() >= 3
        && trimmed
            .chars()
            .all(|c| matches!(c, '-' | '=' | '*' | '_' | ' '));
    if trimmed.starts_with('#') || trimmed.starts_with('>') || rule_like {
        format!("\\{trimmed}")
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_look_alikes_are_escaped() {
        assert_eq!(escape_markdown_line("# 1"), "\\# 1");
        assert_eq!(escape_markdown_line("-----"), "\\-----");
        assert_eq!(escape_markdown_line("a - b"), "a - b");
        assert_eq!(escape_markdown_line("--"), "--");
    }
}
