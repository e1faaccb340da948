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

use bpe_openai::Tokenizer;

fn tokenizer() -> &'static Tokenizer {
    bpe_openai::cl100k_base()
}

/// Loads the tokenizer's tables (a fraction of a second), so that the first page does
/// not pay for it.
pub fn warm_up() {
    let _ = count("warm up");
}

/// The `cl100k_base` token count of `text`, as tiktoken's `encode_ordinary` gives it.
pub fn count(text: &str) -> usize {
    if text.is_empty() {
        return 0;
    }
    tokenizer().count(text)
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
        let tokenizer = tokenizer();
        let bytes = text.as_bytes();
        let (mut total, mut offset) = (0u32, 0usize);
        for piece in tokenizer.split(text) {
            if offset > 0 && is_cut(bytes, offset) {
                index.cuts.push(offset as u32);
                index.before.push(total);
            }
            let pieces_tokens = piece_count(tokenizer, piece);
            total = total.saturating_add(u32::try_from(pieces_tokens).unwrap_or(u32::MAX));
            offset += piece.len();
        }
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
/// Pieces remembered per thread; the memory is cleared when it is full (about 2 MiB).
const CACHED_PIECES: usize = 50_000;

thread_local! {
    /// Words repeat: most pieces of a page were counted before, and a lookup is several
    /// times cheaper than counting again.
    static PIECE_COUNTS: RefCell<HashMap<Vec<u8>, u32, BuildHasherDefault<Fnv>>> =
        RefCell::new(HashMap::default());
}

fn piece_count(tokenizer: &Tokenizer, piece: &str) -> usize {
    let bytes = piece.as_bytes();
    if bytes.len() > CACHED_PIECE_BYTES {
        return tokenizer.bpe.count(bytes);
    }
    PIECE_COUNTS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(&count) = cache.get(bytes) {
            return count as usize;
        }
        let count = tokenizer.bpe.count(bytes);
        if cache.len() >= CACHED_PIECES {
            cache.clear();
        }
        cache.insert(bytes.to_vec(), u32::try_from(count).unwrap_or(u32::MAX));
        count
    })
}

/// FNV-1a: the keys are short, and SipHash would cost as much as the lookup saves. Also
/// keys the per-page memo of chrome answers (`extract::html::chrome_memo`).
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

    #[test]
    fn empty_text_has_no_tokens() {
        let index = TokenIndex::build("");
        assert_eq!(index.total(), 0);
        assert_eq!(index.count(0, 0), 0);
        assert_eq!(count(""), 0);
    }
}
