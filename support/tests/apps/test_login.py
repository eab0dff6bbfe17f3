"""The login app (secure and ⚠️ VULNERABLE): the login flow, the defences, and every "bad input" case."""

from __future__ import annotations

import statistics
import time

import pytest
import requests

from sessionlab import serve
from sessionlab.apps.attacker import create_attacker_app, parse_result, with_script_probe
from sessionlab.apps.login import create_login_app
from sessionlab.apps.login_state import MESSAGES
from sessionlab.apps.login_views import csrf_from_html
from sessionlab.web.ids import SequentialIds
from sessionlab.web.passwords import LAB_N, dummy_hash, hash_password, verify_password
from sessionlab.web.stores import FakeClock, MemoryStore, RedisStore, SQLiteStore

FAST = 2**8  # tests of the flow need not pay for a slow KDF; the timing test uses the real one
ALICE = {"username": "alice", "password": "wonderland-2026"}


def cookie_header(resp, name="login_sid"):
    return next((v for v in resp.headers.getlist("Set-Cookie") if v.startswith(name + "=")), None)


def sid_of(resp, name="login_sid"):
    header = cookie_header(resp, name)
    return header.split(";")[0].split("=", 1)[1] if header else None


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def secure_app(clock):
    return create_login_app(MemoryStore(idle_timeout=60, absolute_timeout=600, clock=clock), kdf_n=FAST)


@pytest.fixture
def vuln_app(clock):
    return create_login_app(
        MemoryStore(idle_timeout=60, absolute_timeout=600, clock=clock), secure=False, kdf_n=FAST
    )


def login(client, creds=ALICE):
    return client.post("/login", json=creds)


# --- passwords ---------------------------------------------------------------------


def test_password_hash_roundtrip():
    h = hash_password("비밀번호-🍪", n=FAST)
    assert h.startswith(f"scrypt${FAST}$8$1$") and verify_password("비밀번호-🍪", h)
    assert not verify_password("비밀번호-🍪!", h)
    assert hash_password("same", n=FAST) != hash_password("same", n=FAST)  # salted
    for broken in ["", "nonsense", "bcrypt$1$2$3$4$5", "scrypt$x$8$1$AA==$AA==", None]:
        assert verify_password("pw", broken) is False
    assert verify_password(None, h) is False
    assert dummy_hash(n=FAST).startswith("scrypt$")


# --- the flow ------------------------------------------------------------------------


def test_login_sets_secure_cookie_and_me_works(secure_app):
    c = secure_app.test_client()
    r = login(c)
    assert r.status_code == 200 and r.json == {"ok": True, "user": "alice"}
    header = cookie_header(r)
    attrs = {a.strip().split("=")[0].lower() for a in header.split(";")[1:]}
    assert {"httponly", "path", "samesite"} <= attrs and "SameSite=Lax" in header
    assert "secure" not in attrs  # plain HTTP in the test: Secure only over HTTPS
    assert len(sid_of(r)) == 43
    me = c.get("/me")
    assert me.status_code == 200 and me.json["user"] == "alice"
    assert me.headers["Server-Timing"].startswith("store;dur=")
    assert r.headers["X-Lab-Variant"] == "secure"


def test_secure_flag_over_https_or_forced(clock):
    app = create_login_app(MemoryStore(clock=clock), kdf_n=FAST)
    r = app.test_client().post("/login", json=ALICE, base_url="https://localhost")
    assert "; Secure" in cookie_header(r)
    forced = create_login_app(MemoryStore(), kdf_n=FAST, cookie_secure=True)
    header = cookie_header(login(forced.test_client()), name="__Host-login_sid")  # Secure: __Host- prefix
    assert "; Secure" in header and "; Path=/" in header and "Domain=" not in header


def test_form_login_needs_form_token(secure_app):
    c = secure_app.test_client()
    page = c.get("/login")
    token = csrf_from_html(page.get_data(as_text=True))
    anon = sid_of(page)
    assert token and anon
    r = c.post("/login", data={**ALICE, "csrf_token": token})
    assert r.status_code == 303 and r.headers["Location"] == "/"
    assert sid_of(r) != anon  # renewed at login
    assert c.get("/me").json["user"] == "alice"
    other = secure_app.test_client()
    r = other.post("/login", data=ALICE)  # no token: login CSRF refused
    assert r.status_code == 403 and r.json["error"] == MESSAGES["login_form_expired"]


