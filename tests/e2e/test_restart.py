"""Crash safety: `kill -9` of the service in the middle of a cycle, then a restart.

A constant 1000 W load is switched on and off at the emulated plug (control
API), so the truth is exact: the emulator's energy counter, and the time the
relay was on (= energy ÷ 1000 W). Switches happen right after a poll was
seen, so that the service sees each one half an interval later at both ends
and its measurement carries no sampling error from the test's timing.
"""

from __future__ import annotations

import time

import pytest

from conftest import of_type, parse_ts, start_service, start_sim, tapo_device, wait_until, write_config

WATTS = 1000.0
ACTIVITY = {"start_above_w": 100, "start_delay": "0s", "stop_below_w": 2, "stop_delay": "2s"}


def test_kill_9_mid_cycle_then_restart_gives_one_whole_cycle(tmp_path, procs):
    sim = start_sim(procs, profile="constant", watts=WATTS, extra=["--relay-off"])
    cfg = write_config(tmp_path, [tapo_device("heater", sim, activity=ACTIVITY)],
                       poll_interval="500ms")
    svc = start_service(procs, cfg, devices=1)
    sim.wait_for_poll(timeout=5)
    assert sim.device()["energy_wh"] == 0

    sim.wait_for_poll()
    sim.relay(0, True)
    svc.wait_event("device_active", "heater", timeout=5)
    time.sleep(3)

    # What the service recorded before the crash is durable by now.
    def active_recorded():
        events = svc.events()
        return events if of_type(events, "device_active", "heater") else None

    before = wait_until(active_recorded, 5, interval=0.2, message="device_active not recorded")
    assert sim.device()["relay_on"] is True

    svc.proc.kill9()
    assert svc.proc.popen.returncode == -9
    time.sleep(2.0)  # a short outage of the service: the cycle goes on meanwhile

    svc2 = start_service(procs, cfg, devices=1, name="serve-after-kill")
    for _ in range(6):
        sim.wait_for_poll(timeout=5)
    sim.wait_for_poll()
    sim.relay(0, False)
    svc2.wait_event("cycle_finished", "heater", timeout=8)

    truth_wh = sim.device()["energy_wh"]
    truth_s = truth_wh * 3600 / WATTS

    def finished_recorded():
        events = svc2.events()
        return events if of_type(events, "cycle_finished", "heater") else None

    events = wait_until(finished_recorded, 5, interval=0.2, message="cycle_finished not recorded")
    context = f"truth {truth_wh:.4f} Wh over {truth_s:.3f} s\n{events}"

    # Everything recorded before the kill is still there, unchanged.
    for e in before:
        assert e in events, f"lost across kill -9: {e}"

    active = of_type(events, "device_active", "heater")
    finished = of_type(events, "cycle_finished", "heater")
    assert len(active) == 1, context
    assert len(finished) == 1, context
    data = finished[0]["data"]
    assert data["started_at"] == active[0]["ts"]
    # The 2 s without a service are bridged: the load was steady on both sides.
    assert data["energy_wh"] == pytest.approx(truth_wh, rel=0.02), context
    assert data["duration_s"] == pytest.approx(truth_s, rel=0.02), context
    assert data["peak_w"] == WATTS

    # The relay changes, each announced once, by the device itself.
    switched = [(e["type"], e["data"]["source"]) for e in events if e["type"].startswith("switched")]
    assert switched == [("switched_on", "device"), ("switched_off", "device")], context
    # The device never stopped answering: the service was the one that was down.
    assert of_type(events, "device_offline") == [], context
    # After the restart the service announced only the end of the cycle.
    assert [m["type"] for m in svc2.event_lines()] == ["switched_off", "cycle_finished"]
    assert parse_ts(finished[0]["ts"]) - parse_ts(data["ended_at"]) >= 2.0
