"""Checks of the fake Bot API itself (tests/e2e/fake_telegram.py), so that the
Telegram e2e tests cannot pass against a stand-in that lies about the shapes."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from fake_telegram import FakeTelegram


@pytest.fixture
def tg():
    with FakeTelegram() as fake:
        yield fake


def call(tg, method, params=None, how="json", token=None):
    url = f"{tg.api_url}/bot{token or tg.token}/{method}"
    data, headers = None, {}
    if how == "json":
        data, headers = json.dumps(params or {}).encode(), {"Content-Type": "application/json"}
    elif how == "form":
        data = urllib.parse.urlencode(params or {}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
    else:
        url += "?" + urllib.parse.urlencode(params or {})
    req = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.mark.parametrize("how", ["json", "form", "query"])
def test_send_message_in_every_encoding_returns_a_message(tg, how):
    status, r = call(tg, "sendMessage", {"chat_id": 42, "text": "hi <b>x</b>",
                                         "parse_mode": "HTML", "disable_notification": "true"}, how)
    assert status == 200 and r["ok"] is True
    assert r["result"]["chat"]["id"] == 42 and r["result"]["text"] == "hi <b>x</b>"
    assert isinstance(r["result"]["message_id"], int) and r["result"]["date"] > 0
    [s] = tg.messages(42)
    assert s.disable_notification is True and s.parse_mode == "HTML"


def test_wrong_token_and_unknown_method(tg):
    assert call(tg, "getMe", token="1:bad")[0] == 401
    status, r = call(tg, "nope")
    assert status == 404 and r["ok"] is False and r["error_code"] == 404


def test_failures_have_the_real_shapes(tg):
    tg.rate_limit_next(1, retry_after=3)
    status, r = call(tg, "sendMessage", {"chat_id": 1, "text": "a"})
    assert status == 429 and r["parameters"]["retry_after"] == 3 and r["ok"] is False
    assert call(tg, "sendMessage", {"chat_id": 1, "text": "a"})[0] == 200
    tg.server_error_next(1)
    assert call(tg, "sendMessage", {"chat_id": 1, "text": "a"})[0] == 502
    tg.block(7)
    status, r = call(tg, "sendMessage", {"chat_id": 7, "text": "a"})
    assert status == 403 and r["description"] == "Forbidden: bot was blocked by the user"
    tg.chat_not_found_next(8)
    status, r = call(tg, "sendMessage", {"chat_id": 8, "text": "a"})
    assert status == 400 and r["description"] == "Bad Request: chat not found"
    tg.migrate(-5, -1005)
    status, r = call(tg, "sendMessage", {"chat_id": -5, "text": "a"})
    assert status == 400 and r["parameters"]["migrate_to_chat_id"] == -1005
    assert call(tg, "sendMessage", {"chat_id": 2, "text": "x" * 4097})[0] == 400
    assert [s.chat_id for s in tg.messages()] == [1]


def test_get_updates_long_polls_and_offset_confirms(tg):
    status, r = call(tg, "getUpdates", {"timeout": 0})
    assert r == {"ok": True, "result": []}
    got = {}

    def poll():
        got["t0"] = time.monotonic()
        got["r"] = call(tg, "getUpdates", {"timeout": 5, "allowed_updates": ["message", "callback_query"]})[1]
        got["t1"] = time.monotonic()

    th = threading.Thread(target=poll)
    th.start()
    time.sleep(0.3)
    uid = tg.inject_message(99, "/start", language_code="uk")
    th.join(10)
    assert got["t1"] - got["t0"] < 3
    [u] = got["r"]["result"]
    assert u["update_id"] == uid and u["message"]["from"]["language_code"] == "uk"
    assert u["message"]["entities"][0]["type"] == "bot_command"
    # not confirmed yet: delivered again; confirmed by offset: gone
    assert call(tg, "getUpdates", {})[1]["result"][0]["update_id"] == uid
    cb = tg.inject_callback(99, "lang:cs", language_code="uk")
    r = call(tg, "getUpdates", {"offset": uid + 1})[1]["result"]
    assert [x["update_id"] for x in r] == [cb] and r[0]["callback_query"]["data"] == "lang:cs"
    t0 = time.monotonic()
    assert call(tg, "getUpdates", {"offset": cb + 1, "timeout": 1})[1]["result"] == []
    assert time.monotonic() - t0 >= 0.9


def test_commands_webhook_and_callback_answers_are_recorded(tg):
    cmds = [{"command": "start", "description": "Subscribe"}]
    assert call(tg, "setMyCommands", {"commands": json.dumps(cmds)}, "form")[1]["result"] is True
    assert tg.commands == cmds
    call(tg, "deleteWebhook", {"drop_pending_updates": False})
    assert tg.webhook_deleted == 1
    call(tg, "answerCallbackQuery", {"callback_query_id": "cb1"})
    assert tg.callback_answers[0]["callback_query_id"] == "cb1"
    mid = call(tg, "sendMessage", {"chat_id": 3, "text": "a",
                                   "reply_markup": {"inline_keyboard": [[{"text": "EN", "callback_data": "l:en"}]]}})[1]["result"]["message_id"]
    assert tg.messages(3)[0].reply_markup["inline_keyboard"][0][0]["callback_data"] == "l:en"
    r = call(tg, "editMessageText", {"chat_id": 3, "message_id": mid, "text": "b"})[1]
    assert r["result"]["message_id"] == mid and tg.sent[-1].method == "editMessageText"


def test_keep_confirmed_replays_updates_to_a_poll_without_offset(tg):
    tg.keep_confirmed = True
    a = tg.inject_message(5, "/help")
    b = tg.inject_message(5, "/status")
    assert [u["update_id"] for u in call(tg, "getUpdates", {"offset": b})[1]["result"]] == [b]
    # a bot that forgot its offset gets both again; one that kept it, only what is new
    assert [u["update_id"] for u in call(tg, "getUpdates", {})[1]["result"]] == [a, b]
    assert call(tg, "getUpdates", {"offset": b + 1})[1]["result"] == []


def test_commands_are_kept_per_language(tg):
    call(tg, "setMyCommands", {"commands": [{"command": "help", "description": "Help"}]})
    call(tg, "setMyCommands", {"commands": [{"command": "help", "description": "Довідка"}],
                               "language_code": "uk"})
    assert tg.commands_by_language[""][0]["description"] == "Help"
    assert tg.commands_by_language["uk"][0]["description"] == "Довідка"
