//! Prometheus metrics of the process: what the crawler fetched, failed, downloaded and
//! saved, how long jobs took, and what the HTTP API answered. Label values come from
//! fixed sets (failure classes, finish reasons, route patterns, methods, status codes),
//! so the number of series stays bounded whatever the crawled sites or the clients do.
//!
//! The figures are process-wide counters, recorded with one call where the event
//! happens; `GET /metrics` renders them in the Prometheus text format, adding the job
//! gauges read from the database at that moment.

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

/// Classes of page failures: the `reason` label of `docscrape_pages_failed_total`.
pub const FAILURE_CLASSES: &[&str] = &[
    "http_4xx",
    "http_5xx",
    "http_other",
    "timeout",
    "connection",
    "dns",
    "refused_address",
    "too_large",
    "unsupported_content",
    "redirect",
    "robots",
    "internal",
    "other",
];

struct Metrics {
    registry: Registry,
    pages_fetched: IntCounter,
    pages_failed: IntCounterVec,
    pages_skipped: IntCounter,
    bytes_downloaded: IntCounter,
    pages_saved: IntCounter,
    chunks_saved: IntCounter,
    tokens_saved: IntCounter,
    job_duration: HistogramVec,
    jobs: IntGaugeVec,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

impl Metrics {
    fn new() -> Metrics {
        let registry = Registry::new();
        let counter = |name: &str, help: &str| {
            let metric = IntCounter::new(name, help).expect("valid metric name");
            registry
                .register(Box::new(metric.clone()))
                .expect("registered once");
            metric
        };
        let counter_vec = |name: &str, help: &str, labels: &[&str]| {
            let metric = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
            registry
                .register(Box::new(metric.clone()))
                .expect("registered once");
            metric
        };
        let histogram_vec = |name: &str, help: &str, labels: &[&str], buckets: Vec<f64>| {
            let metric = HistogramVec::new(HistogramOpts::new(name, help).buckets(buckets), labels)
                .expect("valid metric");
            registry
                .register(Box::new(metric.clone()))
                .expect("registered once");
            metric
        };
        let jobs = IntGaugeVec::new(
            Opts::new(
                "docscrape_jobs",
                "Scrape jobs by state: running, or queued waiting for a worker",
            ),
            &["state"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(jobs.clone()))
            .expect("registered once");
        let metrics = Metrics {
            pages_fetched: counter(
                "docscrape_pages_fetched_total",
                "Pages fetched by crawl jobs (one per iteration of a job's budget), whatever the outcome",
            ),
            pages_failed: counter_vec(
                "docscrape_pages_failed_total",
                "Pages that failed, by class of reason",
                &["reason"],
            ),
            pages_skipped: counter(
                "docscrape_pages_skipped_total",
                "Links not fetched because robots.txt disallows them",
            ),
            bytes_downloaded: counter(
                "docscrape_downloaded_bytes_total",
                "Response body bytes received from crawled sites, as sent (before decompression)",
            ),
            pages_saved: counter(
                "docscrape_pages_saved_total",
                "Pages saved (new or changed content written with its chunks)",
            ),
            chunks_saved: counter("docscrape_chunks_saved_total", "Chunks saved"),
            tokens_saved: counter(
                "docscrape_tokens_saved_total",
                "cl100k_base tokens in the chunks saved",
            ),
            job_duration: histogram_vec(
                "docscrape_job_duration_seconds",
                "Wall time of scrape jobs run by this process, by how they ended",
                &["outcome"],
                vec![1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0],
            ),
            jobs,
            http_requests: counter_vec(
                "docscrape_http_requests_total",
                "HTTP requests answered, by method, route pattern and status code",
                &["method", "route", "status"],
            ),
            http_duration: histogram_vec(
                "docscrape_http_request_duration_seconds",
                "Time to answer an HTTP request (until the response starts), by method and route pattern",
                &["method", "route"],
                vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0],
            ),
            registry,
        };
        // Every class is listed from the start, so a rate() over a class that has not
        // failed yet reads 0 rather than no data.
        for class in FAILURE_CLASSES {
            metrics.pages_failed.with_label_values(&[class]);
        }
        for state in ["running", "queued"] {
            metrics.jobs.with_label_values(&[state]);
        }
        metrics
    }
}

/// A page fetched that could be saved (or was unchanged, or redirected to a known URL).
pub fn page_fetched() {
    METRICS.pages_fetched.inc();
}

/// A page that was fetched (or tried) and failed with `reason`.
pub fn page_failed(reason: &str) {
    METRICS.pages_fetched.inc();
    METRICS
        .pages_failed
        .with_label_values(&[failure_class(reason)])
        .inc();
}

/// A link skipped without a fetch (robots.txt).
pub fn page_skipped() {
    METRICS.pages_skipped.inc();
}

pub fn bytes_downloaded(bytes: usize) {
    METRICS.bytes_downloaded.inc_by(bytes as u64);
}

/// A page written with `chunks` chunks holding `tokens` tokens.
pub fn page_saved(chunks: usize, tokens: usize) {
    METRICS.pages_saved.inc();
    METRICS.chunks_saved.inc_by(chunks as u64);
    METRICS.tokens_saved.inc_by(tokens as u64);
}

/// A job this process ran has ended; `outcome` is its finish reason or `failed`.
pub fn job_ended(outcome: &str, took: Duration) {
    let outcome = match outcome {
        "no_more_links"
        | "max_iterations"
        | "completed"
        | "cancelled"
        | "reused_previous_session_data"
        | "failed" => outcome,
        _ => "other",
    };
    METRICS
        .job_duration
        .with_label_values(&[outcome])
        .observe(took.as_secs_f64());
}

/// The class of a page's one-line failure reason (see `FAILURE_CLASSES`).
pub fn failure_class(reason: &str) -> &'static str {
    let reason = reason.to_ascii_lowercase();
    if let Some(code) = reason
        .strip_prefix("http ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse::<u16>().ok())
    {
        return match code {
            400..=499 => "http_4xx",
            500..=599 => "http_5xx",
            _ => "http_other",
        };
    }
    let has = |needle: &str| reason.contains(needle);
    if has("robots.txt") {
        "robots"
    } else if has("refused to connect to") {
        "refused_address"
    } else if has("could not resolve") {
        "dns"
    } else if has("timed out") {
        "timeout"
    } else if has("larger than") || has("too large") {
        "too_large"
    } else if has("redirect") {
        "redirect"
    } else if has("unsupported content")
        || has("binary content")
        || has("no text content")
        || has("encoding")
    {
        "unsupported_content"
    } else if has("connection") || has("reset") || has("ended early") || has("chunked") {
        "connection"
    } else if has("internal error") || has("could not read the page cache") {
        "internal"
    } else {
        "other"
    }
}

/// Sets the job gauges, then renders every metric in the Prometheus text format.
pub fn render(running: i64, queued: i64) -> (String, String) {
    METRICS.jobs.with_label_values(&["running"]).set(running);
    METRICS.jobs.with_label_values(&["queued"]).set(queued);
    let encoder = TextEncoder::new();
    let mut out = Vec::new();
    if let Err(err) = encoder.encode(&METRICS.registry.gather(), &mut out) {
        log::error!("cannot render metrics: {err}");
    }
    (
        encoder.format_type().to_string(),
        String::from_utf8_lossy(&out).into_owned(),
    )
}

/// Middleware counting every answer by method, route pattern (`/api/v1/session/{session_id}`,
/// never the raw path) and status, with its latency.
pub async fn track_http(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = method_label(req.method());
    let response = next.call(req).await?;
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string());
    let status = response.status().as_u16().to_string();
    METRICS
        .http_requests
        .with_label_values(&[method, &route, &status])
        .inc();
    METRICS
        .http_duration
        .with_label_values(&[method, &route])
        .observe(started.elapsed().as_secs_f64());
    Ok(response)
}

