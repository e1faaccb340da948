//! Token-bounded chunking of Markdown and plain text.
//!
//! Chunks are sized with the `cl100k_base` tokenizer so that every chunk fits
//! an LLM context budget, and Markdown chunks carry the heading path that was
//! in effect where they start, so a chunk can be understood out of context.
//!
//! The splitter measures many candidate chunks; each window of text is tokenised once
//! into a [`TokenIndex`] that answers every measurement (and the final chunks' counts)
//! exactly without tokenising the text again.

use std::borrow::Cow;

use text_splitter::{ChunkConfig, ChunkSizer, MarkdownSplitter, TextSplitter};

use super::tokens::{self, TokenIndex};

/// One piece of a document, small enough for the configured token budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub content: String,
    pub token_count: usize,
    /// Unicode scalar values, not bytes.
    pub character_count: usize,
    /// Heading path such as `"Reference > Users > Create a user"`; empty
    /// before the first heading and for non-Markdown input.
    pub section: String,
}

/// Splits documents into chunks of at most `max_tokens` `cl100k_base` tokens.
pub struct Chunker {
    max_tokens: usize,
    /// The splitter's limit for Markdown, which keeps room for re-opened code fences.
    markdown_capacity: usize,
}

/// Most tokens of a caption joined to the chunk after it (see
/// [`Chunker::join_lone_captions`]): a heading or a bold line, not a paragraph.
const MAX_CAPTION_TOKENS: usize = 32;

/// Whether `text` is only headings and bold lines (`## Index`, `**Table of Contents**`).
fn is_lone_caption(text: &str) -> bool {
    let mut lines = text.lines().filter(|line| !line.trim().is_empty());
    lines.clone().next().is_some()
        && lines.all(|line| {
            let bold = line.trim();
            parse_atx_heading(line.trim_end()).is_some()
                || (bold.len() > 4 && bold.starts_with("**") && bold.ends_with("**"))
        })
}

/// Whether the heading path `inner` is `outer` or one below it.
fn is_under(inner: &str, outer: &str) -> bool {
    inner
        .strip_prefix(outer)
        .is_some_and(|rest| rest.is_empty() || outer.is_empty() || rest.starts_with(" > "))
}

/// Tokens kept free in each Markdown chunk so that a code block cut between chunks can be
/// closed at the end of one and re-opened at the start of the next.
const FENCE_RESERVE: usize = 24;

/// Longest run of letters, or of symbols, kept whole. The splitter measures candidate
/// chunks with the tokenizer, and without a place to cut inside a run it re-measures the
/// whole rest of the run for every chunk: a 1 MB "word" took half a minute, 9 MB hours.
/// No real word comes near this length; longer runs get a space every this many chars.
pub const MAX_RUN_CHARS: usize = 200;

/// Text handed to the splitter at once, in bytes. Where a long text offers no place to
/// cut at the splitter's coarser levels (no blank line, no newline), the splitter measures
/// the whole rest for every chunk it makes, which is quadratic; windows of this size, cut
/// at a blank line, a line end or a space, bound that. Chunks never span two windows but
/// for a lone caption joined to what follows it ([`Chunker::join_lone_captions`]), which
/// only matters to pages whose Markdown is larger than a window.
pub const WINDOW_BYTES: usize = 64 * 1024;

/// A UTF-8 char is at most four bytes and byte-level BPE never needs more
/// than one token per byte, so four tokens always fit at least one char.
pub const MIN_MAX_TOKENS: usize = 4;

/// The splitter's sizer for one window: counts from the window's token index.
struct WindowSizer<'i, 't>(&'i TokenIndex<'t>);

impl ChunkSizer for WindowSizer<'_, '_> {
    fn size(&self, chunk: &str) -> usize {
        self.0.count_slice(chunk)
    }
}

/// A chunk as the splitter cut it: its heading path, text and exact token count.
struct Piece<'a> {
    section: String,
    text: Cow<'a, str>,
    /// `None` once re-fencing changed the text.
    tokens: Option<usize>,
}

