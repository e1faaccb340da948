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
    let t = ctx.section_and_lower;
    let hits = ctx.hits;
    let rules: [(&str, bool); 16] = [
        (
            "REST",
            !ctx.endpoints.is_empty() || hits.any_word(REST_WORDS),
        ),
        (
            "SCIM",
            hits.any_substring(SCIM_MARKERS) || hits.word("scim"),
        ),
        (
            "OpenAPI",
            (ctx.page_is_openapi && matches!(ctx.kind, ContentKind::Json | ContentKind::Yaml))
                || hits.any_substring(OPENAPI_MARKERS)
                || (hits.any_substring(OPENAPI_KEYS)
                    && t.lines()
                        .any(|l| l.starts_with("openapi:") || l.starts_with("swagger:")))
                || hits.any_word(OPENAPI_WORDS),
        ),
        (
            "GraphQL",
            hits.word("graphql")
                || (hits.any_substring(GRAPHQL_KEYWORDS) && has_graphql_operation(t)),
        ),
        (
            "OAuth",
            hits.any_word(OAUTH_WORDS)
                || hits.any_substring(OAUTH_MARKERS)
                || (hits.substring("access token") && hits.any_word(&["scope", "scopes"])),
        ),
        (
            "OpenID Connect",
            hits.any_word(OIDC_WORDS) || hits.substring("openid-configuration"),
        ),
        (
            "SAML",
            hits.any_word(SAML_WORDS) || hits.substring("urn:oasis:names:tc:saml"),
        ),
        (
            "SOAP",
            hits.any_substring(SOAP_MARKERS)
                || (hits.substring("soap")
                    && (has_word(ctx.section, "SOAP") || has_word(ctx.content, "SOAP")))
                || hits.word("wsdl"),
        ),
        ("gRPC", hits.any_word(GRPC_WORDS)),
        ("Webhooks", hits.any_word(&["webhook", "webhooks"])),
        (
            "JSON",
            ctx.kind == ContentKind::Json
                || hits.substring("application/json")
                || hits.word("json"),
        ),
        ("XML", hits.any_substring(XML_MARKERS) || hits.word("xml")),
        (
            "LDAP",
            hits.any_word(LDAP_WORDS) || hits.any_substring(&["ldap://", "ldaps://"]),
        ),
        ("Pagination", hits.any_word(PAGINATION_WORDS)),
        (
            "Rate limiting",
            hits.any_word(RATE_LIMIT_WORDS) || hits.substring("x-ratelimit"),
        ),
        ("API keys", hits.any_word(API_KEY_WORDS)),
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

const REST_WORDS: &[&str] = &["rest api", "restful", "rest endpoint", "rest endpoints"];
const SCIM_MARKERS: &[&str] = &["urn:ietf:params:scim", "/scim/"];
const OPENAPI_MARKERS: &[&str] = &["\"openapi\":", "\"swagger\":"];
const OPENAPI_WORDS: &[&str] = &["openapi", "swagger"];
/// Keys of a YAML spec's first line.
const OPENAPI_KEYS: &[&str] = &["openapi:", "swagger:"];
/// The operation keywords [`has_graphql_operation`] looks for.
const GRAPHQL_KEYWORDS: &[&str] = &["query", "mutation", "subscription"];
const OAUTH_WORDS: &[&str] = &[
    "oauth",
    "oauth2",
    "client_credentials",
    "authorization_code",
    "refresh_token",
];
const OAUTH_MARKERS: &[&str] = &["/oauth/token", "/oauth2/token"];
const OIDC_WORDS: &[&str] = &["openid connect", "oidc", "id_token"];
const SAML_WORDS: &[&str] = &["saml", "saml2", "samlresponse"];
const SOAP_MARKERS: &[&str] = &["<soap:envelope", "<soapenv:envelope"];
const GRPC_WORDS: &[&str] = &["grpc", "protobuf", "protocol buffers"];
const XML_MARKERS: &[&str] = &["application/xml", "text/xml", "<?xml"];
const LDAP_WORDS: &[&str] = &["ldap", "ldaps", "active directory"];
const PAGINATION_WORDS: &[&str] = &[
    "pagination",
    "paginate",
    "paginated",
    "paging",
    "page_size",
    "per_page",
    "page_token",
    "pagetoken",
    "next_page",
    "nextpagetoken",
    "startindex",
    "itemsperpage",
    "next_cursor",
];
const RATE_LIMIT_WORDS: &[&str] = &[
    "rate limit",
    "rate limits",
    "rate limiting",
    "rate-limit",
    "ratelimit",
    "too many requests",
    "throttling",
    "throttled",
];
const API_KEY_WORDS: &[&str] = &[
    "api key",
    "api keys",
    "api-key",
    "api_key",
    "apikey",
    "x-api-key",
];

/// Every keyword the tag rules and the category rules look for: one scan of a chunk's
/// section title and content answers both (see [`describe_chunk`]).
pub(super) static CHUNK_VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(|| {
    let single: &[&str] = &[
        "scim",
        "graphql",
        "access token",
        "scope",
        "scopes",
        "openid-configuration",
        "urn:oasis:names:tc:saml",
        "wsdl",
        "webhook",
        "webhooks",
        "application/json",
        "json",
        "xml",
        "ldap://",
        "ldaps://",
        "x-ratelimit",
        // Not evidence themselves: each rule that reads the text another way (upper
        // case, line starts, what follows a keyword) runs only when its keyword occurs.
        "soap",
    ];
    Vocabulary::new(
        &[
            REST_WORDS,
            SCIM_MARKERS,
            OPENAPI_MARKERS,
            OPENAPI_WORDS,
            OAUTH_WORDS,
            OAUTH_MARKERS,
            OIDC_WORDS,
            SAML_WORDS,
            SOAP_MARKERS,
            GRPC_WORDS,
            XML_MARKERS,
            LDAP_WORDS,
            PAGINATION_WORDS,
            RATE_LIMIT_WORDS,
            API_KEY_WORDS,
            OPENAPI_KEYS,
            GRAPHQL_KEYWORDS,
            super::category::API_REFERENCE_PHRASES,
            single,
        ]
        .concat(),
    )
});

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
    GRAPHQL_KEYWORDS.iter().any(|keyword| {
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
