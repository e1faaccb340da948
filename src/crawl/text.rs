//! Small text helpers shared by the extraction pipelines and chunk classification.

/// The longest run of `target` in `text`.
pub fn longest_run(text: &str, target: char) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for c in text.chars() {
        if c == target {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

/// The backticks that fence `code` as a block: at least three, and longer than any run
/// of backticks inside it, so that the block cannot end early.
pub fn code_fence(code: &str) -> String {
    "`".repeat(longest_run(code, '`').max(2) + 1)
}

/// Whether `byte` is an ASCII character that `char::is_whitespace` accepts (which, unlike
/// `u8::is_ascii_whitespace`, includes the vertical tab): byte-wise counts must agree with
/// the char-wise ones.
pub fn is_ascii_char_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// The words of `text` (as `str::split_whitespace` cuts them), each followed by one
/// space: the whitespace-insensitive form the page hashes are taken of. ASCII is read a
/// byte at a time; only a non-ASCII character is decoded, to ask whether it is a space.
pub fn words_each_spaced(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut spaced = Vec::with_capacity(bytes.len() + 1);
    // Where the word being read started, if one is.
    let mut word = None;
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        let (blank, len) = if byte.is_ascii() {
            (is_ascii_char_whitespace(byte), 1)
        } else {
            // `at` is always where a character starts: it moves a character at a time.
            let c = text.get(at..).and_then(|rest| rest.chars().next());
            c.map_or((false, 1), |c| (c.is_whitespace(), c.len_utf8()))
        };
        match (blank, word) {
            (true, Some(start)) => {
                spaced.extend_from_slice(bytes.get(start..at).unwrap_or_default());
                spaced.push(b' ');
                word = None;
            }
            (false, None) => word = Some(at),
            _ => {}
        }
        at += len;
    }
    if let Some(start) = word {
        spaced.extend_from_slice(bytes.get(start..).unwrap_or_default());
        spaced.push(b' ');
    }
    spaced
}

/// Letters and digits only, lowercased: how a title is recognised in another text that
/// writes it with other punctuation, spacing or numbering (a PDF outline's title on its
/// page, a section's id beside its heading).
pub fn letters_and_digits(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The lower-case alphanumeric runs of `text`: the words a page name, a heading or a
/// link are compared by, whatever punctuation or glyphs stand between them.
pub fn lower_case_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// `parts` that are not empty, joined with `separator`.
pub fn join_nonempty(parts: &[&str], separator: &str) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(separator)
}

/// The text of `markdown` without the targets of its links and images (`](…)`): a
/// reader sees the labels, and every kept link would otherwise count its URL's words.
/// Read piece by piece: every block of every page is read so, and needs no list of them.
pub fn without_link_targets(markdown: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(markdown);
    std::iter::from_fn(move || {
        let text = rest?;
        let Some(open) = text.find("](") else {
            rest = None;
            return Some(text);
        };
        let after = &text[open + 2..];
        rest = Some(after.find(')').map_or(after, |close| &after[close + 1..]));
        Some(&text[..open])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn words_each_spaced_are_what_split_whitespace_cuts(
            text in "(\\PC|[ \t\n\r\u{b}\u{c}\u{85}\u{a0}\u{1680}\u{2003}\u{2028}\u{3000}x])*"
        ) {
            let expected: Vec<u8> = text
                .split_whitespace()
                .flat_map(|word| word.bytes().chain([b' ']))
                .collect();
            prop_assert_eq!(words_each_spaced(&text), expected);
        }
    }

    #[test]
    fn ascii_whitespace_is_what_char_is_whitespace_says() {
        for byte in 0u8..128 {
            assert_eq!(
                is_ascii_char_whitespace(byte),
                char::from(byte).is_whitespace(),
                "{byte}"
            );
        }
    }
}