def test_id_renewed_at_login_defeats_fixation(secure_app, vuln_app):
    attacker = secure_app.test_client()
    planted = sid_of(attacker.get("/login"))
    victim = secure_app.test_client()
    victim.set_cookie("login_sid", planted)
    r = login(victim)
    assert sid_of(r) != planted
    assert attacker.get("/me").status_code == 401  # the planted id did not become alice's
    # ⚠️ VULNERABLE: an id the attacker simply made up becomes the victim's session
    victim = vuln_app.test_client()
    victim.set_cookie("login_sid", "attacker-chosen-id")
    assert login(victim).status_code == 200
    attacker = vuln_app.test_client()
    attacker.set_cookie("login_sid", "attacker-chosen-id")
    assert attacker.get("/me").json["user"] == "alice"


def test_vulnerable_cookie_has_no_flags(vuln_app):
    r = login(vuln_app.test_client())
    header = cookie_header(r).lower()
    assert "httponly" not in header and "samesite" not in header and "secure" not in header
    assert r.headers["X-Lab-Variant"] == "VULNERABLE"


def test_vulnerable_ids_predictable():
    app = create_login_app(secure=False, session_ids=SequentialIds(start=500), kdf_n=FAST)
    ids = [sid_of(app.test_client().get("/login")) for _ in range(3)]
    assert ids == ["500", "501", "502"]


def test_idle_and_absolute_timeouts(clock):
    app = create_login_app(MemoryStore(idle_timeout=60, absolute_timeout=150, clock=clock), kdf_n=FAST)
    c = app.test_client()
    login(c)
    clock.advance(59)
    assert c.get("/me").status_code == 200
    clock.advance(59)
    assert c.get("/me").status_code == 200  # activity restarted the idle timer
    clock.advance(60)
    r = c.get("/me")
    assert r.status_code == 401 and "login_sid=;" in cookie_header(r)  # expired: cookie cleared
    login(c)
    for _ in range(3):
        clock.advance(50)
        last = c.get("/me").status_code
    assert last == 401  # t=150: absolute timeout, however active


def test_logout_kills_copied_cookie(secure_app, vuln_app):
    for app, still_works in [(secure_app, False), (vuln_app, True)]:
        victim = app.test_client()
        sid = sid_of(login(victim))
        token = victim.get("/csrf").json.get("csrf_token") if app.lab.secure else None
        r = victim.post("/logout", headers={"X-CSRF-Token": token} if token else {})
        assert r.status_code == 200 and "login_sid=;" in cookie_header(r)
        thief = app.test_client()
        thief.set_cookie("login_sid", sid)
        assert (thief.get("/me").status_code == 200) is still_works


def test_csrf_token_required(secure_app, vuln_app):
    c = secure_app.test_client()
    login(c)
    assert c.post("/transfer", data={"to": "mallory", "amount": "5"}).status_code == 403
    assert (
        c.post("/transfer", data={"to": "mallory", "amount": "5", "csrf_token": "wrong"}).status_code == 403
    )
    token = c.get("/csrf").json["csrf_token"]
    ok = c.post("/transfer", data={"to": "bob", "amount": "5", "csrf_token": token})
    assert ok.status_code == 200 and secure_app.lab.transfers == [{"from": "alice", "to": "bob", "amount": 5}]
    assert c.post("/transfer", data={"to": "bob", "amount": "-1", "csrf_token": token}).status_code == 400
    v = vuln_app.test_client()
    login(v)
    assert v.post("/transfer", data={"to": "mallory", "amount": "5"}).status_code == 200  # ⚠️ no token


