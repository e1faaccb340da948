//! Counting the distinct HTTP endpoints a chunk documents.

use super::*;

/// Distinct endpoints in document order, found by two rules:
///
/// 1. Prose/table form: a method word (any case) followed, after 1–16
///    separator characters (spaces, tabs, backticks, `|`, `*`, `:`), by a
///    path that starts with `/` (optionally preceded by an `http(s)://host`)
///    and contains at least one letter, digit, `{` or `:` — so "get / set"
///    is not an endpoint. The path ends at the first non-URL character;
///    trailing punctuation, `?query` and a trailing `/` are dropped.
/// 2. OpenAPI form, for JSON/YAML/Text chunks and OpenAPI pages: a key
///    starting with `/` whose nested keys include method names (`get:`,
///    `"post": {`), found by indentation for YAML and by brace depth for
///    JSON so partial or minified specs also count.
pub fn find_endpoints(content: &str, kind: ContentKind, page_is_openapi: bool) -> Vec<Endpoint> {
    let mut found = EndpointSet::default();
    for endpoint in prose_endpoints(content) {
        found.insert(endpoint);
    }
    let looks_like_spec = page_is_openapi
        || matches!(
            kind,
            ContentKind::Json | ContentKind::Yaml | ContentKind::Text
        );
    if looks_like_spec {
        for endpoint in yaml_key_endpoints(content)
            .into_iter()
            .chain(json_key_endpoints(content))
        {
            found.insert(endpoint);
        }
    }
    found.items
}

#[derive(Default)]
pub(super) struct EndpointSet {
    seen: HashSet<Endpoint>,
    items: Vec<Endpoint>,
}

impl EndpointSet {
    pub(super) fn insert(&mut self, endpoint: Endpoint) {
        if self.seen.insert(endpoint.clone()) {
            self.items.push(endpoint);
        }
    }
}

pub(super) fn prose_endpoints(content: &str) -> Vec<Endpoint> {
    let bytes = content.as_bytes();
    let mut endpoints = Vec::new();
    for (start, word) in ascii_words(content) {
        let Some(method) = METHODS.iter().find(|m| m.eq_ignore_ascii_case(word)) else {
            continue;
        };
        let after = start + word.len();
        let separators = bytes[after..]
            .iter()
            .take(17)
            .take_while(|b| matches!(b, b' ' | b'\t' | b'`' | b'|' | b'*' | b':'))
            .count();
        if separators == 0 || separators > 16 {
            continue;
        }
        if let Some(path) = path_at(&content[after + separators..]) {
            endpoints.push((method.to_string(), path));
        }
    }
    endpoints
}

/// ASCII alphabetic words with their byte offsets.
pub(super) fn ascii_words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        while i < bytes.len() && is_word_byte(bytes[i]) {
            i += 1;
        }
        Some((start, &text[start..i]))
    })
}

pub(super) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

pub(super) fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@%/{}".contains(&b)
}

/// Parses a path (or absolute URL) at the start of `text`.
pub(super) fn path_at(text: &str) -> Option<String> {
    let text = strip_url_origin(text);
    if !text.starts_with('/') {
        return None;
    }
    let len = text.bytes().take_while(|b| is_path_byte(*b)).count();
    let path = text[..len].trim_end_matches(['.', ',', ';', ':', ')', '(', '\'', '!', '*']);
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    let meaningful = path.bytes().any(|b| b.is_ascii_alphanumeric() || b == b'{');
    meaningful.then(|| path.to_string())
}

pub(super) fn strip_url_origin(text: &str) -> &str {
    let Some(rest) = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
    else {
        return text;
    };
    match rest.find(|c: char| c == '/' || c.is_whitespace()) {
        Some(slash) if rest[slash..].starts_with('/') => &rest[slash..],
        _ => "",
    }
}

pub(super) fn method_key(key: &str) -> Option<&'static str> {
    METHODS
        .iter()
        .copied()
        .find(|m| m.eq_ignore_ascii_case(key))
}

/// Block-style YAML (also matches pretty-printed JSON): a path key line,
/// then method key lines indented deeper than it.
pub(super) fn yaml_key_endpoints(content: &str) -> Vec<Endpoint> {
    let mut endpoints = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for line in content.lines() {
        let indent = line.len() - line.trim_start().len();
        let Some(key) = line_key(line.trim_start()) else {
            continue;
        };
        if key.starts_with('/') {
            current = path_at(key).map(|p| (indent, p));
            continue;
        }
        match &current {
            Some((path_indent, _)) if indent <= *path_indent => current = None,
            Some((_, path)) => {
                if let Some(method) = method_key(key) {
                    endpoints.push((method.to_string(), path.clone()));
                }
            }
            None => {}
        }
    }
    endpoints
}

/// The key of a `key:` / `"key": …` / `'key': …` line, if it has one.
pub(super) fn line_key(line: &str) -> Option<&str> {
    let line = line.strip_prefix("- ").unwrap_or(line);
    if let Some(quote) = line.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let rest = &line[1..];
        let end = rest.find(quote)?;
        return rest[end + 1..]
            .trim_start()
            .starts_with(':')
            .then(|| &rest[..end]);
    }
    let colon = line
        .find(": ")
        .or_else(|| line.strip_suffix(':').map(str::len))?;
    Some(&line[..colon])
}

/// Scans JSON tokens with a depth counter; works on minified and truncated
/// JSON where a full parse would fail.
pub(super) fn json_key_endpoints(content: &str) -> Vec<Endpoint> {
    let mut endpoints = Vec::new();
    let mut depth: usize = 0;
    let mut path_at_depth: Vec<(usize, String)> = Vec::new();
    let mut chars = content.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                path_at_depth.retain(|(d, _)| *d <= depth);
            }
            '"' => {
                let (string, end) = json_string(content, i + 1);
                while chars.peek().is_some_and(|(j, _)| *j < end) {
                    chars.next();
                }
                if !content[end..].trim_start().starts_with(':') {
                    continue;
                }
                if string.starts_with('/') {
                    if let Some(path) = path_at(string) {
                        path_at_depth.push((depth, path));
                    }
                } else if let (Some(method), Some((path_depth, path))) =
                    (method_key(string), path_at_depth.last())
                {
                    if depth == path_depth + 1 {
                        endpoints.push((method.to_string(), path.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    endpoints
}

/// Returns the raw string body starting at `start` and the byte offset just
/// past its closing quote (or the end of the text).
pub(super) fn json_string(content: &str, start: usize) -> (&str, usize) {
    let bytes = content.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return (&content[start..i], i + 1),
            _ => i += 1,
        }
    }
    (content.get(start..).unwrap_or(""), content.len())
}
