"""Tools of notebooks 02/02a/02b: wire tap, measurements, scoreboard, widget text."""

import pytest
import requests

from sessionlab import serve
from sessionlab.apps.attacker import SAMESITE_COOKIES, create_samesite_attacker, create_samesite_site
from sessionlab.apps.login import create_login_app
from sessionlab.infra import browser
from sessionlab.labs.lab02 import (
    WireTap,
    hash_rates,
    kdf_peak_mib,
    kdf_peaks_mib,
    login_timing,
    lookup_costs,
    session_record,
    set_cookie_attributes,
    show,
)
from sessionlab.labs.lab02a import Scoreboard, browser_samesite_matrix
from sessionlab.labs.lab02b import guess_time_text
from sessionlab.web.stores import MemoryStore, SQLiteStore

FAST = 2**8


def test_wiretap_sees_the_password_in_clear():
    app = create_login_app(kdf_n=FAST)
    with serve(app, name=None) as srv, WireTap(srv.url) as tap:
        r = requests.post(tap.url + "/login", json={"username": "alice", "password": "wonderland-2026"})
        assert r.status_code == 200
        assert b"POST /login HTTP/1.1" in tap.seen() and b"wonderland-2026" in tap.seen()
        assert set_cookie_attributes(r) == {"httponly": True, "path": "/", "samesite": "Lax"}
        assert b"Set-Cookie: login_sid=" in bytes(tap.to_client)
        tap.clear()
        assert tap.seen() == b""
        sid = r.cookies["login_sid"]
        assert session_record(app.lab.store, sid)["data"]["user"] == "alice"
        assert session_record(app.lab.store, "nope") == {}
        assert login_timing(srv.url, "bob", rounds=2).keys() == {"wrong_password", "unknown_user"}
        shown = show(r).text() + show(requests.get(srv.url + "/me", cookies={"login_sid": sid})).text()
        assert (
            sid not in shown
            and "Set-Cookie: login_sid=ID; HttpOnly" in shown
            and "Cookie: login_sid=ID" in shown
        )


def test_hash_rates_include_owasp_settings():
    rates = hash_rates(seconds=0.01)
    assert list(rates) == [
        "SHA-256",
        "PBKDF2-SHA256 600k",
        "scrypt n=2^14 (실습용)",
        "scrypt n=2^17 (OWASP)",
        "Argon2id m=19MiB t=2 (OWASP)",
    ]
    assert rates["scrypt n=2^17 (OWASP)"] < rates["scrypt n=2^14 (실습용)"]  # 8x the work and memory
    assert all(rates["SHA-256"] > 1000 * rate for name, rate in rates.items() if name != "SHA-256")


def test_kdf_peak_memory_is_measured_in_a_child_process():
    scrypt = kdf_peak_mib("scrypt", n=2**15, r=8, p=1)  # 128 * N * r = 32 MiB
    assert 30 <= scrypt < 40, scrypt
    assert kdf_peak_mib("pbkdf2", iterations=1000) < 1
    with pytest.raises(ValueError):
        kdf_peak_mib("md5")


def test_kdf_peaks_side_by_side_are_each_process_s_own():
    peaks = kdf_peaks_mib(
        {
            "argon": ("argon2id", {"memory_kib": 24 * 1024, "time_cost": 1, "parallelism": 1}),
            "scrypt": ("scrypt", {"n": 2**15, "r": 8, "p": 1}),
            "small": ("scrypt", {"n": 2**12, "r": 8, "p": 1}),  # 4 MiB
        }
    )
    assert list(peaks) == ["argon", "scrypt", "small"]
    assert 22 <= peaks["argon"] < 30 and 30 <= peaks["scrypt"] < 40 and 3.5 <= peaks["small"] < 8, peaks
    with pytest.raises(ValueError):
        kdf_peaks_mib({"x": ("md5", {})})


def test_measurements_have_the_right_shape():
    rates = hash_rates(seconds=0.02, production=False)
    assert rates["SHA-256"] > 100 * min(rates.values())
    costs = lookup_costs({"memory": MemoryStore(), "sqlite": SQLiteStore()}, n=20, repeats=2)
    assert set(costs) == {"memory", "sqlite"} and all(v > 0 for v in costs.values())


