//! The chunk's category (reference, tutorial, overview, …) from its labels and text.

use super::*;

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
pub(super) fn categorize(ctx: &Context) -> &'static str {
    if ctx.page_is_openapi && ctx.kind == ContentKind::Json {
        return "spec_json";
    }
    if ctx.page_is_openapi && ctx.kind == ContentKind::Yaml {
        return "spec_yaml";
    }
    let labels = Labels::new(ctx);
    // Both table rules read the same header rows: found once, when first asked.
    let headers = std::cell::OnceCell::new();
    let headers = || headers.get_or_init(|| table_headers(ctx.lower)).as_slice();
    if labels.non_technical() {
        "non-technical"
    } else if labels.is_table_of_contents() || is_mostly_links(ctx.content) {
        "index"
    } else if labels.tutorial() || has_step_markers(ctx.lower) {
        "tutorial"
    } else if !ctx.endpoints.is_empty()
        || has_api_reference_vocabulary(ctx.hits, headers)
        || ctx.page_is_openapi
    {
        "reference_api"
    } else if has_option_table(headers()) || signature_lines(ctx.content) >= 2 || labels.reference()
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
pub(super) struct Labels {
    segments: Vec<String>,
    words: String,
}

impl Labels {
    pub(super) fn new(ctx: &Context) -> Self {
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

    pub(super) fn any_segment(&self, names: &[&str]) -> bool {
        self.segments.iter().any(|s| {
            let stem = s.split('.').next().unwrap_or(s);
            names.contains(&stem)
        })
    }

    pub(super) fn any_word(&self, phrases: &[&str]) -> bool {
        phrases.iter().any(|p| has_word(&self.words, p))
    }

    pub(super) fn non_technical(&self) -> bool {
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

    pub(super) fn is_table_of_contents(&self) -> bool {
        self.any_word(&[
            "table of contents",
            "contents",
            "sitemap",
            "site map",
            "on this page",
        ]) || self.any_segment(&["sitemap", "toc"])
    }

    pub(super) fn tutorial(&self) -> bool {
        self.any_word(&[
            "tutorial",
            "tutorials",
            "how to",
            "walkthrough",
            "quickstart",
            "quick start",
        ])
    }

    pub(super) fn reference(&self) -> bool {
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

    pub(super) fn overview(&self) -> bool {
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

pub(super) fn is_mostly_links(content: &str) -> bool {
    let (link_chars, links) = markdown_link_text_stats(content);
    // The visible text is counted only when the answer can depend on it.
    if links < 3 || link_chars == 0 {
        return false;
    }
    let visible = visible_chars(content);
    links >= 3 && visible > 0 && link_chars * 10 > visible * 6
}

/// Non-whitespace chars of link texts and the number of `[text](url)` links.
pub(super) fn markdown_link_text_stats(content: &str) -> (usize, usize) {
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

/// `lower`: the content in ASCII lower case.
pub(super) fn has_step_markers(lower: &str) -> bool {
    lower.match_indices("step ").any(|(i, _)| {
        let before_ok = i == 0 || !is_word_byte(lower.as_bytes()[i - 1]);
        before_ok && lower[i + 5..].starts_with(|c: char| c.is_ascii_digit())
    })
}

/// `hits`: the chunk's scan, whose tail is its content; `headers`: the content's
/// [`table_headers`].
pub(super) fn has_api_reference_vocabulary<'h>(
    hits: &Hits,
    headers: impl FnOnce() -> &'h [Vec<String>],
) -> bool {
    hits.count_words_in_tail(API_REFERENCE_PHRASES) >= 2
        || headers().iter().any(|h| is_parameter_header(h))
}

pub(super) const API_REFERENCE_PHRASES: &[&str] = &[
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

pub(super) fn is_parameter_header(cells: &[String]) -> bool {
    let has = |names: &[&str]| cells.iter().any(|c| names.contains(&c.as_str()));
    has(&["parameter", "parameters", "param", "name", "field"])
        && has(&["required", "in", "location"])
}

/// `headers`: the [`table_headers`] of the content in ASCII lower case.
pub(super) fn has_option_table(headers: &[Vec<String>]) -> bool {
    headers.iter().any(|cells| {
        let has = |names: &[&str]| cells.iter().any(|c| names.iter().any(|n| c.contains(n)));
        has(&[
            "option", "flag", "setting", "property", "field", "key", "argument", "variable",
        ]) && has(&["default", "type", "description"])
    })
}

/// Header rows of pipe tables: the row directly above a `|---|` delimiter.
pub(super) fn table_headers(text: &str) -> Vec<Vec<String>> {
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

pub(super) fn is_table_delimiter(line: &str) -> bool {
    let line = line.trim();
    line.contains('-')
        && line.contains('|')
        && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

pub(super) fn signature_lines(content: &str) -> usize {
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

pub(super) fn numbered_steps_with_code(content: &str) -> bool {
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
