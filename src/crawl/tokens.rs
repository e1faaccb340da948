//! Exact `cl100k_base` token counts, and counts of any slice of a text from one pass.
//!
//! Chunking asks for the size of many overlapping candidate slices of the same text.
//! Tokenising each candidate again made chunking most of a crawl's CPU, so a text is
//! tokenised once into a [`TokenIndex`], which then answers the count of any slice
//! exactly while tokenising only the few characters at its two ends.
//!
//! Why that is exact: `cl100k_base` first cuts text into pieces with a regular expression
//! and then encodes each piece on its own, so a text's count is the sum of its pieces'
//! counts. Some places are piece boundaries whatever text surrounds them: between an
//! ASCII letter and an ASCII character that is not a letter, and between an ASCII digit
//! and an ASCII character that is not a digit. No alternative of the expression matches
//! such a pair of characters (letters continue only with letters, digits only with
//! digits, and the punctuation and whitespace alternatives never contain a letter or a
//! digit), and where the match before such a place stops does not depend on whether the
//! next character is there or the text ends. So a slice from one such "cut" to another
//! is split into exactly the pieces the whole text has between them, and a slice's count
//! is the count of its head up to its first cut, plus the pieces' counts between its
//! first and last cuts (a difference of running sums), plus the count of its tail.
//! `tests/properties.rs` checks this against tiktoken-rs on generated text.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use bpe_openai::Tokenizer;

/// `cl100k_base` as `bpe_openai::cl100k_base()` builds it, but from the tables build.rs
/// makes: without the automata and the map that only other encoders read (8 MiB
/// resident). Counting, splitting, `encode` (backtracking) and `decode` work; the table,
/// bitfield, minimal, appendable, prependable and interval encoders would not.
fn tokenizer() -> &'static Tokenizer {
    static CL100K_BASE: LazyLock<Tokenizer> = LazyLock::new(|| {
        let tables = include_bytes!(concat!(env!("OUT_DIR"), "/cl100k_base_counting.tables"));
        // Built with the program from a vocabulary in the repository: never bad input.
        let bpe = rmp_serde::from_slice(tables).expect("the built tables read back");
        Tokenizer::new_lookahead(bpe, &PRE_TOKENIZER, false).expect("cl100k's expression builds")
    });
    &CL100K_BASE
}

/// `bpe_openai`'s form of cl100k's pre-tokenising expression (see [`pieces`]): its
/// look-ahead `\s+(?!\S)` becomes `\s+\s` with the last character dropped from the match.
const PRE_TOKENIZER: [(&str, bool); 3] = [
    (
        r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+$",
        false,
    ),
    (r"\s+\s", true),
    (r"\s+", false),
];

/// Loads the tokenizer's tables (a fraction of a second), so that the first page does
/// not pay for it, and then lets go of the serialised copy they were built from.
pub fn warm_up() {
    static LOADED: std::sync::Once = std::sync::Once::new();
    LOADED.call_once(|| {
        let _ = count("warm up");
        crate::allocator::release_read_only_file_pages();
    });
}

/// The `cl100k_base` token count of `text`, as tiktoken's `encode_ordinary` gives it.
pub fn count(text: &str) -> usize {
    if text.is_empty() {
        return 0;
    }
    with_piece_counts(|counter| pieces(text).map(|piece| counter.count(piece)).sum())
}

/// The pieces `cl100k_base`'s pre-tokenising expression cuts `text` into, as tiktoken
/// (and `bpe_openai`'s `split`) gives them:
///
/// ```text
/// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
/// ```
///
/// A piece whose end is decided by ASCII characters alone is cut by hand (a few byte
/// comparisons; the regular expression was a tenth of a page's CPU); as soon as the
/// answer depends on a non-ASCII character (which may be a letter, a digit or a space),
/// the expression cuts that one piece. Each piece depends only on the text from its
/// start on, so the two can alternate freely.
pub fn pieces(text: &str) -> Pieces<'_> {
    Pieces { text, at: 0 }
}

