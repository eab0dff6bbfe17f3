"""Lab 01's app and tools, through Flask's test client and a real server."""
import pytest

from sessionlab import serve
from sessionlab.apps.cookie import create_cookie_app
from sessionlab.exercises.ex01 import check_bytes_for, check_forged_role, check_lifetime
from sessionlab.infra.wire import wire_bytes
from sessionlab.labs.lab01 import cookie_header_limit, decode_flask_session, flask_session_cookie, store_table
from sessionlab.web.stores import FakeClock, MemoryStore


@pytest.fixture
def app():
    return create_cookie_app(store=MemoryStore(idle_timeout=10, clock=FakeClock()))


@pytest.fixture
def client(app):
    return app.test_client()


def test_cart_lives_on_the_server_and_only_an_id_in_the_cookie(app, client):
    client.post("/cart", json={"item": "커피"})
    sid = client.get_cookie("sid").value
    assert len(sid) == 43 and "커피" not in sid
    assert app.store.get(sid).data == {"cart": ["커피"]}
    assert store_table(app.store)[0]["세션 ID"] == "<무작위 43자>"


def test_cart_needs_an_item(client):
    resp = client.post("/cart", json={})
    assert resp.status_code == 400 and "item" in resp.json["error"]


def test_idle_timeout_ends_the_server_session_while_the_cookie_stays(app, client):
    client.post("/cart", json={"item": "책"})
    app.store.clock.advance(11)
    assert client.get_cookie("sid") is not None
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


def test_flask_session_is_readable_but_not_forgeable(app, client):
    client.get("/flask/login?user=lee")
    assert decode_flask_session(client.get_cookie("session").value) == {"role": "user", "user": "lee"}
    client.set_cookie("session", flask_session_cookie({"role": "admin"}, "guess"))
    assert client.get("/flask/admin").status_code == 401
    client.set_cookie("session", flask_session_cookie({"role": "admin"}, app.config["SECRET_KEY"]))
    assert client.get("/flask/admin").status_code == 200


def test_garbage_flask_session_cookie_is_not_a_500(client):
    client.set_cookie("session", "%%%not-a-cookie")
    assert client.get("/flask/admin").status_code == 401


def test_tampered_visit_counter_restarts(client):
    client.set_cookie("visits", "abc")
    assert client.get("/visit").json["visits"] == 1


def test_werkzeug_warns_past_its_cookie_size():
    assert not cookie_header_limit(4080)["warning"]  # "big=" + value + "; Path=/" = 4092 bytes
    assert cookie_header_limit(4085)["warning"]      # 4097 bytes: past werkzeug's 4093
    assert cookie_header_limit(5000)["warning"]


def test_request_bytes_counts_the_cookie_and_oversized_header_is_431():
    with serve(create_cookie_app()) as srv:
        base, _ = wire_bytes(srv.url, "/echo")
        more, status = wire_bytes(srv.url, "/echo", cookie="c=" + "x" * 100)
        assert status == 200 and more - base == 100 + len("Cookie: c=\r\n")
        assert wire_bytes(srv.url, "/echo", cookie="c=" + "x" * 20000)[1] == 431
        assert check_forged_role(srv.url, {"role": "admin"})
        assert not check_forged_role(srv.url, {"role": "user"})


def test_exercise_checkers_tell_right_from_wrong():
    assert not check_lifetime(...) and "빈칸" in check_lifetime(...).message
    assert check_lifetime({"a", "C"}) and not check_lifetime({"A", "B"})
    assert check_bytes_for(1212 * 100, 1200, 100, 1212) and not check_bytes_for(1200, 1200, 100, 1212)
