"""Appliance cycles: the service watches an emulated kettle and reports its boil.

The kettle (`sim tapo --profile kettle --speed 9`) draws 2000 W for 90 s of
appliance time (10 s of real time at speed 9), then nothing for 20 minutes
(133.3 s). The emulator's counters integrate real time (docs/adr/
0002-tapo-codec-and-emulator.md: energy is profile energy ÷ speed), so one boil
is 2000 W × 10 s = 5.556 Wh. The rig (conftest.KettleRig) starts in the
background when the session starts, and the service sees the second boil
whole; this test runs last.
"""

from __future__ import annotations

import sqlite3
import time

import pytest

from conftest import (KETTLE_ACTIVITY, KETTLE_BOIL_S, KETTLE_PERIOD_S, KETTLE_WATTS, of_type,
                      parse_ts, wait_until)

TRUE_ENERGY_WH = KETTLE_WATTS * KETTLE_BOIL_S / 3600  # 5.556 Wh


@pytest.mark.late
def test_kettle_boil_is_one_cycle_with_exact_duration_and_energy(kettle_rig):
    rig = kettle_rig
    rig.wait_ready()
    print("\n".join(rig.log))
    svc, sim = rig.service, rig.sim
    timeout = rig.boil_start + KETTLE_BOIL_S + 15 - time.time()
    line = svc.wait_event("cycle_finished", "kettle", timeout=max(timeout, 5))
    assert line["summary"].startswith("finished after "), line.group(0)
    assert "peak 2.0 kW" in line["summary"], line.group(0)

    # The emulator's exact counter: the second boil and nothing else.
    boil_wh = rig.wait_boiled(timeout=max(timeout, 5) + 5) - rig.energy_before
    assert boil_wh == pytest.approx(TRUE_ENERGY_WH, rel=1e-3), rig.describe()

    def recorded():
        events = svc.events()
        return events if of_type(events, "cycle_finished", "kettle") else None

    events = wait_until(recorded, 5, interval=0.2, message="cycle_finished is not in the database")
    # Only the second boil (the third one starts 143 s later, should the suite be that slow).
    events = [e for e in events if parse_ts(e["ts"]) < rig.boil_start + KETTLE_PERIOD_S - 1]
    active = of_type(events, "device_active", "kettle")
    finished = of_type(events, "cycle_finished", "kettle")
    assert len(active) == 1, events
    assert len(finished) == 1, events
    data = finished[0]["data"]
    context = f"{data}\n{rig.describe()}"
    print(f"cycle: {data}; emulator: {boil_wh:.4f} Wh")

    assert data["duration_s"] == pytest.approx(KETTLE_BOIL_S, rel=0.02), context
    assert data["energy_wh"] == pytest.approx(TRUE_ENERGY_WH, rel=0.02), context
    assert data["energy_wh"] == pytest.approx(boil_wh, rel=0.02), context
    assert data["peak_w"] == KETTLE_WATTS
    assert data["cost"] == pytest.approx(
        round(data["energy_wh"] / 1000 * KETTLE_ACTIVITY["price_per_kwh"], 4), abs=1e-4)

    # The cycle starts at the first poll after the boil began and ends at the
    # first poll after it stopped.
    started, ended = parse_ts(data["started_at"]), parse_ts(data["ended_at"])
    assert rig.boil_start <= started + 0.05 <= rig.boil_start + 0.6, context
    assert rig.boil_start + KETTLE_BOIL_S <= ended + 0.05 <= rig.boil_start + KETTLE_BOIL_S + 0.6
    assert ended - started == pytest.approx(data["duration_s"], abs=0.002)
    # cycle_finished comes stop_delay (2 s) after the end, at the next tick (≤ 1 s later).
    assert 2.0 <= parse_ts(finished[0]["ts"]) - ended <= 3.5, context

    # device_active: at the cycle's start, with the first reading's power.
    assert active[0]["ts"] == data["started_at"]
    assert active[0]["data"]["power_w"] == KETTLE_WATTS
    assert active[0]["id"] < finished[0]["id"]
    assert (active[0]["site"], finished[0]["site"]) == ("home", "home")

    # The same cycle in the cycles table.
    db = sqlite3.connect(f"file:{rig.config.parent / 'plugwatch.db'}?mode=ro", uri=True)
    try:
        # (the third boil starts 143 s later, should the suite be that slow)
        rows = db.execute("SELECT started_at, ended_at, duration_s, energy_wh, peak_w, cost "
                          "FROM cycles WHERE device = 'kettle' AND started_at < ?",
                          (round((rig.boil_start + KETTLE_PERIOD_S - 1) * 1000),)).fetchall()
    finally:
        db.close()
    assert len(rows) == 1, rows
    s_ms, e_ms, dur, wh, peak, cost = rows[0]
    assert s_ms == round(started * 1000) and e_ms == round(ended * 1000)
    assert (dur, wh, peak) == pytest.approx((data["duration_s"], data["energy_wh"], KETTLE_WATTS))
    assert cost == pytest.approx(data["cost"])
