//! Classes of `<html>` and `<body>` that name the page they are on.
//!
//! Block fingerprints include the classes of the document's `<html>` and `<body>`, because
//! generators write the kind of page there (rustdoc's `rustdoc struct`): what every struct
//! page shares is not what every module page shares. Some generators write the page itself
//! there as well: MediaWiki's `page-Main_Page` (`page-cpp_utility_functional_invoke` on
//! cppreference's copy), WordPress's `page-id-42` and `postid-42`, Drupal's `page-node-7`.
//! Such a class gives every block of every page a fingerprint of its own below the title,
//! so no template is ever learned there (cppreference's tagline stayed on all 599 pages,
//! its section menus on 387). A class names the page when its last word is a number (`postid-42`;
//! not DocBook's `SECT1`, a kind of page), or when its words end with the words of the
//! page's own file name after a prefix of its own (`page-` + the title); a class the
//! whole site shares is neither, so leaving these out keeps kinds of pages apart and
//! puts every page of a kind together.

use url::Url;

use crate::crawl::text::lower_case_words;

/// The words of a page's file name (its last path segment, without the extension), in
/// lower case: `…/functional/invoke.html` → `invoke`, `/wiki/Main_Page` → `main`, `page`.
#[derive(Debug, Default)]
pub(super) struct PageName {
    words: Vec<String>,
}

impl PageName {
    pub(super) fn of(url: &Url) -> Self {
        let Some(last) = url
            .path_segments()
            .and_then(|mut segments| segments.rfind(|s| !s.is_empty()))
        else {
            return Self::default();
        };
        let decoded = percent_decoded(last);
        let stem = match decoded.rsplit_once('.') {
            Some((stem, extension))
                if !stem.is_empty() && extension.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                stem
            }
            _ => decoded.as_str(),
        };
        Self {
            words: lower_case_words(stem).collect(),
        }
    }

    /// Whether `class`, on the document's `<html>` or `<body>`, names this page rather
    /// than the kind of page or the site.
    pub(super) fn is_named_by(&self, class: &str) -> bool {
        let class_words: Vec<String> = lower_case_words(class).collect();
        if class_words
            .last()
            .is_some_and(|word| word.bytes().all(|b| b.is_ascii_digit()))
        {
            return true;
        }
        if self.words.is_empty() {
            return false;
        }
        // `page-` + the page's title (MediaWiki).
        if class_words.len() > self.words.len() && class_words.ends_with(&self.words) {
            return true;
        }
        // The page's numbered file name, or its beginning: GAPDoc's `chap3` on `chap3.html`
        // and on its MathJax twin `chap3_mj.html`. A bare word without a number (`invoke`
        // on `invoke.html`, rustdoc's `struct` on `struct.QSelf.html`) may be a kind.
        class_words.len() <= self.words.len()
            && self.words.starts_with(&class_words)
            && class.bytes().any(|b| b.is_ascii_digit())
    }
}

fn percent_decoded(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(url: &str) -> PageName {
        PageName::of(&Url::parse(url).expect("url"))
    }

    #[test]
    fn classes_that_name_the_page_are_told_from_kinds_and_the_site() {
        let invoke = name("http://h/en/cpp/utility/functional/invoke.html");
        assert!(invoke.is_named_by("page-cpp_utility_functional_invoke"));
        for shared in [
            "mediawiki",
            "ltr",
            "skin-cppreference",
            "rootpage-cpp",
            "invoke",
        ] {
            assert!(!invoke.is_named_by(shared), "{shared}");
        }
        let main = name("http://h/wiki/Main_Page");
        assert!(main.is_named_by("page-Main_Page"));
        assert!(
            !main.is_named_by("page"),
            "a bare word is a kind, not a name"
        );
        let encoded = name("http://h/wiki/Caf%C3%A9_Menu");
        assert!(encoded.is_named_by("page-Café_Menu"));
        // Numbers name posts and nodes, whatever the page's URL.
        let post = name("http://h/2024/05/hello/");
        assert!(post.is_named_by("postid-42"));
        assert!(post.is_named_by("page-id-7"));
        assert!(post.is_named_by("page-hello"));
        // Kinds of pages: rustdoc's body classes on a struct's page, DocBook's section
        // depth, Sphinx's writer.
        let strukt = name("http://h/syn/struct.QSelf.html");
        for kind in ["rustdoc", "struct", "SECT1", "writer-html5"] {
            assert!(!strukt.is_named_by(kind), "{kind}");
        }
        assert!(!name("http://h/").is_named_by("home"));
    }

    #[test]
    fn a_numbered_file_name_on_the_body_names_the_page_and_its_twins() {
        for url in ["http://h/ref/chap3.html", "http://h/ref/chap3_mj.html"] {
            assert!(name(url).is_named_by("chap3"), "{url}");
        }
        let chapter = name("http://h/ref/chap3.html");
        for other in ["chap", "chap4", "chap3-extra", "sect1"] {
            assert!(!chapter.is_named_by(other), "{other}");
        }
        // A file name without a number may be the name of a kind of page.
        assert!(!name("http://h/search.html").is_named_by("search"));
    }
}