/// The iterator of [`pieces`].
pub struct Pieces<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Iterator for Pieces<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        let start = self.at;
        if start >= self.text.len() {
            return None;
        }
        let end = match ascii_piece_end(self.text.as_bytes(), start) {
            Some(end) => end,
            None => {
                let rest = &self.text[start..];
                let piece = tokenizer().split(rest).next().unwrap_or(rest);
                // The expression matches every character, so a piece is never empty.
                start + piece.len().max(1)
            }
        };
        // Both ends are ASCII positions or the expression's: char boundaries. Guard
        // anyway rather than panic on a text.
        let mut end = end.clamp(start + 1, self.text.len());
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        self.at = end;
        Some(&self.text[start..end])
    }
}

/// What the expression's character classes say of an ASCII byte; `Other` is any byte
/// of a non-ASCII character, whose class is not looked up here.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    /// `\s` but not `\r` or `\n`: space, tab, vertical tab, form feed.
    Space,
    Newline,
    /// Neither `\s` nor a letter nor a digit.
    Punct,
    Other,
}

fn class(byte: u8) -> Class {
    match byte {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b' ' | b'\t' | 0x0b | 0x0c => Class::Space,
        b'\r' | b'\n' => Class::Newline,
        0x80.. => Class::Other,
        _ => Class::Punct,
    }
}

/// The end of the piece starting at `i` when ASCII characters decide it, else `None`.
fn ascii_piece_end(b: &[u8], i: usize) -> Option<usize> {
    let len = b.len();
    let class_at = |k: usize| (k < len).then(|| class(b[k]));
    let c = class(b[i]);
    match c {
        Class::Other => None,
        // `\p{L}+` (the optional first character is not a letter).
        Class::Letter => letters_end(b, i + 1),
        // `\p{N}{1,3}`.
        Class::Digit => {
            let mut k = i + 1;
            while k < len && k < i + 3 && b[k].is_ascii_digit() {
                k += 1;
            }
            match class_at(k) {
                Some(Class::Other) if k < i + 3 => None,
                _ => Some(k),
            }
        }
        Class::Space | Class::Newline | Class::Punct => {
            if b[i] == b'\'' {
                match contraction_end(b, i) {
                    Ok(Some(end)) => return Some(end),
                    Ok(None) => {}
                    Err(()) => return None,
                }
            }
            // `[^\r\n\p{L}\p{N}]?\p{L}+`
            if c != Class::Newline {
                match class_at(i + 1) {
                    Some(Class::Letter) => return letters_end(b, i + 2),
                    Some(Class::Other) => return None,
                    _ => {}
                }
            }
            // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
            if c == Class::Punct {
                return punct_end(b, i + 1);
            }
            if b[i] == b' ' && class_at(i + 1) == Some(Class::Punct) {
                return punct_end(b, i + 2);
            }
            // A run of white space: `\s*[\r\n]+` ends after its last newline;
            // `\s+(?!\S)` leaves the last space to the word after it; `\s+` takes a
            // single space.
            let mut last_newline = (c == Class::Newline).then_some(i);
            let mut j = i + 1;
            while j < len {
                match class(b[j]) {
                    Class::Space => {}
                    Class::Newline => last_newline = Some(j),
                    Class::Other => return None,
                    _ => break,
                }
                j += 1;
            }
            Some(match last_newline {
                Some(k) => k + 1,
                None if j == len => j,
                None if j - 1 > i => j - 1,
                None => i + 1,
            })
        }
    }
}

/// `\p{L}+` from `k` on; `None` when it stops at a non-ASCII character.
fn letters_end(b: &[u8], mut k: usize) -> Option<usize> {
    while k < b.len() && b[k].is_ascii_alphabetic() {
        k += 1;
    }
    (k == b.len() || b[k].is_ascii()).then_some(k)
}

/// `[^\s\p{L}\p{N}]*[\r\n]*` from `k` on; `None` when a non-ASCII character could
/// continue the first run.
fn punct_end(b: &[u8], mut k: usize) -> Option<usize> {
    while k < b.len() && class(b[k]) == Class::Punct {
        k += 1;
    }
    if k < b.len() && !b[k].is_ascii() {
        return None;
    }
    // A non-ASCII character is never `\r` or `\n`.
    while k < b.len() && matches!(b[k], b'\r' | b'\n') {
        k += 1;
    }
    Some(k)
}

