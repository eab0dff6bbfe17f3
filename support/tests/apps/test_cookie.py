"""sessionlab.apps.cookie: client-side and server-side state, signed and unsigned role cookies, no 500 on garbage."""

import pytest

from sessionlab.apps.cookie import create_cookie_app
from sessionlab.web.stores import FakeClock, MemoryStore


@pytest.fixture
def app():
    return create_cookie_app(store=MemoryStore(idle_timeout=10, clock=FakeClock()))


@pytest.fixture
def client(app):
    return app.test_client()


def test_cart_needs_an_item(client):
    resp = client.post("/cart", json={})
    assert resp.status_code == 400 and "item" in resp.json["error"]


def test_idle_timeout_ends_the_server_session_while_the_cookie_stays(app, client):
    client.post("/cart", json={"item": "책"})
    app.store.clock.advance(11)
    assert client.get_cookie("shop_sid") is not None
    assert client.get("/cart").json["cart"] == []


@pytest.mark.parametrize("cookie, status", [(None, 401), ("user", 403), ("admin", 200)])
def test_unsigned_role_cookie_is_trusted_as_sent(client, cookie, status):
    if cookie:
        client.set_cookie("role", cookie)
    assert client.get("/unsigned/admin").status_code == status


@pytest.mark.parametrize("value", ["admin", "admin.abc", "user.", "", "x" * 3000, "user.%%%"])
def test_tampered_or_malformed_signed_cookie_is_a_clear_400(client, value):
    client.get("/signed/login")
    client.set_cookie("role", value)
    resp = client.get("/signed/admin")
    assert resp.status_code == 400 and "서명이 맞지 않습니다" in resp.json["error"]


def test_signed_cookie_untouched_is_accepted_as_user(client):
    client.get("/signed/login")
    assert client.get("/signed/admin").status_code == 403


def test_garbage_flask_session_cookie_is_not_a_500(client):
    client.set_cookie("session", "%%%not-a-cookie")
    assert client.get("/flask/admin").status_code == 401


def test_tampered_visit_counter_restarts(client):
    client.set_cookie("visits", "abc")
    assert client.get("/visit").json["visits"] == 1


def test_set_sends_the_given_set_cookie_lines_exactly(client):
    resp = client.get("/set", query_string=[("c", "a=1; Path=/app"), ("c", "__Host-b=2; Secure; Path=/")])
    assert resp.headers.getlist("Set-Cookie") == ["a=1; Path=/app", "__Host-b=2; Secure; Path=/"]


@pytest.mark.parametrize("query", [[], [("c", "a=1\r\nX-Evil: 1")], [("c", "a=1\nb")]])
def test_set_refuses_no_line_or_a_line_break(client, query):
    assert client.get("/set", query_string=query).status_code == 400


def test_probe_records_the_cookie_header_it_received(app, client):
    client.set_cookie("a", "1")
    client.get("/probe/app/page")
    client.delete_cookie("a")
    client.get("/probe/other")
    assert [(p["label"], p["cookie"]) for p in app.probes] == [("app/page", "a=1"), ("other", "")]


@pytest.mark.parametrize("page", ["/page/steps", "/page/go", "/page/limits", "/page/embed"])
def test_browser_pages_are_html_with_a_script(client, page):
    resp = client.get(page)
    assert resp.status_code == 200 and "<script>" in resp.get_data(as_text=True)