def test_reauth_for_sensitive_action(clock, secure_app, vuln_app):
    c = secure_app.test_client()
    login(c)
    h = {"X-CSRF-Token": c.get("/csrf").json["csrf_token"]}
    assert c.post("/account/email", json={"email": "a@new.example"}, headers=h).status_code == 200
    clock.advance(59)
    c.get("/me")
    clock.advance(59)
    c.get("/me")
    clock.advance(59)
    c.get("/me")
    clock.advance(59)
    c.get("/me")
    clock.advance(59)
    c.get("/me")
    clock.advance(59)  # 354 s after login: still logged in (touched) but the password is old
    r = c.post("/account/email", json={"email": "evil@example.com"}, headers=h)
    assert r.status_code == 403 and r.json["reauth_required"] is True
    assert c.post("/reauth", json={"password": "nope"}, headers=h).status_code == 401
    r = c.post("/reauth", json={"password": ALICE["password"]}, headers=h)
    assert r.status_code == 200
    h = {"X-CSRF-Token": r.json["csrf_token"]}  # re-authentication rotates the CSRF token
    assert c.post("/account/email", json={"email": "me@new.example"}, headers=h).status_code == 200
    assert secure_app.lab.emails["alice"] == "me@new.example"
    v = vuln_app.test_client()
    login(v)
    for _ in range(10):
        clock.advance(59)
        v.get("/me")
    assert v.post("/account/email", json={"email": "evil@example.com"}).status_code == 200  # ⚠️ no re-auth


def test_user_agent_binding(clock):
    app = create_login_app(MemoryStore(clock=clock), kdf_n=FAST, bind_user_agent=True)
    victim = app.test_client()
    sid = sid_of(victim.post("/login", json=ALICE, headers={"User-Agent": "Victim/1.0"}))
    thief = app.test_client()
    thief.set_cookie("login_sid", sid)
    assert thief.get("/me", headers={"User-Agent": "Thief/2.0"}).status_code == 401
    thief.set_cookie("login_sid", sid)  # the mismatch cleared the thief's copy; copy it again
    assert thief.get("/me", headers={"User-Agent": "Victim/1.0"}).status_code == 200  # copying the UA is easy
    assert victim.get("/me", headers={"User-Agent": "Victim/1.0"}).status_code == 200


@pytest.mark.parametrize("kind", ["memory", "sqlite", "redis"])
def test_flow_on_every_store(kind, tmp_path):
    clock = FakeClock()
    server = None
    if kind == "memory":
        store = MemoryStore(idle_timeout=60, clock=clock)
    elif kind == "sqlite":
        store = SQLiteStore(str(tmp_path / "s.db"), idle_timeout=60, clock=clock)
    else:
        from sessionlab.infra.redis_servers import start_redis

        server = start_redis(name=None)
        store = RedisStore(server, idle_timeout=60, clock=clock)
    try:
        app = create_login_app(store, kdf_n=FAST)
        c = app.test_client()
        assert login(c).status_code == 200 and store.count() == 1
        assert c.get("/me").json["user"] == "alice"
        clock.advance(61)
        assert c.get("/me").status_code == 401 and store.count() == 0
    finally:
        store.close()
        if server:
            server.stop()


# --- bad input ----------------------------------------------------------------------


