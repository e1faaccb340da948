//! Tags: the API resources and topics a chunk is about.

use super::*;

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
pub(super) fn detect_tags(ctx: &Context) -> Vec<String> {
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
pub(super) fn has_word(text: &str, word: &str) -> bool {
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
pub(super) fn has_graphql_operation(lower: &str) -> bool {
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
