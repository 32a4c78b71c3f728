#!/usr/bin/env python3
"""Prints the known vectors used by klap_cipher_test.cc and passthrough_crypto_test.cc.

An independent implementation of PROTOCOLS.md §1.2–§1.4 and §1.7 with hashlib
and the `cryptography` package (Debian: python3-cryptography), so that the C++
codec is checked against code that shares nothing with it. Cross-check the AES
part with, e.g.:
  printf '{"method":"get_device_info"}' | openssl enc -aes-128-cbc \
      -K 2af91555d26ae6b5d7cf7e066b77e2bf -iv ccd2404e9f77ebb252fd433afffffffb | xxd -p
"""
import base64
import hashlib
import struct

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def md5(b): return hashlib.md5(b).digest()
def sha1(b): return hashlib.sha1(b).digest()
def sha256(b): return hashlib.sha256(b).digest()


def aes_cbc(key, iv, plain):
    padder = padding.PKCS7(128).padder()
    data = padder.update(plain) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


USER, PASS = b"user@example.com", b"s3cret!"
LOCAL = bytes(range(16))
REMOTE = bytes(0xA0 + i for i in range(16))
PLAIN = b'{"method":"get_device_info"}'

auth = {"v1": md5(md5(USER) + md5(PASS)), "v2": sha256(sha1(USER) + sha1(PASS))}
print("auth v1", auth["v1"].hex(), " blank", md5(md5(b"") + md5(b"")).hex())
print("auth v2", auth["v2"].hex(), " blank", sha256(sha1(b"") + sha1(b"")).hex())
print("v1 handshake1", sha256(LOCAL + auth["v1"]).hex())
print("v1 handshake2", sha256(REMOTE + auth["v1"]).hex())
print("v2 handshake1", sha256(LOCAL + REMOTE + auth["v2"]).hex())
print("v2 handshake2", sha256(REMOTE + LOCAL + auth["v2"]).hex())

for name, a in auth.items():
    h = LOCAL + REMOTE + a
    key = sha256(b"lsk" + h)[:16]
    f = sha256(b"iv" + h)
    iv_prefix, seq = f[:12], struct.unpack(">i", f[28:32])[0]
    sig = sha256(b"ldk" + h)[:28]
    print(name, "key", key.hex(), "iv_prefix", iv_prefix.hex(), "seq", seq, "sig", sig.hex())
    for s in (seq + 1, -5, 2**31 - 1, -2**31):
        seq_be = struct.pack(">i", s)
        ct = aes_cbc(key, iv_prefix + seq_be, PLAIN)
        print(name, "body at seq", s, (sha256(sig + seq_be + ct) + ct).hex())

key_iv = bytes(range(0x10, 0x30))
print("passthrough aes", base64.b64encode(aes_cbc(
    key_iv[:16], key_iv[16:], b'{"method":"login_device","params":{"username":"x"}}')).decode())
print("login username", base64.b64encode(hashlib.sha1(USER).hexdigest().encode()).decode())
print("login password (v1)", base64.b64encode(PASS).decode())
print("login password2 (v2)", base64.b64encode(hashlib.sha1(PASS).hexdigest().encode()).decode())
