#!/usr/bin/env bash
# Fuzzes the HTTP API from its own OpenAPI document with Schemathesis: every operation gets
# generated valid and invalid requests, and every response must be a non-5xx answer that
# conforms to the documented schema. Exits non-zero on any failure.
#
#   scripts/schemathesis.sh                 # 30 examples per operation, 2 workers
#   MAX_EXAMPLES=100 WORKERS=1 SEED=1 scripts/schemathesis.sh
#   scripts/schemathesis.sh --phases examples,coverage   # extra flags go to `schemathesis run`
#   SCHEMA=/path/to/other-openapi.json scripts/schemathesis.sh \
#       --include-path-regex '^/api/v1/(session|scrape)'     # another service's document
#
# SCHEMA fuzzes docscrape with someone else's description of the same API, e.g. the original
# Python service's OpenAPI document (not in this repository): its undocumented 404/409 and
# its looser request schema (docscrape validates links and budgets) are expected findings.
#
# Needs Python 3.11+ with venv; Schemathesis is installed from PyPI into a virtualenv under
# target/ (pinned below; checked with Python 3.11.7).
#
# No crawling of the outside world: POST …/scrape is fuzzed too (its validation is the
# largest input surface of the API), so accepted requests do start jobs. The server runs
# without --allow-private-networks (loopback and private addresses are refused), with a page
# budget cap of 1 (--max-iterations-cap 1: a larger maxIterations is a 422, so most accepted
# jobs make at most one fetch attempt), one attempt per URL, short timeouts, one job at a
# time; the crawler ignores proxy variables and this machine has no route out, so a fetch
# that gets that far fails at once. With real network access an accepted job could
# still make one GET (plus robots.txt) to a generated host name; set EXCLUDE_SCRAPE=1 to
# leave POST …/scrape out of the run entirely in such an environment.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES=${MAX_EXAMPLES:-30}
WORKERS=${WORKERS:-2}
VENV=${SCHEMATHESIS_VENV:-target/schemathesis-venv}

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build --quiet --bin docscrape

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# Port 0: the server picks a free port and prints `docscrape listening on http://ADDR` first.
HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9 \
http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 all_proxy=http://127.0.0.1:9 \
NO_PROXY= no_proxy= RUST_LOG=${RUST_LOG:-warn} \
    target/debug/docscrape serve --bind 127.0.0.1:0 --db "$WORK/s.db" \
    --max-iterations-cap 1 --default-max-iterations 1 --max-attempts 1 \
    --connect-timeout-secs 2 --request-timeout-secs 5 --max-concurrent-jobs 1 \
    --job-concurrency 1 --max-polite-delay-secs 0 \
    >"$WORK/stdout" 2>"$WORK/stderr" &
SERVER_PID=$!

BASE=
for _ in $(seq 1 300); do
    BASE=$(sed -n 's/^docscrape listening on \(http:\/\/.*\)$/\1/p' "$WORK/stdout" | head -n 1)
    [ -n "$BASE" ] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "docscrape exited before listening:" >&2
        cat "$WORK/stderr" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$BASE" ]; then
    echo "docscrape did not print its address within 30 s" >&2
    exit 1
fi
echo "docscrape at $BASE (log: kept on failure)"

FILTER=()
if [ "${EXCLUDE_SCRAPE:-0}" = 1 ]; then
    FILTER=(--exclude-operation-id start_scrape)
fi
SEED_ARGS=()
if [ -n "${SEED:-}" ]; then
    SEED_ARGS=(--seed "$SEED")
fi

status=0
SCHEMA_ARGS=("$BASE/openapi.json")
if [ -n "${SCHEMA:-}" ]; then
    SCHEMA_ARGS=("$SCHEMA" --url "$BASE")
fi
"$VENV/bin/schemathesis" run "${SCHEMA_ARGS[@]}" \
    --checks not_a_server_error,response_schema_conformance \
    --max-examples "$MAX_EXAMPLES" \
    --workers "$WORKERS" \
    --request-timeout 30 \
    --generation-database none \
    --no-color \
    "${SEED_ARGS[@]}" "${FILTER[@]}" "$@" || status=$?

if [ "$status" -ne 0 ]; then
    echo "--- docscrape stderr (last 50 lines) ---" >&2
    tail -n 50 "$WORK/stderr" >&2
fi
exit "$status"
