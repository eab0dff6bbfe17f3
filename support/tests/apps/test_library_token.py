"""The Flask-JWT-Extended app: the library's defaults (⚠️) and the hardened variant.

Each test pins one measured fact that notebook 04a's library section states: lifetimes read
from the tokens, refresh without rotation, logout that revokes nothing, and, hardened, the CSRF
double-submit, rotation and the Redis denylist.
"""

import jwt
import pytest

from sessionlab.apps.library_token import (
    AUDIENCE,
    CSRF_COOKIE,
    DENY_PREFIX,
    ISSUER,
    REFRESH_COOKIE,
    create_library_token_app,
)

ALICE = {"username": "alice", "password": "alice-pw"}
FAST = 2**4


def claims(token):
    return jwt.decode(token, options={"verify_signature": False})


@pytest.fixture
def redis_client(redis_server):
    client = redis_server.client()
    client.flushall()
    return client


@pytest.fixture
def default_client():
    return create_library_token_app(kdf_n=FAST).test_client()


@pytest.fixture
def hard_app(redis_server, redis_client):
    return create_library_token_app(redis_server, harden=True, kdf_n=FAST)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_defaults_hs256_15_minutes_30_days_both_tokens_in_the_body(default_client):
    resp = default_client.post("/login", json=ALICE)
    assert resp.headers["X-Lab-Variant"] == "VULNERABLE" and not resp.headers.getlist("Set-Cookie")
    body = resp.json
    assert set(body) == {"access_token", "refresh_token"}
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "HS256"
    access, refresh = claims(body["access_token"]), claims(body["refresh_token"])
    assert access["exp"] - access["iat"] == 15 * 60
    assert refresh["exp"] - refresh["iat"] == 30 * 24 * 3600
    assert "aud" not in access and "iss" not in access


def test_defaults_refresh_does_not_rotate(default_client):
    refresh = default_client.post("/login", json=ALICE).json["refresh_token"]
    first = default_client.post("/refresh", headers=bearer(refresh))
    second = default_client.post("/refresh", headers=bearer(refresh))
    assert (first.status_code, second.status_code) == (200, 200)
    assert set(first.json) == {"access_token"}


def test_defaults_logout_revokes_nothing(default_client):
    access = default_client.post("/login", json=ALICE).json["access_token"]
    assert default_client.post("/logout", headers=bearer(access)).json == {"ok": True, "revoked": 0}
    assert default_client.get("/me", headers=bearer(access)).status_code == 200  # ⚠️ still valid


def test_hardened_needs_redis():
    with pytest.raises(ValueError):
        create_library_token_app(harden=True)


def test_hardened_lifetimes_audience_and_refresh_only_in_an_httponly_cookie(hard_app):
    client = hard_app.test_client()
    resp = client.post("/login", json=ALICE)
    assert resp.headers["X-Lab-Variant"] == "secure" and set(resp.json) == {"access_token"}
    access = claims(resp.json["access_token"])
    assert access["exp"] - access["iat"] == 300 and (access["iss"], access["aud"]) == (ISSUER, AUDIENCE)
    lines = resp.headers.getlist("Set-Cookie")
    refresh_lines = [v for v in lines if v.startswith(REFRESH_COOKIE + "=")]
    assert len(refresh_lines) == 2 and all("HttpOnly" in v and "SameSite=Lax" in v for v in refresh_lines)
    assert {v.split("Path=")[1].split(";")[0] for v in refresh_lines} == {"/refresh", "/logout"}
    csrf = next(v for v in lines if v.startswith(CSRF_COOKIE + "="))
    assert "HttpOnly" not in csrf  # the page's script must read it to send it back
    refresh = claims(client.get_cookie(REFRESH_COOKIE, path="/refresh").value)
    assert refresh["exp"] - refresh["iat"] == 3600


def test_hardened_refresh_needs_the_csrf_header_and_rotates(hard_app, redis_client):
    client = hard_app.test_client()
    client.post("/login", json=ALICE)
    old = client.get_cookie(REFRESH_COOKIE, path="/refresh").value
    bare = client.post("/refresh")
    assert bare.status_code == 401 and bare.json["msg"] == "Missing CSRF token"
    wrong = client.post("/refresh", headers={"X-CSRF-TOKEN": "guess"})
    assert wrong.status_code == 401
    csrf = client.get_cookie(CSRF_COOKIE).value
    good = client.post("/refresh", headers={"X-CSRF-TOKEN": csrf})
    assert good.status_code == 200
    assert client.get_cookie(REFRESH_COOKIE, path="/refresh").value != old
    thief = hard_app.test_client()
    thief.set_cookie(REFRESH_COOKIE, old, path="/refresh")
    thief.set_cookie(CSRF_COOKIE, csrf)
    replay = thief.post("/refresh", headers={"X-CSRF-TOKEN": csrf})
    assert replay.status_code == 401 and replay.json["msg"] == "Token has been revoked"
    assert redis_client.exists(DENY_PREFIX + claims(old)["jti"])


def test_hardened_logout_denies_both_tokens_with_ttl_of_their_time_left(hard_app, redis_client):
    client = hard_app.test_client()
    access = client.post("/login", json=ALICE).json["access_token"]
    refresh = client.get_cookie(REFRESH_COOKIE, path="/logout").value
    csrf = client.get_cookie(CSRF_COOKIE).value
    out = client.post("/logout", headers={**bearer(access), "X-CSRF-TOKEN": csrf})
    assert out.status_code == 200 and out.json["revoked"] == 2
    assert client.get_cookie(REFRESH_COOKIE, path="/refresh") is None
    assert hard_app.test_client().get("/me", headers=bearer(access)).status_code == 401
    assert 295 <= redis_client.ttl(DENY_PREFIX + claims(access)["jti"]) <= 300
    assert 3595 <= redis_client.ttl(DENY_PREFIX + claims(refresh)["jti"]) <= 3600


def test_hardened_me_takes_the_access_token_from_the_header_only(hard_app):
    client = hard_app.test_client()
    access = client.post("/login", json=ALICE).json["access_token"]
    assert client.get("/me", headers=bearer(access)).json == {"user": "alice", "type": "access"}
    assert client.get("/me").status_code == 401  # the refresh cookie is not an access token


@pytest.mark.parametrize("body", [None, {"username": "alice"}, {"username": "alice", "password": 5}, []])
def test_bad_login_input_is_400(default_client, body):
    resp = (
        default_client.post("/login", json=body)
        if body is not None
        else default_client.post("/login", data="x")
    )
    assert resp.status_code == 400


@pytest.mark.parametrize(
    "body", [{"username": "alice", "password": "nope"}, {"username": "ghost", "password": "alice-pw"}]
)
def test_wrong_credentials_are_401(default_client, body):
    assert default_client.post("/login", json=body).status_code == 401


@pytest.mark.parametrize("token", ["x", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "é"])
def test_junk_tokens_never_reach_500(default_client, token):
    assert default_client.get("/me", headers=bearer(token)).status_code in (401, 422)
