#!/usr/bin/env bash
# Every sweep, then BENCHMARKS.md regenerated from the JSON files.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
set -euo pipefail
for sweep in delivery cameras motion resolution state-backend; do
    bash "$here/$sweep.sh"
done
python3 "$here/report.py"