impl Chunker {
    /// Budgets below [`MIN_MAX_TOKENS`] are raised to it, because a single
    /// char can need that many tokens and chunks never split a char.
    pub fn new(max_tokens: usize) -> Self {
        let max_tokens = max_tokens.max(MIN_MAX_TOKENS);
        let markdown_capacity = if max_tokens > 4 * FENCE_RESERVE {
            max_tokens - FENCE_RESERVE
        } else {
            max_tokens
        };
        tokens::warm_up();
        Self {
            max_tokens,
            markdown_capacity,
        }
    }

    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    /// The exact `cl100k_base` count (tiktoken's `encode_ordinary`), the measure the
    /// splitter enforces.
    pub fn count_tokens(&self, text: &str) -> usize {
        tokens::count(text)
    }

    /// Splits along Markdown structure (sections, blocks, code fences,
    /// sentences, words) and labels each chunk with its heading path.
    pub fn split_markdown(&self, markdown: &str) -> Vec<Chunk> {
        self.split_markdown_until(markdown, &|| false)
    }

    /// `split_markdown` that checks `stop` before each window of the text and, once it
    /// answers true, ends early with the chunks made so far (a cancelled job's page).
    pub fn split_markdown_until(&self, markdown: &str, stop: &dyn Fn() -> bool) -> Vec<Chunk> {
        let markdown = &*break_long_runs(markdown);
        let headings = HeadingIndex::build(markdown);
        let mut pieces = Vec::new();
        for (start, window) in windows(markdown) {
            if stop() {
                break;
            }
            let index = TokenIndex::build(window);
            let splitter = MarkdownSplitter::new(
                ChunkConfig::new(self.markdown_capacity).with_sizer(WindowSizer(&index)),
            );
            pieces.extend(splitter.chunk_indices(window).map(|(offset, text)| Piece {
                section: headings.section_at(start + offset),
                text: Cow::Borrowed(text),
                tokens: Some(index.count(offset, offset + text.len())),
            }));
        }
        self.collect_chunks(self.join_lone_captions(refence(pieces)))
    }

    /// Pieces that are only headings or bold caption lines, joined to the piece after
    /// them where that piece is under them (the same heading path or a deeper one) and
    /// the two fit the budget together. The splitter cuts at a heading first and keeps a
    /// list or a table whole where it can, so before a list larger than the budget (a
    /// manual's table of contents, a letter of its index) the heading or the caption
    /// above it came out as a chunk of its own, which says nothing and leaves the list
    /// without its title. An empty section's heading stays alone: joined to the next
    /// section's text, that chunk's `section` would name the wrong one; but the page's
    /// first piece, its title, is joined whatever follows.
    fn join_lone_captions<'a>(&self, pieces: Vec<Piece<'a>>) -> Vec<Piece<'a>> {
        let mut joined: Vec<Piece<'a>> = Vec::with_capacity(pieces.len());
        for piece in pieces {
            // The page's own title opens its first chunk whatever the levels: DocBook sets
            // a chapter's title and its first section's at the same level.
            let first = joined.len() == 1;
            if let Some(last) = joined.last_mut() {
                if last.tokens.is_some_and(|t| t <= MAX_CAPTION_TOKENS)
                    && is_lone_caption(&last.text)
                    && (first || is_under(&piece.section, &last.section))
                {
                    let text = format!("{}\n\n{}", last.text.trim_end(), piece.text);
                    let tokens = self.count_tokens(&text);
                    if tokens <= self.max_tokens {
                        last.text = Cow::Owned(text);
                        last.tokens = Some(tokens);
                        continue;
                    }
                }
            }
            joined.push(piece);
        }
        joined
    }

    /// For JSON, YAML and plain text, where Markdown syntax would be
    /// misleading; chunks have no section.
    pub fn split_text(&self, text: &str) -> Vec<Chunk> {
        self.split_text_until(text, &|| false)
    }

    /// `split_text` that ends early once `stop` answers true (see `split_markdown_until`).
    pub fn split_text_until(&self, text: &str, stop: &dyn Fn() -> bool) -> Vec<Chunk> {
        let text = &*break_long_runs(text);
        let mut pieces = Vec::new();
        for (_, window) in windows(text) {
            if stop() {
                break;
            }
            let index = TokenIndex::build(window);
            let splitter = TextSplitter::new(
                ChunkConfig::new(self.max_tokens).with_sizer(WindowSizer(&index)),
            );
            pieces.extend(splitter.chunk_indices(window).map(|(offset, text)| Piece {
                section: String::new(),
                text: Cow::Borrowed(text),
                tokens: Some(index.count(offset, offset + text.len())),
            }));
        }
        self.collect_chunks(pieces)
    }

    fn collect_chunks(&self, pieces: Vec<Piece<'_>>) -> Vec<Chunk> {
        let mut chunks = Vec::new();
        for piece in pieces {
            let tokens = piece
                .tokens
                .unwrap_or_else(|| self.count_tokens(&piece.text));
            if tokens <= self.max_tokens {
                if !piece.text.trim().is_empty() {
                    chunks.push(make_chunk(piece.text.into_owned(), tokens, piece.section));
                }
                continue;
            }
            for part in self.enforce_budget(&piece.text) {
                if part.trim().is_empty() {
                    continue;
                }
                let tokens = self.count_tokens(part);
                chunks.push(make_chunk(part.to_string(), tokens, piece.section.clone()));
            }
        }
        chunks
    }

    /// The splitter cannot cut below a grapheme, and one grapheme (e.g. a long
    /// emoji ZWJ sequence) can exceed a tiny budget; cutting such a piece by
    /// chars keeps the documented "never over budget" guarantee absolute.
    fn enforce_budget<'a>(&self, piece: &'a str) -> Vec<&'a str> {
        let mut parts = Vec::new();
        let mut rest = piece;
        while !rest.is_empty() {
            let cut = self.longest_prefix_within_budget(rest);
            parts.push(&rest[..cut]);
            rest = &rest[cut..];
        }
        parts
    }

    /// Binary search over char boundaries; always returns at least one char so
    /// the caller makes progress (one char always fits, see [`MIN_MAX_TOKENS`]).
    fn longest_prefix_within_budget(&self, text: &str) -> usize {
        let boundaries: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .skip(1)
            .chain(std::iter::once(text.len()))
            .collect();
        let index = TokenIndex::build(text);
        let fits = |end: usize| index.count(0, end) <= self.max_tokens;
        let first_too_big = boundaries.partition_point(|&end| fits(end));
        match first_too_big.checked_sub(1) {
            Some(last_fitting) => boundaries[last_fitting],
            None => boundaries.first().copied().unwrap_or(text.len()),
        }
    }
}

