"""Black-box tests of the real plugwatch binary (pytest, stdlib only).

Everything runs on 127.0.0.1 with ports found by binding: emulated Tapo plugs
(`plugwatch sim tapo`, steered through its control API), the service
(`plugwatch serve`) and the management commands. Processes are started with
subprocess.Popen and stopped by their PID (SIGTERM, wait at most 10 s, then
SIGKILL) in fixture finalizers; temporary files live under tmp_path.

The binary is $PLUGWATCH_BIN (default: build/plugwatch of this checkout).
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import signal
import socket
import subprocess
import threading
import time
import traceback
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = os.environ.get("PLUGWATCH_BIN", str(REPO / "build" / "plugwatch"))

# Credentials the emulated plugs accept unless a test says otherwise
# (the defaults of `plugwatch sim tapo`).
TAPO_USER = "user@example.com"
TAPO_PASSWORD = "secret"

# The service prints one line per event on stdout:
#   2026-11-22T10:00:00.000Z  washer     cycle_finished  finished after …
EVENT_LINE = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\s+(?P<device>\S+)\s+(?P<type>[a-z_]+)\s+"
    r"(?P<summary>.*)$"
)


# ---------------------------------------------------------------- pytest hooks


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "late: run after every other test (its fixture works in the background meanwhile)"
    )


def pytest_collection_modifyitems(session, config, items) -> None:
    # Stable sort: tests whose rig runs in the background go last, so that the
    # rest of the suite runs while their appliance clock ticks.
    items.sort(key=lambda item: 1 if item.get_closest_marker("late") else 0)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


@pytest.fixture(scope="session", autouse=True)
def _binary_exists() -> None:
    if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)):
        pytest.fail(
            f"plugwatch binary not found at {BIN} — build it (make build) or set PLUGWATCH_BIN",
            pytrace=False,
        )


# ---------------------------------------------------------------- ports


def _ephemeral_range() -> tuple[int, int]:
    try:
        lo, hi = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(lo), int(hi)
    except (OSError, ValueError):
        return 32768, 60999


def _can_bind(port: int) -> bool:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bound with port 0)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def consecutive_ports(n: int) -> int:
    """The first of n consecutive free ports on 127.0.0.1.

    Picked below the kernel's ephemeral range, so that outgoing connections
    (which take ephemeral ports) cannot grab one of them before the emulator
    binds it; every port of the block is verified by binding it.
    """
    eph_lo, _ = _ephemeral_range()
    lo, hi = 20000, max(20000 + n + 1, eph_lo - n - 1)
    rng = random.Random()
    for _ in range(500):
        base = rng.randrange(lo, hi)
        if all(_can_bind(p) for p in range(base, base + n)):
            return base
    raise RuntimeError(f"no {n} consecutive free ports found")


# ---------------------------------------------------------------- processes


class Proc:
    """A child process whose stdout and stderr are read line by line by threads."""

    def __init__(self, args: Sequence[str], name: str = "", cwd: str | Path | None = None,
                 env: Mapping[str, str] | None = None):
        self.args = [str(a) for a in args]
        self.name = name or Path(self.args[0]).name
        self.started_at = time.time()
        self.popen = subprocess.Popen(
            self.args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=str(cwd) if cwd else None,
            env=dict(env) if env is not None else None,
            text=True,
            errors="replace",
            bufsize=1,
        )
        self.pid = self.popen.pid
        self._lines: dict[str, list[tuple[float, str]]] = {"stdout": [], "stderr": []}
        self._cond = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read, args=(self.popen.stdout, "stdout"), daemon=True),
            threading.Thread(target=self._read, args=(self.popen.stderr, "stderr"), daemon=True),
        ]
        for t in self._readers:
            t.start()

    def _read(self, stream, which: str) -> None:
        for line in stream:
            with self._cond:
                self._lines[which].append((time.time(), line.rstrip("\n")))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def lines(self, stream: str = "stdout") -> list[str]:
        with self._cond:
            return [text for _, text in self._lines[stream]]

    def timed_lines(self, stream: str = "stdout") -> list[tuple[float, str]]:
        with self._cond:
            return list(self._lines[stream])

    def alive(self) -> bool:
        return self.popen.poll() is None

    def wait_for_line(self, regex: str | re.Pattern, timeout: float, stream: str = "stdout",
                      start: int = 0) -> re.Match:
        """The first line (from index `start`) matching regex; fails after timeout."""
        pattern = re.compile(regex) if isinstance(regex, str) else regex
        deadline = time.monotonic() + timeout
        index = start
        with self._cond:
            while True:
                lines = self._lines[stream]
                while index < len(lines):
                    m = pattern.search(lines[index][1])
                    if m:
                        return m
                    index += 1
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                if self.popen.poll() is not None and all(not t.is_alive() for t in self._readers):
                    break
                self._cond.wait(min(left, 0.2))
        raise AssertionError(
            f"{self.name} (pid {self.pid}): no {stream} line matching {pattern.pattern!r} within "
            f"{timeout:.1f} s (exit status {self.popen.poll()}).\n{self.describe()}"
        )

    def count(self, regex: str | re.Pattern, stream: str = "stdout") -> int:
        pattern = re.compile(regex) if isinstance(regex, str) else regex
        return sum(1 for line in self.lines(stream) if pattern.search(line))

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, wait at most `timeout`, then SIGKILL. Returns the exit status."""
        if self.popen.poll() is None:
            try:
                self.popen.send_signal(signal.SIGTERM)
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
            except ProcessLookupError:
                pass
        for t in self._readers:
            t.join(timeout=2)
        return self.popen.returncode

    def kill9(self) -> None:
        if self.popen.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)
        for t in self._readers:
            t.join(timeout=2)

    def describe(self, tail: int = 30) -> str:
        out = [f"--- {self.name} pid {self.pid}: {' '.join(self.args)}"]
        for stream in ("stdout", "stderr"):
            lines = self.lines(stream)
            out.append(f"--- {stream} (last {min(tail, len(lines))} of {len(lines)} lines)")
            out.extend(lines[-tail:])
        return "\n".join(out)


