"""The emulated P110 (`plugwatch sim tapo`) against an independent client.

tapo_client.py implements KLAP v2 and securePassthrough from PROTOCOLS.md
alone; if the emulator and plugwatch's own client shared a misreading of the
protocol, these tests would catch it.
"""

from __future__ import annotations

import base64
import json
import re

import pytest

from conftest import TAPO_PASSWORD, TAPO_USER, start_sim
from tapo_client import HttpConn, KlapClient, KlapError, PassthroughClient

HEX40 = re.compile(r"^[0-9A-F]{40}$")
HEX32 = re.compile(r"^[0-9A-F]{32}$")
MAC = re.compile(r"^[0-9A-F]{2}(-[0-9A-F]{2}){5}$")


@pytest.fixture(scope="module")
def klap_sim(module_procs):
    return start_sim(module_procs, profile="constant", watts=1000, name="sim-klap")


@pytest.fixture(scope="module")
def aes_sim(module_procs):
    return start_sim(module_procs, profile="constant", watts=1000, protocol="passthrough",
                     name="sim-aes")


@pytest.fixture
def klap(klap_sim):
    c = KlapClient("127.0.0.1", klap_sim.port, TAPO_USER, TAPO_PASSWORD)
    c.handshake()
    yield c
    c.close()


def ok(answer: dict) -> dict:
    assert answer.get("error_code") == 0, answer
    return answer.get("result", {})


# ---------------------------------------------------------------- KLAP v2


def test_klap_handshake_keeps_one_connection_and_a_session_cookie(klap_sim):
    c = KlapClient("127.0.0.1", klap_sim.port, TAPO_USER, TAPO_PASSWORD)
    before = klap_sim.device()["stats"]
    a1 = c.handshake1()
    assert a1.status == 200
    assert len(a1.body) == 48
    assert c.server_hash_ok(a1), "handshake1 server_hash ≠ sha256(local ‖ remote ‖ auth_hash)"
    assert re.fullmatch(r"[0-9A-Fa-f]+", c.cookie), c.cookie
    assert c.cookie_attrs.get("TIMEOUT") == "86400"
    a2 = c.handshake2()
    assert a2.status == 200
    c.derive()
    info = ok(c.call("get_device_info"))
    assert info["device_on"] is True
    # handshake1, handshake2 and the request all went over one kept-alive connection.
    assert c.http.connects == 1
    after = klap_sim.device()["stats"]
    assert after["handshakes"] == before["handshakes"] + 1
    assert after["sessions_established"] == before["sessions_established"] + 1
    assert after["requests"] == before["requests"] + 1
    c.close()


def test_component_nego_lists_energy_monitoring_v2(klap):
    result = ok(klap.call("component_nego"))
    components = {c["id"]: c["ver_code"] for c in result["component_list"]}
    assert components["energy_monitoring"] == 2
    assert components["device"] == 2
    assert len(components) == 22  # the fw 1.3.1 list of PROTOCOLS.md §2


def test_get_device_info_has_the_p110_shape(klap):
    info = ok(klap.call("get_device_info"))
    assert base64.b64decode(info["nickname"]).decode() == "plug"
    base64.b64decode(info["ssid"], validate=True).decode()  # base64 UTF-8
    assert info["model"] == "P110"
    assert info["type"] == "SMART.TAPOPLUG"
    assert info["device_on"] is True
    assert MAC.match(info["mac"]), info["mac"]
    assert HEX40.match(info["device_id"]), info["device_id"]
    for k in ("hw_id", "fw_id", "oem_id"):
        assert HEX32.match(info[k]), (k, info[k])
    assert isinstance(info["rssi"], int) and info["rssi"] < 0
    assert info["signal_level"] in (0, 1, 2, 3)
    assert isinstance(info["time_diff"], int)
    assert isinstance(info["on_time"], int) and info["on_time"] >= 0
    # Current firmware shape (KLAP, lv 2): *_status fields, not `overheated`.
    assert info["overheat_status"] == "normal"
    assert "overheated" not in info


def test_power_units_mw_and_w(klap, klap_sim):
    usage = ok(klap.call("get_energy_usage"))
    assert usage["current_power"] == 1_000_000  # mW
    power = ok(klap.call("get_current_power"))
    assert power["current_power"] == 1000  # integer W
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", usage["local_time"])
    assert len(usage["electricity_charge"]) == 3
    for k in ("today_runtime", "month_runtime", "today_energy", "month_energy"):
        assert isinstance(usage[k], int) and usage[k] >= 0, (k, usage[k])
    assert usage["month_energy"] >= usage["today_energy"]
    # The plug's integer Wh counter agrees with the exact one of the control API.
    exact = klap_sim.device()["today_energy_wh"]
    assert abs(usage["today_energy"] - exact) <= 1, (usage, exact)


