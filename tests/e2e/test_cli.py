"""The command line: exit codes, exact messages, device management against a running service."""

from __future__ import annotations

import json
import re
import time

import pytest

from conftest import (TAPO_PASSWORD, TAPO_USER, events_json, free_port, of_type, run_cli,
                      start_service, start_sim, tapo_device, wait_until, write_config)

UNKNOWN_KEY = ("devices[0].pol_interval: unknown key — check the spelling; see docs/config.md "
               "for the keys of this section")


def test_version():
    r = run_cli("version")
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(r"plugwatch \d+\.\d+\.\d+\S*\n", r.stdout), r.stdout
    assert r.stderr == ""


COMMANDS = [
    [], ["serve"], ["demo"], ["sim"], ["sim", "tapo"], ["device"], ["device", "add"],
    ["device", "list"], ["device", "remove"], ["device", "test"], ["device", "on"],
    ["device", "off"], ["events"], ["init-db"], ["check-config"], ["cleanup"], ["version"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "plugwatch")
def test_help(command):
    r = run_cli(*command, "--help", timeout=10)
    assert r.returncode == 0, r.stderr
    usage = "Usage: plugwatch" + "".join(" " + c for c in command)
    assert usage in r.stdout, r.stdout
    assert "-h,--help" in r.stdout


def test_help_lists_every_command():
    r = run_cli("--help")
    for c in ("serve", "demo", "sim", "device", "events", "init-db", "check-config", "cleanup",
              "version"):
        assert re.search(rf"^\s+{c}\s+\S", r.stdout, re.M), (c, r.stdout)


def test_unknown_option_is_a_usage_error():
    r = run_cli("events", "--no-such-option")
    assert r.returncode == 2
    assert r.stderr.endswith(" — see `plugwatch --help`\n"), r.stderr
    assert r.stderr.count("\n") == 1


def test_check_config_masks_secrets(tmp_path):
    cfg = write_config(
        tmp_path,
        [{"id": "washer", "kind": "tapo", "address": "127.0.0.1:9",
          "username": "me@example.com", "password": "${PW_E2E_TAPO_PASSWORD}",
          "activity": {"start_above_w": 10, "stop_delay": "5m", "price_per_kwh": 0.3}}],
        poll_interval="2s",
        server={"api_token": "${PW_E2E_API_TOKEN}"},
        extra='[[sinks]]\nname = "phone"\nurl = "ntfy://ntfy.sh/${PW_E2E_TOPIC}"',
    )
    secrets = {"PW_E2E_TAPO_PASSWORD": "tapo-pass-7f3a", "PW_E2E_API_TOKEN": "api-token-91c2",
               "PW_E2E_TOPIC": "topic-secret-55e1"}
    r = run_cli("check-config", "-c", cfg, env=secrets)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"# {cfg}: OK\n"), r.stdout
    for value in secrets.values():
        assert value not in r.stdout
    assert 'api_token = "********"' in r.stdout
    assert 'password = "********"' in r.stdout
    assert 'url = "********"' in r.stdout
    assert 'username = "me@example.com"' in r.stdout  # not a secret
    assert 'poll_interval = "2s"' in r.stdout
    assert 'stop_delay = "5m"' in r.stdout
    assert r.stderr == ""


