#!/usr/bin/env bash
# bench/run.sh BUILD_DIR [--quick]
#
# Polling fan-out benchmark (bench/README.md): for each fleet size it starts
# the Tapo emulator (`BUILD_DIR/plugwatch sim tapo`) as separate process(es)
# on a free range of consecutive ports, then alternates the reference client
# and plugwatch's poller against it, RUNS times each, and prints the medians
# as a markdown table with the ratio plugwatch / reference.
#
#   default: N = 1000 and 10000, 3 runs each, 15 s warm-up + 20 s measured
#            (10,000 first handshakes leave a backlog that 5 s does not drain)
#   --quick: N = 200, 1 run, 2 s warm-up + 5 s measured
#
# Environment overrides: PLUGS="1000 10000" RUNS=3 MEASURE=20 WARMUP=15 INTERVAL=1s
# OUT=dir (default BUILD_DIR/bench-results).
#
# One process can hold at most `ulimit -Hn` descriptors and every emulated
# plug needs two (its listening socket and the accepted connection), so large
# fleets are split over several emulator processes on adjacent port ranges;
# the clients see one consecutive range either way.
set -euo pipefail

usage() { echo "usage: bash bench/run.sh BUILD_DIR [--quick]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
BUILD=$1
QUICK=0
[[ ${2:-} == --quick ]] && QUICK=1
[[ ${2:-} == "" || ${2:-} == --quick ]] || usage

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [[ $QUICK == 1 ]]; then
  PLUGS=${PLUGS:-200}; RUNS=${RUNS:-1}; MEASURE=${MEASURE:-5}; WARMUP=${WARMUP:-2}
else
  PLUGS=${PLUGS:-"1000 10000"}; RUNS=${RUNS:-3}; MEASURE=${MEASURE:-20}; WARMUP=${WARMUP:-15}
fi
INTERVAL=${INTERVAL:-1s}
USER_NAME=bench@example.com
PASSWORD=bench-secret
OUT=${OUT:-$BUILD/bench-results}
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$OUT/poll_fanout-$STAMP.jsonl
LOG=$OUT/poll_fanout-$STAMP.log
: >"$RESULTS"
: >"$LOG"

PW=$BUILD/plugwatch
FANOUT=$BUILD/bench/plugwatch_bench_poll_fanout
REFERENCE=$BUILD/bench/plugwatch_bench_reference_client
if [[ ! -x $PW || ! -x $FANOUT || ! -x $REFERENCE ]]; then
  echo "building the benchmark tools in $BUILD" >&2
  cmake --build "$BUILD" --target bench_tools >&2
fi

# Every client and emulator process gets the hard limit of descriptors.
HARD=$(ulimit -Hn)
[[ $HARD == unlimited ]] && HARD=1048576
ulimit -n "$HARD"

EMU_PIDS=()
stop_emulators() {
  local pid
  for pid in "${EMU_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${EMU_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  EMU_PIDS=()
}
trap stop_emulators EXIT
trap 'exit 130' INT TERM

# A base port with COUNT free consecutive ports, below the ephemeral range so
# that the clients' own connections cannot take them.
free_base() {
  local count=$1
  python3 - "$count" <<'EOF'
import socket, subprocess, sys
count = int(sys.argv[1])
lo_eph = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
used = set()
for line in subprocess.run(["ss", "-Htanu"], capture_output=True, text=True).stdout.splitlines():
    cols = line.split()
    if len(cols) >= 5:
        try: used.add(int(cols[4].rsplit(":", 1)[1]))
        except ValueError: pass
def ok(base):
    return not any(p in used for p in range(base, base + count))
candidates = [b for b in range(10000, max(10001, lo_eph - count), 1000)]
candidates += [b for b in range(lo_eph + 2000, 65536 - count, 1000)]  # last resort
for base in candidates:
    if ok(base):
        print(base); sys.exit(0)
sys.exit("no free range of %d ports" % count)
EOF
}

# Sum of utime+stime (clock ticks) of the emulator processes.
emu_ticks() {
  local t=0 pid
  for pid in "${EMU_PIDS[@]}"; do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$t"
}

# start_emulators N → sets BASE; starts ceil(N / per_proc) processes.
start_emulators() {
  local n=$1 attempt
  local per_proc=$(( (HARD - 256) / 2 ))
  local procs=$(( (n + per_proc - 1) / per_proc ))
  local chunk=$(( (n + procs - 1) / procs ))
  for attempt in 1 2 3; do
    BASE=$(free_base "$n")
    local i=0 started=0 ok=1
    while (( started < n )); do
      local c=$(( n - started < chunk ? n - started : chunk ))
      local port=$(( BASE + started ))
      local elog=$OUT/emulator-$STAMP-$n-$i.log
      "$PW" sim tapo --listen "127.0.0.1:$port" --count "$c" --username "$USER_NAME" \
        --password "$PASSWORD" --profile constant --watts 100 >"$elog" 2>&1 &
      EMU_PIDS+=($!)
      # Wait for "emulating N Tapo P110 plug(s) … on 127.0.0.1:A-B".
      local waited=0
      until grep -q '^emulating' "$elog"; do
        if ! kill -0 "${EMU_PIDS[-1]}" 2>/dev/null; then ok=0; break; fi
        sleep 0.2
        waited=$((waited + 1))
        if (( waited > 600 )); then ok=0; break; fi
      done
      if [[ $ok == 0 ]]; then
        echo "emulator on port $port failed to start:" >&2
        cat "$elog" >&2
        break
      fi
      echo "  $(cat "$elog" | grep '^emulating') [pid ${EMU_PIDS[-1]}]" >&2
      started=$((started + c))
      i=$((i + 1))
    done
    [[ $ok == 1 ]] && return 0
    stop_emulators
    echo "retrying on another port range" >&2
  done
  echo "could not start the emulator" >&2
  exit 1
}

# run_client KIND N RUN
run_client() {
  local kind=$1 n=$2 run=$3 bin
  [[ $kind == reference ]] && bin=$REFERENCE || bin=$FANOUT
  local t0 t1 out
  t0=$(emu_ticks)
  if ! out=$("$bin" --plugs "$n" --base-port "$BASE" --seconds "$MEASURE" --warmup "$WARMUP" \
      --interval "$INTERVAL" --user "$USER_NAME" --password "$PASSWORD" --json 2>>"$LOG"); then
    echo "  $kind N=$n run $run FAILED (see $LOG)" >&2
    return 0
  fi
  t1=$(emu_ticks)
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  # Emulator CPU over the client's whole run (set-up and warm-up included).
  local total=$(python3 -c "print($WARMUP + $MEASURE)")
  echo "$out" | jq -c --argjson run "$run" --argjson emu "$(( t1 - t0 ))" \
    --argjson hz "$(getconf CLK_TCK)" --argjson secs "$total" --arg load "$load" \
    '. + {run: $run, emulator_cpu_pct: (100 * $emu / $hz / $secs), loadavg: ($load|tonumber)}' \
    >>"$RESULTS"
  echo "  $kind N=$n run $run: $(echo "$out" | jq -r '"\(.cpu_us_per_poll) µs/poll, p99 \(.lat_p99_us) µs, \(.polls) polls, \(.failures) failed, \(.late) late, \(.warmup_failures // 0) failed in warm-up"')" >&2
}

echo "poll fan-out: N = $PLUGS, $RUNS run(s) each, ${WARMUP}s warm-up + ${MEASURE}s, interval $INTERVAL" >&2
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), fd limit $HARD" >&2
for n in $PLUGS; do
  echo "N=$n: starting the emulator" >&2
  start_emulators "$n"
  for run in $(seq 1 "$RUNS"); do
    run_client reference "$n" "$run"
    run_client plugwatch "$n" "$run"
  done
  stop_emulators
done

python3 "$ROOT/bench/summarize.py" "$RESULTS" | tee "$OUT/poll_fanout-$STAMP.md"
echo >&2
echo "raw results: $RESULTS" >&2
