"""sessionlab.http_lab and the checkers of notebook 03."""

from __future__ import annotations

import pytest
import requests

from sessionlab import serve
from sessionlab.apps.http_basics import DOC, create_http_lab_app
from sessionlab.labs.lab03 import MiniCache, policy_table, policy_widget, visit_answers
from sessionlab.web.balancer import start_balancer
from sessionlab.web.stores import FakeClock


@pytest.fixture()
def web():
    server = serve(create_http_lab_app("t"))
    yield server
    server.stop()


def test_mini_cache_fresh_then_revalidates(web):
    clock = FakeClock()
    cache = MiniCache(clock=clock)
    for wait in (0, 59, 2, 30, 40):
        clock.advance(wait)
        assert cache.get(web.url + "/doc") == DOC
    assert [how for how, _ in cache.log] == [
        "200 전체 응답",
        "캐시 (요청 없음)",
        "304 재검증",
        "캐시 (요청 없음)",
        "304 재검증",
    ]
    assert web.app.config["doc_hits"] == 3


def test_counters_behind_the_balancer():
    servers = [serve(create_http_lab_app(f"b{i}")) for i in (1, 2, 3)]
    lb = start_balancer(servers, name="test-http-lab-lb")
    try:
        rr = visit_answers(lb, "round_robin", "/memory-visits?user=a")
        assert [v for _, v in rr] == [1, 1, 1, 2, 2, 2]
        assert "b3" in policy_table(rr)
        for policy in ("sticky", "hash"):
            assert [v for _, v in visit_answers(lb, policy, f"/memory-visits?user={policy}")] == [
                1,
                2,
                3,
                4,
                5,
                6,
            ]
        with requests.Session() as browser:
            got = [browser.post(lb.url + "/cookie-visits", timeout=5).json() for _ in range(4)]
        lb.policy = "round_robin"
        assert [g["visits"] for g in got] == [1, 2, 3, 4]
        servers[1].stop()
        lb.reset()
        assert [a[1] for a in visit_answers(lb, "round_robin", "/visits", n=3)] == [1, 502, 1]
    finally:
        lb.stop()
        for s in servers:
            s.stop()


def test_policy_widget_sends_requests(capsys):
    servers = [serve(create_http_lab_app(f"b{i}")) for i in (1, 2)]
    lb = start_balancer(servers, name="test-http-lab-widget")
    try:
        box = policy_widget(lb, n=4)
        dropdown, button = box.children[0].children
        dropdown.value = "hash"
        button.click()
        assert lb.policy == "hash" and len(lb.log) == 4
        assert "✅" in capsys.readouterr().out  # outside a kernel the Output widget prints to stdout
    finally:
        lb.stop()
        for s in servers:
            s.stop()


def test_connections_used_counts_what_the_server_does(web):
    from sessionlab.infra.wire import build_request
    from sessionlab.labs.lab03 import connections_used

    host = web.url.removeprefix("http://")
    http10 = f"GET /hello HTTP/1.0\r\nHost: {host}\r\n\r\n".encode()
    assert len(set(connections_used(web.url, 4, http10))) == 4
    assert len(set(connections_used(web.url, 4, build_request("GET", "/hello", host, close=True)))) == 4
    assert len(set(connections_used(web.url, 4, build_request("GET", "/hello", host)))) == 1


@pytest.mark.parametrize(
    ("headers", "authorization", "seconds"),
    [
        ([("Cache-Control", "max-age=60")], False, 60),
        ([("Cache-Control", "public, s-maxage=5, max-age=60")], False, 5),
        ([("Cache-Control", "private, max-age=60")], False, 0),
        ([("Cache-Control", "no-store")], False, 0),
        ([("Cache-Control", "max-age=60")], True, 0),
        ([("Set-Cookie", "sid=x")], False, 0),
        ([("Cache-Control", "max-age=60"), ("Set-Cookie", "sid=x")], False, 60),
    ],
)
def test_shared_cache_storable_for(headers, authorization, seconds):
    from sessionlab.labs.lab03 import SharedCache

    assert SharedCache.storable_for(headers, authorization) == seconds


def test_shared_cache_leaks_max_age_page_but_not_private(web):
    from sessionlab.labs.lab03 import SharedCache

    proxy = serve(SharedCache(web.url))
    users = {name: requests.Session() for name in ("a", "b", "c", "d")}
    try:
        for name, browser in users.items():
            browser.post(web.url + f"/session-visits?user={name}", timeout=5)
        leak = [users[n].get(proxy.url + "/my-page", timeout=5) for n in ("a", "b")]
        safe = [users[n].get(proxy.url + "/my-page/private", timeout=5) for n in ("c", "d")]
    finally:
        proxy.stop()
        for browser in users.values():
            browser.close()
    assert [r.headers["X-Cache"] for r in leak] == ["MISS", "HIT"] and leak[1].text.startswith("a님")
    assert [r.headers["X-Cache"] for r in safe] == ["MISS", "MISS"] and safe[1].text.startswith("d님")


def test_no_jar_answer_key_is_what_the_balancer_does():
    """Exercise 1's key, measured: a client without a cookie jar calls the in-memory counter."""
    from sessionlab.exercises.ex03 import NO_JAR_ANSWER

    servers = [serve(create_http_lab_app(f"b{i}")) for i in (1, 2, 3)]
    lb = start_balancer(servers, name="test-http-lab-nojar")
    try:
        counts_right = {
            policy: [v for _, v in visit_answers(lb, policy, f"/memory-visits?user=nj-{policy}", jar=False)]
            == [1, 2, 3, 4, 5, 6]
            for policy in NO_JAR_ANSWER
        }
    finally:
        lb.stop()
        for s in servers:
            s.stop()
    assert counts_right == NO_JAR_ANSWER


def test_count_without_jar_shows_the_sticky_cookie_never_comes_back():
    from sessionlab.labs.lab03 import count_without_jar

    servers = [serve(create_http_lab_app(f"b{i}")) for i in (1, 2, 3)]
    lb = start_balancer(servers, name="test-http-lab-nojar-count")
    try:
        sticky = count_without_jar(lb, "sticky", n=6)
        rr = count_without_jar(lb, "round_robin", n=3)
    finally:
        lb.stop()
        for s in servers:
            s.stop()
    assert sticky.final == 6 and len(set(sticky.served)) == 3
    assert sticky.sticky_cookies == sticky.served  # each answer pinned the client to the server that answered
    assert sticky.cookies_sent == [None] * 6  # ... and the client never sent it back
    assert rr.sticky_cookies == [None] * 3


def test_cache_timeline_letters(web):
    from sessionlab.labs.lab03 import cache_timeline

    assert cache_timeline(web.url + "/doc", [0, 10, 40, 61]) == "ABBC"
    assert cache_timeline(web.url + "/doc", [0, 50, 70, 100, 140]) == "ABCBC"


def test_tables_read_as_markdown():
    from sessionlab.labs.lab03 import echo_table, md_table, visits_table

    assert md_table(["a", "b"], [[1, "x|y"]]).data == "| a | b |\n|---|---|\n| 1 | x\\|y |"
    seen = {"새 연결": {"method": "GET", "path": "/echo", "body": "", "headers": {}, "server": "web"}}
    text = echo_table(seen).data
    assert "| 본문 | (없음) |" in text and "| 헤더 (Host 말고) | (없음) |" in text
    text = visits_table({"sticky": [("b1", 1), ("b1", 2)], "hash": [("b3", 1)]}).data
    assert "| 2 | b1 → 2 |  |" in text
