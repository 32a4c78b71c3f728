#!/usr/bin/env bash
# bench/heartbeat_ingest.sh BUILD_DIR
#
# Heartbeat ingest (QUALITY.md: >= 80 % of the requests/s that nginx serves
# for `return 204` on the same core, with the token checked and every
# acknowledged heartbeat durable). In one run it alternates:
#   - nginx, one worker, `return 204`, pinned to CPU 0;
#   - `plugwatch serve` with one [[heartbeats]] label and a token, pinned to
#     CPU 0 (the whole process: its event loop and the SQLite writer thread);
# each loaded by wrk on CPU 1 with keep-alive connections, at each number of
# connections in CONNECTIONS. plugwatch gets `POST /api/heartbeat` with a
# JSON body and the Bearer token, and answers only after the heartbeat is
# committed (synchronous=FULL, group commit: one fsync per batch, and a batch
# can hold at most one heartbeat per connection — ADR 0014).
# It prints a markdown table of medians and the ratio plugwatch / nginx per
# number of connections, and the verdict, judged at 256 connections (ADR
# 0015): nginx is at its full rate there, and a fleet of heartbeat clients
# large enough for the ingest rate to matter has at least that many
# connections. The other levels show how the ratio rises with concurrency
# (a commit holds at most one heartbeat per connection). It writes
# BUILD/bench-results/heartbeat_ingest-<UTC>.{md,log}.
#
# Environment: RUNS=5 DURATION=5 CONNECTIONS="64 128 256 1024" THREADS=1
#   BASELINE=/path/to/plugwatch: compare against that plugwatch build (same
#   heartbeats, same checks) instead of nginx — an A/B of two builds.
# Needs wrk and nginx: bash scripts/deps.sh bench (make bench does it).
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: bash bench/heartbeat_ingest.sh BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
RUNS=${RUNS:-5}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-64 128 256 1024}
JUDGED_AT=256
THREADS=${THREADS:-1}
OUT=${OUT:-$BUILD/bench-results}
mkdir -p "$OUT"
for tool in wrk nginx taskset; do
  command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] ||
    { echo "heartbeat_ingest: $tool is missing — run bash scripts/deps.sh bench" >&2; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $BUILD/plugwatch ]] || { echo "heartbeat_ingest: $BUILD/plugwatch is missing — run make build" >&2; exit 1; }
BASELINE=${BASELINE:-}
[[ -z $BASELINE || -x $BASELINE ]] ||
  { echo "heartbeat_ingest: BASELINE=$BASELINE is not an executable plugwatch" >&2; exit 1; }

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
LOG=$OUT/heartbeat_ingest-$STAMP.log
MD=$OUT/heartbeat_ingest-$STAMP.md
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {
  for _ in $(seq 100); do
    (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "heartbeat_ingest: nothing listens on port $1" >&2
  return 1
}

TOKEN=bench-heartbeat-token
cat >"$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"label":"POWER"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA

# CPU 0's busy and total jiffies (/proc/stat: all but idle and iowait).
cpu0() { awk '$1 == "cpu0" {t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t}' /proc/stat; }

# wrk's "Requests/sec:" line, how many responses were not 2xx, the p99, and
# how busy CPU 0 (the server's) was meanwhile, in %: a server that leaves
# CPU 0 idle is waiting (for its disk), not saturated.
run_wrk() {  # CONNECTIONS URL [script]
  local args=(-t"$THREADS" -c"$1" -d"${DURATION}s" --latency)
  [[ -n ${3:-} ]] && args+=(-s "$3")
  local busy0 total0 busy1 total1
  read -r busy0 total0 < <(cpu0)
  taskset -c 1 wrk "${args[@]}" "$2" >"$WORK/wrk.out" 2>&1
  read -r busy1 total1 < <(cpu0)
  cat "$WORK/wrk.out" >>"$LOG"
  local rps non2xx p99 busy
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$WORK/wrk.out")
  p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.out")
  busy=$(awk -v b=$((busy1 - busy0)) -v t=$((total1 - total0)) 'BEGIN {printf "%.0f", t ? 100 * b / t : 0}')
  echo "${rps:-0} ${non2xx:-0} ${p99:-?} $busy"
}

start_nginx() {
  local port=$1
  mkdir -p "$WORK/nginx/logs"
  cat >"$WORK/nginx/nginx.conf" <<NGX
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server { listen 127.0.0.1:$port; location / { return 204; } }
}
NGX
  taskset -c 0 "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >>"$LOG" 2>&1 &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  wait_port "$port"
}

start_plugwatch() {  # BINARY PORT RUN
  local bin=$1 port=$2 run=$3
  mkdir -p "$WORK/pw$run"
  cat >"$WORK/pw$run/plugwatch.toml" <<TOML
[server]
listen = "127.0.0.1:$port"
[storage]
path = "plugwatch.db"
[[heartbeats]]
label = "POWER"
token = "$TOKEN"
period = "10s"
grace = "40s"
TOML
  taskset -c 0 "$bin" --log-level warn serve -c "$WORK/pw$run/plugwatch.toml" \
    >>"$LOG" 2>&1 &
  PW_PID=$!
  PIDS+=("$PW_PID")
  wait_port "$port"
}

