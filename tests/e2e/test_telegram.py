"""Telegram delivery (issue 3) with the real binary against the fake Bot API
(fake_telegram.py): the [telegram] channel and a tgram:// sink get power
notifications as HTML; 429 and 5xx bursts lose nothing and retry_after is
waited; a group that became a supergroup is followed; a chat that blocked the
bot is dropped; the token never reaches the logs.

Power events come from a [[heartbeats]] label that the tests feed and then let
fall silent (as in test_notify.py).
"""

from __future__ import annotations

import time

from conftest import (free_port, run_cli, staged_power_cut, start_service, write_config)
from fake_telegram import FakeTelegram

HB_TOKEN = "power-t0ken"


def config(tmp_path, tg: FakeTelegram, port: int, channel: str, sink_chat: str | None = None):
    lines = [
        "[[heartbeats]]", 'label = "POWER"', f'token = "{HB_TOKEN}"', 'period = "1s"',
        'grace = "1s"', 'site = "home"', "",
        "[telegram]", f'token = "{tg.token}"', f'api_url = "{tg.api_url}"',
        f'channel = "{channel}"', "",
    ]
    if sink_chat is not None:
        lines += ["[[sinks]]", 'name = "family"',
                  f'url = "tgram://{tg.token}/{sink_chat}?api_url={tg.api_url}"',
                  'events = ["power_lost", "power_restored"]', ""]
    return write_config(tmp_path, [], server={"listen": f"127.0.0.1:{port}"},
                        extra="\n".join(lines))


def start(procs, cfg, port):
    svc = start_service(procs, cfg, devices=0)
    svc.proc.wait_for_line(r"api: listening", 5, stream="stderr")
    svc.base = f"http://127.0.0.1:{port}"
    return svc


def test_channel_gets_power_events_as_html_and_the_token_stays_secret(procs, tmp_path):
    with FakeTelegram() as tg:
        port = free_port()
        cfg = config(tmp_path, tg, port, channel="-1001234")
        svc = start(procs, cfg, port)
        staged_power_cut(svc, svc.base, HB_TOKEN, 1)
        msgs = tg.wait_for(lambda t: len(t.messages(-1001234)) >= 2 and t.messages(-1001234), 15)
        lost, restored = msgs[:2]
        assert "power is OFF" in lost.text and "power is ON" in restored.text
        assert lost.parse_mode == "HTML"
        assert lost.text.startswith("<b>") or lost.text.startswith("POWER")
        svc.stop()
        logs = "\n".join(svc.proc.lines("stderr") + svc.proc.lines("stdout"))
        assert tg.token not in logs


def test_bursts_of_429_and_5xx_lose_nothing_and_retry_after_is_waited(procs, tmp_path):
    with FakeTelegram() as tg:
        port = free_port()
        cfg = config(tmp_path, tg, port, channel="555")
        tg.rate_limit_next(2, retry_after=2, chat_id=555)
        tg.server_error_next(2)
        svc = start(procs, cfg, port)
        staged_power_cut(svc, svc.base, HB_TOKEN, 1)
        staged_power_cut(svc, svc.base, HB_TOKEN, 2)
        msgs = tg.wait_for(lambda t: len(t.messages(555)) >= 4 and t.messages(555), 60)
        texts = [m.text for m in msgs]
        assert ["OFF" in x for x in texts[:4]] == [True, False, True, False], texts
        assert len(texts) == 4  # nothing twice
        # each 429 was followed by a wait of at least retry_after before the next try
        sends = [t for (m, p, t) in tg.calls
                 if m == "sendMessage" and str(p.get("chat_id")) == "555"]
        assert len(sends) >= 4 + 4  # 2 × 429, 2 × 502, then the four messages
        assert sends[1] - sends[0] >= 1.9 and sends[2] - sends[1] >= 1.9


def test_migrated_group_is_followed_and_blocked_chat_is_dropped(procs, tmp_path):
    with FakeTelegram() as tg:
        port = free_port()
        tg.migrate(-77, -10077)
        tg.block(999)
        cfg = config(tmp_path, tg, port, channel="-77", sink_chat="999")
        svc = start(procs, cfg, port)
        staged_power_cut(svc, svc.base, HB_TOKEN, 1)
        msgs = tg.wait_for(lambda t: len(t.messages(-10077)) >= 2 and t.messages(-10077), 20)
        assert "power is OFF" in msgs[0].text
        # the blocked chat: each message is tried once and dropped, never retried
        svc.stop()
        tries = [p for (m, p, _) in tg.calls
                 if m == "sendMessage" and str(p.get("chat_id")) == "999"]
        dropped = [x for x in svc.proc.lines("stderr")
                   if "notify[family]" in x and "dropped" in x and "blocked" in x]
        assert len(tries) >= 1 and len(tries) == len(dropped), (tries, dropped)
        assert tg.messages(999) == []


def test_notify_test_reaches_a_tgram_sink(tmp_path):
    with FakeTelegram() as tg:
        cfg = config(tmp_path, tg, free_port(), channel="321", sink_chat="4242")
        r = run_cli("notify", "test", "--sink", "family", "-c", str(cfg))
        assert r.returncode == 0, r.stderr
        tg.wait_for(lambda t: t.messages(4242), 5)
        assert tg.token not in r.stdout + r.stderr
