#!/usr/bin/env bash
# scripts/fuzz.sh [TARGET…] — builds the libFuzzer targets (preset `fuzz`:
# clang, ASan + UBSan) and runs each for FUZZ_SECONDS (default 60).
#
# Each target starts from the checked-in seeds (fuzz/corpus/<name>/) plus what
# earlier runs found (build-fuzz/corpus/<name>/, kept between runs). A crash,
# a sanitizer report or a violated property stops that target; the input is
# saved as build-fuzz/artifacts/<name>/crash-… and the script exits 1 after
# running the others. To keep a finding as a regression test, fix the bug and
# copy the input into fuzz/corpus/<name>/ (the unit tests replay that folder).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build-fuzz
SECONDS_EACH=${FUZZ_SECONDS:-60}
ALL=(tapo_answer klap_frame tapo_emulator config simple_request api_request)
TARGETS=("${@:-${ALL[@]}}")
[[ $# -gt 0 ]] || TARGETS=("${ALL[@]}")

command -v clang++-19 >/dev/null ||
  { echo "fuzz: clang++-19 is missing — run: bash scripts/deps.sh fuzz" >&2; exit 1; }
[[ -f $BUILD/build.ninja ]] || cmake --preset fuzz -S "$ROOT" >/dev/null
cmake --build "$BUILD" -j"${JOBS:-2}" --target "${TARGETS[@]/#/plugwatch_fuzz_}"

failed=()
for t in "${TARGETS[@]}"; do
  corpus=$BUILD/corpus/$t artifacts=$BUILD/artifacts/$t
  mkdir -p "$corpus" "$artifacts"
  echo "== $t: ${SECONDS_EACH}s (corpus $corpus, seeds fuzz/corpus/$t)"
  if "$BUILD/fuzz/plugwatch_fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=10 \
       -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
       -artifact_prefix="$artifacts/" "$corpus" "$ROOT/fuzz/corpus/$t" \
       >"$BUILD/$t.log" 2>&1; then
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)|cov: ' "$BUILD/$t.log" | tail -3 | sed 's/^/   /'
  else
    failed+=("$t")
    echo "   FAILED — see $BUILD/$t.log and $artifacts/"
    grep -E 'ERROR|property violated|SUMMARY' "$BUILD/$t.log" | head -5 | sed 's/^/   /'
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: findings in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#TARGETS[@]} targets, ${SECONDS_EACH}s each, nothing found"