/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `i` (an apostrophe): `Ok(Some(end))` on a match,
/// `Ok(None)` when there is none, `Err` when a non-ASCII character decides it (`ſ`
/// matches `s` without case).
fn contraction_end(b: &[u8], i: usize) -> Result<Option<usize>, ()> {
    let at = |k: usize| b.get(k).copied();
    let Some(first) = at(i + 1) else {
        return Ok(None);
    };
    if !first.is_ascii() {
        return Err(());
    }
    let second = match first.to_ascii_lowercase() {
        b's' | b't' | b'm' | b'd' => return Ok(Some(i + 2)),
        b'r' | b'v' => b'e',
        b'l' => b'l',
        _ => return Ok(None),
    };
    match at(i + 2) {
        Some(next) if !next.is_ascii() => Err(()),
        Some(next) if next.to_ascii_lowercase() == second => Ok(Some(i + 3)),
        _ => Ok(None),
    }
}

/// A text tokenised once: token counts of its slices on demand.
pub struct TokenIndex<'t> {
    text: &'t str,
    /// Byte offsets of the cuts (see the module comment), ascending, from 0 to the length.
    cuts: Vec<u32>,
    /// Tokens of the text before each cut.
    before: Vec<u32>,
}

impl<'t> TokenIndex<'t> {
    /// Texts are chunked in windows of tens of KiB, far below `u32::MAX`; a longer text
    /// gets an index with no inner cut, which counts slices directly.
    pub fn build(text: &'t str) -> TokenIndex<'t> {
        let mut index = TokenIndex {
            text,
            cuts: vec![0],
            before: vec![0],
        };
        let Ok(length) = u32::try_from(text.len()) else {
            return index;
        };
        let bytes = text.as_bytes();
        let (mut total, mut offset) = (0u32, 0usize);
        with_piece_counts(|counter| {
            for piece in pieces(text) {
                if offset > 0 && is_cut(bytes, offset) {
                    index.cuts.push(offset as u32);
                    index.before.push(total);
                }
                let pieces_tokens = counter.count(piece);
                total = total.saturating_add(u32::try_from(pieces_tokens).unwrap_or(u32::MAX));
                offset += piece.len();
            }
        });
        if length > 0 {
            index.cuts.push(length);
            index.before.push(total);
        }
        index
    }

    pub fn text(&self) -> &'t str {
        self.text
    }

    /// Tokens of the whole text.
    pub fn total(&self) -> usize {
        self.before.last().copied().unwrap_or(0) as usize
    }

    /// The exact count of `text[start..end]`; both must be char boundaries.
    pub fn count(&self, start: usize, end: usize) -> usize {
        let slice = &self.text[start..end];
        let first = self.cuts.partition_point(|&cut| (cut as usize) < start);
        let after_last = self.cuts.partition_point(|&cut| (cut as usize) <= end);
        if first >= after_last {
            return count(slice);
        }
        let last = after_last - 1;
        let (head_end, tail_start) = (self.cuts[first] as usize, self.cuts[last] as usize);
        let middle = (self.before[last] - self.before[first]) as usize;
        count(&self.text[start..head_end]) + middle + count(&self.text[tail_start..end])
    }

    /// The count of `slice` when it is a part of this index's text (found by address),
    /// else of `slice` on its own.
    pub fn count_slice(&self, slice: &str) -> usize {
        let base = self.text.as_ptr() as usize;
        let at = slice.as_ptr() as usize;
        if at >= base && at + slice.len() <= base + self.text.len() {
            let start = at - base;
            self.count(start, start + slice.len())
        } else {
            count(slice)
        }
    }
}

/// Pieces up to this long are remembered with their counts.
const CACHED_PIECE_BYTES: usize = 24;
/// Pieces remembered per thread; the memory is cleared when it is full (about 330 KiB).
/// Every thread that chunks keeps its own: when pages were parsed on tokio's blocking
/// pool (twenty threads and more), 50,000 pieces each held 30 MiB more at the peak on a
/// site of many distinct identifiers (a Javadoc reference), while 2,000 a thread cost
/// about 1 % more CPU a page on the manuals (more pieces counted again).
const CACHED_PIECES: usize = 8_192;

/// A short piece as its bytes in three words (zero-padded) and its length: hashed and
/// compared a word at a time, and stored without an allocation of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PieceKey([u64; 3], u8);

impl std::hash::Hash for PieceKey {
    /// Three words (the derived `Hash` would write the array's length and its bytes
    /// one by one).
    fn hash<H: Hasher>(&self, state: &mut H) {
        let [a, b, c] = self.0;
        state.write_u64(a);
        state.write_u64(b);
        state.write_u64(c ^ (u64::from(self.1) << 56));
    }
}

