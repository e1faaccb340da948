//! An extractive one-sentence summary of a chunk.

use super::*;

pub(super) const MAX_SENTENCE_CHARS: usize = 200;

/// `"{title} — {section}: {sentence}"`, leaving out empty parts (and a
/// section identical to the title). For prose the sentence is the first
/// sentence of the first paragraph after dropping headings, code fences,
/// tables, images and inline formatting, cut at `. `/`! `/`? ` or at 200
/// chars on a word boundary with `…`. JSON/YAML chunks use their endpoints
/// ("OpenAPI paths: GET /a, POST /b …"), else the spec's `info.title`, else
/// their first non-empty line.
pub(super) fn summarize(ctx: &Context) -> String {
    let sentence = match ctx.kind {
        ContentKind::Json | ContentKind::Yaml => structured_summary(ctx),
        _ => first_sentence(ctx.content),
    };
    let title = ctx.title.trim();
    let section = ctx.section.trim();
    let section = if section == title { "" } else { section };
    let label = join_nonempty(&[title, section], " — ");
    join_nonempty(&[&label, &sentence], ": ")
}

pub(super) fn structured_summary(ctx: &Context) -> String {
    if !ctx.endpoints.is_empty() {
        const SHOWN: usize = 5;
        let listed: Vec<String> = ctx
            .endpoints
            .iter()
            .take(SHOWN)
            .map(|(m, p)| format!("{m} {p}"))
            .collect();
        let more = ctx.endpoints.len().saturating_sub(SHOWN);
        let suffix = if more > 0 {
            format!(" (+{more} more)")
        } else {
            String::new()
        };
        return format!("OpenAPI paths: {}{suffix}", listed.join(", "));
    }
    if let Some(title) = spec_info_title(ctx.content) {
        return format!("OpenAPI spec: {title}");
    }
    let first_line = ctx
        .content
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    truncate_on_word(first_line, MAX_SENTENCE_CHARS)
}

/// The first `title` key after an `info` key, in JSON or YAML form.
pub(super) fn spec_info_title(content: &str) -> Option<String> {
    let info = content.find("\"info\"").or_else(|| content.find("info:"))?;
    let after = &content[info..];
    let title_at = after.find("\"title\"").or_else(|| after.find("title:"))?;
    let rest = &after[title_at..];
    let value = rest.split_once(':')?.1.trim_start();
    let value = value.lines().next()?.trim();
    let value = value
        .trim_end_matches(',')
        .trim()
        .trim_matches(['"', '\''])
        .trim();
    (!value.is_empty() && !value.starts_with('{'))
        .then(|| truncate_on_word(value, MAX_SENTENCE_CHARS))
}

pub(super) fn first_sentence(content: &str) -> String {
    let paragraph = first_prose_paragraph(content);
    let paragraph = if paragraph.is_empty() {
        fallback_line(content)
    } else {
        paragraph
    };
    cut_sentence(&paragraph)
}

/// First run of consecutive prose lines outside code fences, tables and
/// headings, with inline Markdown removed.
pub(super) fn first_prose_paragraph(content: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut in_fence = false;
    for line in content.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            if !lines.is_empty() {
                break;
            }
            continue;
        }
        let skip = in_fence
            || trimmed.starts_with('#')
            || trimmed.starts_with('|')
            || trimmed.starts_with("<!--");
        let text = if skip {
            String::new()
        } else {
            strip_inline_markdown(strip_block_prefix(trimmed))
        };
        if text.trim().is_empty() {
            if !lines.is_empty() {
                break;
            }
            continue;
        }
        lines.push(text.trim().to_string());
    }
    lines.join(" ")
}

/// When a chunk has no prose (only a table or code), its first meaningful
/// line still says more than nothing.
pub(super) fn fallback_line(content: &str) -> String {
    content
        .lines()
        .map(|l| strip_inline_markdown(l.trim().trim_start_matches('#').trim_matches('|')))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .find(|l| l.chars().any(char::is_alphanumeric) && !l.starts_with("```"))
        .unwrap_or_default()
}

pub(super) fn strip_block_prefix(line: &str) -> &str {
    let line = line.trim_start_matches('>').trim_start();
    for marker in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return rest;
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        if let Some(rest) = line[digits..]
            .strip_prefix(". ")
            .or_else(|| line[digits..].strip_prefix(") "))
        {
            return rest;
        }
    }
    line
}

/// The text with images dropped and links replaced by their text, as the pieces it is
/// made of, in order (before emphasis and code markers go).
fn for_each_unlinked_piece<'t>(text: &'t str, mut f: impl FnMut(&'t str)) {
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let is_image = rest[..open].ends_with('!');
        let before = if is_image {
            &rest[..open - 1]
        } else {
            &rest[..open]
        };
        f(before);
        let after = &rest[open + 1..];
        match link_parts(after) {
            Some((label, consumed)) => {
                if !is_image {
                    f(label);
                }
                rest = &after[consumed..];
            }
            None => {
                f("[");
                rest = after;
            }
        }
    }
    f(rest);
}

