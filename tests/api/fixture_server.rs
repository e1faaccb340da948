//! A real HTTP server on loopback serving a fixture site from `tests/fixtures/`, plus a
//! few dynamic routes (a redirect, a generated site of any size, slow answers). It records
//! every path requested so tests can check what the crawler fetched.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

#[derive(Clone, Default)]
pub struct SiteOptions {
    /// Folder under `tests/fixtures/` to serve.
    pub site: &'static str,
    /// Pause before every answer but robots.txt.
    pub delay: Duration,
    /// Serve `/gen/{n}.html` for n < this: a tree where page n links to 3n+1..=3n+3.
    pub generated_pages: usize,
    /// Links per generated page instead of 3 (page n links to n*k+1..=n*k+k).
    pub generated_fanout: usize,
    /// Generated pages open their article with this site banner, in no landmark: a
    /// template only the pages themselves can teach.
    pub generated_banner: Option<&'static str>,
    /// Serve `/sitemap.xml` as an index of sitemaps (50,000 URLs each, every other one
    /// gzipped) listing `/gen/{n}.html` for n < this, generated on each request.
    pub sitemap_pages: usize,
    /// Serve `/text/{n}.txt` for n < this: plain text of `text_page_bytes`, slow to chunk.
    pub text_pages: usize,
    pub text_page_bytes: usize,
}

/// URLs per generated sitemap file, the sitemap protocol's maximum.
const SITEMAP_FILE_URLS: usize = 50_000;

pub struct FixtureServer {
    pub base: String,
    hits: Arc<Mutex<Vec<String>>>,
    not_modified: Arc<AtomicUsize>,
    in_flight: Arc<InFlight>,
    handle: ServerHandle,
}

/// Requests being answered now, and the most there ever were at once.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    most: AtomicUsize,
}

/// Counts one request as in flight until dropped.
struct Answering(Arc<InFlight>);

impl Answering {
    fn start(in_flight: &Arc<InFlight>) -> Answering {
        let now = in_flight.now.fetch_add(1, Ordering::SeqCst) + 1;
        in_flight.most.fetch_max(now, Ordering::SeqCst);
        Answering(in_flight.clone())
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}

struct SiteState {
    root: PathBuf,
    options: SiteOptions,
    hits: Arc<Mutex<Vec<String>>>,
    not_modified: Arc<AtomicUsize>,
    in_flight: Arc<InFlight>,
}

impl FixtureServer {
    pub fn start(options: SiteOptions) -> FixtureServer {
        let hits = Arc::new(Mutex::new(Vec::new()));
        let not_modified = Arc::new(AtomicUsize::new(0));
        let in_flight = Arc::new(InFlight::default());
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(options.site);
        let state = web::Data::new(SiteState {
            root,
            options,
            hits: hits.clone(),
            not_modified: not_modified.clone(),
            in_flight: in_flight.clone(),
        });
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let system = actix_rt::System::new();
            system.block_on(async move {
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(state.clone())
                        .default_service(web::to(serve))
                })
                .workers(2)
                .bind(("127.0.0.1", 0))
                .expect("bind fixture server");
                let port = server.addrs()[0].port();
                let server = server.run();
                sender.send((port, server.handle())).expect("send port");
                let _ = server.await;
            });
        });
        let (port, handle) = receiver.recv().expect("fixture server started");
        FixtureServer {
            base: format!("http://127.0.0.1:{port}"),
            hits,
            not_modified,
            in_flight,
            handle,
        }
    }

    /// Serves `tests/fixtures/<site>` with no delay and no generated pages.
    pub fn site(site: &'static str) -> FixtureServer {
        FixtureServer::start(SiteOptions {
            site,
            ..Default::default()
        })
    }

    /// The absolute URLs of `paths` on this server.
    pub fn urls(&self, paths: &[&str]) -> std::collections::BTreeSet<String> {
        paths.iter().map(|path| self.url(path)).collect()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// How many requests were answered 304 Not Modified.
    pub fn not_modified(&self) -> usize {
        self.not_modified.load(Ordering::SeqCst)
    }

    /// The most requests this server was answering at the same time.
    pub fn most_in_flight(&self) -> usize {
        self.in_flight.most.load(Ordering::SeqCst)
    }

    /// Every path requested so far, in order.
    pub fn hits(&self) -> Vec<String> {
        self.hits.lock().expect("hits").clone()
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        std::thread::spawn(move || actix_rt::System::new().block_on(handle.stop(false)));
    }
}

