//! File names for exported pages, derived from their URLs so that a folder of Markdown
//! reads like the site: `docs.example.com/guide/install.md`. Every path is relative,
//! has no `.`/`..` segment, no separator or control character inside a segment, no
//! reserved device name, and is unique even on a case-insensitive file system.

use std::collections::HashSet;

use sha2::{Digest, Sha256};
use url::Url;

/// Longest file or folder name written, in bytes (most file systems allow 255).
const MAX_SEGMENT_BYTES: usize = 96;
/// Room kept in every name for what `path_for` may append: `-` and an 8-digit tag, a
/// `-N` counter and `.md`.
const SUFFIX_ROOM: usize = 16;
/// Folders below the host: deeper URLs are folded into the last one.
const MAX_DEPTH: usize = 16;
/// Names Windows refuses for a file whatever the extension.
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Hands out one unique relative path per exported page.
#[derive(Default)]
pub struct PathAllocator {
    /// Lower-cased paths already handed out.
    taken: HashSet<String>,
}

impl PathAllocator {
    pub fn new() -> Self {
        Self::default()
    }

    /// A relative `/`-separated path ending in `.md` for the page at `url`, never the same
    /// as one handed out before (compared case-insensitively).
    pub fn path_for(&mut self, url: &str) -> String {
        let base = base_path(url);
        if self.taken.insert(base.to_lowercase()) {
            return format!("{base}.md");
        }
        // Two URLs that read the same (`/a/` and `/a/index.html`, or only case differs):
        // the later one gets a suffix from its URL, stable across exports.
        let digest = Sha256::digest(url.as_bytes());
        let tag: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        let mut candidate = format!("{base}-{tag}");
        let mut counter = 2;
        while !self.taken.insert(candidate.to_lowercase()) {
            candidate = format!("{base}-{tag}-{counter}");
            counter += 1;
        }
        format!("{candidate}.md")
    }
}

/// The path without extension: host folder, then the URL's path segments.
fn base_path(url: &str) -> String {
    let Ok(parsed) = Url::parse(url) else {
        return format!("_other/{}", safe_segment(url));
    };
    let mut parts = Vec::new();
    let host = match (parsed.host_str(), parsed.port()) {
        (Some(host), Some(port)) => format!("{host}_{port}"),
        (Some(host), None) => host.to_string(),
        (None, _) => format!("_{}", parsed.scheme()),
    };
    parts.push(safe_segment(&host));
    let mut segments: Vec<String> = parsed
        .path_segments()
        .map(|segments| {
            segments
                .filter(|segment| !segment.is_empty())
                .map(percent_decoded)
                .collect()
        })
        .unwrap_or_default();
    let directory_like = parsed.path().ends_with('/') || segments.is_empty();
    if directory_like {
        segments.push("index".to_string());
    }
    if let Some(last) = segments.last_mut() {
        *last = strip_page_extension(last);
        if let Some(query) = parsed.query().filter(|q| !q.is_empty()) {
            last.push('_');
            last.push_str(&percent_decoded(query));
        }
    }
    if segments.len() > MAX_DEPTH {
        let folded = segments.split_off(MAX_DEPTH - 1).join("_");
        segments.push(folded);
    }
    parts.extend(segments.iter().map(|segment| safe_segment(segment)));
    parts.join("/")
}

/// `%xx` decoded for readable names; invalid UTF-8 becomes U+FFFD.
fn percent_decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// `install.html` → `install`; other extensions stay part of the name (`spec.yaml` →
/// `spec.yaml.md`), so that `a.html` and `a.json` do not collide.
fn strip_page_extension(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    for extension in [
        ".html",
        ".htm",
        ".xhtml",
        ".php",
        ".asp",
        ".aspx",
        ".md",
        ".markdown",
    ] {
        if lower.len() > extension.len() && lower.ends_with(extension) {
            return name[..name.len() - extension.len()].to_string();
        }
    }
    name.to_string()
}

