//! Deterministic chunk metadata (endpoint count, tags, category, summary)
//! computed from text evidence alone, so it is cheap, reproducible and needs
//! no LLM.
//!
//! All keyword matching is ASCII-case-insensitive and word-bounded (the
//! characters around a match must not be ASCII letters, digits or `_`)
//! unless a rule says otherwise.

use std::collections::HashSet;

use url::Url;

/// What the crawled page was before it was turned into chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    Html,
    Markdown,
    Json,
    Yaml,
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkFacts {
    /// Distinct `(METHOD, path)` pairs; see [`find_endpoints`].
    pub num_endpoints: usize,
    /// Sorted case-insensitively, deduplicated; see [`detect_tags`].
    pub tags: Vec<String>,
    /// See [`categorize`].
    pub category: &'static str,
    /// See [`summarize`].
    pub summary: String,
}

pub fn describe_chunk(
    page_title: &str,
    page_url: &Url,
    section: &str,
    content: &str,
    kind: ContentKind,
    page_is_openapi: bool,
) -> ChunkFacts {
    let endpoints = find_endpoints(content, kind, page_is_openapi);
    let ctx = Context {
        title: page_title,
        url_path: page_url.path(),
        section,
        content,
        kind,
        page_is_openapi,
        endpoints: &endpoints,
    };
    ChunkFacts {
        num_endpoints: endpoints.len(),
        tags: detect_tags(&ctx),
        category: categorize(&ctx),
        summary: summarize(&ctx),
    }
}

struct Context<'a> {
    title: &'a str,
    url_path: &'a str,
    section: &'a str,
    content: &'a str,
    kind: ContentKind,
    page_is_openapi: bool,
    endpoints: &'a [Endpoint],
}

/// An HTTP method (upper case) and a normalised path pattern.
type Endpoint = (String, String);

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

// ---------------------------------------------------------------------------
// Endpoints

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
struct EndpointSet {
    seen: HashSet<Endpoint>,
    items: Vec<Endpoint>,
}

impl EndpointSet {
    fn insert(&mut self, endpoint: Endpoint) {
        if self.seen.insert(endpoint.clone()) {
            self.items.push(endpoint);
        }
    }
}