async fn serve(req: HttpRequest, state: web::Data<SiteState>) -> HttpResponse {
    let path = req.path().to_string();
    state.hits.lock().expect("hits").push(path.clone());
    let _answering = Answering::start(&state.in_flight);
    if path != "/robots.txt" && !state.options.delay.is_zero() {
        tokio::time::sleep(state.options.delay).await;
    }
    if path == "/to-private" {
        // An allowed host sending the crawler on to another loopback address.
        let location = format!("http://127.0.0.2:{}/guide/", port_asked_for(&req));
        return HttpResponse::Found()
            .insert_header(("Location", location))
            .finish();
    }
    if let Some(rest) = path.strip_prefix("/moved-to-ip/") {
        // A site whose name forwards to another host: `localhost` sends the crawler on to
        // the same path on `127.0.0.1`, a host of its own for the crawl's scope.
        let location = format!("http://127.0.0.1:{}/{rest}", port_asked_for(&req));
        return HttpResponse::Found()
            .insert_header(("Location", location))
            .finish();
    }
    if path == "/old-guide" {
        return HttpResponse::MovedPermanently()
            .insert_header(("Location", "/guide/"))
            .finish();
    }
    if let Some(answer) = generated_discovery(&req, &path, &state.options) {
        return answer;
    }
    if let Some(page) = path
        .strip_prefix("/gen/")
        .and_then(|p| p.strip_suffix(".html"))
    {
        if let Ok(n) = page.parse::<usize>() {
            if n < state.options.generated_pages {
                let fanout = match state.options.generated_fanout {
                    0 => 3,
                    fanout => fanout,
                };
                let banner = state.options.generated_banner;
                return generated_page(n, state.options.generated_pages, fanout, banner);
            }
        }
    }
    let relative = path.trim_start_matches('/');
    let mut file = state.root.join(relative);
    if path.ends_with('/') {
        file = file.join("index.html");
    }
    if relative.contains("..") {
        return HttpResponse::NotFound().body("not found");
    }
    match std::fs::read(&file) {
        Ok(body) => {
            // Discovery files need absolute URLs; `{{BASE}}` stands for this server.
            let body = match file.extension().and_then(|e| e.to_str()) {
                Some("txt" | "xml") => String::from_utf8_lossy(&body)
                    .replace("{{BASE}}", &base_url(&req))
                    .into_bytes(),
                _ => body,
            };
            // A content-derived ETag, so that re-crawls can be answered 304.
            let etag = format!("\"{:016x}\"", fingerprint(&body));
            let presented = req
                .headers()
                .get("If-None-Match")
                .and_then(|v| v.to_str().ok());
            if presented == Some(etag.as_str()) {
                state.not_modified.fetch_add(1, Ordering::SeqCst);
                return HttpResponse::NotModified()
                    .insert_header(("ETag", etag))
                    .finish();
            }
            HttpResponse::Ok()
                .content_type(content_type(&file))
                .insert_header(("ETag", etag))
                .body(body)
        }
        Err(_) => HttpResponse::NotFound()
            .content_type("text/html")
            .body("<h1>Not found</h1>"),
    }
}

/// The port the request was sent to, by its `Host`: this server's, under any host name.
fn port_asked_for(req: &HttpRequest) -> String {
    let host = req.connection_info().host().to_string();
    host.rsplit(':').next().unwrap_or("80").to_string()
}

fn content_type(file: &std::path::Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "yaml" | "yml" => "application/yaml",
        "png" => "image/png",
        "xml" => "application/xml",
        // Pages named like `/errors/404`, as many sites serve them.
        "" => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// FNV-1a: enough to tell fixture files apart.
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x100000001b3)
    })
}

