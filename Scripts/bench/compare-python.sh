#!/usr/bin/env bash
# Swift `map` against the Python pydantic peer, interleaved on the same generated fleet so that
# both see the same machine load (on a shared machine, runs minutes apart differ by 1.5x).
# Usage: Scripts/bench/compare-python.sh [DEVICES] [ROUNDS]   (defaults: 20000, 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
devices="${1:-20000}"
rounds="${2:-3}"
bin="${SCRATCH:-.build-release}/release"
fleet="$(mktemp -d)"
trap 'rm -rf "$fleet"' EXIT
"$bin/eset-mock" generate --devices "$devices" --out "$fleet" >&2
for round in $(seq 1 "$rounds"); do
    "$bin/eset-bench" map --devices "$devices" --runs 3 2>/dev/null | grep 'run=best' | sed "s/^/round=$round /"
    python3 Scripts/bench/pydantic_peer.py "$fleet/devices.json" --runs 3 | grep 'run=best' | sed "s/^/round=$round /"
done
