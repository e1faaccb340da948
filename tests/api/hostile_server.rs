//! A trap site on loopback: a hand-rolled HTTP/1.1 responder on a raw tokio listener, so
//! that some routes can break the protocol (drip forever, never answer, reset the
//! connection) while others serve pages a crawler must cope with (huge, compressed bombs,
//! broken encodings, retries, deep nesting, endless calendars). Every connection answers
//! one request and closes. Every path requested is recorded, robots.txt included.

use std::io::Write as _;
use std::sync::{Arc, LazyLock, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// Decompressed size of the gzip bomb: 1 GiB of zeros (about 1 MiB compressed).
pub const BOMB_DECOMPRESSED_BYTES: usize = 1024 * 1024 * 1024;
/// Size of the page sent without Content-Length.
pub const HUGE_PAGE_BYTES: usize = 256 * 1024 * 1024;
/// Nesting depth of `/nested.html`.
pub const NESTED_DIVS: usize = 100_000;

/// Every trap and page the index links to, by path. All are depth 1 from the index.
pub const LOOP: &str = "/loop/a";
pub const HUGE: &str = "/huge.html";
pub const BOMB: &str = "/bomb.html";
pub const DRIP: &str = "/drip.html";
pub const SILENT: &str = "/silent.html";
pub const RESET: &str = "/reset.html";
pub const BROKEN_UTF8: &str = "/broken-utf8.html";
pub const LATIN1: &str = "/latin1.html";
pub const BINARY: &str = "/files/blob.bin";
pub const BUSY: &str = "/busy.html";
pub const FLAKY: &str = "/flaky.html";
pub const NESTED: &str = "/nested.html";
pub const MALFORMED: &str = "/malformed.html";
pub const CALENDAR: &str = "/calendar/2026/01";
pub const FORBIDDEN: &str = "/forbidden/secret.html";
pub const SHORT: &str = "/short.html";
pub const BIG_HEADER: &str = "/big-header.html";
pub const IMAGE_AS_HTML: &str = "/image.html";
pub const FORMATTING: &str = "/formatting.html";
pub const SLASHED_DIVS: &str = "/slashed.html";
pub const COLSPAN: &str = "/colspan.html";
/// Size of `/colspan.html`: one table row of `<td colspan=64>x` cells.
pub const COLSPAN_PAGE_BYTES: usize = 2_200_000;

/// 1 GiB of zeros, gzip-compressed once per test process (one gzip member), fed to the
/// encoder 1 MiB at a time so that the zeros themselves are never held in memory.
static BOMB_BYTES: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let zeros = vec![0u8; 1024 * 1024];
    let mut encoder =
        flate2::write::GzEncoder::new(Vec::with_capacity(1 << 21), flate2::Compression::best());
    for _ in 0..BOMB_DECOMPRESSED_BYTES / zeros.len() {
        encoder.write_all(&zeros).expect("compress zeros");
    }
    encoder.finish().expect("finish gzip")
});

/// Waits until the gzip bomb is compressed. A crawl that asked for it earlier would wait
/// on the compression, which on a busy machine can outlast a short request timeout.
pub fn prepare_bomb() {
    LazyLock::force(&BOMB_BYTES);
}

