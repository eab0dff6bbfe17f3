"""sessionlab.state_strategies (lab 03b) and its checkers."""
from __future__ import annotations

import os
import time

import pytest
import requests

from sessionlab import serve
from sessionlab.apps.rest import new_token_service
from sessionlab.apps.state import PRICES, LabDatabase, create_state_app
from sessionlab.exercises.ex03b import CHOICES, CLIENT_CHANGEABLE, check_strategy_choice, check_who_can_change
from sessionlab.infra import browser
from sessionlab.infra.redis_servers import start_redis
from sessionlab.labs.lab03b import STRATEGY_NAMES, largest_accepted, storage_result, summary_table
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
    stranger.set_cookie("sid", "A" * 43)
    assert stranger.get("/cart").get_json() == {"items": []}
    restarted = create_state_app(db=db, tokens=tokens).test_client()   # a new process-memory store
    restarted.set_cookie("sid", c.get_cookie("sid").value)
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
        a = create_state_app(cache=redis_server.client(), cache_ttl_ms=500)
        b = create_state_app(cache=redis_server.client(), cache_ttl_ms=500)
        ca, cb = a.test_client(), b.test_client()
        assert [ca.get("/price?item=배").get_json()["cache"], ca.get("/price?item=배").get_json()["cache"],
                cb.get("/price?item=배").get_json()["cache"]] == ["miss", "hit", "hit"]
        time.sleep(0.6)
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


def test_largest_accepted():
    assert largest_accepted(lambda n: n <= 1000, 1, 10_000, step=1) == 1000
    assert 900 <= largest_accepted(lambda n: n <= 1000, 1, 10_000, step=100) <= 1000
    assert largest_accepted(lambda n: False, 1, 10) == 0


def test_url_limit_of_the_lab_server():
    with serve(create_state_app()) as srv:
        fits = lambda n: requests.get(srv.url + "/search", params={"q": "x" * n}, timeout=5).ok  # noqa: E731
        limit = largest_accepted(fits, 1, 64 * 1024)
        assert 15 * 1024 < limit < 16 * 1024
        assert requests.get(srv.url + "/search", params={"q": "x" * (limit + 1024)}, timeout=5).status_code == 431


def test_storage_result_parsing():
    dom = '<body><pre id="result">{&quot;local&quot;:&quot;a &amp; b&quot;,&quot;session&quot;:null}</pre></body>'
    assert storage_result(dom) == {"local": "a & b", "session": None}
    with pytest.raises(ValueError):
        storage_result('<pre id="result">running</pre>')
    with pytest.raises(ValueError):
        storage_result("<html></html>")


@pytest.mark.skipif(not browser.available(), reason="Chromium이 없습니다")
def test_web_storage_in_a_real_browser():
    app = create_state_app()
    with serve(app) as srv, browser.Profile() as chromium:
        written = storage_result(chromium.dump_dom(srv.url + "/storage?mode=write"))
        reread = storage_result(chromium.dump_dom(srv.url + "/storage?mode=read"))
    assert written == {"local": "사과 3개", "session": "2"}
    assert reread == {"local": "사과 3개", "session": None}
    assert len(app.config["seen"]) == 2 and "사과" not in str(app.config["seen"])


def test_summary_table_is_markdown():
    table = summary_table([{"전략": "쿠키", "수명": "30일"}])
    assert table.data.splitlines()[0].startswith("| 전략 | 상태가 사는 곳")
    assert "| 쿠키 |  |  |  |  | 30일 |  |" in table.data


# --- checkers -------------------------------------------------------------------
def test_check_strategy_choice():
    right = {k: v for k, (v, _) in CHOICES.items()}
    assert check_strategy_choice(right)
    assert not check_strategy_choice(...)
    wrong = dict(right, **{"주문 내역 (몇 년 뒤에도 봐야 한다)": "캐시"})
    got = check_strategy_choice(wrong)
    assert not got and "재시작" in got.message
    assert "전략 이름" in check_strategy_choice(dict(right, **{"주문 내역 (몇 년 뒤에도 봐야 한다)": "엑셀"})).message
    assert not check_strategy_choice({"a": "URL 쿼리"})


def test_check_who_can_change():
    assert check_who_can_change(set(CLIENT_CHANGEABLE))
    assert "401" in check_who_can_change(set(CLIENT_CHANGEABLE) | {"토큰"}).message
    assert "빠진 것: 숨은 폼 필드" in check_who_can_change(set(CLIENT_CHANGEABLE) - {"숨은 폼 필드"}).message
    assert "서버만" in check_who_can_change(set(CLIENT_CHANGEABLE) | {"캐시"}).message
    assert not check_who_can_change(["URL 쿼리"])
    assert not check_who_can_change({"엑셀"})
    assert set(STRATEGY_NAMES) >= CLIENT_CHANGEABLE