fn make_chunk(content: String, token_count: usize, section: String) -> Chunk {
    Chunk {
        character_count: content.chars().count(),
        content,
        token_count,
        section,
    }
}

/// `text` cut into consecutive windows of at most [`WINDOW_BYTES`], each with its offset, preferring to cut after a blank line, then a line end,
/// then whitespace.
fn windows(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    std::iter::from_fn(move || {
        let rest = &text[start..];
        if rest.is_empty() {
            return None;
        }
        let len = if rest.len() <= WINDOW_BYTES {
            rest.len()
        } else {
            let mut limit = WINDOW_BYTES;
            while !rest.is_char_boundary(limit) {
                limit -= 1;
            }
            let head = &rest[..limit];
            head.rfind("\n\n")
                .map(|i| i + 2)
                .or_else(|| head.rfind('\n').map(|i| i + 1))
                .or_else(|| {
                    head.char_indices()
                        .rev()
                        .find(|(_, c)| c.is_whitespace())
                        .map(|(i, c)| i + c.len_utf8())
                })
                .unwrap_or(limit)
        };
        let window = (start, &rest[..len]);
        start += len;
        Some(window)
    })
}

/// `text` with a space inserted into every run of more than [`MAX_RUN_CHARS`] letters
/// (or symbols); borrowed when there is none, which is every real document.
fn break_long_runs(text: &str) -> Cow<'_, str> {
    if !may_have_long_run(text) {
        return Cow::Borrowed(text);
    }
    let mut broken: Option<String> = None;
    let (mut run_class, mut run) = (Class::Other, 0usize);
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        // Most text is ASCII: classed by its byte, without decoding a char.
        let (this, width) = match bytes[index] {
            byte if byte.is_ascii() => (Class::of_ascii(byte), 1),
            _ => {
                let c = text[index..].chars().next().unwrap_or_default();
                (Class::of(c), c.len_utf8())
            }
        };
        if this != Class::Other && this == run_class {
            run += 1;
        } else {
            (run_class, run) = (this, 1);
        }
        if run > MAX_RUN_CHARS {
            broken
                .get_or_insert_with(|| text[..index].to_string())
                .push(' ');
            run = 1;
        }
        if let Some(broken) = broken.as_mut() {
            broken.push_str(&text[index..index + width]);
        }
        index += width;
    }
    broken.map_or(Cow::Borrowed(text), Cow::Owned)
}