pub struct HostileServer {
    pub base: String,
    hits: Arc<Mutex<Vec<String>>>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl HostileServer {
    pub fn start() -> HostileServer {
        // Compress the bomb before serving: on a busy machine compressing takes seconds,
        // and a crawler that asks for the bomb meanwhile would time out waiting for it
        // instead of meeting the bomb.
        LazyLock::force(&BOMB_BYTES);
        let hits = Arc::new(Mutex::new(Vec::new()));
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let (shutdown_tx, mut shutdown_rx) = oneshot::channel::<()>();
        let server_hits = hits.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("hostile server runtime");
            runtime.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind hostile server");
                port_tx
                    .send(listener.local_addr().expect("address").port())
                    .expect("send port");
                loop {
                    tokio::select! {
                        _ = &mut shutdown_rx => break,
                        accepted = listener.accept() => {
                            if let Ok((stream, _)) = accepted {
                                tokio::spawn(handle(stream, server_hits.clone()));
                            }
                        }
                    }
                }
            });
            // Connections still dripping or hanging are simply dropped with the runtime.
            runtime.shutdown_background();
        });
        let port = port_rx.recv().expect("hostile server started");
        HostileServer {
            base: format!("http://127.0.0.1:{port}"),
            hits,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Every path requested so far, in order (query strings dropped).
    pub fn hits(&self) -> Vec<String> {
        self.hits.lock().expect("hits").clone()
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request head and returns its path, or None when the client sent none.
async fn read_request_path(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > 64 * 1024 {
            return None;
        }
        let read = stream.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        head.extend_from_slice(&buffer[..read]);
    }
    let head = String::from_utf8_lossy(&head);
    let target = head.lines().next()?.split_whitespace().nth(1)?.to_string();
    Some(target.split('?').next().unwrap_or("").to_string())
}

async fn handle(mut stream: TcpStream, hits: Arc<Mutex<Vec<String>>>) {
    let Some(path) = read_request_path(&mut stream).await else {
        return;
    };
    // How many times this path was requested, this request included.
    let nth = {
        let mut hits = hits.lock().expect("hits");
        hits.push(path.clone());
        hits.iter().filter(|p| **p == path).count()
    };
    // Write errors mean the client hung up, which is what a crawler should do to traps.
    let _ = serve(&mut stream, &path, nth).await;
}

async fn serve(stream: &mut TcpStream, path: &str, nth: usize) -> std::io::Result<()> {
    const HTML: &str = "text/html; charset=utf-8";
    match path {
        "/" => {
            respond(
                stream,
                "200 OK",
                &[("Content-Type", HTML)],
                index_page().as_bytes(),
            )
            .await
        }
        "/robots.txt" => {
            let body = "User-agent: *\nDisallow: /forbidden/\n";
            respond(
                stream,
                "200 OK",
                &[("Content-Type", "text/plain")],
                body.as_bytes(),
            )
            .await
        }
        FORBIDDEN => {
            let body = page(
                "Forbidden",
                "<p>robots.txt disallows this page; it must never be requested.</p>",
            );
            respond(stream, "200 OK", &[("Content-Type", HTML)], body.as_bytes()).await
        }
        "/loop/a" => respond(stream, "302 Found", &[("Location", "/loop/b")], b"").await,
        "/loop/b" => respond(stream, "302 Found", &[("Location", "/loop/a")], b"").await,
        HUGE => huge_page(stream).await,
        BOMB => {
            let bomb = tokio::task::spawn_blocking(|| LazyLock::force(&BOMB_BYTES).as_slice())
                .await
                .expect("bomb ready");
            let headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")];
            respond(stream, "200 OK", &headers, bomb).await
        }
        DRIP => drip(stream).await,
        SILENT => {
            // Read the request, then hold the socket without a word until the client leaves.
            let mut sink = [0u8; 1024];
            while stream.read(&mut sink).await? > 0 {}
            Ok(())
        }
        SHORT => {
            // Announces 5,000 bytes, sends 100 and closes.
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n";
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&[b'x'; 100]).await?;
            stream.shutdown().await
        }
        BIG_HEADER => {
            let junk = "j".repeat(1024 * 1024);
            let body = page("Big header", "<p>Behind a megabyte of header.</p>");
            respond(
                stream,
                "200 OK",
                &[("Content-Type", HTML), ("X-Junk", &junk)],
                body.as_bytes(),
            )
            .await
        }
        IMAGE_AS_HTML => {
            // An image's compressed bytes (no NUL among them) labelled as a web page.
            let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
            png.extend((0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8 | 1));
            respond(stream, "200 OK", &[("Content-Type", "text/html")], &png).await
        }
        FORMATTING => {
            // 500 unclosed formatting elements that html5ever would rebuild in every <p>.
            let opens: String = (0..500).map(|i| format!("<b class=\"c{i}\">")).collect();
            let body = page(
                "Formatting",
                &format!("<p>{opens}x{}", "<p>x".repeat(20_000)),
            );
            respond(stream, "200 OK", &[("Content-Type", HTML)], body.as_bytes()).await
        }
        SLASHED_DIVS => {
            // `<div/>` opens a div in HTML: 100,000 of them nest like NESTED does.
            let body = page(
                "Slashed",
                &format!("{}<p>deep text</p>", "<div/>".repeat(100_000)),
            );
            respond(stream, "200 OK", &[("Content-Type", HTML)], body.as_bytes()).await
        }
        COLSPAN => {
            // 137,000 cells that each claim 64 columns: nine million columns if expanded.
            let cells = "<td colspan=64>x".repeat((COLSPAN_PAGE_BYTES - 200) / 16);
            let body = page("Wide cells", &format!("<table><tr>{cells}</table>"));
            respond(stream, "200 OK", &[("Content-Type", HTML)], body.as_bytes()).await
        }
        RESET => {
            // SO_LINGER 0: closing sends RST instead of FIN.
            stream.set_zero_linger()?;
            Ok(())
        }
        BROKEN_UTF8 => {
            let mut body =
                b"<!DOCTYPE html><html><head><title>Broken bytes</title></head><body><main>\
                <h1>Broken bytes</h1><p>This page says it is UTF-8 but contains "
                    .to_vec();
            body.extend_from_slice(b"\xff\xfe invalid \xc3 bytes");
            body.extend_from_slice(
                b" in the middle of its documentation text.</p></main></body></html>",
            );
            respond(stream, "200 OK", &[("Content-Type", HTML)], &body).await
        }
        LATIN1 => {
            let mut body = b"<!DOCTYPE html><html><head><title>Caf".to_vec();
            body.extend_from_slice(
                b"\xe9 \xdcbersicht</title></head><body><main><h1>Caf\xe9 \xdcbersicht</h1>",
            );
            body.extend_from_slice(b"<p>Die Caf\xe9-Schnittstelle f\xfcr Benutzer und Gruppen.</p></main></body></html>");
            respond(
                stream,
                "200 OK",
                &[("Content-Type", "text/html; charset=iso-8859-1")],
                &body,
            )
            .await
        }
        BINARY => {
            let body: Vec<u8> = (0..4096u32)
                .map(|i| if i % 3 == 0 { 0 } else { (i % 251) as u8 })
                .collect();
            respond(
                stream,
                "200 OK",
                &[("Content-Type", "application/octet-stream")],
                &body,
            )
            .await
        }
        BUSY if nth == 1 => {
            let headers = [("Content-Type", HTML), ("Retry-After", "1")];
            respond(
                stream,
                "429 Too Many Requests",
                &headers,
                page("Slow down", "<p>Too many requests.</p>").as_bytes(),
            )
            .await
        }
        BUSY => {
            let body = page(
                "Rate limited guide",
                "<p>This page answers 429 once, then this documentation.</p>",
            );
            respond(stream, "200 OK", &[("Content-Type", HTML)], body.as_bytes()).await
        }
        FLAKY if nth <= 2 => {
            let body = page("Unavailable", "<p>Try again later.</p>");
            respond(
                stream,
                "503 Service Unavailable",
                &[("Content-Type", HTML)],
                body.as_bytes(),
            )
            .await
        }
        FLAKY => {
            let body = page(
                "Flaky guide",
                "<p>This page answers 503 twice, then this documentation.</p>",
            );
            respond(stream, "200 OK", &[("Content-Type", HTML)], body.as_bytes()).await
        }
        NESTED => {
            let mut body = String::with_capacity(NESTED_DIVS * 11 + 200);
            body.push_str("<!DOCTYPE html><html><head><title>Nested divs</title></head><body>");
            body.push_str(&"<div>".repeat(NESTED_DIVS));
            body.push_str("<p>Deep inside one hundred thousand nested divisions.</p>");
            body.push_str(&"</div>".repeat(NESTED_DIVS));
            body.push_str("</body></html>");
            respond(stream, "200 OK", &[("Content-Type", HTML)], body.as_bytes()).await
        }
        MALFORMED => {
            // Only the title is closed: an unclosed <title> would rightly swallow the page.
            let body = "<html><head><title>Malformed markup</title><body>\
                <h1>Malformed markup guide<h2>Unclosed heading</h1>\
                <p>An unclosed paragraph with <b>bold <i>and italic</b> text</td></tr>\
                <table border=1 class=api><tr><td width=100>first cell<td>second cell</table>\
                <div id=main data-x=1>a stray end tag</span> follows here</div></div></div>\
                <ul><li>item one<li>item two</ol><a href=/malformed.html#top>self link</a>\
                <p>The end of the malformed guide without closing anything";
            respond(stream, "200 OK", &[("Content-Type", HTML)], body.as_bytes()).await
        }
        _ => match calendar_month(path) {
            Some((year, month)) => {
                let body = calendar_page(year, month);
                respond(stream, "200 OK", &[("Content-Type", HTML)], body.as_bytes()).await
            }
            None => {
                respond(
                    stream,
                    "404 Not Found",
                    &[("Content-Type", HTML)],
                    page("Not found", "").as_bytes(),
                )
                .await
            }
        },
    }
}