@pytest.mark.parametrize("text, message", [
    ('[[devices]]\nid = "a"\nkind = "tapo"\naddress = "x"\npol_interval = "5s"\n', UNKNOWN_KEY),
    ('[defaults]\npoll_interval = "50ms"\n',
     "defaults.poll_interval: must be ≥ 100ms — polling faster overloads the plug"),
    ('[defaults]\npoll_interval = 5\n',
     'defaults.poll_interval: must be a string with a unit, e.g. "5s" — a bare number could '
     "mean seconds or milliseconds"),
    ('[server]\napi_token = "${PW_E2E_SURELY_UNSET}"\n',
     "server.api_token: environment variable PW_E2E_SURELY_UNSET is not set — export it or "
     "write the value in the file"),
    ('[[devices]]\nid = "Washer 1"\nkind = "tapo"\naddress = "a"\n',
     "devices[0].id: 'Washer 1' is not a valid id — use 1–64 characters from a-z, 0-9, '_' "
     "and '-'"),
    ('[servr]\nlisten = "127.0.0.1:1"\n',
     "servr: unknown key — check the spelling; the sections are server, storage, defaults, log, "
     "sites, devices, heartbeats, telegram and sinks"),
], ids=["unknown-key", "poll-too-fast", "bare-number", "unset-env", "bad-id", "unknown-section"])
@pytest.mark.parametrize("command", ["check-config", "serve"])
def test_bad_config_exits_2_with_one_line(tmp_path, command, text, message):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    r = run_cli(command, "-c", cfg, timeout=10)
    assert r.returncode == 2
    assert r.stderr == f"plugwatch: {cfg}: {message}\n"
    assert r.stdout == ""


def test_missing_config_file(tmp_path):
    cfg = tmp_path / "nope.toml"
    r = run_cli("check-config", "-c", cfg)
    assert r.returncode == 2
    assert r.stderr == (f"plugwatch: {cfg}: cannot read: No such file or directory — check the "
                        "path and its permissions, or pass -c FILE\n")


