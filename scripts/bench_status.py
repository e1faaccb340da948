#!/usr/bin/env python3
"""Status polls during crawls, beside the ceiling of a hello-world actix-web handler.

    scripts/bench-status.sh [--pages 10000] [--duration 10] [--connections 64]

Standard library plus wrk (installed with apt-get when missing). Steps:

1. builds `target/release/docscrape` and the `hello` example (a trivial actix-web JSON
   handler, the same framework and defaults) unless --binary/--hello are given;
2. serves a generated documentation site (scripts/gen-docsite.py, --pages) with nginx on
   four loopback ports, so that four jobs do not share one per-host limit;
3. starts docscrape and four crawls (one session each, budget = the site);
4. while they run: `wrk -t2 -cN --latency` for --duration seconds on the hello handler,
   then on `GET /api/v1/scrape/{session}/scrape?jobId=` of the first job, then on the
   hello handler again; prints requests/s and p99 of each and the ratio to the ceiling
   (the mean of the two hello runs), with the jobs' progress before and after;
5. unless --skip-finished: cancels the other three jobs, waits for the first to finish
   its whole site and times 50 sequential status requests of that finished job (whose
   result lists every saved page), printing the median and the slowest.

Everything shares the machine's cores: the crawls, wrk and the server under test. The
load average is printed; figures taken while other work runs are lower for both.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_crawl  # noqa: E402  (the sibling script: nginx, sites, docscrape process)

REPO = bench_crawl.REPO
log = bench_crawl.log


def wrk(url: str, duration: int, connections: int) -> dict:
    if shutil.which("wrk") is None:
        bench_crawl.apt_install("wrk")
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99_text = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99_text.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p99_ms": float(p99_text.group(1)) * scale,
            "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else ""}


class Hello:
    def __init__(self, binary: str):
        self.process = subprocess.Popen([binary, "127.0.0.1:0"], stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"http://(\S+)", line)
        if not match:
            raise SystemExit(f"hello did not start: {line!r}")
        self.url = f"http://{match.group(1)}/hello"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def progress(server: bench_crawl.Docscrape, jobs: list[tuple[str, str]]) -> list[int]:
    done = []
    for session, job in jobs:
        status = bench_crawl.http_json("GET", f"{server.base}/api/v1/scrape/{session}/scrape?jobId={job}")
        done.append(status["progress"].get("completedIterations") or 0)
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description="status polls during four crawls beside a hello-world handler")
    parser.add_argument("--pages", type=int, default=10000, help="pages of the generated site (default 10000)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--binary")
    parser.add_argument("--hello")
    parser.add_argument("--work", default=os.path.join(REPO, "target", "bench"))
    parser.add_argument("--skip-finished", action="store_true", help="do not wait for a whole crawl to time a finished job's status")
    args = parser.parse_args()
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    if not args.binary or not args.hello:
        log("building docscrape and the hello example (cargo build --release)")
        bench_crawl.run(["cargo", "build", "--release", "--quiet", "--bin", "docscrape", "--example", "hello"], cwd=REPO)
    binary = args.binary or os.path.join(REPO, "target", "release", "docscrape")
    hello_binary = args.hello or os.path.join(REPO, "target", "release", "examples", "hello")

    root = bench_crawl.prepare_generated(work, args.pages)
    sites = {f"copy-{n}": root for n in range(4)}
    nginx = bench_crawl.Nginx(work, sites)
    server = bench_crawl.Docscrape(binary, work, [])
    hello = Hello(hello_binary)
    report = {"machine": bench_crawl.machine(), "pages": args.pages, "connections": args.connections,
              "duration_s": args.duration}
    try:
        jobs = []
        for name in sites:
            session = bench_crawl.http_json("POST", f"{server.base}/api/v1/session")["sessionId"]
            job = bench_crawl.http_json("POST", f"{server.base}/api/v1/scrape/{session}/scrape", {
                "starterLinks": [nginx.url(name)], "applicationName": "Acme",
                "maxIterations": args.pages + 100, "skipCache": True})["jobId"]
            jobs.append((session, job))
        time.sleep(3)
        report["progress_before"] = progress(server, jobs)
        report["load_before"] = os.getloadavg()[0]
        log(f"4 crawls running: {report['progress_before']} pages; load {report['load_before']:.2f}")
        session, job = jobs[0]
        status_url = f"{server.base}/api/v1/scrape/{session}/scrape?jobId={job}"
        report["hello_1"] = wrk(hello.url, args.duration, args.connections)
        report["status"] = wrk(status_url, args.duration, args.connections)
        report["hello_2"] = wrk(hello.url, args.duration, args.connections)
        report["progress_after"] = progress(server, jobs)
        ceiling = (report["hello_1"]["rps"] + report["hello_2"]["rps"]) / 2
        report["ratio"] = report["status"]["rps"] / ceiling if ceiling else 0.0
        print(f"\nstatus polls during 4 crawls ({args.pages}-page site, wrk -t2 -c{args.connections}, {args.duration} s each)")
        for name in ("hello_1", "status", "hello_2"):
            row = report[name]
            print(f"  {name:<8} {row['rps']:>10.0f} req/s   p99 {row['p99_ms']:>7.2f} ms   non-2xx {row['non_2xx']}")
        print(f"  status / hello-world ceiling: {report['ratio']:.2f}")
        print(f"  crawl progress: {report['progress_before']} -> {report['progress_after']} pages")
        sys.stdout.flush()

        if not args.skip_finished:
            for other_session, other_job in jobs[1:]:
                bench_crawl.http_json("DELETE", f"{server.base}/api/v1/scrape/{other_session}/scrape?jobId={other_job}")
            log("waiting for the first crawl to finish its site")
            while True:
                status = bench_crawl.http_json("GET", status_url)
                if status["status"] in ("finished", "failed"):
                    break
                time.sleep(1)
            timings = []
            size = 0
            for _ in range(50):
                started = time.perf_counter()
                with urllib.request.urlopen(status_url, timeout=60) as response:
                    size = len(response.read())
                timings.append((time.perf_counter() - started) * 1000)
            report["finished"] = {"saved_pages": status["result"]["savedPagesCount"], "bytes": size,
                                  "median_ms": statistics.median(timings), "max_ms": max(timings)}
            fin = report["finished"]
            print(f"\nfinished job of {fin['saved_pages']} pages: status of {fin['bytes'] / 1e6:.2f} MB "
                  f"in {fin['median_ms']:.1f} ms (median of 50), slowest {fin['max_ms']:.1f} ms")
    finally:
        hello.stop()
        server.stop()
        nginx.stop()
    out = os.path.join(work, f"status-{time.strftime('%Y%m%d-%H%M%S')}.json")
    with open(out, "w") as fh:
        json.dump(report, fh, indent=2)
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
