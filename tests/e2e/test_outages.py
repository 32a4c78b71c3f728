"""Power outage monitoring (issue 4): heartbeats, the watchdog, outages and statistics.

The service runs with [[heartbeats]] labels of period 1 s and grace 2 s (lost
after 3 s of silence); the tests send heartbeats themselves, the way the power
status app's client and `plugwatch heartbeat` do, and read the outcome from the
event lines on stdout, the REST API and the CLI.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request

import pytest

from conftest import (BIN, api_call, free_port, parse_ts, run_cli, start_service, start_sim_http,
                      wait_until, write_config)

POWER_TOKEN = "power-t0ken"
GEN_TOKEN = "generator-t0ken"


def heartbeats_toml(labels=(("POWER", POWER_TOKEN), ("GENERATOR", GEN_TOKEN)),
                    period="1s", grace="2s") -> str:
    out = []
    for label, token in labels:
        out += ["[[heartbeats]]", f'label = "{label}"', f'token = "{token}"',
                f'period = "{period}"', f'grace = "{grace}"', 'site = "home"', ""]
    return "\n".join(out)


def call(method: str, url: str, body=None, token: str | None = None, raw: bytes | None = None,
         headers: dict | None = None):
    return api_call(method, url, body, token=token, raw=raw, headers=headers)


class Sender:
    """Sends a label's heartbeat every `interval` seconds from a thread, like a client."""

    def __init__(self, base: str, label: str, token: str, interval: float = 1.0):
        self.base, self.label, self.token, self.interval = base, label, token, interval
        self.sent: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.time()
            status, body, _ = call("POST", f"{self.base}/api/heartbeat",
                                   {"label": self.label, "timestamp": now}, token=self.token)
            assert status == 200, body
            self.sent.append(now)
            self._stop.wait(self.interval)

    def stop(self) -> float:
        """Stops sending; returns the time of the last heartbeat sent."""
        self._stop.set()
        self._thread.join(5)
        return self.sent[-1]


@pytest.fixture
def service(procs, tmp_path):
    port = free_port()
    cfg = write_config(tmp_path, [], server={"listen": f"127.0.0.1:{port}"},
                       extra=heartbeats_toml())
    svc = start_service(procs, cfg, devices=0)
    svc.proc.wait_for_line(r"api: listening", 5, stream="stderr")
    svc.base = f"http://127.0.0.1:{port}"
    return svc


def label_status(base: str, label: str) -> dict:
    status, body, _ = call("GET", f"{base}/api/status")
    assert status == 200, body
    [entry] = [h for h in body["heartbeats"] if h["label"] == label]
    return entry


def test_silence_is_a_power_loss_and_the_next_heartbeat_restores_it(service):
    base = service.base
    sender = Sender(base, "POWER", POWER_TOKEN)
    wait_until(lambda: len(sender.sent) >= 4, 10)
    assert label_status(base, "POWER")["power"] == "on"
    last = sender.stop()

    lost = service.wait_event("power_lost", "home", timeout=6)
    detected = time.time()
    assert detected - last <= 3.5 + 0.3, f"power_lost {detected - last:.2f} s after the last heartbeat"
    assert "POWER" in lost["summary"]
    assert label_status(base, "POWER")["power"] == "off"

    time.sleep(2)
    back_at = time.time()
    status, body, _ = call("POST", f"{base}/api/heartbeat", {"label": "POWER"}, token=POWER_TOKEN)
    assert status == 200 and body["status"] == "ok" and body["label"] == "POWER"
    assert abs(body["received_at"] - back_at) < 1
    service.wait_event("power_restored", "home", timeout=5)

    restored = [e for e in service.events(type="power_restored")]
    assert len(restored) == 1
    data = restored[0]["data"]
    # The outage began one period after the last heartbeat and ended now.
    expected = back_at - (last + 1.0)
    assert abs(data["was_off_for_s"] - expected) < 0.5, (data, expected)
    assert data["cause"] == "heartbeat" and data["label"] == "POWER"

    [o] = wait_until(lambda: [x for x in call("GET", f"{base}/api/outages?hours=1")[1]
                              if not x["ongoing"]], 2)
    assert (o["site"], o["label"], o["cause"], o["ongoing"]) == ("home", "POWER", "heartbeat", False)
    assert abs(o["duration_s"] - data["was_off_for_s"]) < 0.01
    assert label_status(base, "POWER")["power"] == "on"


def test_a_wrong_token_is_refused_and_changes_nothing(service):
    base = service.base
    status, body, _ = call("POST", f"{base}/api/heartbeat", {"label": "POWER"}, token="wrong")
    assert status == 401
    assert body == {"error": "missing or wrong token for heartbeat label 'POWER' — send "
                             "'Authorization: Bearer <token>' with the token of its "
                             "[[heartbeats]] entry"}
    status, body, _ = call("GET", f"{base}/heartbeat?label=POWER")  # no token at all
    assert status == 401
    entry = label_status(base, "POWER")
    assert entry["power"] == "unknown" and entry["last_heartbeat_at"] is None
    # A token of another label is wrong too.
    assert call("POST", f"{base}/api/heartbeat", {"label": "POWER"}, token=GEN_TOKEN)[0] == 401
    assert label_status(base, "POWER")["last_heartbeat_at"] is None


