//! Small text helpers shared by the extraction pipelines and chunk classification.

/// Whether `byte` is an ASCII character that `char::is_whitespace` accepts (which, unlike
/// `u8::is_ascii_whitespace`, includes the vertical tab): byte-wise counts must agree with
/// the char-wise ones.
pub fn is_ascii_char_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
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
