"""An independent Tapo P110 client, written from PROTOCOLS.md §1–2 only.

It shares no code with plugwatch's C++ client, so the emulator is checked
against the protocol as the public client libraries describe it, not against
our own reading of it. Stdlib plus python3-cryptography; http.client with
keep-alive (one TCP connection per client unless the server closes it).

KLAP v2 (§1.2–1.5): auth_hash = sha256(sha1(user) ‖ sha1(pass));
handshake1 → remote_seed ‖ sha256(local ‖ remote ‖ auth); handshake2 sends
sha256(remote ‖ local ‖ auth); key/iv/seq/sig from "lsk"/"iv"/"ldk" ‖ H;
requests are signature ‖ AES-128-CBC(PKCS7(json)) at ?seq=<signed int32>.

securePassthrough (§1.7): RSA-1024 handshake (PKCS#1 v1.5), login_device
with base64(sha1_hex(email)) and base64(password) (v2: password2 =
base64(sha1_hex(password))), then securePassthrough with ?token=.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import struct
import time
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def sha1(b: bytes) -> bytes:
    return hashlib.sha1(b).digest()


def sha256(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


def pkcs7_pad(data: bytes) -> bytes:
    p = padding.PKCS7(128).padder()
    return p.update(data) + p.finalize()


def pkcs7_unpad(data: bytes) -> bytes:
    u = padding.PKCS7(128).unpadder()
    return u.update(data) + u.finalize()


def aes_cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    e = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return e.update(pkcs7_pad(plaintext)) + e.finalize()


def aes_cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    d = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return pkcs7_unpad(d.update(ciphertext) + d.finalize())


def wrap_int32(n: int) -> int:
    """Two's-complement wrap-around, like the Rust client's AtomicI32."""
    return (n + 2**31) % 2**32 - 2**31


@dataclass
class HttpAnswer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class HttpConn:
    """One kept-alive HTTP/1.1 connection; counts the TCP connections it opened."""

    def __init__(self, host: str, port: int, timeout: float = 5.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)
        self.connects = 0

    def post(self, target: str, body: bytes, headers: dict[str, str] | None = None) -> HttpAnswer:
        h = {"Content-Type": "application/octet-stream"}
        h.update(headers or {})
        if self.conn.sock is None:
            self.conn.connect()
            self.connects += 1
        self.conn.request("POST", target, body=body, headers=h)
        resp = self.conn.getresponse()
        data = resp.read()
        if resp.will_close:
            self.conn.close()
        return HttpAnswer(resp.status, resp.headers, data)

    def close(self) -> None:
        self.conn.close()


def session_cookie(headers: http.client.HTTPMessage) -> tuple[str, dict[str, str]]:
    """TP_SESSIONID's value and every attribute of the Set-Cookie header(s)."""
    attrs: dict[str, str] = {}
    for value in headers.get_all("Set-Cookie") or []:
        for part in value.split(";"):
            if "=" in part:
                k, v = part.strip().split("=", 1)
                attrs[k] = v
    if "TP_SESSIONID" not in attrs:
        raise KlapError(f"no TP_SESSIONID cookie in {headers.get_all('Set-Cookie')}")
    return attrs["TP_SESSIONID"], attrs


class KlapError(Exception):
    pass


class KlapClient:
    """A KLAP v2 client session (PROTOCOLS.md §1.2–1.5)."""

    def __init__(self, host: str, port: int, username: str, password: str, timeout: float = 5.0):
        self.http = HttpConn(host, port, timeout)
        self.username, self.password = username, password
        self.auth_hash = sha256(sha1(username.encode()) + sha1(password.encode()))
        self.cookie: str | None = None
        self.cookie_attrs: dict[str, str] = {}
        self.local_seed = self.remote_seed = b""
        self.key = self.iv_prefix = self.sig = b""
        self.seq = 0

    # -- handshake

    def handshake1(self, local_seed: bytes | None = None) -> HttpAnswer:
        self.local_seed = local_seed if local_seed is not None else os.urandom(16)
        ans = self.http.post("/app/handshake1", self.local_seed)
        if ans.status == 200 and len(ans.body) == 48:
            self.remote_seed = ans.body[:16]
            self.cookie, self.cookie_attrs = session_cookie(ans.headers)
        return ans

    def server_hash_ok(self, answer: HttpAnswer) -> bool:
        return answer.body[16:48] == sha256(self.local_seed + self.remote_seed + self.auth_hash)

    def handshake2(self) -> HttpAnswer:
        payload = sha256(self.remote_seed + self.local_seed + self.auth_hash)
        return self.http.post("/app/handshake2", payload, self._cookie_header())

    def derive(self) -> None:
        h = self.local_seed + self.remote_seed + self.auth_hash
        self.key = sha256(b"lsk" + h)[:16]
        f = sha256(b"iv" + h)
        self.iv_prefix = f[:12]
        self.seq = struct.unpack(">i", f[28:32])[0]
        self.sig = sha256(b"ldk" + h)[:28]

    def handshake(self) -> None:
        a1 = self.handshake1()
        if a1.status != 200 or len(a1.body) != 48:
            raise KlapError(f"handshake1: HTTP {a1.status}, {len(a1.body)} bytes")
        if not self.server_hash_ok(a1):
            raise KlapError("handshake1: server hash does not match our credentials")
        a2 = self.handshake2()
        if a2.status != 200:
            raise KlapError(f"handshake2: HTTP {a2.status}")
        self.derive()

    def _cookie_header(self) -> dict[str, str]:
        # Only TP_SESSIONID goes back (§1.5), never TIMEOUT.
        return {"Cookie": f"TP_SESSIONID={self.cookie}"} if self.cookie else {}

    # -- requests

    def encrypt(self, plaintext: bytes, seq: int) -> bytes:
        seq_be = struct.pack(">i", seq)
        ct = aes_cbc_encrypt(self.key, self.iv_prefix + seq_be, plaintext)
        return sha256(self.sig + seq_be + ct) + ct

    def decrypt(self, body: bytes, seq: int) -> bytes:
        return aes_cbc_decrypt(self.key, self.iv_prefix + struct.pack(">i", seq), body[32:])

    def response_signature_ok(self, body: bytes, seq: int) -> bool:
        return body[:32] == sha256(self.sig + struct.pack(">i", seq) + body[32:])

    def raw_request(self, obj: Any, seq: int | None = None) -> tuple[int, HttpAnswer]:
        """Sends one request; seq defaults to the session's next one. Returns (seq, answer)."""
        if seq is None:
            self.seq = wrap_int32(self.seq + 1)
            seq = self.seq
        text = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        ans = self.http.post(f"/app/request?seq={seq}", self.encrypt(text, seq),
                             self._cookie_header())
        return seq, ans

    def request(self, obj: Any, seq: int | None = None) -> dict:
        seq, ans = self.raw_request(obj, seq)
        if ans.status != 200:
            raise KlapError(f"request: HTTP {ans.status}")
        return json.loads(self.decrypt(ans.body, seq))

    def call(self, method: str, params: Any = None, style: str = "kasa") -> dict:
        """One API call in python-kasa's envelope (default) or the Rust client's."""
        if style == "rust":
            obj: dict[str, Any] = {"method": method, "params": params}
        else:
            obj = {"method": method, "request_time_milis": int(time.time() * 1000),
                   "terminal_uuid": base64.b64encode(hashlib.md5(os.urandom(16)).digest()).decode()}
            if params is not None:
                obj["params"] = params
        return self.request(obj)

    def close(self) -> None:
        self.http.close()


