//! The dashboard at `/` and the API reference at `/docs`: HTML, CSS and JavaScript built
//! into the binary (nothing fetched from elsewhere, so both work offline). The pages are
//! open like `/openapi.json`; the data they show comes from `/api/v1`, which asks for the
//! token when one is set.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::ApiError;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

/// Everything served under `/assets/`.
const ASSETS: &[Asset] = &[
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../assets/dashboard/app.js"),
    },
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../assets/dashboard/app.css"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("../../assets/dashboard/favicon.svg"),
    },
    Asset {
        name: "marked.umd.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../assets/vendor/marked.umd.js"),
    },
    Asset {
        name: "purify.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../assets/vendor/purify.min.js"),
    },
    Asset {
        name: "redoc.standalone.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../assets/vendor/redoc.standalone.js"),
    },
    Asset {
        name: "docs.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../assets/docs/docs.css"),
    },
];

const DASHBOARD_HTML: &[u8] = include_bytes!("../../assets/dashboard/index.html");
const DOCS_HTML: &[u8] = include_bytes!("../../assets/docs/index.html");

/// The dashboard runs only its own scripts and talks only to this server; crawled
/// content it shows cannot load anything from elsewhere either (images are not fetched).
const DASHBOARD_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// Redoc styles itself inline and searches in a worker made from a blob.
const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; base-uri 'none'; \
form-action 'none'; frame-ancestors 'none'";

/// Entity tags, so that a reload revalidates cheaply instead of downloading Redoc again.
static ETAGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| fingerprint(asset.body))
        .chain([fingerprint(DASHBOARD_HTML), fingerprint(DOCS_HTML)])
        .collect()
});

/// FNV-1a of the bytes: tells two builds' files apart.
fn fingerprint(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("\"{hash:016x}\"")
}

fn respond(
    req: &HttpRequest,
    body: &'static [u8],
    content_type: &str,
    etag: &str,
    policy: Option<&str>,
) -> HttpResponse {
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|presented| presented.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag.to_string()))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    if let Some(policy) = policy {
        response.insert_header((header::CONTENT_SECURITY_POLICY, policy));
    }
    if fresh {
        return response.finish();
    }
    response.content_type(content_type).body(body)
}

#[utoipa::path(get, path = "/", operation_id = "dashboard", tag = "web",
    summary = "The dashboard",
    description = "A web page to start scrapes, watch their progress, and read the saved pages (rendered Markdown and chunks). It asks for the API token when the server has one and keeps it in the browser tab.",
    responses((status = 200, description = "The dashboard page",
        content((String = "text/html", example = json!("<!DOCTYPE html><html lang=\"en\">…</html>"))))))]
pub async fn index(req: HttpRequest) -> HttpResponse {
    let etag = &ETAGS[ASSETS.len()];
    respond(
        &req,
        DASHBOARD_HTML,
        "text/html; charset=utf-8",
        etag,
        Some(DASHBOARD_POLICY),
    )
}

#[utoipa::path(get, path = "/docs", operation_id = "api_reference", tag = "web",
    summary = "The API reference",
    description = "This document, /openapi.json, rendered as a readable page (Redoc, built in).",
    responses((status = 200, description = "The API reference page",
        content((String = "text/html", example = json!("<!DOCTYPE html><html lang=\"en\">…</html>"))))))]
pub async fn docs(req: HttpRequest) -> HttpResponse {
    let etag = &ETAGS[ASSETS.len() + 1];
    respond(
        &req,
        DOCS_HTML,
        "text/html; charset=utf-8",
        etag,
        Some(DOCS_POLICY),
    )
}

#[utoipa::path(get, path = "/assets/{name}", operation_id = "dashboard_asset", tag = "web",
    summary = "A file of the dashboard or the API reference",
    description = "The scripts, styles and icon the two pages load; answered with an ETag so that a reload revalidates instead of downloading again.",
    params(("name" = String, Path, description = "File name: app.js, app.css, favicon.svg, marked.umd.js, purify.min.js, redoc.standalone.js or docs.css", example = "app.js")),
    responses((status = 200, description = "The file",
        content((String = "text/javascript", example = json!("'use strict';")), (String = "text/css", example = json!("body { margin: 0; }")), (String = "image/svg+xml", example = json!("<svg …/>")))),
        (status = 304, description = "The copy the client has is current"),
        (status = 404, body = crate::model::ErrorDetail, description = "No such file")))]
pub async fn asset(req: HttpRequest, name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let index = ASSETS
        .iter()
        .position(|asset| asset.name == name.as_str())
        .ok_or_else(|| ApiError::NotFound("Not Found".to_string()))?;
    let asset = &ASSETS[index];
    Ok(respond(
        &req,
        asset.body,
        asset.content_type,
        &ETAGS[index],
        None,
    ))
}
