"""The REST API of a running service: routes, bad input, tokens (INTERFACE.md)."""
import json
import re
import signal
import socket
import time

import pytest

from conftest import BIN, api_call, free_port, start_service, start_sim, tapo_device, wait_until, write_config

TOKEN = "t0ken-for-tests"


def call(method, url, body=None, token=None, raw=None):
    status, answer, _ = api_call(method, url, body, token=token, raw=raw)
    return status, answer


@pytest.fixture
def api(procs, tmp_path):
    sim = start_sim(procs, count=2, profile="constant", watts=500)
    port = free_port()
    cfg = write_config(tmp_path, [tapo_device("washer", sim, 0, name="Washer",
                                              activity={"start_above_w": 5})],
                       server={"listen": f"127.0.0.1:{port}", "api_token": TOKEN})
    service = start_service(procs, cfg, devices=1)
    service.proc.wait_for_line(r"api: listening", 5, stream="stderr")
    return f"http://127.0.0.1:{port}", sim


def test_health_and_device_state(api):
    base, _ = api
    assert call("GET", f"{base}/api/health") == (200, {"status": "ok"})
    status, doc = call("GET", f"{base}/api/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.") and "/api/devices" in doc["paths"]
    wait_until(lambda: call("GET", f"{base}/api/devices")[1][0]["state"]["power_w"] == 500, 10)
    status, devices = call("GET", f"{base}/api/devices")
    assert status == 200
    [d] = devices
    assert (d["id"], d["name"], d["kind"], d["site"], d["enabled"]) == ("washer", "Washer", "tapo", "home", True)
    assert d["state"]["reachable"] is True and d["state"]["on"] is True
    assert "password" not in json.dumps(devices)


def test_create_read_delete_device(api):
    base, sim = api
    body = {"id": "dryer", "kind": "tapo", "address": sim.address(1), "username": sim.username,
            "password": sim.password}
    status, created = call("POST", f"{base}/api/devices", body, token=TOKEN)
    assert status == 201 and created["id"] == "dryer" and created["source"] == "api"
    # The service starts polling it within 2 s.
    wait_until(lambda: call("GET", f"{base}/api/devices/dryer")[1]["state"]["power_w"] == 500, 3)
    assert call("POST", f"{base}/api/devices", body, token=TOKEN) == (
        409, {"error": "device 'dryer' already exists — choose another id or remove it first"})
    assert call("DELETE", f"{base}/api/devices/dryer", token=TOKEN) == (204, None)
    assert call("GET", f"{base}/api/devices/dryer") == (
        404, {"error": "device 'dryer' does not exist — see GET /api/devices"})


def test_bad_input_gets_exact_errors(api):
    base, _ = api
    url = f"{base}/api/devices"
    assert call("POST", url, {"id": "x", "kind": "tapo", "address": "h"}) == (
        401, {"error": "missing or wrong API token — send 'Authorization: Bearer <server.api_token>'"})
    assert call("POST", url, raw=b'{"id":', token=TOKEN) == (
        400, {"error": "malformed JSON body: incomplete JSON — send a JSON object"})
    assert call("POST", url, {"id": "x", "kind": 5}, token=TOKEN) == (422, {"error": "kind: must be a string"})
    status, err = call("POST", url, {"id": "x", "kind": "zigbee", "address": "h"}, token=TOKEN)
    assert status == 422 and "kind" in err["error"]
    status, err = call("POST", url, raw=b"x" * 70000, token=TOKEN)
    assert status == 413
    assert call("GET", f"{base}/api/events?hours=abc") == (
        422, {"error": "hours must be a number between 0.001 and 87840 (got 'abc')"})
    assert call("GET", f"{base}/api/nothing") == (
        404, {"error": "no such endpoint: GET /api/nothing — see /api/openapi.json"})


def test_history_endpoints(api):
    base, sim = api
    # 500 W for start_delay (10 s default) would take long; switching the relay
    # at the device gives an event right away.
    wait_until(lambda: call("GET", f"{base}/api/devices")[1][0]["state"]["on"] is True, 10)
    sim.relay(0, False)
    wait_until(lambda: call("GET", f"{base}/api/events?type=switched_off")[1], 5)
    status, events = call("GET", f"{base}/api/events?hours=1&device=washer")
    assert status == 200
    [e] = [e for e in events if e["type"] == "switched_off"]
    assert e["data"] == {"source": "device"} and e["device"] == "washer" and e["id"] > 0
    status, readings = call("GET", f"{base}/api/readings?device=washer&hours=1&points=10")
    assert status == 200 and 1 <= len(readings) <= 10
    assert set(readings[0]) >= {"ts", "power_w", "energy_wh", "on"}
    assert call("GET", f"{base}/api/cycles?hours=1") == (200, [])
    assert call("GET", f"{base}/api/readings?hours=1") == (
        422, {"error": "device: required — e.g. /api/readings?device=washer&hours=24"})


def test_refuses_to_listen_beyond_loopback_without_token(procs, tmp_path):
    cfg = write_config(tmp_path, [], server={"listen": f"0.0.0.0:{free_port()}"})
    proc = procs.start([BIN, "serve", "-c", str(cfg)], name="serve")
    proc.popen.wait(10)
    assert proc.stop() == 1
    assert any("refusing to listen on 0.0.0.0" in line and "without server.api_token" in line
               for line in proc.lines("stderr"))


