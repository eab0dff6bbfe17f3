"""sessionlab.http_lab and the checkers of notebook 03."""
from __future__ import annotations

import pytest
import requests

from sessionlab import serve
from sessionlab.apps.http_basics import DOC, create_http_lab_app
from sessionlab.exercises.ex03 import check_policies, check_raw_request, check_revalidation
from sessionlab.infra.wire import RawConnection, build_request, parse_raw_response, raw_http, show_raw
from sessionlab.labs.lab03 import MiniCache, policy_table, policy_widget, visit_answers
from sessionlab.web.balancer import start_balancer
from sessionlab.web.stores import FakeClock


@pytest.fixture()
def web():
    server = serve(create_http_lab_app("t"))
    yield server
    server.stop()


def host(server):
    return server.url.removeprefix("http://")


def test_build_request_is_exact_bytes():
    assert build_request("GET", "/x", "h:1") == b"GET /x HTTP/1.1\r\nHost: h:1\r\n\r\n"
    assert build_request("POST", "/x", "h", {"A": "b"}, body="민", close=True) == (
        b"POST /x HTTP/1.1\r\nHost: h\r\nA: b\r\nContent-Length: 3\r\nConnection: close\r\n\r\n" + "민".encode())


def test_raw_request_and_show(web, capsys):
    raw = raw_http(web.url, build_request("GET", "/hello", host(web), close=True))
    resp = parse_raw_response(raw)
    assert (resp.status, resp.body, resp.wire_bytes) == (200, b"hello", len(raw))
    show_raw(raw)
    assert "HTTP/1.1 200 OK↵\n" in capsys.readouterr().out


@pytest.mark.parametrize("line", [b"HELLO\r\n\r\n", b"GARBAGE\r\n\r\n", b"\x00\x01\x02\r\n\r\n"])
def test_malformed_request_line_gets_400(web, line):
    resp = parse_raw_response(raw_http(web.url, line, timeout=3))
    assert resp.status == 400 and b"Bad Request" in resp.body


def test_two_requests_share_nothing_even_on_one_connection(web):
    who = build_request("GET", "/echo", host(web))
    with RawConnection(web.url) as conn:
        conn.send(build_request("POST", "/echo", host(web), body="제 이름은 민수"))
        after = conn.send(who).json()
    with RawConnection(web.url) as conn:
        alone = conn.send(who).json()
    assert after == alone and "민수" not in str(after)


def test_failure_does_not_break_the_connection(web):
    with RawConnection(web.url) as conn:
        assert conn.send(build_request("GET", "/fail", host(web))).status == 500
        assert conn.send(build_request("GET", "/hello", host(web))).status == 200


def test_etag_revalidation_and_wire_bytes(web):
    first = parse_raw_response(raw_http(web.url, build_request("GET", "/doc", host(web), close=True)))
    assert first.body == DOC and len(DOC) == 20_000 and first.header("Cache-Control") == "public, max-age=60"
    again = parse_raw_response(raw_http(web.url, build_request(
        "GET", "/doc", host(web), {"If-None-Match": first.header("ETag")}, close=True)))
    assert again.status == 304 and again.body == b"" and again.wire_bytes < 300
    other = parse_raw_response(raw_http(web.url, build_request(
        "GET", "/doc", host(web), {"If-None-Match": '"stale"'}, close=True)))
    assert other.status == 200


def test_mini_cache_fresh_then_revalidates(web):
    clock = FakeClock()
    cache = MiniCache(clock=clock)
    for wait in (0, 59, 2, 30, 40):
        clock.advance(wait)
        assert cache.get(web.url + "/doc") == DOC
    assert [how for how, _ in cache.log] == ["200 전체 응답", "캐시 (요청 없음)", "304 재검증",
                                            "캐시 (요청 없음)", "304 재검증"]
    assert web.app.config["doc_hits"] == 3


def test_counters_behind_the_balancer():
    servers = [serve(create_http_lab_app(f"b{i}")) for i in (1, 2, 3)]
    lb = start_balancer(servers, name="test-http-lab-lb")
    try:
        rr = visit_answers(lb, "round_robin", "/memory-visits?user=a")
        assert [v for _, v in rr] == [1, 1, 1, 2, 2, 2]
        assert "b3" in policy_table(rr)
        for policy in ("sticky", "hash"):
            assert [v for _, v in visit_answers(lb, policy, f"/memory-visits?user={policy}")] == [1, 2, 3, 4, 5, 6]
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
        assert "✅" in capsys.readouterr().out   # outside a kernel the Output widget prints to stdout
    finally:
        lb.stop()
        for s in servers:
            s.stop()


# --- checkers -------------------------------------------------------------------
def test_check_policies():
    assert not check_policies(...)
    assert check_policies({"round_robin": False, "sticky": True, "hash": True})
    wrong = check_policies({"round_robin": True, "sticky": True, "hash": True})
    assert not wrong and "round_robin" in wrong.message
    assert not check_policies({"sticky": True})


@pytest.mark.parametrize("answer, ok, hint", [
    (b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", True, "200"),
    ("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", True, "200"),
    (b"GET /hello HTTP/1.1\r\n\r\n", False, "Host"),
    (b"GET /hello HTTP/1.1\nHost: x\n\n", False, "요청 줄"),
    (b"GET /hello HTTP/1.1\r\nHost: x\r\n", False, "빈 줄"),
    (b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", False, "요청 줄"),
    (42, False, "bytes"),
])
def test_check_raw_request(answer, ok, hint):
    got = check_raw_request(answer)
    assert bool(got) is ok and hint in got.message


def test_check_revalidation():
    assert check_revalidation(("If-None-Match", 304))
    assert check_revalidation(("if-none-match", 304))
    assert "Last-Modified" in check_revalidation(("If-Modified-Since", 304)).message
    assert not check_revalidation(("If-None-Match", 200))
    assert not check_revalidation("304")
    assert not check_revalidation(...)
