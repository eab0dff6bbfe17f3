"""The Flask-Session + Flask-Login app: the libraries' defaults (⚠️ fixation) and the hardened variant.

Real Redis (``redis_server``), Flask's test client. Each test pins one measured fact that
notebook 02's library section states; the hardened variant must close what the defaults leave open.
"""

import email.utils
import time

import msgspec
import pytest
import redis as redis_py

from sessionlab.apps.library_login import (
    HARDENED_COOKIE,
    create_library_login_app,
    library_redis_client,
)

FAST = 2**8
ALICE = {"username": "alice", "password": "wonderland-2026"}
DAYS_31 = 31 * 24 * 3600


@pytest.fixture
def raw(redis_server):
    client = redis_server.client(decode_responses=False)
    client.flushall()
    return client


def app_for(redis_server, **kw):
    return create_library_login_app(redis_server, kdf_n=FAST, **kw)


def set_cookie_line(resp, name):
    lines = [v for v in resp.headers.getlist("Set-Cookie") if v.startswith(name + "=")]
    assert len(lines) == 1, resp.headers.getlist("Set-Cookie")
    return lines[0]


def lifetime(resp, name):
    line = set_cookie_line(resp, name)
    expires = next(p.split("=", 1)[1] for p in line.split("; ") if p.startswith("Expires="))
    return (
        email.utils.parsedate_to_datetime(expires).timestamp() - time.time()
    )  # the test client sends no Date


def test_defaults_cookie_named_session_no_samesite_31_days(redis_server, raw):
    client = app_for(redis_server).test_client()
    resp = client.post("/login", json=ALICE)
    assert resp.status_code == 200 and resp.headers["X-Lab-Variant"] == "VULNERABLE"
    line = set_cookie_line(resp, "session")
    assert "HttpOnly" in line and "SameSite" not in line and "Secure" not in line
    assert abs(lifetime(resp, "session") - DAYS_31) <= 2


def test_defaults_store_a_msgpack_string_under_session_prefix_for_31_days(redis_server, raw):
    client = app_for(redis_server).test_client()
    client.post("/cart", json={"item": "book"})
    sid = client.get_cookie("session").value
    assert len(sid) == 43  # secrets.token_urlsafe(32)
    key = b"session:" + sid.encode()
    assert raw.type(key) == b"string"
    assert msgspec.msgpack.decode(raw.get(key)) == {"_permanent": True, "cart": ["book"]}
    assert DAYS_31 - 5 <= raw.ttl(key) <= DAYS_31


def test_an_empty_session_is_never_stored(redis_server, raw):
    client = app_for(redis_server).test_client()
    assert client.get("/me").status_code == 401
    assert raw.dbsize() == 0 and client.get_cookie("session") is None


def test_defaults_keep_the_pre_login_id_so_a_planted_id_opens_the_account(redis_server, raw):
    app = app_for(redis_server)
    attacker, victim = app.test_client(), app.test_client()
    attacker.post("/cart", json={"item": "book"})
    planted = attacker.get_cookie("session").value
    victim.set_cookie("session", planted)
    assert victim.post("/login", json=ALICE).status_code == 200
    assert victim.get_cookie("session").value == planted  # ⚠️ login_user kept the id
    me = attacker.get("/me")
    assert me.status_code == 200 and me.json["user"] == "alice"  # session fixation


def test_hardened_regenerates_the_id_at_login_and_keeps_the_cart(redis_server, raw):
    app = app_for(redis_server, harden=True)
    attacker, victim = app.test_client(), app.test_client()
    attacker.post("/cart", json={"item": "book"})
    planted = attacker.get_cookie(HARDENED_COOKIE).value
    victim.set_cookie(HARDENED_COOKIE, planted)
    assert victim.post("/login", json=ALICE).status_code == 200
    new = victim.get_cookie(HARDENED_COOKIE).value
    assert new != planted
    assert not raw.exists(b"session:" + planted.encode())  # the old record is gone
    assert attacker.get("/me").status_code == 401
    assert victim.get("/me").json == {"user": "alice", "cart": ["book"]}


def test_hardened_cookie_and_ttl_follow_the_course(redis_server, raw):
    client = app_for(redis_server, harden=True).test_client()
    resp = client.post("/login", json=ALICE)
    assert resp.headers["X-Lab-Variant"] == "secure"
    line = set_cookie_line(resp, HARDENED_COOKIE)
    assert "HttpOnly" in line and "SameSite=Lax" in line and "Secure" not in line
    assert abs(lifetime(resp, HARDENED_COOKIE) - 900) <= 2
    assert 895 <= raw.ttl(b"session:" + client.get_cookie(HARDENED_COOKIE).value.encode()) <= 900
    secure = app_for(redis_server, harden=True, cookie_secure=True).test_client()
    assert "Secure" in set_cookie_line(secure.post("/login", json=ALICE), HARDENED_COOKIE)


def test_made_up_id_is_never_adopted(redis_server, raw):
    for harden, name in ((False, "session"), (True, HARDENED_COOKIE)):
        app = app_for(redis_server, harden=harden)
        victim, attacker = app.test_client(), app.test_client()
        victim.set_cookie(name, "attacker-invented-id")
        victim.post("/login", json=ALICE)
        assert victim.get_cookie(name).value != "attacker-invented-id"
        attacker.set_cookie(name, "attacker-invented-id")
        assert attacker.get("/me").status_code == 401


def test_logout_defaults_keep_a_record_holding_other_data_hardened_deletes_it(redis_server, raw):
    for harden, name, left in ((False, "session", True), (True, HARDENED_COOKIE, False)):
        app = app_for(redis_server, harden=harden)
        user, copy = app.test_client(), app.test_client()
        user.post("/cart", json={"item": "book"})
        user.post("/login", json=ALICE)
        sid = user.get_cookie(name).value
        copy.set_cookie(name, sid)
        assert user.post("/logout").status_code == 200
        assert bool(raw.exists(b"session:" + sid.encode())) is left
        assert copy.get("/me").status_code == 401  # either way the copied cookie is logged out


def test_hardened_absolute_timeout_logs_out_whatever_the_activity(redis_server, raw):
    now = [1_000_000.0]
    app = app_for(redis_server, harden=True, absolute_timeout=60, clock=lambda: now[0])
    client = app.test_client()
    client.post("/login", json=ALICE)
    now[0] += 59
    assert client.get("/me").status_code == 200
    now[0] += 2
    assert client.get("/me").status_code == 401
    assert raw.dbsize() == 0


@pytest.mark.parametrize(
    "body",
    [{"username": "alice", "password": "wrong"}, {"username": "nobody", "password": "wonderland-2026"}],
)
def test_wrong_credentials_are_401(redis_server, raw, body):
    assert app_for(redis_server).test_client().post("/login", json=body).status_code == 401


@pytest.mark.parametrize("body", [None, [], {"username": "alice"}, {"username": 1, "password": "x"}, "x"])
def test_bad_input_is_400_never_500(redis_server, raw, body):
    client = app_for(redis_server).test_client()
    resp = client.post("/login", json=body) if body is not None else client.post("/login", data="x")
    assert resp.status_code == 400
    assert client.post("/cart", json={"item": ""}).status_code == 400


def test_redis_client_from_url_server_or_client(redis_server):
    assert isinstance(library_redis_client(redis_server.url), redis_py.Redis)
    client = library_redis_client(redis_server)
    assert client.ping() and not client.connection_pool.connection_kwargs.get("decode_responses")
    assert library_redis_client(client) is client
    with pytest.raises(TypeError):
        library_redis_client(42)