def test_management_command_without_database(tmp_path):
    r = run_cli("device", "list", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr == ("plugwatch: no database given — pass --db PATH or -c FILE (or run where "
                        "plugwatch.toml is)\n")


def test_init_db_events_and_cleanup_on_a_fresh_database(tmp_path):
    db = tmp_path / "fresh.db"
    r = run_cli("init-db", "--db", db)
    assert (r.returncode, r.stdout) == (0, f"database ready: {db}\n"), r.stderr
    assert db.exists()
    r = run_cli("events", "--db", db)
    assert (r.returncode, r.stdout) == (0, "no events in the last 24 h\n")
    r = run_cli("events", "--db", db, "--json")
    assert (r.returncode, json.loads(r.stdout)) == (0, [])
    r = run_cli("events", "--db", db, "--type", "cycle_done")
    assert r.returncode == 2
    assert r.stderr == (
        "plugwatch: unknown event type 'cycle_done' — use one of device_active, cycle_finished, "
        "device_offline, device_online, power_lost, power_restored, switched_on, switched_off\n")
    r = run_cli("cleanup", "--db", db, "--days", "3")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("deleted 0 raw readings older than 3 days, 0 1-minute rollups older "
                        "than 90d and 0 finished notifications older than 30d\n")


def test_device_add_list_remove_round_trip(tmp_path):
    db = tmp_path / "devices.db"
    r = run_cli("device", "add", "washer", "--kind", "tapo", "--address", "127.0.0.1:8099",
                "--name", "Washing machine", "--username", "me@example.com", "--password", "-",
                "--poll-interval", "2s", "--stop-delay", "5m", "--price-per-kwh", "0.3",
                "--db", db, input="pw-from-stdin\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("added washer (tapo at 127.0.0.1:8099); a running service starts polling "
                        "it within 2 s\n")
    r = run_cli("device", "add", "router", "--kind", "tcp", "--address", "127.0.0.1:22",
                "--db", db)
    assert r.returncode == 0, r.stderr

    r = run_cli("device", "list", "--json", "--db", db)
    assert r.returncode == 0, r.stderr
    listed = {d["id"]: d for d in json.loads(r.stdout)}
    assert set(listed) == {"washer", "router"}
    w = listed["washer"]
    assert (w["name"], w["kind"], w["address"], w["site"], w["enabled"], w["source"]) == (
        "Washing machine", "tapo", "127.0.0.1:8099", "home", True, "cli")
    assert w["poll_interval"] == "2s"
    assert w["activity"]["stop_delay"] == "5m"
    assert w["activity"]["price_per_kwh"] == 0.3
    assert w["activity"]["start_above_w"] == 5  # the documented default
    assert "password" not in json.dumps(listed), "device list must not show passwords"
    assert "activity" not in listed["router"]

    r = run_cli("device", "add", "washer", "--kind", "http", "--address", "127.0.0.1:1",
                "--db", db)
    assert r.returncode == 2
    assert r.stderr == ("plugwatch: device 'washer' already exists — choose another id or "
                        "remove it first\n")

    r = run_cli("device", "add", "Bad Id", "--kind", "tapo", "--address", "x", "--db", db)
    assert r.returncode == 2
    assert r.stderr == ("plugwatch: device.id: 'Bad Id' is not a valid id — use 1–64 characters "
                        "from a-z, 0-9, '_' and '-'\n")
    r = run_cli("device", "add", "x", "--kind", "tasmota", "--address", "x", "--db", db)
    assert r.returncode == 2
    assert r.stderr == "plugwatch: device.kind: unknown kind 'tasmota' — use tapo, http or tcp\n"

    r = run_cli("device", "remove", "washer", "--db", db)
    assert (r.returncode, r.stdout) == (0, "removed washer\n"), r.stderr
    r = run_cli("device", "remove", "washer", "--db", db)
    assert r.returncode == 1
    assert r.stderr == "plugwatch: device 'washer' does not exist — see `plugwatch device list`\n"
    r = run_cli("device", "list", "--json", "--db", db)
    assert [d["id"] for d in json.loads(r.stdout)] == ["router"]
    r = run_cli("device", "remove", "router", "--db", db)
    assert r.returncode == 0
    r = run_cli("device", "list", "--db", db)
    assert r.stdout == ("no devices — add one with `plugwatch device add ID --kind tapo "
                        "--address HOST`\n")


def test_device_test_reports_power_and_failures(tmp_path, procs):
    sim = start_sim(procs, profile="constant", watts=1000)
    dead_port = sim.port + 1 if sim.port < 65535 else sim.port - 1  # nothing listens there
    cfg = write_config(tmp_path, [tapo_device("plug", sim),
                                  {"id": "dead", "kind": "tapo", "address": f"127.0.0.1:{dead_port}",
                                   "username": TAPO_USER, "password": TAPO_PASSWORD}])
    assert run_cli("init-db", "-c", cfg).returncode == 0
    # Devices of the config reach the database when the service starts; add them by hand here.
    for dev, port in (("plug", sim.port), ("dead", dead_port)):
        r = run_cli("device", "add", dev, "--kind", "tapo", "--address", f"127.0.0.1:{port}",
                    "--username", TAPO_USER, "--password", TAPO_PASSWORD, "-c", cfg)
        assert r.returncode == 0, r.stderr

    r = run_cli("device", "test", "plug", "-c", cfg)
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(r"plug +ok +P110 klap-v2 plug  power 1000\.0 W  relay on  today \d+ Wh  "
                        r"\(\d+ ms\)\n", r.stdout), r.stdout

    r = run_cli("device", "test", "plug", "--json", "-c", cfg)
    assert r.returncode == 0, r.stderr
    [row] = json.loads(r.stdout)
    assert row["ok"] is True and row["power_w"] == 1000 and row["on"] is True
    assert row["info"]["model"] == "P110" and row["info"]["protocol"] == "klap-v2"
    assert row["info"]["mac"] == sim.device()["mac"]
    assert TAPO_PASSWORD not in r.stdout

    r = run_cli("device", "test", "-c", cfg)  # every device
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert len(lines) == 2, r.stdout
    assert re.fullmatch(rf"dead +FAILED  tapo\[dead\] 127\.0\.0\.1:{dead_port}: connect: "
                        r"connection refused — check the address and port", lines[0]), lines[0]
    assert re.match(r"plug +ok +P110 klap-v2 plug  power 1000\.0 W", lines[1]), lines[1]

    r = run_cli("device", "add", "wrongpw", "--kind", "tapo", "--address", sim.address(),
                "--username", TAPO_USER, "--password", "not-the-password", "-c", cfg)
    assert r.returncode == 0, r.stderr
    r = run_cli("device", "test", "wrongpw", "-c", cfg)
    assert r.returncode == 1
    assert re.fullmatch(
        rf"wrongpw +FAILED  tapo\[wrongpw\] 127\.0\.0\.1:{sim.port}: handshake1: the plug's "
        r"answer does not match these credentials — check the Tapo account e-mail and password "
        r"\(case-sensitive\); after a password change the plug needs a moment online to sync\n",
        r.stdout), r.stdout
    assert "not-the-password" not in r.stdout + r.stderr

    r = run_cli("device", "test", "nothere", "-c", cfg)
    assert r.returncode == 1
    assert r.stderr == "plugwatch: device 'nothere' does not exist — see `plugwatch device list`\n"


def test_device_test_speaks_passthrough_to_older_firmware(tmp_path, procs):
    sim = start_sim(procs, profile="constant", watts=1000, protocol="passthrough")
    db = tmp_path / "p.db"
    r = run_cli("device", "add", "old", "--kind", "tapo", "--address", sim.address(),
                "--username", TAPO_USER, "--password", TAPO_PASSWORD, "--db", db)
    assert r.returncode == 0, r.stderr
    r = run_cli("device", "test", "old", "--db", db)
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(r"old +ok +P110 passthrough plug  power 1000\.0 W  relay on  today \d+ Wh  "
                        r"\(\d+ ms\)\n", r.stdout), r.stdout
    r = run_cli("device", "off", "old", "--db", db)
    assert (r.returncode, r.stdout) == (0, "old switched off\n"), r.stderr
    assert sim.device()["relay_on"] is False


def test_device_on_unreachable_plug_fails_with_one_line(tmp_path, procs):
    port = free_port()  # bound and closed again: nobody listens there
    db = tmp_path / "p.db"
    r = run_cli("device", "add", "gone", "--kind", "tapo", "--address", f"127.0.0.1:{port}",
                "--username", TAPO_USER, "--password", TAPO_PASSWORD, "--db", db)
    assert r.returncode == 0, r.stderr
    r = run_cli("device", "on", "gone", "--db", db)
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1] == (
        f"plugwatch: tapo[gone] 127.0.0.1:{port}: connect: connection refused — check the "
        "address and port")
    assert of_type(json.loads(run_cli("events", "--db", db, "--json").stdout), "switched_on") == []


