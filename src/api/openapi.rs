//! The OpenAPI 3 document, generated from the handlers' annotations and the wire types.

use actix_web::HttpResponse;
use utoipa::{Modify, OpenApi};

use crate::model::*;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "docscrape",
        description = "Crawls an application's online documentation as background jobs and keeps it, cleaned to Markdown and cut into token-counted chunks, for later steps such as schema extraction.\n\nA client creates a session, starts a scrape job in it, polls the job's status, then reads the saved documentation. Routes tagged `operator` are additions of this implementation (the dashboard's views, export and metrics).\n\nWhen the server runs with `--api-token`, every `/api/v1` route and `/metrics` need `Authorization: Bearer <token>` (or `X-API-Key: <token>`) and answer 401 without it; `/health`, `/openapi.json`, the dashboard page `/` and this reference `/docs` stay open."
    ),
    modifiers(&TokenSecurity),
    tags(
        (name = "session", description = "Sessions: the unit of work of a client, owning jobs, saved pages and chunks."),
        (name = "scrape", description = "Scrape jobs: start a crawl in the background, poll it, cancel it."),
        (name = "documentation", description = "What the crawls saved, as documentation bundles of token-counted Markdown chunks."),
        (name = "operator", description = "Additions of this implementation for the people running it: the dashboard's views, export and metrics."),
        (name = "web", description = "Pages for people (the dashboard, this reference) and the OpenAPI document itself."),
        (name = "health", description = "Liveness.")
    ),
    paths(
        super::health::health,
        super::sessions::create,
        super::sessions::list,
        super::sessions::create_with_id,
        super::sessions::get,
        super::sessions::head,
        super::sessions::delete,
        super::sessions::jobs,
        super::scrape::start,
        super::scrape::status,
        super::scrape::cancel,
        super::documentation::list,
        super::documentation::get,
        super::uploads::head,
        super::uploads::status,
        super::documentation::delete_all,
        super::documentation::delete_one,
        super::uploads::upload_new,
        super::uploads::upload_into,
        super::uploads::replace_all,
        super::uploads::import,
        super::export::export,
        super::pages::list,
        super::pages::get,
        super::pages::activity,
        super::monitor::metrics,
        super::dashboard::index,
        super::dashboard::docs,
        super::dashboard::asset,
        serve,
    ),
    components(schemas(
        Message,
        SessionCreated,
        SessionInfo,
        SessionList,
        SessionListItem,
        SessionDeleted,
        SessionJobs,
        JobListItem,
        JobCreated,
        ScrapeRequestDoc,
        JobStatus,
        Progress,
        JobResult,
        SavedPage,
        TemplateRemoved,
        DocBundle,
        DocChunk,
        ChunkMetadata,
        DocumentationDeleted,
        UploadStatus,
        UploadJobItem,
        UploadQueued,
        UploadForm,
        DocumentImportDoc,
        ChunkImportDoc,
        DocumentImported,
        PageSummary,
        PageList,
        ChunkSummary,
        PageDetail,
        FailedUrl,
        JobActivity,
        ErrorDetail,
        ValidationProblem,
        ValidationErrorDetail,
        ExportFormat
    ))
)]
pub struct ApiDoc;

/// Declares the optional API token, so that the reference shows how to send it.
struct TokenSecurity;

impl Modify for TokenSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearerToken",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The server's --api-token, when it has one"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "apiKeyHeader",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-Key",
                "The server's --api-token, as clients of the original service send it",
            ))),
        );
        // Either header, or none when the server runs without a token.
        openapi.security = Some(vec![
            SecurityRequirement::new("bearerToken", Vec::<String>::new()),
            SecurityRequirement::new("apiKeyHeader", Vec::<String>::new()),
            SecurityRequirement::default(),
        ]);
    }
}

