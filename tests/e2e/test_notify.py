"""Notifications (issue 3): events reach ntfy and a JSON webhook through the
durable outbox, with the right text, headers and HMAC signature; 429 and 5xx
bursts, a receiver that is down for a while and kill -9 lose nothing.

The receivers are loopback stand-ins (fake_receivers.py). Power events come
from [[heartbeats]] (period 1 s, grace 1 s) that the tests send themselves.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import urllib.request

import pytest

from conftest import (api_call, free_port, of_type, run_cli, staged_power_cut, start_service,
                      start_sim, tapo_device, wait_until, write_config)
from fake_receivers import Receiver

TOKEN = "power-t0ken"
SECRET = "hook-s3cret"


def config(tmp_path, receiver: Receiver, port: int):
    extra = "\n".join([
        "[[heartbeats]]", 'label = "POWER"', f'token = "{TOKEN}"', 'period = "1s"',
        'grace = "1s"', 'site = "home"', "",
        "[[sinks]]", 'name = "phone"', f'url = "ntfy://127.0.0.1:{receiver.port}/power-alerts"',
        'events = ["power_lost", "power_restored"]', "",
        "[[sinks]]", 'name = "hook"',
        f'url = "json://127.0.0.1:{receiver.port}/hook?secret={SECRET}"', "",
    ])
    return write_config(tmp_path, [], server={"listen": f"127.0.0.1:{port}"}, extra=extra)


def start(procs, cfg, port):
    svc = start_service(procs, cfg, devices=0)
    svc.proc.wait_for_line(r"api: listening", 5, stream="stderr")
    svc.base = f"http://127.0.0.1:{port}"
    return svc


def status_json(cfg) -> dict:
    r = run_cli("notify", "status", "--json", "-c", str(cfg))
    assert r.returncode == 0, r.stderr
    return {row["sink"]: row for row in json.loads(r.stdout)}


def test_power_events_reach_ntfy_and_the_webhook_signed(procs, tmp_path):
    rx = Receiver()
    port = free_port()
    cfg = config(tmp_path, rx, port)
    svc = start(procs, cfg, port)
    staged_power_cut(svc, svc.base, TOKEN, 1)

    wait_until(lambda: len(rx.on("/power-alerts")) >= 2 and len(rx.on("/hook")) >= 2, 10)
    lost, restored = rx.on("/power-alerts")[:2]
    # Power was on for only a second or two: the surge hint follows.
    assert lost.body.decode().startswith("POWER: power is OFF — it was on for ")
    assert "could be a power surge" in lost.body.decode()
    assert lost.headers["x-title"] == "POWER: power is OFF"
    assert lost.headers["x-priority"] in ("4", "5")
    assert "electric_plug" in lost.headers["x-tags"]
    assert restored.body.decode().startswith("POWER: power is ON — it was off for ")

    hooks = rx.on("/hook")
    for h in hooks:
        expected = hmac.new(SECRET.encode(), h.body, hashlib.sha256).hexdigest()
        assert h.headers["x-plugwatch-signature"] == f"sha256={expected}"
        assert h.headers["idempotency-key"].startswith("event-")
        assert "secret" not in h.path
    assert [h.json()["event_type"] for h in hooks[:2]] == ["power_lost", "power_restored"]
    assert hooks[0].json()["event"]["data"]["label"] == "POWER"

    wait_until(lambda: status_json(cfg).get("hook", {}).get("delivered") == 2, 5)
    st = status_json(cfg)
    assert st["phone"]["delivered"] == 2 and st["phone"]["queued"] == 0

    text = urllib.request.urlopen(f"{svc.base}/metrics", timeout=5).read().decode()
    assert 'plugwatch_notifications_total{sink="hook",result="delivered"} 2' in text


def test_bursts_of_429_and_5xx_and_a_receiver_down_lose_nothing(procs, tmp_path):
    rx = Receiver()
    port = free_port()
    cfg = config(tmp_path, rx, port)
    svc = start(procs, cfg, port)
    rx.fail_next(3, 503)
    rx.fail_next(1, 429, {"Retry-After": "1"})
    staged_power_cut(svc, svc.base, TOKEN, 1)
    rx.down()
    staged_power_cut(svc, svc.base, TOKEN, 2)
    time.sleep(2)
    rx.up()
    wait_until(lambda: len(rx.on("/hook")) >= 4, 30)
    hooks = rx.on("/hook")
    keys = [h.headers["idempotency-key"] for h in hooks]
    first = list(dict.fromkeys(keys))
    types = [next(h for h in hooks if h.headers["idempotency-key"] == k).json()["event_type"]
             for k in first]
    # In order (the silence after the last heartbeat may add a power_lost);
    # at most one duplicate per message.
    assert types[:4] == ["power_lost", "power_restored", "power_lost", "power_restored"]
    assert all(keys.count(k) <= 2 for k in first)
    assert [int(k.split("-")[1]) for k in first] == sorted(int(k.split("-")[1]) for k in first)
    wait_until(lambda: len(rx.on("/power-alerts")) >= 4, 10)
    wait_until(lambda: status_json(cfg)["hook"]["delivered"] >= 4, 5)
    assert status_json(cfg)["hook"]["failed"] == 0 and status_json(cfg)["hook"]["dropped"] == 0


def test_kill_9_during_delivery_loses_nothing(procs, tmp_path):
    rx = Receiver()
    port = free_port()
    cfg = config(tmp_path, rx, port)
    svc = start(procs, cfg, port)
    rx.down()
    staged_power_cut(svc, svc.base, TOKEN, 1)
    wait_until(lambda: status_json(cfg).get("hook", {}).get("queued", 0) >= 2, 5)
    queued = status_json(cfg)["hook"]["queued"]
    svc.proc.kill9()
    rx.up()
    svc2 = start(procs, cfg, port)
    wait_until(lambda: len(set(h.headers["idempotency-key"] for h in rx.on("/hook"))) >= queued, 20)
    keys = [h.headers["idempotency-key"] for h in rx.on("/hook")]
    assert all(keys.count(k) <= 2 for k in keys)
    wait_until(lambda: status_json(cfg)["hook"]["delivered"] >= queued, 5)
    svc2.stop()


def test_notify_test_says_what_happened(tmp_path):
    rx = Receiver()
    cfg = config(tmp_path, rx, free_port())
    r = run_cli("notify", "test", "-c", str(cfg))
    assert r.returncode == 0, r.stderr
    assert "phone: delivered" in r.stdout and "hook: delivered" in r.stdout
    assert rx.on("/power-alerts")[0].body.decode().startswith("This is a test message")
    rx.down()
    r = run_cli("notify", "test", "--sink", "hook", "-c", str(cfg))
    assert r.returncode == 1
    assert "hook: not delivered" in r.stdout and "connection refused" in r.stdout
    r = run_cli("notify", "test", "--sink", "nope", "-c", str(cfg))
    assert r.returncode == 2 and "no sink named 'nope'" in r.stderr


def test_a_finished_cycle_reaches_the_sinks_in_the_sites_or_the_sinks_language(procs, tmp_path):
    """An emulated plug runs for ~3 s at 1 kW: the cycle's cycle_finished
    reaches the webhook in the site's language (Ukrainian) and ntfy in the
    sink's own language (English), with the duration, energy and cost that
    the service stored for that cycle."""
    rx = Receiver()
    sim = start_sim(procs, profile="constant", watts=1000)
    sim.relay(0, False)
    activity = {"start_above_w": 5, "start_delay": "0s", "stop_below_w": 2, "stop_delay": "1s",
                "price_per_kwh": 0.25, "currency": "EUR"}
    extra = "\n".join([
        "[[sites]]", 'id = "home"', 'timezone = "Europe/Kyiv"', 'language = "uk"', "",
        "[[sinks]]", 'name = "hook"', f'url = "json://127.0.0.1:{rx.port}/hook"',
        'events = ["cycle_finished"]', "",
        "[[sinks]]", 'name = "phone"', f'url = "ntfy://127.0.0.1:{rx.port}/washer"',
        'events = ["cycle_finished"]', 'language = "en"', "",
    ])
    device = tapo_device("washer", sim, name="Washing machine", site="home", activity=activity)
    cfg = write_config(tmp_path, [device], poll_interval="250ms", extra=extra)
    svc = start_service(procs, cfg, devices=1)
    sim.wait_for_poll()
    sim.relay(0, True)
    time.sleep(3)
    sim.relay(0, False)

    wait_until(lambda: rx.on("/hook") and rx.on("/washer"), 15,
               message="cycle_finished did not reach both sinks")
    hook = rx.on("/hook")[0].json()
    assert hook["event_type"] == "cycle_finished"
    cycle = hook["event"]["data"]
    assert hook["event"]["device"] == "washer"
    assert cycle["duration_s"] == pytest.approx(3, abs=0.6)
    # 1 kW for ~3 s is ~0.83 Wh; the cost is 0.25 €/kWh of what was measured.
    assert cycle["energy_wh"] == pytest.approx(1000 * cycle["duration_s"] / 3600, rel=0.1)
    assert cycle["cost"] == pytest.approx(cycle["energy_wh"] / 1000 * 0.25, abs=1e-4)
    assert hook["message"].startswith("Washing machine: роботу завершено — "), hook["message"]
    assert " Вт·год, " in hook["message"] and hook["message"].endswith(" €"), hook["message"]
    phone = rx.on("/washer")[0]
    text = phone.body.decode()
    assert text.startswith("Washing machine finished — "), text
    assert "€" in text
    assert phone.headers["x-title"] == "Washing machine finished"
    # The same cycle in the database and over the API.
    finished = of_type(svc.events(), "cycle_finished", "washer")
    assert len(finished) == 1 and finished[0]["data"] == cycle


def test_an_outage_during_downtime_is_announced_after_the_restart_with_its_duration(procs, tmp_path):
    """The service is stopped while the power is on; the power goes off and
    comes back while it is down. Coming back, it announces the loss it finds
    (the label went silent), and the restoration with the true duration."""
    rx = Receiver()
    port = free_port()
    cfg = config(tmp_path, rx, port)
    svc = start(procs, cfg, port)
    status, body, _ = api_call("POST", f"{svc.base}/api/heartbeat", {"label": "POWER"},
                               token=TOKEN)
    assert status == 200, body
    last = time.time()
    assert svc.stop() == 0
    time.sleep(4.0)
    back = time.time()  # the box on the mains boots and starts trying
    svc2 = start(procs, cfg, port)

    def hooks_of(type_):
        return [h for h in rx.on("/hook") if h.json()["event_type"] == type_]

    wait_until(lambda: hooks_of("power_lost"), 10, message="no power_lost after the restart")
    status, body, _ = api_call("POST", f"{svc2.base}/api/heartbeat",
                               {"label": "POWER", "timestamp": time.time(), "up_since": back},
                               token=TOKEN)
    assert status == 200, body
    wait_until(lambda: hooks_of("power_restored"), 10, message="no power_restored")
    [lost], [restored] = hooks_of("power_lost"), hooks_of("power_restored")
    expected = back - (last + 1.0)  # off from one period after the last heartbeat
    assert restored.json()["event"]["data"]["was_off_for_s"] == pytest.approx(expected, abs=0.5)
    m = re.search(r"it was off for (\d+) s", restored.json()["message"])
    assert m and abs(int(m.group(1)) - expected) <= 1, restored.json()["message"]
    assert lost.json()["message"].startswith("POWER: power is OFF")
    svc2.stop()
