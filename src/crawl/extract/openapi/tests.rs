//! Rendering rules, each shown on a small spec, and the bounds on hostile specs.

use super::*;
use std::time::Instant;

const SWAGGER2_SCIM_JSON: &str = r##"{
      "swagger": "2.0",
      "info": {"title": "Example SCIM API", "version": "1.4", "description": "Provision users.\n\n# Heading inside description\n\n```\nunclosed fence"},
      "host": "api.example.com",
      "basePath": "/scim/v2",
      "consumes": ["application/scim+json"],
      "produces": ["application/scim+json"],
      "securityDefinitions": {
        "bearer": {"type": "apiKey", "in": "header", "name": "Authorization"},
        "oauth": {"type": "oauth2", "flow": "application", "tokenUrl": "https://auth.example.com/oauth/token", "scopes": {"scim:read": "Read", "scim:write": "Write"}}
      },
      "security": [{"bearer": []}],
      "parameters": {
        "UserId": {"name": "id", "in": "path", "required": true, "type": "string", "description": "User id | unique"}
      },
      "paths": {
        "/Users": {
          "get": {
            "summary": "List users",
            "operationId": "listUsers",
            "tags": ["Users"],
            "parameters": [
              {"name": "filter", "in": "query", "type": "string", "description": "SCIM filter"},
              {"name": "count", "in": "query", "type": "integer", "format": "int32"},
              {"name": "sortOrder", "in": "query", "type": "string", "enum": ["ascending", "descending"]}
            ],
            "responses": {
              "200": {"description": "A list", "schema": {"$ref": "#/definitions/UserList"}},
              "401": {"description": "Unauthorized"}
            }
          },
          "post": {
            "summary": "Create a user",
            "operationId": "createUser",
            "tags": ["Users"],
            "security": [{"oauth": ["scim:write"]}],
            "parameters": [{"name": "body", "in": "body", "required": true, "schema": {"$ref": "#/definitions/User"}}],
            "responses": {"201": {"description": "Created", "schema": {"$ref": "#/definitions/User"}}}
          }
        },
        "/Users/{id}": {
          "parameters": [{"$ref": "#/parameters/UserId"}],
          "get": {"summary": "Get a user", "responses": {"200": {"description": "OK", "schema": {"$ref": "#/definitions/User"}}}},
          "delete": {"summary": "Delete a user", "deprecated": true, "responses": {"204": {"description": "Deleted"}}}
        },
        "/Groups": {
          "get": {"summary": "List groups", "responses": {"200": {"description": "OK", "schema": {"type": "array", "items": {"$ref": "#/definitions/Group"}}}}}
        }
      },
      "definitions": {
        "UserList": {"type": "object", "properties": {
          "totalResults": {"type": "integer"},
          "Resources": {"type": "array", "items": {"$ref": "#/definitions/User"}}
        }},
        "User": {
          "type": "object",
          "required": ["userName"],
          "properties": {
            "id": {"type": "string", "readOnly": true},
            "userName": {"type": "string", "description": "Unique login name"},
            "name": {"$ref": "#/definitions/Name"},
            "emails": {"type": "array", "items": {"type": "object", "properties": {"value": {"type": "string", "format": "email"}, "primary": {"type": "boolean"}}}},
            "manager": {"$ref": "#/definitions/User"}
          }
        },
        "Name": {"type": "object", "properties": {"givenName": {"type": "string"}, "familyName": {"type": "string"}}},
        "Group": {"type": "object", "properties": {
          "displayName": {"type": "string"},
          "members": {"type": "array", "items": {"$ref": "#/definitions/Group"}}
        }}
      }
    }"##;

const OPENAPI3_YAML: &str = r##"
openapi: 3.0.3
info:
  title: Widget Store
  version: 2.1.0
  description: Manage widgets.
servers:
  - url: https://api.widgets.test/v2
x-common: &common
  description: Shared page size
  schema:
    type: integer
    maximum: 100
paths:
  /widgets/{widgetId}:
    parameters:
      - name: widgetId
        in: path
        required: true
        schema:
          type: string
          format: uuid
      - name: X-Trace
        in: header
        schema:
          type: string
    patch:
      summary: Update a widget
      operationId: updateWidget
      tags: [Widgets]
      parameters:
        - name: X-Trace
          in: header
          required: true
          description: Overrides the path-level header
          schema:
            type: string
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/WidgetPatch'
          application/merge-patch+json:
            schema:
              $ref: '#/components/schemas/WidgetPatch'
      responses:
        200:
          description: Updated
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Widget'
        '404':
          $ref: '#/components/responses/NotFound'
  /widgets:
    get:
      summary: List widgets
      parameters:
        - <<: *common
          name: limit
          in: query
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema:
                type: array
                items:
                  $ref: '#/components/schemas/Widget'
