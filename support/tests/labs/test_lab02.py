"""Tools of notebooks 02/02a/02b: wire tap, measurements, scoreboard, widget text."""

import pytest
import requests

from sessionlab import serve
from sessionlab.apps.login import create_login_app
from sessionlab.labs.lab02 import (
    Scoreboard,
    WireTap,
    guess_time_text,
    hash_rates,
    kdf_peak_mib,
    login_timing,
    lookup_costs,
    session_record,
    set_cookie_attributes,
    show,
)
from sessionlab.web.stores import MemoryStore, SQLiteStore

FAST = 2**8


def test_wiretap_sees_the_password_in_clear():
    app = create_login_app(kdf_n=FAST)
    with serve(app, name=None) as srv, WireTap(srv.url) as tap:
        r = requests.post(tap.url + "/login", json={"username": "alice", "password": "wonderland-2026"})
        assert r.status_code == 200
        assert b"POST /login HTTP/1.1" in tap.seen() and b"wonderland-2026" in tap.seen()
        assert set_cookie_attributes(r) == {"httponly": True, "path": "/", "samesite": "Lax"}
        assert b"Set-Cookie: sid=" in bytes(tap.to_client)
        tap.clear()
        assert tap.seen() == b""
        sid = r.cookies["sid"]
        assert session_record(app.lab.store, sid)["data"]["user"] == "alice"
        assert session_record(app.lab.store, "nope") == {}
        assert login_timing(srv.url, "bob", rounds=2).keys() == {"wrong_password", "unknown_user"}
        shown = show(r).text() + show(requests.get(srv.url + "/me", cookies={"sid": sid})).text()
        assert sid not in shown and "Set-Cookie: sid=ID; HttpOnly" in shown and "Cookie: sid=ID" in shown


def test_kdf_peak_memory_is_measured_in_a_child_process():
    scrypt = kdf_peak_mib("scrypt", n=2**15, r=8, p=1)  # 128 * N * r = 32 MiB
    assert 30 <= scrypt < 40, scrypt
    argon = kdf_peak_mib("argon2id", memory_kib=24 * 1024, time_cost=1, parallelism=1)
    assert 22 <= argon < 30, argon
    assert kdf_peak_mib("pbkdf2", iterations=1000) < 1
    with pytest.raises(ValueError):
        kdf_peak_mib("md5")


def test_measurements_have_the_right_shape():
    rates = hash_rates(seconds=0.02, production=False)
    assert rates["SHA-256"] > 100 * min(rates.values())
    costs = lookup_costs({"memory": MemoryStore(), "sqlite": SQLiteStore()}, n=20, repeats=2)
    assert set(costs) == {"memory", "sqlite"} and all(v > 0 for v in costs.values())


def test_scoreboard_and_guess_text():
    board = Scoreboard()
    board.record("세션 고정", "VULNERABLE", True)
    board.record("세션 고정", "secure", False)
    assert board.all("VULNERABLE", True) and board.all("secure", False)
    assert "성공 (뚫림)" in board.table() and "차단" in board.table()
    board.record("CSRF", "secure", True)
    assert not board.all("secure", False)
    assert "미달" in guess_time_text(32, 1000, 1000) and "충족" in guess_time_text(128, 10**6, 10**9)
