"""The token login app over real HTTP: every bad token is a 401 with a Korean reason, never a 500."""

import random
import time

import pytest
import requests

from sessionlab import serve
from sessionlab.apps.token import create_token_app
from sessionlab.labs.lab04a_attacks import ATTACKS, AttackLab, forge_alg_none, tamper
from sessionlab.labs.lab04a_crack import crack_hs256, load_wordlist, weak_secret
from sessionlab.web import passwords
from sessionlab.web.tokens import (
    TokenService,
    VulnerableVerifier,
    b64url_encode,
    encode_unsigned,
    generate_keys,
    hmac_key,
    split_token,
)


@pytest.fixture(scope="module")
def service(redis_server):
    return TokenService(generate_keys(), redis=redis_server.client())


@pytest.fixture(scope="module")
def app_url(service):
    with serve(create_token_app(service), name="test-tokenapp") as srv:
        yield srv.url


def login(url, user="alice", password="alice-pw") -> requests.Session:
    """A browser-like session (tokens in cookies); ``s.tokens``: the same tokens, as a thief's copy."""
    s = requests.Session()
    r = s.post(f"{url}/login", json={"username": user, "password": password}, timeout=5)
    assert r.status_code == 200, r.text
    assert "access_token" not in r.json()  # a cookie client never gets a token in the body
    s.tokens = {"access_token": s.cookies.get("access_token")}
    if "refresh_token" in {c.name for c in s.cookies}:
        s.tokens["refresh_token"] = s.cookies.get("refresh_token", path="/refresh")
    return s


def assert_refused(r, code):
    assert r.status_code == 401, (r.status_code, r.text)
    body = r.json()
    assert body["code"] == code and body["error"] == "invalid_token"
    assert any("\uac00" <= ch <= "\ud7a3" for ch in body["reason"])
    www = r.headers["WWW-Authenticate"]
    assert www.startswith('Bearer realm="sessionlab"') and 'error="invalid_token"' in www
    assert "error_description=" in www