impl PieceKey {
    /// `None` for pieces longer than [`CACHED_PIECE_BYTES`].
    fn of(bytes: &[u8]) -> Option<PieceKey> {
        let mut padded = [0u8; CACHED_PIECE_BYTES];
        padded.get_mut(..bytes.len())?.copy_from_slice(bytes);
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&padded[i * 8..i * 8 + 8]);
            u64::from_le_bytes(w)
        };
        Some(PieceKey([word(0), word(1), word(2)], bytes.len() as u8))
    }
}

/// Multiply-rotate hashing of whole words: a few instructions a key where FNV took a
/// few a byte.
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.write_u64(u64::from(*byte));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

thread_local! {
    /// Words repeat: most pieces of a page were counted before, and a lookup is several
    /// times cheaper than counting again.
    static PIECE_COUNTS: RefCell<PieceCounts> =
        RefCell::new(HashMap::default());
}

type PieceCounts = HashMap<PieceKey, u32, BuildHasherDefault<WordHasher>>;

/// Counts pieces with the thread's remembered counts (see [`with_piece_counts`]).
struct PieceCounter<'c> {
    tokenizer: &'static Tokenizer,
    cache: &'c mut PieceCounts,
}

impl PieceCounter<'_> {
    fn count(&mut self, piece: &str) -> usize {
        let bytes = piece.as_bytes();
        // Every single byte is a token of its own in cl100k_base.
        if bytes.len() == 1 {
            return 1;
        }
        let Some(key) = PieceKey::of(bytes) else {
            return self.tokenizer.bpe.count(bytes);
        };
        if let Some(&count) = self.cache.get(&key) {
            return count as usize;
        }
        let count = self.tokenizer.bpe.count(bytes);
        if self.cache.len() >= CACHED_PIECES {
            self.cache.clear();
        }
        self.cache
            .insert(key, u32::try_from(count).unwrap_or(u32::MAX));
        count
    }
}

/// Runs `f` with a counter over the thread's remembered counts, borrowed once for all
/// the pieces it counts.
fn with_piece_counts<R>(f: impl FnOnce(&mut PieceCounter) -> R) -> R {
    let tokenizer = tokenizer();
    PIECE_COUNTS.with(|cache| {
        let mut cache = cache.borrow_mut();
        f(&mut PieceCounter {
            tokenizer,
            cache: &mut cache,
        })
    })
}

