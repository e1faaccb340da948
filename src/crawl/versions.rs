//! Versioned copies of documentation (`/v2/…`, `/4.8/…`, `/latest/…`) and the rule that
//! skips one of them. A page is skipped as a copy for another version only when the job
//! already saved the same path under another version segment, whose text is the same
//! once numbers are set aside, and which matches the requested version at least as well.
//!
//! What counts as a version segment: a known moving name (`latest`, `stable` …), a
//! `v`-prefixed number (`v2`, `v2.1`, `v3.x`) or a dotted number (`4.8`, `3.x`) anywhere
//! in the path; a bare number (`/docs/15/…`) only in the middle of a path, and only as
//! the job learns that it is one: when several other pages were saved under both
//! numbers (see `pages::bare_number_trees_match`). A bare number that ends a path is a
//! page's own number (`/errors/404`, `/kb/1001`), never a version.

use sha2::{Digest, Sha256};
use url::Url;

use super::text::words_each_spaced;

const MOVING_VERSIONS: &[&str] = &[
    "latest", "stable", "current", "master", "main", "dev", "devel", "next", "nightly",
];

/// How a page's version segment relates to the requested version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionedPath {
    /// The path with the version segment replaced by `{version}`.
    pub key: String,
    /// 2: exactly the requested version; 1: a moving version (latest, stable …) when the
    /// current version was asked for; 0: any other version.
    pub closeness: u8,
    /// Which path segment is the version.
    pub segment: usize,
    /// The segment is a bare number (`15`): a version only if the job sees it used as one.
    pub bare_number: bool,
}

/// The versioned form of `url`'s path, or `None` when no segment can be a version. A
/// segment that surely is one wins over an earlier bare number.
pub fn versioned_path(url: &Url, requested: &str) -> Option<VersionedPath> {
    let segments: Vec<&str> = url.path_segments()?.collect();
    // The last non-empty segment names the page itself.
    let last = segments.iter().rposition(|s| !s.is_empty())?;
    let (index, bare_number) = match segments.iter().position(|s| is_version(s)) {
        Some(index) => (index, false),
        None => (
            segments[..last].iter().position(|s| is_bare_number(s))?,
            true,
        ),
    };
    let segment = segments[index].to_ascii_lowercase();
    let mut keyed = segments.clone();
    keyed[index] = "{version}";
    Some(VersionedPath {
        key: format!("/{}", keyed.join("/")),
        closeness: closeness(&segment, requested),
        segment: index,
        bare_number,
    })
}

/// `url` up to and including its version segment and the slash after it: the root of
/// that version's tree (`https://d.example/docs/15/`).
pub fn version_root(url: &Url, version: &VersionedPath) -> Option<String> {
    let segments: Vec<&str> = url.path_segments()?.collect();
    let kept = segments.get(..=version.segment)?;
    Some(format!(
        "{}/{}/",
        &url[..url::Position::BeforePath],
        kept.join("/")
    ))
}

/// A moving name, a `v`-prefixed number or a dotted number.
fn is_version(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    if MOVING_VERSIONS.contains(&lower.as_str()) {
        return true;
    }
    let (prefixed, number) = match lower.strip_prefix('v') {
        Some(rest) => (true, rest),
        None => (false, lower.as_str()),
    };
    let (wildcard, number) = match number.strip_suffix(".x") {
        Some(rest) => (true, rest),
        None => (false, number),
    };
    let parts: Vec<&str> = number.split('.').collect();
    let numeric = !number.is_empty()
        && parts.len() <= 4
        && parts
            .iter()
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()));
    numeric && (prefixed || wildcard || parts.len() > 1)
}

fn is_bare_number(segment: &str) -> bool {
    (1..=4).contains(&segment.len()) && segment.chars().all(|c| c.is_ascii_digit())
}

fn closeness(segment: &str, requested: &str) -> u8 {
    let requested = requested.trim().to_ascii_lowercase();
    let bare = |v: &str| v.trim_start_matches('v').trim_end_matches(".x").to_string();
    if requested.is_empty() || requested == "current" || requested == "latest" {
        return u8::from(MOVING_VERSIONS.contains(&segment));
    }
    let (segment, requested) = (bare(segment), bare(&requested));
    if segment == requested || requested.starts_with(&format!("{segment}.")) {
        2
    } else {
        0
    }
}

/// A hash of the text with every run of digits counted as one `0` and whitespace
/// normalised: two texts hash alike exactly when they differ in nothing but numbers
/// (`1.2` / `1.3`, dates, the version in a heading). Only such copies are ever skipped.
pub fn numberless_hash(text: &str) -> u64 {
    numberless_hash_of_spaced(&words_each_spaced(text))
}

