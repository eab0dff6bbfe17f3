"""The secure login app under concurrency, outages and hostile input (the HARDENING issue).

Each test failed on the code before its fix: parallel wrong logins got more password checks
than ``max_failures`` (12 of 24; 10 over two servers sharing Redis), ``/reauth`` kept the session
id and CSRF token, the script-probe page (open redirect, login from URL parameters) lived in the
secure app, a cross-site JSON login was accepted, a Redis outage was a 500 after ~5 s, cookie-less
``GET /login`` filled the store without bound, the secure app sent no CSP / X-Frame-Options /
nosniff and 405s had no ``Allow``, and a hard per-account lock let anyone lock out any user while
a password spray from one address went through.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from sessionlab import serve
from sessionlab.apps.login import create_login_app
from sessionlab.web.passwords import LAB_N
from sessionlab.web.stores import FakeClock, MemoryStore, RedisStore, SQLiteStore

FAST = 2**8
ALICE = {"username": "alice", "password": "wonderland-2026"}


def sid_of(resp, name="login_sid"):
    header = next((v for v in resp.headers.getlist("Set-Cookie") if v.startswith(name + "=")), None)
    return header.split(";")[0].split("=", 1)[1] if header else None


# --- 1. lockout under parallel requests -------------------------------------------------


def _count_password_checks(app) -> list[int]:
    """Wraps ``app.lab.check_password`` so the test sees how many password checks ran."""
    ran, lock, original = [0], threading.Lock(), app.lab.check_password

    def counted(username, password):
        with lock:
            ran[0] += 1
        return original(username, password)

    app.lab.check_password = counted
    return ran


def _parallel_wrong_logins(url: str, n: int) -> list[int]:
    start = threading.Barrier(n, timeout=10)

    def one(i: int) -> int:
        start.wait()
        return requests.post(
            url + "/login", json={"username": "alice", "password": f"g{i}"}, timeout=20
        ).status_code

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


@pytest.mark.parametrize("kind", ["memory", "sqlite", "redis"])
def test_parallel_wrong_logins_get_at_most_max_failures_password_checks(kind, tmp_path, redis_server):
    store = {
        "memory": lambda: MemoryStore(),
        "sqlite": lambda: SQLiteStore(str(tmp_path / "s.db")),
        "redis": lambda: RedisStore(redis_server, prefix=f"hard1:{kind}:"),
    }[kind]()
    app = create_login_app(store, kdf_n=LAB_N, max_failures=5, lockout_seconds=60)
    checks = _count_password_checks(app)
    try:
        with serve(app, name=None, threads=8) as srv:
            codes = _parallel_wrong_logins(srv.url, 24)
    finally:
        store.close()
    assert checks[0] <= 5, f"{checks[0]} password checks ran inside one lockout window"
    assert codes.count(401) == checks[0] and codes.count(429) == 24 - checks[0]


def test_two_app_servers_sharing_one_redis_share_the_limit(redis_server):
    """Behind a load balancer every server must count into the same place: the throttle lives in Redis."""
    stores = [RedisStore(redis_server, prefix="hard1:shared:") for _ in range(2)]
    apps = [create_login_app(store, kdf_n=LAB_N, max_failures=5) for store in stores]
    counters = [_count_password_checks(app) for app in apps]
    n = 24
    start = threading.Barrier(n, timeout=10)
    try:
        with serve(apps[0], name=None) as one, serve(apps[1], name=None) as two:
            urls = [one.url, two.url]

            def attempt(i: int) -> int:
                start.wait()
                body = {"username": "alice", "password": f"g{i}"}
                return requests.post(urls[i % 2] + "/login", json=body, timeout=20).status_code

            with ThreadPoolExecutor(max_workers=n) as pool:
                codes = list(pool.map(attempt, range(n)))
    finally:
        for store in stores:
            store.close()
    checks = counters[0][0] + counters[1][0]
    assert checks <= 5, f"{checks} password checks over two servers"
    assert codes.count(401) == checks and codes.count(429) == n - checks
    keys = redis_server.client().keys("sessionlab:throttle:hard1:shared:*")
    assert len(keys) == 3  # account+address, address, account


def _post_from(app, address: str, username: str, password: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client.post("/login", json={"username": username, "password": password})


def _store(kind: str, clock, redis_server, tag: str):
    if kind == "memory":
        return MemoryStore(clock=clock)
    server_store = RedisStore(redis_server, prefix=f"hard8:{tag}:", clock=clock)
    for key in redis_server.client().keys(f"sessionlab:throttle:hard8:{tag}:*"):
        redis_server.client().delete(key)
    return server_store


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_throttle_delays_grow_and_a_success_resets(kind, redis_server):
    clock = FakeClock()
    app = create_login_app(
        _store(kind, clock, redis_server, "grow"), kdf_n=FAST, max_failures=3, lockout_seconds=60
    )
    codes = [_post_from(app, "10.0.0.9", "alice", "x").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    waits = []
    for _ in range(6):  # wait out each delay, fail once more: 2, 4, 8, 16, 32, then capped at 60
        r = _post_from(app, "10.0.0.9", "alice", "x")
        waits.append(int(r.headers["Retry-After"]))
        clock.advance(waits[-1] + 0.1)
        assert _post_from(app, "10.0.0.9", "alice", "x").status_code == 401
    assert waits == [2, 4, 8, 16, 32, 60]
    clock.advance(61)
    assert _post_from(app, "10.0.0.9", "alice", ALICE["password"]).status_code == 200
    codes = [_post_from(app, "10.0.0.9", "alice", "x").status_code for _ in range(2)]
    assert codes == [401, 401]  # a success starts this account+address again


# --- 8. throttling instead of a hard lock: no lockout DoS, spraying slowed --------------------------


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_attacker_elsewhere_cannot_lock_out_the_real_user(kind, redis_server):
    clock = FakeClock()
    app = create_login_app(_store(kind, clock, redis_server, "dos"), kdf_n=FAST)
    attacker = [_post_from(app, "10.6.6.6", "alice", f"attacker-{i}").status_code for i in range(8)]
    assert attacker == [401] * 5 + [429] * 3  # the attacker's own address is slowed
    assert _post_from(app, "10.1.1.1", "alice", ALICE["password"]).status_code == 200  # the real alice is not


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_password_spraying_from_one_address_is_slowed(kind, redis_server):
    clock = FakeClock()
    users = {f"user{i:02d}": f"long-unique-passphrase-{i}" for i in range(20)} | {"carol": "Summer2026!"}
    app = create_login_app(_store(kind, clock, redis_server, "spray"), kdf_n=FAST, users=users)
    codes = {u: _post_from(app, "10.6.6.6", u, "Summer2026!").status_code for u in users}
    assert codes["carol"] == 429 and 200 not in codes.values()  # 20 failures from one address: wait
    assert (
        _post_from(app, "10.1.1.1", "carol", "Summer2026!").status_code == 200
    )  # another address is not slowed


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_guessing_one_account_from_many_addresses_is_slowed(kind, redis_server):
    clock = FakeClock()
    app = create_login_app(_store(kind, clock, redis_server, "many"), kdf_n=FAST, max_failures=5)
    codes = [_post_from(app, f"10.9.{i // 200}.{i % 200}", "alice", f"g{i}").status_code for i in range(60)]
    assert codes.count(401) == 50 and codes[50:] == [429] * 10  # account-wide limit: 10 × max_failures


def test_vulnerable_twin_is_never_throttled():
    app = create_login_app(MemoryStore(), secure=False, kdf_n=FAST)
    assert {_post_from(app, "10.6.6.6", "alice", f"g{i}").status_code for i in range(30)} == {401}


# --- 2. re-authentication rotates the session id and the CSRF token --------------------------


@pytest.mark.parametrize("route", ["/reauth"])
def test_reauth_rotates_session_id_and_csrf_token(route):
    app = create_login_app(MemoryStore(), kdf_n=FAST)
    c = app.test_client()
    old_sid = sid_of(c.post("/login", json=ALICE))
    old_csrf = c.get("/csrf").json["csrf_token"]
    r = c.post(route, json={"password": ALICE["password"]}, headers={"X-CSRF-Token": old_csrf})
    new_sid = sid_of(r)
    assert r.status_code == 200 and new_sid and new_sid != old_sid
    new_csrf = c.get("/csrf").json["csrf_token"]
    assert new_csrf != old_csrf and r.json["csrf_token"] == new_csrf
    assert app.lab.store.get(old_sid) is None  # the old id stops working
    thief = app.test_client()
    thief.set_cookie("login_sid", old_sid)
    assert thief.get("/me").status_code == 401
    email = {"email": "me@new.example"}
    assert c.post("/account/email", json=email, headers={"X-CSRF-Token": old_csrf}).status_code == 403
    assert c.post("/account/email", json=email, headers={"X-CSRF-Token": new_csrf}).status_code == 200


def test_failed_reauth_keeps_the_session():
    app = create_login_app(MemoryStore(), kdf_n=FAST)
    c = app.test_client()
    sid = sid_of(c.post("/login", json=ALICE))
    token = c.get("/csrf").json["csrf_token"]
    r = c.post("/reauth", json={"password": "nope"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 401 and sid_of(r) is None and app.lab.store.get(sid) is not None


# --- 10. no lab routes in the secure app; cross-site JSON login refused -------------------------


def test_secure_app_has_no_lab_routes():
    secure = create_login_app(MemoryStore(), kdf_n=FAST).test_client()
    assert secure.get("/lab/script-probe?u=alice&p=x&next=https://evil.test/").status_code == 404
    assert not [
        r.rule for r in create_login_app(MemoryStore(), kdf_n=FAST).url_map.iter_rules() if "/lab/" in r.rule
    ]
    vuln = create_login_app(MemoryStore(), secure=False, kdf_n=FAST).test_client()
    assert vuln.get("/lab/script-probe").status_code == 200  # ⚠️ the VULNERABLE twin keeps it


def test_script_probe_wrapper_serves_the_page_beside_any_app():
    from sessionlab.apps.attacker import with_script_probe

    app = create_login_app(MemoryStore(), kdf_n=FAST)
    wrapped = with_script_probe(app)
    assert wrapped.lab is app.lab
    with serve(wrapped, name=None) as srv:
        page = requests.get(srv.url + "/lab/script-probe", timeout=5)
        me = requests.get(srv.url + "/me", timeout=5)
    assert page.status_code == 200 and "document.cookie" in page.text
    assert me.status_code == 401 and me.headers["X-Lab-Variant"] == "secure"


def test_script_probe_follows_only_same_origin_relative_paths():
    from sessionlab.apps.attacker import SCRIPT_PROBE_PAGE

    assert "location.href = q.get('next')" not in SCRIPT_PROBE_PAGE
    assert "safeNext" in SCRIPT_PROBE_PAGE


@pytest.mark.skipif(
    not __import__("sessionlab.infra.browser").infra.browser.available(), reason="no Chromium"
)
def test_script_probe_is_no_open_redirect_in_a_real_browser():
    from flask import Flask

    from sessionlab.apps.attacker import with_script_probe
    from sessionlab.infra import browser

    evil, hits = Flask("evil"), []

    @evil.get("/")
    def landing():
        hits.append(1)
        return "<pre>landed</pre>"

    app = create_login_app(MemoryStore(), secure=False, kdf_n=FAST)
    with serve(with_script_probe(app), name=None) as srv, serve(evil, name=None) as bad:
        target = bad.url.replace("127.0.0.1", "localhost") + "/"
        for url in (
            f"{srv.url}/lab/script-probe?next={target}",
            f"{srv.url}/lab/script-probe?next=//{target[7:]}",
        ):
            browser.dump_dom(url, budget_ms=1500)
        refused = len(hits)
        app.extensions["script_probe"].allowed_next.add(target)  # control: an allowed URL is followed
        browser.dump_dom(f"{srv.url}/lab/script-probe?next={target}", budget_ms=1500)
    assert refused == 0 and len(hits) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://evil.test"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://evil.shop.test"},
    ],
)
def test_cross_site_json_login_is_refused(headers):
    app = create_login_app(MemoryStore(), kdf_n=FAST)
    r = app.test_client().post("/login", json=ALICE, headers=headers)
    assert r.status_code == 403 and sid_of(r) is None


@pytest.mark.parametrize("headers", [{}, {"Sec-Fetch-Site": "same-origin"}, {"Origin": "http://localhost"}])
def test_same_origin_or_headerless_json_login_still_works(headers):
    app = create_login_app(MemoryStore(), kdf_n=FAST)
    r = app.test_client().post("/login", json=ALICE, headers=headers)
    assert r.status_code == 200 and sid_of(r)


def test_vulnerable_twin_accepts_cross_site_json_login():
    app = create_login_app(MemoryStore(), secure=False, kdf_n=FAST)
    r = app.test_client().post("/login", json=ALICE, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 200  # ⚠️ login CSRF possible


# --- 5. a store outage is a 503 with Retry-After, fast, and heals by itself --------------------------


def test_store_outage_is_a_fast_503_and_recovers():
    import time

    from sessionlab.infra.redis_servers import start_redis
    from sessionlab.web.outage import STORE_DOWN_MESSAGE

    server = start_redis(name=None)
    store = RedisStore(server)
    try:
        app = create_login_app(store, kdf_n=FAST)
        with serve(app, name=None) as srv:
            user = requests.Session()
            assert user.post(srv.url + "/login", json=ALICE, timeout=10).status_code == 200
            server.stop(keep_dir=True)
            for path in ("/me", "/login"):
                start = time.monotonic()
                r = user.get(srv.url + path, timeout=20)
                took = time.monotonic() - start
                assert r.status_code == 503 and took < 1.5, (path, r.status_code, round(took, 2))
                assert int(r.headers["Retry-After"]) >= 1 and r.json()["error"] == STORE_DOWN_MESSAGE
                assert r.headers["X-Lab-Variant"] == "secure"
                assert "login_sid=;" not in r.headers.get("Set-Cookie", "")  # the cookie is not cleared
            r = requests.post(srv.url + "/login", json=ALICE, timeout=20)
            assert r.status_code == 503  # never a login "success" without a stored session
            server.restart()
            assert user.get(srv.url + "/me", timeout=10).status_code in (200, 401)  # healed, no restart
            assert requests.post(srv.url + "/login", json=ALICE, timeout=10).status_code == 200
    finally:
        store.close()
        server.stop()


# --- 14. security headers, Allow on 405 ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/login", "/me", "/nope"])
def test_secure_app_sends_framing_sniffing_and_csp_headers(path):
    r = create_login_app(MemoryStore(), kdf_n=FAST).test_client().get(path)
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["X-Content-Type-Options"] == "nosniff"
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "unsafe-inline" not in csp


def test_vulnerable_twin_sends_no_security_headers():
    r = create_login_app(MemoryStore(), secure=False, kdf_n=FAST).test_client().get("/")
    assert "Content-Security-Policy" not in r.headers and "X-Frame-Options" not in r.headers  # ⚠️


@pytest.mark.parametrize("secure", [True, False])
def test_405_carries_allow(secure):
    c = create_login_app(MemoryStore(), secure=secure, kdf_n=FAST).test_client()
    r = c.delete("/login")
    assert r.status_code == 405 and set(r.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    r = c.get("/transfer")
    assert r.status_code == 405 and "POST" in r.headers["Allow"] and r.is_json


# --- 14. anonymous sessions are bounded ----------------------------------------------------------


def test_cookieless_login_pages_keep_a_bounded_number_of_server_sessions():
    store = MemoryStore()
    app = create_login_app(store, kdf_n=FAST, max_anonymous=3)
    visitors = [app.test_client() for _ in range(10)]
    sids = [sid_of(v.get("/login")) for v in visitors]
    assert len(set(sids)) == 10 and store.count() == 3  # only the newest three are kept
    assert store.get(sids[0]) is None and store.get(sids[-1]) is not None
    # the newest visitor's form still works; the oldest one is told to reload the page
    from sessionlab.apps.login_views import csrf_from_html

    newest, oldest = visitors[-1], visitors[0]
    token = csrf_from_html(newest.get("/login").get_data(as_text=True))
    assert newest.post("/login", data={**ALICE, "csrf_token": token}).status_code == 303
    assert oldest.post("/login", data={**ALICE, "csrf_token": "x" * 43}).status_code == 403
    # a logged-in session is no longer anonymous: more visitors never evict it
    for _ in range(5):
        app.test_client().get("/login")
    assert newest.get("/me").status_code == 200 and store.count() == 3 + 1
