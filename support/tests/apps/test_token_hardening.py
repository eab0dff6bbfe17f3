"""The secure token app under concurrency, outages and an idle user (the HARDENING issue).

Real parallel requests (threads) against a real server on 127.0.0.1 and a real Redis,
bounded in count and time.
"""

import threading
import time

import pytest
import requests

from sessionlab import serve
from sessionlab.apps.token import create_token_app
from sessionlab.web.tokens import TokenError, TokenService, generate_keys

BURST = 40  # parallel requests per burst: enough to interleave, few enough to stay quick


@pytest.fixture(scope="module")
def service(redis_server):
    return TokenService(generate_keys(), redis=redis_server.client())


@pytest.fixture(scope="module")
def app_url(service):
    with serve(create_token_app(service), name="test-token-hardening", threads=16) as srv:
        yield srv.url


def login(url, user="alice", password="alice-pw", **extra):
    r = requests.post(f"{url}/login", json={"username": user, "password": password, **extra}, timeout=5)
    assert r.status_code == 200, r.text
    return r


def burst(n, call):
    """``call()`` from ``n`` threads released together; the results in thread order."""
    gate = threading.Barrier(n, timeout=10)
    results: list = [None] * n

    def run(i):
        gate.wait()
        try:
            results[i] = call()
        except Exception as exc:  # recorded, so the test shows it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_parallel_reuse_of_one_refresh_token_lets_exactly_one_through_and_revokes_the_family(
    app_url, service
):
    for _round in range(3):  # a race shows up only sometimes: a few rounds, each bounded
        refresh = login(app_url, mode="bearer").json()["refresh_token"]
        results = burst(
            BURST,
            lambda token=refresh: requests.post(
                f"{app_url}/refresh", json={"refresh_token": token}, timeout=10
            ),
        )
        statuses = [getattr(r, "status_code", r) for r in results]
        winners = [r for r in results if getattr(r, "status_code", None) == 200]
        assert len(winners) == 1, statuses
        assert statuses.count(401) == BURST - 1, statuses
        new = winners[0].json()
        # The family is revoked: the winner's fresh pair is refused as well.
        me = requests.get(
            f"{app_url}/me", headers={"Authorization": f"Bearer {new['access_token']}"}, timeout=5
        )
        assert me.status_code == 401 and me.json()["code"] == "revoked", me.text
        again = requests.post(f"{app_url}/refresh", json={"refresh_token": new["refresh_token"]}, timeout=5)
        assert again.status_code == 401, again.text


def test_reuse_detection_is_atomic_with_the_rotation_it_races(service):
    """Service level, many rounds: a loser's revocation must also catch the winner's fresh tokens.

    On the old code the winner recorded its new jtis *after* the rotation script, so a
    loser revoking the family in between missed them and the winner's access token lived on.
    """
    from sessionlab.web.tokens import TokenError

    for _round in range(8):
        pair = service.login("alice")

        def call(token=pair.refresh):
            try:
                return service.refresh(token)
            except TokenError as exc:
                return exc.code

        results = burst(60, call)
        winners = [r for r in results if not isinstance(r, str)]
        assert len(winners) == 1, results
        assert sorted(set(r for r in results if isinstance(r, str))) <= ["refresh_reused", "revoked"]
        with pytest.raises(TokenError, match="revoked"):
            service.verify(winners[0].access)


def cookie_jar_headers(resp):
    return resp.raw.headers.getlist("Set-Cookie")


def cleared(resp, name):
    """Did the response tell the browser to drop cookie ``name`` (Max-Age=0 / an Expires in the past)?"""
    return [c for c in cookie_jar_headers(resp) if c.startswith(f"{name}=;") and "Max-Age=0" in c]


def test_logout_after_the_access_cookie_expired_uses_the_refresh_cookie(app_url, service):
    s = requests.Session()
    assert s.post(f"{app_url}/login", json={"username": "alice", "password": "alice-pw"}, timeout=5).ok
    refresh = next(c.value for c in s.cookies if c.name == "refresh_token")
    s.cookies.clear(
        domain="127.0.0.1", path="/", name="access_token"
    )  # Max-Age passed: the browser dropped it
    out = s.post(f"{app_url}/logout", headers={"X-Requested-With": "fetch"}, timeout=5)
    assert out.status_code == 200, out.text
    assert out.json()["revoked"] >= 1
    assert cleared(out, "access_token") and cleared(out, "refresh_token")
    again = requests.post(f"{app_url}/refresh", json={"refresh_token": refresh}, timeout=5)
    assert again.status_code == 401 and again.json()["code"] == "revoked", again.text