stop() { kill "$1"; wait "$1" 2>/dev/null || true; }

# wrk and the servers need a descriptor per connection.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "heartbeat ingest: $RUNS runs × ${DURATION}s per level, wrk -t$THREADS -c{${CONNECTIONS// /,}} on CPU 1, servers on CPU 0" | tee -a "$LOG"
# One run of a server under wrk: prints "rps p99 busy", and for plugwatch
# checks that every acknowledged heartbeat was stored.
measure() {  # nginx|BINARY CONNECTIONS RUN
  local port rps non2xx p99 busy stored
  port=$(free_port)
  if [[ $1 == nginx ]]; then
    start_nginx "$port"
    run_wrk "$2" "http://127.0.0.1:$port/" >"$WORK/ran"
    read -r rps non2xx p99 busy <"$WORK/ran"
    stop "$NGINX_PID"
    stored="-"
  else
    start_plugwatch "$1" "$port" "$3"
    run_wrk "$2" "http://127.0.0.1:$port/api/heartbeat" "$WORK/post.lua" >"$WORK/ran"
    read -r rps non2xx p99 busy <"$WORK/ran"
    stop "$PW_PID"
    # Durability check: every acknowledged heartbeat is in the database.
    stored=$(sqlite3 "$WORK/pw$3/plugwatch.db" "SELECT received FROM heartbeat_labels")
  fi
  [[ $non2xx == 0 ]] || { echo "$1 answered $non2xx non-2xx" >&2; exit 1; }
  echo "$rps $p99 $busy $stored"
}

if [[ -n $BASELINE ]]; then base=$BASELINE base_name="plugwatch $BASELINE"
else base=nginx base_name="nginx \`return 204\`"; fi
rows=()
verdict=""
for conns in $CONNECTIONS; do
  base_rps=() pw_rps=() pw_p99=() base_p99=() base_busy=() pw_busy=() pair=()
  for run in $(seq "$RUNS"); do
    measure "$base" "$conns" "base$conns-$run" >"$WORK/measured"  # in this shell: exit on failure
    read -r b_rps p99 busy stored <"$WORK/measured"
    base_rps+=("$b_rps"); base_p99+=("$p99"); base_busy+=("$busy")
    echo "c=$conns run $run: $base_name: $b_rps req/s (p99 $p99, CPU 0 $busy % busy, stored $stored)" | tee -a "$LOG"
    measure "$BUILD/plugwatch" "$conns" "$conns-$run" >"$WORK/measured"
    read -r rps p99 busy stored <"$WORK/measured"
    pw_rps+=("$rps"); pw_p99+=("$p99"); pw_busy+=("$busy")
    pair+=("$(awk -v p="$rps" -v n="$b_rps" 'BEGIN {printf "%.2f", p / n}')")
    echo "c=$conns run $run: plugwatch POST /api/heartbeat: $rps req/s (p99 $p99, CPU 0 $busy % busy), $stored heartbeats stored" | tee -a "$LOG"
  done
  n=$(median "${base_rps[@]}")
  p=$(median "${pw_rps[@]}")
  # The host's speed drifts from minute to minute: the ratio of each
  # back-to-back pair compares like with like, and their median is the figure.
  ratio=$(printf '%.2f' "$(median "${pair[@]}")")
  if [[ -z $BASELINE && $conns == "$JUDGED_AT" ]]; then
    met=$(awk -v r="$ratio" 'BEGIN {print (r >= 0.80 ? "met" : "NOT met")}')
    verdict="verdict: plugwatch / nginx = $ratio at $JUDGED_AT connections — the target (≥ 0.80, QUALITY.md, judged at $JUDGED_AT connections: ADR 0015) is $met"
  fi
  rows+=("| $conns | $n | $p | **$ratio** | ${pair[*]} | ${base_busy[*]} | ${pw_busy[*]} | ${base_p99[*]} | ${pw_p99[*]} |")
done

{
  echo
  echo "| connections | $base_name req/s (median of $RUNS) | plugwatch \`POST /api/heartbeat\`, token, durable | plugwatch / baseline (median of the pairs) | per pair | CPU 0 busy %, baseline | CPU 0 busy %, plugwatch | baseline p99 | plugwatch p99 |"
  echo "|---:|---:|---:|---:|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  [[ -n $BASELINE ]] || echo -n "target: plugwatch / nginx ≥ 0.80 (QUALITY.md); "
  echo "wrk -t$THREADS -d${DURATION}s on CPU 1, both servers on CPU 0; $(date -u +%Y-%m-%dT%H:%MZ)"
  [[ -z $verdict ]] || { echo; echo "$verdict"; }
} | tee "$MD"
