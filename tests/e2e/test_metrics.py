"""GET /metrics: Prometheus text that promtool accepts, with values that match the
emulator and the heartbeat state (issue 5)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import urllib.request

import pytest

from conftest import (api_call, free_port, start_service, start_sim, tapo_device, wait_until,
                      write_config)

HB_TOKEN = "metrics-hb-token"


def scrape(base: str) -> str:
    with urllib.request.urlopen(f"{base}/metrics", timeout=5) as resp:
        assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return resp.read().decode()


def value(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = re.match(r"^([a-z_:]+)(\{(.*)\})? (\S+)$", line)
        assert m, f"not a sample line: {line!r}"
        if m[1] != name:
            continue
        got = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m[3] or ""))
        if all(got.get(k) == v for k, v in labels.items()):
            return float(m[4])
    raise AssertionError(f"no sample {name}{labels} in:\n{text}")


def test_metrics_pass_promtool_and_match_the_devices(procs, tmp_path):
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing — scripts/deps.sh installs Debian's prometheus package"
    sim = start_sim(procs, count=1, profile="constant", watts=750)
    port = free_port()
    extra = (f'[[heartbeats]]\nlabel = "POWER"\ntoken = "{HB_TOKEN}"\nperiod = "1s"\n'
             f'grace = "1s"\nsite = "home"\n')
    cfg = write_config(tmp_path, [tapo_device("heater", sim)], poll_interval="500ms",
                       server={"listen": f"127.0.0.1:{port}"}, extra=extra)
    svc = start_service(procs, cfg, devices=1)
    svc.proc.wait_for_line(r"api: listening", 5, stream="stderr")
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: api_call("GET", f"{base}/api/devices/heater")[1]["state"]["reachable"], 10)
    on = scrape(base)
    assert value(on, "plugwatch_power_watts", device="heater", site="home") == pytest.approx(750, abs=1)
    assert value(on, "plugwatch_relay_on", device="heater", site="home") == 1
    # The lifetime counter in joules follows the emulator's energy (Wh × 3600).
    # It counts from the service's first reading, the emulator from its start.
    joules = wait_until(lambda: value(scrape(base), "plugwatch_energy_joules_total",
                                      device="heater", site="home"), 3)
    assert 0 < joules <= sim.device(0)["energy_wh"] * 3600 + 1

    sent = time.time()
    assert api_call("POST", f"{base}/api/heartbeat", {"label": "POWER"}, token=HB_TOKEN)[0] == 200
    sim.relay(0, False)
    wait_until(lambda: api_call("GET", f"{base}/api/devices/heater")[1]["state"]["on"] is False, 5)

    text = scrape(base)
    check = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                           text=True, timeout=30)
    assert check.returncode == 0, f"promtool: {check.stdout}{check.stderr}\n{text}"

    assert value(text, "plugwatch_relay_on", device="heater", site="home") == 0
    assert value(text, "plugwatch_device_up", device="heater", site="home") == 1
    assert value(text, "plugwatch_power_watts", device="heater", site="home") == 0
    assert value(text, "plugwatch_energy_joules_total", device="heater", site="home") > 0
    assert value(text, "plugwatch_cycles_total", device="heater", site="home") == 0
    assert abs(value(text, "plugwatch_heartbeat_last_seen_timestamp_seconds", label="POWER",
                     site="home") - sent) < 2
    assert value(text, "plugwatch_outage_active", label="POWER", cause="heartbeat") == 0
    assert value(text, "plugwatch_events_total", type="switched_off") == 1
    assert value(text, "plugwatch_stream_clients") == 0
    assert value(text, "plugwatch_stream_clients_dropped_total") == 0
    polls = value(text, "plugwatch_polls_total")
    assert polls >= 2
    assert value(text, "plugwatch_poll_duration_seconds_count") == polls
    assert value(text, "plugwatch_poll_duration_seconds_bucket", le="+Inf") == polls

    # The silent label turns into an active outage.
    wait_until(lambda: value(scrape(base), "plugwatch_outage_active", label="POWER") == 1, 5)