class PassthroughClient:
    """A legacy securePassthrough (AES + RSA) client (PROTOCOLS.md §1.7)."""

    def __init__(self, host: str, port: int, username: str, password: str, timeout: float = 5.0):
        self.http = HttpConn(host, port, timeout)
        self.username, self.password = username, password
        self.cookie: str | None = None
        self.cookie_attrs: dict[str, str] = {}
        self.aes_key = self.aes_iv = b""
        self.token: str | None = None
        self._rsa = rsa.generate_private_key(public_exponent=65537, key_size=1024)

    def public_pem(self) -> str:
        return self._rsa.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def post_json(self, obj: Any, target: str = "/app") -> HttpAnswer:
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "requestByApp": "true"}
        if self.cookie:
            headers["Cookie"] = f"TP_SESSIONID={self.cookie}"
        return self.http.post(target, json.dumps(obj).encode(), headers)

    def handshake(self) -> dict:
        ans = self.post_json({"method": "handshake", "params": {"key": self.public_pem()}})
        if ans.status != 200:
            raise KlapError(f"handshake: HTTP {ans.status}")
        reply = ans.json()
        if reply.get("error_code") != 0:
            return reply
        key_iv = self._rsa.decrypt(base64.b64decode(reply["result"]["key"]),
                                   asym_padding.PKCS1v15())
        if len(key_iv) != 32:
            raise KlapError(f"handshake: RSA-decrypted key is {len(key_iv)} bytes, not 32")
        self.aes_key, self.aes_iv = key_iv[:16], key_iv[16:]
        self.cookie, self.cookie_attrs = session_cookie(ans.headers)
        return reply

    def secure(self, inner: Any, with_token: bool = True) -> tuple[dict, dict | None]:
        """securePassthrough: (outer answer, decrypted inner answer or None)."""
        text = json.dumps(inner).encode()
        request = base64.b64encode(aes_cbc_encrypt(self.aes_key, self.aes_iv, text)).decode()
        target = f"/app?token={self.token}" if (with_token and self.token) else "/app"
        ans = self.post_json({"method": "securePassthrough", "params": {"request": request}},
                             target)
        if ans.status != 200:
            raise KlapError(f"securePassthrough: HTTP {ans.status}")
        outer = ans.json()
        if outer.get("error_code") != 0:
            return outer, None
        plain = aes_cbc_decrypt(self.aes_key, self.aes_iv,
                                base64.b64decode(outer["result"]["response"]))
        return outer, json.loads(plain)

    def login(self, v2: bool = False, password: str | None = None) -> dict:
        pw = self.password if password is None else password
        user = base64.b64encode(hashlib.sha1(self.username.encode()).hexdigest().encode()).decode()
        params: dict[str, str] = {"username": user}
        if v2:
            params["password2"] = base64.b64encode(
                hashlib.sha1(pw.encode()).hexdigest().encode()).decode()
        else:
            params["password"] = base64.b64encode(pw.encode()).decode()
        outer, inner = self.secure({"method": "login_device", "params": params,
                                    "request_time_milis": int(time.time() * 1000)},
                                   with_token=False)
        if inner is None:
            raise KlapError(f"login_device: outer answer {outer}")
        if inner.get("error_code") == 0:
            self.token = inner["result"]["token"]
        return inner

    def call(self, method: str, params: Any = None) -> dict:
        obj: dict[str, Any] = {"method": method, "request_time_milis": int(time.time() * 1000)}
        if params is not None:
            obj["params"] = params
        outer, inner = self.secure(obj)
        if inner is None:
            return outer
        return inner

    def close(self) -> None:
        self.http.close()
