//! HTTP fetching: one shared reqwest client with the network policy, redirect and size
//! limits, timeouts and retries. Bodies are streamed and never buffered beyond the cap.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{
    HeaderMap, ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED, LOCATION, RETRY_AFTER,
};
use reqwest::{redirect, StatusCode};
use url::Url;

use super::decompress::{decompress, DecodeError};
use super::hosts::HostLimiter;
use super::netpolicy::{NetPolicy, PolicyResolver, Refused};
use super::scope::{host_key, normalize};
use crate::config::CrawlSettings;

pub const USER_AGENT: &str = concat!("docscrape/", env!("CARGO_PKG_VERSION"));
const ACCEPT_DOCS: &str = "text/html,application/xhtml+xml,text/markdown,text/plain;q=0.9,\
application/json,application/yaml,text/yaml;q=0.9,*/*;q=0.5";

#[derive(Debug, Clone)]
pub struct FetchConfig {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub max_body_bytes: u64,
    pub max_redirects: u32,
    pub max_attempts: u32,
    pub max_polite_delay: Duration,
}

impl FetchConfig {
    pub fn from_settings(settings: &CrawlSettings) -> Self {
        FetchConfig {
            connect_timeout: settings.connect_timeout(),
            request_timeout: settings.request_timeout(),
            max_body_bytes: settings.max_body_bytes,
            max_redirects: settings.max_redirects,
            max_attempts: settings.max_attempts,
            max_polite_delay: settings.max_polite_delay(),
        }
    }
}

