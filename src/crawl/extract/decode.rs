//! Bytes to text: the HTTP charset, then `<meta charset>`, then a byte-order mark, then a
//! detector. Invalid bytes become U+FFFD; decoding never fails a page.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8};

/// How far into an HTML document a `<meta charset>` is looked for (as browsers do).
const META_PRESCAN_BYTES: usize = 1024;

/// Borrowed from `body` when it is already valid UTF-8 (most pages): a page of megabytes
/// is not copied while its tree is built.
pub fn decode<'a>(body: &'a [u8], header_charset: Option<&str>, is_html: bool) -> Cow<'a, str> {
    let encoding = header_charset
        .and_then(|label| Encoding::for_label(label.trim().as_bytes()))
        .or_else(|| is_html.then(|| meta_charset(body)).flatten())
        .or_else(|| Encoding::for_bom(body).map(|(encoding, _)| encoding))
        .unwrap_or_else(|| detect(body));
    // `decode` lets a BOM override the label, which is what browsers do too.
    let (text, _, _) = encoding.decode(body);
    text
}

/// As [`decode`], taking the body: valid UTF-8 (most pages) becomes the text without a
/// copy, so that the caller can let the page's bytes go as soon as the text is read.
pub fn decode_owned(body: Vec<u8>, header_charset: Option<&str>, is_html: bool) -> String {
    let converted = match decode(&body, header_charset, is_html) {
        Cow::Borrowed(text) if text.len() == body.len() => None,
        text => Some(text.into_owned()),
    };
    converted.unwrap_or_else(|| {
        // Borrowed whole: the bytes are valid UTF-8, so the lossy branch is never taken.
        String::from_utf8(body)
            .unwrap_or_else(|invalid| String::from_utf8_lossy(invalid.as_bytes()).into_owned())
    })
}

fn detect(body: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(body).is_ok() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(body, true);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

/// Finds `charset=` inside a `<meta>` tag near the top of an HTML document.
fn meta_charset(body: &[u8]) -> Option<&'static Encoding> {
    let head = &body[..body.len().min(META_PRESCAN_BYTES)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let mut rest = head.as_str();
    while let Some(start) = rest.find("<meta") {
        let tag = &rest[start..];
        let end = tag.find('>').unwrap_or(tag.len());
        let tag = &tag[..end];
        if let Some(position) = tag.find("charset=") {
            let value = tag[position + "charset=".len()..]
                .trim_start_matches(['"', '\''])
                .split(|c: char| c == '"' || c == '\'' || c == ';' || c.is_whitespace() || c == '/')
                .next()
                .unwrap_or("");
            if let Some(encoding) = Encoding::for_label(value.as_bytes()) {
                // A meta tag can't truthfully claim UTF-16: the bytes it is in would differ.
                return Some(
                    if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
                        UTF_8
                    } else {
                        encoding
                    },
                );
            }
        }
        rest = &rest[start + 5..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owned_utf8_body_becomes_the_text_without_a_copy() {
        let body = "<p>größere</p>".as_bytes().to_vec();
        let address = body.as_ptr();
        let text = decode_owned(body, None, true);
        assert_eq!(text, "<p>größere</p>");
        assert_eq!(text.as_ptr(), address);
        assert_eq!(
            decode_owned(b"caf\xe9".to_vec(), Some("ISO-8859-1"), false),
            "café"
        );
        assert_eq!(decode_owned(b"\xef\xbb\xbfok".to_vec(), None, false), "ok");
    }

    #[test]
    fn header_charset_comes_first() {
        assert_eq!(decode(b"caf\xe9", Some("ISO-8859-1"), false), "café");
    }

    #[test]
    fn meta_charset_is_used_when_the_header_has_none() {
        let html = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"></head><body>caf\xe9</body></html>";
        assert!(decode(html, None, true).contains("café"));
        let html5 = b"<meta charset='windows-1252'><p>\x93quoted\x94</p>";
        assert!(decode(html5, None, true).contains("\u{201c}quoted\u{201d}"));
    }

    #[test]
    fn bom_then_detector() {
        assert_eq!(decode(b"\xef\xbb\xbfhello", None, false), "hello");
        assert_eq!(decode(b"\xff\xfeh\x00i\x00", None, false), "hi");
        let latin1 =
            "Übersicht der Schnittstellen für Benutzer und Gruppen, größere Änderungen".as_bytes();
        let (encoded, _, _) =
            encoding_rs::WINDOWS_1252.encode(std::str::from_utf8(latin1).unwrap_or(""));
        assert!(decode(&encoded, None, false).contains("größere"));
    }

    #[test]
    fn invalid_utf8_declared_as_utf8_never_fails() {
        let text = decode(b"ok \xff\xfe broken \xc3", Some("utf-8"), false);
        assert!(text.starts_with("ok "));
        assert!(text.contains('\u{fffd}'));
    }
}