class ProcGroup:
    """Processes owned by one fixture; stopped (newest first) by stop_all()."""

    def __init__(self):
        self.procs: list[Proc] = []
        self._lock = threading.Lock()

    def start(self, args: Sequence[str], name: str = "", **kw) -> Proc:
        p = Proc(args, name=name, **kw)
        with self._lock:
            self.procs.append(p)
        return p

    def stop_all(self) -> None:
        with self._lock:
            procs, self.procs = list(reversed(self.procs)), []
        for p in procs:
            p.stop()

    def describe(self) -> str:
        with self._lock:
            return "\n".join(p.describe() for p in self.procs)


def _group_fixture(request) -> ProcGroup:
    group = ProcGroup()

    def finish():
        failed = any(
            getattr(request.node, "rep_" + when, None) is not None
            and getattr(request.node, "rep_" + when).failed
            for when in ("setup", "call")
        )
        if failed:
            print(group.describe())
        group.stop_all()

    request.addfinalizer(finish)
    return group


@pytest.fixture
def procs(request) -> ProcGroup:
    """Processes of one test, stopped by PID when it ends (logs printed if it failed)."""
    return _group_fixture(request)


@pytest.fixture(scope="module")
def module_procs(request) -> ProcGroup:
    return _group_fixture(request)


@pytest.fixture(scope="session")
def session_procs(request) -> ProcGroup:
    return _group_fixture(request)


# ---------------------------------------------------------------- CLI


