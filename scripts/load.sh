#!/bin/sh
# Load run of the release binary; see scripts/load.py --help and docs/benchmarks.md.
exec python3 "$(dirname "$0")/load.py" "$@"
