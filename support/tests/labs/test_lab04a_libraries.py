"""Notebook 04a's library section: Flask-JWT-Extended's defaults measured beside the course's service."""

import pytest

from sessionlab import serve
from sessionlab.apps.library_token import create_library_token_app
from sessionlab.apps.token import create_token_app
from sessionlab.labs.lab04a_libraries import (
    body_tokens,
    cookie_refresh,
    refresh_twice,
    replay_after_logout,
    token_facts,
)
from sessionlab.web.tokens import TokenService, generate_keys


@pytest.fixture(scope="module")
def servers(redis_server):
    service = TokenService(generate_keys(["HS256"]), redis=redis_server.client())
    with (
        serve(create_token_app(service), name=None) as course,
        serve(create_library_token_app(kdf_n=2**4), name=None) as lib,
        serve(create_library_token_app(redis_server, harden=True, kdf_n=2**4), name=None) as hard,
    ):
        yield {"course": course.url, "lib": lib.url, "hard": hard.url}


def test_token_facts_read_lifetimes_and_headers(servers):
    lib = body_tokens(servers["lib"])
    access, refresh = token_facts(lib["access_token"]), token_facts(lib["refresh_token"])
    assert access["header"] == {"alg": "HS256", "typ": "JWT"} and access["type"] == "access"
    assert (access["lifetime"], refresh["lifetime"]) == (900, 30 * 86400)
    assert "aud" not in access["claims"] and access["sub"] == "alice"
    course = body_tokens(servers["course"])
    assert token_facts(course["access_token"])["lifetime"] == 300
    assert token_facts(course["refresh_token"])["type"] == "rt+jwt"
    assert token_facts(course["refresh_token"])["lifetime"] == 3600


def test_refresh_twice_shows_no_rotation_by_default(servers):
    out = refresh_twice(servers["lib"], body_tokens(servers["lib"])["refresh_token"])
    assert out == {"statuses": [200, 200], "rotated": False, "first_body_keys": ["access_token"]}
    # a bad token gets the library's 422/401, not a 500
    assert refresh_twice(servers["lib"], "junk")["statuses"][0] in (401, 422)


def test_replay_after_logout(servers):
    out = replay_after_logout(servers["lib"], body_tokens(servers["lib"])["access_token"])
    assert out["logout"] == 200 and out["replay"] == 200 and out["logout_body"]["revoked"] == 0


def test_cookie_refresh_closes_each_gap_when_hardened(servers, redis_server):
    out = cookie_refresh(servers["hard"], redis_server)
    assert out["login_cookies"][0] == "refresh_token_cookie=<JWT>; HttpOnly; Path=/refresh; SameSite=Lax"
    assert out["login_cookies"][1] == "csrf_refresh_token=<CSRF>; Path=/; SameSite=Lax"
    assert out["no_csrf"] == (401, "Missing CSRF token") and out["with_csrf"] == 200
    assert out["rotated"] and out["old_replay"] == (401, "Token has been revoked")
    assert out["logout"] == 200 and out["access_after_logout"] == 401
    assert len(out["denied"]) >= 3 and max(out["denied"]) <= 3600
