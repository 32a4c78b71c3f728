"""Sessions that the plug drops are renewed without missing polls.

With `--expire-after 5` the emulator refuses the 6th request of every session:
KLAP answers HTTP 403, securePassthrough answers error 9999 (PROTOCOLS.md
§1.5–1.7). The service must handshake again and still poll on schedule.
"""

from __future__ import annotations

import time

import pytest

from conftest import of_type, start_service, start_sim, tapo_device, write_config

POLL_S = 0.5
WINDOW_S = 10.0


@pytest.mark.parametrize("protocol", ["klap", "passthrough"])
def test_expiring_sessions_are_renewed_on_schedule(tmp_path, procs, protocol):
    sim = start_sim(procs, profile="constant", watts=100, protocol=protocol,
                    extra=["--expire-after", "5"])
    cfg = write_config(tmp_path, [tapo_device("plug", sim)], poll_interval="500ms")
    svc = start_service(procs, cfg, devices=1)
    sim.wait_for_poll(timeout=5)

    s0, t0 = sim.device()["stats"], time.monotonic()
    time.sleep(WINDOW_S)
    s1, t1 = sim.device()["stats"], time.monotonic()

    expected = (t1 - t0) / POLL_S
    polls = s1["requests"] - s0["requests"]
    renewals = s1["handshakes"] - s0["handshakes"]
    context = f"expected {expected:.1f} polls; before {s0}; after {s1}\n{svc.proc.describe()}"
    assert polls >= 0.9 * expected, context
    assert polls <= expected + 2, "more requests than polls: a retry storm?\n" + context
    # Every 6th request on a session is refused, so a new session every 5 polls.
    assert s1["handshakes"] > 1, context
    assert renewals >= polls // 5 - 1, context
    refused = s1["forbidden"] if protocol == "klap" else s1["session_errors"]
    assert refused >= s1["handshakes"] - 1, context
    # (A sample may fall between a renewal's handshake1 and handshake2.)
    assert s1["handshakes"] - 1 <= s1["sessions_established"] <= s1["handshakes"], context
    assert s1["auth_failures"] == 0, context

    events = svc.events()
    assert of_type(events, "device_offline") == [], events
    assert svc.event_lines("device_offline") == []
    assert svc.proc.alive()
