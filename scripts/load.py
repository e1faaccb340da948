#!/usr/bin/env python3
"""Load run of docscrape: concurrent crawls of generated sites while many clients poll
job status. Not a test; it prints figures (see docs/benchmarks.md) and stops by itself.

What it does:
  1. builds target/release/docscrape if missing (`cargo build --release`) and starts it
     on 127.0.0.1:0 with --allow-private-networks --max-concurrent-jobs 8 on a temp DB;
  2. serves generated documentation sites on loopback from a child process (a threaded
     HTTP server per site, --pages interlinked pages each; one site per job by default, so
     the per-host limit does not serialise the jobs; --shared-site for one site for all);
  3. starts --jobs crawls (one session each, maxIterations --max-iterations, skipCache);
  4. runs --pollers concurrent HTTP/1.1 keep-alive clients (asyncio streams, stdlib only)
     polling GET /api/v1/scrape/{session}/scrape?jobId= for --duration seconds;
  5. reports requests, requests/s, errors (non-200 answers and connection errors),
     latency p50/p90/p99/max, slow polls, and each job's final state (after waiting up to
     --finish-timeout seconds for the jobs to end).

Exit status: 0 when there was no error and every job finished (status "finished", not
"failed"); 1 otherwise; 2 when the set-up itself failed.

  python3 scripts/load.py                      # 60 s, 1000 pollers, 8 jobs x 500 pages
  python3 scripts/load.py --duration 10 --pollers 200
"""

from __future__ import annotations

import argparse
import asyncio
import http.server
import json
import multiprocessing
import os
import random
import resource
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORDS = (
    "the request returns a list of users in the organisation each field is optional unless "
    "marked required token scope pagination cursor limit offset response schema error code "
    "retry after webhook payload signature header authentication bearer client credentials "
    "resource identifier created updated deleted filter query parameter value default"
).split()


# ----- generated documentation site -------------------------------------------------