/// What a conditional request sends: the validators of an earlier copy.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A response that arrived whole (any status; the caller decides what a 404 means).
#[derive(Debug, Clone)]
pub struct Fetched {
    pub final_url: Url,
    pub status: u16,
    /// Lowercase MIME essence (`text/html`), empty when the server sent none.
    pub mime: String,
    pub charset: Option<String>,
    pub body: Vec<u8>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Why a fetch failed; `Display` is the one-line reason users see.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    #[error("redirect loop")]
    RedirectLoop,
    #[error("more than {0} redirects")]
    TooManyRedirects(u32),
    #[error("body larger than {}", human_bytes(*.0))]
    TooLarge(u64),
    #[error("decompressed body larger than {}", human_bytes(*.0))]
    DecompressedTooLarge(u64),
    #[error("invalid {0} encoding of the body")]
    BadEncoding(String),
    #[error("unsupported content encoding {0}")]
    UnsupportedEncoding(String),
    #[error("timed out after {0} s")]
    Timeout(u64),
    #[error("connection timed out after {0} s")]
    ConnectTimeout(u64),
    #[error("connection reset")]
    Reset,
    #[error("response body ended early")]
    Truncated,
    #[error("{0}")]
    BadResponse(&'static str),
    #[error("connection refused")]
    ConnectionRefused,
    #[error("{0}")]
    Blocked(Refused),
    #[error("could not resolve host {0}")]
    Dns(String),
    #[error("HTTP {0}")]
    Status(String),
    #[error("{0}")]
    Other(String),
}

impl FetchError {
    /// Failures worth another attempt: the server may recover in a moment.
    fn is_transient(&self) -> bool {
        matches!(
            self,
            FetchError::Reset
                | FetchError::Truncated
                | FetchError::ConnectionRefused
                | FetchError::ConnectTimeout(_)
        )
    }
}

pub fn human_bytes(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

pub struct Fetcher {
    client: reqwest::Client,
    config: FetchConfig,
    policy: Arc<NetPolicy>,
}

impl Fetcher {
    pub fn new(config: FetchConfig, policy: Arc<NetPolicy>) -> Result<Fetcher, reqwest::Error> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            // A proxy would connect on our behalf and skip the address check of the
            // resolver; the crawler always connects directly.
            .no_proxy()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            // Redirects are followed hop by hop by the caller, so that every hop passes the
            // address policy, robots.txt and the job's "never fetch twice" rule.
            .redirect(redirect::Policy::none())
            .dns_resolver(Arc::new(PolicyResolver {
                policy: policy.clone(),
            }))
            .build()?;
        Ok(Fetcher {
            client,
            config,
            policy,
        })
    }

    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// Fetches `url`, following redirects (checked for loops and the address policy),
    /// each hop holding a slot of its host in `hosts` and keeping `delay` between requests.
    /// Used for robots.txt and sitemaps; pages go hop by hop through `fetch_hop`.
    pub async fn fetch(
        &self,
        url: &Url,
        body_cap: u64,
        hosts: &HostLimiter,
        delay: Option<Duration>,
    ) -> Result<Fetched, FetchError> {
        let mut chain = RedirectChain::new(url, self.config.max_redirects);
        let mut current = url.clone();
        loop {
            let permit = hosts
                .acquire(&host_key(&current).unwrap_or_default(), delay)
                .await;
            let hop = self.fetch_hop(&current, body_cap, None).await;
            drop(permit);
            match hop? {
                Hop::Response(fetched) => return Ok(fetched),
                Hop::Redirect(next) => {
                    chain.follow(&next)?;
                    current = next;
                }
            }
        }
    }

    /// One request to `url`, with retries on connection errors, 5xx and 429 (honouring
    /// Retry-After up to the polite-delay cap). A redirect is returned, not followed; any
    /// other final status is returned as `Fetched`.
    /// With `validators`, the request is conditional and may answer 304 Not Modified.
    pub async fn fetch_hop(
        &self,
        url: &Url,
        body_cap: u64,
        validators: Option<&Validators>,
    ) -> Result<Hop, FetchError> {
        self.policy.check_url(url).map_err(FetchError::Blocked)?;
        let mut attempt = 1;
        loop {
            let outcome = self.fetch_once(url, body_cap, validators).await;
            let retry_after = match &outcome {
                Err(Retryable::Status(_, wait)) => Some(self.backoff(attempt, *wait)),
                Err(Retryable::Failed(err)) if err.is_transient() => {
                    Some(self.backoff(attempt, None))
                }
                _ => None,
            };
            match (retry_after, attempt < self.config.max_attempts) {
                (Some(wait), true) => {
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                _ => {
                    return match outcome {
                        Ok(hop) => Ok(hop),
                        Err(Retryable::Status(fetched, _)) => Ok(Hop::Response(*fetched)),
                        Err(Retryable::Failed(err)) if attempt > 1 && err.is_transient() => {
                            Err(FetchError::Other(format!("{err} after {attempt} attempts")))
                        }
                        Err(Retryable::Failed(err)) => Err(err),
                    };
                }
            }
        }
    }

    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exponential = Duration::from_millis(500 * 2u64.pow(attempt.saturating_sub(1).min(6)));
        retry_after
            .unwrap_or(exponential)
            .min(self.config.max_polite_delay)
    }

    async fn fetch_once(
        &self,
        url: &Url,
        body_cap: u64,
        validators: Option<&Validators>,
    ) -> Result<Hop, Retryable> {
        let mut request = self
            .client
            .get(url.clone())
            .header(ACCEPT, ACCEPT_DOCS)
            .header(ACCEPT_ENCODING, "gzip, deflate, br");
        if let Some(validators) = validators {
            if let Some(etag) = &validators.etag {
                request = request.header(IF_NONE_MATCH, etag);
            }
            if let Some(last_modified) = &validators.last_modified {
                request = request.header(IF_MODIFIED_SINCE, last_modified);
            }
        }
        let response = request
            .send()
            .await
            .map_err(|err| Retryable::Failed(self.classify(&err)))?;
        let status = response.status();
        let headers = response.headers().clone();
        if status.is_redirection() {
            if let Some(next) = redirect_target(url, &headers) {
                return Ok(Hop::Redirect(next));
            }
        }
        let final_url = response.url().clone();
        crate::faults::point(crate::faults::FETCH_BODY);
        let raw = read_capped(response, body_cap)
            .await
            .map_err(|err| Retryable::Failed(self.classify_body(err, body_cap)))?;
        crate::metrics::bytes_downloaded(raw.len());
        let body = decode_body(&headers, raw, body_cap)
            .await
            .map_err(Retryable::Failed)?;
        let (mime, charset) = content_type(&headers);
        let fetched = Fetched {
            final_url,
            status: status.as_u16(),
            mime,
            charset,
            body,
            etag: header_text(&headers, ETAG),
            last_modified: header_text(&headers, LAST_MODIFIED),
        };
        if should_retry_status(fetched.status) {
            let wait = retry_after(&headers);
            return Err(Retryable::Status(Box::new(fetched), wait));
        }
        Ok(Hop::Response(fetched))
    }

    fn classify(&self, err: &reqwest::Error) -> FetchError {
        classify_error(err, &self.config)
    }

    fn classify_body(&self, err: BodyError, cap: u64) -> FetchError {
        match err {
            BodyError::TooLarge => FetchError::TooLarge(cap),
            BodyError::Transfer(err) => self.classify(&err),
        }
    }
}

enum Retryable {
    /// A complete response whose status (5xx, 429) is worth retrying, with its Retry-After.
    Status(Box<Fetched>, Option<Duration>),
    Failed(FetchError),
}

fn should_retry_status(status: u16) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS.as_u16() || (500..600).contains(&status)
}