def bearer(url, token, path="/me"):
    return requests.get(f"{url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=5)


def test_login_sets_httponly_cookies_and_returns_tokens(app_url):
    r = requests.post(f"{app_url}/login", json={"username": "alice", "password": "alice-pw"}, timeout=5)
    assert r.status_code == 200 and r.json()["token_type"] == "Bearer"
    cookies = r.raw.headers.getlist("Set-Cookie")
    assert any(c.startswith("access_token=") and "HttpOnly" in c and "SameSite=Lax" in c for c in cookies)
    assert any(
        c.startswith("refresh_token=") and "Path=/refresh" in c and "SameSite=Strict" in c for c in cookies
    )
    bad = requests.post(f"{app_url}/login", json={"username": "alice", "password": "nope"}, timeout=5)
    assert bad.status_code == 401


def test_cookie_and_bearer_both_work(app_url):
    s = login(app_url)
    assert s.get(f"{app_url}/me", timeout=5).json()["via"] == "cookie"
    r = bearer(app_url, s.tokens["access_token"])
    assert r.json() == {"sub": "alice", "role": "user", "via": "bearer"}


def test_accounts_hold_salted_hashes_and_every_login_pays_one_verification(service, monkeypatch):
    calls = []
    real = passwords._scrypt
    monkeypatch.setattr(passwords, "_scrypt", lambda *a: calls.append(a[0]) or real(*a))
    lab = create_token_app(service).token_lab
    assert all(
        stored.startswith("scrypt$") and "alice-pw" not in stored for stored, _ in lab.accounts.values()
    )
    calls.clear()
    got = [lab.role_of("alice", "alice-pw"), lab.role_of("alice", "wrong"), lab.role_of("nobody", "alice-pw")]
    assert got == ["user", None, None]
    assert calls == ["alice-pw", "wrong", "alice-pw"]  # an unknown user costs the same scrypt


def test_missing_token_gets_bare_challenge(app_url):
    r = requests.get(f"{app_url}/me", timeout=5)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == 'Bearer realm="sessionlab"'
    r = requests.get(f"{app_url}/me", headers={"Authorization": "Basic YTpi"}, timeout=5)
    assert r.status_code == 401 and r.json()["code"] == "missing"


def test_every_bad_token_is_a_401_with_reason(app_url, service):
    good = service.issue("alice", role="user")
    h, p, s = good.split(".")
    header, payload, sig = split_token(good)
    now = time.time()
    cases = {
        "malformed": [f"{h}.{p}", f"{h}.{p}.{s}.x", "abc"],
        "bad_base64": [f"{h}.@@.{s}", f"{h}.{p}==.{s}"],
        "bad_header": [f"{b64url_encode(b'{nope')}.{p}.{s}"],
        "alg_not_allowed": [
            encode_unsigned({**header, "alg": "HS512"}, payload, sig),
            forge_alg_none(good, role="admin"),
        ],
        "unknown_kid": [encode_unsigned({**header, "kid": "k9"}, payload, sig)],
        "bad_signature": [tamper(good, role="admin")],
        "expired": [service.issue("alice", ttl=60, now=now - 3600)],
        "not_yet_valid": [service.issue("alice", now=now + 600)],
        "wrong_audience": [service.issue("alice", aud="billing-api")],
        "wrong_type": [service.issue("alice", typ="refresh")],
    }
    for code, tokens in cases.items():
        for token in tokens:
            assert_refused(bearer(app_url, token), code)


def test_revoked_token_is_a_401(app_url, service):
    s = login(app_url)
    token = s.tokens["access_token"]
    r = s.post(f"{app_url}/logout", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert r.status_code == 200 and r.json()["revoked"] == 2
    assert_refused(bearer(app_url, token), "revoked")


def test_garbage_never_gives_500(app_url):
    rng = random.Random(7)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.=+/ %{}\"'"
    for _ in range(150):
        token = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120)))
        r = bearer(app_url, token)
        assert r.status_code == 401, (token, r.status_code)
        r = requests.get(f"{app_url}/me", cookies={"access_token": token}, timeout=5)
        assert r.status_code == 401, (token, r.status_code)
        r = requests.post(f"{app_url}/refresh", json={"refresh_token": token}, timeout=5)
        assert r.status_code == 401, (token, r.status_code)
        r = requests.post(f"{app_url}/logout", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert r.status_code == 401, (token, r.status_code)
    for path in ("/login", "/refresh", "/transfer", "/logout"):
        for body in ("[1, 2]", "null", '"text"', "{bad json", '{"refresh_token": 5, "username": []}'):
            r = requests.post(
                f"{app_url}{path}", data=body, headers={"Content-Type": "application/json"}, timeout=5
            )
            assert r.status_code in (400, 401), (path, body, r.status_code)
    head = b64url_encode(b'{"alg":"HS256","kid":"hs256-1"}')
    for payload in (b'{"exp": "x"}', b'{"exp": 1e400}', b'{"aud": 5}', b'{"iat": []}', b"null"):
        token = f"{head}.{b64url_encode(payload)}.AAAA"
        assert bearer(app_url, token).status_code == 401


def test_refresh_rotation_and_reuse_over_http(app_url):
    s = login(app_url)
    old_refresh = s.tokens["refresh_token"]
    r = requests.post(f"{app_url}/refresh", json={"refresh_token": old_refresh}, timeout=5)
    assert r.status_code == 200
    new = r.json()
    again = requests.post(f"{app_url}/refresh", json={"refresh_token": old_refresh}, timeout=5)
    assert_refused(again, "refresh_reused")
    assert_refused(bearer(app_url, new["access_token"]), "revoked")
    assert requests.post(f"{app_url}/refresh", timeout=5).status_code == 401


def test_admin_needs_role_and_csrf_guard(app_url):
    s = login(app_url)
    r = s.get(f"{app_url}/admin", timeout=5)
    assert r.status_code == 403 and 'error="insufficient_scope"' in r.headers["WWW-Authenticate"]
    assert login(app_url, "admin", "admin-pw").get(f"{app_url}/admin", timeout=5).status_code == 200
    assert s.post(f"{app_url}/transfer", data={"to": "mallory"}, timeout=5).status_code == 403
    assert (
        s.post(
            f"{app_url}/transfer", data={"to": "mallory"}, headers={"X-Requested-With": "fetch"}, timeout=5
        ).status_code
        == 200
    )
    r = requests.post(
        f"{app_url}/transfer",
        json={"to": "bob"},
        timeout=5,
        headers={"Authorization": f"Bearer {s.tokens['access_token']}"},
    )
    assert r.status_code == 200 and r.json()["via"] == "bearer"


def test_without_redis_a_copied_token_survives_logout():
    svc = TokenService(generate_keys())
    with serve(create_token_app(svc), name="test-tokenapp-stateless") as srv:
        s = login(srv.url)
        token = s.tokens["access_token"]
        assert "refresh_token" not in s.tokens
        out = s.post(f"{srv.url}/logout", headers={"X-Requested-With": "fetch"}, timeout=5)
        assert out.status_code == 200 and out.json()["server_state"] is False
        assert s.get(f"{srv.url}/me", timeout=5).status_code == 401  # the cookie is gone
        assert bearer(srv.url, token).status_code == 200  # the copy still works


def test_vulnerable_app_is_labelled_and_accepts_alg_none(service):
    app = create_token_app(service, verifier=VulnerableVerifier(service.keys))
    with serve(app, name="test-tokenapp-vulnerable") as srv:
        forged = forge_alg_none(service.issue("alice", role="user"), role="admin")
        r = bearer(srv.url, forged, "/admin")
        assert r.status_code == 200 and r.headers["X-Lab-Variant"] == "VULNERABLE"


# --- attacks ------------------------------------------------------------------------------


def test_wordlist_is_small_and_clean():
    words = load_wordlist()
    assert 2000 <= len(words) <= 10000 and len(set(words)) == len(words)


def test_crack_finds_a_weak_secret_and_not_a_random_one():
    words = load_wordlist()[:300]
    secret = weak_secret(words, random.Random(1))
    weak = TokenService({"HS256": hmac_key(secret)})
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = crack_hs256(weak.issue("alice"), words, progress=False)
    assert found.secret == secret
    strong = crack_hs256(TokenService(generate_keys(("HS256",))).issue("alice"), words, progress=False)
    assert not strong.found and strong.tried == strong.total


def test_attack_scoreboard_every_attack_needs_its_flaw(service, app_url):
    from sessionlab.apps.token_attacker import create_token_attacker_app
    from sessionlab.labs.lab04a_injection import attacker_jwks

    thief = create_token_attacker_app()
    with serve(thief) as evil:
        lab = AttackLab(
            TokenService(service.keys), words=load_wordlist()[:400], app_url=app_url, attacker_url=evil.url
        )
        thief.jwks = attacker_jwks(lab.attacker_key)
        lab.crack(progress=False)
        outcomes = lab.run_all()
    assert thief.jwks_fetches == 1  # the ⚠️ jku verifier fetched the attacker's key set; the secure one never
    for o in outcomes:  # the subject is shown: the forged token's changes and the app's own answer
        assert o.http_answer["code"] == o.secure_code and "error=" in o.www_authenticate
        assert f"보안 앱의 대답: HTTP 401 {o.secure_code} — " in o.details()
    assert [o.attack for o in outcomes] == list(ATTACKS)
    for o in outcomes:
        assert o.vulnerable_accepted, o
        assert o.secure_blocked and o.http_status == 401, o
    assert lab.scoreboard().all_as_expected
    assert lab.pyjwt_warnings  # PyJWT itself warned about the short HMAC key


def test_image_request_is_recorded_with_the_credentials_that_arrived(service):
    app = create_token_app(service)
    client = app.test_client()
    client.post("/login", json={"username": "alice", "password": "alice-pw"})
    token = (
        app.test_client()
        .post("/login", json={"username": "alice", "password": "alice-pw", "mode": "bearer"})
        .json["access_token"]
    )
    assert client.get("/demo/pixel.gif").status_code == 200  # the cookie from /login rode along
    bare = app.test_client().get("/demo/pixel.gif")
    bearer = app.test_client().get("/demo/pixel.gif", headers={"Authorization": f"Bearer {token}"})
    assert bare.status_code == 401 and bearer.status_code == 200 and bearer.mimetype == "image/gif"
    seen = list(app.token_lab.seen)
    assert [(s["cookie"], s["authorization"], s["status"]) for s in seen] == [
        (True, False, 200),
        (False, False, 401),
        (False, True, 200),
    ]


def test_cors_is_off_by_default_and_reflect_is_labelled_vulnerable(service):
    preflight = {
        "Origin": "http://evil.test:1",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-requested-with",
    }
    secure = create_token_app(service).test_client().options("/transfer", headers=preflight)
    assert "Access-Control-Allow-Origin" not in secure.headers and secure.headers["X-Lab-Variant"] == "secure"
    loose = create_token_app(service, cors="reflect").test_client().options("/transfer", headers=preflight)
    assert loose.headers["Access-Control-Allow-Origin"] == "http://evil.test:1"
    assert loose.headers["Access-Control-Allow-Credentials"] == "true"
    assert loose.headers["Access-Control-Allow-Headers"] == "x-requested-with"
    assert loose.headers["X-Lab-Variant"] == "VULNERABLE"


def test_samesite_option(service):
    client = create_token_app(service, cookie_samesite="None", cookie_secure=True).test_client()
    cookie = client.post("/login", json={"username": "alice", "password": "alice-pw"}).headers["Set-Cookie"]
    assert "SameSite=None" in cookie and "Secure" in cookie
    bare = create_token_app(service, cookie_samesite="").test_client()
    cookie = bare.post("/login", json={"username": "alice", "password": "alice-pw"}).headers["Set-Cookie"]
    assert "SameSite" not in cookie and "HttpOnly" in cookie  # the browser's default decides
    with pytest.raises(ValueError):
        create_token_app(service, cookie_samesite="None")  # browsers drop SameSite=None without Secure
    with pytest.raises(ValueError):
        create_token_app(service, cors="*")


def test_xss_page_only_takes_a_plain_http_collector(service):
    client = create_token_app(service).test_client()
    page = client.get("/demo/xss?store=localStorage&attacker=http://127.0.0.1:9/").get_data(as_text=True)
    assert 'ATTACKER = "http://127.0.0.1:9"' in page
    hostile = client.get('/demo/xss?attacker=http://x"</script>').get_data(as_text=True)
    assert "ATTACKER = null" in hostile