def test_rust_style_envelope_with_null_params(klap):
    answer = klap.call("get_current_power", style="rust")
    assert ok(answer)["current_power"] == 1000


def test_unknown_method_is_minus_1002(klap):
    assert klap.call("get_something_new") == {"error_code": -1002}


def test_multiple_request(klap):
    result = ok(klap.call("multipleRequest", {"requests": [
        {"method": "get_device_info"},
        {"method": "get_energy_usage"},
        {"method": "get_current_power"},
    ]}))
    responses = result["responses"]
    assert [r["method"] for r in responses] == ["get_device_info", "get_energy_usage",
                                                "get_current_power"]
    assert [r["error_code"] for r in responses] == [0, 0, 0]
    assert responses[0]["result"]["model"] == "P110"
    assert responses[1]["result"]["current_power"] == 1_000_000
    assert responses[2]["result"]["current_power"] == 1000


def test_multiple_request_stops_at_the_first_failure(klap):
    result = ok(klap.call("multipleRequest", {"requests": [
        {"method": "get_current_power"},
        {"method": "no_such_method"},
        {"method": "get_device_info"},
    ]}))
    responses = result["responses"]
    assert [(r["method"], r["error_code"]) for r in responses] == [
        ("get_current_power", 0), ("no_such_method", -1002)]


def test_set_device_info_switches_the_relay(klap, klap_sim):
    try:
        assert klap.call("set_device_info", {"device_on": False})["error_code"] == 0
        assert ok(klap.call("get_device_info"))["device_on"] is False
        assert ok(klap.call("get_energy_usage"))["current_power"] == 0
        assert ok(klap.call("get_current_power"))["current_power"] == 0
        d = klap_sim.device()
        assert d["relay_on"] is False and d["power_w"] == 0
    finally:
        assert klap.call("set_device_info", {"device_on": True})["error_code"] == 0
    assert ok(klap.call("get_current_power"))["current_power"] == 1000
    assert klap_sim.device()["relay_on"] is True


def test_response_is_framed_at_the_request_seq(klap):
    seq, ans = klap.raw_request({"method": "get_current_power"})
    assert ans.status == 200
    assert klap.response_signature_ok(ans.body, seq), \
        "response signature ≠ sha256(sig ‖ seq ‖ ciphertext)"
    assert json.loads(klap.decrypt(ans.body, seq))["result"]["current_power"] == 1000


@pytest.mark.parametrize("seq", [-5, -1, 0, 2**31 - 1, -(2**31)])
def test_any_int32_seq_is_accepted_including_negative(klap, seq):
    assert ok(klap.request({"method": "get_current_power"}, seq=seq))["current_power"] == 1000


def test_seq_wraps_around_like_int32(klap):
    klap.seq = 2**31 - 2
    assert ok(klap.call("get_current_power"))["current_power"] == 1000  # seq 2^31 - 1
    assert ok(klap.call("get_current_power"))["current_power"] == 1000  # seq -2^31
    assert klap.seq == -(2**31)


def test_wrong_password_is_rejected_at_handshake2(klap_sim):
    before = klap_sim.device()["stats"]
    c = KlapClient("127.0.0.1", klap_sim.port, TAPO_USER, "not-the-password")
    a1 = c.handshake1()
    assert a1.status == 200
    assert not c.server_hash_ok(a1), "server hash must not match wrong credentials"
    a2 = c.handshake2()
    assert a2.status == 400  # docs/adr/0002: [unverified] status, 400 as in tapo-connect #58
    c.derive()
    _, ans = c.raw_request({"method": "get_device_info"})
    assert ans.status == 403  # the half-made session was dropped
    after = klap_sim.device()["stats"]
    assert after["auth_failures"] == before["auth_failures"] + 1
    with pytest.raises(KlapError, match="server hash does not match"):
        KlapClient("127.0.0.1", klap_sim.port, TAPO_USER, "not-the-password").handshake()
    c.close()


def test_unknown_or_missing_cookie_gets_403(klap, klap_sim):
    before = klap_sim.device()["stats"]["forbidden"]
    good = klap.cookie
    klap.cookie = "0123456789ABCDEF0123456789ABCDEF"
    _, ans = klap.raw_request({"method": "get_device_info"})
    assert ans.status == 403
    klap.cookie = None
    _, ans = klap.raw_request({"method": "get_device_info"})
    assert ans.status == 403
    klap.cookie = good
    assert ok(klap.call("get_current_power"))["current_power"] == 1000
    assert klap_sim.device()["stats"]["forbidden"] == before + 2


def test_handshake2_with_unknown_cookie_gets_403(klap_sim):
    c = KlapClient("127.0.0.1", klap_sim.port, TAPO_USER, TAPO_PASSWORD)
    c.handshake1()
    c.cookie = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
    assert c.handshake2().status == 403
    c.close()