components:
  responses:
    NotFound:
      description: Not found
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
  schemas:
    Widget:
      allOf:
        - $ref: '#/components/schemas/WidgetPatch'
        - type: object
          required: [id]
          properties:
            id:
              type: string
              format: uuid
            parent:
              $ref: '#/components/schemas/Widget'
    WidgetPatch:
      type: object
      properties:
        color:
          type: string
          enum: [red, green, blue]
          description: Paint colour
        shape:
          oneOf:
            - $ref: '#/components/schemas/Circle'
            - $ref: '#/components/schemas/Square'
    Circle:
      type: object
      properties:
        radius: {type: number}
    Square:
      type: object
      properties:
        side: {type: number}
    Error:
      type: object
      properties:
        message: {type: string}
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://auth.widgets.test/token
          scopes:
            widgets:write: Modify widgets
"##;

fn section<'m>(markdown: &'m str, heading: &str) -> &'m str {
    let start = markdown
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading} in:\n{markdown}"));
    let rest = &markdown[start + heading.len()..];
    let end = rest.find("\n## ").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

#[test]
fn renders_swagger2_json() {
    let spec = parse_api_spec(SWAGGER2_SCIM_JSON, SpecFormat::Json).expect("spec");
    assert_eq!(spec.title.as_deref(), Some("Example SCIM API"));
    assert_eq!(spec.version.as_deref(), Some("1.4"));
    assert_eq!(spec.operation_count, 5);
    let md = &spec.markdown;
    assert!(md.starts_with("# Example SCIM API 1.4\n"));
    assert!(md.contains("Base URL: `api.example.com/scim/v2`"));
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        headings,
        [
            "## GET /Users",
            "## POST /Users",
            "## GET /Users/{id}",
            "## DELETE /Users/{id}",
            "## GET /Groups",
            "## Security schemes"
        ]
    );
    // Description headings and fences must not leak structure.
    assert!(md.contains("**Heading inside description**"));
    assert_eq!(md.matches("```").count() % 2, 0);

    let list = section(md, "## GET /Users\n");
    assert!(list.contains("**Operation ID:** `listUsers`"));
    assert!(
        list.contains("| sortOrder | query | string | no | One of: `ascending`, `descending` |")
    );
    assert!(list.contains("| count | query | integer (int32) | no |"));
    assert!(list.contains("**Security:** bearer"));
    assert!(list.contains("#### 200 — A list"));
    assert!(list.contains("- `Resources` (array of User)"));

    let create = section(md, "## POST /Users\n");
    assert!(create.contains("### Request body"));
    assert!(create.contains("Content types: `application/scim+json`"));
    assert!(create.contains("- `userName` (string, required): Unique login name"));
    assert!(create.contains("  - `givenName` (string)"));
    assert!(create.contains("- `id` (string, read-only)"));
    assert!(create.contains("*(recursive: User)*"));
    assert!(create.contains("**Security:** oauth (scim:write)"));

    let get = section(md, "## GET /Users/{id}\n");
    assert!(get.contains("| id | path | string | yes | User id \\| unique |"));
    assert!(section(md, "## DELETE /Users/{id}\n").contains("**Deprecated.**"));
    let groups = section(md, "## GET /Groups\n");
    assert!(groups.contains("Schema: array of Group"));
    assert!(groups.contains("*(recursive: Group)*"));
    let security = section(md, "## Security schemes\n");
    assert!(security.contains("**oauth**: oauth2"));
    assert!(security.contains("scopes: scim:read, scim:write"));
}

#[test]
fn renders_openapi3_yaml() {
    let spec = parse_api_spec(OPENAPI3_YAML, SpecFormat::Yaml).expect("spec");
    assert_eq!(spec.title.as_deref(), Some("Widget Store"));
    assert_eq!(spec.version.as_deref(), Some("2.1.0"));
    assert_eq!(spec.operation_count, 2);
    let md = &spec.markdown;
    assert!(md.contains("Base URL: `https://api.widgets.test/v2`"));
    let patch = section(md, "## PATCH /widgets/{widgetId}\n");
    assert!(patch.contains("| widgetId | path | string (uuid) | yes |"));
    assert!(patch.contains("| X-Trace | header | string | yes | Overrides the path-level header |"));
    assert_eq!(patch.matches("| X-Trace |").count(), 1);
    assert!(patch.contains("Content types: `application/json`, `application/merge-patch+json`"));
    assert!(patch.contains("Required."));
    assert!(patch.contains("- `color` (string): Paint colour. One of: `red`, `green`, `blue`."));
    assert!(patch.contains("- `shape` (oneOf: Circle | Square)"));
    assert!(patch.contains("- `radius` (number)"));
    assert!(patch.contains("#### 200 — Updated"));
    assert!(
        patch.contains("Schema: Widget\n\n- **allOf**:\n  - WidgetPatch\n"),
        "{patch}"
    );
    assert!(patch.contains("*(recursive: Widget)*"));
    assert!(patch.contains("#### 404 — Not found"));
    assert!(patch.contains("- `message` (string)"));
    let list = section(md, "## GET /widgets\n");
    assert!(
        list.contains("| limit | query | integer | no | Shared page size |"),
        "{list}"
    );
    let security = section(md, "## Security schemes\n");
    assert!(
        security.contains("flow clientCredentials — tokenUrl: `https://auth.widgets.test/token`")
    );
}

