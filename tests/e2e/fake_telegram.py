"""A stand-in for the Telegram Bot API on loopback, for plugwatch's e2e tests.

Speaks the real shapes (PROTOCOLS.md §7): POST or GET /bot<TOKEN>/<method>,
parameters as a JSON body, a form body or the query string; replies
{"ok":true,"result":...} or {"ok":false,"error_code":N,"description":...,
"parameters":{...}}. Threaded: getUpdates long-polls (waits up to `timeout`
seconds for an update) while other requests are served.

Tests drive it through Python (no HTTP): inject user messages and button
presses, queue failures (429 with retry_after, 5xx, 403 blocked, 400 chat not
found, migrate_to_chat_id), and read every message the bot sent with the time
it arrived.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Sent:
    """One message the bot sent (sendMessage) or edited (editMessageText)."""

    method: str
    chat_id: Any
    text: str
    at: float  # time.monotonic() when the request arrived
    message_id: int
    disable_notification: bool = False
    parse_mode: str | None = None
    reply_markup: Any = None
    params: dict = field(default_factory=dict)


class FakeTelegram:
    def __init__(self, token: str = "123456:TEST-token", host: str = "127.0.0.1"):
        self.token = token
        self._lock = threading.Condition()
        self._updates: list[dict] = []
        self._next_update_id = 1000
        self._next_message_id = 1
        self._confirmed = 0  # highest offset the bot confirmed
        self.sent: list[Sent] = []
        self.calls: list[tuple[str, dict, float]] = []  # (method, params, arrival)
        self.commands: list[dict] = []  # the last setMyCommands list
        self.commands_by_language: dict[str, list[dict]] = {}  # language_code ("" = default)
        self.callback_answers: list[dict] = []
        self.webhook_deleted = 0
        self._failures: list[tuple[str | None, Any, dict]] = []  # (method, chat, reply)
        self._blocked: set[str] = set()  # chats answering 403 until unblocked
        self._migrated: dict[str, int] = {}  # old group id -> new supergroup id
        # True: confirmed updates are kept and sent again to a getUpdates
        # without an offset (as if the confirming request never reached
        # Telegram) — so only the bot's own stored offset keeps it from
        # handling an update twice after a restart.
        self.keep_confirmed = False
        handler = self._make_handler()
        self.server = ThreadingHTTPServer((host, 0), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- lifecycle -------------------------------------------------------
    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "FakeTelegram":
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            self._lock.notify_all()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- test controls ---------------------------------------------------
    def _user(self, user_id: int, language_code: str | None, first_name: str) -> dict:
        u = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            u["language_code"] = language_code
        return u

    def _push(self, update: dict) -> int:
        with self._lock:
            update["update_id"] = self._next_update_id
            self._next_update_id += 1
            self._updates.append(update)
            self._lock.notify_all()
            return update["update_id"]

    def inject_message(self, chat_id: int, text: str, language_code: str | None = "en",
                       user_id: int | None = None, first_name: str = "Test") -> int:
        """A user (or a group member) writes `text` in `chat_id`; returns its update_id."""
        uid = user_id if user_id is not None else chat_id
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "group"}
        msg = {"message_id": self._new_message_id(), "date": int(time.time()),
               "chat": chat, "from": self._user(uid, language_code, first_name), "text": text}
        if text.startswith("/"):
            cmd_len = len(text.split()[0])
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": cmd_len}]
        return self._push({"message": msg})

    def inject_callback(self, chat_id: int, data: str, language_code: str | None = "en",
                        user_id: int | None = None, message_id: int = 1) -> int:
        """A user presses an inline button carrying `data` under message `message_id`."""
        uid = user_id if user_id is not None else chat_id
        cq = {"id": f"cb{self._next_update_id}", "from": self._user(uid, language_code, "Test"),
              "chat_instance": str(chat_id), "data": data,
              "message": {"message_id": message_id, "date": int(time.time()),
                          "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                          "text": ""}}
        return self._push({"callback_query": cq})

    def fail_next(self, n: int, reply: dict, method: str | None = None, chat_id=None) -> None:
        """The next `n` matching calls answer `reply` (a full error body)."""
        with self._lock:
            for _ in range(n):
                self._failures.append((method, None if chat_id is None else str(chat_id), reply))

    def rate_limit_next(self, n: int, retry_after: int, method: str | None = "sendMessage",
                        chat_id=None) -> None:
        self.fail_next(n, {"ok": False, "error_code": 429,
                           "description": f"Too Many Requests: retry after {retry_after}",
                           "parameters": {"retry_after": retry_after}}, method, chat_id)

    def server_error_next(self, n: int, code: int = 502, method: str | None = "sendMessage") -> None:
        self.fail_next(n, {"ok": False, "error_code": code, "description": "Bad Gateway"}, method)

    def block(self, chat_id) -> None:
        """The user blocked the bot: every send to the chat answers 403."""
        with self._lock:
            self._blocked.add(str(chat_id))

    def chat_not_found_next(self, chat_id, n: int = 1) -> None:
        self.fail_next(n, {"ok": False, "error_code": 400,
                           "description": "Bad Request: chat not found"}, "sendMessage", chat_id)

    def migrate(self, group_id: int, new_id: int) -> None:
        """The group became a supergroup: sends to the old id answer migrate_to_chat_id."""
        with self._lock:
            self._migrated[str(group_id)] = new_id

    # --- inspection ------------------------------------------------------
    def edits(self, chat_id=None) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.method == "editMessageText"
                    and (chat_id is None or str(s.chat_id) == str(chat_id))]

    def answers(self) -> list[dict]:
        """answerCallbackQuery calls, oldest first."""
        with self._lock:
            return list(self.callback_answers)

    def messages(self, chat_id=None) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.method == "sendMessage"
                    and (chat_id is None or str(s.chat_id) == str(chat_id))]

    def wait_for(self, pred, timeout: float = 10.0):
        """Waits until pred(self) is truthy; returns its value or raises TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            v = pred(self)
            if v:
                return v
            if time.monotonic() > deadline:
                raise TimeoutError("fake Telegram: condition not met in time")
            time.sleep(0.05)

    # --- the API ---------------------------------------------------------
    def _new_message_id(self) -> int:
        with self._lock:
            self._next_message_id += 1
            return self._next_message_id

    def _take_failure(self, method: str, chat) -> dict | None:
        with self._lock:
            for i, (m, c, reply) in enumerate(self._failures):
                if (m is None or m == method) and (c is None or c == chat):
                    del self._failures[i]
                    return reply
        return None

    def handle(self, method: str, params: dict) -> tuple[int, dict]:
        arrival = time.monotonic()
        with self._lock:
            self.calls.append((method, params, arrival))
        chat = params.get("chat_id")
        chat_s = None if chat is None else str(chat)
        failure = self._take_failure(method, chat_s)
        if failure is not None:
            return failure["error_code"], failure
        if method == "getMe":
            return 200, {"ok": True, "result": {"id": 123456, "is_bot": True,
                                                "first_name": "plugwatch", "username": "pw_bot"}}
        if method == "deleteWebhook":
            self.webhook_deleted += 1
            return 200, {"ok": True, "result": True}
        if method == "setMyCommands":
            cmds = params.get("commands")
            if isinstance(cmds, str):
                cmds = json.loads(cmds)
            self.commands = cmds or []
            self.commands_by_language[str(params.get("language_code") or "")] = self.commands
            return 200, {"ok": True, "result": True}
        if method == "answerCallbackQuery":
            self.callback_answers.append(params)
            return 200, {"ok": True, "result": True}
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        if method in ("sendMessage", "editMessageText"):
            return self._send(method, params, arrival)
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def _send(self, method: str, params: dict, arrival: float) -> tuple[int, dict]:
        chat_s = str(params.get("chat_id"))
        text = params.get("text")
        with self._lock:
            if chat_s in self._blocked:
                return 403, {"ok": False, "error_code": 403,
                             "description": "Forbidden: bot was blocked by the user"}
            if chat_s in self._migrated:
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: group chat was upgraded to a supergroup chat",
                             "parameters": {"migrate_to_chat_id": self._migrated[chat_s]}}
        if params.get("chat_id") in (None, ""):
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"}
        if not text:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
        if len(text) > 4096:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        silent = params.get("disable_notification") in (True, "true", "True", "1", 1)
        mid = int(params["message_id"]) if method == "editMessageText" and "message_id" in params \
            else self._new_message_id()
        try:
            chat_id = int(chat_s)
        except ValueError:
            chat_id = chat_s
        with self._lock:
            self.sent.append(Sent(method, chat_id, text, arrival, mid, silent,
                                  params.get("parse_mode"), markup, params))
            self._lock.notify_all()
        result = {"message_id": mid, "date": int(time.time()),
                  "chat": {"id": chat_id, "type": "private" if isinstance(chat_id, int) and chat_id > 0
                           else "group"}, "text": text}
        return 200, {"ok": True, "result": result}

    def _get_updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset", 0) or 0)
        timeout = float(params.get("timeout", 0) or 0)
        limit = int(params.get("limit", 100) or 100)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, str):
            allowed = json.loads(allowed)
        deadline = time.monotonic() + timeout
        with self._lock:
            if offset:
                self._confirmed = max(self._confirmed, offset)
                if not self.keep_confirmed:
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]

            def pending():
                out = [u for u in self._updates if u["update_id"] >= offset
                       and (not allowed or any(k in u for k in allowed))]
                return out[:limit]

            while True:
                got = pending()
                left = deadline - time.monotonic()
                if got or left <= 0:
                    return got
                self._lock.wait(left)

    def _make_handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self):
                url = urllib.parse.urlsplit(self.path)
                params: dict = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
                status, reply = 200, None
                try:
                    if body and ctype == "application/json":
                        params.update(json.loads(body))
                    elif body:
                        params.update({k: v[-1] for k, v in
                                       urllib.parse.parse_qs(body.decode()).items()})
                except ValueError:
                    status, reply = 400, {"ok": False, "error_code": 400,
                                          "description": "Bad Request: can't parse JSON"}
                parts = url.path.split("/")
                if reply is None:
                    if len(parts) != 3 or not parts[1].startswith("bot"):
                        status, reply = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
                    elif parts[1][3:] != fake.token:
                        status, reply = 401, {"ok": False, "error_code": 401,
                                              "description": "Unauthorized"}
                    else:
                        status, reply = fake.handle(parts[2], params)
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _serve
            do_POST = _serve

        return Handler
