#!/usr/bin/env bash
# bench/smoke.sh BUILD_DIR — a short run of every benchmark, so that `make test`
# notices when one stops working (QUALITY.md: "a short smoke run of the rest").
# The figures of a smoke run mean nothing; `make bench` measures.
#   poll fan-out:      200 plugs, 1 run, 2 s warm-up + 5 s
#   API queries:       1,000 devices, 7 days of history, 20 requests each
#   heartbeat ingest:  1 run of 2 s against nginx
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: bash bench/smoke.sh BUILD_DIR" >&2; exit 2; }
BUILD=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export OUT

echo "bench smoke: poll fan-out (bench/run.sh --quick)"
bash "$ROOT/bench/run.sh" "$BUILD" --quick >"$OUT/poll.log" 2>&1 ||
  { cat "$OUT/poll.log"; exit 1; }
grep -E '^\| +200 \| plugwatch' "$OUT/poll.log"

echo "bench smoke: API queries (plugwatch_bench_api)"
"$BUILD/bench/plugwatch_bench_api" --devices 1000 --requests 20 --days 7 >"$OUT/api.log" 2>&1 ||
  { cat "$OUT/api.log"; exit 1; }
grep -E '^\| GET' "$OUT/api.log"

echo "bench smoke: heartbeat ingest (bench/heartbeat_ingest.sh)"
RUNS=1 DURATION=2 bash "$ROOT/bench/heartbeat_ingest.sh" "$BUILD" >"$OUT/ingest.log" 2>&1 ||
  { cat "$OUT/ingest.log"; exit 1; }
grep -E '^\| [0-9]+ \|' "$OUT/ingest.log"
echo "bench smoke: ok"