/// Images are dropped, links keep their text, emphasis and code markers go.
pub(super) fn strip_inline_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for_each_unlinked_piece(text, |piece| out.push_str(piece));
    // The same three replacements in the same order, each skipped when it has nothing to
    // replace (most lines have none of them).
    if out.as_bytes().contains(&b'*') && out.contains("**") {
        out = out.replace("**", "");
    }
    if out.as_bytes().contains(&b'_') && out.contains("__") {
        out = out.replace("__", "");
    }
    if out.bytes().any(|b| b == b'`' || b == b'*') {
        out = out.replace(['`', '*'], "");
    }
    out
}

/// The characters of `strip_inline_markdown(text)` that are not white space, counted
/// without building it: `**` pairs go first (a run of `k` stars leaves `k mod 2`), then
/// `__` pairs (a run of `m` underscores, once even star runs between them are gone, loses
/// `2 * (m / 2)`), then every star and backtick left.
pub(super) fn visible_chars(text: &str) -> usize {
    let mut count = VisibleCount::default();
    for_each_unlinked_piece(text, |piece| count.feed_str(piece));
    count.finish()
}

#[derive(Default)]
struct VisibleCount {
    non_whitespace: usize,
    removed: usize,
    /// Stars in a row just read.
    stars: usize,
    /// Underscores in a row as the `__` pass sees them.
    underscores: usize,
}

impl VisibleCount {
    /// Feeds every character of `piece`; a stretch of plain ASCII (no marker, no white
    /// space) is counted at once, as feeding its characters one by one would count it.
    fn feed_str(&mut self, piece: &str) {
        let bytes = piece.as_bytes();
        let mut at = 0;
        while let Some(&byte) = bytes.get(at) {
            if is_plain_ascii(byte) {
                let rest = bytes.get(at..).unwrap_or_default();
                let run = rest
                    .iter()
                    .position(|&b| !is_plain_ascii(b))
                    .unwrap_or(rest.len());
                at += run;
                self.end_stars();
                self.end_underscores();
                self.non_whitespace += run;
                continue;
            }
            let Some(c) = piece.get(at..).and_then(|rest| rest.chars().next()) else {
                return;
            };
            self.feed(c);
            at += c.len_utf8();
        }
    }

    fn feed(&mut self, c: char) {
        if c == '*' {
            self.stars += 1;
            self.non_whitespace += 1;
            self.removed += 1;
            return;
        }
        self.end_stars();
        match c {
            '_' => {
                self.underscores += 1;
                self.non_whitespace += 1;
            }
            '`' => {
                self.end_underscores();
                self.non_whitespace += 1;
                self.removed += 1;
            }
            c if c.is_whitespace() => self.end_underscores(),
            _ => {
                self.end_underscores();
                self.non_whitespace += 1;
            }
        }
    }

    /// An odd run of stars leaves one star between the underscores around it.
    fn end_stars(&mut self) {
        if self.stars % 2 == 1 {
            self.end_underscores();
        }
        self.stars = 0;
    }

    fn end_underscores(&mut self) {
        self.removed += 2 * (self.underscores / 2);
        self.underscores = 0;
    }

    fn finish(mut self) -> usize {
        self.end_stars();
        self.end_underscores();
        self.non_whitespace - self.removed
    }
}

/// An ASCII character that is no emphasis or code marker and no white space.
fn is_plain_ascii(byte: u8) -> bool {
    // Printable ASCII but the space and the three markers: one range test and a match.
    matches!(byte, b'!'..=b'~') && !matches!(byte, b'*' | b'_' | b'`')
}

/// For text just after `[`: the link label and the bytes up to the `)`.
pub(super) fn link_parts(after: &str) -> Option<(&str, usize)> {
    // A label holds no `[` nor line break, so the `](` is looked for only up to the
    // first of them: searching the whole rest for every `[` was quadratic in a chunk.
    // (A `](` after one would give a label holding it: `None` either way.)
    let bytes = after.as_bytes();
    let mut close = 0;
    loop {
        match bytes.get(close)? {
            b'[' | b'\n' => return None,
            b']' if bytes.get(close + 1) == Some(&b'(') => break,
            _ => close += 1,
        }
    }
    let label = &after[..close];
    let end = after[close + 2..].find(')')?;
    Some((label, close + 2 + end + 1))
}

pub(super) fn cut_sentence(paragraph: &str) -> String {
    let text = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = [". ", "! ", "? "].iter().filter_map(|p| text.find(p)).min();
    let sentence = match end {
        Some(i) => &text[..=i],
        None => text.as_str(),
    };
    truncate_on_word(sentence, MAX_SENTENCE_CHARS)
}

pub(super) fn truncate_on_word(text: &str, max_chars: usize) -> String {
    let Some((limit, _)) = text.char_indices().nth(max_chars) else {
        return text.to_string();
    };
    let head = &text[..limit];
    let cut = head
        .rfind(char::is_whitespace)
        .filter(|i| *i > 0)
        .unwrap_or(limit);
    format!("{}…", head[..cut].trim_end())
}
