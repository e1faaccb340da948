//! Metadata rules, each shown on a small chunk.

use super::*;

fn url(path: &str) -> Url {
    Url::parse(&format!("https://docs.example.com{path}")).expect("test url")
}

fn facts(title: &str, path: &str, section: &str, content: &str, kind: ContentKind) -> ChunkFacts {
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
    let truncated =
        "    \"/a\": {\n      \"get\": {\n        \"summary\": \"x\"\n      },\n      \"head\": {";
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
        (
            "Pricing",
            "/pricing",
            "",
            "Our plans start at $10. GET /users is included.",
            "non-technical",
        ),
        (
            "Privacy Policy",
            "/docs/privacy",
            "",
            "We collect data.",
            "non-technical",
        ),
        (
            "Docs",
            "/docs",
            "",
            "- [Users](/u)\n- [Groups](/g)\n- [Roles](/r)\n- [Apps](/a)",
            "index",
        ),
        (
            "Build a bot",
            "/docs/tutorials/bot",
            "",
            "Step 1: install. Step 2: run.",
            "tutorial",
        ),
        (
            "Users",
            "/docs/api/users",
            "Create a user",
            "Creates a user.\n\n`POST /users`",
            "reference_api",
        ),
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
        (
            "Client",
            "/docs/sdk",
            "",
            "```python\ndef connect(host):\n    ...\nclass Client(Base):\n```",
            "reference_other",
        ),
        (
            "Overview",
            "/docs/overview",
            "",
            "Acme syncs identities between systems.",
            "overview",
        ),
        (
            "Sync",
            "/docs/sync",
            "",
            "1. Install it.\n2. Configure it.\n3. Run it.\n\n```sh\nacme sync\n```",
            "tutorial",
        ),
        (
            "Changelog",
            "/docs/changelog",
            "",
            "Fixed a crash on startup.",
            "other",
        ),
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

/// `visible_chars` counts what `strip_inline_markdown` keeps, on the marker runs that
/// interact (stars between underscores, odd and even runs, links and images around them)
/// and on every short string over those characters.
#[test]
fn visible_chars_are_the_stripped_texts() {
    let stripped = |t: &str| {
        strip_inline_markdown(t)
            .chars()
            .filter(|c| !c.is_whitespace())
            .count()
    };
    for text in [
        "",
        "_**_",
        "_*_",
        "__***__",
        "a__b**c__d",
        "**bold** and __strong__ and `code` ***x*** ____",
        "[a__](u) __[b](v)__ ![i__](w) x",
        "see [the **docs**](https://x/y_z) é\u{a0}ü `a_b`",
        "unclosed [link and ]( stray ) _ _ * *",
    ] {
        assert_eq!(visible_chars(text), stripped(text), "{text:?}");
    }
    let alphabet = [
        '*', '_', '`', '[', ']', '(', ')', '!', ' ', 'a', '\n', 'é', '\u{b}', '\u{a0}',
    ];
    // Every string of up to five of these characters.
    let mut texts = vec![String::new()];
    for _ in 0..5 {
        let longer: Vec<String> = texts
            .iter()
            .filter(|t| t.chars().count() == texts.last().map_or(0, |l| l.chars().count()))
            .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
            .collect();
        texts.extend(longer);
    }
    for text in &texts {
        assert_eq!(visible_chars(text), stripped(text), "{text:?}");
    }
}