def test_wrong_password_and_unknown_user_look_the_same(secure_app):
    c = secure_app.test_client()
    wrong = c.post("/login", json={"username": "alice", "password": "nope"})
    unknown = c.post("/login", json={"username": "nobody", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json == {"ok": False, "error": "아이디 또는 비밀번호가 올바르지 않습니다."}
    assert cookie_header(wrong) is None and cookie_header(unknown) is None


def test_wrong_password_and_unknown_user_take_the_same_time():
    """Interleaved runs with the real KDF, compared as a ratio with a wide margin (no absolute time)."""
    app = create_login_app(users={"alice": "pw-alice"}, kdf_n=LAB_N, max_failures=10_000)
    c = app.test_client()
    wrong, unknown = [], []
    for i in range(7):
        for creds, out in [
            ({"username": "alice", "password": f"bad{i}"}, wrong),
            ({"username": f"ghost{i}", "password": "bad"}, unknown),
        ]:
            t = time.perf_counter()
            assert c.post("/login", json=creds).status_code == 401
            out.append(time.perf_counter() - t)
    # Each round's two requests ran back to back, under the same load: compare within rounds.
    ratio = statistics.median(u / w for w, u in zip(wrong, unknown))
    assert 0.5 < ratio < 2.0, (ratio, min(unknown) / min(wrong))


@pytest.mark.parametrize("secure", [True, False])
@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "",
        "x" * 3000,
        "%00%ff",
        "\u00ff\u00fe",
        "a;b",
        '"quoted"',
        "../../etc/passwd",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  # well-formed but forged
    ],
)
def test_malformed_or_forged_cookie_is_anonymous(secure, value, clock):
    app = create_login_app(MemoryStore(clock=clock), secure=secure, kdf_n=FAST)
    c = app.test_client()
    for method, path in [
        ("get", "/"),
        ("get", "/me"),
        ("post", "/transfer"),
        ("post", "/logout"),
        ("get", "/csrf"),
        ("post", "/account/email"),
        ("post", "/reauth"),
    ]:
        c.set_cookie("login_sid", value)
        r = getattr(c, method)(path)
        assert r.status_code < 500, (path, r.status_code)
    c.set_cookie("login_sid", value)
    r = c.get("/me")
    assert r.status_code == 401 and r.json["error"] == MESSAGES["login_required"]
    if secure and value:
        assert "login_sid=;" in cookie_header(r)  # the bad cookie is cleared
        assert app.lab.store.count() == 0  # and nothing was written for it


def test_truncated_cookie_of_a_real_session(secure_app):
    c = secure_app.test_client()
    sid = sid_of(login(c))
    thief = secure_app.test_client()
    for cut in (sid[:-1], sid[:20], sid[:5], sid + "x"):
        thief.set_cookie("login_sid", cut)
        assert thief.get("/me").status_code == 401
    assert c.get("/me").status_code == 200


@pytest.mark.filterwarnings("ignore:The 'big' cookie is too large")
def test_oversized_cookie_is_431(secure_app):
    c = secure_app.test_client()
    c.set_cookie("big", "x" * 9000)
    r = c.get("/me")
    assert r.status_code == 431 and "쿠키가 너무 큽니다" in r.json["error"]


def test_oversized_header_over_the_wire():
    app = create_login_app(kdf_n=FAST)
    with serve(app, name=None) as srv:
        assert requests.get(srv.url + "/me", headers={"X-Big": "y" * 20_000}).status_code == 431
        assert requests.get(srv.url + "/me", cookies={"login_sid": "z" * 10_000}).status_code == 431
        r = requests.post(srv.url + "/login", data={"username": "a", "password": "b" * 100_000})
        assert r.status_code == 413


@pytest.mark.parametrize(
    "body",
    [
        {"data": {}},
        {"data": {"username": "alice"}},
        {"data": {"password": "x"}},
        {"data": {"username": "  ", "password": "x"}},
        {"json": {}},
        {"json": {"username": "alice"}},
        {"json": {"username": ["alice"], "password": 1}},
    ],
)
def test_missing_fields_400(secure_app, body):
    r = secure_app.test_client().post("/login", **body)
    assert r.status_code == 400 and r.json["error"] == MESSAGES["missing_fields"]


def test_malformed_json_and_long_fields_400(secure_app):
    c = secure_app.test_client()
    r = c.post("/login", data="{not json", content_type="application/json")
    assert r.status_code == 400 and r.json["error"] == MESSAGES["bad_json"]
    r = c.post("/login", json=["alice", "pw"])
    assert r.status_code == 400
    r = c.post("/login", json={"username": "alice", "password": "p" * 2000})
    assert r.status_code == 400 and r.json["error"] == MESSAGES["too_long"]


def test_repeated_wrong_passwords_are_throttled(clock):
    app = create_login_app(MemoryStore(clock=clock), kdf_n=FAST, max_failures=5, lockout_seconds=60)
    c = app.test_client()
    for _ in range(5):
        assert c.post("/login", json={"username": "alice", "password": "guess"}).status_code == 401
    r = login(c)  # from the same address, even the right password waits
    assert r.status_code == 429 and "초 뒤에 다시 시도하세요" in r.json["error"]
    assert int(r.headers["Retry-After"]) == 2  # a short, growing delay, not a 60 s lock
    unknown = [c.post("/login", json={"username": "ghost", "password": "g"}).status_code for _ in range(6)]
    assert unknown == [401] * 5 + [
        429
    ]  # unknown names are throttled the same way: no hint that they do not exist
    clock.advance(2.5)
    assert login(c).status_code == 200


