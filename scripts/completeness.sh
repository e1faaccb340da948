#!/bin/sh
# Completeness run against the Python 3.11 HTML manual; see docs/completeness.md.
exec python3 "$(dirname "$0")/completeness.py" "$@"
