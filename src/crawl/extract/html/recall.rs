//! How much of what a reader sees on a page its Markdown keeps: the check that decides
//! whether a page lost its article and needs a second, more generous extraction.

use super::*;

/// Elements whose text a reader does not see as the page's own (page chrome landmarks
/// and non-rendered content).
const UNSEEN: &[&str] = &[
    "script", "style", "nav", "header", "footer", "aside", "noscript", "template", "svg", "head",
];

/// Below this many distinct words a page is too small to judge.
const MIN_WORDS: usize = 30;

/// The distinct words (a letter then at least three letters or digits, lower-cased) of
/// the text a reader sees on the page, outside landmarks of chrome.
pub(super) struct PageWords(HashSet<String>);

impl PageWords {
    pub(super) fn of(doc: &Html) -> PageWords {
        let mut words = HashSet::new();
        let root = doc.root_element();
        walk(root, |visit| match visit {
            Visit::Enter(el) if UNSEEN.contains(&el.value().name()) => Flow::Skip,
            Visit::Text(text) => {
                add_words(text, &mut words);
                Flow::Descend
            }
            _ => Flow::Descend,
        });
        PageWords(words)
    }

    /// Share of the page's words that `markdown` keeps; 1.0 for pages too small to judge.
    pub(super) fn recall(&self, markdown: &str) -> f64 {
        if self.0.len() < MIN_WORDS {
            return 1.0;
        }
        let mut kept = HashSet::new();
        add_words(markdown, &mut kept);
        let found = self.0.iter().filter(|w| kept.contains(*w)).count();
        found as f64 / self.0.len() as f64
    }
}

/// Splits on anything but ASCII letters and digits; a run counts from its first letter.
fn add_words(text: &str, words: &mut HashSet<String>) {
    for run in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        let word = run.trim_start_matches(|c: char| c.is_ascii_digit());
        if word.len() >= 4 {
            words.insert(word.to_ascii_lowercase());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_runs_from_a_letter_of_four_or_more() {
        let mut words = HashSet::new();
        add_words("The 12abc3 fooBar, x_long_word été done42", &mut words);
        let mut sorted: Vec<_> = words.into_iter().collect();
        sorted.sort();
        assert_eq!(sorted, ["abc3", "done42", "foobar", "long", "word"]);
    }

    #[test]
    fn chrome_landmarks_do_not_count_and_small_pages_pass() {
        let doc = Html::parse_document(
            "<html><head><title>Ignored title words</title></head><body>\
             <nav>navigation menu items</nav><p>alpha bravo charlie delta</p></body></html>",
        );
        let words = PageWords::of(&doc);
        assert_eq!(words.0.len(), 4);
        assert_eq!(words.recall(""), 1.0, "fewer than 30 words: not judged");
        let many: String = (0..40).map(|i| format!("<p>word{i}x</p>")).collect();
        let doc = Html::parse_document(&format!("<body>{many}</body>"));
        let words = PageWords::of(&doc);
        let half: String = (0..20).map(|i| format!("word{i}x ")).collect();
        assert!((words.recall(&half) - 0.5).abs() < 1e-9);
    }
}