#[test]
fn markdown_chunker_keeps_each_operation_whole() {
    use crate::crawl::chunk::Chunker;
    let squash = |t: &str| t.split_whitespace().collect::<String>();
    for (text, format) in [
        (SWAGGER2_SCIM_JSON, SpecFormat::Json),
        (OPENAPI3_YAML, SpecFormat::Yaml),
    ] {
        let spec = parse_api_spec(text, format).expect("spec");
        let chunker = Chunker::new(400);
        let chunks: Vec<String> = chunker
            .split_markdown(&spec.markdown)
            .iter()
            .map(|c| squash(&c.content))
            .collect();
        for operation in spec.markdown.split("\n## ").skip(1) {
            let operation = format!("## {operation}");
            assert!(
                chunker.count_tokens(&operation) <= 400,
                "fixture operation too large"
            );
            let whole = squash(&operation);
            assert!(
                chunks.iter().any(|c| c.contains(&whole)),
                "split: {operation}"
            );
        }
    }
}

#[test]
fn rejects_non_specs_and_garbage() {
    assert!(parse_api_spec(r#"{"name": "package", "version": "1"}"#, SpecFormat::Json).is_none());
    assert!(parse_api_spec("openapi: [unclosed", SpecFormat::Yaml).is_none());
    assert!(parse_api_spec("{not json", SpecFormat::Json).is_none());
    assert!(parse_api_spec("", SpecFormat::Yaml).is_none());
    assert!(parse_api_spec("just: yaml\n", SpecFormat::Yaml).is_none());
    assert!(parse_api_spec(r#"{"openapi": "1.0"}"#, SpecFormat::Json).is_none());
    let deep = format!(
        "openapi: 3.0.0\nx: {}{}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(parse_api_spec(&deep, SpecFormat::Yaml).is_none());
    let deep_json = format!(
        r#"{{"openapi": "3.0.0", "x": {}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(parse_api_spec(&deep_json, SpecFormat::Json).is_none());
}

#[test]
fn minimal_spec_without_info_or_paths() {
    let spec = parse_api_spec("swagger: '2.0'\n", SpecFormat::Yaml).expect("spec");
    assert_eq!(spec.title, None);
    assert_eq!(spec.operation_count, 0);
    assert_eq!(spec.markdown, "# API\n");
}

#[test]
fn alias_bomb_is_refused_or_bounded() {
    let mut yaml = String::from("openapi: 3.0.0\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut previous = 'a';
    for name in 'b'..='k' {
        let refs = vec![format!("*{previous}"); 10].join(", ");
        yaml.push_str(&format!("{name}: &{name} [{refs}]\n"));
        previous = name;
    }
    let started = Instant::now();
    let _ = parse_api_spec(&yaml, SpecFormat::Yaml);
    assert!(started.elapsed().as_secs() < 10);
}

/// A wide, deeply nested and self-referencing schema graph: without the
/// line budget each operation would expand to millions of lines.
fn huge_spec_json(operations: usize) -> String {
    let mut paths = Vec::new();
    for i in 0..operations {
        paths.push(format!(
                r##""/resources{i}/{{id}}": {{"post": {{"summary": "Create resource {i}", "description": "{pad}",
                "parameters": [{{"name": "id", "in": "path", "required": true, "schema": {{"type": "string"}}}}],
                "requestBody": {{"content": {{"application/json": {{"schema": {{"$ref": "#/components/schemas/Wide0"}}}}}}}},
                "responses": {{"200": {{"description": "OK", "content": {{"application/json": {{"schema": {{"$ref": "#/components/schemas/Node"}}}}}}}}}}}}}}"##,
                pad = "Lorem ipsum dolor sit amet. ".repeat(70)
            ));
    }
    let mut schemas = vec![r##""Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}"##.to_string()];
    for level in 0..10 {
        let props: Vec<String> = (0..20)
            .map(|p| {
                format!(
                    r##""p{p}": {{"$ref": "#/components/schemas/Wide{}"}}"##,
                    level + 1
                )
            })
            .collect();
        schemas.push(format!(
            r#""Wide{level}": {{"type": "object", "properties": {{{}}}}}"#,
            props.join(",")
        ));
    }
    schemas.push(r#""Wide10": {"type": "string"}"#.to_string());
    format!(
        r#"{{"openapi": "3.0.0", "info": {{"title": "Huge", "version": "1"}}, "paths": {{{}}}, "components": {{"schemas": {{{}}}}}}}"#,
        paths.join(","),
        schemas.join(",")
    )
}

#[test]
fn huge_recursive_spec_renders_quickly() {
    let text = huge_spec_json(2000);
    assert!(text.len() > 4_000_000, "{}", text.len());
    let started = Instant::now();
    let spec = parse_api_spec(&text, SpecFormat::Json).expect("spec");
    eprintln!(
        "{} bytes, 2000 operations rendered in {:?} ({} bytes of Markdown)",
        text.len(),
        started.elapsed(),
        spec.markdown.len()
    );
    assert_eq!(spec.operation_count, 2000);
    assert_eq!(spec.markdown.matches("\n## POST ").count(), 2000);
    assert!(spec.markdown.contains("*(schema truncated)*"));
    assert!(spec.markdown.contains("*(recursive: Node)*"));
    let per_operation = spec.markdown.len() / 2000;
    assert!(per_operation < 20_000, "{per_operation}");
}

#[test]
fn huge_yaml_spec_parses() {
    let mut yaml = String::from("openapi: 3.1.0\ninfo:\n  title: Big\n  version: '1'\npaths:\n");
    for i in 0..3000 {
        yaml.push_str(&format!(
                "  /items{i}:\n    get:\n      summary: Item {i}\n      description: {}\n      responses:\n        '200':\n          description: OK\n",
                "Some words here. ".repeat(10)
            ));
    }
    let started = Instant::now();
    let spec = parse_api_spec(&yaml, SpecFormat::Yaml).expect("spec");
    eprintln!(
        "{} bytes of YAML rendered in {:?}",
        yaml.len(),
        started.elapsed()
    );
    assert_eq!(spec.operation_count, 3000);
}

#[test]
fn yaml_aliases_that_expand_past_the_limit_are_not_loaded() {
    let anchored = format!(
        "openapi: 3.0.0\ninfo: {{title: t, version: '1'}}\npaths: {{}}\nx-a: &a \"{}\"\nx-b: [{}]\n",
        "A".repeat(100_000),
        vec!["*a"; 200].join(",")
    );
    assert!(alias_expansion_exceeds(&anchored, 10_000_000));
    assert!(!alias_expansion_exceeds(&anchored, 30_000_000));
    // Nested aliases multiply: each level doubles the one below.
    let mut laughs = String::from("a0: &a0 [\"lol\"]\n");
    for level in 1..40 {
        let below = level - 1;
        laughs.push_str(&format!("a{level}: &a{level} [*a{below}, *a{below}]\n"));
    }
    assert!(alias_expansion_exceeds(
        &laughs,
        yaml_expansion_limit(&laughs)
    ));
    assert!(parse_api_spec(&laughs, SpecFormat::Yaml).is_none());
    // Ordinary reuse of a schema through an anchor loads.
    let reuse = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: &ok {'200': {description: fine}}\n  /b:\n    get:\n      responses: *ok\n";
    assert!(!alias_expansion_exceeds(reuse, yaml_expansion_limit(reuse)));
    assert!(parse_api_spec(reuse, SpecFormat::Yaml).is_some());
}

#[test]
fn schemas_stop_expanding_once_the_rendering_outgrows_the_spec() {
    let props: serde_json::Map<String, serde_json::Value> = (0..50)
        .map(|i| {
            (
                format!("p{i}"),
                serde_json::json!({"type": "string", "description": "d".repeat(20)}),
            )
        })
        .collect();
    let ok = serde_json::json!({"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/S"}}}}});
    let paths: serde_json::Map<String, serde_json::Value> = (0..20_000)
        .map(|i| {
            (
                format!("/x{i}"),
                serde_json::json!({"get": {"summary": format!("op {i}"), "responses": ok}}),
            )
        })
        .collect();
    let spec = serde_json::json!({"openapi": "3.0.0", "info": {"title": "wide", "version": "1"},
        "paths": paths, "components": {"schemas": {"S": {"type": "object", "properties": props}}}})
    .to_string();
    let rendered = parse_api_spec(&spec, SpecFormat::Json).expect("spec");
    assert_eq!(rendered.operation_count, 20_000);
    assert!(rendered.markdown.contains("## GET /x19999"));
    // Early operations show the schema's members, the last ones only its name.
    assert!(section(&rendered.markdown, "## GET /x0").contains("p49"));
    assert!(!section(&rendered.markdown, "## GET /x19999").contains("p49"));
    // With every schema expanded it would be about ten times the spec.
    assert!(
        rendered.markdown.len() < 2 * spec.len(),
        "{} vs {}",
        rendered.markdown.len(),
        spec.len()
    );
}
