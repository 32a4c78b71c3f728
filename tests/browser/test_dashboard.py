"""Browser tests (QUALITY.md layer 3, issue 5): the dashboard in Debian's
Chromium through playwright-core (driver.mjs), against the real binary and the
Tapo emulator, reading what a person would see. Screenshots are saved in
test-artifacts/browser/.

Run with `make browser` (part of `make test`)."""

from __future__ import annotations

import json
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest

from e2e_conftest import (api_call, free_port, start_service, start_sim, tapo_device,
                          wait_until, write_config)

ROOT = Path(__file__).resolve().parents[2]

ARTIFACTS = ROOT / "test-artifacts" / "browser"
DRIVER = Path(__file__).with_name("driver.mjs")
HB_TOKEN = "browser-hb-token"


def drive(scenario: str, base: str, arg: str = "") -> dict:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    args = ["node", str(DRIVER), scenario, base, str(ARTIFACTS)] + ([arg] if arg else [])
    run = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"driver failed ({run.returncode}): {run.stderr[-2000:]}"
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert "failure" not in result, f"{scenario}: {result['failure']}\n{result}"
    assert result["outside"] == [], f"requests to other hosts: {result['outside']}"
    assert result["errors"] == [], f"page errors: {result['errors']}"
    return result


class Heartbeats:
    """Sends a heartbeat for one label every 0.5 s until stopped."""

    def __init__(self, base: str, label: str):
        self.url = f"{base}/api/heartbeat?label={label}"
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            req = urllib.request.Request(self.url, data=b"", method="POST",
                                         headers={"Authorization": f"Bearer {HB_TOKEN}"})
            try:
                urllib.request.urlopen(req, timeout=2).read()
            except OSError:
                pass
            self.stop.wait(0.5)

    def halt(self):
        self.stop.set()
        self.thread.join(5)


@pytest.fixture(scope="module")
def rig(module_procs, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    washer = start_sim(module_procs, count=1, profile="washer", speed=60, name="washer-sim")
    plugs = start_sim(module_procs, count=2, profile="constant", watts=500, name="plugs-sim")
    port = free_port()
    cfg = write_config(
        tmp, [tapo_device("washer", washer, 0, name="Washing machine"),
              tapo_device("heater", plugs, 0, name="Heater"),
              tapo_device("lamp", plugs, 1, name="Lamp")],
        poll_interval="500ms", server={"listen": f"127.0.0.1:{port}"},
        extra=f'[[heartbeats]]\nlabel = "POWER"\ntoken = "{HB_TOKEN}"\n'
              'period = "1s"\ngrace = "2s"\n')
    svc = start_service(module_procs, cfg, devices=3)
    svc.proc.wait_for_line(r"api: listening", 5, stream="stderr")
    base = f"http://127.0.0.1:{port}"
    beats = Heartbeats(base, "POWER")
    wait_until(lambda: api_call("GET", f"{base}/api/devices/heater")[1]["state"]["on"] is True, 10)
    yield base, plugs, beats
    beats.halt()


def test_overview_shows_the_devices_and_their_live_power(rig):
    base, _, _ = rig
    r = drive("overview", base)
    assert sorted(r["devices"]) == ["heater", "lamp", "washer"]
    assert r["power_first"]["heater"].endswith("W"), r["power_first"]
    # The washer's power changes while the page is open, without a reload.
    assert r["power_later"] != r["power_first"], r
    assert "Power ON" in r["power_cards"].get("POWER", ""), r["power_cards"]
    assert r["dark_background"] != "rgb(255, 255, 255)", "dark theme not applied"
    assert r["phone_overflow"] is False, "the overview is wider than a phone screen"
    for name in ("overview-light", "overview-dark", "overview-phone"):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000


def test_switching_a_plug_off_shows_on_the_page_and_in_the_emulator(rig):
    base, plugs, _ = rig
    assert plugs.device(0)["relay_on"] is True
    r = drive("switch-off", base, "heater")
    assert r["relay_before"].lower().startswith("on"), r
    assert r["relay_after"].lower().startswith("off"), r
    assert plugs.device(0)["relay_on"] is False  # the emulated plug itself switched


def test_adding_a_device_through_the_form(rig):
    base, _, _ = rig
    r = drive("add-device", base, "garage")
    # The API's validation message is shown next to the form.
    assert "not HOST[:PORT]" in r["bad_address_message"], r
    assert r["listed"] is True
    status, device, _ = api_call("GET", f"{base}/api/devices/garage")
    assert status == 200 and device["name"] == "Added in the browser" and device["kind"] == "tcp"


def test_a_silent_heartbeat_shows_an_outage(rig):
    base, _, beats = rig
    beats.halt()
    r = drive("outage", base, "POWER")
    assert "Power OFF" in r["after"], r
    assert "POWER" in r["ongoing"], r