def test_vulnerable_never_locks_out(vuln_app):
    c = vuln_app.test_client()
    codes = {c.post("/login", json={"username": "alice", "password": f"g{i}"}).status_code for i in range(12)}
    assert codes == {401} and login(c).status_code == 200


def test_unknown_routes_and_methods_are_json_4xx(secure_app):
    c = secure_app.test_client()
    assert c.get("/nope").status_code == 404 and c.get("/nope").json["error"] == MESSAGES[404]
    assert c.delete("/login").status_code == 405


# --- browser pages (only what does not need a browser) -------------------------------


def test_attacker_page_and_parse_result():
    page = create_attacker_app("http://127.0.0.1:1234").test_client().get("/").get_data(as_text=True)
    assert 'action="http://127.0.0.1:1234/transfer"' in page and "submit()" in page
    assert parse_result('<pre id="result">{"a": 1}</pre>') == {"a": 1}
    assert parse_result("<p>none</p>") is None


@pytest.mark.skipif(
    not __import__("sessionlab.infra.browser").infra.browser.available(), reason="no Chromium"
)
def test_real_browser_httponly_and_samesite():
    from sessionlab.labs.lab02a import browser_cross_site_post, browser_script_probe

    seen = {}
    for secure in (False, True):
        app = create_login_app(secure=secure, kdf_n=FAST)
        with (
            serve(with_script_probe(app), name=None) as srv,
            serve(create_attacker_app(srv.url), name=None) as evil,
        ):
            probe = browser_script_probe(srv.url, "alice", "wonderland-2026")
            cross = browser_cross_site_post(app, srv.url, evil.url, "alice", "wonderland-2026")
            seen[secure] = (probe, cross)
    (vuln_probe, vuln_cross), (safe_probe, safe_cross) = seen[False], seen[True]
    assert vuln_probe["me_status"] == safe_probe["me_status"] == 200
    assert vuln_probe["document_cookie"].startswith("login_sid=") and safe_probe["document_cookie"] == ""
    assert vuln_cross["transfer_happened"] and not safe_cross["transfer_happened"]
    assert vuln_cross["session_cookie_sent"] and not safe_cross["session_cookie_sent"]
    assert (
        safe_cross["status"] == 401
        and vuln_cross["sec_fetch_site"] == safe_cross["sec_fetch_site"] == "cross-site"
    )
    assert vuln_cross["origin"].startswith("http://localhost:") and safe_cross["origin"].startswith(
        "http://localhost:"
    )


