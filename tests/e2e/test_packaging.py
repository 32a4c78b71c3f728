"""packaging/*.service: the systemd units for the service and the heartbeat client.

`systemd-analyze verify` checks them when it is installed (skipped otherwise).
Independently of systemd, the units are parsed here and their ExecStart
lines are checked against the binary: the subcommand exists, every flag is
one that its `--help` lists, every ${VAR} is an environment variable the
command reads — and the heartbeat unit's command line, with the variables of
a sample env file, really delivers a heartbeat.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import BIN, REPO, run_cli

PACKAGING = REPO / "packaging"
UNITS = ["plugwatch.service", "plugwatch-heartbeat.service"]
INSTALLED_BIN = "/usr/local/bin/plugwatch"


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """Sections → key → values (systemd allows a key more than once)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        m = re.fullmatch(r"\[(\w+)\]", line)
        if m:
            current = sections.setdefault(m.group(1), {})
            continue
        assert current is not None, f"{path.name}: key outside a section: {raw}"
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not KEY=VALUE: {raw}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def one(unit: dict, section: str, key: str) -> str:
    values = unit[section].get(key)
    assert values and len(values) == 1, f"[{section}] {key}: {values}"
    return values[0]


def help_text(*command: str) -> str:
    r = run_cli(*command, "--help")
    assert r.returncode == 0, r.stderr
    return r.stdout


def check_exec_start(exec_start: str) -> list[str]:
    """Checks argv against the binary's help; returns argv."""
    argv = shlex.split(exec_start)
    assert argv[0] == INSTALLED_BIN
    subcommand = argv[1]
    text = help_text(subcommand)
    env_names = set(re.findall(r"\(Env:(\w+)\)", text))
    for arg in argv[2:]:
        if arg.startswith("-"):
            flag = arg.split("=", 1)[0]
            assert re.search(rf"(^|[\s,]){re.escape(flag)}\b", text, re.M), \
                f"`plugwatch {subcommand} --help` does not list {flag}"
        for var in re.findall(r"\$\{(\w+)\}", arg):
            assert var in env_names, f"{var} is not an environment variable of {subcommand}"
    return argv


@pytest.mark.parametrize("name", UNITS)
def test_systemd_analyze_verify(name, tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed")
    # verify wants the ExecStart binary to exist: point it at the one under test.
    unit = tmp_path / name
    unit.write_text((PACKAGING / name).read_text().replace(INSTALLED_BIN, str(Path(BIN).resolve())))
    r = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    # verify reports unknown keys and bad values as warnings with status 0.
    ours = [l for l in (r.stdout + r.stderr).splitlines() if name in l]
    assert r.returncode == 0 and not ours, r.stdout + r.stderr


def test_service_unit():
    unit = parse_unit(PACKAGING / "plugwatch.service")
    argv = check_exec_start(one(unit, "Service", "ExecStart"))
    assert argv[1:] == ["serve", "-c", "/etc/plugwatch/plugwatch.toml"]
    service = unit["Service"]
    assert one(unit, "Service", "StateDirectory") == "plugwatch"
    assert one(unit, "Service", "Restart") == "always"
    assert one(unit, "Service", "RestartPreventExitStatus") == "2"  # config errors: no loop
    for key, value in {"DynamicUser": "yes", "NoNewPrivileges": "yes",
                       "ProtectSystem": "strict", "ProtectHome": "yes"}.items():
        assert service[key] == [value], key
    assert one(unit, "Install", "WantedBy") == "multi-user.target"


def test_heartbeat_unit():
    unit = parse_unit(PACKAGING / "plugwatch-heartbeat.service")
    argv = check_exec_start(one(unit, "Service", "ExecStart"))
    assert argv[1] == "heartbeat"
    assert "--token" not in argv, "the token must come from the environment, not argv"
    assert one(unit, "Service", "EnvironmentFile") == "/etc/plugwatch/heartbeat.env"
    assert one(unit, "Service", "Restart") == "always"
    assert one(unit, "Service", "RestartPreventExitStatus") == "2"
    service = unit["Service"]
    for key, value in {"DynamicUser": "yes", "NoNewPrivileges": "yes",
                       "ProtectSystem": "strict", "ProtectHome": "yes",
                       "PrivateDevices": "yes", "CapabilityBoundingSet": ""}.items():
        assert service[key] == [value], key
    assert "network-online.target" in one(unit, "Unit", "After")
    assert one(unit, "Install", "WantedBy") == "multi-user.target"


def test_heartbeat_unit_command_delivers_with_the_sample_env_file():
    """The unit's ExecStart, expanded as systemd would with the env file its
    header documents (token only in the environment), sends a heartbeat."""
    text = (PACKAGING / "plugwatch-heartbeat.service").read_text()
    sample = dict(re.findall(r"^#\s+(PLUGWATCH_HEARTBEAT_\w+)=(.*)$", text, re.M))
    assert {"PLUGWATCH_HEARTBEAT_URL", "PLUGWATCH_HEARTBEAT_LABEL",
            "PLUGWATCH_HEARTBEAT_TOKEN"} <= sample.keys(), sample

    seen = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append((self.path, self.headers.get("Authorization"), json.loads(body)))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {"PLUGWATCH_HEARTBEAT_URL": f"http://127.0.0.1:{server.server_address[1]}",
               "PLUGWATCH_HEARTBEAT_LABEL": sample["PLUGWATCH_HEARTBEAT_LABEL"],
               "PLUGWATCH_HEARTBEAT_TOKEN": "token-from-env-file"}
        argv = shlex.split(one(parse_unit(PACKAGING / "plugwatch-heartbeat.service"),
                               "Service", "ExecStart"))
        expanded = [re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], a) for a in argv[1:]]
        r = run_cli(*expanded, "--once", env=env)
        assert r.returncode == 0, r.stderr
    finally:
        server.shutdown()
        server.server_close()
    assert seen == [("/api/heartbeat", "Bearer token-from-env-file",
                     {"label": sample["PLUGWATCH_HEARTBEAT_LABEL"], "timestamp": seen[0][2]["timestamp"]})]
