#!/usr/bin/env bash
# Runs every benchmark of docs/benchmarks.md in release mode and keeps the figures.
# Usage: Scripts/bench/run-all.sh [OUTPUT_FILE]   (default: bench-results.txt)
# Needs: the Swift toolchain; optional: nginx and wrk (apt-get install -y nginx wrk) for the
# serve comparison, python3 with pydantic for the Python peer of `map`.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-bench-results.txt}"
scratch="${SCRATCH:-.build-release}"

swift build -c release --scratch-path "$scratch" --product eset-bench >&2
swift build -c release --scratch-path "$scratch" --product eset-mock >&2
swift build -c release --scratch-path "$scratch" --product eset-connector >&2
bin="$scratch/release"

{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
    "$bin/eset-bench" map --devices 100000 --runs 10
    "$bin/eset-bench" map --devices 100000 --runs 10 --threads 2
    "$bin/eset-bench" map --devices 100000 --runs 5 --profile ocsf-strict
    "$bin/eset-bench" map --devices 100000 --runs 3 --decoder tree
    if python3 -c 'import pydantic' 2>/dev/null; then
        fleet="$(mktemp -d)"
        "$bin/eset-mock" generate --devices 20000 --out "$fleet" >&2
        python3 Scripts/bench/pydantic_peer.py "$fleet/devices.json" --runs 3
        rm -rf "$fleet"
    fi
    if python3 -c 'import pydantic' 2>/dev/null; then
        "$bin/eset-bench" map-process --devices 50000 --runs 3 --python Scripts/bench/pydantic_peer.py
    else
        "$bin/eset-bench" map-process --devices 50000 --runs 3
    fi
    "$bin/eset-bench" map-process --devices 50000 --runs 3 --threads 1
    "$bin/eset-bench" map-process --devices 500000 --runs 2        # peak RSS must match 50,000's
    "$bin/eset-bench" serve --devices 10000 --connections 1,8,64 --seconds 5 --mock-data MockData
    "$bin/eset-bench" serve --devices 10000 --page-size 100 --connections 8 --seconds 5   # issue 16: small pages
    "$bin/eset-bench" collect --devices 100000,1000000
    "$bin/eset-bench" mock-start --devices 1000000 --runs 3 --walk-pages 20
} | tee "$out"