#[utoipa::path(get, path = "/openapi.json", operation_id = "openapi", tag = "web",
    summary = "This document",
    description = "The OpenAPI 3.1 document of the whole API, generated from the code.",
    responses((status = 200, description = "The OpenAPI document",
        content((Object = "application/json", example = json!({"openapi": "3.1.0", "info": {"title": "docscrape"}}))))))]
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    /// Follows a local `$ref` (`#/components/schemas/X`).
    fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => reference
                .strip_prefix("#/")
                .map(|path| path.split('/').fold(document, |node, key| &node[key]))
                .unwrap_or(&Value::Null),
            None => schema,
        }
    }

    /// Whether a property's schema is (an optional) reference to another component, an
    /// array or a map of them: the component documents its own fields and examples.
    fn is_composite(schema: &Value) -> bool {
        if schema.get("$ref").is_some() {
            return true;
        }
        if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
            return options.iter().any(is_composite);
        }
        if let Some(items) = schema.get("items") {
            return is_composite(items);
        }
        schema
            .get("additionalProperties")
            .is_some_and(|values| values.is_object() && is_composite(values))
    }

    fn has_text(node: &Value, key: &str) -> bool {
        node.get(key)
            .and_then(Value::as_str)
            .is_some_and(|text| !text.trim().is_empty())
    }

    /// Every operation, parameter, response, schema and field of /openapi.json says what
    /// it is, and every field and parameter has an example.
    #[test]
    fn every_route_field_and_parameter_is_described_with_an_example() {
        let document = serde_json::to_value(ApiDoc::openapi()).expect("document");
        let mut missing = Vec::new();
        for (path, item) in document["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("path item") {
                let at = format!("{} {path}", method.to_uppercase());
                if !has_text(operation, "summary") {
                    missing.push(format!("{at}: summary"));
                }
                if !has_text(operation, "description") {
                    missing.push(format!("{at}: description"));
                }
                for parameter in operation["parameters"].as_array().into_iter().flatten() {
                    let name = parameter["name"].as_str().unwrap_or("?");
                    if !has_text(parameter, "description") {
                        missing.push(format!("{at}: parameter {name} description"));
                    }
                    if parameter.get("example").is_none()
                        && parameter["schema"].get("example").is_none()
                    {
                        missing.push(format!("{at}: parameter {name} example"));
                    }
                }
                for (status, response) in operation["responses"].as_object().expect("responses") {
                    if !has_text(response, "description") {
                        missing.push(format!("{at}: response {status} description"));
                    }
                    let declares_body =
                        !matches!(status.as_str(), "202" | "204" | "304") && method != "head";
                    if declares_body && response.get("content").is_none() {
                        missing.push(format!("{at}: response {status} body"));
                    }
                }
                if let Some(body) = operation.get("requestBody") {
                    if !has_text(body, "description") {
                        missing.push(format!("{at}: request body description"));
                    }
                }
            }
        }
        for (name, schema) in document["components"]["schemas"]
            .as_object()
            .expect("schemas")
        {
            let schema = resolve(&document, schema);
            if !has_text(schema, "description") {
                missing.push(format!("schema {name}: description"));
            }
            for (field, property) in schema["properties"].as_object().into_iter().flatten() {
                if !has_text(property, "description") {
                    missing.push(format!("schema {name}.{field}: description"));
                }
                let has_example =
                    property.get("example").is_some() || property.get("examples").is_some();
                if !has_example && !is_composite(property) {
                    missing.push(format!("schema {name}.{field}: example"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "/openapi.json lacks {} item(s):\n{}",
            missing.len(),
            missing.join("\n")
        );
    }

    /// A field of an answer documented as optional is omitted, never `null`, unless it is
    /// `summary` (and a refused `input`, which is any JSON value). Request bodies are
    /// left out: an import accepts `null` for its optional fields.
    #[test]
    fn only_summary_is_nullable() {
        let document = serde_json::to_value(ApiDoc::openapi()).expect("document");
        let mut schemas = document["components"]["schemas"].clone();
        let schemas = schemas.as_object_mut().expect("schemas");
        for request_body in ["DocumentImportDoc", "ChunkImportDoc"] {
            assert!(schemas.remove(request_body).is_some(), "{request_body}");
        }
        let text = serde_json::to_string(schemas).expect("text");
        let nullable = text.matches("\"null\"").count();
        assert_eq!(nullable, 1, "only DocChunk.summary may be null: {text}");
        assert!(
            document["components"]["schemas"]["DocChunk"]["properties"]["summary"]
                .to_string()
                .contains("null")
        );
    }
}