enum BodyError {
    TooLarge,
    Transfer(reqwest::Error),
}

async fn read_capped(response: reqwest::Response, cap: u64) -> Result<Vec<u8>, BodyError> {
    let claimed = response.content_length();
    read_stream_capped(response.bytes_stream(), claimed, cap)
        .await
        .map_err(|err| match err {
            StreamError::TooLarge => BodyError::TooLarge,
            StreamError::Transfer(err) => BodyError::Transfer(err),
        })
}

/// Memory reserved for a body before its bytes arrive, whatever length the server claims:
/// a claim costs nothing until the bytes come (the buffer grows with them).
const FIRST_BODY_RESERVATION: u64 = 64 * 1024;

enum StreamError<E> {
    TooLarge,
    Transfer(E),
}

/// Reads a body of at most `cap` bytes. A claimed length over the cap is refused at
/// once; one under it reserves at most `FIRST_BODY_RESERVATION`.
async fn read_stream_capped<B: AsRef<[u8]>, E>(
    mut stream: impl futures_util::Stream<Item = Result<B, E>> + Unpin,
    claimed: Option<u64>,
    cap: u64,
) -> Result<Vec<u8>, StreamError<E>> {
    if claimed.is_some_and(|len| len > cap) {
        return Err(StreamError::TooLarge);
    }
    let reserve = claimed.unwrap_or(0).min(cap).min(FIRST_BODY_RESERVATION);
    let mut body = Vec::with_capacity(reserve as usize);
    while let Some(piece) = stream.next().await {
        let piece = piece.map_err(StreamError::Transfer)?;
        let piece = piece.as_ref();
        if body.len() as u64 + piece.len() as u64 > cap {
            return Err(StreamError::TooLarge);
        }
        body.extend_from_slice(piece);
    }
    Ok(body)
}

/// The result of one request: a response, or where it redirects to.
#[derive(Debug)]
pub enum Hop {
    Response(Fetched),
    Redirect(Url),
}

/// The hops of one redirect chain, to stop loops and over-long chains.
pub struct RedirectChain {
    seen: Vec<Url>,
    max_redirects: u32,
}

impl RedirectChain {
    pub fn new(start: &Url, max_redirects: u32) -> Self {
        RedirectChain {
            seen: normalize(start).into_iter().collect(),
            max_redirects,
        }
    }

    /// Records a hop to `next`, or says why it must not be followed.
    pub fn follow(&mut self, next: &Url) -> Result<(), FetchError> {
        let next = normalize(next)
            .ok_or_else(|| FetchError::Other(format!("redirect to a non-http URL {next}")))?;
        if self.seen.contains(&next) {
            return Err(FetchError::RedirectLoop);
        }
        if self.seen.len() > self.max_redirects as usize {
            return Err(FetchError::TooManyRedirects(self.max_redirects));
        }
        self.seen.push(next);
        Ok(())
    }
}

fn redirect_target(base: &Url, headers: &HeaderMap) -> Option<Url> {
    let location = headers.get(LOCATION)?.to_str().ok()?;
    base.join(location.trim()).ok()
}

/// Undoes Content-Encoding ourselves so that a decompression bomb is named as one and
/// stopped at the cap. Runs on the blocking pool: inflating megabytes is CPU work.
async fn decode_body(headers: &HeaderMap, raw: Vec<u8>, cap: u64) -> Result<Vec<u8>, FetchError> {
    let encoding = headers
        .get(CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if encoding.is_empty() || encoding == "identity" {
        return Ok(raw);
    }
    let name = encoding.clone();
    let decoded = tokio::task::spawn_blocking(move || decompress(&name, &raw, cap))
        .await
        .map_err(|err| FetchError::Other(format!("decompression failed: {err}")))?;
    decoded.map_err(|err| match err {
        DecodeError::TooLarge => FetchError::DecompressedTooLarge(cap),
        DecodeError::Invalid => FetchError::BadEncoding(encoding),
        DecodeError::Unsupported => FetchError::UnsupportedEncoding(encoding),
    })
}

/// Turns a reqwest error into the reason a person understands, looking through its causes
/// for our own markers and for the OS error kind.
fn classify_error(err: &reqwest::Error, config: &FetchConfig) -> FetchError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<Refused>() {
            return FetchError::Blocked(refused.clone());
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            match io.kind() {
                // reqwest wraps a body error in a decode error while streaming.
                UnexpectedEof if err.is_body() || err.is_decode() => return FetchError::Truncated,
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => {
                    return FetchError::Reset
                }
                ConnectionRefused => return FetchError::ConnectionRefused,
                _ => {}
            }
        }
        source = cause.source();
    }
    if err.is_timeout() {
        return if err.is_connect() {
            FetchError::ConnectTimeout(config.connect_timeout.as_secs())
        } else {
            FetchError::Timeout(config.request_timeout.as_secs())
        };
    }
    let text = error_chain_text(err);
    if let Some(reason) = malformed_response(&text) {
        return FetchError::BadResponse(reason);
    }
    let lower = text.to_ascii_lowercase();
    let cut_short = [
        "incompletemessage",
        "incompletebody",
        "end of file before message length",
        "unexpected eof",
    ];
    if (err.is_body() || err.is_decode()) && cut_short.iter().any(|needle| lower.contains(needle)) {
        return FetchError::Truncated;
    }
    if err.is_connect() && text.contains("dns error") {
        let host = err
            .url()
            .and_then(|u| u.host_str())
            .unwrap_or("?")
            .to_string();
        return FetchError::Dns(host);
    }
    if text.contains("connection closed")
        || text.contains("reset")
        || text.contains("IncompleteMessage")
    {
        return FetchError::Reset;
    }
    FetchError::Other(text)
}