def test_transfer_attempts_are_recorded(secure_app):
    c = secure_app.test_client()
    c.post("/transfer", data={"to": "x", "amount": "1"})
    login(c)
    c.post("/transfer", data={"to": "x", "amount": "1"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert secure_app.lab.transfer_attempts == [
        {"status": 401, "session_cookie_sent": False, "sec_fetch_site": None},
        {"status": 403, "session_cookie_sent": True, "sec_fetch_site": "cross-site"},
    ]


def test_secure_app_refuses_custom_ids():
    with pytest.raises(ValueError):
        create_login_app(session_ids=SequentialIds(), kdf_n=FAST)


def test_login_keeps_pre_login_data_under_a_new_id(secure_app):
    c = secure_app.test_client()
    anon = sid_of(c.get("/login"))
    store = secure_app.lab.store
    store.update(anon, {**store.get(anon).data, "cart": ["book"]})
    new = sid_of(login(c))
    assert new != anon and store.get(anon) is None
    assert store.get(new).data["cart"] == ["book"] and store.get(new).data["user"] == "alice"


@pytest.mark.parametrize("secure", [True, False])
def test_no_500_for_odd_requests(secure, clock):
    """A small fuzz: odd methods, bodies, content types and headers on every route, logged in or not."""
    app = create_login_app(MemoryStore(clock=clock), secure=secure, kdf_n=FAST)
    routes = [
        "/",
        "/login",
        "/me",
        "/csrf",
        "/transfer",
        "/reauth",
        "/account/email",
        "/logout",
        "/lab/script-probe",
        "/nope",
    ]
    bodies = [
        {},
        {"data": b"\xff\xfe\x00"},
        {"data": "a=%zz&b"},
        {"json": None},
        {"json": 12},
        {"json": {"username": {"$ne": 1}, "password": [1]}},
        {"json": {"amount": True, "to": 5}},
        {"json": {"amount": 10**30, "to": "x", "email": "a@b"}},
        {"data": "{", "content_type": "application/json"},
        {"data": "x", "content_type": "multipart/form-data; boundary=zz"},
        {"data": "x", "content_type": "text/plain"},
        {"headers": {"X-CSRF-Token": "\u00e9" * 50}},
        {"headers": {"Content-Type": "application/json; charset=latin1"}},
    ]
    for logged_in in (False, True):
        c = app.test_client()
        if logged_in:
            login(c)
        for route in routes:
            for method in ("get", "post", "put", "delete"):
                for body in bodies:
                    r = getattr(c, method)(route, **body)
                    assert r.status_code < 500, (route, method, body, r.status_code)


# --- Origin / Fetch Metadata, HSTS, the record of unsafe requests ---------------------------


def _logged_in_with_token(app):
    c = app.test_client()
    login(c)
    return c, c.get("/csrf").get_json().get("csrf_token")


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://evil.test"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},
    ],
)
def test_secure_app_refuses_cross_site_posts_even_with_the_token(secure_app, headers):
    c, token = _logged_in_with_token(secure_app)
    r = c.post("/transfer", data={"to": "x", "amount": "1", "csrf_token": token}, headers=headers)
    assert r.status_code == 403 and r.get_json()["error"] == MESSAGES["cross_site"]
    assert secure_app.lab.transfers == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
        {"Sec-Fetch-Site": "none"},
        {"Origin": "http://localhost"},
    ],
)
def test_secure_app_accepts_same_origin_posts_with_the_token(secure_app, headers):
    c, token = _logged_in_with_token(secure_app)
    r = c.post("/transfer", data={"to": "x", "amount": "1", "csrf_token": token}, headers=headers)
    assert r.status_code == 200, r.get_json()
    no_token = c.post("/transfer", data={"to": "x", "amount": "1"}, headers=headers)
    assert no_token.status_code == 403 and no_token.get_json()["error"] == MESSAGES["csrf"]


def test_vulnerable_app_checks_no_origin(vuln_app):
    c = vuln_app.test_client()
    login(c)
    r = c.post("/transfer", data={"to": "x", "amount": "1"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 200


def test_unsafe_requests_record_origin_and_fetch_metadata(secure_app):
    c, token = _logged_in_with_token(secure_app)
    c.post("/transfer", data={"to": "x", "amount": "1"}, headers={"Origin": "http://evil.test"})
    assert secure_app.lab.unsafe_requests[0]["path"] == "/login"
    assert secure_app.lab.unsafe_requests[-1] == {
        "path": "/transfer",
        "status": 403,
        "session_cookie_sent": True,
        "origin": "http://evil.test",
        "sec_fetch_site": None,
    }


def test_hsts_only_from_the_secure_app_over_https(clock):
    plain = create_login_app(MemoryStore(clock=clock), kdf_n=FAST)
    assert "Strict-Transport-Security" not in plain.test_client().get("/").headers  # RFC 6797 7.2
    over_https = plain.test_client().get("/", base_url="https://shop.test")
    assert over_https.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    behind_proxy = create_login_app(MemoryStore(clock=clock), kdf_n=FAST, cookie_secure=True)
    assert "max-age=31536000" in behind_proxy.test_client().get("/").headers["Strict-Transport-Security"]
    vuln = create_login_app(MemoryStore(clock=clock), secure=False, kdf_n=FAST)
    assert (
        "Strict-Transport-Security" not in vuln.test_client().get("/", base_url="https://shop.test").headers
    )
