"""Faulty plugs (one never answers, one answers garbage) do not delay the healthy ones."""

from __future__ import annotations

import time

from conftest import of_type, start_service, start_sim, tapo_device, wait_until, write_config

HEALTHY = 18
POLL_S = 1.0
WINDOW_S = 10.0


def test_healthy_plugs_polled_on_schedule_despite_faulty_ones(tmp_path, procs):
    healthy = start_sim(procs, count=HEALTHY, profile="constant", watts=50, name="sim-healthy")
    hang = start_sim(procs, extra=["--fault-timeout", "1.0"], name="sim-hang")
    garbage = start_sim(procs, extra=["--fault-garbage", "1.0"], name="sim-garbage")
    devices = [tapo_device(f"ok{i:02d}", healthy, i) for i in range(HEALTHY)]
    devices += [tapo_device("hang", hang), tapo_device("garbage", garbage)]
    cfg = write_config(tmp_path, devices, poll_interval="1s", request_timeout="2s")
    svc = start_service(procs, cfg, devices=HEALTHY + 2)

    wait_until(lambda: all(d["stats"]["requests"] > 0 for d in healthy.devices()), 5,
               message="not every healthy plug was polled within 5 s")
    s0, t0 = healthy.devices(), time.monotonic()
    time.sleep(WINDOW_S)
    s1, t1 = healthy.devices(), time.monotonic()

    expected = (t1 - t0) / POLL_S
    polls = [b["stats"]["requests"] - a["stats"]["requests"] for a, b in zip(s0, s1)]
    slow = {f"ok{i:02d}": n for i, n in enumerate(polls) if n < 0.9 * expected}
    assert not slow, f"expected {expected:.1f} polls each, got {polls}\n{svc.proc.describe()}"
    assert max(polls) <= expected + 2, polls

    # The faulty plugs really were faulty, and are reported offline once each.
    assert hang.device()["stats"]["faults_injected"] > 0
    assert garbage.device()["stats"]["faults_injected"] > 0
    for dev in ("hang", "garbage"):
        svc.wait_event("device_offline", dev, timeout=10)
    time.sleep(0.5)
    events = svc.events()
    offline = of_type(events, "device_offline")
    assert sorted(e["device"] for e in offline) == ["garbage", "hang"], offline
    by_dev = {e["device"]: e for e in offline}
    assert by_dev["hang"]["data"]["error"] == (
        f"tapo[hang] 127.0.0.1:{hang.port}: read: no answer within 2000 ms — is the device "
        "powered and on the network?")
    assert by_dev["garbage"]["data"]["error"].startswith(
        f"tapo[garbage] 127.0.0.1:{garbage.port}: "), by_dev["garbage"]
    assert of_type(events, "device_online") == []
    assert svc.proc.alive()