def test_sigterm_finishes_the_request_in_progress_and_closes_idle_connections(procs, tmp_path):
    """SIGTERM drains the API: a request whose body is still arriving is
    answered, an idle keep-alive connection is closed at once, and the service
    exits 0 well inside its 5 s grace."""
    port = free_port()
    cfg = write_config(tmp_path, [], server={"listen": f"127.0.0.1:{port}"},
                       extra='[[heartbeats]]\nlabel = "POWER"\nperiod = "10s"\ngrace = "40s"\n')
    service = start_service(procs, cfg, devices=0)
    service.proc.wait_for_line(r"api: listening", 5, stream="stderr")
    idle = socket.create_connection(("127.0.0.1", port), timeout=5)
    busy = socket.create_connection(("127.0.0.1", port), timeout=5)
    body = b'{"label":"POWER"}'
    busy.sendall(b"POST /api/heartbeat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(body) + body[:5])
    time.sleep(0.3)  # the server has started reading that request
    started = time.time()
    service.proc.popen.send_signal(signal.SIGTERM)
    service.proc.wait_for_line(r"finishing requests in progress", 5, stream="stderr")
    assert idle.recv(1) == b"", "the idle connection was not closed"
    busy.sendall(body[5:])
    answer = busy.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 200"), answer
    assert '"status":"ok"' in answer and '"label":"POWER"' in answer
    assert service.proc.popen.wait(5) == 0
    assert time.time() - started < 5


def _read_answer(sock: socket.socket) -> tuple[bytes, bytes]:
    """One HTTP/1.1 answer with a Content-Length: (head, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, f"closed after {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))
    while len(rest) < length:
        chunk = sock.recv(4096)
        assert chunk, "closed inside the body"
        rest += chunk
    assert len(rest) == length, "more than one answer to one request"
    return head, rest


def test_heartbeat_answers_alike_on_both_paths_and_the_throttle_covers_both(procs, tmp_path):
    """A plain heartbeat request is taken by the server's fast route, one with
    an unusual header (obs-text) goes through Beast and the router: the answers
    are the same bytes but for the receive time. Failed tokens throttle the
    address for both: after ten, even a correct plain heartbeat gets 429."""
    port = free_port()
    cfg = write_config(tmp_path, [], server={"listen": f"127.0.0.1:{port}"},
                       extra='[[heartbeats]]\nlabel = "POWER"\ntoken = "hb-tok"\n'
                             'period = "10s"\ngrace = "40s"\n'
                             '[[heartbeats]]\nlabel = "a \\"quoted\\"\\tlabel"\n'
                             'token = "hb-tok"\n')
    service = start_service(procs, cfg, devices=0)
    service.proc.wait_for_line(r"api: listening", 5, stream="stderr")
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    body = b'{"label":"POWER","timestamp":1763805600.5}'

    def heartbeat(token: bytes, extra: bytes = b"") -> tuple[bytes, bytes]:
        sock.sendall(b"POST /api/heartbeat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                     b"\r\n" + extra + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        return _read_answer(sock)

    fast = heartbeat(b"hb-tok")
    generic = heartbeat(b"hb-tok", b"X-Note: caf\xc3\xa9\r\n")
    for head, answer in (fast, generic):
        assert head.startswith(b"HTTP/1.1 200 OK\r\n"), head
        got = json.loads(answer)
        assert got["status"] == "ok" and got["label"] == "POWER" and got["timestamp"] == 1763805600.5
        assert abs(got["received_at"] - time.time()) < 60
    received = re.compile(rb'"received_at":[0-9.eE+-]+')
    # The receive time's digits vary (trailing zeros are dropped), and with
    # them Content-Length: compare the heads without it, and check it.
    length = re.compile(rb"Content-Length: (\d+)")
    for head, answer in (fast, generic):
        assert int(length.search(head).group(1)) == len(answer), (head, answer)
    assert length.sub(b"", fast[0]) == length.sub(b"", generic[0])
    assert received.sub(b"", fast[1]) == received.sub(b"", generic[1]), (fast, generic)

    # The answer is written by hand: a label that needs escaping stays JSON.
    odd = json.dumps({"label": 'a "quoted"\tlabel'}).encode()
    sock.sendall(b"POST /heartbeat HTTP/1.1\r\nAuthorization: Bearer hb-tok\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(odd) + odd)
    head, answer = _read_answer(sock)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n"), (head, answer)
    assert json.loads(answer)["label"] == 'a "quoted"\tlabel', answer
    assert json.loads(answer)["timestamp"] is None

    for _ in range(10):
        head, answer = heartbeat(b"wrong")
        assert head.startswith(b"HTTP/1.1 401 "), head
    head, answer = heartbeat(b"hb-tok")
    assert head.startswith(b"HTTP/1.1 429 "), head
    assert b"\r\nRetry-After: " in head
    assert json.loads(answer)["error"].startswith("too many failed heartbeats from 127.0.0.1")
