"""`plugwatch sim http`: emulated network devices for reachability probes.

Devices answer HTTP on consecutive ports; the control API takes them off the
network (listener closed, connections dropped: connection refused) and brings
them back on the same port. The probe drivers (kinds "http" and "tcp") are
exercised through `plugwatch device test`.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import urllib.error
import urllib.request

import pytest

from conftest import BIN, free_port, run_cli, start_sim_http


def get(port: int, path: str = "/") -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def refused(port: int) -> bool:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        return False
    except ConnectionRefusedError:
        return True
    finally:
        s.close()


def test_devices_answer_on_consecutive_ports(procs):
    sim = start_sim_http(procs, count=3)
    assert re.search(rf"^emulating 3 HTTP device\(s\) on 127\.0\.0\.1:{sim.base_port}-"
                     rf"{sim.base_port + 2}$", "\n".join(sim.proc.lines()), re.M)
    for i, port in enumerate(sim.ports):
        assert get(port) == (200, f"plugwatch sim http device {i}\n")
    assert get(sim.ports[0], "/missing")[0] == 404
    assert get(sim.ports[0], "/status/503")[0] == 503
    assert get(sim.ports[0], "/any/path?x=1")[0] == 200
    devices = sim.devices()
    assert [d["index"] for d in devices] == [0, 1, 2]
    assert all(d["up"] and d["fault"] == "none" for d in devices)
    assert [d["requests"] for d in devices] == [4, 1, 1]


def test_down_refuses_and_drops_connections_then_up_answers_again(procs):
    sim = start_sim_http(procs, count=2)
    port = sim.ports[1]
    kept = http.client.HTTPConnection("127.0.0.1", port, timeout=3)  # HTTP/1.1 keep-alive
    kept.request("GET", "/")
    first = kept.getresponse()
    assert first.status == 200
    first.read()

    d = sim.down(1)
    assert d["up"] is False and d["port"] == port
    assert refused(port)
    with pytest.raises(urllib.error.URLError) as e:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=3)
    assert isinstance(e.value.reason, ConnectionRefusedError)
    # The connection that was open is gone too.
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError, BrokenPipeError)):
        kept.request("GET", "/")
        kept.getresponse()
    kept.close()
    assert get(sim.ports[0])[0] == 200  # the other device is unaffected

    d = sim.up(1)
    assert d["up"] is True and d["port"] == port
    assert get(port) == (200, "plugwatch sim http device 1\n")


def test_control_api_errors(procs):
    sim = start_sim_http(procs, count=1)
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(urllib.request.Request(f"{sim.control}/devices/0/relay",
                                                      data=b'{"on":false}', method="POST"))
    assert e.value.code == 404
    assert "no relay" in json.loads(e.value.read())["error"]
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"{sim.control}/devices/3")
    assert e.value.code == 404
    assert json.loads(e.value.read())["error"] == "no device '3' — indexes are 0..0"


def test_probe_drivers_through_device_test(procs, tmp_path):
    sim = start_sim_http(procs, count=2)
    db = tmp_path / "probes.db"
    for dev, kind, i in (("router", "http", 0), ("nas", "tcp", 1)):
        r = run_cli("device", "add", dev, "--kind", kind, "--address", sim.address(i),
                    "--db", db)
        assert r.returncode == 0, r.stderr

    def test_all():
        r = run_cli("device", "test", "--db", db, "--json", timeout=20)
        assert r.returncode in (0, 1), r.stderr
        return r.returncode, {row["id"]: row for row in json.loads(r.stdout)}

    code, rows = test_all()
    assert code == 0, rows
    assert rows["router"]["ok"] and rows["router"]["info"]["kind"] == "http"
    assert rows["nas"]["ok"] and rows["nas"]["info"]["kind"] == "tcp"
    assert sim.device(0)["requests"] >= 1  # the http probe really asked

    sim.down(0)
    sim.down(1)
    code, rows = test_all()
    assert code == 1
    assert not rows["router"]["ok"] and not rows["nas"]["ok"]
    assert "http[router]" in rows["router"]["error"]
    assert "connection refused" in rows["router"]["error"].lower()
    assert "tcp[nas]" in rows["nas"]["error"]
    assert "refused" in rows["nas"]["error"].lower()
    text = run_cli("device", "test", "router", "--db", db)
    assert text.returncode == 1
    assert re.search(r"^router\s+FAILED\s+http\[router\]: ", text.stdout, re.M), text.stdout

    sim.up(0)
    sim.up(1)
    code, rows = test_all()
    assert code == 0, rows

    # Any HTTP answer means reachable, even a 500.
    sim.fault(0, "http500")
    code, rows = test_all()
    assert code == 0 and rows["router"]["ok"], rows


def test_port_0_only_for_one_device(procs):
    r = run_cli("sim", "http", "--listen", "127.0.0.1:0", "--count", "2", timeout=10)
    assert r.returncode == 2
    assert "port 0 picks one free port" in r.stderr
    p = procs.start([BIN, "sim", "http", "--listen", "127.0.0.1:0"], name="sim-http-0")
    m = p.wait_for_line(r"^emulating 1 HTTP device\(s\) on 127\.0\.0\.1:(\d+)$", 10)
    assert get(int(m.group(1)))[0] == 200
    assert p.stop() == 0


def test_busy_port_says_what_to_do(procs):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen()
    try:
        r = run_cli("sim", "http", "--listen", f"127.0.0.1:{s.getsockname()[1]}", timeout=10)
    finally:
        s.close()
    assert r.returncode == 1
    assert "Address already in use — choose another --listen port or a smaller --count" in r.stderr


def test_help():
    r = run_cli("sim", "http", "--help")
    assert r.returncode == 0
    for text in ("--listen", "--count", "--control", "/devices/N/down", "/missing", "refused"):
        assert text in r.stdout, text
