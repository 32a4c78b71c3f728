"""GET /api/stream (Server-Sent Events, issue 5): the real binary and `plugwatch sim
tapo`. Readings and events arrive as they happen, a reconnect with Last-Event-ID
replays the events it missed, a client that stops reading is dropped while the
others go on, and stopping the service ends the streams."""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time
import urllib.request

import pytest

from conftest import (api_call, free_port, start_service, start_sim, tapo_device, wait_until,
                      write_config)

TOKEN = "t0ken-for-stream"


class SseClient:
    """Reads /api/stream on a thread; `messages` holds what arrived, in order.

    Each message is a dict: {"id", "event", "data" (parsed JSON), "comment", "at"}."""

    def __init__(self, base: str, last_event_id: str | None = None):
        host, port = base.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        self.conn.request("GET", "/api/stream", headers=headers)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = dict(self.resp.headers)
        self.messages: list[dict] = []
        self.ended = False
        self._lock = threading.Lock()
        if self.status == 200:
            self._thread = threading.Thread(target=self._read, daemon=True)
            self._thread.start()
        else:
            self.body = json.loads(self.resp.read())
            self.ended = True

    def _read(self) -> None:
        msg: dict = {}
        try:
            while True:
                line = self.resp.readline()
                if not line:
                    break
                line = line.decode().rstrip("\n")
                if line == "":
                    if msg:
                        msg["at"] = time.time()
                        with self._lock:
                            self.messages.append(msg)
                    msg = {}
                elif line.startswith(":"):
                    msg["comment"] = line[1:].strip()
                else:
                    field, _, value = line.partition(":")
                    value = value.removeprefix(" ")
                    msg[field] = json.loads(value) if field == "data" else value
        except (OSError, http.client.HTTPException):
            pass
        self.ended = True

    def snapshot(self) -> list[dict]:
        with self._lock:
            return list(self.messages)

    def of(self, event: str) -> list[dict]:
        return [m for m in self.snapshot() if m.get("event") == event]

    def wait_for(self, predicate, timeout: float = 10, what: str = "a message") -> dict:
        def found():
            return next((m for m in self.snapshot() if predicate(m)), None)

        return wait_until(found, timeout, message=lambda: f"no {what}; got {self.snapshot()[-5:]}")

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def rig(procs, tmp_path):
    sim = start_sim(procs, count=2, profile="constant", watts=300)
    port = free_port()
    cfg = write_config(tmp_path, [tapo_device("heater", sim, 0), tapo_device("lamp", sim, 1)],
                       poll_interval="200ms",
                       server={"listen": f"127.0.0.1:{port}", "api_token": TOKEN})
    svc = start_service(procs, cfg, devices=2, env={"PLUGWATCH_STREAM_PING": "300ms"})
    svc.proc.wait_for_line(r"api: listening", 5, stream="stderr")
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: api_call("GET", f"{base}/api/devices/heater")[1]["state"]["on"] is True, 10)
    return base, sim, svc


def test_stream_delivers_readings_events_and_pings(rig):
    base, sim, _ = rig
    client = SseClient(base)
    assert client.status == 200
    assert client.headers["Content-Type"] == "text/event-stream"
    assert client.headers["Cache-Control"] == "no-cache"

    reading = client.wait_for(lambda m: m.get("event") == "reading"
                              and m["data"]["device"] == "heater", what="reading of heater")
    assert set(reading["data"]) == {"device", "ts", "reachable", "power_w", "on"}
    assert reading["data"]["reachable"] is True and reading["data"]["on"] is True
    assert reading["data"]["power_w"] == pytest.approx(300, abs=1)
    assert re.fullmatch(r"\d+\.\d+", reading["id"]), reading
    client.wait_for(lambda m: m.get("comment") == "ping", timeout=3, what="ping")

    assert api_call("POST", f"{base}/api/devices/heater/off", token=TOKEN)[0] == 200
    switched = client.wait_for(lambda m: m.get("event") == "switched_off", what="switched_off")
    e = switched["data"]
    assert (e["type"], e["device"], e["data"]["source"]) == ("switched_off", "heater", "api")
    assert switched["id"] == str(e["id"])
    # The stream may be ahead of the store's group commit.
    stored = wait_until(lambda: [x for x in api_call("GET", f"{base}/api/events?hours=1")[1]
                                 if x["type"] == "switched_off"], 3)
    assert stored == [e]
    # Readings after the event say so, and their ids count it.
    off = client.wait_for(lambda m: m.get("event") == "reading" and m["data"]["device"] == "heater"
                          and m["data"]["on"] is False, what="reading with the relay off")
    assert off["data"]["power_w"] == 0
    assert int(off["id"].split(".")[0]) >= e["id"]
    assert sim.device(0)["relay_on"] is False
    # Ids of readings go up.
    seqs = [int(m["id"].split(".")[1]) for m in client.of("reading")]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    client.close()