def run_cli(*args: Any, input: str | None = None, timeout: float = 30,
            env: Mapping[str, str] | None = None, cwd: str | Path | None = None
            ) -> subprocess.CompletedProcess:
    """Runs `plugwatch ARGS…` to completion; stdout and stderr as text."""
    full_env = None
    if env is not None:
        full_env = dict(os.environ)
        full_env.update(env)
    return subprocess.run(
        [BIN, *map(str, args)],
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=str(cwd) if cwd else None,
    )


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.05,
               message: str | Callable[[], str] = "") -> Any:
    """Calls predicate until it returns something truthy, which is returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"condition not met within {timeout:.1f} s: {text}")
        time.sleep(interval)


# ---------------------------------------------------------------- HTTP helpers


def api_call(method: str, url: str, body: Any = None, token: str | None = None,
             raw: bytes | None = None, headers: Mapping[str, str] | None = None
             ) -> tuple[int, Any, dict]:
    """One request to the service's API: (status, JSON body or None, response headers).

    HTTP errors are answers too: their status and JSON body are returned."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    h = {"Content-Type": "application/json", **(headers or {})}
    if token:
        h["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            text = resp.read()
            return resp.status, (json.loads(text) if text else None), dict(resp.headers)
    except urllib.error.HTTPError as e:
        text = e.read()
        return e.code, (json.loads(text) if text else None), dict(e.headers)


def http_json(method: str, url: str, body: Any = None, timeout: float = 5.0) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


# ---------------------------------------------------------------- emulated plugs


class Sim:
    """A running `plugwatch sim tapo` and its control API."""

    def __init__(self, proc: Proc, base_port: int, count: int, control: str, username: str,
                 password: str):
        self.proc = proc
        self.base_port = base_port
        self.count = count
        self.control = control  # "http://127.0.0.1:PORT"
        self.username = username
        self.password = password

    @property
    def ports(self) -> list[int]:
        return [self.base_port + i for i in range(self.count)]

    @property
    def port(self) -> int:
        return self.base_port

    def address(self, i: int = 0) -> str:
        return f"127.0.0.1:{self.base_port + i}"

    def devices(self) -> list[dict]:
        return http_json("GET", f"{self.control}/devices")

    def device(self, i: int = 0) -> dict:
        return http_json("GET", f"{self.control}/devices/{i}")

    def relay(self, i: int, on: bool) -> dict:
        return http_json("POST", f"{self.control}/devices/{i}/relay", {"on": on})

    def down(self, i: int) -> dict:
        return http_json("POST", f"{self.control}/devices/{i}/down", {})

    def up(self, i: int) -> dict:
        return http_json("POST", f"{self.control}/devices/{i}/up", {})

    def requests(self, i: int = 0) -> int:
        return self.device(i)["stats"]["requests"]

    def wait_for_poll(self, i: int = 0, timeout: float = 5.0, stat: str = "requests") -> float:
        """Waits until the plug answers one more request; returns when that was seen."""
        before = self.device(i)["stats"][stat]

        def seen():
            return self.device(i)["stats"][stat] > before and time.time()

        return wait_until(seen, timeout, interval=0.003,
                          message=f"plug {i} got no new request")


def start_sim(group: ProcGroup, count: int = 1, profile: str = "constant", watts: float = 100,
              speed: float | None = None, username: str = TAPO_USER,
              password: str = TAPO_PASSWORD, protocol: str | None = None,
              extra: Iterable[str] = (), name: str = "sim") -> Sim:
    """Starts N emulated P110 plugs on free consecutive ports with a control API."""
    last_error = ""
    for _ in range(3):
        base = free_port() if count == 1 else consecutive_ports(count)
        args = [BIN, "sim", "tapo", "--listen", f"127.0.0.1:{base}", "--count", str(count),
                "--profile", profile, "--watts", repr(float(watts)), "--username", username,
                "--password", password, "--control", "127.0.0.1:0"]
        if speed is not None:
            args += ["--speed", repr(float(speed))]
        if protocol is not None:
            args += ["--protocol", protocol]
        args += list(extra)
        proc = group.start(args, name=name)
        try:
            control = proc.wait_for_line(r"control API on (http://127\.0\.0\.1:\d+)", 10).group(1)
            proc.wait_for_line(r"^emulating \d+ Tapo P110 plug\(s\)", 10)
        except AssertionError:
            last_error = proc.describe()
            proc.stop()
            if "already in use" in last_error:
                continue
            raise
        sim = Sim(proc, base, count, control, username, password)
        ports = [d["port"] for d in sim.devices()]
        assert ports == sim.ports, f"emulator listens on {ports}, asked for {sim.ports}"
        return sim
    raise AssertionError(f"could not start the emulator:\n{last_error}")


# ---------------------------------------------------------------- emulated network devices


class SimHttp:
    """A running `plugwatch sim http` (reachability-probe targets) and its control API."""

    def __init__(self, proc: Proc, base_port: int, count: int, control: str):
        self.proc = proc
        self.base_port = base_port
        self.count = count
        self.control = control  # "http://127.0.0.1:PORT"

    @property
    def ports(self) -> list[int]:
        return [self.base_port + i for i in range(self.count)]

    def address(self, i: int = 0) -> str:
        return f"127.0.0.1:{self.base_port + i}"

    def devices(self) -> list[dict]:
        return http_json("GET", f"{self.control}/devices")

    def device(self, i: int = 0) -> dict:
        return http_json("GET", f"{self.control}/devices/{i}")

    def down(self, i: int) -> dict:
        return http_json("POST", f"{self.control}/devices/{i}/down", {})

    def up(self, i: int) -> dict:
        return http_json("POST", f"{self.control}/devices/{i}/up", {})

    def fault(self, i: int, mode: str) -> dict:
        return http_json("POST", f"{self.control}/devices/{i}/fault", {"mode": mode})


def start_sim_http(group: ProcGroup, count: int = 1, name: str = "sim-http") -> SimHttp:
    """Starts N emulated network devices on free consecutive ports with a control API."""
    last_error = ""
    for _ in range(3):
        base = free_port() if count == 1 else consecutive_ports(count)
        proc = group.start([BIN, "sim", "http", "--listen", f"127.0.0.1:{base}", "--count",
                            str(count), "--control", "127.0.0.1:0"], name=name)
        try:
            control = proc.wait_for_line(r"control API on (http://127\.0\.0\.1:\d+)", 10).group(1)
            proc.wait_for_line(r"^emulating \d+ HTTP device\(s\)", 10)
        except AssertionError:
            last_error = proc.describe()
            proc.stop()
            if "already in use" in last_error:
                continue
            raise
        sim = SimHttp(proc, base, count, control)
        ports = [d["port"] for d in sim.devices()]
        assert ports == sim.ports, f"emulator listens on {ports}, asked for {sim.ports}"
        return sim
    raise AssertionError(f"could not start the emulator:\n{last_error}")


# ---------------------------------------------------------------- config and service


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {v!r} as TOML")


def tapo_device(device_id: str, sim: Sim, i: int = 0, **fields: Any) -> dict:
    """A [[devices]] entry for plug i of an emulator."""
    d = {"id": device_id, "kind": "tapo", "address": sim.address(i), "username": sim.username,
         "password": sim.password}
    d.update(fields)
    return d


def write_config(tmp_path: Path, devices: Iterable[Mapping[str, Any]] = (),
                 poll_interval: str = "500ms", request_timeout: str | None = None,
                 db: str = "plugwatch.db", name: str = "plugwatch.toml",
                 server: Mapping[str, Any] | None = None, extra: str = "") -> Path:
    """Writes a plugwatch TOML config (docs/config.md) and returns its path.

    Each device is a mapping of [[devices]] keys; a nested "activity" mapping
    becomes [devices.activity].
    """
    lines = ["[server]"]
    for k, v in {"listen": "127.0.0.1:0", **(server or {})}.items():
        lines.append(f"{k} = {_toml_value(v)}")
    lines += ["", "[storage]", f"path = {_toml_value(db)}", "", "[defaults]",
              f"poll_interval = {_toml_value(poll_interval)}"]
    if request_timeout:
        lines.append(f"request_timeout = {_toml_value(request_timeout)}")
    for dev in devices:
        lines += ["", "[[devices]]"]
        activity = None
        for k, v in dev.items():
            if k == "activity":
                activity = v
                continue
            lines.append(f"{k} = {_toml_value(v)}")
        if activity is not None:
            lines.append("[devices.activity]")
            for k, v in activity.items():
                lines.append(f"{k} = {_toml_value(v)}")
    if extra:
        lines += ["", extra]
    path = Path(tmp_path) / name
    path.write_text("\n".join(lines) + "\n")
    return path


class Service:
    """A running `plugwatch serve -c CONFIG`."""

    def __init__(self, proc: Proc, config: Path):
        self.proc = proc
        self.config = config

    def wait_event(self, type_: str, device: str | None = None, timeout: float = 10,
                   start: int = 0) -> re.Match:
        dev = re.escape(device) if device else r"\S+"
        return self.proc.wait_for_line(
            rf"^(?P<ts>\S+Z)\s+(?P<device>{dev})\s+(?P<type>{re.escape(type_)})\s+(?P<summary>.*)$",
            timeout, start=start)

    def event_lines(self, type_: str | None = None, device: str | None = None) -> list[re.Match]:
        out = []
        for line in self.proc.lines():
            m = EVENT_LINE.match(line)
            if m and (type_ is None or m["type"] == type_) and (device is None or m["device"] == device):
                out.append(m)
        return out

    def events(self, **filters) -> list[dict]:
        return events_json(self.config, **filters)

    def stop(self) -> int | None:
        return self.proc.stop()


def start_service(group: ProcGroup, config: Path, devices: int | None = None,
                  name: str = "serve", log_level: str | None = None,
                  env: Mapping[str, str] | None = None) -> Service:
    """Starts the service and waits until it monitors its devices.

    env: variables added to this process's environment for the service."""
    args = [BIN]
    if log_level:
        args += ["--log-level", log_level]
    args += ["serve", "-c", str(config)]
    proc = group.start(args, name=name, env={**os.environ, **env} if env else None)
    count = r"\d+" if devices is None else str(devices)
    proc.wait_for_line(rf"plugwatch: monitoring {count} device\(s\)", 15, stream="stderr")
    return Service(proc, Path(config))


def events_json(config: Path, hours: float = 1, **filters: Any) -> list[dict]:
    """`plugwatch events -c CONFIG --json`, oldest first."""
    args = ["events", "-c", str(config), "--json", "--hours", str(hours)]
    for k, v in filters.items():
        args += [f"--{k.replace('_', '-')}", str(v)]
    r = run_cli(*args)
    assert r.returncode == 0, f"events failed ({r.returncode}): {r.stderr}"
    events = json.loads(r.stdout)
    return sorted(events, key=lambda e: (e["ts"], e["id"]))


def of_type(events: Iterable[dict], type_: str, device: str | None = None) -> list[dict]:
    return [e for e in events if e["type"] == type_ and (device is None or e["device"] == device)]


def parse_ts(ts: str) -> float:
    """RFC 3339 UTC with milliseconds → Unix seconds."""
    return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()


# ---------------------------------------------------------------- the kettle rig
#
# A kettle profile boils for 90 s and then rests for 20 min of appliance time.
# Its first boil starts the moment the emulator starts, before any service can
# see it, so a whole boil is only observable from the second one on: that is
# (90 + 1200) / speed seconds away. Rather than make the suite wait for it,
# the rig starts in a background thread when the session starts (if a selected
# test uses it) and the test that uses it runs last (marker "late").

KETTLE_SPEED = 9.0
KETTLE_BOIL_S = 90 / KETTLE_SPEED                # 10 s of real time at 2000 W
KETTLE_PERIOD_S = (90 + 20 * 60) / KETTLE_SPEED  # the second boil starts 143.3 s after the first
KETTLE_WATTS = 2000.0
KETTLE_POLL_S = 0.5
KETTLE_ACTIVITY = {"start_above_w": 100, "start_delay": "0s", "stop_below_w": 2,
                   "stop_delay": "2s", "price_per_kwh": 0.25}


class KettleRig:
    """An emulated kettle (speed 9) watched by a service polling every 500 ms.

    Boil boundaries are 10 s apart, a whole number of poll intervals, so a
    cycle measured by polling is exact up to scheduling jitter, unless a poll
    lands within that jitter of a boundary. The rig measures where the polls
    land (from the plug's request counter) and, if they are within 100 ms of
    the boundaries, restarts the service shifted by half an interval. This
    removes the sampling ambiguity of the setup; it does not help the service.
    """

    MIN_MARGIN_S = 0.1

    def __init__(self, group: ProcGroup, tmp: Path):
        self.group, self.tmp = group, tmp
        self.sim: Sim | None = None
        self.service: Service | None = None
        self.config: Path | None = None
        self.t0 = 0.0            # wall time when the emulated kettle started boiling
        self.boil_start = 0.0    # wall time of the second boil
        self.energy_before = 0.0  # emulator's exact counter before the second boil
        self.energy_after: float | None = None  # …and after it, before the third
        self.phase_margin = 0.0  # distance of the polls from the boil boundaries, s
        self.restarts = 0
        self.log: list[str] = []
        self.error: str | None = None
        self._ready = threading.Event()
        self._boiled = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kettle-rig", daemon=True)
        self._thread.start()

    def _note(self, text: str) -> None:
        self.log.append(f"{time.time():.3f} {text}")

    def _poll_phase(self) -> float:
        """Median offset of the polls' arrival from a boil boundary, modulo the interval."""
        offsets = []
        for _ in range(5):
            seen = self.sim.wait_for_poll(0, timeout=3)
            offsets.append((seen - self.boil_start) % KETTLE_POLL_S)
        offsets.sort()
        return offsets[len(offsets) // 2]

    def _run(self) -> None:
        try:
            self.sim = start_sim(self.group, profile="kettle", speed=KETTLE_SPEED, name="sim-kettle")
            before = time.time()
            d = self.sim.device()
            after = time.time()
            if d["power_w"] != KETTLE_WATTS:
                raise AssertionError(f"the emulated kettle is not boiling at start: {d}")
            # During the first boil energy = 2000 W × (now − t0).
            self.t0 = (before + after) / 2 - d["energy_wh"] * 3600 / KETTLE_WATTS
            self.boil_start = self.t0 + KETTLE_PERIOD_S
            self._note(f"t0 {self.t0:.3f}, second boil at {self.boil_start:.3f}")
            time.sleep(max(0.0, self.t0 + KETTLE_BOIL_S + 0.5 - time.time()))
            d = self.sim.device()
            if d["power_w"] != 0:
                raise AssertionError(f"the first boil should be over: {d}")
            device = tapo_device("kettle", self.sim, activity=KETTLE_ACTIVITY)
            self.config = write_config(self.tmp, [device], poll_interval="500ms")
            self.service = start_service(self.group, self.config, devices=1, name="serve-kettle")
            for attempt in range(4):
                phase = self._poll_phase()
                self.phase_margin = min(phase, KETTLE_POLL_S - phase)
                self._note(f"polls land {phase:.3f} s after a boundary phase "
                           f"(margin {self.phase_margin:.3f} s)")
                if self.phase_margin >= self.MIN_MARGIN_S or attempt == 3:
                    break
                # Restart so that the polls move to the middle between boundaries.
                started = self.service.proc.started_at
                self.service.stop()
                self.restarts += 1
                shift = (KETTLE_POLL_S / 2 - phase) % KETTLE_POLL_S
                k = math.ceil((time.time() + 0.05 - started - shift) / KETTLE_POLL_S)
                time.sleep(max(0.0, started + k * KETTLE_POLL_S + shift - time.time()))
                self.service = start_service(self.group, self.config, devices=1,
                                             name=f"serve-kettle-{self.restarts}")
            if time.time() > self.boil_start - 1:
                raise AssertionError("the rig was not ready before the second boil")
            self.energy_before = self.sim.device()["energy_wh"]
        except BaseException:  # reported by the test that waits for the rig
            self.error = traceback.format_exc()
        finally:
            self._ready.set()
        if self.error:
            return
        try:
            # The counter after the second boil, read here rather than by the
            # test: a long suite (sanitizers) reaches the test after the third.
            time.sleep(max(0.0, self.boil_start + KETTLE_BOIL_S + 1.0 - time.time()))
            self.energy_after = self.sim.device()["energy_wh"]
            self._note(f"energy after the second boil {self.energy_after:.4f} Wh")
        except BaseException:
            self.error = traceback.format_exc()
        finally:
            self._boiled.set()

    def wait_boiled(self, timeout: float) -> float:
        """The emulator's energy counter just after the second boil."""
        if not self._boiled.wait(timeout) or self.energy_after is None:
            raise AssertionError("no energy reading after the second boil\n" + self.describe())
        return self.energy_after

    def wait_ready(self, timeout: float = 90) -> None:
        if not self._ready.wait(timeout):
            raise AssertionError("the kettle rig did not get ready\n" + self.describe())
        if self.error:
            raise AssertionError("the kettle rig failed:\n" + self.error + self.describe())

    def describe(self) -> str:
        return "\n".join(self.log) + "\n" + self.group.describe()


@pytest.fixture(scope="session")
def kettle_rig(session_procs, tmp_path_factory):
    rig = KettleRig(session_procs, tmp_path_factory.mktemp("kettle"))
    yield rig
    rig._thread.join(timeout=30)


@pytest.fixture(scope="session", autouse=True)
def _start_background_rigs(request, _binary_exists):
    """Starts rigs that need appliance time as soon as the session starts."""
    if any("kettle_rig" in getattr(item, "fixturenames", ()) for item in request.session.items):
        request.getfixturevalue("kettle_rig")


def staged_power_cut(svc: "Service", base: str, token: str, n_lost: int,
                     label: str = "POWER") -> None:
    """A heartbeat for `label`, silence until the service reports its n-th
    power_lost, then a heartbeat again and its n-th power_restored (a
    [[heartbeats]] entry with a short period and grace makes this quick)."""
    def beat() -> None:
        status, body, _ = api_call("POST", f"{base}/api/heartbeat", {"label": label}, token=token)
        assert status == 200, body

    beat()
    wait_until(lambda: len(svc.event_lines("power_lost")) >= n_lost, 8)
    beat()
    wait_until(lambda: len(svc.event_lines("power_restored")) >= n_lost, 8)
