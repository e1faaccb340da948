//! Small text helpers shared by the extraction pipelines and chunk classification.

/// Whether `byte` is an ASCII character that `char::is_whitespace` accepts (which, unlike
/// `u8::is_ascii_whitespace`, includes the vertical tab): byte-wise counts must agree with
/// the char-wise ones.
pub fn is_ascii_char_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
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
pub fn without_link_targets(markdown: &str) -> Vec<&str> {
    let mut texts = Vec::new();
    let mut rest = markdown;
    while let Some(open) = rest.find("](") {
        texts.push(&rest[..open]);
        let after = &rest[open + 2..];
        match after.find(')') {
            Some(close) => rest = &after[close + 1..],
            None => {
                rest = after;
                break;
            }
        }
    }
    texts.push(rest);
    texts
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