def test_logout_with_an_expired_access_token_revokes_the_family(app_url, service):
    pair = service.login("alice", "user", now=time.time() - 400)  # access exp = 300 s: expired
    out = requests.post(f"{app_url}/logout", headers={"Authorization": f"Bearer {pair.access}"}, timeout=5)
    assert out.status_code == 200, out.text
    assert cleared(out, "access_token") and cleared(out, "refresh_token")
    again = requests.post(f"{app_url}/refresh", json={"refresh_token": pair.refresh}, timeout=5)
    assert again.status_code == 401 and again.json()["code"] == "revoked", again.text


def test_logout_with_a_bad_token_is_refused_but_still_clears_both_cookies(app_url):
    out = requests.post(f"{app_url}/logout", headers={"Authorization": "Bearer x.y.z"}, timeout=5)
    assert out.status_code == 401
    assert cleared(out, "access_token") and cleared(out, "refresh_token")


def test_refresh_past_the_absolute_lifetime_is_refused(redis_server):
    svc = TokenService(generate_keys(), redis=redis_server.client(), max_age=60)
    fresh = svc.login("alice", "user")
    claims = svc.verify(fresh.refresh, expected_type="refresh")
    assert claims["exp"] - claims["iat"] == 60  # the refresh token never outlives the login
    old = svc.login("alice", "user", now=time.time() - 62)  # logged in 62 s ago; refresh exp within leeway
    with pytest.raises(TokenError) as info:
        svc.refresh(old.refresh)
    assert info.value.code == "login_expired"


def test_refresh_rereads_the_account_demoted_and_deleted(service):
    app = create_token_app(service)
    with serve(app, name="test-token-accounts") as srv:
        pair = login(srv.url, "admin", "admin-pw", mode="bearer").json()
        app.token_lab.set_role("admin", "user")  # demoted
        r = requests.post(f"{srv.url}/refresh", json={"refresh_token": pair["refresh_token"]}, timeout=5)
        assert r.status_code == 200, r.text
        new = r.json()
        assert service.verify(new["access_token"])["role"] == "user"
        admin = requests.get(
            f"{srv.url}/admin", headers={"Authorization": f"Bearer {new['access_token']}"}, timeout=5
        )
        assert admin.status_code == 403
        app.token_lab.set_role("admin", None)  # deleted
        r = requests.post(f"{srv.url}/refresh", json={"refresh_token": new["refresh_token"]}, timeout=5)
        assert r.status_code == 401 and r.json()["code"] == "account_gone", r.text
        me = requests.get(
            f"{srv.url}/me", headers={"Authorization": f"Bearer {new['access_token']}"}, timeout=5
        )
        assert me.status_code == 401 and me.json()["code"] == "revoked"
        assert login_status(srv.url, "admin", "admin-pw") == 401


def login_status(url, user, password):
    return requests.post(f"{url}/login", json={"username": user, "password": password}, timeout=5).status_code


def test_store_outage_is_a_503_with_retry_after_never_a_logout_and_recovers():
    from sessionlab.infra.redis_servers import start_redis

    store = start_redis(name=None, persistence=True)
    try:
        svc = TokenService(generate_keys(), redis=store)  # the server: the service's client fails fast
        with serve(create_token_app(svc), name="test-token-outage") as srv:
            tokens = login(srv.url, mode="bearer").json()
            access = tokens["access_token"]
            auth = {"Authorization": f"Bearer {access}"}
            store.kill()
            for method, path, kw in (
                ("post", "/login", {"json": {"username": "alice", "password": "alice-pw"}}),
                ("get", "/me", {"headers": auth}),
                ("post", "/refresh", {"json": {"refresh_token": tokens["refresh_token"]}}),
            ):
                start = time.monotonic()
                r = requests.request(method, f"{srv.url}{path}", timeout=10, **kw)
                took = time.monotonic() - start
                assert r.status_code == 503, (path, r.status_code, r.text)
                assert r.headers["Retry-After"].isdigit() and took < 1.5, (path, took)
                assert "저장소" in r.json()["error"]
            store.restart()
            assert requests.get(f"{srv.url}/me", headers=auth, timeout=5).status_code == 200
            assert login_status(srv.url, "alice", "alice-pw") == 200
    finally:
        store.stop()


