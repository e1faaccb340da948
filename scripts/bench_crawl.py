#!/usr/bin/env python3
"""End-to-end crawl benchmark: docscrape beside Scrapy and `wget -r` on the same sites.

    scripts/bench-crawl.sh                      # everything (python manual, 1k, 10k, 30k)
    scripts/bench-crawl.sh --sites python,gen-1000 --tools docscrape,scrapy

Standard library only (Scrapy runs in its own virtualenv). Steps:

1. the sites: the Python 3.11 manual (Debian `python3.11-doc`, installed with apt-get when
   missing, copied under the work directory with its one gzipped page unpacked) and
   generated API references of 1,000, 10,000 and 30,000 pages (scripts/gen-docsite.py,
   kept between runs); `NAME=FOLDER` adds any local folder (e.g. another manual from a
   Debian package), crawled from its index.html;
2. nginx (installed with apt-get when missing) serves every site on its own loopback port,
   one worker, no access log;
3. each tool crawls each site in turn, alone on the machine:
   - docscrape: `target/release/docscrape` (built unless --binary is given) started fresh
     on an empty database with `--allow-private-networks`; a session, one scrape job over
     its HTTP API with the site's root as starter link, polled until it ends. Wall time is
     the job's startedAt..finishedAt; CPU is the server process's user+system time over
     the job (from /proc), peak RSS its VmHWM;
   - Scrapy (pinned below, in target/bench/scrapy-venv): a same-site CrawlSpider that
     extracts each page's title and text into a JSON-lines feed, 32 requests at once, no
     delay, robots.txt obeyed; wall time is its elapsed_time_seconds, CPU and peak RSS
     from /usr/bin/time;
   - `wget -r -l inf -np -A html --delete-after`: sequential fetching only, the floor;
   - docscrape-pg (only when asked with --tools): the same docscrape run on a fresh
     database of a throwaway PostgreSQL cluster (Debian's server, initdb under the work
     directory, as the postgres user when run as root, default settings but fsync on);
     its CPU column is docscrape's, and the server's own CPU is reported beside it.
4. prints a table per site (pages, wall s, pages/s, CPU s, CPU ms/page, peak RSS MiB),
   the ratios docscrape/Scrapy and docscrape/wget, and for docscrape the CPU per page over
   the first and the last thousand pages of the crawl; writes everything as JSON to
   target/bench/crawl-<time>.json.

The load average before each run is recorded: other work on the machine slows the wall
clock figures, CPU per page much less.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRAPY_VERSION = "2.13.4"
PYTHON_DOCS = "/usr/share/doc/python3.11/html"
DEFAULT_SITES = "python,gen-1000,gen-10000,gen-30000"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, **kwargs)


def apt_install(package: str) -> None:
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    log(f"installing {package} with apt-get")
    run(sudo + ["apt-get", "update", "-qq"], env=env)
    run(sudo + ["apt-get", "install", "-y", "-qq", package], env=env)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------------------
# sites
# --------------------------------------------------------------------------------------

def prepare_python_docs(work: str) -> str:
    if not os.path.isfile(os.path.join(PYTHON_DOCS, "index.html")):
        apt_install("python3.11-doc")
    out = os.path.join(work, "python-3.11-html")
    if os.path.isfile(os.path.join(out, ".complete")):
        return out
    shutil.rmtree(out, ignore_errors=True)
    # Symlinks (jquery, underscore) resolved; gzipped pages unpacked, as a web server
    # that serves the manual would.
    shutil.copytree(PYTHON_DOCS, out, symlinks=False)
    for folder, _, files in os.walk(out):
        for name in files:
            if name.endswith(".html.gz"):
                path = os.path.join(folder, name)
                run(["gunzip", "-f", path])
    open(os.path.join(out, ".complete"), "w").close()
    return out


def prepare_generated(work: str, pages: int) -> str:
    out = os.path.join(work, f"site-{pages}")
    run([sys.executable, os.path.join(REPO, "scripts", "gen-docsite.py"), "--pages", str(pages), "--out", out])
    return out


class Nginx:
    """One nginx master serving each site root on its own loopback port."""

    def __init__(self, work: str, roots: dict[str, str]):
        if shutil.which("nginx") is None and not os.path.exists("/usr/sbin/nginx"):
            apt_install("nginx")
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.dir = os.path.join(work, "nginx")
        os.makedirs(self.dir, exist_ok=True)
        self.ports = {name: free_port() for name in roots}
        servers = "\n".join(
            f"  server {{ listen 127.0.0.1:{self.ports[name]}; root {root}; }}" for name, root in roots.items()
        )
        user = "user root;\n" if os.geteuid() == 0 else ""
        config = f"""{user}worker_processes 1;
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path {self.dir}/body;
  proxy_temp_path {self.dir}/proxy;
  fastcgi_temp_path {self.dir}/fastcgi;
  uwsgi_temp_path {self.dir}/uwsgi;
  scgi_temp_path {self.dir}/scgi;
{servers}
}}
"""
        path = os.path.join(self.dir, "nginx.conf")
        with open(path, "w") as fh:
            fh.write(config)
        self.process = subprocess.Popen([binary, "-e", f"{self.dir}/error.log", "-p", self.dir, "-c", path])
        for name, port in self.ports.items():
            self._wait(port)

    def _wait(self, port: int) -> None:
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"nginx did not listen on {port}; see {self.dir}/error.log")

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}/index.html"

    def stop(self) -> None:
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


# --------------------------------------------------------------------------------------
# tools
# --------------------------------------------------------------------------------------

def parse_time_v(text: str) -> tuple[float, float, int]:
    """CPU seconds, wall seconds and max RSS (KiB) from /usr/bin/time -v output."""
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", text).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", text).group(1))
    wall_text = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text).group(1)
    wall = 0.0
    for part in wall_text.split(":"):
        wall = wall * 60 + float(part)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return user + system, wall, rss


def run_wget(work: str, url: str) -> dict:
    target = tempfile.mkdtemp(dir=work, prefix="wget-")
    log_file = os.path.join(target, "wget.log")
    cmd = ["/usr/bin/time", "-v", "-o", os.path.join(target, "time.txt"),
           "wget", "-r", "-l", "inf", "-np", "-nv", "-A", "html", "--delete-after",
           "-P", os.path.join(target, "files"), "-o", log_file, url]
    subprocess.run(cmd)
    with open(os.path.join(target, "time.txt")) as fh:
        cpu, wall, rss = parse_time_v(fh.read())
    with open(log_file, errors="replace") as fh:
        pages = sum(1 for line in fh if " URL:" in line and ".html" in line)
    shutil.rmtree(target, ignore_errors=True)
    return {"pages": pages, "wall_s": wall, "cpu_s": cpu, "peak_rss_mib": rss / 1024}


SPIDER = r'''
import json, sys
from urllib.parse import urlsplit
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule

start, feed, out = sys.argv[1], sys.argv[2], sys.argv[3]
host = urlsplit(start).hostname
port = urlsplit(start).port

class DocSpider(CrawlSpider):
    name = "docs"
    start_urls = [start]
    allowed_domains = [host]
    rules = [Rule(LinkExtractor(), callback="parse_page", follow=True)]

    def parse_start_url(self, response):
        return self.parse_page(response)

    def parse_page(self, response):
        if urlsplit(response.url).port != port:
            return
        text = " ".join(t.strip() for t in response.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall() if t.strip())
        yield {"url": response.url, "title": response.xpath("//title/text()").get(), "text": text}

process = CrawlerProcess(settings={
    "CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 32, "DOWNLOAD_DELAY": 0,
    "ROBOTSTXT_OBEY": True, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
    "FEEDS": {feed: {"format": "jsonlines"}},
})
crawler = process.create_crawler(DocSpider)
process.crawl(crawler)
process.start()
stats = crawler.stats.get_stats()
with open(out, "w") as fh:
    json.dump({"items": stats.get("item_scraped_count", 0), "responses": stats.get("response_received_count", 0),
               "elapsed": stats.get("elapsed_time_seconds", 0)}, fh)
'''


def scrapy_python(work: str) -> str:
    venv = os.path.join(work, "scrapy-venv")
    python = os.path.join(venv, "bin", "python")
    stamp = os.path.join(venv, f".scrapy-{SCRAPY_VERSION}")
    if not os.path.isfile(stamp):
        shutil.rmtree(venv, ignore_errors=True)
        log(f"creating {venv} with Scrapy {SCRAPY_VERSION}")
        run([sys.executable, "-m", "venv", venv])
        run([python, "-m", "pip", "install", "-q", f"scrapy=={SCRAPY_VERSION}"])
        open(stamp, "w").close()
    return python


def run_scrapy(work: str, url: str) -> dict:
    python = scrapy_python(work)
    target = tempfile.mkdtemp(dir=work, prefix="scrapy-")
    spider = os.path.join(target, "spider.py")
    with open(spider, "w") as fh:
        fh.write(SPIDER)
    feed, out = os.path.join(target, "items.jsonl"), os.path.join(target, "stats.json")
    time_file = os.path.join(target, "time.txt")
    subprocess.run(["/usr/bin/time", "-v", "-o", time_file, python, spider, url, feed, out], check=True)
    with open(time_file) as fh:
        cpu, _, rss = parse_time_v(fh.read())
    with open(out) as fh:
        stats = json.load(fh)
    shutil.rmtree(target, ignore_errors=True)
    return {"pages": stats["items"], "wall_s": stats["elapsed"], "cpu_s": cpu, "peak_rss_mib": rss / 1024}


def proc_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of the whole line, 12 and 13 after ")".
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_hwm_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def http_json(method: str, url: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def parse_ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


class PgCluster:
    """A throwaway PostgreSQL cluster on a free loopback port, for docscrape-pg."""

    def __init__(self, work: str):
        bins = sorted(d for d in os.listdir("/usr/lib/postgresql") if os.path.exists(f"/usr/lib/postgresql/{d}/bin/initdb")) \
            if os.path.isdir("/usr/lib/postgresql") else []
        if not bins:
            apt_install("postgresql")
            bins = sorted(os.listdir("/usr/lib/postgresql"))
        self.bin = f"/usr/lib/postgresql/{bins[-1]}/bin"
        self.dir = tempfile.mkdtemp(dir=work, prefix="pg-")
        self.as_root = os.geteuid() == 0
        if self.as_root:
            run(["chown", "postgres:postgres", self.dir])
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self._as_postgres([f"{self.bin}/initdb", "-D", self.data, "-A", "trust", "-U", "postgres"])
        self._as_postgres([f"{self.bin}/pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"), "-w",
                           "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200",
                           "start"])
        with open(os.path.join(self.data, "postmaster.pid")) as fh:
            self.postmaster = int(fh.readline())
        self.databases = 0

    def _as_postgres(self, cmd: list[str]) -> None:
        run((["runuser", "-u", "postgres", "--"] if self.as_root else []) + cmd, stdout=subprocess.DEVNULL)

    def fresh_database(self) -> str:
        self.databases += 1
        name = f"bench{self.databases}"
        self._as_postgres([f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name])
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def cpu_seconds(self) -> float:
        """CPU of the postmaster and every backend it started."""
        total = 0.0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(entry) == self.postmaster or int(fields[1]) == self.postmaster:
                total += (int(fields[11]) + int(fields[12])) / CLK_TCK
        return total

    def stop(self) -> None:
        self._as_postgres([f"{self.bin}/pg_ctl", "-D", self.data, "-m", "fast", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


class Docscrape:
    def __init__(self, binary: str, work: str, extra: list[str], db: str | None = None):
        self.dir = tempfile.mkdtemp(dir=work, prefix="docscrape-")
        self.stderr = open(os.path.join(self.dir, "server.log"), "w")
        cmd = [binary, "serve", "--bind", "127.0.0.1:0", "--db", db or os.path.join(self.dir, "bench.db"),
               "--allow-private-networks", "--max-iterations-cap", "1000000", *extra]
        env = dict(os.environ, RUST_LOG=os.environ.get("RUST_LOG", "warn"))
        self.process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.stderr, text=True, env=env)
        line = self.process.stdout.readline()
        match = re.search(r"http://(\S+)", line)
        if not match:
            raise SystemExit(f"docscrape did not start: {line!r}; see {self.dir}/server.log")
        self.base = f"http://{match.group(1)}"

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_docscrape(binary: str, work: str, url: str, name: str, extra: list[str], perf: str | None,
                  pg: PgCluster | None = None) -> dict:
    server = Docscrape(binary, work, extra, pg.fresh_database() if pg else None)
    profiler = None
    try:
        pid = server.process.pid
        if perf:
            # Attached to the running server, so that start-up is not in the profile.
            out = f"{perf}.{name}.data"
            profiler = subprocess.Popen(["perf", "record", "-q", "-F", "999", "--call-graph", "dwarf,16384",
                                         "-p", str(pid), "-o", out], stderr=subprocess.DEVNULL)
            time.sleep(0.5)
        session = http_json("POST", f"{server.base}/api/v1/session")["sessionId"]
        cpu_before = proc_cpu_seconds(pid)
        pg_cpu_before = pg.cpu_seconds() if pg else 0.0
        job = http_json("POST", f"{server.base}/api/v1/scrape/{session}/scrape", {
            "starterLinks": [url], "applicationName": "Python" if name == "python" else "Acme",
            "maxIterations": 1_000_000, "skipCache": True,
        })["jobId"]
        status_url = f"{server.base}/api/v1/scrape/{session}/scrape?jobId={job}"
        samples = []  # (iterations, cpu seconds)
        last_log = time.time()
        while True:
            status = http_json("GET", status_url)
            done = status["progress"].get("completedIterations") or 0
            samples.append((done, proc_cpu_seconds(pid) - cpu_before))
            if status["status"] in ("finished", "failed"):
                break
            if time.time() - last_log > 10:
                log(f"    docscrape {name}: {done} pages")
                last_log = time.time()
            time.sleep(0.2)
        cpu = proc_cpu_seconds(pid) - cpu_before
        rss = proc_hwm_kib(pid)
        pg_cpu = pg.cpu_seconds() - pg_cpu_before if pg else None
        if profiler:
            profiler.send_signal(signal.SIGINT)
            profiler.wait()
            log(f"    profile: perf report -i {perf}.{name}.data")
        if status["status"] != "finished":
            raise SystemExit(f"docscrape job failed: {json.dumps(status)[:2000]}")
        wall = parse_ts(status["updatedAt"]) - parse_ts(status["startedAt"])
        result = status["result"]
        pages = status["progress"]["completedIterations"]
        out = {"pages": pages, "saved_pages": result["savedPagesCount"], "chunks": result["pageChunksCount"],
               "wall_s": wall, "cpu_s": cpu, "peak_rss_mib": rss / 1024}
        out.update(cpu_per_page_over_crawl(samples))
        if pg_cpu is not None:
            out["server_cpu_s"] = pg_cpu
        return out
    finally:
        server.stop()


def cpu_per_page_over_crawl(samples: list[tuple[int, float]]) -> dict:
    """CPU ms per page over about the first and the last thousand pages of the crawl."""
    if not samples or samples[-1][0] < 2500:
        return {}
    total = samples[-1][0]

    def window(start: int, end: int) -> float:
        first = next((s for s in samples if s[0] >= start), samples[-1])
        last = next((s for s in samples if s[0] >= end), samples[-1])
        pages = last[0] - first[0]
        return 1000 * (last[1] - first[1]) / pages if pages else 0.0

    return {"cpu_ms_first_1000": window(100, 1100), "cpu_ms_last_1000": window(total - 1100, total - 100)}


# --------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------

def finish_row(row: dict) -> dict:
    row["pages_per_s"] = row["pages"] / row["wall_s"] if row["wall_s"] else 0.0
    row["cpu_ms_per_page"] = 1000 * row["cpu_s"] / row["pages"] if row["pages"] else 0.0
    return row


def print_site(name: str, rows: dict[str, dict]) -> None:
    print(f"\n## {name}")
    print(f"{'tool':<12} {'pages':>7} {'wall s':>8} {'pages/s':>9} {'CPU s':>8} {'CPU ms/page':>12} {'peak RSS MiB':>13} {'load':>5}")
    for tool, row in rows.items():
        print(f"{tool:<12} {row['pages']:>7} {row['wall_s']:>8.2f} {row['pages_per_s']:>9.1f} {row['cpu_s']:>8.2f} "
              f"{row['cpu_ms_per_page']:>12.2f} {row['peak_rss_mib']:>13.1f} {row['load_before']:>5.2f}")
    doc = rows.get("docscrape")
    if doc:
        if "saved_pages" in doc:
            print(f"docscrape saved {doc['saved_pages']} pages in {doc['chunks']} chunks")
        if "cpu_ms_first_1000" in doc:
            print(f"docscrape CPU ms/page: first thousand pages {doc['cpu_ms_first_1000']:.2f}, "
                  f"last thousand {doc['cpu_ms_last_1000']:.2f}")
        pg_row = rows.get("docscrape-pg")
        if pg_row and "server_cpu_s" in pg_row:
            print(f"docscrape-pg: PostgreSQL server CPU {pg_row['server_cpu_s']:.2f} s "
                  f"({1000 * pg_row['server_cpu_s'] / max(pg_row['pages'], 1):.2f} ms/page) beside docscrape's; "
                  f"pages/s {pg_row['pages_per_s'] / doc['pages_per_s']:.2f} of SQLite's")
        for other in ("scrapy", "wget"):
            if other in rows and rows[other]["pages_per_s"]:
                ratio = doc["pages_per_s"] / rows[other]["pages_per_s"]
                print(f"docscrape / {other} pages/s: {ratio:.2f}")
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description="docscrape beside Scrapy and wget -r on the same sites")
    parser.add_argument("--sites", default=DEFAULT_SITES, help=f"comma-separated (default {DEFAULT_SITES}); gen-N is a generated site of N pages, "
                        "NAME=FOLDER a local folder crawled from its index.html")
    parser.add_argument("--tools", default="docscrape,scrapy,wget",
                        help="any of docscrape, docscrape-pg (on PostgreSQL), scrapy, wget")
    parser.add_argument("--binary", help="docscrape binary (default: cargo build --release)")
    parser.add_argument("--work", default=os.path.join(REPO, "target", "bench"))
    parser.add_argument("--docscrape-arg", action="append", default=[], help="extra server flag (repeatable)")
    parser.add_argument("--perf", metavar="PREFIX", help="record docscrape with perf into PREFIX.<site>.data")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each tool on each site (the fastest is kept)")
    args = parser.parse_args()
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    tools = [t for t in args.tools.split(",") if t]
    sites = [s for s in args.sites.split(",") if s]

    binary = args.binary
    if "docscrape" in tools and not binary:
        log("building docscrape (cargo build --release)")
        run(["cargo", "build", "--release", "--quiet"], cwd=REPO)
        binary = os.path.join(REPO, "target", "release", "docscrape")
    if "wget" in tools and shutil.which("wget") is None:
        apt_install("wget")
    if "scrapy" in tools:
        scrapy_python(work)
    pg = PgCluster(work) if "docscrape-pg" in tools else None

    roots = {}
    for site in sites:
        if site == "python":
            roots[site] = prepare_python_docs(work)
        elif site.startswith("gen-"):
            roots[site] = prepare_generated(work, int(site[4:]))
        elif "=" in site:
            name, folder = site.split("=", 1)
            if not os.path.isfile(os.path.join(folder, "index.html")):
                raise SystemExit(f"{folder} has no index.html to start {name} from")
            roots[name] = os.path.abspath(folder)
        else:
            raise SystemExit(f"unknown site {site}: python, gen-N or NAME=FOLDER")
    sites = list(roots)

    nginx = Nginx(work, roots)
    report = {"started": datetime.now(timezone.utc).isoformat(), "machine": machine(), "sites": {}}
    try:
        for site in sites:
            rows = {}
            for tool in tools:
                best = None
                for attempt in range(args.repeat):
                    load = os.getloadavg()[0]
                    log(f"{site}: {tool} (run {attempt + 1}/{args.repeat}, load {load:.2f})")
                    if tool == "docscrape":
                        row = run_docscrape(binary, work, nginx.url(site), site, args.docscrape_arg, args.perf)
                    elif tool == "docscrape-pg":
                        row = run_docscrape(binary, work, nginx.url(site), site, args.docscrape_arg, None, pg)
                    elif tool == "scrapy":
                        row = run_scrapy(work, nginx.url(site))
                    elif tool == "wget":
                        row = run_wget(work, nginx.url(site))
                    else:
                        raise SystemExit(f"unknown tool {tool}")
                    row["load_before"] = load
                    row = finish_row(row)
                    if best is None or row["wall_s"] < best["wall_s"]:
                        best = row
                rows[tool] = best
            report["sites"][site] = rows
            print_site(site, rows)
    finally:
        nginx.stop()
        if pg:
            pg.stop()
    out = os.path.join(work, f"crawl-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json")
    with open(out, "w") as fh:
        json.dump(report, fh, indent=2)
    print(f"\nresults: {out}")
    return 0


def machine() -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    return {"cpus": os.cpu_count(), "cpu": model, "commit": commit, "load": os.getloadavg()}


if __name__ == "__main__":
    sys.exit(main())