/// FNV-1a: the keys are short, and SipHash would cost as much as the lookup saves.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// Whether `offset` separates an ASCII letter from an ASCII non-letter, or an ASCII
/// digit from an ASCII non-digit.
fn is_cut(bytes: &[u8], offset: usize) -> bool {
    let (before, after) = (bytes[offset - 1], bytes[offset]);
    if !after.is_ascii() {
        return false;
    }
    (before.is_ascii_alphabetic() && !after.is_ascii_alphabetic())
        || (before.is_ascii_digit() && !after.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_count_as_if_tokenised_alone() {
        let text = "Send a POST to /api/v2/users?limit=100 with `Bearer t0ken`.\n\n\
                    ## Errors 404, 12345678 and 'don't'  \n   indented\tcode   é ünïcode 中文 🙂 end";
        let index = TokenIndex::build(text);
        assert_eq!(index.total(), count(text));
        let boundaries: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        for (n, &start) in boundaries.iter().enumerate() {
            for &end in &boundaries[n..] {
                assert_eq!(
                    index.count(start, end),
                    count(&text[start..end]),
                    "{:?}",
                    &text[start..end]
                );
            }
        }
        assert_eq!(index.count_slice(&text[5..20]), count(&text[5..20]));
        assert_eq!(index.count_slice("elsewhere"), count("elsewhere"));
    }

    fn regex_pieces(text: &str) -> Vec<&str> {
        tokenizer().split(text).collect()
    }

    #[test]
    fn pieces_are_the_expressions() {
        let cases = [
            "don't DON'T Don'T we'Re you'VE I'm they'LL he'D it's 'sam 'llama 'l 'x '",
            "'",
            "'s",
            "'L",
            "12345678 1,234.5 a1b22c333d4444 x99",
            "trailing spaces   ",
            "spaces before a newline   \n  next",
            "  \n\n   \r\n\t \n",
            "\r\rword\r \r\n",
            "a  b   c\t\td\t e \x0b f\x0c\x0cg",
            "punct... ?! --> \"quoted\" (paren) [x]{y}<z>\n\n ...\r\n\r\nrest",
            " .x .5 ..\n\n  .\n",
            "\x00\x01\x1c\x1d\x1e\x1f\x7f ctl\x1fword",
            "x = f(a, b);\n    return x * 2;\n",
            " ",
            "\n",
            "a",
            "9",
            "é ünïcode café naïve 中文 🙂 end",
            "word\u{a0}word \u{a0} \u{2003}x\u{85}y",
            "digits ٣٤٥ and ²³ and 12٣",
            "'ſ 'ſx Kelvin \u{212a}",
            "mixed'Ünicode x'é .é é. 1é é1",
        ];
        for text in cases {
            assert_eq!(
                pieces(text).collect::<Vec<_>>(),
                regex_pieces(text),
                "{text:?}"
            );
            assert_eq!(count(text), tokenizer().count(text), "{text:?}");
        }
        // The cuts themselves, independent of any library.
        let cut = |text| pieces(text).collect::<Vec<_>>();
        assert_eq!(cut("we'RE here"), ["we", "'RE", " here"]);
        assert_eq!(cut("'llama"), ["'ll", "ama"]);
        assert_eq!(cut("'x"), ["'x"]);
        assert_eq!(cut("1234567"), ["123", "456", "7"]);
        assert_eq!(cut("a   b"), ["a", "  ", " b"]);
        assert_eq!(cut("a  \n  b"), ["a", "  \n", " ", " b"]);
        assert_eq!(cut("x  "), ["x", "  "]);
        assert_eq!(cut("end.\n\nNext"), ["end", ".\n\n", "Next"]);
        assert_eq!(cut(" ..x"), [" ..", "x"]);
        assert_eq!(cut("\tx\n y"), ["\tx", "\n", " y"]);
        assert_eq!(cut("\r\nx"), ["\r\n", "x"]);
    }

    #[test]
    fn the_built_tables_count_as_bpe_openais_own() {
        let full = bpe_openai::cl100k_base();
        let built = tokenizer();
        assert_eq!(built.bpe.num_tokens(), full.bpe.num_tokens());
        // Every token alone, and runs of neighbouring tokens' bytes, which merge anew.
        let mut run = Vec::new();
        for id in 0..full.bpe.num_tokens() as u32 {
            let bytes = full.bpe.token_bytes(id);
            assert_eq!(built.bpe.token_bytes(id), bytes, "token {id}");
            assert_eq!(built.bpe.count(bytes), 1, "token {id}");
            run.extend_from_slice(bytes);
            if id % 7 == 6 {
                assert_eq!(built.bpe.count(&run), full.bpe.count(&run), "{run:?}");
                run.clear();
            }
        }
        let text = include_str!("../../README.md");
        assert_eq!(built.count(text), full.count(text));
        assert_eq!(
            built.split(text).collect::<Vec<_>>(),
            full.split(text).collect::<Vec<_>>()
        );
    }

    #[test]
    fn every_single_byte_is_one_token() {
        for byte in 0..=u8::MAX {
            assert_eq!(tokenizer().bpe.count(&[byte]), 1, "{byte}");
        }
        assert_eq!(count("\u{e9}"), tokenizer().count("\u{e9}"));
    }

    #[test]
    fn remembered_counts_are_the_counts() {
        // Twice: counted, then remembered; keys of every cached length and one longer.
        let text: String = (1..=30).map(|n| "ab".repeat(n) + " ").collect();
        for _ in 0..2 {
            for piece in pieces(&text) {
                assert_eq!(count(piece), tokenizer().count(piece), "{piece:?}");
            }
            assert_eq!(count(&text), tokenizer().count(text.as_str()));
        }
        assert_ne!(PieceKey::of(b"ab"), PieceKey::of(b"ab\0"));
        assert_eq!(PieceKey::of(&[b'x'; 25]), None);
    }

    #[test]
    fn empty_text_has_no_tokens() {
        let index = TokenIndex::build("");
        assert_eq!(index.total(), 0);
        assert_eq!(index.count(0, 0), 0);
        assert_eq!(count(""), 0);
    }
}
