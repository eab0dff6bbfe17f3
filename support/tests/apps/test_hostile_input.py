"""Hostile input gets a clear 4xx from every reference app we own, never a 500 (HARDENING).

Each case is one input that answered 500 (or raised) before ``sessionlab.apps._limits``.
"""

from __future__ import annotations

import base64
import json

import pytest

from sessionlab.apps.cart import create_cart_app
from sessionlab.apps.cookie import create_cookie_app
from sessionlab.apps.http_basics import create_http_lab_app
from sessionlab.apps.rest import PROBLEM_JSON, create_rest_app, new_token_service
from sessionlab.apps.rpc import create_rpc_app
from sessionlab.apps.state import create_state_app
from sessionlab.web.stores import MemoryStore

USERS = {"alice": "alice-pass-1"}
BRACKETS = base64.urlsafe_b64encode(b"[" * 3000).rstrip(b"=").decode()  # a JWT header: RecursionError
DEEP = "[" * 10_000 + "]" * 10_000  # 20 KB: under the size limit, past the recursion limit


@pytest.fixture(scope="module")
def tokens():
    return new_token_service()


def raw_json(text: str) -> dict:
    return {"data": text, "content_type": "application/json"}


def build(kind, tokens):
    return {
        "rest": lambda: create_rest_app(users=USERS, tokens=tokens),
        "rpc": lambda: create_rpc_app(users=USERS),
        "state": lambda: create_state_app(tokens=tokens),
        "cookie": create_cookie_app,
        "cart": lambda: create_cart_app(MemoryStore()),
        "http": create_http_lab_app,
    }[kind]()


RPC_CASES = [  # the RPC twin answers 200 + {"ok": false} to everything, on purpose: no crash either
    ("rpc", "POST", "/api/login", {"json": {"username": ["alice"], "password": "x"}}),
    ("rpc", "POST", "/api/login", {"json": {"username": {"a": 1}, "password": "x"}}),
]

CASES = [
    ("rest", "GET", "/sessions/current", {"headers": {"Authorization": f"Bearer {BRACKETS}.e30.x"}}),
    ("rest", "POST", "/users", {"json": {"username": "a\r\nX-Evil: 1", "password": "long-enough-1"}}),
    ("rest", "POST", "/users", raw_json('{"username": "\\ud800", "password": "long-enough-1"}')),
    ("rest", "POST", "/users", raw_json('{"username": "eve", "password": "long-enough-\\ud800"}')),
    ("rest", "POST", "/sessions", raw_json(DEEP)),
    ("rest", "POST", "/notes", raw_json('{"text": ' + "[" * 5000 + "]" * 5000 + "}")),
    ("rpc", "POST", "/api/login", raw_json(DEEP)),
    ("state", "GET", "/search?page=abc", {}),
    ("state", "GET", "/search?page=" + "9" * 5000, {}),
    ("state", "GET", "/order?item=zzz", {}),
    ("state", "GET", "/token/cart", {"headers": {"Authorization": f"Bearer {BRACKETS}.e30.x"}}),
    ("cookie", "GET", "/big?size=abc", {}),
    ("cookie", "GET", "/big?size=²", {}),
    ("cookie", "POST", "/cart", raw_json(DEEP)),
    ("cookie", "GET", "/set?c=%EC%82%AC%EA%B3%BC", {}),  # non-latin-1 in a header: the WSGI encoder raised
    ("cookie", "GET", "/set?c=a%00b", {}),  # NUL inside a header line (RFC 9110, 5.5)
    ("cart", "POST", "/cart", raw_json(DEEP)),
    ("http", "POST", "/visits?count=abc", {}),
    ("http", "POST", "/visits?count=" + "1" * 5000, {}),
    ("http", "POST", "/cookie-visits", {"cookies": {"visits": "abc"}}),
]


@pytest.mark.parametrize(("kind", "method", "path", "kw"), CASES, ids=lambda v: str(v)[:40])
def test_hostile_input_gets_a_clear_4xx(tokens, kind, method, path, kw):
    client, kw = build(kind, tokens).test_client(), dict(kw)
    for name, value in kw.pop("cookies", {}).items():
        client.set_cookie(name, value)
    resp = client.open(path, method=method, **kw)
    assert 400 <= resp.status_code < 500, resp.get_data(as_text=True)[:300]
    assert "Traceback" not in resp.get_data(as_text=True)
    body = json.loads(resp.get_data(as_text=True))  # a JSON answer, not an HTML error page
    if resp.mimetype == PROBLEM_JSON:
        assert body["status"] == resp.status_code and body["detail"]
    else:  # the apps' own refusals keep their JSON shape (the token check of /token/cart)
        assert kind in ("rpc", "state") and body["error"]


@pytest.mark.parametrize(("kind", "method", "path", "kw"), RPC_CASES, ids=lambda v: str(v)[:40])
def test_the_rpc_twin_refuses_in_its_own_way_without_crashing(tokens, kind, method, path, kw):
    resp = build(kind, tokens).test_client().open(path, method=method, **kw)
    assert resp.status_code == 200 and resp.get_json() == {"ok": False, "error": "bad_credentials"}


@pytest.mark.parametrize("kind", ["rest", "rpc", "state", "cookie", "cart", "http"])
def test_a_huge_body_is_refused_with_413_before_anything_reads_it(tokens, kind):
    big = json.dumps({"username": "alice", "password": "x" * 5_000_000, "item": "y"})  # > every app's limit
    path = {"rest": "/sessions", "rpc": "/api/login", "http": "/echo"}.get(kind, "/cart")
    resp = build(kind, tokens).test_client().post(path, **raw_json(big))
    assert resp.status_code == 413 and resp.mimetype == PROBLEM_JSON


def test_the_state_app_without_a_token_service_says_so_instead_of_crashing():
    client = create_state_app().test_client()  # no tokens=
    assert client.post("/token?user=kim").status_code == 503
    assert client.get("/token/cart", headers={"Authorization": "Bearer x"}).get_json() == {
        "error": "no_token_service"
    }
