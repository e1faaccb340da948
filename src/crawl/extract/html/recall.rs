//! How much of what a reader sees on a page its Markdown keeps: the check that decides
//! whether a page lost its article and needs a second, more generous extraction.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::crawl::tokens::Fnv;

use super::*;

/// Elements whose text a reader does not see as the page's own (page chrome landmarks
/// and non-rendered content).
const UNSEEN: &[&str] = &[
    "script", "style", "nav", "header", "footer", "aside", "noscript", "template", "svg", "head",
];

/// Below this many distinct words a page is too small to judge.
const MIN_WORDS: usize = 30;

/// The distinct words (a letter then at least three letters or digits, lower-cased) of
/// the text a reader sees on the page, outside landmarks of chrome, each with its index.
pub(super) struct PageWords(WordMap);

type WordMap = HashMap<String, usize, BuildHasherDefault<Fnv>>;

impl PageWords {
    pub(super) fn of(doc: &Html) -> PageWords {
        let mut words = WordMap::default();
        let mut lower = String::new();
        let root = doc.root_element();
        walk(root, |visit| match visit {
            Visit::Enter(el) if UNSEEN.contains(&el.value().name()) => Flow::Skip,
            Visit::Text(text) => {
                for_each_word(text, &mut lower, |word| {
                    if !words.contains_key(word) {
                        let index = words.len();
                        words.insert(word.to_string(), index);
                    }
                });
                Flow::Descend
            }
            _ => Flow::Descend,
        });
        PageWords(words)
    }

    /// How many distinct words a reader sees on the page.
    pub(super) fn count(&self) -> usize {
        self.0.len()
    }

    /// Share of the page's words that `markdown` keeps; 1.0 for pages too small to judge.
    #[cfg(test)]
    pub(super) fn recall(&self, markdown: &str) -> f64 {
        self.recall_until(markdown, f64::INFINITY)
    }

    /// [`Self::recall`], except that the count may stop as soon as the share reaches
    /// `enough` (then the share so far is answered, itself at least `enough`): a caller
    /// that only compares with `enough` gets the same answers from part of the Markdown.
    pub(super) fn recall_until(&self, markdown: &str, enough: f64) -> f64 {
        let total = self.0.len();
        if total < MIN_WORDS {
            return 1.0;
        }
        let share = |found: usize| found as f64 / total as f64;
        // The fewest words whose share reaches `enough` (past the end when none does).
        let estimate = (enough * total as f64).ceil();
        let mut needed = if estimate.is_nan() || estimate > total as f64 {
            total + 1
        } else if estimate <= 0.0 {
            0
        } else {
            estimate as usize
        };
        while needed > 0 && share(needed - 1) >= enough {
            needed -= 1;
        }
        while needed <= total && share(needed) < enough {
            needed += 1;
        }
        let mut seen = vec![false; total];
        let mut found = 0usize;
        let mut lower = String::new();
        for_each_word_until(markdown, &mut lower, |word| {
            if let Some(&index) = self.0.get(word) {
                if !seen[index] {
                    seen[index] = true;
                    found += 1;
                }
            }
            found < needed
        });
        share(found)
    }
}

/// Calls `f` with every word of `text`, lower-cased in `lower` (reused, so a repeated
/// word costs no allocation). Splits on anything but ASCII letters and digits (a byte of
/// a non-ASCII character is neither); a run counts from its first letter and needs four
/// bytes from there.
pub fn for_each_word(text: &str, lower: &mut String, mut f: impl FnMut(&str)) {
    for_each_word_until(text, lower, |word| {
        f(word);
        true
    });
}

/// [`for_each_word`] until `f` answers false.
fn for_each_word_until(text: &str, lower: &mut String, mut f: impl FnMut(&str) -> bool) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        // A run of ASCII letters and digits, and where its first letter is.
        let mut letter = None;
        while at < bytes.len() && bytes[at].is_ascii_alphanumeric() {
            if letter.is_none() && !bytes[at].is_ascii_digit() {
                letter = Some(at);
            }
            at += 1;
        }
        let end = at;
        at += 1; // past the byte that ended the run
        let Some(letter) = letter.filter(|&letter| end - letter >= 4) else {
            continue;
        };
        // Both ends are next to ASCII bytes (or the text's ends): char boundaries.
        let word = text.get(letter..end).unwrap_or_default();
        // Most words are lower case already and are passed as they stand.
        let word = if word.bytes().any(|b| b.is_ascii_uppercase()) {
            lower.clear();
            lower.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
            lower.as_str()
        } else {
            word
        };
        if !f(word) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words as first written: split on every byte that is not an ASCII letter or
    /// digit, skip leading digits, keep four bytes or more, lower-case.
    fn reference_words(text: &str) -> Vec<String> {
        text.as_bytes()
            .split(|b| !b.is_ascii_alphanumeric())
            .map(|run| {
                let start = run.iter().position(|b| !b.is_ascii_digit());
                &run[start.unwrap_or(run.len())..]
            })
            .filter(|word| word.len() >= 4)
            .map(|word| String::from_utf8_lossy(word).to_ascii_lowercase())
            .collect()
    }

    #[test]
    fn words_are_the_reference_splits() {
        let texts = [
            "The 12abc3 fooBar, x_long_word été done42",
            "ÉtéFOUR1234five5 ünïcödéWORDS\u{3000}ABCD\nabcd 9999 99ab9cd e\u{301}xyzw",
            "",
            "abcd",
            "1234abcd",
            "a\u{10348}bcdefg\u{10348}",
        ];
        for text in texts {
            let mut words = Vec::new();
            for_each_word(text, &mut String::new(), |w| words.push(w.to_string()));
            assert_eq!(words, reference_words(text), "{text:?}");
        }
    }

    #[test]
    fn words_are_runs_from_a_letter_of_four_or_more() {
        let mut sorted = Vec::new();
        let mut lower = String::new();
        for_each_word(
            "The 12abc3 fooBar, x_long_word été done42",
            &mut lower,
            |w| sorted.push(w.to_string()),
        );
        sorted.sort();
        assert_eq!(sorted, ["abc3", "done42", "foobar", "long", "word"]);
    }

    #[test]
    fn chrome_landmarks_do_not_count_and_small_pages_pass() {
        let doc = super::parse::parse_document(
            "<html><head><title>Ignored title words</title></head><body>\
             <nav>navigation menu items</nav><p>alpha bravo charlie delta</p></body></html>",
        );
        let words = PageWords::of(&doc);
        assert_eq!(words.0.len(), 4);
        assert_eq!(words.recall(""), 1.0, "fewer than 30 words: not judged");
        let many: String = (0..40).map(|i| format!("<p>word{i}x</p>")).collect();
        let doc = super::parse::parse_document(&format!("<body>{many}</body>"));
        let words = PageWords::of(&doc);
        let half: String = (0..20).map(|i| format!("word{i}x ")).collect();
        assert!((words.recall(&half) - 0.5).abs() < 1e-9);
        // Stopping at a share answers the same comparisons with it.
        let most: String = (0..30).map(|i| format!("word{i}x ")).collect();
        assert!((words.recall(&most) - 0.75).abs() < 1e-9);
        let until = words.recall_until(&most, 0.5);
        assert!(
            (until - 0.5).abs() < 1e-9,
            "stops at the 20th word: {until}"
        );
        let few: String = (0..19).map(|i| format!("word{i}x ")).collect();
        assert_eq!(words.recall_until(&few, 0.5), words.recall(&few));
        assert!(words.recall_until(&few, 0.5) < 0.5);
    }
}
