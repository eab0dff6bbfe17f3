"""Lab servers: real HTTP on 127.0.0.1, clean stop, replace-by-name, clear errors."""

import http.client
import socket
import threading

import pytest
from flask import Flask

from sessionlab import LabServerError, serve
from sessionlab.infra import ports, servers


def make_app(text="hello"):
    app = Flask("t")

    @app.get("/")
    def index():
        return text

    return app


def port_is_bound(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def lab_threads():
    return [
        t for t in threading.enumerate() if t.name.startswith("sessionlab-server") or "waitress" in t.name
    ]


def test_serves_on_loopback_and_keeps_connection_alive():
    with serve(make_app()) as srv:
        assert srv.host == "127.0.0.1" and srv.url == f"http://127.0.0.1:{srv.port}"
        conn = http.client.HTTPConnection("127.0.0.1", srv.port)
        socks = set()
        for _ in range(3):
            conn.request("GET", "/")
            resp = conn.getresponse()
            assert resp.read() == b"hello"
            assert resp.getheader("Connection", "").lower() != "close"
            socks.add(id(conn.sock))
        assert len(socks) == 1  # one TCP connection served all three requests
        conn.close()


def test_stop_leaves_no_thread_and_no_bound_port():
    before = len(lab_threads())
    srv = serve(make_app())
    conn = http.client.HTTPConnection("127.0.0.1", srv.port)
    conn.request("GET", "/")
    conn.getresponse().read()  # an idle kept-alive connection must not keep it alive
    srv.stop()
    assert not srv.running
    assert not port_is_bound(srv.port)
    assert len(lab_threads()) == before
    srv.stop()  # stopping twice is harmless


def test_two_servers_at_once_answer_independently():
    with serve(make_app("one")) as a, serve(make_app("two")) as b:
        assert a.port != b.port
        assert http_get(a.url) == "one" and http_get(b.url) == "two"


def test_same_name_replaces_the_old_server():
    first = serve(make_app("old"), name="lab-x")
    second = serve(make_app("new"), name="lab-x")
    try:
        assert not first.running and not port_is_bound(first.port)
        assert http_get(second.url) == "new"
    finally:
        second.stop()


def test_free_port_is_ours_to_choose_and_a_lost_race_is_retried(monkeypatch):
    with serve(make_app()) as srv:
        assert srv.port not in ports.ephemeral_ports()  # see test_ports
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        offered = [taken.getsockname()[1], ports.pick_port()]  # the first is taken "after" the pick
        monkeypatch.setattr(ports, "pick_port", lambda offset=0: offered.pop(0))
        with serve(make_app()) as srv:
            assert offered == [] and http_get(srv.url) == "hello"


def test_bind_failure_is_a_korean_error_not_systemexit():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(LabServerError, match="띄우지 못했습니다"):
            serve(make_app(), port=taken.getsockname()[1])


def test_stop_all_stops_everything():
    a, b = serve(make_app()), serve(make_app())
    assert servers.stop_all() >= 2
    assert not a.running and not b.running and servers.running() == []


def test_malformed_request_line_and_oversized_header_get_4xx():
    with serve(make_app()) as srv:
        with socket.create_connection(("127.0.0.1", srv.port)) as s:
            s.sendall(b"NONSENSE\r\n\r\n")
            assert s.recv(100).split(b" ")[1] == b"400"
        conn = http.client.HTTPConnection("127.0.0.1", srv.port)
        conn.request("GET", "/", headers={"X-Big": "a" * 20000})
        assert conn.getresponse().status == 431


def http_get(url):
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port))
    conn.request("GET", "/")
    text = conn.getresponse().read().decode()
    conn.close()
    return text
