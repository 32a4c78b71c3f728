"""Loopback stand-ins for notification receivers: an ntfy server and a JSON
webhook receiver in one HTTP server, with fault injection.

Every request is recorded (path, headers, body). `fail_next(n, status,
headers, body)` makes the next n requests fail with that answer; `down()` /
`up()` close and reopen the listening socket on the same port (the sink is
unreachable meanwhile).
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Request:
    path: str
    headers: dict
    body: bytes
    at: float = field(default_factory=time.time)

    def json(self):
        return json.loads(self.body)


class Receiver:
    def __init__(self, port: int = 0):
        self.requests: list[Request] = []
        self.faults: list[tuple[int, dict, bytes]] = []
        self.lock = threading.Lock()
        self._server = None
        self.port = port
        self.up()

    def _handler(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver.lock:
                    fault = receiver.faults.pop(0) if receiver.faults else None
                    if fault is None:
                        receiver.requests.append(
                            Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status, headers, reply = fault or (200, {"Content-Type": "application/json"}, b"{}")
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        return Handler

    def up(self) -> None:
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def down(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, n: int, status: int = 503, headers: dict | None = None,
                  body: bytes = b"busy") -> None:
        with self.lock:
            self.faults += [(status, headers or {}, body)] * n

    def on(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path.split("?")[0] == path]
