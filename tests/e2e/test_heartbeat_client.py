"""`plugwatch heartbeat`: the heartbeat client against a stand-in server.

The stand-in (threading http.server on 127.0.0.1:0) records every request with
the time it arrived and answers from a script: a status code, "drop" (close
the connection without answering) or "hang" (answer after the test ends).
One test also runs the client against the real service (`plugwatch serve`
with a [[heartbeats]] entry).
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import BIN, free_port, run_cli, start_service, wait_until, write_config


@dataclass
class Seen:
    at: float
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class StandIn:
    """A fake plugwatch heartbeat endpoint."""

    script: list = field(default_factory=list)  # answers in order, then `default`
    default: int = 200
    seen: list = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def requests(self) -> list[Seen]:
        with self.lock:
            return list(self.seen)

    def start(self) -> "StandIn":
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            # HTTP/1.0: one request per connection, so a dropped connection is
            # seen by the client as a failure of that very attempt.
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):  # quiet
                pass

            def _any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                with stand_in.lock:
                    stand_in.seen.append(Seen(time.time(), self.command, self.path,
                                              {k.lower(): v for k, v in self.headers.items()},
                                              body))
                    action = stand_in.script.pop(0) if stand_in.script else stand_in.default
                if action == "drop":
                    self.close_connection = True
                    return
                if action == "hang":
                    stand_in.release.wait(30)
                    return
                status = int(action)
                if status == 200:
                    payload = {"status": "ok", "label": "POWER"}
                elif status == 401:
                    payload = {"error": "missing or wrong token for heartbeat label 'POWER'"}
                elif status == 404:
                    payload = {"error": "unknown heartbeat label 'POWER' — add a [[heartbeats]]"}
                else:
                    payload = {"error": "scripted failure"}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_HEAD = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self.server:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def stand_in():
    s = StandIn().start()
    yield s
    s.stop()


def heartbeat(procs, *args, token: str | None = None, name: str = "heartbeat"):
    env = dict(os.environ)
    env.pop("PLUGWATCH_HEARTBEAT_TOKEN", None)
    if token is not None:
        env["PLUGWATCH_HEARTBEAT_TOKEN"] = token
    return procs.start([BIN, "heartbeat", *map(str, args)], name=name, env=env)


def stop_within(proc, seconds: float) -> int:
    start = time.monotonic()
    proc.popen.send_signal(signal.SIGTERM)
    code = proc.popen.wait(timeout=10)
    took = time.monotonic() - start
    assert took < seconds, f"took {took:.2f} s to stop after SIGTERM\n{proc.describe()}"
    return code


# ---------------------------------------------------------------- sending


def test_posts_label_timestamp_and_bearer_every_interval(procs, stand_in):
    # The token comes from the environment, so it is not on the command line.
    p = heartbeat(procs, "--url", stand_in.url, "--label", "POWER", "--interval", "1s",
                  token="s3cret")
    time.sleep(3.5)
    seen = stand_in.requests()
    assert len(seen) >= 3, p.describe()
    assert len(seen) <= 5, p.describe()
    for s in seen:
        assert s.method == "POST"
        assert s.path == "/api/heartbeat"
        assert s.headers["authorization"] == "Bearer s3cret"
        assert s.headers["content-type"] == "application/json"
        assert s.headers["user-agent"].startswith("plugwatch-heartbeat/")
        body = s.json()
        assert body["label"] == "POWER"
        assert isinstance(body["timestamp"], int)
        assert abs(body["timestamp"] - s.at) <= 2
        assert "up_since" not in body  # nothing failed
    gaps = [b.at - a.at for a, b in zip(seen, seen[1:])]
    assert all(0.8 <= g <= 1.3 for g in gaps), gaps
    assert "s3cret" not in Path(f"/proc/{p.pid}/cmdline").read_bytes().decode(errors="replace")
    # One info line at start and one for the first delivery; none per success.
    info = [l for l in p.lines("stderr") if " info " in l]
    assert any("sending label 'POWER'" in l and "with a token" in l for l in info), info
    assert sum("first heartbeat delivered" in l for l in info) == 1, info
    assert len(info) == 2, info
    assert stop_within(p, 2) == 0


def test_token_flag_and_an_explicit_path(stand_in):
    r = run_cli("heartbeat", "--url", stand_in.url + "/heartbeat", "--label", "GENERATOR",
                "--token", "abc", "--once")
    assert r.returncode == 0, r.stderr
    assert "heartbeat delivered" in r.stdout
    (s,) = stand_in.requests()
    assert s.path == "/heartbeat"
    assert s.headers["authorization"] == "Bearer abc"
    assert s.json()["label"] == "GENERATOR"


def test_no_token_no_authorization_header(stand_in):
    env = {k: v for k, v in os.environ.items() if k != "PLUGWATCH_HEARTBEAT_TOKEN"}
    r = run_cli("heartbeat", "--url", stand_in.url, "--label", "POWER", "--once", env=env)
    assert r.returncode == 0, r.stderr
    (s,) = stand_in.requests()
    assert "authorization" not in s.headers


# ---------------------------------------------------------------- failures


def test_retries_after_a_500_and_a_dropped_connection(procs, stand_in):
    stand_in.script = [500, "drop"]
    p = heartbeat(procs, "--url", stand_in.url, "--label", "POWER", "--interval", "5s",
                  "--retries", "3")
    p.wait_for_line(r"delivered again after 2 failures", 5, stream="stderr")
    seen = stand_in.requests()
    assert len(seen) == 3, p.describe()
    # Retries come within the interval, after a short backoff, not 5 s later.
    assert seen[2].at - seen[0].at < 2.0, [s.at - seen[0].at for s in seen]
    assert seen[1].at - seen[0].at >= 0.1
    # The heartbeat that got through says since when the client has been failing.
    assert "up_since" not in seen[0].json()
    assert seen[2].json()["up_since"] == seen[0].json()["timestamp"]
    err = "\n".join(p.lines("stderr"))
    assert re.search(r"attempt 1 of 4 failed, retrying in \d+ms: the server failed \(HTTP 500\)", err), err
    assert re.search(r"attempt 2 of 4 failed, retrying in \d+ms: .*127\.0\.0\.1", err), err
    assert stop_within(p, 2) == 0


def test_rejected_token_is_logged_with_what_to_check(procs, stand_in):
    stand_in.default = 401
    p = heartbeat(procs, "--url", stand_in.url, "--label", "POWER", "--interval", "1s",
                  token="T0kenXYZ")
    line = p.wait_for_line(r"warning heartbeat: .*HTTP 401", 5, stream="stderr").string
    assert "rejected the token for label 'POWER'" in line
    assert "--token" in line and "PLUGWATCH_HEARTBEAT_TOKEN" in line
    assert '[[heartbeats]] entry with label = "POWER"' in line
    assert "T0kenXYZ" not in "\n".join(p.lines("stderr"))  # the token is never logged
    time.sleep(0.8)
    # A 401 is not retried within the interval: about one request per second.
    seen = stand_in.requests()
    assert 1 <= len(seen) <= 3, len(seen)
    assert stop_within(p, 2) == 0


def test_unknown_label_says_to_add_a_heartbeats_entry(stand_in):
    stand_in.default = 404
    r = run_cli("heartbeat", "--url", stand_in.url, "--label", "POWER", "--once")
    assert r.returncode == 1
    assert "does not know label 'POWER'" in r.stderr
    assert 'add a [[heartbeats]] entry with label = "POWER"' in r.stderr
    assert len(stand_in.requests()) == 1  # not retried


def test_connection_refused_says_to_check_the_service():
    port = free_port()
    r = run_cli("heartbeat", "--url", f"http://127.0.0.1:{port}", "--label", "POWER", "--once",
                "--retries", "1", "--interval", "2s")
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert re.search(r"attempt 1 of 2 failed, retrying in \d+ms: connection refused", lines[0]), lines
    assert lines[-1].startswith("plugwatch: heartbeat not delivered: connection refused by "
                                f"http://127.0.0.1:{port} — is the plugwatch service running")


# ---------------------------------------------------------------- stopping


def test_sigterm_mid_wait_exits_0_promptly(procs, stand_in):
    p = heartbeat(procs, "--url", stand_in.url, "--label", "POWER", "--interval", "30s")
    wait_until(lambda: stand_in.requests(), 5, message="no heartbeat")
    time.sleep(0.2)
    assert stop_within(p, 2) == 0


def test_sigterm_mid_request_exits_0_promptly(procs, stand_in):
    stand_in.default = "hang"
    p = heartbeat(procs, "--url", stand_in.url, "--label", "POWER", "--interval", "30s",
                  "--timeout", "20s")
    wait_until(lambda: stand_in.requests(), 5, message="no heartbeat")
    assert stop_within(p, 2) == 0


def test_sigint_exits_0(procs, stand_in):
    p = heartbeat(procs, "--url", stand_in.url, "--label", "POWER", "--interval", "30s")
    wait_until(lambda: stand_in.requests(), 5, message="no heartbeat")
    p.popen.send_signal(signal.SIGINT)
    assert p.popen.wait(timeout=2) == 0


# ---------------------------------------------------------------- usage


@pytest.mark.parametrize("args, message", [
    (["--label", "POWER"], r"--url is required"),
    (["--url", "http://127.0.0.1:8080"], r"--label is required"),
    (["--url", "127.0.0.1:8080", "--label", "P"], r"it needs a scheme\) — write e\.g\. http://"),
    (["--url", "ftp://h/", "--label", "P"], r"scheme 'ftp' — use http or https"),
    (["--url", "https://power.lan", "--label", "P"], r"https is not supported yet .* use http://"),
    (["--url", "http://h", "--label", ""], r"--label must not be empty"),
    (["--url", "http://h", "--label", "P", "--interval", "10"], r"--interval: '10' is not a duration"),
    (["--url", "http://h", "--label", "P", "--interval", "10ms"], r"--interval must be between 100ms and 24h"),
    (["--url", "http://h", "--label", "P", "--timeout", "0s"], r"--timeout must be at least 100ms"),
    (["--url", "http://h", "--label", "P", "--retries", "11"], r"--retries must be 0\.\.10"),
    (["--url", "http://h", "--label", "P", "--retries", "x"], r"--retries"),
    (["--url", "http://h", "--label", "P", "--bogus"], r"bogus"),
])
def test_bad_flags_exit_2_with_a_message(args, message):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLUGWATCH_HEARTBEAT_")}
    r = run_cli("heartbeat", *args, env=env, timeout=10)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert re.search(message, r.stderr), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_options_from_the_environment(stand_in):
    r = run_cli("heartbeat", "--once", env={"PLUGWATCH_HEARTBEAT_URL": stand_in.url,
                                            "PLUGWATCH_HEARTBEAT_LABEL": "POWER",
                                            "PLUGWATCH_HEARTBEAT_TOKEN": "from-env"})
    assert r.returncode == 0, r.stderr
    (s,) = stand_in.requests()
    assert s.headers["authorization"] == "Bearer from-env"


def test_help_explains_every_option():
    r = run_cli("heartbeat", "--help")
    assert r.returncode == 0
    for text in ("--url", "--label", "--token", "--interval", "--timeout", "--retries", "--once",
                 "PLUGWATCH_HEARTBEAT_TOKEN", "/api/heartbeat", "https", "Exit status",
                 "backoff", "jitter", "[[heartbeats]]"):
        assert text in r.stdout, text


# ---------------------------------------------------------------- the real service


def test_against_the_service(procs, tmp_path):
    port = free_port()
    config = write_config(tmp_path, server={"listen": f"127.0.0.1:{port}"}, extra="\n".join([
        "[[heartbeats]]", 'label = "POWER"', 'token = "tok-123"', 'period = "1s"',
        'grace = "2s"']))
    start_service(procs, config, devices=0)
    url = f"http://127.0.0.1:{port}"
    ok = run_cli("heartbeat", "--url", url, "--label", "POWER", "--once",
                 env={"PLUGWATCH_HEARTBEAT_TOKEN": "tok-123"})
    assert ok.returncode == 0, ok.stderr
    bad = run_cli("heartbeat", "--url", url, "--label", "POWER", "--once",
                  env={"PLUGWATCH_HEARTBEAT_TOKEN": "nope"})
    assert bad.returncode == 1
    assert "rejected the token for label 'POWER' (HTTP 401)" in bad.stderr
    unknown = run_cli("heartbeat", "--url", url, "--label", "SOLAR", "--once",
                      env={"PLUGWATCH_HEARTBEAT_TOKEN": "tok-123"})
    assert unknown.returncode == 1
    assert "does not know label 'SOLAR' (HTTP 404)" in unknown.stderr
