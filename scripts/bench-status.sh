#!/bin/sh
# Status polls during four crawls beside a hello-world actix-web handler; see
# scripts/bench_status.py and docs/benchmarks.md.
exec python3 "$(dirname "$0")/bench_status.py" "$@"
