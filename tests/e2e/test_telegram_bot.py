"""The Telegram bot (issue 3) with the real binary against the fake Bot API
(fake_telegram.py): /start and its buttons subscribe a person, who then gets
power notifications in the language chosen; /stop ends them; a chat that
blocked the bot is unsubscribed; every command answers; /broadcast is for
admins, reaches 1,000 subscribers at ≤ 30 messages/s and survives kill -9;
the getUpdates offset survives a restart; button spam is rate limited.

Power events come from a [[heartbeats]] label that the tests feed and then let
fall silent (staged_power_cut, as in test_notify.py and test_telegram.py).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

from conftest import (free_port, run_cli, staged_power_cut, start_service, start_sim, tapo_device,
                      wait_until, write_config)
from fake_telegram import FakeTelegram

HB_TOKEN = "power-t0ken"
ADMIN = 7


def config(tmp_path, tg: FakeTelegram, port: int, devices=()):
    lines = [
        "[[heartbeats]]", 'label = "POWER"', f'token = "{HB_TOKEN}"', 'period = "1s"',
        'grace = "1s"', 'site = "home"', "",
        "[telegram]", f'token = "{tg.token}"', f'api_url = "{tg.api_url}"', "bot = true",
        f"admins = [{ADMIN}]", "",
    ]
    return write_config(tmp_path, devices, server={"listen": f"127.0.0.1:{port}"},
                        extra="\n".join(lines))


def start(procs, cfg, port, name="serve", devices=0):
    svc = start_service(procs, cfg, devices=devices, name=name)
    svc.proc.wait_for_line(r"telegram bot: polling for updates", 10, stream="stderr")
    svc.base = f"http://127.0.0.1:{port}"
    return svc


def texts(tg, chat) -> list[str]:
    return [m.text for m in tg.messages(chat)]


def reply(tg, chat, n=1, timeout=10.0) -> str:
    """Waits for the n-th message the bot sends to `chat`; returns its text."""
    return tg.wait_for(lambda t: len(t.messages(chat)) >= n and t.messages(chat)[n - 1], timeout).text


def reply_with(tg, chat, expect: str, after: int, timeout=10.0) -> str:
    """Waits for a message to `chat`, sent after the first `after`, that
    contains `expect` (power news may arrive in between); returns its text."""
    def found(t):
        return next((m.text for m in t.messages(chat)[after:] if expect in m.text), None)
    return tg.wait_for(found, timeout)


def subscribers(cfg) -> dict[int, dict]:
    r = run_cli("notify", "subscribers", "--json", "-c", str(cfg))
    assert r.returncode == 0, r.stderr
    return {s["chat_id"]: s for s in json.loads(r.stdout)}


def test_a_new_user_subscribes_in_ukrainian_gets_power_news_and_every_command_answers(procs, tmp_path):
    with FakeTelegram() as tg:
        port = free_port()
        sim = start_sim(procs, count=1, profile="constant", watts=500)
        washer = tapo_device("washer", sim, 0, name="Washer",
                             activity={"start_above_w": 5, "start_delay": "1s"})
        cfg = config(tmp_path, tg, port, devices=[washer])
        svc = start(procs, cfg, port, devices=1)
        # at start: no webhook, and the command menu in every language
        assert tg.webhook_deleted == 1
        assert {c["command"] for c in tg.commands_by_language[""]} >= {
            "start", "stop", "status", "devices", "outages", "settings", "help"}
        assert set(tg.commands_by_language) == {"", "uk", "ru", "cs"}

        user, blocked = 4242, 6161
        tg.inject_message(user, "/start", language_code="en", first_name="Оля")
        tg.inject_message(blocked, "/start", language_code="de")
        welcome = tg.wait_for(lambda t: t.messages(user) and t.messages(user)[0], 10)
        tg.wait_for(lambda t: t.messages(blocked), 10)
        tg.block(blocked)  # its next message (appliance or power news) answers 403
        assert "Оля" in welcome.text
        buttons = [b for row in welcome.reply_markup["inline_keyboard"] for b in row]
        uk = next(b for b in buttons if b["text"] == "Українська")
        tg.inject_callback(user, uk["callback_data"], user_id=user, message_id=welcome.message_id)
        step = tg.wait_for(lambda t: t.edits(user) and t.edits(user)[-1], 10)
        assert step.text == "Які сповіщення ви хочете отримувати?"
        power = next(b for row in step.reply_markup["inline_keyboard"] for b in row
                     if b["text"] == "Світло")
        time.sleep(1.1)  # the per-user button rate limit
        tg.inject_callback(user, power["callback_data"], user_id=user, message_id=welcome.message_id)
        tg.wait_for(lambda t: len(t.edits(user)) >= 2, 10)
        sub = subscribers(cfg)[user]
        assert sub["subscribed"] and sub["language"] == "uk" and sub["topics"] == "power"

        # button spam: five presses at once, one handled, the rest "too fast"
        time.sleep(1.1)
        night = next(b for row in tg.edits(user)[-1].reply_markup["inline_keyboard"] for b in row
                     if b["callback_data"].endswith(":on"))
        before = len(tg.answers())
        for _ in range(5):
            tg.inject_callback(user, night["callback_data"], user_id=user,
                               message_id=welcome.message_id)
        tg.wait_for(lambda t: len(t.answers()) >= before + 5, 10)
        answers = [a.get("text", "") for a in tg.answers()[before:]]
        assert answers.count("Збережено") == 1, answers
        assert sum("Занадто швидко" in a for a in answers) == 4, answers
        assert "звук уночі: увімкнено" in tg.edits(user)[-1].text

        # power news for the user, in Ukrainian; the blocked chat is unsubscribed
        n_user = len(tg.messages(user))
        staged_power_cut(svc, svc.base, HB_TOKEN, 1)
        got = tg.wait_for(lambda t: len(t.messages(user)) >= n_user + 2 and t.messages(user), 15)
        news = [m.text for m in got[n_user:]]
        assert "POWER: світла НЕМАЄ" in news[0], news
        assert "POWER: світло Є" in news[1], news
        wait_until(lambda: not subscribers(cfg)[blocked]["subscribed"], 10)
        assert len(tg.messages(blocked)) == 1  # its welcome, nothing after the block
        tries = [p for (m, p, _) in tg.calls
                 if m == "sendMessage" and str(p.get("chat_id")) == str(blocked)]
        assert len(tries) == 2, tries  # the welcome, then one message answered 403

        # every command answers in the person's language (the label stays
        # silent, so more power news may arrive in between)
        answers = {}
        for cmd, expect in [("/status", "Світло зараз:"), ("/devices", "Пристрої:"),
                            ("/outages", "Останні відключення:"), ("/help", "/settings"),
                            ("/settings", "Мова: Українська"),
                            ("/broadcast hello", "лише адміністратори")]:
            n = len(tg.messages(user))
            tg.inject_message(user, cmd, language_code="en")
            answers[cmd] = reply_with(tg, user, expect, n)
        assert "🟢 POWER: світло Є з" in answers["/status"] or \
            "🔴 POWER: світла НЕМАЄ з" in answers["/status"], answers["/status"]
        assert "🟢 Washer: увімкнено, 500 Вт\n    ▶ працює вже" in answers["/devices"], \
            answers["/devices"]
        assert "POWER: " in answers["/outages"] and " с" in answers["/outages"], answers["/outages"]

        # /stop: no more notifications
        n = len(tg.messages(user))
        tg.inject_message(user, "/stop")
        assert "відписалися" in reply(tg, user, n + 1)
        staged_power_cut(svc, svc.base, HB_TOKEN, 2)
        time.sleep(1.0)  # give a (wrong) notification time to arrive
        assert len(tg.messages(user)) == n + 1, texts(tg, user)[n:]
        svc.stop()
        logs = "\n".join(svc.proc.lines("stderr") + svc.proc.lines("stdout"))
        assert tg.token not in logs


def test_the_update_offset_survives_a_restart(procs, tmp_path):
    with FakeTelegram() as tg:
        tg.keep_confirmed = True  # only the stored offset prevents handling an update twice
        port = free_port()
        cfg = config(tmp_path, tg, port)
        svc = start(procs, cfg, port)
        tg.inject_message(1, "/help")
        reply(tg, 1)
        time.sleep(0.3)  # the bot stores the offset right after replying
        svc.proc.kill9()
        svc = start(procs, cfg, port, name="serve2")
        tg.inject_message(2, "/help")
        reply(tg, 2)
        time.sleep(0.5)
        assert len(tg.messages(1)) == 1, "an update handled before the restart was handled again"
        assert svc.stop() == 0  # SIGTERM stops the bot's long poll and the service cleanly


def test_a_broadcast_reaches_1000_subscribers_at_30_per_second_and_survives_kill_9(procs, tmp_path):
    with FakeTelegram() as tg:
        port = free_port()
        cfg = config(tmp_path, tg, port)
        chats = list(range(100_001, 101_001))
        r = run_cli("notify", "subscribe", *chats[:-1], "--language", "en", "-c", str(cfg))
        assert r.returncode == 0, r.stderr
        assert len(subscribers(cfg)) == 999
        svc = start(procs, cfg, port)
        # one more while the service runs: the broadcast must include it
        r = run_cli("notify", "subscribe", chats[-1], "--language", "en", "-c", str(cfg))
        assert r.returncode == 0, r.stderr
        time.sleep(2.1)  # the service rereads subscribers at most every 2 s
        tg.inject_message(ADMIN, "/broadcast Water is off tomorrow 9–12 <b>&</b>", user_id=ADMIN)
        assert reply(tg, ADMIN) == "Queued for 1000 subscribers."

        def received():
            return [m for m in tg.messages() if m.text.startswith("Water is off")]

        # kill -9 while the broadcast is being delivered
        wait_until(lambda: len(received()) >= 300, 30)
        svc.proc.kill9()
        at_kill = len(received())
        assert at_kill < 1000
        time.sleep(1.1)  # keeps the two runs' sends in separate 1-second windows
        svc = start(procs, cfg, port, name="serve2")
        # A person asking the bot something meanwhile is answered within
        # seconds, not after the rest of the broadcast (~20 s of sends).
        wait_until(lambda: len(received()) >= at_kill + 30, 30)
        before = len(tg.messages(ADMIN))
        asked = time.monotonic()
        tg.inject_message(ADMIN, "/status", user_id=ADMIN)
        reply(tg, ADMIN, before + 1, timeout=40)
        waited = time.monotonic() - asked
        still_to_go = 1000 - len({m.chat_id for m in received()})
        assert waited < 3.0, f"the bot's answer waited {waited:.1f} s behind the broadcast"
        assert still_to_go > 200, f"the broadcast ended too soon to tell ({still_to_go} left)"
        wait_until(lambda: len({m.chat_id for m in received()}) == 1000, 60)
        svc.stop()

        msgs = received()
        per_chat = Counter(m.chat_id for m in msgs)
        assert set(per_chat) == set(chats)
        assert max(per_chat.values()) <= 2  # at most one duplicate (sent as the process died)
        assert sum(1 for n in per_chat.values() if n == 2) <= 40
        assert msgs[0].text == "Water is off tomorrow 9–12 &lt;b&gt;&amp;&lt;/b&gt;"  # escaped HTML
        # ≤ 30 sendMessage calls in any 1-second window, counting every try
        # (arrival times at the fake, whose threads add scheduling jitter on a
        # busy machine: the window is 30 ms short of a second, which still
        # holds at most 29 sends spaced 34 ms apart and 39 spaced 25 ms)
        times = sorted(t for (m, p, t) in tg.calls if m == "sendMessage")
        j = 0
        worst = 0
        for i in range(len(times)):
            while times[i] - times[j] >= 0.97:
                j += 1
            worst = max(worst, i - j + 1)
        dups = sum(1 for n in per_chat.values() if n == 2)
        print(f"broadcast: {at_kill} delivered before kill -9, {dups} duplicates, "
              f"at most {worst} sendMessage calls in one second, /status answered in "
              f"{waited:.2f} s")
        assert worst <= 30, f"{worst} messages within one second"
        assert len(received()) >= 1000


def test_quiet_hours_silence_only_those_who_turned_night_sound_off(procs, tmp_path):
    """The site's quiet_hours are set around the current time: a subscriber
    with night sound off gets power news with disable_notification, one with
    night sound on gets it with sound, and neither misses it. Subscribers
    without a language of their own read the site's (Czech here)."""
    now = datetime.now(timezone.utc)
    window = f"{(now - timedelta(hours=1)):%H:%M}-{(now + timedelta(hours=1)):%H:%M}"
    with FakeTelegram() as tg:
        port = free_port()
        cfg = config(tmp_path, tg, port)
        sites = "\n".join(["[[sites]]", 'id = "home"', 'timezone = "UTC"', 'language = "cs"',
                           f'quiet_hours = "{window}"', ""])
        cfg.write_text(cfg.read_text() + "\n" + sites)
        quiet, loud = 5001, 5002
        r = run_cli("notify", "subscribe", quiet, "--topics", "power", "--silent-at-night",
                    "-c", str(cfg))
        assert r.returncode == 0, r.stderr
        r = run_cli("notify", "subscribe", loud, "--topics", "power", "--language", "en",
                    "-c", str(cfg))
        assert r.returncode == 0, r.stderr
        svc = start(procs, cfg, port)
        staged_power_cut(svc, svc.base, HB_TOKEN, 1)
        tg.wait_for(lambda t: len(t.messages(quiet)) >= 2 and len(t.messages(loud)) >= 2, 10)
        svc.stop()
        for m in tg.messages(quiet)[:2]:
            assert m.disable_notification, m
        for m in tg.messages(loud)[:2]:
            assert not m.disable_notification, m
        assert tg.messages(loud)[0].text.startswith("POWER: power is OFF")
        # Czech, the site's language, for the subscriber who chose none
        assert tg.messages(quiet)[0].text.startswith("POWER: proud NENÍ")