/// Standard methods by name; anything else (a client can send any token) is `other`.
fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_reasons_fall_into_the_fixed_classes() {
        let cases = [
            ("HTTP 404 Not Found", "http_4xx"),
            ("HTTP 503 Service Unavailable", "http_5xx"),
            ("HTTP 302 Found without a usable Location", "http_other"),
            ("timed out after 30 s", "timeout"),
            ("connection timed out after 10 s", "timeout"),
            ("connection reset after 3 attempts", "connection"),
            ("connection refused", "connection"),
            ("response body ended early", "connection"),
            ("malformed chunked body", "connection"),
            ("could not resolve host docs.example", "dns"),
            (
                "refused to connect to 127.0.0.1 (loopback address; see --allow-private-networks)",
                "refused_address",
            ),
            ("body larger than 10 MiB", "too_large"),
            ("decompressed body larger than 10 MiB", "too_large"),
            ("response headers too large", "too_large"),
            (
                "unsupported content type application/octet-stream",
                "unsupported_content",
            ),
            ("binary content served as text/html", "unsupported_content"),
            ("no text content", "unsupported_content"),
            ("redirect loop", "redirect"),
            ("more than 10 redirects", "redirect"),
            ("redirected out of scope to https://x.example/", "redirect"),
            ("disallowed by robots.txt", "robots"),
            (
                "robots.txt unavailable (HTTP 503), so the site counts as disallowed",
                "robots",
            ),
            ("internal error while processing the page", "internal"),
            ("something new", "other"),
        ];
        for (reason, class) in cases {
            assert_eq!(failure_class(reason), class, "{reason}");
            assert!(FAILURE_CLASSES.contains(&class));
        }
    }

    #[test]
    fn unknown_job_outcomes_do_not_make_new_series() {
        job_ended("something odd", Duration::from_secs(1));
        let (_, text) = render(0, 0);
        assert!(text.contains("docscrape_job_duration_seconds_count{outcome=\"other\"}"));
        assert!(!text.contains("something odd"));
    }
}