def page_html(site: int, index: int, pages: int) -> bytes:
    """One documentation page: a sidebar of links, headings, paragraphs, a code block, a
    table, and links to a handful of other pages (so every page is reachable)."""
    rng = random.Random(site * 1_000_003 + index)

    def sentence(n: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."

    neighbours = sorted(
        {
            (index + 1) % pages,
            (index * 7 + 3) % pages,
            (index * 13 + 5) % pages,
            (index + pages // 2) % pages,
            rng.randrange(pages),
            rng.randrange(pages),
        }
        - {index}
    )
    sidebar = "".join(
        f'<li><a href="/docs/page-{(index // 20 * 20 + k) % pages}.html">Page {(index // 20 * 20 + k) % pages}</a></li>'
        for k in range(20)
    )
    body = [f"<h1>Topic {index}: {rng.choice(WORDS)} {rng.choice(WORDS)}</h1>"]
    for section in range(3):
        body.append(f'<h2 id="s{section}">Section {section}</h2>')
        body.append(f"<p>{sentence(25)} {sentence(18)} {sentence(30)}</p>")
        body.append(
            '<pre><code class="language-python">'
            + "\n".join(
                f"{rng.choice(WORDS)} = client.{rng.choice(WORDS)}(limit={k})" for k in range(6)
            )
            + "</code></pre>"
        )
        body.append(
            "<table><tr><th>Name</th><th>Type</th><th>Description</th></tr>"
            + "".join(
                f"<tr><td><code>{rng.choice(WORDS)}</code></td><td>string</td><td>{sentence(8)}</td></tr>"
                for _ in range(4)
            )
            + "</table>"
        )
    links = "".join(
        f'<li><a href="page-{n}.html">See topic {n}</a></li>' for n in neighbours
    )
    body.append(f"<h2>Related</h2><ul>{links}</ul>")
    html = (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Topic {index} - Site {site} Docs</title></head><body>"
        f'<nav class="sidebar"><ul>{sidebar}</ul></nav>'
        f"<main>{''.join(body)}</main>"
        "<footer>Generated documentation</footer></body></html>"
    )
    return html.encode()


class SiteHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    site = 0
    pages = 2000

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        path = self.path.split("?", 1)[0]
        body: bytes | None = None
        content_type = "text/html; charset=utf-8"
        if path in ("/", "/docs/", "/docs/index.html"):
            body = page_html(self.site, 0, self.pages)
        elif path == "/robots.txt":
            body, content_type = b"User-agent: *\nAllow: /\n", "text/plain"
        elif path.startswith("/docs/page-") and path.endswith(".html"):
            try:
                index = int(path[len("/docs/page-") : -len(".html")])
            except ValueError:
                index = -1
            if 0 <= index < self.pages:
                body = page_html(self.site, index, self.pages)
        if body is None:
            self.send_response(404)
            body, content_type = b"not found", "text/plain"
        else:
            self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 256


def serve_sites(sites: int, pages: int, ports: multiprocessing.Queue) -> None:
    """Child process: one threaded HTTP server per site on 127.0.0.1, ports sent back."""
    servers = []
    for site in range(sites):
        handler = type(f"Site{site}", (SiteHandler,), {"site": site, "pages": pages})
        server = Server(("127.0.0.1", 0), handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    for server in servers:
        ports.put(server.server_address[1])
    threading.Event().wait()


# ----- docscrape process --------------------------------------------------------------


def start_docscrape(binary: Path, db: Path, jobs: int, log_path: Path) -> tuple[subprocess.Popen, str]:
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [
            str(binary),
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--db",
            str(db),
            "--allow-private-networks",
            "--max-concurrent-jobs",
            str(jobs),
        ],
        stdout=subprocess.PIPE,
        stderr=log,
        env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().decode().strip()
    prefix = "docscrape listening on "
    if not line.startswith(prefix):
        proc.kill()
        raise RuntimeError(f"unexpected first line from docscrape: {line!r} (log: {log_path})")
    # Drain stdout so the server never blocks on a full pipe.
    threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
    return proc, line[len(prefix) :]


# ----- minimal HTTP/1.1 client ----------------------------------------------------------


class Http:
    """One keep-alive connection; enough HTTP/1.1 for docscrape's answers."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        if self.writer is None:
            await self.connect()
        assert self.reader is not None and self.writer is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write((head + "\r\n").encode() + (body or b""))
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed before the status line")
        status = int(status_line.split()[1])
        length = None
        chunked = False
        close = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                close = True
        if chunked:
            data = bytearray()
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                data += await self.reader.readexactly(size)
                await self.reader.readexactly(2)
            payload = bytes(data)
        elif length is not None:
            payload = await self.reader.readexactly(length)
        else:
            payload = await self.reader.read()
            close = True
        if close:
            await self.close()
        return status, payload


async def call_json(host: str, port: int, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    conn = Http(host, port)
    try:
        status, payload = await conn.request(method, path, json.dumps(body).encode() if body is not None else None)
    finally:
        await conn.close()
    return status, json.loads(payload) if payload else {}


# ----- the run ----------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.error_samples: list[str] = []
        self.last_status: dict[str, dict] = {}
        self.body_bytes = 0

    def error(self, kind: str, sample: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if len(self.error_samples) < 10:
            self.error_samples.append(sample)


async def poller(host: str, port: int, jobs: list[tuple[str, str]], start: int, deadline: float, stats: Stats) -> None:
    conn = Http(host, port)
    index = start
    sampler = random.Random(start)
    while time.monotonic() < deadline:
        session, job = jobs[index % len(jobs)]
        index += 1
        path = f"/api/v1/scrape/{session}/scrape?jobId={job}"
        began = time.perf_counter()
        try:
            status, payload = await conn.request("GET", path)
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError) as err:
            stats.error("connection", f"GET {path}: {type(err).__name__}: {err}")
            await conn.close()
            await asyncio.sleep(0.05)
            continue
        stats.latencies.append(time.perf_counter() - began)
        stats.body_bytes += len(payload)
        if status != 200:
            stats.error(f"HTTP {status}", f"GET {path} -> {status} {payload[:300]!r}")
        elif sampler.random() < 0.02:  # a sample of answers for the progress lines
            try:
                stats.last_status[job] = json.loads(payload)
            except ValueError:
                stats.error("bad JSON", f"GET {path} -> {payload[:300]!r}")
    await conn.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), or NaN elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def describe(status: dict) -> str:
    progress = status.get("progress") or {}
    result = status.get("result") or {}
    return (
        f"{status.get('status')}"
        f" {progress.get('completedIterations')}/{progress.get('totalIterations')}"
        + (f" finishReason={result.get('finishReason')} saved={result.get('savedPagesCount')}"
           f" chunks={result.get('pageChunksCount')} failedPages={len(result.get('failedPages') or {})}"
           if result else "")
        + (f" errors={status.get('errors')}" if status.get("errors") else "")
    )


async def run(args: argparse.Namespace, host: str, port: int, site_ports: list[int], server_pid: int) -> int:
    jobs: list[tuple[str, str]] = []
    for n in range(args.jobs):
        status, created = await call_json(host, port, "POST", "/api/v1/session")
        if status != 201:
            print(f"creating a session: HTTP {status} {created}", file=sys.stderr)
            return 2
        session = created["sessionId"]
        site_port = site_ports[n % len(site_ports)]
        request = {
            "starterLinks": [f"http://127.0.0.1:{site_port}/docs/index.html"],
            "applicationName": f"Load site {n}",
            "maxIterations": args.max_iterations,
            "skipCache": True,
        }
        status, started = await call_json(host, port, "POST", f"/api/v1/scrape/{session}/scrape", request)
        if status != 200:
            print(f"starting job {n}: HTTP {status} {started}", file=sys.stderr)
            return 2
        jobs.append((session, started["jobId"]))
    print(f"started {len(jobs)} jobs; {args.pollers} pollers for {args.duration:g} s", flush=True)

    stats = Stats()
    server_cpu_start, client_cpu_start = cpu_seconds(server_pid), own_cpu_seconds()
    began = time.monotonic()
    deadline = began + args.duration
    tasks = [
        asyncio.create_task(poller(host, port, jobs, i, deadline, stats))
        for i in range(args.pollers)
    ]
    while not all(t.done() for t in tasks):
        await asyncio.wait(tasks, timeout=args.report_every)
        elapsed = time.monotonic() - began
        done = sum(1 for s in stats.last_status.values() if s.get("status") in ("finished", "failed"))
        pages = sum((s.get("progress") or {}).get("completedIterations") or 0 for s in stats.last_status.values())
        print(
            f"  {elapsed:5.1f}s  {len(stats.latencies):8d} polls  {len(stats.latencies) / max(elapsed, 1e-9):8.0f}/s"
            f"  errors {sum(stats.errors.values())}  jobs over {done}/{len(jobs)}  pages fetched ~{pages}",
            flush=True,
        )
    for t in tasks:
        t.result()
    wall = time.monotonic() - began
    server_cpu = cpu_seconds(server_pid) - server_cpu_start
    client_cpu = own_cpu_seconds() - client_cpu_start

    # The jobs must end; wait for them (bounded), polling slowly.
    final: dict[str, dict] = {}
    finish_deadline = time.monotonic() + args.finish_timeout
    while True:
        for session, job in jobs:
            status, body = await call_json(host, port, "GET", f"/api/v1/scrape/{session}/scrape?jobId={job}")
            final[job] = body if status == 200 else {"status": f"HTTP {status}", "body": body}
        if all(s.get("status") in ("finished", "failed") for s in final.values()):
            break
        if time.monotonic() > finish_deadline:
            break
        await asyncio.sleep(1)
    jobs_over_after = time.monotonic() - began

    lat = sorted(stats.latencies)
    total = len(lat) + stats.errors.get("connection", 0)
    slow = sum(1 for x in lat if x > args.slow)
    print()
    print("== docscrape load run ==")
    print(f"pollers {args.pollers}, duration {wall:.1f} s, jobs {args.jobs} x maxIterations {args.max_iterations},"
          f" sites {len(site_ports)} x {args.pages} pages")
    print(f"requests      {total}")
    print(f"requests/s    {len(lat) / wall:.0f}")
    print(f"mean body     {stats.body_bytes / max(len(lat), 1) / 1024:.1f} KiB")
    print(f"errors        {sum(stats.errors.values())} {stats.errors if stats.errors else ''}")
    for sample in stats.error_samples:
        print(f"  e.g. {sample}")
    if lat:
        print(
            "latency ms    p50 {:.1f}  p90 {:.1f}  p99 {:.1f}  max {:.1f}".format(
                *(1000 * percentile(lat, p) for p in (50, 90, 99)), 1000 * lat[-1]
            )
        )
    print(f"slow polls    {slow} over {args.slow * 1000:.0f} ms")
    print(f"CPU busy      docscrape {server_cpu / wall:.2f} cores, this client {client_cpu / wall:.2f} cores"
          f" (of {os.cpu_count()}; sites are served by a child process)")
    print(f"jobs over after {jobs_over_after:.1f} s:")
    bad = 0
    for session, job in jobs:
        status = final.get(job, {})
        ok = status.get("status") == "finished"
        bad += 0 if ok else 1
        print(f"  {'ok ' if ok else 'BAD'} job {job} (session {session}): {describe(status)}")
    failed = bool(stats.errors) or bad > 0
    print("RESULT", "FAIL" if failed else "PASS")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of polling (default 60)")
    parser.add_argument("--pollers", type=int, default=1000, help="concurrent status pollers (default 1000)")
    parser.add_argument("--jobs", type=int, default=8, help="concurrent crawls (default 8)")
    parser.add_argument("--max-iterations", type=int, default=500, help="maxIterations of each job (default 500)")
    parser.add_argument("--pages", type=int, default=2000, help="pages of each generated site (default 2000)")
    parser.add_argument("--shared-site", action="store_true", help="one site for all jobs instead of one each")
    parser.add_argument("--finish-timeout", type=float, default=300, help="seconds to wait for jobs after polling")
    parser.add_argument("--slow", type=float, default=1.0, help="a poll slower than this many seconds is slow")
    parser.add_argument("--report-every", type=float, default=10, help="progress line interval in seconds")
    parser.add_argument("--binary", type=Path, default=ROOT / "target/release/docscrape")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (DB and server log)")
    args = parser.parse_args()

    if not args.binary.exists():
        print(f"{args.binary} missing: cargo build --release", flush=True)
        subprocess.run(["cargo", "build", "--release", "--bin", "docscrape"], cwd=ROOT, check=True)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.pollers + 1024
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))

    work = Path(tempfile.mkdtemp(prefix="docscrape-load-"))
    ports: multiprocessing.Queue = multiprocessing.Queue()
    sites = 1 if args.shared_site else args.jobs
    site_proc = multiprocessing.Process(target=serve_sites, args=(sites, args.pages, ports), daemon=True)
    site_proc.start()
    server = None
    try:
        site_ports = [ports.get(timeout=30) for _ in range(sites)]
        server, address = start_docscrape(args.binary, work / "load.db", args.jobs, work / "docscrape.log")
        hostport = address.removeprefix("http://")
        host, _, port = hostport.rpartition(":")
        print(f"docscrape at {address}, sites on ports {site_ports}, work dir {work}", flush=True)
        code = asyncio.run(run(args, host, int(port), site_ports, server.pid))
        if server.poll() is not None:
            print(f"docscrape exited with {server.returncode}", file=sys.stderr)
            code = 1
        return code
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        site_proc.terminate()
        site_proc.join(timeout=5)
        if args.keep:
            print(f"kept {work}")
        else:
            log = work / "docscrape.log"
            if log.exists() and log.stat().st_size:
                print("--- docscrape log (last 20 lines) ---")
                print("\n".join(log.read_text(errors="replace").splitlines()[-20:]))
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
