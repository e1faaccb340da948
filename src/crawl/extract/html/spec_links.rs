//! Links to OpenAPI / Swagger documents that a page embeds or points at.

use super::*;

/// Web components of API renderers and the attribute holding the spec URL
/// (html5ever lower-cases attribute names, e.g. `apiDescriptionUrl`).
pub(super) const SPEC_ATTRIBUTES: &[(&str, &str)] = &[
    ("redoc", "spec-url"),
    ("rapi-doc", "spec-url"),
    ("rapi-doc-mini", "spec-url"),
    ("openapi-explorer", "spec-url"),
    ("elements-api", "apidescriptionurl"),
];

pub(super) fn spec_links(doc: &Html, base: &Url) -> Vec<Url> {
    let mut found: Vec<String> = Vec::new();
    for el in doc.root_element().descendent_elements() {
        let name = el.value().name();
        for (tag, attr) in SPEC_ATTRIBUTES {
            if name == *tag {
                found.extend(el.value().attr(attr).map(str::to_string));
            }
        }
        if name == "script" {
            found.extend(script_spec_urls(el));
        }
    }
    let mut seen = HashSet::new();
    found
        .iter()
        .filter_map(|raw| resolve_http(base, raw))
        .filter(|url| seen.insert(url.as_str().to_string()))
        .collect()
}

pub(super) fn script_spec_urls(script: ElementRef) -> Vec<String> {
    // Scalar API Reference: <script id="api-reference" data-url="…">.
    if attr_is(&script, "id", "api-reference") {
        if let Some(url) = script.value().attr("data-url") {
            return vec![url.to_string()];
        }
    }
    if script.value().attr("src").is_some() {
        return Vec::new();
    }
    let js: String = script.text().collect();
    let mut urls = Vec::new();
    if js.contains("SwaggerUI") {
        urls.extend(js_url_properties(&js));
    }
    for (index, _) in js.match_indices("Redoc.init(") {
        urls.extend(leading_string_literal(&js[index + "Redoc.init(".len()..]));
    }
    urls
}

/// String values of `url:` properties (also `"url":`), which is how both
/// `SwaggerUIBundle({ url })` and `urls: [{ url, name }]` name their specs.
pub(super) fn js_url_properties(js: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for (index, _) in js.match_indices("url") {
        let before = js[..index].chars().next_back();
        let quote = before.filter(|c| matches!(c, '"' | '\''));
        if before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '.')) {
            continue;
        }
        let mut rest = &js[index + 3..];
        if let Some(q) = quote {
            let Some(stripped) = rest.strip_prefix(q) else {
                continue;
            };
            rest = stripped;
        }
        let Some(value) = rest.trim_start().strip_prefix(':') else {
            continue;
        };
        urls.extend(leading_string_literal(value));
    }
    urls
}

/// The string literal at the start of `js` (after whitespace), if it is a
/// plain one; template literals with substitutions are not resolvable.
pub(super) fn leading_string_literal(js: &str) -> Option<String> {
    let js = js.trim_start();
    let quote = js
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))?;
    let body = &js[1..];
    let end = body.find(quote)?;
    let value = body[..end].trim();
    let plain =
        !value.is_empty() && !value.contains("${") && !value.contains('\\') && value.len() < 2048;
    plain.then(|| value.to_string())
}