/// [`numberless_hash`] of a text given as its [`words_each_spaced`].
pub fn numberless_hash_of_spaced(words: &[u8]) -> u64 {
    // The folded text is hashed in one piece: an ASCII digit is one byte in UTF-8 and never
    // part of another character, so the bytes between digit runs are copied as they are,
    // and a run never crosses the space between two words.
    let mut folded = Vec::with_capacity(words.len());
    let mut rest = words;
    while let Some(at) = rest.iter().position(u8::is_ascii_digit) {
        folded.extend_from_slice(&rest[..at]);
        folded.push(b'0');
        let run = rest[at..].iter().take_while(|b| b.is_ascii_digit()).count();
        rest = &rest[at + run..];
    }
    folded.extend_from_slice(rest);
    let digest = Sha256::digest(&folded);
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    // Stored in an SQLite INTEGER: the top bit is cleared so that it reads back as-is.
    u64::from_be_bytes(first) >> 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The hash as first written, a character at a time: hashes stored by earlier builds
    /// must still compare equal.
    fn numberless_hash_by_chars(text: &str) -> u64 {
        let mut hasher = Sha256::new();
        let mut folded = String::new();
        for word in text.split_whitespace() {
            folded.clear();
            let mut in_digits = false;
            for c in word.chars() {
                if c.is_ascii_digit() {
                    if !in_digits {
                        folded.push('0');
                    }
                    in_digits = true;
                } else {
                    folded.push(c);
                    in_digits = false;
                }
            }
            hasher.update(folded.as_bytes());
            hasher.update(b" ");
        }
        let digest = hasher.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) >> 1
    }

    proptest! {
        #[test]
        fn numberless_hash_is_what_it_was(text in "(\\PC|[0-9 \u{a0}\t\n٣])*") {
            prop_assert_eq!(numberless_hash(&text), numberless_hash_by_chars(&text));
        }
    }

    #[test]
    fn numberless_hash_ignores_only_numbers() {
        assert_eq!(
            numberless_hash("Release 1.2 of 2024-01-05"),
            numberless_hash("Release 10.31 of 2025-11-30")
        );
        assert_ne!(
            numberless_hash("Release 1.2"),
            numberless_hash("Release 1,2")
        );
        assert_eq!(numberless_hash("a  b\n"), numberless_hash_by_chars("a b"));
    }

    fn url(text: &str) -> Url {
        Url::parse(text).expect("url")
    }

    fn version_of(text: &str) -> Option<(String, bool)> {
        versioned_path(&url(text), "current").map(|v| (v.key, v.bare_number))
    }

    #[test]
    fn version_segments_are_recognised_and_keyed() {
        let v = versioned_path(&url("https://d.example/docs/v2.1/users/create"), "2.1")
            .expect("versioned");
        assert_eq!(v.key, "/docs/{version}/users/create");
        assert_eq!(v.closeness, 2);
        assert!(!v.bare_number);
        assert_eq!(
            versioned_path(&url("https://d.example/docs/3.x/users/create"), "2.1")
                .map(|v| v.closeness),
            Some(0)
        );
        assert_eq!(
            versioned_path(
                &url("https://d.example/docs/latest/users/create"),
                "current"
            )
            .map(|v| v.closeness),
            Some(1)
        );
        assert_eq!(
            versioned_path(&url("https://d.example/docs/4/users"), "4.8").map(|v| v.closeness),
            Some(2)
        );
        assert!(version_of("https://d.example/docs/users/create").is_none());
    }

    #[test]
    fn a_number_that_names_the_page_is_not_a_version() {
        for page in [
            "https://d.example/errors/404",
            "https://d.example/errors/404/",
            "https://d.example/kb/1001",
            "https://d.example/issues/77",
            "https://d.example/rfc/7644",
            "https://d.example/errors/404.html",
            "https://d.example/docs/2024-01-05/notes",
            "https://d.example/ids/123456/details",
        ] {
            assert_eq!(version_of(page), None, "{page}");
        }
        // In the middle of a path, a bare number may be a version (PostgreSQL's /docs/15/).
        assert_eq!(
            version_of("https://d.example/docs/15/sql-select.html"),
            Some(("/docs/{version}/sql-select.html".to_string(), true))
        );
        // A surer segment later in the path wins over an earlier bare number.
        assert_eq!(
            version_of("https://d.example/api/2/v3.1/users"),
            Some(("/api/2/{version}/users".to_string(), false))
        );
    }

    #[test]
    fn the_version_root_is_the_path_up_to_the_version() {
        let page = url("https://d.example:8080/docs/15/sql/select.html");
        let version = versioned_path(&page, "current").expect("versioned");
        assert_eq!(
            version_root(&page, &version).as_deref(),
            Some("https://d.example:8080/docs/15/")
        );
    }

    #[test]
    fn texts_hash_alike_only_when_they_differ_in_nothing_but_numbers() {
        let v1 = "Users API 1.0\n\nSend a POST to /api/v1/users to create a user.";
        let v2 = "Users API 2.0\n\n  Send a POST to /api/v2/users to create a user.";
        assert_eq!(numberless_hash(v1), numberless_hash(v2));
        assert_eq!(
            numberless_hash("Released 2024-01-05, build 17"),
            numberless_hash("Released 2025-11-30, build 203")
        );
        let edited = v2.replace("create a user", "create an account");
        assert_ne!(numberless_hash(v1), numberless_hash(&edited));
        assert_ne!(
            numberless_hash("Error 404 Not Found"),
            numberless_hash("Error 401 Unauthorized")
        );
        assert_ne!(numberless_hash("a 1 b"), numberless_hash("a b"));
        assert!(numberless_hash("anything") <= i64::MAX as u64);
    }
}