fn prose_endpoints(content: &str) -> Vec<Endpoint> {
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
fn ascii_words(text: &str) -> impl Iterator<Item = (usize, &str)> {
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

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@%/{}".contains(&b)
}

/// Parses a path (or absolute URL) at the start of `text`.
fn path_at(text: &str) -> Option<String> {
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

fn strip_url_origin(text: &str) -> &str {
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

fn method_key(key: &str) -> Option<&'static str> {
    METHODS
        .iter()
        .copied()
        .find(|m| m.eq_ignore_ascii_case(key))
}

/// Block-style YAML (also matches pretty-printed JSON): a path key line,
/// then method key lines indented deeper than it.
fn yaml_key_endpoints(content: &str) -> Vec<Endpoint> {
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
fn line_key(line: &str) -> Option<&str> {
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
fn json_key_endpoints(content: &str) -> Vec<Endpoint> {
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
fn json_string(content: &str, start: usize) -> (&str, usize) {
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

// ---------------------------------------------------------------------------
// Tags

/// Each tag needs explicit evidence in the section heading or chunk text:
///
/// | tag | evidence |
/// | --- | --- |
/// | REST | an endpoint, or "REST API", "RESTful", "REST endpoint" |
/// | SCIM | `urn:ietf:params:scim`, `/scim/`, the word SCIM |
/// | OpenAPI | `"openapi":`, `"swagger":`, a line starting `openapi:`/`swagger:`, the words OpenAPI or Swagger, or an OpenAPI page in JSON/YAML |
/// | GraphQL | the word GraphQL, `query {`, `mutation {` / `mutation Name(` |
/// | OAuth | the words OAuth/OAuth2, `client_credentials`, `authorization_code`, `refresh_token`, `/oauth/token`, `/oauth2/token`, or "access token" together with the word scope(s) |
/// | OpenID Connect | "OpenID Connect", `openid-configuration`, `id_token`, the word OIDC |
/// | SAML | the words SAML/SAML2, `urn:oasis:names:tc:SAML`, `SAMLResponse` |
/// | SOAP | `<soap:Envelope`, `<soapenv:Envelope`, the upper-case word SOAP, the word WSDL |
/// | gRPC | the word gRPC, "protocol buffers", the word protobuf |
/// | Webhooks | the words webhook/webhooks |
/// | JSON | `application/json`, the word JSON, or a JSON chunk |
/// | XML | `application/xml`, `text/xml`, `<?xml`, the word XML |
/// | LDAP | the words LDAP/LDAPS, `ldap://`, `ldaps://`, "Active Directory" |
/// | Pagination | the words pagination/paginate/paginated/paging, or `page_size`, `per_page`, `page_token`, `pageToken`, `next_page`, `nextPageToken`, `startIndex`, `itemsPerPage`, `next_cursor` |
/// | Rate limiting | "rate limit(s/ing)", `rate-limit`, `ratelimit`, "too many requests", the word throttling/throttled |
/// | API keys | "API key(s)", `api-key`, `api_key`, `apikey`, `x-api-key` |
fn detect_tags(ctx: &Context) -> Vec<String> {
    let raw = format!("{}\n{}", ctx.section, ctx.content);
    let text = raw.to_ascii_lowercase();
    let t = text.as_str();
    let any_word = |words: &[&str]| words.iter().any(|w| has_word(t, w));
    let any_sub = |needles: &[&str]| needles.iter().any(|n| t.contains(n));
    let rules: [(&str, bool); 16] = [
        (
            "REST",
            !ctx.endpoints.is_empty()
                || any_word(&["rest api", "restful", "rest endpoint", "rest endpoints"]),
        ),
        (
            "SCIM",
            any_sub(&["urn:ietf:params:scim", "/scim/"]) || any_word(&["scim"]),
        ),
        (
            "OpenAPI",
            (ctx.page_is_openapi && matches!(ctx.kind, ContentKind::Json | ContentKind::Yaml))
                || any_sub(&["\"openapi\":", "\"swagger\":"])
                || t.lines()
                    .any(|l| l.starts_with("openapi:") || l.starts_with("swagger:"))
                || any_word(&["openapi", "swagger"]),
        ),
        (
            "GraphQL",
            any_word(&["graphql"]) || has_graphql_operation(t),
        ),
        (
            "OAuth",
            any_word(&[
                "oauth",
                "oauth2",
                "client_credentials",
                "authorization_code",
                "refresh_token",
            ]) || any_sub(&["/oauth/token", "/oauth2/token"])
                || (t.contains("access token") && any_word(&["scope", "scopes"])),
        ),
        (
            "OpenID Connect",
            any_word(&["openid connect", "oidc", "id_token"]) || t.contains("openid-configuration"),
        ),
        (
            "SAML",
            any_word(&["saml", "saml2", "samlresponse"]) || t.contains("urn:oasis:names:tc:saml"),
        ),
        (
            "SOAP",
            any_sub(&["<soap:envelope", "<soapenv:envelope"])
                || has_word(&raw, "SOAP")
                || any_word(&["wsdl"]),
        ),
        ("gRPC", any_word(&["grpc", "protobuf", "protocol buffers"])),
        ("Webhooks", any_word(&["webhook", "webhooks"])),
        (
            "JSON",
            ctx.kind == ContentKind::Json || t.contains("application/json") || any_word(&["json"]),
        ),
        (
            "XML",
            any_sub(&["application/xml", "text/xml", "<?xml"]) || any_word(&["xml"]),
        ),
        (
            "LDAP",
            any_word(&["ldap", "ldaps", "active directory"]) || any_sub(&["ldap://", "ldaps://"]),
        ),
        (
            "Pagination",
            any_word(&["pagination", "paginate", "paginated", "paging"])
                || any_word(&[
                    "page_size",
                    "per_page",
                    "page_token",
                    "pagetoken",
                    "next_page",
                    "nextpagetoken",
                    "startindex",
                    "itemsperpage",
                    "next_cursor",
                ]),
        ),
        (
            "Rate limiting",
            any_word(&[
                "rate limit",
                "rate limits",
                "rate limiting",
                "rate-limit",
                "ratelimit",
                "too many requests",
                "throttling",
                "throttled",
            ]) || t.contains("x-ratelimit"),
        ),
        (
            "API keys",
            any_word(&[
                "api key",
                "api keys",
                "api-key",
                "api_key",
                "apikey",
                "x-api-key",
            ]),
        ),
    ];
    let mut tags: Vec<String> = rules
        .iter()
        .filter(|(_, hit)| *hit)
        .map(|(tag, _)| tag.to_string())
        .collect();
    // Case-insensitive so that "gRPC" sorts among the G's.
    tags.sort_by_key(|t| t.to_ascii_lowercase());
    tags.dedup();
    tags
}

/// Word-bounded search; `text` and `word` must already share case.
fn has_word(text: &str, word: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices(word).any(|(start, _)| {
        let end = start + word.len();
        let before_ok = start == 0 || !is_word_byte(bytes[start - 1]);
        let after_ok = end >= bytes.len() || !is_word_byte(bytes[end]);
        before_ok && after_ok
    })
}

/// `query {`, `mutation {` or `mutation CreateUser(` — GraphQL documents,
/// not the English words.
fn has_graphql_operation(lower: &str) -> bool {
    ["query", "mutation", "subscription"].iter().any(|keyword| {
        lower.match_indices(keyword).any(|(start, _)| {
            let before_ok = start == 0 || !is_word_byte(lower.as_bytes()[start - 1]);
            let rest = &lower[start + keyword.len()..];
            let after_name = rest
                .trim_start()
                .trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
            let opens = after_name.trim_start().starts_with(['{', '(']);
            before_ok && !rest.starts_with(|c: char| is_word_byte(c as u8)) && opens
        })
    })
}

// ---------------------------------------------------------------------------
// Category

/// First matching rule wins:
///
/// 1. `spec_json` / `spec_yaml`: an OpenAPI page whose content is JSON/YAML.
/// 2. `non-technical`: a URL path segment or title phrase about pricing,
///    legal, privacy, terms, cookies, careers/jobs, blog, press, company.
/// 3. `index`: a table of contents (title/section "contents", "sitemap",
///    "index", "on this page"), or at least three links whose visible text is
///    more than 60% of the chunk's visible non-whitespace characters.
/// 4. `tutorial` (explicit): "Step 1"-style text, or URL/title/section
///    mentioning tutorial, how-to, walkthrough, quickstart.
/// 5. `reference_api`: any endpoint, a parameter table (header with "name"
///    or "parameter" plus "type"/"required"/"in"), two or more API-reference
///    phrases (request body, query/path parameters, status codes, response
///    fields …), or a Markdown chunk of an OpenAPI page.
/// 6. `reference_other`: an option/field table (header with option, flag,
///    setting, property, field, key, argument or variable plus
///    default/type/description), two or more signature-like code lines
///    (`fn`, `def`, `function`, `class`, `interface`, CLI `--flags`), or a
///    URL/title/section mentioning reference, configuration, CLI, commands,
///    settings, SDK.
/// 7. `overview`: URL/title/section mentioning overview, introduction,
///    concepts, getting started, "what is".
/// 8. `tutorial` (implicit): three or more numbered list items plus a code
///    fence.
/// 9. `other`.
fn categorize(ctx: &Context) -> &'static str {
    if ctx.page_is_openapi && ctx.kind == ContentKind::Json {
        return "spec_json";
    }
    if ctx.page_is_openapi && ctx.kind == ContentKind::Yaml {
        return "spec_yaml";
    }
    let labels = Labels::new(ctx);
    if labels.non_technical() {
        "non-technical"
    } else if labels.is_table_of_contents() || is_mostly_links(ctx.content) {
        "index"
    } else if labels.tutorial() || has_step_markers(ctx.content) {
        "tutorial"
    } else if !ctx.endpoints.is_empty()
        || has_api_reference_vocabulary(ctx.content)
        || ctx.page_is_openapi
    {
        "reference_api"
    } else if has_option_table(ctx.content)
        || signature_lines(ctx.content) >= 2
        || labels.reference()
    {
        "reference_other"
    } else if labels.overview() {
        "overview"
    } else if numbered_steps_with_code(ctx.content) {
        "tutorial"
    } else {
        "other"
    }
}

/// Page-level wording from the URL path, title and section heading.
struct Labels {
    segments: Vec<String>,
    words: String,
}

impl Labels {
    fn new(ctx: &Context) -> Self {
        let segments: Vec<String> = ctx
            .url_path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| s.to_ascii_lowercase())
            .collect();
        let words = format!(
            "{} \n {} \n {}",
            ctx.title,
            ctx.section,
            segments.join(" ").replace(['-', '_'], " ")
        )
        .to_ascii_lowercase();
        Self { segments, words }
    }

    fn any_segment(&self, names: &[&str]) -> bool {
        self.segments.iter().any(|s| {
            let stem = s.split('.').next().unwrap_or(s);
            names.contains(&stem)
        })
    }

    fn any_word(&self, phrases: &[&str]) -> bool {
        phrases.iter().any(|p| has_word(&self.words, p))
    }

    fn non_technical(&self) -> bool {
        self.any_segment(&[
            "pricing",
            "plans",
            "legal",
            "privacy",
            "privacy-policy",
            "terms",
            "terms-of-service",
            "terms-of-use",
            "tos",
            "careers",
            "jobs",
            "blog",
            "press",
            "newsroom",
            "cookies",
            "cookie-policy",
            "about-us",
            "company",
            "customers",
            "events",
            "webinars",
        ]) || self.any_word(&[
            "pricing",
            "privacy policy",
            "privacy notice",
            "cookie policy",
            "terms of service",
            "terms of use",
            "terms and conditions",
            "careers",
            "press release",
            "legal notice",
        ])
    }

    fn is_table_of_contents(&self) -> bool {
        self.any_word(&[
            "table of contents",
            "contents",
            "sitemap",
            "site map",
            "on this page",
        ]) || self.any_segment(&["sitemap", "toc"])
    }

    fn tutorial(&self) -> bool {
        self.any_word(&[
            "tutorial",
            "tutorials",
            "how to",
            "walkthrough",
            "quickstart",
            "quick start",
        ])
    }

    fn reference(&self) -> bool {
        self.any_word(&[
            "reference",
            "configuration",
            "config",
            "cli",
            "command line",
            "commands",
            "settings",
            "sdk",
        ])
    }

    fn overview(&self) -> bool {
        self.any_word(&[
            "overview",
            "introduction",
            "intro",
            "concepts",
            "getting started",
            "get started",
            "what is",
        ])
    }
}

fn is_mostly_links(content: &str) -> bool {
    let (link_chars, links) = markdown_link_text_stats(content);
    let visible: usize = strip_inline_markdown(content)
        .chars()
        .filter(|c| !c.is_whitespace())
        .count();
    links >= 3 && visible > 0 && link_chars * 10 > visible * 6
}

/// Non-whitespace chars of link texts and the number of `[text](url)` links.
fn markdown_link_text_stats(content: &str) -> (usize, usize) {
    let mut chars = 0;
    let mut links = 0;
    let mut rest = content;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find("](") else {
            break;
        };
        let text = &after[..close];
        if !text.contains(['[', '\n']) && after[close + 2..].contains(')') {
            chars += text.chars().filter(|c| !c.is_whitespace()).count();
            links += 1;
        }
        rest = &after[close + 2..];
    }
    (chars, links)
}

fn has_step_markers(content: &str) -> bool {
    let lower = content.to_ascii_lowercase();
    lower.match_indices("step ").any(|(i, _)| {
        let before_ok = i == 0 || !is_word_byte(lower.as_bytes()[i - 1]);
        before_ok && lower[i + 5..].starts_with(|c: char| c.is_ascii_digit())
    })
}

fn has_api_reference_vocabulary(content: &str) -> bool {
    let lower = content.to_ascii_lowercase();
    let phrases = [
        "request body",
        "query parameters",
        "query parameter",
        "path parameters",
        "path parameter",
        "request parameters",
        "response body",
        "response fields",
        "status code",
        "status codes",
        "http status",
        "response codes",
        "request example",
        "response example",
        "request headers",
    ];
    let hits = phrases.iter().filter(|p| has_word(&lower, p)).count();
    hits >= 2 || table_headers(&lower).iter().any(|h| is_parameter_header(h))
}

fn is_parameter_header(cells: &[String]) -> bool {
    let has = |names: &[&str]| cells.iter().any(|c| names.contains(&c.as_str()));
    has(&["parameter", "parameters", "param", "name", "field"])
        && has(&["required", "in", "location"])
}

fn has_option_table(content: &str) -> bool {
    let lower = content.to_ascii_lowercase();
    table_headers(&lower).iter().any(|cells| {
        let has = |names: &[&str]| cells.iter().any(|c| names.iter().any(|n| c.contains(n)));
        has(&[
            "option", "flag", "setting", "property", "field", "key", "argument", "variable",
        ]) && has(&["default", "type", "description"])
    })
}

/// Header rows of pipe tables: the row directly above a `|---|` delimiter.
fn table_headers(text: &str) -> Vec<Vec<String>> {
    let lines: Vec<&str> = text.lines().collect();
    lines
        .windows(2)
        .filter(|pair| is_table_delimiter(pair[1]) && pair[0].contains('|'))
        .map(|pair| {
            pair[0]
                .split('|')
                .map(|c| c.trim().trim_matches(['*', '`']).to_string())
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect()
}

fn is_table_delimiter(line: &str) -> bool {
    let line = line.trim();
    line.contains('-')
        && line.contains('|')
        && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

fn signature_lines(content: &str) -> usize {
    content
        .lines()
        .map(str::trim_start)
        .filter(|l| {
            let prefixes = [
                "fn ",
                "pub fn ",
                "def ",
                "async def ",
                "function ",
                "class ",
                "interface ",
                "func ",
                "public ",
            ];
            prefixes.iter().any(|p| l.starts_with(p)) && l.contains(['(', '{', ':'])
                || (l.starts_with("--") && l.len() > 2 && l.as_bytes()[2].is_ascii_alphabetic())
                || (l.starts_with("| `--") || l.starts_with("|`--"))
        })
        .count()
}

fn numbered_steps_with_code(content: &str) -> bool {
    let numbered = content
        .lines()
        .map(str::trim_start)
        .filter(|l| {
            let digits = l.bytes().take_while(u8::is_ascii_digit).count();
            digits > 0 && (l[digits..].starts_with(". ") || l[digits..].starts_with(") "))
        })
        .count();
    numbered >= 3 && (content.contains("```") || content.contains("~~~"))
}

// ---------------------------------------------------------------------------
// Summary

const MAX_SENTENCE_CHARS: usize = 200;

/// `"{title} — {section}: {sentence}"`, leaving out empty parts (and a
/// section identical to the title). For prose the sentence is the first
/// sentence of the first paragraph after dropping headings, code fences,
/// tables, images and inline formatting, cut at `. `/`! `/`? ` or at 200
/// chars on a word boundary with `…`. JSON/YAML chunks use their endpoints
/// ("OpenAPI paths: GET /a, POST /b …"), else the spec's `info.title`, else
/// their first non-empty line.
fn summarize(ctx: &Context) -> String {
    let sentence = match ctx.kind {
        ContentKind::Json | ContentKind::Yaml => structured_summary(ctx),
        _ => first_sentence(ctx.content),
    };
    let title = ctx.title.trim();
    let section = ctx.section.trim();
    let section = if section == title { "" } else { section };
    let label = join_nonempty(&[title, section], " — ");
    join_nonempty(&[&label, &sentence], ": ")
}

fn join_nonempty(parts: &[&str], separator: &str) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(separator)
}

fn structured_summary(ctx: &Context) -> String {
    if !ctx.endpoints.is_empty() {
        const SHOWN: usize = 5;
        let listed: Vec<String> = ctx
            .endpoints
            .iter()
            .take(SHOWN)
            .map(|(m, p)| format!("{m} {p}"))
            .collect();
        let more = ctx.endpoints.len().saturating_sub(SHOWN);
        let suffix = if more > 0 {
            format!(" (+{more} more)")
        } else {
            String::new()
        };
        return format!("OpenAPI paths: {}{suffix}", listed.join(", "));
    }
    if let Some(title) = spec_info_title(ctx.content) {
        return format!("OpenAPI spec: {title}");
    }
    let first_line = ctx
        .content
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    truncate_on_word(first_line, MAX_SENTENCE_CHARS)
}

/// The first `title` key after an `info` key, in JSON or YAML form.
fn spec_info_title(content: &str) -> Option<String> {
    let info = content.find("\"info\"").or_else(|| content.find("info:"))?;
    let after = &content[info..];
    let title_at = after.find("\"title\"").or_else(|| after.find("title:"))?;
    let rest = &after[title_at..];
    let value = rest.split_once(':')?.1.trim_start();
    let value = value.lines().next()?.trim();
    let value = value
        .trim_end_matches(',')
        .trim()
        .trim_matches(['"', '\''])
        .trim();
    (!value.is_empty() && !value.starts_with('{'))
        .then(|| truncate_on_word(value, MAX_SENTENCE_CHARS))
}

fn first_sentence(content: &str) -> String {
    let paragraph = first_prose_paragraph(content);
    let paragraph = if paragraph.is_empty() {
        fallback_line(content)
    } else {
        paragraph
    };
    cut_sentence(&paragraph)
}

/// First run of consecutive prose lines outside code fences, tables and
/// headings, with inline Markdown removed.
fn first_prose_paragraph(content: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut in_fence = false;
    for line in content.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            if !lines.is_empty() {
                break;
            }
            continue;
        }
        let skip = in_fence
            || trimmed.starts_with('#')
            || trimmed.starts_with('|')
            || trimmed.starts_with("<!--");
        let text = if skip {
            String::new()
        } else {
            strip_inline_markdown(strip_block_prefix(trimmed))
        };
        if text.trim().is_empty() {
            if !lines.is_empty() {
                break;
            }
            continue;
        }
        lines.push(text.trim().to_string());
    }
    lines.join(" ")
}

/// When a chunk has no prose (only a table or code), its first meaningful
/// line still says more than nothing.
fn fallback_line(content: &str) -> String {
    content
        .lines()
        .map(|l| strip_inline_markdown(l.trim().trim_start_matches('#').trim_matches('|')))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .find(|l| l.chars().any(char::is_alphanumeric) && !l.starts_with("```"))
        .unwrap_or_default()
}

fn strip_block_prefix(line: &str) -> &str {
    let line = line.trim_start_matches('>').trim_start();
    for marker in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return rest;
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        if let Some(rest) = line[digits..]
            .strip_prefix(". ")
            .or_else(|| line[digits..].strip_prefix(") "))
        {
            return rest;
        }
    }
    line
}

/// Images are dropped, links keep their text, emphasis and code markers go.
fn strip_inline_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let is_image = rest[..open].ends_with('!');
        let before = if is_image {
            &rest[..open - 1]
        } else {
            &rest[..open]
        };
        out.push_str(before);
        let after = &rest[open + 1..];
        match link_parts(after) {
            Some((label, consumed)) => {
                if !is_image {
                    out.push_str(label);
                }
                rest = &after[consumed..];
            }
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace("**", "")
        .replace("__", "")
        .replace(['`', '*'], "")
}

/// For text just after `[`: the link label and the bytes up to the `)`.
fn link_parts(after: &str) -> Option<(&str, usize)> {
    let close = after.find("](")?;
    let label = &after[..close];
    if label.contains(['[', '\n']) {
        return None;
    }
    let end = after[close + 2..].find(')')?;
    Some((label, close + 2 + end + 1))
}

fn cut_sentence(paragraph: &str) -> String {
    let text = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = [". ", "! ", "? "].iter().filter_map(|p| text.find(p)).min();
    let sentence = match end {
        Some(i) => &text[..=i],
        None => text.as_str(),
    };
    truncate_on_word(sentence, MAX_SENTENCE_CHARS)
}

fn truncate_on_word(text: &str, max_chars: usize) -> String {
    let Some((limit, _)) = text.char_indices().nth(max_chars) else {
        return text.to_string();
    };
    let head = &text[..limit];
    let cut = head
        .rfind(char::is_whitespace)
        .filter(|i| *i > 0)
        .unwrap_or(limit);
    format!("{}…", head[..cut].trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(path: &str) -> Url {
        Url::parse(&format!("https://docs.example.com{path}")).expect("test url")
    }

    fn facts(
        title: &str,
        path: &str,
        section: &str,
        content: &str,
        kind: ContentKind,
    ) -> ChunkFacts {
        describe_chunk(title, &url(path), section, content, kind, false)
    }

    #[test]
    fn counts_distinct_endpoints_in_prose_and_tables() {
        let content = "Call `GET /users/{id}` or GET /users/{id}. Then POST /api/v2/Groups, delete /x/:id.\n\
                       | `PATCH` | `/scim/v2/Users/{id}` | Update |\n\
                       You can get / set values. Use GET https://api.example.com/v1/items?limit=5 too.";
        let endpoints = find_endpoints(content, ContentKind::Markdown, false);
        let rendered: Vec<String> = endpoints.iter().map(|(m, p)| format!("{m} {p}")).collect();
        assert_eq!(
            rendered,
            [
                "GET /users/{id}",
                "POST /api/v2/Groups",
                "DELETE /x/:id",
                "PATCH /scim/v2/Users/{id}",
                "GET /v1/items"
            ]
        );
    }

    #[test]
    fn ignores_prose_that_is_not_an_endpoint() {
        let content =
            "You can get / set options, post-process output, and put / in paths. Target: forget /.";
        assert!(find_endpoints(content, ContentKind::Markdown, false).is_empty());
    }

    #[test]
    fn counts_openapi_keys_in_yaml_and_json() {
        let yaml = "paths:\n  /users:\n    get:\n      summary: x\n    post:\n      summary: y\n  /users/{id}:\n    parameters: []\n    delete:\n      responses: {}\ncomponents:\n  schemas:\n    get:\n      type: object\n";
        assert_eq!(find_endpoints(yaml, ContentKind::Yaml, true).len(), 3);
        let json = r##"{"paths":{"/users":{"get":{"responses":{}},"post":{"requestBody":{"$ref":"#/x"}}},"/groups/{id}":{"patch":{}}},"get":{}}"##;
        assert_eq!(find_endpoints(json, ContentKind::Json, true).len(), 3);
        let truncated = "    \"/a\": {\n      \"get\": {\n        \"summary\": \"x\"\n      },\n      \"head\": {";
        assert_eq!(find_endpoints(truncated, ContentKind::Json, false).len(), 2);
    }

    #[test]
    fn tags_need_explicit_evidence() {
        let content = "Provision users with SCIM: POST /scim/v2/Users with `urn:ietf:params:scim:schemas:core:2.0:User`.\n\
                       Authenticate using OAuth 2.0 `client_credentials`; the access token must have the users:write scope.\n\
                       Responses are application/json. Results are paginated with startIndex. \
                       Exceeding the rate limit returns 429 Too Many Requests. Pass your API key in x-api-key.";
        let f = facts(
            "Users API",
            "/docs/users",
            "Users",
            content,
            ContentKind::Markdown,
        );
        assert_eq!(
            f.tags,
            [
                "API keys",
                "JSON",
                "OAuth",
                "Pagination",
                "Rate limiting",
                "REST",
                "SCIM"
            ]
        );
        let plain = facts(
            "Intro",
            "/docs",
            "",
            "We restore sessions and query the soap dish for scimitars.",
            ContentKind::Markdown,
        );
        assert!(plain.tags.is_empty(), "{:?}", plain.tags);
    }

    #[test]
    fn tags_for_protocols() {
        let content = "Send `<soap:Envelope>` per the WSDL. GraphQL: `mutation CreateUser($in: X) { id }`. \
                       Configure SAML 2.0 or OpenID Connect (id_token). Sync from LDAP. Receive webhooks. \
                       Use gRPC with protocol buffers. The swagger.json file is an OpenAPI document. <?xml version=\"1.0\"?>";
        let f = facts(
            "Integrations",
            "/docs/integrations",
            "",
            content,
            ContentKind::Markdown,
        );
        assert_eq!(
            f.tags,
            [
                "GraphQL",
                "gRPC",
                "JSON",
                "LDAP",
                "OpenAPI",
                "OpenID Connect",
                "SAML",
                "SOAP",
                "Webhooks",
                "XML"
            ]
        );
    }

    #[test]
    fn graphql_needs_operation_syntax() {
        assert!(has_graphql_operation("query { viewer { login } }"));
        assert!(has_graphql_operation("mutation addstar($id: id!) {"));
        assert!(!has_graphql_operation(
            "a mutation in the gene. query the database."
        ));
    }

    #[test]
    fn spec_categories_and_summary() {
        let yaml = "openapi: 3.0.0\ninfo:\n  title: Petstore\n  version: '1'\n";
        let f = describe_chunk(
            "petstore.yaml",
            &url("/petstore.yaml"),
            "",
            yaml,
            ContentKind::Yaml,
            true,
        );
        assert_eq!(f.category, "spec_yaml");
        assert_eq!(f.summary, "petstore.yaml: OpenAPI spec: Petstore");
        assert!(f.tags.contains(&"OpenAPI".to_string()));
        let json = r#"{"paths": {"/pets": {"get": {}, "post": {}}}}"#;
        let f = describe_chunk(
            "Petstore",
            &url("/openapi.json"),
            "",
            json,
            ContentKind::Json,
            true,
        );
        assert_eq!(f.category, "spec_json");
        assert_eq!(f.num_endpoints, 2);
        assert_eq!(f.summary, "Petstore: OpenAPI paths: GET /pets, POST /pets");
        let other = describe_chunk(
            "Data",
            &url("/data.json"),
            "",
            "\n  {\"a\": 1}\n",
            ContentKind::Json,
            false,
        );
        assert_eq!(other.summary, "Data: {\"a\": 1}");
    }

    #[test]
    fn category_priority() {
        let md = ContentKind::Markdown;
        let cases = [
            ("Pricing", "/pricing", "", "Our plans start at $10. GET /users is included.", "non-technical"),
            ("Privacy Policy", "/docs/privacy", "", "We collect data.", "non-technical"),
            ("Docs", "/docs", "", "- [Users](/u)\n- [Groups](/g)\n- [Roles](/r)\n- [Apps](/a)", "index"),
            ("Build a bot", "/docs/tutorials/bot", "", "Step 1: install. Step 2: run.", "tutorial"),
            ("Users", "/docs/api/users", "Create a user", "Creates a user.\n\n`POST /users`", "reference_api"),
            (
                "Users",
                "/docs/users",
                "",
                "| Name | In | Type | Required |\n|---|---|---|---|\n| id | path | string | yes |",
                "reference_api",
            ),
            (
                "Settings",
                "/docs/app",
                "",
                "| Option | Default | Description |\n| --- | --- | --- |\n| `timeout` | 30 | Seconds |",
                "reference_other",
            ),
            ("Client", "/docs/sdk", "", "```python\ndef connect(host):\n    ...\nclass Client(Base):\n```", "reference_other"),
            ("Overview", "/docs/overview", "", "Acme syncs identities between systems.", "overview"),
            (
                "Sync",
                "/docs/sync",
                "",
                "1. Install it.\n2. Configure it.\n3. Run it.\n\n```sh\nacme sync\n```",
                "tutorial",
            ),
            ("Changelog", "/docs/changelog", "", "Fixed a crash on startup.", "other"),
        ];
        for (title, path, section, content, expected) in cases {
            assert_eq!(
                facts(title, path, section, content, md).category,
                expected,
                "{title}: {content}"
            );
        }
    }

    #[test]
    fn summary_uses_first_prose_sentence() {
        let content = "## Create a user\n\n```json\n{\"a\": 1}\n```\n\n**Creates** a [user](/users) in the `directory`. More text here.\n";
        let f = facts(
            "Users API",
            "/docs/users",
            "Reference > Users",
            content,
            ContentKind::Markdown,
        );
        assert_eq!(
            f.summary,
            "Users API — Reference > Users: Creates a user in the directory."
        );
        let f = facts("", "/", "", "Just words", ContentKind::Markdown);
        assert_eq!(f.summary, "Just words");
        let f = facts("Same", "/", "Same", "", ContentKind::Markdown);
        assert_eq!(f.summary, "Same");
    }

    #[test]
    fn summary_truncates_long_sentences_on_word_boundary() {
        let long = "word ".repeat(100);
        let f = facts("T", "/", "", &long, ContentKind::Text);
        let sentence = f.summary.trim_start_matches("T: ");
        assert!(sentence.ends_with("word…"), "{sentence}");
        assert!(sentence.chars().count() <= MAX_SENTENCE_CHARS + 1);
    }

    #[test]
    fn table_only_chunk_falls_back_to_first_line() {
        let content = "| Name | Type |\n|---|---|\n| id | string |";
        let f = facts("T", "/", "", content, ContentKind::Markdown);
        assert_eq!(f.summary, "T: Name | Type");
    }

    #[test]
    fn survives_odd_input() {
        for content in [
            "",
            "[",
            "](",
            "[a](",
            "GET",
            "GET /",
            "\"",
            "{\"/x\": {\"get\"",
            "é GET /é",
            "step 1",
            "|---|",
        ] {
            for kind in [
                ContentKind::Html,
                ContentKind::Markdown,
                ContentKind::Json,
                ContentKind::Yaml,
                ContentKind::Text,
            ] {
                let _ = describe_chunk("t", &url("/"), "", content, kind, true);
            }
        }
    }
}
