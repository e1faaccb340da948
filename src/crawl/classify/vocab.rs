//! One pass over a chunk finds every keyword a set of rules asks about.
//!
//! The tag and category rules look for some eighty words and phrases; searching for each
//! one in turn walked every chunk that many times (14 % of a crawl's CPU in the profile of
//! issue 13). A [`Vocabulary`] is an Aho-Corasick automaton over all of them, built once;
//! [`Vocabulary::scan`] walks the text once and records, per keyword, whether it occurs at
//! all and whether it occurs as a whole word (see [`super::has_word`]).

use std::collections::HashMap;

use aho_corasick::AhoCorasick;

use super::is_word_byte;

pub(super) struct Vocabulary {
    automaton: AhoCorasick,
    index: HashMap<&'static str, usize>,
}

/// What one scan found, by keyword.
pub(super) struct Hits<'v> {
    vocabulary: &'v Vocabulary,
    /// The keyword occurs somewhere (as a substring).
    anywhere: Vec<bool>,
    /// The keyword occurs with no ASCII letter, digit or `_` right before or after it.
    as_word: Vec<bool>,
    /// The keyword occurs as a word at or after byte `tail_from`.
    as_word_in_tail: Vec<bool>,
    text: &'v str,
    tail_from: usize,
}

impl Vocabulary {
    /// Keywords must be non-empty; duplicates are allowed (the first one counts).
    pub(super) fn new(keywords: &[&'static str]) -> Self {
        let mut unique: Vec<&'static str> = Vec::with_capacity(keywords.len());
        let mut index = HashMap::with_capacity(keywords.len());
        for keyword in keywords {
            debug_assert!(!keyword.is_empty(), "empty keyword");
            index.entry(*keyword).or_insert_with(|| {
                unique.push(keyword);
                unique.len() - 1
            });
        }
        // Standard match semantics, the only ones that report overlapping matches: a
        // keyword inside another ("oauth" in "oauth2") must be seen too.
        let automaton = AhoCorasick::new(&unique)
            .unwrap_or_else(|e| panic!("keyword automaton of constant words: {e}"));
        Self { automaton, index }
    }

    #[cfg(test)]
    pub(super) fn scan<'v>(&'v self, text: &'v str) -> Hits<'v> {
        self.scan_with_tail(text, 0)
    }

    /// Scans `text` once, also telling which keywords occur as words in its tail from
    /// byte `tail_from` on (the chunk's content after its section's title: one scan
    /// answers the rules that read both and those that read the content alone).
    pub(super) fn scan_with_tail<'v>(&'v self, text: &'v str, tail_from: usize) -> Hits<'v> {
        let count = self.index.len();
        let mut anywhere = vec![false; count];
        let mut as_word = vec![false; count];
        let mut as_word_in_tail = vec![false; count];
        let bytes = text.as_bytes();
        for found in self.automaton.find_overlapping_iter(text) {
            let id = found.pattern().as_usize();
            anywhere[id] = true;
            if !as_word_in_tail[id] {
                let before_ok = found.start() == 0 || !is_word_byte(bytes[found.start() - 1]);
                let after_ok = found.end() >= bytes.len() || !is_word_byte(bytes[found.end()]);
                let word = before_ok && after_ok;
                as_word[id] |= word;
                as_word_in_tail[id] = word && found.start() >= tail_from;
            }
        }
        Hits {
            vocabulary: self,
            anywhere,
            as_word,
            as_word_in_tail,
            text,
            tail_from,
        }
    }
}

impl Hits<'_> {
    /// Whether `keyword` occurs as a whole word. A keyword the vocabulary was not built
    /// with is searched for directly, so a rule that forgot to list one stays correct.
    pub(super) fn word(&self, keyword: &str) -> bool {
        match self.vocabulary.index.get(keyword) {
            Some(&id) => self.as_word[id],
            None => super::has_word(self.text, keyword),
        }
    }

    /// Whether `keyword` occurs anywhere, inside a word or not.
    pub(super) fn substring(&self, keyword: &str) -> bool {
        match self.vocabulary.index.get(keyword) {
            Some(&id) => self.anywhere[id],
            None => self.text.contains(keyword),
        }
    }

    pub(super) fn any_word(&self, keywords: &[&str]) -> bool {
        keywords.iter().any(|k| self.word(k))
    }

    pub(super) fn any_substring(&self, keywords: &[&str]) -> bool {
        keywords.iter().any(|k| self.substring(k))
    }

    /// How many of `keywords` occur as words in the tail (see [`Vocabulary::scan_with_tail`]).
    pub(super) fn count_words_in_tail(&self, keywords: &[&str]) -> usize {
        let tail = self.text.get(self.tail_from..).unwrap_or_default();
        keywords
            .iter()
            .filter(|k| match self.vocabulary.index.get(**k) {
                Some(&id) => self.as_word_in_tail[id],
                None => super::has_word(tail, k),
            })
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every keyword answered from the scan agrees with the direct searches it replaces.
    #[test]
    fn scan_agrees_with_direct_search() {
        let keywords = [
            "oauth",
            "oauth2",
            "rest api",
            "api",
            "api key",
            "api keys",
            "x-api-key",
            "json",
            "aa",
            "a",
            "key",
        ];
        let vocabulary = Vocabulary::new(&keywords);
        let texts = [
            "",
            "oauth2 flows",
            "use oauth, then oauth2token",
            "the rest api and its api keys",
            "header x-api-key: 1; apikey",
            "aaa a_a a",
            "jsonl json5 (json)",
            "monkey keys key",
        ];
        for text in texts {
            let hits = vocabulary.scan(text);
            for keyword in keywords {
                assert_eq!(
                    hits.word(keyword),
                    super::super::has_word(text, keyword),
                    "word {keyword:?} in {text:?}"
                );
                assert_eq!(
                    hits.substring(keyword),
                    text.contains(keyword),
                    "substring {keyword:?} in {text:?}"
                );
            }
        }
    }

    #[test]
    fn words_in_the_tail_are_counted_as_a_search_of_the_tail_counts_them() {
        let keywords = ["status code", "request body", "json"];
        let vocabulary = Vocabulary::new(&keywords);
        for (head, tail) in [
            ("status code", "the request body"),
            ("", "status code and json"),
            ("json", "jsonl"),
            ("request body", "request bodyx status codes"),
        ] {
            let text = format!("{head}\n{tail}");
            let hits = vocabulary.scan_with_tail(&text, head.len() + 1);
            for keyword in keywords {
                let direct = usize::from(super::super::has_word(tail, keyword));
                assert_eq!(
                    hits.count_words_in_tail(&[keyword]),
                    direct,
                    "{keyword:?} in {text:?}"
                );
                assert_eq!(hits.word(keyword), super::super::has_word(&text, keyword));
            }
            assert_eq!(
                hits.count_words_in_tail(&["webhook", "code"]),
                usize::from(super::super::has_word(tail, "code")),
                "{text:?}"
            );
        }
    }

    #[test]
    fn keywords_outside_the_vocabulary_are_searched_directly() {
        let vocabulary = Vocabulary::new(&["json"]);
        let hits = vocabulary.scan("a webhook payload");
        assert!(hits.word("webhook"));
        assert!(!hits.word("hook"));
        assert!(hits.substring("hook"));
    }

    #[test]
    fn duplicate_keywords_are_one() {
        let vocabulary = Vocabulary::new(&["xml", "xml"]);
        assert!(vocabulary.scan("<xml>").word("xml"));
        assert_eq!(vocabulary.index.len(), 1);
    }
}