async fn respond(
    stream: &mut TcpStream,
    status: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    stream.flush().await?;
    stream.shutdown().await
}

/// 256 MiB of HTML in 64 KiB chunks (chunked transfer, no Content-Length), generated
/// from one reused chunk until done or until the client hangs up.
async fn huge_page(stream: &mut TcpStream) -> std::io::Result<()> {
    const CHUNK: usize = 64 * 1024;
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\
                Connection: close\r\n\r\n";
    stream.write_all(head.as_bytes()).await?;
    let sentence = "<p>This endless page repeats the same documentation sentence again.</p>\n";
    let mut chunk = String::with_capacity(CHUNK);
    chunk.push_str("<!DOCTYPE html><html><head><title>Huge page</title></head><body>\n");
    while chunk.len() + sentence.len() <= CHUNK {
        chunk.push_str(sentence);
    }
    while chunk.len() < CHUNK {
        chunk.push('\n');
    }
    let frame = |data: &str| format!("{:x}\r\n{data}\r\n", data.len());
    let first = frame(&chunk);
    let rest = frame(&chunk.replace(
        "<!DOCTYPE html><html><head><title>Huge page</title></head><body>",
        &" ".repeat(64),
    ));
    stream.write_all(first.as_bytes()).await?;
    for _ in 1..HUGE_PAGE_BYTES / CHUNK {
        stream.write_all(rest.as_bytes()).await?;
    }
    stream.write_all(b"0\r\n\r\n").await?;
    stream.shutdown().await
}