def test_two_labels_are_independent(service):
    base = service.base
    power = Sender(base, "POWER", POWER_TOKEN)
    generator = Sender(base, "GENERATOR", GEN_TOKEN)
    wait_until(lambda: len(power.sent) >= 2 and len(generator.sent) >= 2, 10)
    generator.stop()
    service.wait_event("power_lost", "home", timeout=6)
    time.sleep(2)
    power.stop()
    lost = service.event_lines("power_lost")
    assert len(lost) == 1 and "GENERATOR" in lost[0]["summary"]
    assert label_status(base, "POWER")["power"] == "on"
    assert label_status(base, "GENERATOR")["power"] == "off"


def test_power_status_app_compatibility_and_bad_input(service):
    base = service.base
    ts = int(time.time()) - 5
    status, body, _ = call("GET", f"{base}/heartbeat?timestamp={ts}&label=POWER", token=POWER_TOKEN)
    assert status == 200
    assert body["status"] == "ok" and body["timestamp"] == ts
    assert abs(body["received_at"] - time.time()) < 2

    req = urllib.request.Request(f"{base}/heartbeat?label=GENERATOR", method="HEAD",
                                 headers={"Authorization": f"Bearer {GEN_TOKEN}"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert resp.status == 200 and resp.read() == b""
    wait_until(lambda: label_status(base, "GENERATOR")["power"] == "on", 2)

    assert call("GET", f"{base}/api/heartbeat?label=NOPE")[:2] == (404, {
        "error": "unknown heartbeat label 'NOPE' — add a [[heartbeats]] entry with label = "
                 "\"NOPE\" to the config, or fix the client's label"})
    status, body, _ = call("POST", f"{base}/api/heartbeat", raw=b"{not json", token=POWER_TOKEN)
    assert status == 400 and "malformed JSON" in body["error"]
    status, body, _ = call("POST", f"{base}/api/heartbeat", {}, token=POWER_TOKEN)
    assert status == 400 and body["error"].startswith("no label")
    status, body, _ = call("GET", f"{base}/heartbeat?label=POWER&timestamp=yesterday",
                           token=POWER_TOKEN)
    assert status == 400 and "timestamp must be unix seconds" in body["error"]
    status, body, _ = call("POST", f"{base}/api/heartbeat", raw=b"{" + b" " * 5000 + b"}",
                           token=POWER_TOKEN)
    assert status == 413


def test_repeated_failures_from_one_address_are_slowed_down(service):
    base = service.base
    codes = [call("POST", f"{base}/api/heartbeat", {"label": "POWER"}, token=f"guess{i}")[0]
             for i in range(12)]
    assert codes[:10] == [401] * 10
    assert codes[10:] == [429, 429]
    status, body, headers = call("POST", f"{base}/api/heartbeat", {"label": "POWER"},
                                 token=POWER_TOKEN)
    assert status == 429 and int(headers["Retry-After"]) > 0
    assert "too many failed heartbeats" in body["error"]


def test_a_restart_after_power_came_back_announces_one_restoration(procs, tmp_path):
    port = free_port()
    cfg = write_config(tmp_path, [], server={"listen": f"127.0.0.1:{port}"},
                       extra=heartbeats_toml())
    base = f"http://127.0.0.1:{port}"
    svc = start_service(procs, cfg, devices=0)
    svc.proc.wait_for_line(r"api: listening", 5, stream="stderr")
    sender = Sender(base, "POWER", POWER_TOKEN)
    wait_until(lambda: len(sender.sent) >= 3, 10)
    last = sender.stop()
    svc.wait_event("power_lost", "home", timeout=6)
    assert svc.stop() == 0

    # Power comes back while the service is stopped: the client starts trying
    # (and failing) at `back`, and gets through once the service is up again.
    time.sleep(1.0)
    back = time.time()
    time.sleep(3.0)
    svc2 = start_service(procs, cfg, devices=0, name="serve-again")
    svc2.proc.wait_for_line(r"api: listening", 5, stream="stderr")
    now = time.time()
    status, body, _ = call("POST", f"{base}/api/heartbeat",
                           {"label": "POWER", "timestamp": now, "up_since": back},
                           token=POWER_TOKEN)
    assert status == 200, body
    svc2.wait_event("power_restored", "home", timeout=5)
    time.sleep(1.5)
    events = svc2.events()
    assert [e["type"] for e in events if e["type"].startswith("power_")] == ["power_lost",
                                                                          "power_restored"]
    restored = events[-1]
    expected = back - (last + 1.0)
    assert abs(restored["data"]["was_off_for_s"] - expected) < 0.5, (restored, expected)
    assert abs(parse_ts(restored["ts"]) - back) < 0.5
    svc2.stop()

    # The CLI reads the same history from the database.
    r = run_cli("outages", "-c", str(cfg), "--json")
    assert r.returncode == 0, r.stderr
    [o] = json.loads(r.stdout)
    assert o["ongoing"] is False and abs(o["duration_s"] - expected) < 0.5
    r = run_cli("stats", "-c", str(cfg), "--json", "--hours", "1")
    assert r.returncode == 0, r.stderr
    stats = json.loads(r.stdout)
    [power] = [h for h in stats["heartbeats"] if h["label"] == "POWER"]
    assert power["outages"] == 1
    assert power["checks"] >= 4  # 4 received + the missed ones
    assert abs(power["failed_checks"] - power["total_outage_s"] / 1.0) <= 1
    assert 0 < power["uptime_pct"] < 100
    r = run_cli("outages", "-c", str(cfg))
    assert r.returncode == 0 and "POWER (home)" in r.stdout and "off for" in r.stdout


def test_two_of_three_probes_down_is_a_quorum_outage(procs, tmp_path):
    sim = start_sim_http(procs, count=3)
    port = free_port()
    devices = [{"id": name, "kind": kind, "address": sim.address(i), "poll_interval": "300ms"}
               for i, (name, kind) in enumerate([("router", "http"), ("nas", "tcp"),
                                                 ("printer", "http")])]
    # A plug that is excluded from the quorum: its absence changes nothing.
    devices.append({"id": "spare", "kind": "tcp", "address": "127.0.0.1:9",
                    "poll_interval": "300ms", "in_quorum": False})
    cfg = write_config(tmp_path, devices, server={"listen": f"127.0.0.1:{port}"},
                       extra='[[sites]]\nid = "home"\noutage_quorum = 0.5\nconfirm_checks = 2\n')
    base = f"http://127.0.0.1:{port}"
    svc = start_service(procs, cfg, devices=4)
    svc.proc.wait_for_line(r"api: listening", 5, stream="stderr")

    def site():
        status, body, _ = call("GET", f"{base}/api/status")
        assert status == 200, body
        [home] = [s for s in body["sites"] if s["id"] == "home"]
        return home

    wait_until(lambda: site()["power"] == "on", 5, message="site never judged on")
    assert site()["quorum"] == {"unreachable": 0, "total": 3, "threshold": 0.5}

    sim.down(0)
    time.sleep(1.5)  # one of three: below the quorum
    assert svc.event_lines("power_lost") == []
    sim.down(1)
    lost = svc.wait_event("power_lost", "home", timeout=5)
    assert "2 of 3 devices unreachable (nas, router)" in lost["summary"]
    assert site()["power"] == "off"

    sim.up(0)
    sim.up(1)
    svc.wait_event("power_restored", "home", timeout=5)
    assert site()["power"] == "on"

    # The store commits within 50 ms of the event line.
    [o] = wait_until(lambda: [x for x in call("GET", f"{base}/api/outages?hours=1")[1]
                              if not x["ongoing"]], 2)
    assert (o["cause"], o["label"], o["ongoing"], o["devices"]) == ("quorum", None, False,
                                                                    ["nas", "router"])
    status, stats, _ = call("GET", f"{base}/api/statistics?hours=1")
    assert status == 200
    [home] = [s for s in stats["sites"] if s["site"] == "home"]
    assert home["outages"] == 1 and home["uptime_pct"] < 100
    # Polls are counted once a second: wait for the counts to reach the store.
    wait_until(lambda: [s for s in call("GET", f"{base}/api/statistics?hours=1")[1]["sites"]
                        if s["site"] == "home"][0]["failed_checks"] >= 4, 5)


def test_the_heartbeat_client_dates_the_return_of_power_across_a_restart(procs, tmp_path):
    """The real client: it starts (power back) while the service is stopped, fails
    until the service is up again, then delivers with up_since."""
    port = free_port()
    cfg = write_config(tmp_path, [], server={"listen": f"127.0.0.1:{port}"},
                       extra=heartbeats_toml())
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PLUGWATCH_HEARTBEAT_TOKEN": POWER_TOKEN}
    client_args = [BIN, "heartbeat", "--url", base, "--label", "POWER", "--interval", "1s",
                   "--timeout", "500ms"]

    svc = start_service(procs, cfg, devices=0)
    svc.proc.wait_for_line(r"api: listening", 5, stream="stderr")
    client = procs.start(client_args, name="heartbeat", env=env)
    wait_until(lambda: label_status(base, "POWER")["power"] == "on", 5)
    client.stop()  # the power goes off: the client's box goes dark
    last = parse_ts(label_status(base, "POWER")["last_heartbeat_at"])
    svc.wait_event("power_lost", "home", timeout=6)
    assert svc.stop() == 0

    time.sleep(1.0)
    back = time.time()  # the power returns: the box boots and starts trying
    client2 = procs.start(client_args, name="heartbeat-again", env=env)
    time.sleep(3.0)
    svc2 = start_service(procs, cfg, devices=0, name="serve-again")
    svc2.wait_event("power_restored", "home", timeout=8)
    client2.stop()
    restored = [e for e in svc2.events() if e["type"] == "power_restored"]
    assert len(restored) == 1
    expected = back - (last + 1.0)
    # up_since travels in whole seconds of the client's clock.
    assert abs(restored[0]["data"]["was_off_for_s"] - expected) < 1.5, (restored, expected)
