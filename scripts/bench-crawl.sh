#!/bin/sh
# End-to-end crawl benchmark beside Scrapy and wget -r; see scripts/bench_crawl.py and
# docs/benchmarks.md.
exec python3 "$(dirname "$0")/bench_crawl.py" "$@"