def test_every_family_key_expires_even_after_revoking_a_family_that_is_gone(service):
    pair = service.login("alice", "user")
    service.refresh(pair.refresh)
    service.logout(pair.access)
    gone = service.login("alice", "user")
    fam = service.verify(gone.access)["fam"]
    service.redis.delete(f"sl:fam:{fam}", f"sl:fam:{fam}:jtis")  # as if its TTL had run out
    service.revoke_family(fam)  # a late logout/reuse of a family Redis already forgot
    keys = list(service.redis.scan_iter("sl:fam:*", count=1000))
    assert keys and all(0 < service.redis.ttl(k) <= service.refresh_ttl + service.leeway + 1 for k in keys)


def test_a_revoked_token_stays_revoked_across_a_redis_crash_and_restart():
    from sessionlab.infra.redis_servers import start_redis

    store = start_redis(name=None, persistence=True, args=("--appendfsync", "always"))
    try:
        svc = TokenService(generate_keys(), redis=store)
        pair = svc.login("alice", "user")
        assert svc.logout(pair.access) == 2
        store.kill()  # SIGKILL: a crash, nothing flushed at shutdown
        store.restart()
        with pytest.raises(TokenError, match="revoked"):
            svc.verify(pair.access)
        with pytest.raises(TokenError, match="revoked"):
            svc.refresh(pair.refresh)
    finally:
        store.stop()


CROSS_SITE = (
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.test"},
    {"Origin": "http://evil.test"},  # an older browser: no Fetch Metadata, the Origin decides
    {"Origin": "null"},  # a sandboxed iframe / data: page
)


def test_login_csrf_is_refused_by_the_secure_app_and_accepted_by_the_vulnerable_twin(service):
    from sessionlab.web.tokens import VulnerableVerifier

    creds = {"username": "alice", "password": "alice-pw"}
    with serve(create_token_app(service), name="test-token-logincsrf") as srv:
        for headers in CROSS_SITE:
            r = requests.post(f"{srv.url}/login", data=creds, headers=headers, timeout=5)
            assert r.status_code == 403 and r.json()["error"] == "cross_site", (headers, r.text)
            assert "Set-Cookie" not in r.headers and any(
                "\uac00" <= ch <= "\ud7a3" for ch in r.json()["reason"]
            )
        same = {"Sec-Fetch-Site": "same-origin", "Origin": srv.url}
        assert requests.post(f"{srv.url}/login", data=creds, headers=same, timeout=5).status_code == 200
        assert (
            requests.post(f"{srv.url}/login", json=creds, timeout=5).status_code == 200
        )  # no browser headers
    twin = create_token_app(service, verifier=VulnerableVerifier(service.keys))
    with serve(twin, name="test-token-logincsrf-vuln") as srv:
        r = requests.post(f"{srv.url}/login", data=creds, headers=CROSS_SITE[0], timeout=5)
        assert r.status_code == 200 and r.headers["X-Lab-Variant"] == "VULNERABLE"


def test_cookie_clients_never_get_tokens_in_a_body_page_scripts_can_read(service):
    from sessionlab.web.tokens import VulnerableVerifier

    creds = {"username": "alice", "password": "alice-pw"}
    with serve(create_token_app(service), name="test-token-bodies") as srv:
        browser_like = requests.Session()
        r = browser_like.post(f"{srv.url}/login", json=creds, timeout=5)
        assert r.status_code == 200 and not {"access_token", "refresh_token"} & set(r.json())
        assert {c.name for c in browser_like.cookies} == {"access_token", "refresh_token"}
        # what an injected script's fetch('/refresh', {method: 'POST'}) would read
        fresh = browser_like.post(f"{srv.url}/refresh", headers={"X-Requested-With": "xss"}, timeout=5)
        assert fresh.status_code == 200 and not {"access_token", "refresh_token"} & set(fresh.json())
        assert "access_token=" in fresh.headers["Set-Cookie"]  # the browser still gets its new pair
        bearer = requests.post(f"{srv.url}/login", json={**creds, "mode": "bearer"}, timeout=5)
        assert {"access_token", "refresh_token"} <= set(bearer.json()) and "Set-Cookie" not in bearer.headers
        again = requests.post(
            f"{srv.url}/refresh", json={"refresh_token": bearer.json()["refresh_token"]}, timeout=5
        )
        assert "access_token" in again.json() and "Set-Cookie" not in again.headers
    twin = create_token_app(service, verifier=VulnerableVerifier(service.keys))
    with serve(twin, name="test-token-bodies-vuln") as srv:
        victim = requests.Session()
        victim.post(f"{srv.url}/login", json=creds, timeout=5)
        leaked = victim.post(f"{srv.url}/refresh", headers={"X-Requested-With": "xss"}, timeout=5).json()
        assert leaked["access_token"].count(".") == 2  # ⚠️ a page script reads a fresh token
