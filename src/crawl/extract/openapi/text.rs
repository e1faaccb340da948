//! Markdown text helpers: inline cleaning, table cells, truncation, block sanitising.

use super::*;

/// Single-line text safe inside headings, list items and table cells.
pub(super) fn clean_inline(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) fn table_cell(text: &str) -> String {
    truncate_chars(&clean_inline(text), MAX_CELL_CHARS).replace('|', "\\|")
}

pub(super) fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_string(),
    }
}

pub(super) fn atx_heading_text(line: &str) -> Option<&str> {
    let level = line.bytes().take_while(|b| *b == b'#').count();
    let rest = &line[level..];
    let is_heading = (1..=6).contains(&level) && (rest.is_empty() || rest.starts_with([' ', '\t']));
    is_heading.then(|| rest.trim().trim_end_matches('#').trim())
}

pub(super) fn sanitize_markdown_block(text: &str) -> String {
    let mut out = Vec::new();
    let mut open_fence: Option<String> = None;
    for line in text.trim().lines() {
        let trimmed = line.trim_start();
        let fence_marker: String = trimmed
            .chars()
            .take_while(|c| *c == '`' || *c == '~')
            .collect();
        if fence_marker.len() >= 3 {
            match &open_fence {
                Some(open) if fence_marker.starts_with(open.as_str()) => open_fence = None,
                Some(_) => {}
                None => open_fence = Some(fence_marker),
            }
            out.push(line.to_string());
        } else if let Some(heading) = open_fence
            .is_none()
            .then(|| atx_heading_text(trimmed))
            .flatten()
        {
            out.push(if heading.is_empty() {
                String::new()
            } else {
                format!("**{heading}**")
            });
        } else {
            out.push(line.to_string());
        }
    }
    if let Some(open) = open_fence {
        out.push(open);
    }
    out.join("\n").trim().to_string()
}
