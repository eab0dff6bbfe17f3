"""sessionlab.apps.state: one route per place where web-app state can live, each tried as a client would."""

from __future__ import annotations

import os
import time

import pytest

from sessionlab.apps.rest import new_token_service
from sessionlab.apps.state import PRICES, LabDatabase, create_state_app
from sessionlab.infra.redis_servers import start_redis
from sessionlab.web.tokens import encode_unsigned, split_token


@pytest.fixture()
def db():
    database = LabDatabase()
    yield database
    database.close()


@pytest.fixture(scope="module")
def tokens():
    return new_token_service()


@pytest.fixture()
def client(db, tokens):
    return create_state_app(db=db, tokens=tokens).test_client()


def test_url_state_is_whatever_the_user_typed(client):
    assert client.get("/search?q=x&page=999").get_json()["page"] == 999


def test_hidden_price_is_trusted_by_the_vulnerable_order_only(client):
    form = client.get("/order?item=배").get_data(as_text=True)
    assert 'type="hidden" name="price" value="3000"' in form
    assert client.post("/order", data={"item": "배", "price": "1"}).get_json()["charged"] == 1
    assert client.post("/order-safe", data={"item": "배", "price": "1"}).get_json()["charged"] == PRICES["배"]


@pytest.mark.parametrize("price", ["", "-1", "1e3", "9" * 20])
def test_vulnerable_order_rejects_prices_that_are_not_numbers(client, price):
    assert client.post("/order", data={"item": "배", "price": price}).status_code == 422


def test_order_safe_rejects_unknown_items(client):
    assert client.post("/order-safe", data={"item": "?"}).status_code == 422


def test_cookie_travels_and_can_be_forged(client):
    set_cookie = client.get("/prefs?theme=dark").headers["Set-Cookie"]
    assert "Max-Age=2592000" in set_cookie
    assert client.get("/echo").get_json()["headers"]["Cookie"] == "theme=dark"
    client.set_cookie("theme", "hacker")
    assert client.get("/page").get_json() == {"theme": "hacker"}


def test_server_session_keeps_data_server_side(db, tokens):
    app = create_state_app(db=db, tokens=tokens)
    c = app.test_client()
    for item in ("a", "b"):
        c.post(f"/cart?item={item}")
    assert c.get("/cart").get_json() == {"items": ["a", "b"]}
    assert app.config["store"].count() == 1
    stranger = app.test_client()
    stranger.set_cookie("state_sid", "A" * 43)
    assert stranger.get("/cart").get_json() == {"items": []}
    restarted = create_state_app(db=db, tokens=tokens).test_client()  # a new process-memory store
    restarted.set_cookie("state_sid", c.get_cookie("state_sid").value)
    assert restarted.get("/cart").get_json() == {"items": []}


def test_database_outlives_the_app_and_close_removes_the_file(db, tokens):
    create_state_app(db=db).test_client().put("/profile/kim", json={"a": 1})
    assert create_state_app(db=db).test_client().get("/profile/kim").get_json() == {"a": 1}
    assert create_state_app(db=db).test_client().get("/profile/nobody").status_code == 404
    assert db.exists
    db.close()
    assert not db.exists and not os.path.exists(db.dir)


def test_profile_without_a_database_is_503(tokens):
    assert create_state_app(tokens=tokens).test_client().get("/profile/kim").status_code == 503


def test_cache_aside_hit_miss_shared_and_expiry(tokens):
    redis_server = start_redis(name=None)
    try:
        # 0.3 s: far longer than the two in-process requests that must hit, short for the suite
        a = create_state_app(cache=redis_server.client(), cache_ttl_ms=300)
        b = create_state_app(cache=redis_server.client(), cache_ttl_ms=300)
        ca, cb = a.test_client(), b.test_client()
        r, key = redis_server.client(), "sessionlab:price:배"
        assert ca.get("/price?item=배").get_json()["cache"] == "miss"
        assert 0 < r.pttl(key) <= 300  # the cached price carries the TTL
        assert [
            ca.get("/price?item=배").get_json()["cache"],
            cb.get("/price?item=배").get_json()["cache"],
        ] == ["hit", "hit"]
        deadline = time.monotonic() + 5
        while r.exists(key) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert r.exists(key) == 0  # Redis dropped it itself
        assert ca.get("/price?item=배").get_json()["cache"] == "miss"
        assert a.config["slow_queries"] == 2 and b.config["slow_queries"] == 0
    finally:
        redis_server.stop()


def test_token_is_readable_but_not_changeable(client, tokens):
    token = client.post("/token?user=kim&item=x&item=y").get_json()["token"]
    header, payload, sig = split_token(token)
    assert payload["cart"] == ["x", "y"]
    other = create_state_app(tokens=tokens).test_client()
    ok = other.get("/token/cart", headers={"Authorization": f"Bearer {token}"})
    assert ok.get_json() == {"user": "kim", "cart": ["x", "y"]}
    forged = encode_unsigned(header, {**payload, "cart": ["free"]}, sig)
    bad = other.get("/token/cart", headers={"Authorization": f"Bearer {forged}"})
    assert (bad.status_code, bad.get_json()) == (401, {"error": "bad_signature"})
    assert other.get("/token/cart").status_code == 401
