"""Every lab app names its own cookie: on 127.0.0.1 the apps share one cookie jar (cookies ignore ports)."""

from __future__ import annotations

import contextlib

import requests

from sessionlab import serve
from sessionlab.apps._common import cookie_name
from sessionlab.apps.cart import create_cart_app
from sessionlab.apps.cookie import create_cookie_app
from sessionlab.apps.http_basics import create_http_lab_app
from sessionlab.apps.login import create_login_app
from sessionlab.apps.rest import create_rest_app, new_token_service
from sessionlab.apps.state import create_state_app
from sessionlab.web.stores import MemoryStore

ALICE = {"username": "alice", "password": "wonderland-2026"}

# app → (how to start a session, how to ask whether the app still knows it)
FLOWS = {
    "login": (
        ("post", "/login", {"json": ALICE}),
        lambda r: r.status_code == 200 and r.json()["user"] == "alice",
    ),
    "rest": (
        ("post", "/sessions", {"json": ALICE}),
        lambda r: r.status_code == 200 and r.json()["user"] == "alice",
    ),
    "state": (("post", "/cart?item=사과", {}), lambda r: r.json()["items"] == ["사과"]),
    "cart": (("post", "/cart", {"json": {"item": "커피"}}), lambda r: r.json()["cart"] == ["커피"]),
    "shop": (("post", "/cart", {"json": {"item": "머그컵"}}), lambda r: r.json()["cart"] == ["머그컵"]),
    "basics": (("post", "/session-visits", {}), lambda r: r.status_code == 200 and r.json()["visits"] == 2),
}
CHECK = {
    "login": ("get", "/me"),
    "rest": ("get", "/sessions/current"),
    "state": ("get", "/cart"),
    "cart": ("get", "/cart"),
    "shop": ("get", "/cart"),
    "basics": ("post", "/session-visits"),
}


def apps():
    return {
        "login": create_login_app(kdf_n=2**8),
        "rest": create_rest_app(tokens=new_token_service()),
        "state": create_state_app(),
        "cart": create_cart_app(MemoryStore()),
        "shop": create_cookie_app(),
        "basics": create_http_lab_app(),
    }


def test_apps_on_one_host_keep_their_sessions_in_one_browser_jar():
    """One client (one jar) logs into six apps on six ports of 127.0.0.1; each still knows it."""
    with contextlib.ExitStack() as stack:
        servers = {name: stack.enter_context(serve(app, name=None)) for name, app in apps().items()}
        browser = requests.Session()
        set_names = {}
        for name, ((method, path, kw), _) in FLOWS.items():
            r = browser.request(method, servers[name].url + path, timeout=10, **kw)
            assert r.ok, (name, r.status_code, r.text)
            set_names[name] = next(iter(r.cookies.keys()))
        assert len(set(set_names.values())) == len(FLOWS), set_names  # six apps, six cookie names
        for name, (_, still_known) in FLOWS.items():
            method, path = CHECK[name]
            assert still_known(browser.request(method, servers[name].url + path, timeout=10)), name
        assert len(browser.cookies) == len(FLOWS)  # nothing overwritten, nothing doubled


def test_one_shared_name_would_overwrite_across_ports():
    """Why: a cookie set by one port is sent to every port of the host (RFC 6265 §8.5)."""
    with (
        serve(create_cart_app(MemoryStore()), name=None) as a,
        serve(create_cart_app(MemoryStore()), name=None) as b,
    ):
        jar = requests.Session()
        jar.post(a.url + "/cart", json={"item": "커피"}, timeout=10)
        sent_to_b = jar.get(b.url + "/cart", timeout=10).request.headers.get("Cookie", "")
        assert sent_to_b.startswith("cart_sid=")  # a's cookie went to b: same host, other port
        jar.post(b.url + "/cart", json={"item": "차"}, timeout=10)  # b replaces it (same name)
        assert jar.get(a.url + "/cart", timeout=10).json()["cart"] == []  # a lost its session


def test_secure_cookies_get_the_host_prefix():
    assert cookie_name("login_sid", True) == "__Host-login_sid"
    assert cookie_name("login_sid", False) == "login_sid"
    rest = create_rest_app(tokens=new_token_service(), cookie_secure=True).test_client()
    r = rest.post("/sessions", json=ALICE, base_url="https://localhost")
    header = r.headers["Set-Cookie"]
    assert header.startswith("__Host-rest_sid=") and "Secure" in header and "Path=/" in header
    assert rest.get("/sessions/current", base_url="https://localhost").json["user"] == "alice"
