"""The guard decorators of both apps, on views of the test's own, and the one variant header."""

import pytest
from flask import g, jsonify

from sessionlab.apps._common import VARIANT_HEADER
from sessionlab.apps.login import create_login_app
from sessionlab.apps.login_auth import (
    csrf_protected,
    fresh_login_required,
    login_required,
)
from sessionlab.apps.login_state import MESSAGES
from sessionlab.apps.token import create_token_app, token_required
from sessionlab.web.stores import FakeClock, MemoryStore
from sessionlab.web.tokens import TokenService, VulnerableVerifier, generate_keys

FAST = 2**8
ALICE = {"username": "alice", "password": "wonderland-2026"}


def login_app(secure=True, clock=None):
    """A login app with extra views that only the decorators guard."""
    app = create_login_app(
        MemoryStore(clock=clock or FakeClock()), secure=secure, kdf_n=FAST, reauth_seconds=100
    )

    def ok():
        return jsonify({"ok": True})

    app.add_url_rule("/t/user", "t_user", login_required(ok))
    app.add_url_rule("/t/csrf", "t_csrf", csrf_protected(ok), methods=["POST"])
    app.add_url_rule("/t/both", "t_both", login_required(csrf_protected(ok)), methods=["POST"])
    app.add_url_rule("/t/fresh", "t_fresh", login_required(fresh_login_required(ok)))
    return app


def test_login_required_refuses_without_session():
    c = login_app().test_client()
    r = c.get("/t/user")
    assert r.status_code == 401 and r.json == {"ok": False, "error": MESSAGES["login_required"]}
    c.post("/login", json=ALICE)
    assert c.get("/t/user").json == {"ok": True}


def test_login_required_runs_before_csrf_check():
    r = login_app().test_client().post("/t/both")
    assert r.status_code == 401  # no session: "log in", not "CSRF"


def test_csrf_protected_refuses_without_or_with_wrong_token():
    c = login_app().test_client()
    c.post("/login", json=ALICE)
    for headers in ({}, {"X-CSRF-Token": "wrong"}):
        r = c.post("/t/both", headers=headers)
        assert r.status_code == 403 and r.json["error"] == MESSAGES["csrf"]
    token = c.get("/csrf").json["csrf_token"]
    assert c.post("/t/both", headers={"X-CSRF-Token": token}).status_code == 200
    assert c.post("/t/both", data={"csrf_token": token}).status_code == 200


def test_csrf_protected_lets_anonymous_requests_through():
    c = login_app().test_client()
    c.get("/login")  # an anonymous session with a form token is not a login
    assert c.post("/t/csrf").status_code == 200


def test_vulnerable_variant_checks_no_csrf_token():
    c = login_app(secure=False).test_client()
    assert c.post("/t/both").status_code == 401
    c.post("/login", json=ALICE)
    assert c.post("/t/both").status_code == 200  # ⚠️ no token needed


@pytest.mark.parametrize("secure", [True, False])
def test_fresh_login_required(secure):
    clock = FakeClock()
    c = login_app(secure, clock).test_client()
    c.post("/login", json=ALICE)
    assert c.get("/t/fresh").status_code == 200
    clock.advance(50)
    c.get("/me")
    clock.advance(51)
    r = c.get("/t/fresh")
    if secure:
        assert r.status_code == 403 and r.json["reauth_required"] is True
    else:
        assert r.status_code == 200  # ⚠️ never asks again


# --- the token app ---------------------------------------------------------------------------


@pytest.fixture
def token_client():
    svc = TokenService(generate_keys())  # no Redis: access tokens only
    app = create_token_app(svc)

    @token_required(csrf=True)
    def guarded():
        return jsonify({"via": g.via})

    @token_required(verify=False)
    def present():
        return jsonify({"token": g.token})

    app.add_url_rule("/t/guarded", "t_guarded", guarded, methods=["GET", "POST"])
    app.add_url_rule("/t/present", "t_present", present)
    c = app.test_client()
    c.post("/login", json={"username": "alice", "password": "alice-pw"})  # cookies
    bearer = app.test_client().post(
        "/login", json={"username": "alice", "password": "alice-pw", "mode": "bearer"}
    )
    c.tokens = bearer.json  # a bearer client's own pair (a cookie client gets no token in the body)
    return c


def test_token_required_missing_token(token_client):
    token_client.delete_cookie("access_token")
    r = token_client.get("/t/guarded")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == 'Bearer realm="sessionlab"'


def test_token_required_bad_token_is_401(token_client):
    r = token_client.get("/t/guarded", headers={"Authorization": "Bearer not.a.token"})
    assert r.status_code == 401 and r.json["error"] == "invalid_token"
    assert token_client.get("/t/present", headers={"Authorization": "Bearer not.a.token"}).json == {
        "token": "not.a.token"
    }  # verify=False: present is enough


def test_token_required_csrf_header_for_cookie_posts(token_client):
    assert token_client.get("/t/guarded").json == {"via": "cookie"}
    r = token_client.post("/t/guarded")
    assert r.status_code == 403 and r.json["error"] == "csrf"
    assert token_client.post("/t/guarded", headers={"X-Requested-With": "fetch"}).status_code == 200
    bearer = {"Authorization": f"Bearer {token_client.tokens['access_token']}"}
    assert token_client.post("/t/guarded", headers=bearer).json == {"via": "bearer"}


def test_one_variant_header_for_both_apps():
    assert VARIANT_HEADER == "X-Lab-Variant"
    svc = TokenService(generate_keys())
    apps = {
        "secure": [create_login_app(kdf_n=FAST), create_token_app(svc)],
        "VULNERABLE": [
            create_login_app(secure=False, kdf_n=FAST),
            create_token_app(svc, verifier=VulnerableVerifier(svc.keys)),
        ],
    }
    for variant, pair in apps.items():
        for app in pair:
            r = app.test_client().get("/me")
            assert r.headers[VARIANT_HEADER] == variant and "X-Sessionlab-Variant" not in r.headers