/// Headers at once, then one body byte per second, close-delimited, until the client hangs up.
async fn drip(stream: &mut TcpStream) -> std::io::Result<()> {
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n\r\n";
    stream.write_all(head.as_bytes()).await?;
    let text = b"<html><head><title>Drip</title></head><body><p>one byte every second, forever ";
    for byte in text.iter().cycle() {
        stream.write_all(std::slice::from_ref(byte)).await?;
        stream.flush().await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Ok(())
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>"
    )
}

fn index_page() -> String {
    let links: String = [
        (LOOP, "Redirect loop"),
        (HUGE, "A 256 MiB page"),
        (BOMB, "A gzip bomb"),
        (DRIP, "One byte per second"),
        (SILENT, "Never answers"),
        (RESET, "Connection reset"),
        (BROKEN_UTF8, "Invalid UTF-8"),
        (LATIN1, "Latin-1 page"),
        (BINARY, "Binary file"),
        (BUSY, "429 then 200"),
        (FLAKY, "503 twice then 200"),
        (NESTED, "Nested divs"),
        (MALFORMED, "Malformed HTML"),
        (CALENDAR, "Calendar"),
        (FORBIDDEN, "Disallowed by robots.txt"),
        (SHORT, "Body shorter than announced"),
        (BIG_HEADER, "A megabyte of header"),
        (IMAGE_AS_HTML, "An image labelled HTML"),
        (FORMATTING, "Unclosed formatting"),
        (SLASHED_DIVS, "Slashed divs"),
        (COLSPAN, "Cells of colspan 64"),
    ]
    .iter()
    .map(|(path, text)| format!("<li><a href=\"{path}\">{text}</a></li>"))
    .collect();
    page(
        "Hostile documentation",
        &format!("<p>Every link below is a trap for crawlers.</p><ul>{links}</ul>"),
    )
}

/// `/calendar/YYYY/MM` with a month 01..=12.
fn calendar_month(path: &str) -> Option<(u32, u32)> {
    let rest = path.strip_prefix("/calendar/")?;
    let (year, month) = rest.split_once('/')?;
    let (year, month) = (year.parse::<u32>().ok()?, month.parse::<u32>().ok()?);
    (1..=12).contains(&month).then_some((year, month))
}

/// A month page linking to the next month (forever) and the previous one.
fn calendar_page(year: u32, month: u32) -> String {
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let (prev_year, prev_month) = if month == 1 {
        (year - 1, 12)
    } else {
        (year, month - 1)
    };
    page(
        &format!("Events in {year}-{month:02}"),
        &format!(
            "<p>No events are planned for {year}-{month:02} yet.</p>\
             <a href=\"/calendar/{prev_year}/{prev_month:02}\">previous month</a> \
             <a href=\"/calendar/{next_year}/{next_month:02}\">next month</a>"
        ),
    )
}