def test_bad_signature_is_rejected(klap):
    seq = klap.seq + 1
    body = bytearray(klap.encrypt(b'{"method":"get_device_info"}', seq))
    body[0] ^= 0xFF
    ans = klap.http.post(f"/app/request?seq={seq}", bytes(body),
                         {"Cookie": f"TP_SESSIONID={klap.cookie}"})
    assert ans.status == 400


def test_plain_json_to_app_answers_1003(klap_sim):
    conn = HttpConn("127.0.0.1", klap_sim.port)
    ans = conn.post("/app", json.dumps({"method": "component_nego", "params": None}).encode(),
                    {"Content-Type": "application/json"})
    assert ans.status == 200
    assert ans.json()["error_code"] == 1003  # KLAP-only firmware: "speak KLAP"
    conn.close()


def test_expire_after_3_requests_then_rehandshake(procs):
    sim = start_sim(procs, profile="constant", watts=1000, extra=["--expire-after", "3"],
                    name="sim-expiring")
    c = KlapClient("127.0.0.1", sim.port, TAPO_USER, TAPO_PASSWORD)
    c.handshake()
    for _ in range(3):
        assert ok(c.call("get_current_power"))["current_power"] == 1000
    _, ans = c.raw_request({"method": "get_current_power"})
    assert ans.status == 403
    # The session is gone for good, not just for one request.
    _, ans = c.raw_request({"method": "get_current_power"})
    assert ans.status == 403
    c.handshake()
    for _ in range(3):
        assert ok(c.call("get_current_power"))["current_power"] == 1000
    _, ans = c.raw_request({"method": "get_current_power"})
    assert ans.status == 403
    stats = sim.device()["stats"]
    assert stats["handshakes"] == 2
    assert stats["sessions_established"] == 2
    assert stats["requests"] == 6
    assert stats["forbidden"] == 3
    c.close()


# ---------------------------------------------------------------- securePassthrough


def test_passthrough_has_no_klap(aes_sim):
    conn = HttpConn("127.0.0.1", aes_sim.port)
    assert conn.post("/app/handshake1", b"\0" * 16).status == 404
    # A plain call is not answered with 1003, so clients choose securePassthrough.
    ans = conn.post("/app", json.dumps({"method": "component_nego", "params": None}).encode(),
                    {"Content-Type": "application/json"})
    assert ans.status == 200
    assert ans.json()["error_code"] not in (0, 1003)
    conn.close()


@pytest.mark.parametrize("v2", [False, True], ids=["password", "password2"])
def test_passthrough_login_and_get_device_info(aes_sim, v2):
    c = PassthroughClient("127.0.0.1", aes_sim.port, TAPO_USER, TAPO_PASSWORD)
    reply = c.handshake()
    assert reply["error_code"] == 0
    assert c.cookie and c.cookie_attrs.get("TIMEOUT") == "86400"
    login = c.login(v2=v2)
    assert login["error_code"] == 0, login
    assert isinstance(login["result"]["token"], str) and login["result"]["token"]
    info = ok(c.call("get_device_info"))
    assert info["model"] == "P110"
    assert base64.b64decode(info["nickname"]).decode() == "plug"
    assert info["device_on"] is True
    assert info["overheated"] is False  # fw 1.0.x shape
    assert ok(c.call("get_energy_usage"))["current_power"] == 1_000_000
    assert ok(c.call("get_current_power"))["current_power"] == 1000
    assert c.http.connects == 1
    c.close()


def test_passthrough_needs_the_token(aes_sim):
    c = PassthroughClient("127.0.0.1", aes_sim.port, TAPO_USER, TAPO_PASSWORD)
    c.handshake()
    assert c.login()["error_code"] == 0
    outer, inner = c.secure({"method": "get_device_info"}, with_token=False)
    assert outer == {"error_code": 9999} and inner is None
    good = c.token
    c.token = "WRONG" + good
    assert c.call("get_device_info") == {"error_code": 9999}
    c.token = good
    assert ok(c.call("get_current_power"))["current_power"] == 1000
    c.close()


def test_passthrough_wrong_password_is_minus_1501_and_kills_the_session(aes_sim):
    c = PassthroughClient("127.0.0.1", aes_sim.port, TAPO_USER, TAPO_PASSWORD)
    c.handshake()
    assert c.login(password="wrong")["error_code"] == -1501
    assert c.token is None
    # Only a new handshake helps after a failed login (python-kasa): even the
    # right password is refused on this session.
    with pytest.raises(KlapError, match="9999"):
        c.login()
    c.handshake()
    assert c.login()["error_code"] == 0
    assert ok(c.call("get_current_power"))["current_power"] == 1000
    c.close()
