"""Tools of notebooks 02/02a/02b: wire tap, measurements, scoreboard, widget text."""

import requests

from sessionlab import serve
from sessionlab.apps.login import create_login_app
from sessionlab.labs.lab02 import (
    Scoreboard,
    WireTap,
    guess_time_text,
    hash_rates,
    login_timing,
    lookup_costs,
    session_record,
    set_cookie_attributes,
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


def test_measurements_have_the_right_shape():
    rates = hash_rates(seconds=0.02)
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
