"""sessionlab.state_strategies (lab 03b) and its checkers."""

from __future__ import annotations

import pytest
import requests

from sessionlab import serve
from sessionlab.apps.state import create_state_app
from sessionlab.infra import browser
from sessionlab.labs.lab03b import largest_accepted, storage_result, summary_table


def test_largest_accepted():
    assert largest_accepted(lambda n: n <= 1000, 1, 10_000, step=1) == 1000
    assert 900 <= largest_accepted(lambda n: n <= 1000, 1, 10_000, step=100) <= 1000
    assert largest_accepted(lambda n: False, 1, 10) == 0


def test_url_limit_of_the_lab_server():
    with serve(create_state_app()) as srv:
        fits = lambda n: requests.get(srv.url + "/search", params={"q": "x" * n}, timeout=5).ok  # noqa: E731
        limit = largest_accepted(fits, 1, 64 * 1024)
        assert 15 * 1024 < limit < 16 * 1024
        assert (
            requests.get(srv.url + "/search", params={"q": "x" * (limit + 1024)}, timeout=5).status_code
            == 431
        )


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
        written = storage_result(chromium.dump_dom(srv.url + "/storage?mode=write", own_browser=True))
        reread = storage_result(chromium.dump_dom(srv.url + "/storage?mode=read", own_browser=True))
    assert written == {"local": "사과 3개", "session": "2", "cookies": ["theme", "visit"]}
    # the browser was closed between the two: its session cookie went with it
    assert reread == {"local": "사과 3개", "session": None, "cookies": ["theme"]}
    assert len(app.config["seen"]) == 2 and "사과" not in str(app.config["seen"])


def test_summary_table_is_markdown():
    table = summary_table([{"전략": "쿠키", "수명": "30일"}])
    assert table.data.splitlines()[0].startswith("| 전략 | 상태가 사는 곳")
    assert "| 쿠키 |  |  |  |  | 30일 |  |" in table.data


@pytest.mark.parametrize(("policy", "sessions_survive"), [("volatile-lru", False), ("noeviction", True)])
def test_one_redis_for_cache_and_sessions(redis_server, policy, sessions_survive):
    from sessionlab.labs.lab03b import count_keys, fill

    client = redis_server.client()
    client.flushall()
    old = client.config_get("maxmemory*")
    client.config_set("maxmemory", "3mb")
    client.config_set("maxmemory-policy", policy)
    try:
        assert fill(client, "session", 1000, size=200, ttl=1800) == 0
        refused = fill(client, "cache", 15_000, size=500, ttl=60)
        left = count_keys(client, "session")
    finally:
        client.flushall()
        client.config_set("maxmemory", old["maxmemory"])
        client.config_set("maxmemory-policy", old["maxmemory-policy"])
    if sessions_survive:
        assert left == 1000 and refused > 0
    else:
        assert left < 1000 and refused == 0


def test_lab_server_answers_431_for_a_long_url_and_a_big_header():
    from sessionlab.apps.http_basics import create_http_lab_app

    with serve(create_http_lab_app("t")) as server:
        long_url = requests.get(server.url + "/hello?q=" + "x" * 20_000, timeout=5).status_code
        big_header = requests.get(
            server.url + "/hello", headers={"X-Big": "x" * 20_000}, timeout=5
        ).status_code
        fine = requests.get(server.url + "/hello?q=" + "x" * 1000, timeout=5).status_code
    assert (long_url, big_header, fine) == (431, 431, 200)


def test_strategy_numbers_and_names():
    from sessionlab.labs.lab03b import STRATEGY_NAMES, strategy_menu, strategy_name

    assert strategy_menu().startswith("1 URL 쿼리 · 2 숨은 폼 필드") and "8 토큰" in strategy_menu()
    assert strategy_name(1) == strategy_name("1") == strategy_name(" URL 쿼리 ") == "URL 쿼리"
    assert strategy_name(len(STRATEGY_NAMES)) == "토큰"
    assert [strategy_name(x) for x in (0, 9, "엑셀", True, None, 1.0)] == [None] * 6


def test_small_printers():
    from sessionlab.labs.lab03b import items_text, yes_no

    assert (yes_no(True), yes_no(False)) == ("예", "아니요")
    assert items_text(["사과", "배"]) == "사과, 배" and items_text([]) == "(비어 있음)"


def test_sent_summary_counts_cookies_and_storage_values():
    from sessionlab.labs.lab03b import sent_summary

    seen = [{"Host": "a", "Cookie": "theme=dark"}, {"Host": "a"}, {"Host": "a", "X-Cart": "사과 3개"}]
    assert sent_summary(seen, "사과") == {"requests": 3, "with_cookie": 1, "with_storage": 1}
    assert sent_summary([], "사과") == {"requests": 0, "with_cookie": 0, "with_storage": 0}


@pytest.mark.skipif(not browser.available(), reason="Chromium이 없습니다")
def test_browser_sends_the_cookie_but_not_web_storage():
    from sessionlab.labs.lab03b import sent_summary

    app = create_state_app()
    with serve(app) as srv, browser.Profile() as chromium:
        storage_result(chromium.dump_dom(srv.url + "/storage?mode=write"))
        storage_result(chromium.dump_dom(srv.url + "/storage?mode=read"))
    assert sent_summary(app.config["seen"], "사과") == {"requests": 2, "with_cookie": 2, "with_storage": 0}