def test_lookup_costs_take_turns_with_the_requests_and_clean_up():
    """Stores and requests alternate round by round, so a busy moment cannot fall on one of them alone."""
    log = []

    class Logged(MemoryStore):
        def touch(self, sid):
            log.append("touch")
            return super().touch(sid)

    store = Logged()
    costs = lookup_costs(
        {"store": store}, n=2, repeats=3, requests={"request": lambda: log.append("request")}
    )
    assert log == ["touch", "touch", "request", "request"] * 3
    assert set(costs) == {"store", "request"} and all(v > 0 for v in costs.values())
    assert store.count() == 0  # the sessions it made are gone


def test_scoreboard_and_guess_text():
    board = Scoreboard()
    board.record("세션 고정", "VULNERABLE", True)
    board.record("세션 고정", "secure", False)
    assert board.all("VULNERABLE", True) and board.all("secure", False)
    assert "성공 (뚫림)" in board.table() and "차단" in board.table()
    board.record("CSRF", "secure", True)
    assert not board.all("secure", False)
    assert "미달" in guess_time_text(32, 1000, 1000) and "충족" in guess_time_text(128, 10**6, 10**9)


def test_samesite_site_sets_one_cookie_per_value_and_records_requests():
    site = create_samesite_site()
    c = site.test_client()
    lines = c.get("/set").headers.getlist("Set-Cookie")
    by_name = {line.split("=", 1)[0]: line for line in lines}
    assert set(by_name) == set(SAMESITE_COOKIES)
    assert "SameSite=Strict" in by_name["strict"] and "SameSite=Lax" in by_name["lax"]
    assert "SameSite=None" in by_name["none"] and "Secure" in by_name["none"]
    assert "SameSite" not in by_name["unspecified"] and "Max-Age=600" in by_name["unspecified"]
    c.post("/probe/x", headers={"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost:1"})
    assert site.seen == [
        {
            "label": "x",
            "method": "POST",
            "cookies": ["lax", "none", "strict", "unspecified"],
            "sec_fetch_site": "cross-site",
            "origin": "http://localhost:1",
        }
    ]
    other = create_samesite_attacker("http://127.0.0.1:9/").test_client()
    assert 'action="http://127.0.0.1:9/probe/cross-site-post"' in other.get("/post").get_data(as_text=True)
    assert "http://127.0.0.1:9/probe/cross-site-link" in other.get("/link").get_data(as_text=True)
    assert '<img src="http://127.0.0.1:9/probe/cross-site-img">' in other.get("/img").get_data(as_text=True)


def test_samesite_matrix_without_a_browser(monkeypatch):
    monkeypatch.setenv("SESSIONLAB_NO_BROWSER", "1")
    assert browser_samesite_matrix(create_samesite_site(), "http://127.0.0.1:9", "http://localhost:9") is None


@pytest.mark.skipif(not browser.available(), reason="no Chromium")
def test_samesite_matrix_in_a_real_browser():
    site_app = create_samesite_site()
    with serve(site_app, name=None) as site, serve(create_samesite_attacker(site.url), name=None) as other:
        seen = browser_samesite_matrix(site_app, site.url, other.url.replace("127.0.0.1", "localhost"))
    assert seen["same-site"]["cookies"] == ["lax", "none", "strict", "unspecified"]
    assert seen["cross-site-post"]["cookies"] == ["none", "unspecified"]
    assert seen["cross-site-post"]["sec_fetch_site"] == "cross-site"
    assert seen["cross-site-post"]["origin"].startswith("http://localhost:")
    assert seen["cross-site-link"]["cookies"] == ["lax", "none", "unspecified"]
    assert not {"strict", "lax"} & set(seen["cross-site-img"]["cookies"])


def test_readable_outputs():
    from sessionlab.labs.lab02 import cookie_line, mib, text_table, yes_no

    table = text_table(
        [{"경과": "55초", "상태 코드": 200}, {"경과": "330초", "상태 코드": 401}], right=("상태 코드",)
    )
    lines = table.splitlines()
    assert lines[0].split() == ["경과", "상태", "코드"] and set(lines[1]) <= {"-", " "}
    assert lines[2].endswith("200") and lines[3].startswith("330초")
    assert len({len(line.rstrip()) for line in lines[2:]}) == 1  # aligned by display width
    assert text_table([]) == "(없음)"
    assert (yes_no(True), yes_no(0)) == ("예", "아니요")
    assert cookie_line({"httponly": True, "path": "/", "samesite": "Lax"}) == "HttpOnly; Path=/; SameSite=Lax"
    assert cookie_line({}) == "(속성 없음)"
    assert mib(2**20 * 3) == 3