/// A one-line reason for the ways a server breaks HTTP itself, from hyper's error text.
fn malformed_response(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    [
        ("message head is too large", "response headers too large"),
        ("invalid chunk size", "malformed chunked body"),
        ("chunk size line", "malformed chunked body"),
        ("invalid http header", "invalid HTTP response headers"),
        ("invalid header", "invalid HTTP response headers"),
        ("invalid http version", "not an HTTP response"),
        ("invalid status", "invalid HTTP status line"),
    ]
    .iter()
    .find(|(needle, _)| lower.contains(needle))
    .map(|(_, reason)| *reason)
}

fn error_chain_text(err: &reqwest::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    // One line: the last cause is usually the most specific.
    parts.join(": ").replace('\n', " ")
}

fn content_type(headers: &HeaderMap) -> (String, Option<String>) {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return (String::new(), None);
    };
    let mut parts = value.split(';');
    let mime = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts.find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').to_string())
    });
    (mime, charset)
}

fn header_text(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Retry-After in seconds (HTTP dates are rare for 429/503 and treated as absent).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_http_reads_as_what_the_server_did() {
        let cases = [
            (
                "client error (SendRequest): message head is too large",
                Some("response headers too large"),
            ),
            (
                "error decoding response body: Invalid chunk size line: missing size digit",
                Some("malformed chunked body"),
            ),
            (
                "client error (SendRequest): invalid HTTP header parsed",
                Some("invalid HTTP response headers"),
            ),
            ("operation timed out", None),
        ];
        for (text, reason) in cases {
            assert_eq!(malformed_response(text), reason, "{text}");
        }
    }

    #[test]
    fn content_type_splits_mime_and_charset() {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            "Text/HTML; Charset=\"ISO-8859-1\"".parse().expect("header"),
        );
        assert_eq!(
            content_type(&headers),
            ("text/html".to_string(), Some("ISO-8859-1".to_string()))
        );
        assert_eq!(content_type(&HeaderMap::new()), (String::new(), None));
    }

    #[test]
    fn a_claimed_length_reserves_little_until_the_bytes_come() {
        use futures_util::FutureExt;
        let pieces = |n: usize| {
            futures_util::stream::iter((0..n).map(|_| Ok::<_, ()>(b"0123456789".as_slice())))
        };
        let cap = 10 * 1024 * 1024;
        let claimed_all = read_stream_capped(pieces(3), Some(cap), cap)
            .now_or_never()
            .expect("ready");
        let Ok(body) = claimed_all else {
            panic!("a short body under its claim is read");
        };
        assert_eq!(body.len(), 30);
        assert!(
            body.capacity() <= FIRST_BODY_RESERVATION as usize,
            "{}",
            body.capacity()
        );

        let over = read_stream_capped(pieces(1), Some(cap + 1), cap).now_or_never();
        assert!(matches!(over, Some(Err(StreamError::TooLarge))));
        let grown = read_stream_capped(pieces(20), None, 100).now_or_never();
        assert!(matches!(grown, Some(Err(StreamError::TooLarge))));
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_bytes(10 * 1024 * 1024), "10 MiB");
        assert_eq!(
            FetchError::TooLarge(10 * 1024 * 1024).to_string(),
            "body larger than 10 MiB"
        );
        assert_eq!(human_bytes(1000), "1000 bytes");
    }
}
