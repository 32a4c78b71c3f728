#!/usr/bin/env bash
# Installs every Debian package the build and the tests need, idempotently:
# packages already present are skipped, `apt-get update` runs at most once,
# and sudo is used only when not root.
#
#   bash scripts/deps.sh          build and tests
#   bash scripts/deps.sh bench    also what the benchmarks need (wrk, nginx)
#   bash scripts/deps.sh fuzz     also what the fuzzers need (clang 19, libFuzzer)
set -euo pipefail

packages=(
  build-essential g++ cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev sqlite3 libtomlplusplus-dev libcli11-dev
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-pytest python3-cryptography curl
  tzdata      # site time zones (quiet hours) are read from /usr/share/zoneinfo
  clang-format clang-tidy-19
  prometheus  # promtool checks /metrics in the tests
  chromium    # the browser tests drive it through playwright-core (tests/browser)
)
case ${1:-} in
  bench) packages+=(wrk nginx-light) ;;
  fuzz) packages+=(clang-19 libclang-rt-19-dev) ;;
esac

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

# The dashboard (web/) is built with Node.js and npm. Debian's nodejs + npm
# only when the commands are missing: a Node.js from elsewhere (e.g. one that
# bundles npm) conflicts with Debian's npm package. The npm packages
# themselves come from web/package-lock.json through `npm ci` in the build.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "deps: installing ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "deps: all Debian packages present"
fi