def test_device_on_unreachable_plug_stderr_is_exactly_one_line(tmp_path):
    port = free_port()
    db = tmp_path / "p.db"
    run_cli("device", "add", "gone", "--kind", "tapo", "--address", f"127.0.0.1:{port}",
            "--username", TAPO_USER, "--password", TAPO_PASSWORD, "--db", db)
    r = run_cli("device", "on", "gone", "--db", db)
    assert r.returncode == 1
    assert r.stderr == (f"plugwatch: tapo[gone] 127.0.0.1:{port}: connect: connection refused — "
                        "check the address and port\n")


# ---------------------------------------------------------------- with a running service


@pytest.fixture
def running(tmp_path, procs):
    """An emulated 1000 W plug "plug" in the config of a running service (poll 500 ms)."""
    sim = start_sim(procs, count=2, profile="constant", watts=1000)
    cfg = write_config(tmp_path, [tapo_device("plug", sim, 0)], poll_interval="500ms")
    svc = start_service(procs, cfg, devices=1)
    sim.wait_for_poll(0, timeout=5)
    return sim, cfg, svc


def test_device_added_by_cli_is_polled_within_2s_and_dropped_after_remove(running):
    sim, cfg, svc = running
    assert sim.device(1)["stats"]["http_requests"] == 0
    r = run_cli("device", "add", "late", "--kind", "tapo", "--address", sim.address(1),
                "--username", TAPO_USER, "--password", TAPO_PASSWORD, "-c", cfg)
    assert r.returncode == 0, r.stderr
    added = time.monotonic()
    wait_until(lambda: sim.device(1)["stats"]["requests"] > 0, 2.0, interval=0.02,
               message="the service did not poll a device added with `device add` within 2 s")
    first_poll = time.monotonic() - added
    assert first_poll <= 2.0
    # It keeps polling it at the configured interval.
    n = sim.device(1)["stats"]["requests"]
    time.sleep(2.1)
    assert sim.device(1)["stats"]["requests"] >= n + 3

    r = run_cli("device", "remove", "late", "-c", cfg)
    assert r.returncode == 0, r.stderr
    time.sleep(2.0)
    stopped = sim.device(1)["stats"]["http_requests"]
    time.sleep(1.5)
    assert sim.device(1)["stats"]["http_requests"] == stopped, \
        "the service still polls a device removed 2 s ago"
    assert svc.proc.alive()


