#!/usr/bin/env python3
"""Medians of poll-fan-out runs (JSON lines from run.sh) as a markdown table.

usage: python3 bench/summarize.py RESULTS.jsonl
"""
import json
import statistics
import sys
from collections import defaultdict

TARGET_CPU_US = 25.0      # µs CPU per poll (≤ 25 % of one core at 10,000 polls/s)
TARGET_P99_US = 5000      # p99 poll latency
TARGET_BYTES = 4096       # resident bytes per device
TARGET_RSS_10K_MB = 64    # RSS of the whole client with 10,000 devices


def med(rows, key):
    vals = [r[key] for r in rows if key in r]
    return statistics.median(vals) if vals else float("nan")


def main(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    by = defaultdict(list)
    for r in rows:
        by[(r["plugs"], r["client"])].append(r)
    sizes = sorted({r["plugs"] for r in rows})

    print("| plugs | client | runs | polls/s | failed | late | CPU µs/poll | CPU % of a core "
          "| p50 ms | p90 ms | p99 ms | max ms | RSS bytes/device | anon RSS bytes/device "
          "| RSS MB | emulator CPU % |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        for client in ("reference", "plugwatch"):
            rs = by.get((n, client), [])
            if not rs:
                print(f"| {n} | {client} | 0 | — | — | — | — | — | — | — | — | — | — | — | — | — |")
                continue
            print(f"| {n:,} | {client} | {len(rs)} | {med(rs, 'polls_per_s'):,.0f} "
                  f"| {sum(r['failures'] for r in rs)} | {sum(r['late'] for r in rs)} "
                  f"| {med(rs, 'cpu_us_per_poll'):.1f} | {med(rs, 'cpu_pct'):.1f} "
                  f"| {med(rs, 'lat_p50_us') / 1000:.2f} | {med(rs, 'lat_p90_us') / 1000:.2f} "
                  f"| {med(rs, 'lat_p99_us') / 1000:.2f} | {med(rs, 'lat_max_us') / 1000:.1f} "
                  f"| {med(rs, 'bytes_per_device'):,.0f} | {med(rs, 'anon_bytes_per_device'):,.0f} "
                  f"| {med(rs, 'rss_after') / 1048576:.1f} | {med(rs, 'emulator_cpu_pct'):.0f} |")
    print()
    print("| plugs | CPU/poll plugwatch ÷ reference (ratio of medians) | median of per-run ratios "
          "| p99 ratio | CPU µs/poll vs target 25 | p99 vs target 5 ms | bytes/device vs target 4,096 "
          "| RSS at 10,000 vs target 64 MB |")
    print("|---:|---:|---:|---:|---|---|---|---|")
    for n in sizes:
        pw, ref = by.get((n, "plugwatch"), []), by.get((n, "reference"), [])
        if not pw:
            continue
        cpu = med(pw, "cpu_us_per_poll")
        p99 = med(pw, "lat_p99_us")
        bpd = med(pw, "bytes_per_device")
        rss_mb = med(pw, "rss_after") / 1048576
        if ref:
            ratio = cpu / med(ref, "cpu_us_per_poll")
            runs = {r["run"]: r for r in ref}
            per_run = [p["cpu_us_per_poll"] / runs[p["run"]]["cpu_us_per_poll"]
                       for p in pw if p["run"] in runs and runs[p["run"]]["cpu_us_per_poll"] > 0]
            pr = f"{statistics.median(per_run):.2f}×" if per_run else "—"
            p99r = f"{p99 / med(ref, 'lat_p99_us'):.2f}×"
            ratio_s = f"{ratio:.2f}×"
        else:
            ratio_s = pr = p99r = "—"
        ok = lambda good: "meets" if good else "MISSES"
        print(f"| {n:,} | {ratio_s} | {pr} | {p99r} | {cpu:.1f} ({ok(cpu <= TARGET_CPU_US)}) "
              f"| {p99 / 1000:.2f} ms ({ok(p99 <= TARGET_P99_US)}) "
              f"| {bpd:,.0f} ({ok(bpd <= TARGET_BYTES)}) "
              + (f"| {rss_mb:.1f} MB ({ok(rss_mb <= TARGET_RSS_10K_MB)}) |" if n == 10000 else "| — |"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
