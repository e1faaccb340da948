#!/usr/bin/env python3
"""Completeness run of docscrape against the Python 3.11 HTML manual (Debian python3.11-doc).

Standard library only.  Steps:

1. make sure the HTML docs are installed (apt-get install python3.11-doc if missing);
2. serve them on 127.0.0.1 (free port) with a small threaded server that also serves
   `X.html` from `X.html.gz` transparently;
3. build docscrape (`cargo build --release`, unless --binary is given) and start it on a
   temporary database;
4. crawl the site through the API (session -> scrape job -> poll -> documentation);
5. compute the ground truth (every HTML page reachable from the index through <a href>
   links on the same host) and compare: coverage, failures, chunk sizes, boilerplate lines
   repeated across pages, code blocks lost, empty titles.

Prints progress on stderr and a JSON summary on stdout; exits 1 when coverage < --min-coverage
(99 % by default), 2 on a setup error.  See docs/completeness.md.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import html.parser
import http.server
import json
import mimetypes
import os
import posixpath
import re
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DOCS = "/usr/share/doc/python3.11/html"
DOC_PACKAGE = "python3.11-doc"


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


class SetupError(Exception):
    pass


# --------------------------------------------------------------------------------------
# 1. the documentation tree
# --------------------------------------------------------------------------------------

def ensure_docs(root: str) -> None:
    if os.path.isfile(os.path.join(root, "index.html")):
        return
    if root != DEFAULT_DOCS:
        raise SetupError(f"no index.html under {root}")
    log(f"{root} missing: installing {DOC_PACKAGE} with apt-get")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (sudo + ["apt-get", "update"], sudo + ["apt-get", "install", "-y", DOC_PACKAGE]):
        if subprocess.run(cmd, env=env).returncode != 0:
            raise SetupError(f"`{' '.join(cmd)}` failed")
    if not os.path.isfile(os.path.join(root, "index.html")):
        raise SetupError(f"{DOC_PACKAGE} installed but {root}/index.html is still missing")


def resolve_file(root: str, url_path: str) -> str | None:
    """The file that serves `url_path` (already %-decoded or not), or None.

    `dir/` serves `dir/index.html`; `x.html` may be stored as `x.html.gz`.  Returns the
    path as found on disk (possibly ending in .gz)."""
    path = urllib.parse.unquote(url_path.split("?", 1)[0])
    path = posixpath.normpath("/" + path.lstrip("/"))
    if url_path.endswith("/") and not path.endswith("/"):
        path += "/"
    local = os.path.join(root, path.lstrip("/"))
    # refuse escapes from the root (symlinks inside the tree are fine)
    if not os.path.abspath(local).startswith(os.path.abspath(root)):
        return None
    if os.path.isdir(local):
        local = os.path.join(local, "index.html")
    if os.path.isfile(local):
        return local
    if os.path.isfile(local + ".gz"):
        return local + ".gz"
    return None


def content_type_of(served_name: str) -> str:
    name = served_name[:-3] if served_name.endswith(".gz") else served_name
    kind, _ = mimetypes.guess_type(name)
    if kind is None:
        kind = "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
        kind += "; charset=utf-8"
    return kind


def read_served(local: str) -> bytes:
    with open(local, "rb") as fh:
        data = fh.read()
    if local.endswith(".gz"):
        data = gzip.decompress(data)
    return data


# --------------------------------------------------------------------------------------
# 2. the static server
# --------------------------------------------------------------------------------------

def make_server(root: str) -> tuple[http.server.ThreadingHTTPServer, collections.Counter]:
    hits: collections.Counter = collections.Counter()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "completeness/1"

        def log_message(self, fmt: str, *args: object) -> None:  # quiet
            pass

        def _answer(self, with_body: bool) -> None:
            with lock:
                hits[self.path] += 1
            raw_path = urllib.parse.urlsplit(self.path).path
            if raw_path != "/" and os.path.isdir(os.path.join(root, urllib.parse.unquote(raw_path).lstrip("/"))) \
                    and not raw_path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", raw_path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            local = resolve_file(root, raw_path)
            if local is None:
                body = b"<html><body><h1>404 Not Found</h1></body></html>"
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if with_body:
                    self.wfile.write(body)
                return
            try:
                body = read_served(local)
            except OSError:
                self.send_error(500)
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type_of(local))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def do_GET(self) -> None:
            self._answer(True)

        def do_HEAD(self) -> None:
            self._answer(False)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    return server, hits


# --------------------------------------------------------------------------------------
# 3. docscrape itself
# --------------------------------------------------------------------------------------

def build_binary() -> str:
    log("building docscrape: cargo build --release (waits for the target-dir lock if another build runs)")
    proc = subprocess.run(
        ["cargo", "build", "--release", "--message-format=json-render-diagnostics"],
        cwd=REPO, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SetupError("cargo build --release failed (see the compiler output above)")
    binary = None
    for line in proc.stdout.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") \
                and msg.get("target", {}).get("name") == "docscrape":
            binary = msg["executable"]
    if binary is None:
        binary = os.path.join(REPO, "target", "release", "docscrape")
    if not os.path.isfile(binary):
        raise SetupError(f"built binary not found at {binary}")
    return binary


def start_service(binary: str, tmp: str, cap: int, chunk_tokens: int) -> tuple[subprocess.Popen, str]:
    db = os.path.join(tmp, "c.db")
    log_path = os.path.join(tmp, "docscrape.log")
    err = open(log_path, "wb")
    cmd = [binary, "serve", "--bind", "127.0.0.1:0", "--db", db, "--allow-private-networks",
           "--max-iterations-cap", str(cap), "--chunk-tokens", str(chunk_tokens)]
    log("starting:", " ".join(cmd))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
    first = proc.stdout.readline()
    match = re.search(r"listening on (http://\S+)", first)
    if not match:
        proc.kill()
        raise SetupError(f"unexpected first line from docscrape: {first!r} (log: {log_path})")
    # drain the rest of stdout so the service never blocks on a full pipe
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    return proc, match.group(1).rstrip("/")


def api(method: str, url: str, body: object | None = None, timeout: float = 600) -> object:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        raise SetupError(f"{method} {url} -> HTTP {exc.code}: {exc.read()[:500]!r}") from exc


def run_crawl(base: str, start_url: str, max_iterations: int) -> dict:
    session = api("POST", f"{base}/api/v1/session")["sessionId"]
    body = {"starterLinks": [start_url], "applicationName": "Python", "skipCache": True,
            "maxIterations": max_iterations}
    started = time.monotonic()
    job = api("POST", f"{base}/api/v1/scrape/{session}/scrape", body)["jobId"]
    log(f"session {session}, job {job}")
    last = None
    while True:
        status = api("GET", f"{base}/api/v1/scrape/{session}/scrape?jobId={job}")
        progress = status.get("progress") or {}
        line = (f"[{time.monotonic() - started:6.1f}s] {status.get('status')}: "
                f"{progress.get('completedIterations')}/{progress.get('totalIterations')} "
                f"{progress.get('message', '')[:100]}")
        if line != last:
            log(line)
            last = line
        if status.get("status") in ("finished", "failed", "cancelled"):
            break
        time.sleep(1)
    wall = time.monotonic() - started
    docs = api("GET", f"{base}/api/v1/session/{session}/documentation")
    return {"session": session, "job": job, "status": status, "wall": wall, "docs": docs}


# --------------------------------------------------------------------------------------
# 4. ground truth
# --------------------------------------------------------------------------------------

class LinkParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "base" and a.get("href") and self.base is None:
            self.base = a["href"]


def normalise(url: str) -> str | None:
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = parts.path or "/"
    # resolve dot segments the way a browser does
    segs: list[str] = []
    for seg in path.split("/")[1:]:
        if seg == ".":
            continue
        if seg == "..":
            if segs:
                segs.pop()
            continue
        segs.append(seg)
    if path.split("/")[-1] in (".", ".."):
        segs.append("")
    path = "/" + "/".join(segs)
    return urllib.parse.urlunsplit((parts.scheme.lower(), host, path, parts.query, ""))


def is_html_file(local: str) -> bool:
    name = local[:-3] if local.endswith(".gz") else local
    return name.endswith((".html", ".htm"))


def ground_truth(root: str, server_origin: str, start_url: str) -> dict:
    """Breadth-first over the files: every same-host <a href> target that is an HTML page.

    Pages are identified by the file that serves them, so `/` and `/index.html` count once.
    Returns {file: first URL seen}, plus broken links and non-HTML targets."""
    host = urllib.parse.urlsplit(server_origin).netloc
    pages: dict[str, str] = {}
    broken: dict[str, str] = {}
    non_html: set[str] = set()
    queue = collections.deque([normalise(start_url)])
    seen_urls = {queue[0]}
    while queue:
        url = queue.popleft()
        local = resolve_file(root, urllib.parse.urlsplit(url).path)
        if local is None:
            continue
        if not is_html_file(local):
            non_html.add(url)
            continue
        if local in pages:
            continue
        pages[local] = url
        parser = LinkParser()
        parser.feed(read_served(local).decode("utf-8", "replace"))
        base = urllib.parse.urljoin(url, parser.base) if parser.base else url
        for href in parser.links:
            target = normalise(urllib.parse.urljoin(base, href))
            if target is None or urllib.parse.urlsplit(target).netloc != host or target in seen_urls:
                continue
            seen_urls.add(target)
            if resolve_file(root, urllib.parse.urlsplit(target).path) is None:
                broken[target] = url
                continue
            queue.append(target)
    return {"pages": pages, "broken": broken, "non_html": non_html}


# --------------------------------------------------------------------------------------
# 5. checks on the saved Markdown
# --------------------------------------------------------------------------------------

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
QUOTE = re.compile(r"^\s*(?:>\s?)+")


def fence_blocks_and_lines(markdown: str) -> tuple[int, list[str]]:
    """Number of fenced code blocks and the text lines outside them.

    Fences are recognised inside blockquotes (`> ```py`) and list items (indented)."""
    blocks = 0
    outside: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines():
        body = QUOTE.sub("", line)
        m = FENCE.match(body)
        if fence is None:
            if m:
                fence = m.group(1)
                blocks += 1
                continue
            outside.append(line)
        elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                and body.strip() == m.group(1):
            fence = None
    return blocks, outside


class MainContentParser(html.parser.HTMLParser):
    """Counts <pre> inside the main content (div.body or [role=main]) and reads <title>/<h1>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0          # div depth inside main; 0 = outside
        self.pre = 0
        self.pre_all = 0
        self.pre_texts: list[str] = []
        self._in_pre = 0
        self._pre_buf: list[str] = []
        self.title = ""
        self._in_title = False
        self.h1 = ""
        self._in_h1 = False
        self.headings: list[str] = []
        self._in_heading = False
        self._heading_buf: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "title":
            self._in_title = True
        if tag == "h1" and not self.h1:
            self._in_h1 = True
        if tag == "pre":
            self.pre_all += 1
        if self.depth and tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._in_heading = True
            self._heading_buf = []
        if self._in_heading and tag == "a" and "headerlink" in (a.get("class") or "").split():
            self._skip += 1
        if self.depth:
            if tag == "div":
                self.depth += 1
            elif tag == "pre":
                self.pre += 1
                self._in_pre += 1
        elif tag in ("div", "main", "section") and (
                "body" in (a.get("class") or "").split() or a.get("role") == "main"):
            self.depth = 1
            self._main_tag = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag == "h1":
            self._in_h1 = False
        if self._in_heading and tag == "a" and self._skip:
            self._skip -= 1
        if self._in_heading and tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._in_heading = False
            self.headings.append("".join(self._heading_buf).strip())
        if self.depth:
            if tag == "pre" and self._in_pre:
                self._in_pre -= 1
                self.pre_texts.append("".join(self._pre_buf))
                self._pre_buf = []
            if tag == "div" or (self.depth == 1 and tag == getattr(self, "_main_tag", "div")):
                self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._in_h1:
            self.h1 += data
        if self._in_pre:
            self._pre_buf.append(data)
        if self._in_heading and not self._skip:
            self._heading_buf.append(data)


def heading_key(text: str) -> str:
    """Heading text without Markdown markup, links or punctuation, for comparison."""
    text = re.sub(r"\]\([^)]*\)", "", text)
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def markdown_headings(lines: list[str]) -> set[str]:
    return {heading_key(ln.lstrip("#")) for ln in lines if re.match(r"^#{1,6}\s", ln)}


def analyse(root: str, truth: dict, crawl: dict, chunk_limit: int, sample: int) -> dict:
    pages_truth: dict[str, str] = truth["pages"]
    status = crawl["status"]
    result = status.get("result") or {}

    # saved pages: join each bundle's chunks in order
    saved: dict[str, dict] = {}
    chunk_count = 0
    max_tokens = 0
    max_tokens_url = None
    over_limit: list[dict] = []
    content_types: collections.Counter = collections.Counter()
    unbalanced: list[dict] = []
    for bundle in crawl["docs"]:
        chunks = sorted(bundle.get("chunks", []), key=lambda c: c["metadata"]["chunk_number"])
        if not chunks:
            continue
        url = chunks[0]["url"]
        chunk_count += len(chunks)
        for c in chunks:
            tokens = c["metadata"]["token_count"]
            if tokens > max_tokens:
                max_tokens, max_tokens_url = tokens, url
            if sum(1 for ln in c["content"].splitlines() if FENCE.match(QUOTE.sub("", ln))) % 2:
                unbalanced.append({"url": url, "chunk": c["metadata"]["chunk_number"], "tokens": tokens,
                                   "starts": c["content"][:40], "ends": c["content"][-40:]})
            if tokens > chunk_limit:
                over_limit.append({"url": url, "chunk": c["metadata"]["chunk_number"], "tokens": tokens})
        content_types[chunks[0]["metadata"].get("content_type", "")] += 1
        saved[url] = {"title": chunks[0].get("title", ""),
                      "markdown": "\n".join(c["content"] for c in chunks),
                      "chunks": len(chunks)}

    # map saved URLs to files
    saved_by_file: dict[str, str] = {}
    saved_unmapped: list[str] = []
    duplicate_saves: list[list[str]] = []
    for url in saved:
        local = resolve_file(root, urllib.parse.urlsplit(url).path)
        if local is None:
            saved_unmapped.append(url)
        elif local in saved_by_file:
            duplicate_saves.append([saved_by_file[local], url])
        else:
            saved_by_file[local] = url
    saved_html = {f: u for f, u in saved_by_file.items() if is_html_file(f)}
    saved_non_html = sorted(u for f, u in saved_by_file.items() if not is_html_file(f))

    reachable = len(pages_truth)
    covered = [f for f in pages_truth if f in saved_html]
    missing = sorted(pages_truth[f] for f in pages_truth if f not in saved_html)
    extra = sorted(u for f, u in saved_html.items() if f not in pages_truth)
    failed = result.get("failedPages") or {}
    missing_detail = [{"url": u, "failed": failed.get(u)} for u in missing]

    # boilerplate: lines on more than 5 % of pages
    line_pages: collections.Counter = collections.Counter()
    code_rows = []
    for url, page in saved.items():
        blocks, outside = fence_blocks_and_lines(page["markdown"])
        page["fences"] = blocks
        page["md_headings"] = markdown_headings(outside)
        lines = {ln.strip() for ln in outside if len(ln.strip()) > 20}
        line_pages.update(lines)
    n_saved = max(len(saved), 1)
    threshold = 0.05 * n_saved
    repeated = [(ln, n) for ln, n in line_pages.most_common() if n > threshold]

    # code blocks and titles
    files = sorted(saved_html)
    if sample and sample < len(files):
        step = len(files) / sample
        files = [files[int(i * step)] for i in range(sample)]
    code_lost = []
    total_pre = total_fences = 0
    title_mismatch = []
    headings_total = 0
    headings_lost = []
    for local in files:
        url = saved_html[local]
        parser = MainContentParser()
        parser.feed(read_served(local).decode("utf-8", "replace"))
        page = saved[url]
        total_pre += parser.pre
        total_fences += page["fences"]
        if page["fences"] < parser.pre:
            absent = []
            for text in parser.pre_texts:
                first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
                if first and first not in page["markdown"]:
                    absent.append(text[:120])
            code_lost.append({"url": url, "html_pre": parser.pre, "md_fences": page["fences"],
                              "pre_not_found_in_markdown": absent[:5]})
        lost = [h for h in parser.headings if heading_key(h) and heading_key(h) not in page["md_headings"]]
        headings_total += len(parser.headings)
        if lost:
            headings_lost.append({"url": url, "html_headings": len(parser.headings), "lost": lost[:10]})
        h1 = parser.h1.replace("¶", "").strip()
        if h1 and page["title"].strip() not in (h1, parser.title.strip()) \
                and not parser.title.strip().startswith(page["title"].strip() or "\0"):
            title_mismatch.append({"url": url, "saved": page["title"], "html_title": parser.title.strip(),
                                   "h1": h1})
    bad_titles = [{"url": u, "title": p["title"]} for u, p in saved.items()
                  if not p["title"].strip() or p["title"].strip() == u]

    wall = crawl["wall"]
    return {
        "pages_reachable": reachable,
        "pages_saved": len(saved),
        "html_pages_saved": len(saved_html),
        "coverage_pct": round(100.0 * len(covered) / max(reachable, 1), 2),
        "missing_count": len(missing),
        "missing": missing_detail[:30],
        "saved_not_in_ground_truth": extra[:30],
        "saved_non_html": saved_non_html[:30],
        "saved_non_html_count": len(saved_non_html),
        "saved_unmapped": saved_unmapped[:30],
        "duplicate_saves_same_file": duplicate_saves[:30],
        "failed_pages_count": len(failed),
        "failed_pages": dict(list(failed.items())[:50]),
        "job_status": status.get("status"),
        "finish_reason": result.get("finishReason"),
        "completed_iterations": (status.get("progress") or {}).get("completedIterations"),
        "errors": status.get("errors"),
        "crawl_seconds": round(wall, 1),
        "pages_per_second": round(len(saved) / wall, 2) if wall else None,
        "chunk_count": chunk_count,
        "max_token_count": max_tokens,
        "max_token_url": max_tokens_url,
        "chunk_limit": chunk_limit,
        "chunks_over_limit": len(over_limit),
        "chunks_over_limit_examples": over_limit[:10],
        "chunks_with_unbalanced_fences": len(unbalanced),
        "unbalanced_fence_examples": unbalanced[:10],
        "content_types": dict(content_types),
        "boilerplate_threshold_pages": round(threshold, 1),
        "boilerplate_lines_count": len(repeated),
        "boilerplate_top20": [{"line": ln[:160], "pages": n} for ln, n in repeated[:20]],
        "code_pages_checked": len(files),
        "code_html_pre_total": total_pre,
        "code_md_fences_total": total_fences,
        "code_pages_with_fewer_fences": len(code_lost),
        "code_lost_examples": sorted(code_lost, key=lambda r: r["md_fences"] - r["html_pre"])[:20],
        "headings_html_total": headings_total,
        "pages_with_lost_headings": len(headings_lost),
        "lost_heading_examples": headings_lost[:20],
        "bad_titles_count": len(bad_titles),
        "bad_titles": bad_titles[:20],
        "title_mismatch_count": len(title_mismatch),
        "title_mismatch_examples": title_mismatch[:10],
        "broken_links_in_site": len(truth["broken"]),
        "broken_link_examples": dict(list(truth["broken"].items())[:10]),
        "non_html_link_targets": len(truth["non_html"]),
    }


# --------------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", default=DEFAULT_DOCS, help="HTML docs folder (default: %(default)s)")
    ap.add_argument("--binary", help="docscrape binary to use (skips cargo build)")
    ap.add_argument("--max-iterations", type=int, default=3000)
    ap.add_argument("--chunk-tokens", type=int, default=2000, help="passed to docscrape; the limit checked")
    ap.add_argument("--code-sample", type=int, default=0, help="pages for the code check (0 = all)")
    ap.add_argument("--min-coverage", type=float, default=99.0)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (db, service log)")
    ap.add_argument("--output", help="also write the JSON summary to this file")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="docscrape-completeness-")
    proc = None
    server = None
    try:
        ensure_docs(args.docs)
        binary = args.binary or build_binary()
        server, hits = make_server(args.docs)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        origin = f"http://127.0.0.1:{server.server_address[1]}"
        start_url = f"{origin}/index.html"
        log(f"serving {args.docs} at {origin}")

        log("computing the ground truth ...")
        truth = ground_truth(args.docs, origin, start_url)
        log(f"ground truth: {len(truth['pages'])} reachable HTML pages")

        proc, base = start_service(binary, tmp, max(args.max_iterations, 20000), args.chunk_tokens)
        log(f"docscrape at {base}")
        crawl = run_crawl(base, start_url, args.max_iterations)
        summary = analyse(args.docs, truth, crawl, args.chunk_tokens, args.code_sample)
        summary.update({
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "commit": subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                                     capture_output=True, text=True).stdout.strip(),
            "binary": binary,
            "start_url": start_url,
            "docs": args.docs,
            "server_requests": sum(hits.values()),
            "server_paths_requested_more_than_once": sum(1 for n in hits.values() if n > 1),
            "tmp": tmp if args.keep else None,
        })
        if args.keep:
            with open(os.path.join(tmp, "documentation.json"), "w") as fh:
                json.dump(crawl["docs"], fh)
            with open(os.path.join(tmp, "status.json"), "w") as fh:
                json.dump(crawl["status"], fh, indent=1)
        text = json.dumps(summary, indent=2, ensure_ascii=False)
        if args.output:
            with open(args.output, "w") as fh:
                fh.write(text + "\n")
        print(text)
        log(f"coverage {summary['coverage_pct']} % of {summary['pages_reachable']} pages, "
            f"{summary['crawl_seconds']} s, boilerplate lines {summary['boilerplate_lines_count']}, "
            f"pages with lost code {summary['code_pages_with_fewer_fences']}")
        return 0 if summary["coverage_pct"] >= args.min_coverage else 1
    except SetupError as exc:
        log(f"error: {exc}")
        return 2
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if server is not None:
            server.shutdown()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
