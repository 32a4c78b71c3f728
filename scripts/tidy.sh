#!/usr/bin/env bash
# scripts/tidy.sh BUILD_DIR [all] — clang-tidy 19 with the checked-in .clang-tidy
# (every warning an error) over the pure modules (core, detect, config), or over
# every source file with `all` (minutes per module with Boost.Asio).
set -euo pipefail
BUILD=${1:?usage: bash scripts/tidy.sh BUILD_DIR [all]}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
command -v clang-tidy-19 >/dev/null ||
  { echo "tidy: clang-tidy-19 is missing — run: bash scripts/deps.sh" >&2; exit 1; }
if [[ ${2:-} == all ]]; then
  mapfile -t files < <(git ls-files 'src/*.cc' | grep -v '_test\.cc$')
else
  mapfile -t files < <(git ls-files 'src/plugwatch/core/*.cc' 'src/plugwatch/detect/*.cc' \
                         'src/plugwatch/config/*.cc' | grep -v '_test\.cc$')
fi
echo "tidy: ${#files[@]} files"
printf '%s\n' "${files[@]}" |
  xargs -P "${JOBS:-2}" -n 4 clang-tidy-19 -p "$BUILD" --quiet 2> >(grep -v 'warnings generated' >&2)
echo "tidy: clean"
