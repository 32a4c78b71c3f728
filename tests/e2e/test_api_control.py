"""Polling now and switching through the REST API (issue 5): the real binary and
`plugwatch sim tapo`, whose control API tells the truth about the relay."""

from __future__ import annotations

import time

import pytest

from conftest import (api_call, free_port, start_service, start_sim, start_sim_http, tapo_device,
                      wait_until, write_config)

TOKEN = "t0ken-for-control"


@pytest.fixture
def rig(procs, tmp_path):
    sim = start_sim(procs, count=2, profile="constant", watts=500)
    probe = start_sim_http(procs)
    port = free_port()
    cfg = write_config(tmp_path, [tapo_device("heater", sim, 0), tapo_device("lamp", sim, 1),
                                  {"id": "router", "kind": "http", "address": probe.address(0)}],
                       poll_interval="1s",
                       server={"listen": f"127.0.0.1:{port}", "api_token": TOKEN})
    svc = start_service(procs, cfg, devices=3)
    svc.proc.wait_for_line(r"api: listening", 5, stream="stderr")
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: api_call("GET", f"{base}/api/devices/heater")[1]["state"]["on"] is True, 10)
    return base, sim, svc


def test_check_now_returns_a_fresh_reading(rig):
    base, sim, _ = rig
    before = sim.requests(0)
    status, body, _ = api_call("POST", f"{base}/api/devices/heater/check", token=TOKEN)
    assert status == 200, body
    assert body["device"] == "heater"
    r = body["reading"]
    assert r["reachable"] is True and r["on"] is True and r["power_w"] == pytest.approx(500, abs=1)
    assert sim.requests(0) > before


def test_switch_off_and_on_reaches_the_plug_and_is_recorded_once(rig):
    base, sim, svc = rig
    status, body, _ = api_call("POST", f"{base}/api/devices/heater/off", token=TOKEN)
    assert (status, body) == (200, {"device": "heater", "on": False})
    assert sim.device(0)["relay_on"] is False
    wait_until(lambda: api_call("GET", f"{base}/api/devices/heater")[1]["state"]["on"] is False, 3)
    # Several polls later the device's own report of the change adds nothing.
    for _ in range(3):
        sim.wait_for_poll(0, timeout=5)
    time.sleep(0.3)
    events = api_call("GET", f"{base}/api/events?hours=1&device=heater")[1]
    switched = [e for e in events if e["type"].startswith("switched_")]
    assert [(e["type"], e["data"]["source"]) for e in switched] == [("switched_off", "api")]

    assert api_call("POST", f"{base}/api/devices/heater/on", token=TOKEN)[:2] == (
        200, {"device": "heater", "on": True})
    assert sim.device(0)["relay_on"] is True
    wait_until(lambda: len([e for e in api_call("GET", f"{base}/api/events?hours=1&device=heater")[1]
                            if e["type"] == "switched_on"]) == 1, 3)


def test_control_errors_are_exact(rig):
    base, sim, _ = rig
    assert api_call("POST", f"{base}/api/devices/heater/off")[:2] == (
        401, {"error": "missing or wrong API token — send 'Authorization: Bearer "
                       "<server.api_token>'"})
    assert sim.device(0)["relay_on"] is True
    assert api_call("POST", f"{base}/api/devices/nope/check", token=TOKEN)[:2] == (
        404, {"error": "device 'nope' does not exist — see GET /api/devices"})
    status, body, _ = api_call("POST", f"{base}/api/devices/router/off", token=TOKEN)
    assert status == 422 and "router" in body["error"], body

    assert api_call("PATCH", f"{base}/api/devices/lamp", {"enabled": False}, token=TOKEN)[0] == 200
    wait_until(lambda: api_call("POST", f"{base}/api/devices/lamp/check", token=TOKEN)[0] == 409, 3)
    assert api_call("POST", f"{base}/api/devices/lamp/on", token=TOKEN)[:2] == (
        409, {"error": "device 'lamp' is disabled — enable it first (PATCH {\"enabled\":true})"})

    sim.down(0)
    status, body, _ = api_call("POST", f"{base}/api/devices/heater/check", token=TOKEN)
    assert status in (502, 504), body
    assert body["error"].startswith("device 'heater': ")