/// One file or folder name: letters, digits and `-_.+,@~` kept, anything else `_`; no
/// leading dot (no hidden files, no `.`/`..`), no trailing dot or space, not a reserved
/// device name, at most `MAX_SEGMENT_BYTES` (a longer name keeps a hash of the whole).
fn safe_segment(raw: &str) -> String {
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.+,@~".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    while name.starts_with('.') {
        name.replace_range(..1, "_");
    }
    while name.ends_with('.') || name.ends_with(' ') {
        name.pop();
    }
    if name.is_empty() {
        name.push('_');
    }
    let stem = name.split('.').next().unwrap_or("").to_ascii_lowercase();
    if RESERVED.contains(&stem.as_str()) {
        name.insert(0, '_');
    }
    if name.len() > MAX_SEGMENT_BYTES - SUFFIX_ROOM {
        let digest = Sha256::digest(raw.as_bytes());
        let tag: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        let mut cut = MAX_SEGMENT_BYTES - SUFFIX_ROOM - tag.len() - 1;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        name = format!("{}-{tag}", &name[..cut]);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(url: &str) -> String {
        PathAllocator::new().path_for(url)
    }

    #[test]
    fn urls_read_like_the_site() {
        assert_eq!(
            path("https://docs.example.com/"),
            "docs.example.com/index.md"
        );
        assert_eq!(
            path("https://docs.example.com/guide/install.html"),
            "docs.example.com/guide/install.md"
        );
        assert_eq!(
            path("https://docs.example.com/guide/"),
            "docs.example.com/guide/index.md"
        );
        assert_eq!(
            path("http://127.0.0.1:8080/api/spec.yaml"),
            "127.0.0.1_8080/api/spec.yaml.md"
        );
        assert_eq!(
            path("https://d.example/search?q=a%20b&page=2"),
            "d.example/search_q_a_b_page_2.md"
        );
        assert_eq!(
            path("https://d.example/caf%C3%A9/%E6%96%87.html"),
            "d.example/café/文.md"
        );
    }

    #[test]
    fn no_path_escapes_its_folder() {
        for url in [
            "https://d.example/%2e%2e/%2e%2e/etc/passwd",
            "https://d.example/a/..%2f..%2fetc/passwd",
            "https://d.example/%2Fetc%2Fpasswd",
            "https://d.example/.hidden/.git/config",
            "https://d.example/a%5C..%5C..%5Cwin.ini",
            "https://d.example/..",
            "not a url at all/../../x",
            "upload://../../secret.pdf",
            "https://d.example/con/aux.html",
            "https://d.example/a%00b/c%0Ad",
        ] {
            let got = path(url);
            assert!(!got.starts_with('/'), "{url} -> {got}");
            assert!(got.ends_with(".md"), "{url} -> {got}");
            for segment in got.split('/') {
                assert!(!segment.is_empty(), "{url} -> {got}");
                assert!(!segment.starts_with('.'), "{url} -> {got}");
                assert!(!segment.contains(['\\', ':', '\0', '\n']), "{url} -> {got}");
                let stem = segment.split('.').next().unwrap_or("").to_lowercase();
                assert!(!RESERVED.contains(&stem.as_str()), "{url} -> {got}");
            }
        }
    }

    #[test]
    fn long_and_deep_urls_stay_within_file_system_limits() {
        let long = format!("https://d.example/{}.html", "x".repeat(400));
        let got = path(&long);
        assert!(
            got.split('/').all(|s| s.len() <= MAX_SEGMENT_BYTES),
            "{got}"
        );
        let deep = format!("https://d.example/{}end.html", "d/".repeat(40));
        let got = path(&deep);
        assert!(got.split('/').count() <= MAX_DEPTH + 1, "{got}");
        assert!(got.ends_with("end.md"), "{got}");
        let wide = format!("https://d.example/{}.html", "é".repeat(200));
        assert!(path(&wide).split('/').all(|s| s.len() <= MAX_SEGMENT_BYTES));
    }

    #[test]
    fn colliding_urls_get_distinct_stable_paths() {
        let mut paths = PathAllocator::new();
        let first = paths.path_for("https://d.example/a/");
        let second = paths.path_for("https://d.example/a/index.html");
        let third = paths.path_for("https://d.example/A/index.html");
        assert_eq!(first, "d.example/a/index.md");
        assert_ne!(first, second);
        assert_ne!(second.to_lowercase(), third.to_lowercase());
        assert_ne!(first.to_lowercase(), third.to_lowercase());
        let mut again = PathAllocator::new();
        again.path_for("https://d.example/a/");
        assert_eq!(again.path_for("https://d.example/a/index.html"), second);
    }
}