def test_reconnecting_with_last_event_id_replays_missed_events(rig):
    base, sim, _ = rig
    first = SseClient(base)
    assert api_call("POST", f"{base}/api/devices/heater/off", token=TOKEN)[0] == 200
    off = first.wait_for(lambda m: m.get("event") == "switched_off", what="switched_off")
    seen = first.wait_for(lambda m: m.get("event") == "reading" and m["at"] > off["at"],
                          what="a reading after the event")
    first.close()

    # While the client is away: two more events.
    assert api_call("POST", f"{base}/api/devices/heater/on", token=TOKEN)[0] == 200
    assert api_call("POST", f"{base}/api/devices/lamp/off", token=TOKEN)[0] == 200
    def stored_after(event_id: int) -> list[dict]:
        return sorted((e for e in api_call("GET", f"{base}/api/events?hours=1")[1]
                       if e["id"] > event_id), key=lambda e: e["id"])

    missed = wait_until(lambda: len(stored_after(off["data"]["id"])) == 2
                        and stored_after(off["data"]["id"]), 3)
    assert [(e["type"], e["device"]) for e in missed] == [("switched_on", "heater"),
                                                          ("switched_off", "lamp")]

    # Reconnect with the last id received (a reading's): the missed events come
    # first, in order, then the live feed.
    again = SseClient(base, last_event_id=seen["id"])
    again.wait_for(lambda m: m.get("event") == "reading", what="live reading")
    msgs = again.snapshot()
    events = [m for m in msgs if m.get("event") not in (None, "reading")]
    assert [m["data"] for m in events[:2]] == missed
    assert [m["id"] for m in events[:2]] == [str(e["id"]) for e in missed]
    first_reading = next(i for i, m in enumerate(msgs) if m.get("event") == "reading")
    assert msgs.index(events[1]) < first_reading
    again.close()

    # Up to date: nothing is replayed.
    current = SseClient(base, last_event_id=str(missed[-1]["id"]))
    current.wait_for(lambda m: m.get("event") == "reading", what="live reading")
    time.sleep(0.3)
    assert [m for m in current.snapshot() if m.get("event") not in (None, "reading")] == []
    current.close()


def test_a_client_that_never_reads_is_dropped_while_another_keeps_receiving(procs, tmp_path):
    sim = start_sim(procs, count=16, profile="constant", watts=120)
    port = free_port()
    cfg = write_config(tmp_path, [tapo_device(f"plug{i}", sim, i) for i in range(16)],
                       poll_interval="100ms", server={"listen": f"127.0.0.1:{port}"})
    svc = start_service(procs, cfg, devices=16,
                        env={"PLUGWATCH_STREAM_QUEUE_BYTES": "16384",
                             "PLUGWATCH_STREAM_MAX_CLIENTS": "2"})
    svc.proc.wait_for_line(r"api: listening", 5, stream="stderr")
    base = f"http://127.0.0.1:{port}"

    # The stuck client: a small receive window, and it never reads.
    stuck = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stuck.connect(("127.0.0.1", port))
    stuck.sendall(b"GET /api/stream HTTP/1.1\r\nHost: x\r\n\r\n")
    good = SseClient(base)
    assert good.status == 200

    # A third client is over the cap.
    third = SseClient(base)
    assert third.status == 503
    assert third.body == {"error": "too many live stream clients (2) — close another dashboard "
                                   "or stream client, then retry"}
    assert third.headers["Retry-After"] == "5"

    dropped = svc.proc.wait_for_line(
        r"api: live stream client 127\.0\.0\.1 dropped: it read too slowly \(over 16384 bytes "
        r"waiting\)", 60, stream="stderr")
    assert dropped
    dropped_at = time.time()
    # The good client goes on receiving fresh readings.
    good.wait_for(lambda m: m.get("event") == "reading" and m["at"] > dropped_at + 0.5,
                  what="a reading after the drop")
    assert not good.ended
    # The stuck client's connection was closed: what it has buffered, then EOF.
    stuck.settimeout(10)
    total = 0
    while chunk := stuck.recv(65536):
        total += len(chunk)
    assert total > 0
    stuck.close()
    with urllib.request.urlopen(f"{base}/metrics", timeout=5) as resp:
        metrics = resp.read().decode()
    assert "\nplugwatch_stream_clients_dropped_total 1\n" in metrics
    assert "\nplugwatch_stream_clients 1\n" in metrics
    # Its place is free again.
    other = SseClient(base)
    assert other.status == 200
    other.close()
    good.close()


def test_stopping_the_service_ends_the_stream(rig):
    base, _, svc = rig
    client = SseClient(base)
    client.wait_for(lambda m: m.get("event") == "reading", what="reading")
    started = time.time()
    assert svc.stop() == 0
    wait_until(lambda: client.ended, 5, message="the stream did not end")
    assert time.time() - started < 5