fn base_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// The generated sitemaps and text pages, when the options ask for them.
fn generated_discovery(
    req: &HttpRequest,
    path: &str,
    options: &SiteOptions,
) -> Option<HttpResponse> {
    if options.sitemap_pages > 0 {
        let base = base_url(req);
        let files = options.sitemap_pages.div_ceil(SITEMAP_FILE_URLS);
        if path == "/sitemap.xml" {
            let entries: String = (0..files)
                .map(|i| {
                    let ext = if i % 2 == 1 { "xml.gz" } else { "xml" };
                    format!("<sitemap><loc>{base}/sitemaps/gen-{i}.{ext}</loc></sitemap>")
                })
                .collect();
            let body = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{entries}</sitemapindex>"
            );
            return Some(
                HttpResponse::Ok()
                    .content_type("application/xml")
                    .body(body),
            );
        }
        if let Some(name) = path.strip_prefix("/sitemaps/gen-") {
            let (index, gzipped) = match name.split_once('.') {
                Some((index, "xml")) => (index, false),
                Some((index, "xml.gz")) => (index, true),
                _ => return None,
            };
            let index: usize = index.parse().ok().filter(|i| *i < files)?;
            let first = index * SITEMAP_FILE_URLS;
            let last = (first + SITEMAP_FILE_URLS).min(options.sitemap_pages);
            let mut body = String::with_capacity((last - first) * 64 + 200);
            body.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">");
            for n in first..last {
                body.push_str(&format!("<url><loc>{base}/gen/{n}.html</loc></url>"));
            }
            body.push_str("</urlset>");
            if !gzipped {
                return Some(
                    HttpResponse::Ok()
                        .content_type("application/xml")
                        .body(body),
                );
            }
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut encoder, body.as_bytes()).expect("gzip");
            let gz = encoder.finish().expect("gzip");
            return Some(HttpResponse::Ok().content_type("application/gzip").body(gz));
        }
    }
    let n: usize = path
        .strip_prefix("/text/")
        .and_then(|p| p.strip_suffix(".txt"))
        .and_then(|n| n.parse().ok())
        .filter(|n| *n < options.text_pages)?;
    Some(
        HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body(text_page(n, options.text_page_bytes)),
    )
}

/// Plain-text documentation of about `bytes`: varied sentences, so that chunking it is
/// real tokenizer work.
fn text_page(n: usize, bytes: usize) -> String {
    const WORDS: &[&str] = &[
        "the",
        "request",
        "returns",
        "users",
        "groups",
        "token",
        "scope",
        "field",
        "optional",
        "required",
        "pagination",
        "cursor",
        "limit",
        "response",
        "schema",
        "endpoint",
        "error",
        "status",
        "header",
        "retry",
        "created",
        "updated",
        "deleted",
        "member",
        "owner",
        "attribute",
        "filter",
        "sort",
        "version",
        "identifier",
    ];
    let mut state = (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut text = String::with_capacity(bytes + 100);
    text.push_str(&format!("Generated text page {n}\n\n"));
    let mut words_in_sentence = 0;
    while text.len() < bytes {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        text.push_str(WORDS[(state % WORDS.len() as u64) as usize]);
        words_in_sentence += 1;
        if words_in_sentence == 12 {
            text.push_str(".\n");
            words_in_sentence = 0;
        } else {
            text.push(' ');
        }
    }
    text
}

fn generated_page(n: usize, total: usize, fanout: usize, banner: Option<&str>) -> HttpResponse {
    let links: String = (fanout * n + 1..=fanout * n + fanout)
        .filter(|child| *child < total)
        .map(|child| format!("<li><a href=\"/gen/{child}.html\">Page {child}</a></li>"))
        .collect();
    let banner = banner.map_or(String::new(), |text| format!("<div><p>{text}</p></div>"));
    let body = format!(
        "<!DOCTYPE html><html><head><title>Generated page {n}</title></head><body>\
         <nav><ul>{links}</ul></nav><main>{banner}<h1>Generated page {n}</h1>\
         <p>This is generated documentation page number {n}. It explains feature {n} in detail.</p>\
         <pre><code class=\"language-bash\">acme feature-{n} --enable</code></pre></main></body></html>"
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body)
}