/// False when no stretch of `text` between ASCII white space and digits (which end every
/// run) is longer than [`MAX_RUN_CHARS`] bytes, so that no run can be: a char is at least
/// one byte. One cheap pass over the bytes, spared the classing of every char.
fn may_have_long_run(text: &str) -> bool {
    let mut stretch = 0usize;
    for &byte in text.as_bytes() {
        if Class::of_ascii(byte) == Class::Other {
            stretch = 0;
        } else {
            stretch += 1;
            if stretch > MAX_RUN_CHARS {
                return true;
            }
        }
    }
    false
}

/// What a char counts as in a run of [`break_long_runs`].
#[derive(Clone, Copy, PartialEq, Debug)]
enum Class {
    Letter,
    Symbol,
    Other,
}

impl Class {
    fn of(c: char) -> Class {
        if c.is_alphabetic() {
            Class::Letter
        } else if c.is_whitespace() || c.is_numeric() {
            Class::Other
        } else {
            Class::Symbol
        }
    }

    /// [`Class::of`] for an ASCII byte.
    fn of_ascii(byte: u8) -> Class {
        if byte.is_ascii_alphabetic() {
            Class::Letter
        } else if byte.is_ascii_digit() || crate::crawl::text::is_ascii_char_whitespace(byte) {
            Class::Other
        } else {
            Class::Symbol
        }
    }
}

/// Makes every chunk valid Markdown on its own: a code block that the splitter cut is
/// closed at the end of its chunk and re-opened, with its language, at the start of the
/// next; a chunk holding nothing but the opening fence line is folded into the next one.
fn refence(pieces: Vec<Piece<'_>>) -> Vec<Piece<'_>> {
    let mut out = Vec::with_capacity(pieces.len());
    let mut carried: Option<(Fence, String)> = None;
    for Piece {
        section,
        text,
        tokens,
    } in pieces
    {
        let piece: &str = &text;
        let reopened = carried.as_ref().map(|(_, opener)| opener.clone());
        let mut open = carried.take();
        let mut last_opener_at = None;
        let mut offset = 0;
        for line in piece.split_inclusive('\n') {
            let trimmed = line.trim_end_matches(['\n', '\r']);
            match &open {
                Some((fence, _)) if fence.is_closed_by(trimmed) => open = None,
                Some(_) => {}
                None => {
                    if let Some(fence) = Fence::opened_by(trimmed) {
                        open = Some((fence, trimmed.trim_start().to_string()));
                        last_opener_at = Some(offset);
                    }
                }
            }
            offset += line.len();
        }
        let mut body = piece.to_string();
        if open.is_some() {
            // Only an opener and nothing after it: let the next chunk carry the fence.
            if let Some(at) = last_opener_at.filter(|at| piece[*at..].trim().lines().count() <= 1) {
                body.truncate(at);
            }
        }
        let mut content = String::new();
        if let Some(opener) = reopened {
            content.push_str(&opener);
            content.push('\n');
        }
        content.push_str(body.trim_end());
        if let Some((fence, opener)) = &open {
            if body.len() < piece.len() {
                carried = Some((
                    Fence::opened_by(opener).unwrap_or(Fence {
                        marker: fence.marker,
                        len: fence.len,
                    }),
                    opener.clone(),
                ));
            } else {
                content.push('\n');
                content.extend(std::iter::repeat_n(fence.marker, fence.len));
                carried = Some((
                    Fence {
                        marker: fence.marker,
                        len: fence.len,
                    },
                    opener.clone(),
                ));
            }
        }
        if content.trim().is_empty() {
            continue;
        }
        // Unchanged (the usual case): the splitter's exact count stands.
        let tokens = tokens.filter(|_| content == piece);
        out.push(Piece {
            section,
            text: if tokens.is_some() {
                text
            } else {
                Cow::Owned(content)
            },
            tokens,
        });
    }
    out
}

/// Heading paths keyed by the byte offset of the heading line, in document
/// order, so the path in effect at any offset is a binary search away.
struct HeadingIndex {
    entries: Vec<(usize, String)>,
}

impl HeadingIndex {
    fn build(markdown: &str) -> Self {
        let mut entries = Vec::new();
        let mut stack: Vec<(usize, String)> = Vec::new();
        let mut fence: Option<Fence> = None;
        let mut offset = 0;
        for line in markdown.split_inclusive('\n') {
            let line_start = offset;
            offset += line.len();
            let line = line.trim_end_matches(['\n', '\r']);
            if let Some(open) = &fence {
                if open.is_closed_by(line) {
                    fence = None;
                }
                continue;
            }
            if let Some(opened) = Fence::opened_by(line) {
                fence = Some(opened);
                continue;
            }
            if let Some((level, title)) = parse_atx_heading(line) {
                stack.retain(|(l, _)| *l < level);
                stack.push((level, title));
                let path: Vec<&str> = stack
                    .iter()
                    .map(|(_, t)| t.as_str())
                    .filter(|t| !t.is_empty())
                    .collect();
                entries.push((line_start, path.join(" > ")));
            }
        }
        Self { entries }
    }

    /// A chunk that starts on a heading line gets that heading's path, since
    /// the heading's line start is at or before the chunk's (trimmed) offset.
    fn section_at(&self, offset: usize) -> String {
        let after = self.entries.partition_point(|(start, _)| *start <= offset);
        after
            .checked_sub(1)
            .and_then(|i| self.entries.get(i))
            .map(|(_, path)| path.clone())
            .unwrap_or_default()
    }
}

/// A CommonMark fenced code block opener: three or more backticks or tildes
/// indented by at most three spaces.
struct Fence {
    marker: char,
    len: usize,
}

impl Fence {
    fn opened_by(line: &str) -> Option<Fence> {
        let body = strip_block_indent(line)?;
        let marker = body.chars().next().filter(|c| *c == '`' || *c == '~')?;
        let len = body.chars().take_while(|c| *c == marker).count();
        let info = &body[len..];
        // A backtick fence's info string may not contain backticks, otherwise
        // it is inline code such as ```` ```a``` ````.
        if len < 3 || (marker == '`' && info.contains('`')) {
            return None;
        }
        Some(Fence { marker, len })
    }

    fn is_closed_by(&self, line: &str) -> bool {
        let Some(body) = strip_block_indent(line) else {
            return false;
        };
        let len = body.chars().take_while(|c| *c == self.marker).count();
        len >= self.len && body[len..].trim().is_empty()
    }
}

/// Four or more leading spaces make an indented code block, not a block
/// construct, so such lines are neither headings nor fences.
fn strip_block_indent(line: &str) -> Option<&str> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    (indent <= 3).then(|| &line[indent..])
}

