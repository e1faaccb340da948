//! AsciiDoc → Markdown, as far as chunking needs it: section titles become headings (so
//! chunks carry their section path) and delimited listing / literal blocks become fenced
//! code (so code is never cut unclosed). Everything else stays as written.

/// Converts AsciiDoc text; lines that are neither titles nor block delimiters pass through.
pub fn asciidoc_to_markdown(text: &str) -> String {
    let mut out = Vec::new();
    // The delimiter that closes the open block (`----`, `....`, `////`), if any.
    let mut open: Option<(&str, bool)> = None;
    let mut language: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim_end();
        if let Some((delimiter, is_comment)) = open {
            if trimmed == delimiter {
                open = None;
                if !is_comment {
                    out.push("```".to_string());
                }
            } else if !is_comment {
                out.push(line.to_string());
            }
            continue;
        }
        if is_delimiter(trimmed, '-') || is_delimiter(trimmed, '.') {
            open = Some((trimmed, false));
            out.push(format!("```{}", language.take().unwrap_or_default()));
            continue;
        }
        if is_delimiter(trimmed, '/') {
            open = Some((trimmed, true));
            continue;
        }
        if trimmed.starts_with("//") && !trimmed.starts_with("///") {
            continue;
        }
        // `[source,java]` names the language of the block that follows.
        if let Some(attributes) = trimmed
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
        {
            let mut parts = attributes.split(',').map(str::trim);
            if parts.next() == Some("source") {
                language = parts.next().map(str::to_string);
                continue;
            }
        }
        language = None;
        if let Some(heading) = section_title(trimmed) {
            if out.last().is_some_and(|last: &String| !last.is_empty()) {
                out.push(String::new());
            }
            out.push(heading);
            out.push(String::new());
            continue;
        }
        // One blank line between blocks is enough.
        if trimmed.is_empty() && out.last().is_some_and(|last: &String| last.is_empty()) {
            continue;
        }
        out.push(line.to_string());
    }
    if open.is_some_and(|(_, is_comment)| !is_comment) {
        out.push("```".to_string());
    }
    out.join("\n").trim().to_string()
}

/// `----` (4 or more of one character).
fn is_delimiter(line: &str, character: char) -> bool {
    line.len() >= 4 && line.chars().all(|c| c == character)
}

/// `== Title` (or Markdown-style `## Title`, which AsciiDoc also accepts) → `## Title`.
fn section_title(line: &str) -> Option<String> {
    let marker = line.chars().next().filter(|c| *c == '=' || *c == '#')?;
    let depth = line.chars().take_while(|c| *c == marker).count();
    let title = line[depth..].strip_prefix(' ')?.trim();
    if !(1..=6).contains(&depth) || title.is_empty() {
        return None;
    }
    Some(format!(
        "{} {}",
        "#".repeat(depth),
        title.trim_end_matches(['=', ' '])
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_become_headings_and_blocks_become_fences() {
        let adoc = "= Connector Guide\n:toc:\n\n== Users\n\nList users.\n\n[source,java]\n----\n== not a title\nclass A {}\n----\n\n// a comment\n////\nhidden\n////\n=== Groups\n....\nliteral\n....\n";
        assert_eq!(
            asciidoc_to_markdown(adoc),
            "# Connector Guide\n\n:toc:\n\n## Users\n\nList users.\n\n```java\n== not a title\nclass A {}\n```\n\n### Groups\n\n```\nliteral\n```"
        );
    }

    #[test]
    fn an_unclosed_block_is_closed() {
        assert_eq!(asciidoc_to_markdown("----\ncode"), "```\ncode\n```");
        assert_eq!(section_title("==Title"), None);
        assert_eq!(section_title("======= deep"), None);
    }
}
