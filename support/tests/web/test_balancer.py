"""sessionlab.balancer: every policy, forwarding exactly, and every failure without a hang."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask, Response, request

from sessionlab import serve
from sessionlab.web.balancer import (
    ALL_POLICIES,
    POLICIES,
    Balancer,
    HashRing,
    client_address,
    nginx_ip_hash,
    start_balancer,
)

TIMEOUT = 5  # every client call has one: a test fails, it never hangs


def backend_app(name: str) -> Flask:
    """Echoes what it received and says who it is."""
    app = Flask(name)

    @app.route("/echo", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    def echo():
        return {
            "server": name,
            "method": request.method,
            "path": request.path,
            "query": request.query_string.decode(),
            "headers": dict(request.headers),
            "body": request.get_data(as_text=True),
        }

    @app.get("/cookies")
    def cookies():
        resp = Response("two cookies")
        resp.set_cookie("a", "1", httponly=True)
        resp.set_cookie("b", "2", path="/x", samesite="Strict")
        return resp

    @app.get("/status/<int:code>")
    def status(code):
        return Response("" if code in (204, 304) else f"status {code}", status=code)

    @app.get("/slow")
    def slow():
        time.sleep(float(request.args.get("s", "2")))
        return "late"

    @app.get("/big")
    def big():
        return "x" * 1_000_000

    return app


@pytest.fixture()
def trio():
    servers = [serve(backend_app(f"b{i}")) for i in (1, 2, 3)]
    yield servers
    for s in servers:
        s.stop()


@pytest.fixture()
def lb(trio):
    balancer = start_balancer([s.url for s in trio], policy="round_robin", name="test-lb", timeout=1)
    yield balancer
    balancer.stop()


def served(lb, n, **kw):
    with requests.Session() as http:
        return [http.get(lb.url + "/echo", timeout=TIMEOUT, **kw).json()["server"] for _ in range(n)]


# --- policies -----------------------------------------------------------------
def test_round_robin_takes_turns(lb):
    assert served(lb, 6) == ["b1", "b2", "b3", "b1", "b2", "b3"]
    assert lb.counts() == {"b1": 2, "b2": 2, "b3": 2}
    assert lb.served_by() == ["b1", "b2", "b3", "b1", "b2", "b3"]


def test_round_robin_skips_a_backend_marked_down_and_takes_it_back(lb):
    lb.mark_down(1)
    assert set(served(lb, 6)) == {"b1", "b3"}
    lb.mark_up(1)
    assert set(served(lb, 6)) == {"b1", "b2", "b3"}


def test_backends_by_name(lb):
    lb.mark_down("b3")
    assert set(served(lb, 4)) == {"b1", "b2"} and not lb.backend("b3").up
    lb.mark_up("b3")
    assert lb.backend(2).up and lb.backend("b3") is lb.backends[2]
    with pytest.raises(KeyError, match="백엔드"):
        lb.mark_down("b9")


def test_sticky_pins_a_client_with_a_cookie(lb):
    lb.policy = "sticky"
    with requests.Session() as alice, requests.Session() as bob:
        first = alice.get(lb.url + "/echo", timeout=TIMEOUT)
        assert first.cookies.get("lb_server") == first.json()["server"]
        assert "HttpOnly" in first.headers["Set-Cookie"]
        a = {alice.get(lb.url + "/echo", timeout=TIMEOUT).json()["server"] for _ in range(5)}
        b = {bob.get(lb.url + "/echo", timeout=TIMEOUT).json()["server"] for _ in range(5)}
    assert len(a) == 1 and len(b) == 1 and a != b  # each pinned, to different servers


def test_sticky_moves_the_client_when_its_server_is_marked_down(lb):
    lb.policy = "sticky"
    with requests.Session() as http:
        pinned = http.get(lb.url + "/echo", timeout=TIMEOUT).json()["server"]
        lb.mark_down(int(pinned[1]) - 1)
        moved = http.get(lb.url + "/echo", timeout=TIMEOUT)
        assert moved.status_code == 200 and moved.json()["server"] != pinned
        assert http.cookies.get("lb_server") == moved.json()["server"]  # cookie replaced


def test_sticky_says_the_sessions_server_is_gone_when_it_dies(lb, trio):
    lb.policy = "sticky"
    with requests.Session() as http:
        pinned = http.get(lb.url + "/echo", timeout=TIMEOUT).json()["server"]
        trio[int(pinned[1]) - 1].stop()
        t0 = time.perf_counter()
        resp = http.get(lb.url + "/echo", timeout=TIMEOUT)
    assert time.perf_counter() - t0 < 3
    assert resp.status_code == 502
    assert pinned in resp.text and "세션" in resp.text and "사라졌습니다" in resp.text
    assert resp.headers["Content-Type"].startswith("text/plain")
    assert lb.log[-1].status == 502 and lb.log[-1].error


def test_unknown_sticky_cookie_is_replaced(lb):
    lb.policy = "sticky"
    resp = requests.get(lb.url + "/echo", cookies={"lb_server": "nope"}, timeout=TIMEOUT)
    assert resp.status_code == 200 and resp.cookies.get("lb_server") == resp.json()["server"]


def test_hash_keeps_a_client_on_one_server_and_spreads_clients(lb):
    lb.policy = "hash"
    one = served(lb, 6, headers={"X-Forwarded-For": "10.0.0.7"})
    assert len(set(one)) == 1
    many = {served(lb, 1, headers={"X-Forwarded-For": f"10.0.0.{i}"})[0] for i in range(30)}
    assert many == {"b1", "b2", "b3"}
    assert len(set(served(lb, 5))) == 1  # no header: the peer address, always 127.0.0.1


def test_hash_remaps_when_the_set_of_servers_changes(lb):
    lb.policy = "hash"
    clients = [{"X-Forwarded-For": f"10.1.0.{i}"} for i in range(30)]
    before = [served(lb, 1, headers=h)[0] for h in clients]
    lb.mark_down(2)
    after = [served(lb, 1, headers=h)[0] for h in clients]
    assert "b3" not in after and any(x != y for x, y in zip(before, after) if x != "b3")


def test_nginx_ip_hash_matches_nginx_arithmetic():
    # 89 -> (89*113+10)%6271=3796 -> (3796*113+0)%6271=2520 -> (2520*113+3)%6271=2568; 2568 % 3 = 0
    assert nginx_ip_hash("10.0.3.200", [True, True, True]) == 0
    # only the first three octets count: a whole /24 goes to one server
    assert {nginx_ip_hash(f"10.0.3.{i}", [True] * 3) for i in range(256)} == {0}
    # first choice down: the hash is stirred again (2568 -> ...), not taken mod 2
    # (2568*113+10)%6271=1728 -> (1728*113+0)%6271=863 -> (863*113+3)%6271=3457; 3457 % 3 = 1
    assert nginx_ip_hash("10.0.3.200", [False, True, True]) == 1
    assert nginx_ip_hash("10.0.3.200", [False, False, False]) is None  # nginx falls back to round robin
    assert nginx_ip_hash("::1", [True, True]) in (0, 1) and nginx_ip_hash("not-an-ip", [True]) == 0


def _routes(lb, clients):
    return [served(lb, 1, headers={"X-Forwarded-For": ip})[0] for ip in clients]


@pytest.mark.parametrize("policy", ["ip_hash", "consistent"])
def test_down_server_moves_only_its_own_clients(lb, policy):
    lb.policy = policy
    clients = [f"10.{i}.{i * 7 % 256}.1" for i in range(60)]
    before = _routes(lb, clients)
    assert set(before) == {"b1", "b2", "b3"}
    lb.mark_down("b2")
    after = _routes(lb, clients)
    assert "b2" not in after
    assert all(a == b for a, b in zip(before, after) if a != "b2")  # survivors' clients stay


def test_naive_hash_moves_survivors_clients_too(lb):
    lb.policy = "hash"
    clients = [f"10.{i}.{i * 7 % 256}.1" for i in range(60)]
    before = _routes(lb, clients)
    lb.mark_down("b2")
    after = _routes(lb, clients)
    assert sum(a != b for a, b in zip(before, after) if a != "b2") > 5


def test_hash_ring_adding_a_name_moves_a_quarter_to_it_only():
    keys = [f"10.{i}.{i % 256}.1" for i in range(2000)]
    three, four = HashRing(["s1", "s2", "s3"]), HashRing(["s1", "s2", "s3", "s4"])
    moved = [(three.lookup(k), four.lookup(k)) for k in keys if three.lookup(k) != four.lookup(k)]
    assert all(new == "s4" for _, new in moved) and 0.15 < len(moved) / len(keys) < 0.35
    assert three.lookup("x", up={"s3"}) == "s3" and three.lookup("x", up=set()) is None
    mod3 = [nginx_ip_hash(k, [True] * 3) for k in keys]
    mod4 = [nginx_ip_hash(k, [True] * 4) for k in keys]
    assert sum(a != b for a, b in zip(mod3, mod4)) / len(keys) > 0.5  # ip_hash: most clients move


def test_client_address():
    assert client_address({"REMOTE_ADDR": "127.0.0.1"}) == "127.0.0.1"
    assert (
        client_address({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 5.6.7.8"}) == "1.2.3.4"
    )


def test_policy_switches_at_run_time_and_rejects_unknown(lb):
    assert POLICIES == ("round_robin", "sticky", "hash")  # notebook 03 loops over exactly these
    assert set(POLICIES) < set(ALL_POLICIES)
    for policy in ALL_POLICIES:
        lb.policy = policy
        assert served(lb, 1)[0] in {"b1", "b2", "b3"} and lb.log[-1].policy == policy
    with pytest.raises(ValueError, match="정책"):
        lb.policy = "random"


def test_constructor_rejects_bad_backends():
    with pytest.raises(ValueError):
        Balancer([])
    with pytest.raises(ValueError):
        Balancer(["http://127.0.0.1:1", "http://127.0.0.1:2"], names=["a", "a"])


def test_lab_servers_give_their_names(trio):
    named = [serve(backend_app(f"w{i}"), name=f"test-web{i}") for i in (1, 2)]
    try:
        with start_balancer(named, name="test-lb-named") as lb:
            assert [b.name for b in lb.backends] == ["test-web1", "test-web2"]
            assert served(lb, 2) == ["w1", "w2"]
    finally:
        for s in named:
            s.stop()


# --- forwarding ---------------------------------------------------------------
def test_forwards_method_path_query_headers_and_body(lb):
    body = json.dumps({"한글": "값", "n": 1})
    resp = requests.put(
        lb.url + "/echo?a=1&b=%20x&a=2",
        data=body.encode(),
        timeout=TIMEOUT,
        headers={
            "Content-Type": "application/json",
            "X-Custom": "yes",
            "Authorization": "Bearer abc",
            "Cookie": "sid=s1; theme=dark",
        },
    )
    seen = resp.json()
    assert resp.status_code == 200
    assert (seen["method"], seen["path"], seen["query"]) == ("PUT", "/echo", "a=1&b=%20x&a=2")
    assert seen["body"] == body
    h = seen["headers"]
    assert h["X-Custom"] == "yes" and h["Authorization"] == "Bearer abc"
    assert h["Cookie"] == "sid=s1; theme=dark" and h["Content-Type"] == "application/json"
    assert h["X-Forwarded-For"] == "127.0.0.1"
    assert resp.headers["X-Served-By"] == seen["server"]


def test_appends_to_an_existing_x_forwarded_for(lb):
    seen = requests.get(lb.url + "/echo", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=TIMEOUT).json()
    assert seen["headers"]["X-Forwarded-For"] == "203.0.113.9, 127.0.0.1"


@pytest.mark.parametrize("method", ["POST", "DELETE", "PATCH"])
def test_forwards_other_methods(lb, method):
    seen = requests.request(method, lb.url + "/echo", data=b"k=v", timeout=TIMEOUT).json()
    assert seen["method"] == method and seen["body"] == "k=v"


def test_set_cookie_lines_come_back_unchanged(lb, trio):
    direct = requests.get(trio[0].url + "/cookies", timeout=TIMEOUT)
    via = requests.get(lb.url + "/cookies", timeout=TIMEOUT)
    cookies = lambda r: [v for k, v in r.raw.headers.items() if k.lower() == "set-cookie"]  # noqa: E731
    assert len(cookies(via)) == 2 and cookies(via) == cookies(direct)


@pytest.mark.parametrize("code", [201, 204, 304, 404, 500])
def test_status_codes_pass_through(lb, code):
    resp = requests.get(lb.url + f"/status/{code}", timeout=TIMEOUT)
    assert resp.status_code == code and lb.log[-1].status == code


def test_head_and_big_bodies(lb):
    assert requests.head(lb.url + "/big", timeout=TIMEOUT).status_code == 200
    assert len(requests.get(lb.url + "/big", timeout=TIMEOUT).content) == 1_000_000
    assert requests.get(lb.url + "/echo", timeout=TIMEOUT).status_code == 200  # connection still fine


def test_log_records_each_request(lb):
    requests.post(lb.url + "/echo?x=1", data=b"", timeout=TIMEOUT)
    rec = lb.log[-1]
    assert (rec.method, rec.path, rec.backend, rec.name, rec.status, rec.error) == (
        "POST",
        "/echo?x=1",
        0,
        "b1",
        200,
        "",
    )
    lb.reset()
    assert lb.log == [] and served(lb, 1) == ["b1"]


def test_connections_to_backends_are_reused(lb):
    with requests.Session() as http:
        for _ in range(9):
            http.get(lb.url + "/echo", timeout=TIMEOUT)
    assert all(len(b.pool) == 1 for b in lb.backends)  # one kept-alive connection each


def test_backend_restarted_on_the_same_port_is_reached_again(lb, trio):
    served(lb, 3)  # leaves an idle connection to each
    port = trio[0].port
    trio[0].stop()  # closes those connections on the backend side
    trio[0] = serve(backend_app("b1-again"), port=port)
    assert served(lb, 3)[0] == "b1-again"  # the stale connection was not used


# --- failures: clear answers, never a hang ---------------------------------------
def test_dead_backend_gives_502_quickly_and_the_next_request_is_fine(lb, trio):
    trio[1].stop()
    with requests.Session() as http:
        t0 = time.perf_counter()
        answers = [http.get(lb.url + "/echo", timeout=TIMEOUT) for _ in range(6)]
        assert time.perf_counter() - t0 < 3
    assert [r.status_code for r in answers] == [200, 502, 200, 200, 502, 200]
    bad = answers[4]
    assert "b2" in bad.text and "연결할 수 없습니다" in bad.text
    assert bad.headers["X-Served-By"] == "b2"
    assert "세션" not in bad.text  # not sticky: no session to lose
    assert lb.counts() == {"b1": 2, "b2": 0, "b3": 2}


def test_slow_backend_gives_504_after_the_timeout(lb):
    t0 = time.perf_counter()
    resp = requests.get(lb.url + "/slow?s=1.5", timeout=TIMEOUT)
    elapsed = time.perf_counter() - t0
    assert resp.status_code == 504 and "1초" in resp.text
    assert 0.9 < elapsed < 4


def test_backend_that_accepts_but_never_answers_gives_504():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    try:
        with start_balancer([f"http://127.0.0.1:{port}"], name="test-lb-silent", timeout=0.3) as lb:
            t0 = time.perf_counter()
            resp = requests.get(lb.url + "/", timeout=TIMEOUT)
            assert resp.status_code == 504 and time.perf_counter() - t0 < 3
    finally:
        silent.close()


def test_backend_that_sends_garbage_gives_502():
    bad = socket.socket()
    bad.bind(("127.0.0.1", 0))
    bad.listen(8)
    port = bad.getsockname()[1]

    def answer_garbage():
        conn, _ = bad.accept()
        conn.recv(65536)
        conn.sendall(b"this is not http\r\n\r\n")
        conn.close()

    threading.Thread(target=answer_garbage, daemon=True).start()
    try:
        with start_balancer([f"http://127.0.0.1:{port}"], name="test-lb-garbage", timeout=1) as lb:
            resp = requests.get(lb.url + "/", timeout=TIMEOUT)
            assert resp.status_code == 502 and "연결할 수 없습니다" in resp.text
    finally:
        bad.close()


def test_failover_marks_a_dead_backend_down_and_uses_the_next(trio):
    with start_balancer(trio, name="test-lb-failover", timeout=1, failover=True) as lb:
        trio[1].stop()
        with requests.Session() as http:
            got = [http.post(lb.url + "/echo", data=b"once", timeout=TIMEOUT) for _ in range(6)]
        assert [r.status_code for r in got] == [200] * 6
        assert {r.json()["server"] for r in got} == {"b1", "b3"}
        assert all(r.json()["body"] == "once" for r in got)
        assert not lb.backend("b2").up
        assert lb.log[1].skipped == ("b2",) and lb.log[1].status == 200
        assert all(not r.skipped for i, r in enumerate(lb.log) if i != 1)


def test_failover_gives_a_sticky_client_a_new_server_and_cookie(trio):
    with start_balancer(trio, name="test-lb-failover-sticky", policy="sticky", failover=True) as lb:
        with requests.Session() as http:
            pinned = http.get(lb.url + "/echo", timeout=TIMEOUT).json()["server"]
            trio[int(pinned[1]) - 1].stop()
            moved = http.get(lb.url + "/echo", timeout=TIMEOUT)
            assert moved.status_code == 200 and moved.json()["server"] != pinned
            assert http.cookies["lb_server"] == moved.json()["server"]
        assert lb.log[-1].skipped == (pinned,)


def test_failover_with_every_backend_dead_gives_503(trio):
    with start_balancer(trio, name="test-lb-failover-all", failover=True) as lb:
        for s in trio:
            s.stop()
        resp = requests.get(lb.url + "/echo", timeout=TIMEOUT)
        assert resp.status_code == 503 and sorted(lb.log[-1].skipped) == ["b1", "b2", "b3"]


def test_failover_does_not_retry_a_request_that_may_have_reached_the_backend(trio):
    with start_balancer(trio, name="test-lb-failover-slow", timeout=0.5, failover=True) as lb:
        resp = requests.get(lb.url + "/slow?s=1", timeout=TIMEOUT)
        assert resp.status_code == 504 and all(b.up for b in lb.backends) and lb.log[-1].skipped == ()


def test_all_backends_down_gives_503(lb):
    for i in range(3):
        lb.mark_down(i)
    resp = requests.get(lb.url + "/echo", timeout=TIMEOUT)
    assert resp.status_code == 503 and "down" in resp.text
    assert lb.log[-1].backend == -1 and lb.served_by()[-1] == "-"


def test_stop_closes_the_balancer(trio):
    lb = start_balancer(trio, name="test-lb-stop")
    url = lb.url
    served(lb, 3)
    lb.stop()
    assert not lb.running and all(len(b.pool) == 0 for b in lb.backends)
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/echo", timeout=TIMEOUT)


def test_same_name_replaces_the_old_balancer(trio):
    first = start_balancer(trio, name="test-lb-again")
    second = start_balancer(trio, name="test-lb-again")
    try:
        assert not first.running and second.running
    finally:
        second.stop()


def test_raw_keep_alive_client_through_the_balancer(lb):
    parts = urlsplit(lb.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
    try:
        for expected in ("b1", "b2", "b3"):
            conn.request("GET", "/echo")
            assert json.loads(conn.getresponse().read())["server"] == expected
    finally:
        conn.close()