/// Returns the level and the text of an ATX heading (`#` to `######`
/// followed by a space or the end of line), without optional closing `#`s.
fn parse_atx_heading(line: &str) -> Option<(usize, String)> {
    let body = strip_block_indent(line)?;
    let level = body.bytes().take_while(|b| *b == b'#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &body[level..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((level, heading_text(rest)))
}

fn heading_text(rest: &str) -> String {
    let text = rest.trim();
    let without_closing = text.trim_end_matches('#');
    let closing_is_separate = without_closing.is_empty() || without_closing.ends_with([' ', '\t']);
    let text = if closing_is_separate {
        without_closing.trim_end()
    } else {
        text
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_bytes_are_classed_as_their_chars() {
        for byte in 0u8..128 {
            assert_eq!(Class::of_ascii(byte), Class::of(char::from(byte)), "{byte}");
        }
    }

    /// The text without whitespace and without fence lines, which chunking may add to
    /// close and re-open a code block it cut.
    fn squash(text: &str) -> String {
        text.lines()
            .filter(|line| Fence::opened_by(line).is_none())
            .flat_map(str::chars)
            .filter(|c| !c.is_whitespace())
            .collect()
    }

    fn assert_invariants(chunker: &Chunker, input: &str, chunks: &[Chunk]) {
        for chunk in chunks {
            assert!(chunk.token_count <= chunker.max_tokens(), "{chunk:?}");
            assert_eq!(chunk.token_count, chunker.count_tokens(&chunk.content));
            assert_eq!(chunk.character_count, chunk.content.chars().count());
            assert!(!chunk.content.trim().is_empty());
        }
        let joined: String = chunks.iter().map(|c| squash(&c.content)).collect();
        assert_eq!(squash(input), joined);
    }

    /// Deterministic pseudo-random base64, so the test needs no RNG crate.
    fn pseudo_base64(len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                ALPHABET[(state % 64) as usize] as char
            })
            .collect()
    }

    fn sample_doc() -> String {
        let mut doc =
            String::from("Intro paragraph before any heading.\n\n# Reference\n\nSome text.\n\n");
        for user in 0..5 {
            doc.push_str(&format!("## Users {user}\n\nUsers are people.\n\n"));
            doc.push_str("### Create a user\n\nSend a POST request with JSON.\n\n");
            doc.push_str(
                "```bash\n# not a heading\ncurl -X POST https://api.example.com/users\n```\n\n",
            );
            doc.push_str("### Delete a user\n\nDeleting is permanent. ");
            doc.push_str(&"This sentence pads the section out. ".repeat(20));
            doc.push_str("\n\n");
        }
        doc
    }

    #[test]
    fn a_caption_over_a_list_larger_than_the_budget_opens_the_lists_first_chunk() {
        for caption in ["# Index\n\n## A", "**Table of Contents**"] {
            let mut doc = format!("{caption}\n\n");
            for i in 0..200 {
                doc.push_str(&format!(
                    "- [Entry number {i}](https://example.com/{i}.html)\n"
                ));
            }
            let chunker = Chunker::new(300);
            let chunks = chunker.split_markdown(&doc);
            assert_invariants(&chunker, &doc, &chunks);
            assert!(chunks.len() > 2, "{chunks:?}");
            assert!(
                chunks[0]
                    .content
                    .starts_with(&format!("{caption}\n\n- [Entry number 0]")),
                "{:?}",
                chunks[0].content
            );
            assert!(chunks.iter().all(|c| !is_lone_caption(&c.content)));
            let first_section = if caption.starts_with('#') {
                "Index"
            } else {
                ""
            };
            assert_eq!(chunks[0].section, first_section);
        }
    }

    #[test]
    fn a_caption_joins_only_what_is_under_it() {
        let chunker = Chunker::new(300);
        let piece = |section: &str, text: &'static str| Piece {
            section: section.to_string(),
            text: Cow::Borrowed(text),
            tokens: Some(chunker.count_tokens(text)),
        };
        let pieces = vec![
            piece("Chapter 3", "## Chapter 3"),
            piece("1. Basics", "## 1. Basics\n\nWhat a layer is."),
            piece("1. Basics > Deprecated", "### Deprecated"),
            piece("1. Basics > Entries", "### Entries"),
            piece(
                "1. Basics > Entries",
                "- [Entry](https://example.com/e.html)",
            ),
        ];
        let joined = chunker.join_lone_captions(pieces);
        let texts: Vec<&str> = joined.iter().map(|p| p.text.as_ref()).collect();
        assert_eq!(
            texts,
            [
                "## Chapter 3\n\n## 1. Basics\n\nWhat a layer is.",
                "### Deprecated",
                "### Entries\n\n- [Entry](https://example.com/e.html)"
            ]
        );
        assert_eq!(joined[0].section, "Chapter 3");
        assert_eq!(joined[2].section, "1. Basics > Entries");
        for piece in &joined {
            assert_eq!(piece.tokens, Some(chunker.count_tokens(&piece.text)));
        }
    }

    #[test]
    fn heading_paths_under_a_caption() {
        assert!(is_under("Guide > Entries", "Guide"));
        assert!(is_under("Guide", "Guide"));
        assert!(is_under("Guide", ""));
        assert!(!is_under("Guide > Entries", "Guide > Deprecated"));
        assert!(!is_under("Guidelines", "Guide"));
    }

    #[test]
    fn captions_are_headings_and_bold_lines_only() {
        assert!(is_lone_caption("## A"));
        assert!(is_lone_caption(
            "# Part\n\n## Chapter\n\n**Table of Contents**\n"
        ));
        assert!(!is_lone_caption(""));
        assert!(!is_lone_caption("#hashtag"));
        assert!(!is_lone_caption("## A\n\nText under it."));
        assert!(!is_lone_caption("**Bold** and text"));
        assert!(!is_lone_caption("```\n# a comment\n```"));
        assert!(!is_lone_caption("    # indented code"));
    }

    #[test]
    fn empty_document_gives_no_chunks() {
        let chunker = Chunker::new(100);
        assert!(chunker.split_markdown("").is_empty());
        assert!(chunker.split_markdown("  \n\n \t").is_empty());
        assert!(chunker.split_text("").is_empty());
    }

    #[test]
    fn chunks_respect_budget_and_cover_input() {
        let doc = sample_doc();
        for max in [5, 20, 64, 300] {
            let chunker = Chunker::new(max);
            let chunks = chunker.split_markdown(&doc);
            assert!(!chunks.is_empty());
            assert_invariants(&chunker, &doc, &chunks);
            let text_chunks = chunker.split_text(&doc);
            assert_invariants(&chunker, &doc, &text_chunks);
            assert!(text_chunks.iter().all(|c| c.section.is_empty()));
        }
    }

    #[test]
    fn sections_follow_nested_headings_and_ignore_code() {
        let doc = "Preamble text.\n\n# Reference\n\nRef intro.\n\n## Users\n\nUsers intro.\n\n\
                   ### Create a user\n\nCreate text.\n\n```sh\n# Fake heading\necho hi\n```\n\n\
                   ## Groups ##\n\nGroups text.\n\n#hashtag is not a heading\n";
        let chunker = Chunker::new(8);
        let chunks = chunker.split_markdown(doc);
        assert_invariants(&chunker, doc, &chunks);
        let section_of = |needle: &str| {
            chunks
                .iter()
                .find(|c| c.content.contains(needle))
                .map(|c| c.section.clone())
        };
        assert_eq!(section_of("Preamble").as_deref(), Some(""));
        assert_eq!(section_of("Ref intro").as_deref(), Some("Reference"));
        assert_eq!(
            section_of("Users intro").as_deref(),
            Some("Reference > Users")
        );
        assert_eq!(
            section_of("# Create a user").as_deref(),
            Some("Reference > Users > Create a user")
        );
        assert_eq!(
            section_of("Fake heading").as_deref(),
            Some("Reference > Users > Create a user")
        );
        assert_eq!(
            section_of("Groups text").as_deref(),
            Some("Reference > Groups")
        );
        assert_eq!(section_of("hashtag").as_deref(), Some("Reference > Groups"));
    }

    #[test]
    fn heading_index_handles_tilde_fences_and_indented_code() {
        let doc = "# A\n~~~~\n# inside\n~~~\n# still inside\n~~~~\n    # indented code\n## B\n";
        let index = HeadingIndex::build(doc);
        let paths: Vec<&str> = index.entries.iter().map(|(_, p)| p.as_str()).collect();
        assert_eq!(paths, vec!["A", "A > B"]);
    }

    #[test]
    fn small_code_fence_is_never_split() {
        let fence = "```python\ndef f(x):\n    return x * 2\n\nprint(f(21))\n```";
        let doc = format!(
            "# Example\n\n{}\n\n{fence}\n\n{}\n",
            "Lead-in prose. ".repeat(40),
            "Trailing prose. ".repeat(40)
        );
        let chunker = Chunker::new(40);
        assert!(chunker.count_tokens(fence) <= 40);
        let chunks = chunker.split_markdown(&doc);
        assert_invariants(&chunker, &doc, &chunks);
        assert!(
            chunks.iter().any(|c| c.content.contains(fence)),
            "{chunks:#?}"
        );
    }

    #[test]
    fn a_code_block_cut_between_chunks_is_closed_and_reopened() {
        let chunker = Chunker::new(200);
        let code: String = (0..120)
            .map(|i| format!("result_{i} = compute_value({i}, factor={i})\n"))
            .collect();
        let doc =
            format!("# Recipes\n\nSome intro text.\n\n```python\n{code}```\n\nAfter the code.\n");
        let chunks = chunker.split_markdown(&doc);
        assert!(chunks.len() > 3, "{chunks:#?}");
        for chunk in &chunks {
            let fences = chunk
                .content
                .lines()
                .filter(|l| l.trim_start().starts_with("```"))
                .count();
            assert_eq!(fences % 2, 0, "unbalanced fences in {:?}", chunk.content);
            assert!(
                chunk.content.trim() != "```python",
                "a chunk of just the opener"
            );
            assert!(chunk.token_count <= 200);
            if chunk.content.contains("compute_value") {
                assert!(
                    chunk.content.starts_with("```python")
                        || chunk.content.contains("\n```python\n"),
                    "{:?}",
                    chunk.content
                );
            }
        }
    }

    #[test]
    fn huge_single_line_is_cut_under_limit() {
        let blob = pseudo_base64(200_000);
        let chunker = Chunker::new(512);
        let chunks = chunker.split_markdown(&blob);
        assert!(chunks.len() > 1);
        assert_invariants(&chunker, &blob, &chunks);
        let text_chunks = chunker.split_text(&blob);
        assert_invariants(&chunker, &blob, &text_chunks);
    }

    #[test]
    fn repeated_single_char_line_is_cut_under_limit() {
        let blob = "a".repeat(50_000);
        let chunker = Chunker::new(256);
        let chunks = chunker.split_text(&blob);
        assert_invariants(&chunker, &blob, &chunks);
    }

    #[test]
    fn absurdly_long_words_are_broken_with_spaces_and_nothing_is_lost() {
        let word: String = (0..20_000)
            .map(|i| (b'a' + (i % 7) as u8) as char)
            .collect();
        let rule = "=".repeat(5_000);
        let input = format!("# Title\n\n{word}\n\n{rule}\n\nnormal words stay as they are");
        let chunker = Chunker::new(256);
        let chunks = chunker.split_markdown(&input);
        assert_invariants(&chunker, &input, &chunks);
        let longest_run = chunks
            .iter()
            .flat_map(|c| c.content.split(|ch: char| !ch.is_alphabetic() && ch != '='))
            .map(str::len)
            .max();
        assert_eq!(longest_run, Some(MAX_RUN_CHARS));
        assert!(chunks
            .last()
            .is_some_and(|c| c.content.ends_with("normal words stay as they are")));
        assert!(matches!(
            break_long_runs("plain text, ünïcödé and 123456789"),
            Cow::Borrowed(_)
        ));
        // Long stretches without a space that hold no long run: the byte pre-check
        // lets them through to the exact count, which keeps them whole.
        for stretch in ["é".repeat(MAX_RUN_CHARS), "ab-".repeat(MAX_RUN_CHARS)] {
            assert!(may_have_long_run(&stretch));
            assert!(matches!(break_long_runs(&stretch), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn windows_cover_the_text_and_cut_at_paragraphs_then_lines_then_spaces() {
        let paragraphs = "A paragraph of words.\n\n".repeat(WINDOW_BYTES / 10);
        let lines = "a line of words\n".repeat(WINDOW_BYTES / 8);
        let words = "wörd\u{3000}".repeat(WINDOW_BYTES / 2);
        let solid = "é".repeat(WINDOW_BYTES);
        for (text, ends_with) in [
            (&paragraphs, "\n\n"),
            (&lines, "\n"),
            (&words, "\u{3000}"),
            (&solid, "é"),
        ] {
            let cut: Vec<(usize, &str)> = windows(text).collect();
            assert!(cut.len() > 1);
            let mut expected_start = 0;
            for (start, window) in &cut {
                assert_eq!(*start, expected_start);
                assert!(window.len() <= WINDOW_BYTES);
                expected_start += window.len();
            }
            assert_eq!(expected_start, text.len());
            assert!(
                cut[0].1.ends_with(ends_with),
                "{:?}",
                &cut[0].1[cut[0].1.len() - 10..]
            );
        }
        assert_eq!(windows("").count(), 0);
    }

    #[test]
    fn a_document_larger_than_a_window_is_chunked_whole_with_its_sections() {
        let section = format!(
            "## Part\n\n{}\n\n",
            "Some words in a sentence. ".repeat(400)
        );
        let doc = format!("# Manual\n\n{}", section.repeat(40));
        assert!(doc.len() > 2 * WINDOW_BYTES);
        let chunker = Chunker::new(500);
        let chunks = chunker.split_markdown(&doc);
        assert_invariants(&chunker, &doc, &chunks);
        assert!(chunks.iter().skip(1).all(|c| c.section == "Manual > Part"));
    }

    #[test]
    fn oversized_grapheme_is_cut_by_chars() {
        let family = "👨‍👩‍👧‍👦".repeat(3);
        let chunker = Chunker::new(2);
        assert_eq!(chunker.max_tokens(), MIN_MAX_TOKENS);
        let chunks = chunker.split_text(&family);
        assert_invariants(&chunker, &family, &chunks);
    }

    #[test]
    fn counts_characters_not_bytes() {
        let chunker = Chunker::new(100);
        let chunks = chunker.split_text("héllo wörld");
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].character_count, 11);
    }
}