def _switch_events(cfg):
    events = events_json(cfg)
    return [(e["type"], e["data"].get("source")) for e in events
            if e["type"] in ("switched_on", "switched_off")]


def test_device_off_on_switch_the_plug_and_are_recorded_once(running):
    sim, cfg, svc = running
    r = run_cli("device", "off", "plug", "-c", cfg)
    assert (r.returncode, r.stdout) == (0, "plug switched off\n"), r.stderr
    d = sim.device(0)
    assert d["relay_on"] is False and d["power_w"] == 0
    # Let the service poll the switched plug a few times.
    for _ in range(3):
        sim.wait_for_poll(0)
    time.sleep(0.5)
    assert _switch_events(cfg) == [("switched_off", "cli")]

    r = run_cli("device", "on", "plug", "-c", cfg)
    assert (r.returncode, r.stdout) == (0, "plug switched on\n"), r.stderr
    assert sim.device(0)["relay_on"] is True
    for _ in range(3):
        sim.wait_for_poll(0)
    time.sleep(0.5)
    assert _switch_events(cfg) == [("switched_off", "cli"), ("switched_on", "cli")]
    # The service noticed the change itself but did not announce it a second time.
    assert svc.event_lines("switched_off") == [] and svc.event_lines("switched_on") == []


def test_switch_at_the_device_is_recorded_with_source_device(running):
    sim, cfg, svc = running
    sim.relay(0, False)
    m = svc.wait_event("switched_off", "plug", timeout=5)
    assert m.group(0).endswith("switched off (device)"), m.group(0)
    time.sleep(0.5)
    assert _switch_events(cfg) == [("switched_off", "device")]


def test_switch_at_the_device_soon_after_a_cli_switch_is_not_lost(running):
    sim, cfg, svc = running
    r = run_cli("device", "off", "plug", "-c", cfg)
    assert r.returncode == 0, r.stderr
    for _ in range(2):
        sim.wait_for_poll(0)
    sim.relay(0, True)  # somebody presses the plug's button…
    svc.wait_event("switched_on", "plug", timeout=5)
    sim.relay(0, False)  # …and presses it again
    for _ in range(3):
        sim.wait_for_poll(0)
    time.sleep(0.5)
    assert _switch_events(cfg) == [("switched_off", "cli"), ("switched_on", "device"),
                                   ("switched_off", "device")]


def test_device_on_when_already_on_records_nothing(running):
    sim, cfg, svc = running
    assert sim.device(0)["relay_on"] is True
    r = run_cli("device", "on", "plug", "-c", cfg)
    assert (r.returncode, r.stdout) == (0, "plug is already on\n"), r.stderr
    assert sim.device(0)["relay_on"] is True
    sim.wait_for_poll(0)
    assert _switch_events(cfg) == []
