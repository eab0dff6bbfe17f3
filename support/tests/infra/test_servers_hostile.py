"""Lab servers (and the balancer served on one) under hostile clients: slowloris, idle sockets."""

import http.client
import socket
import time
from contextlib import ExitStack

import pytest
from flask import Flask

from sessionlab import serve
from sessionlab.web.balancer import start_balancer

SLOW_CLIENTS = 200  # past waitress's default connection_limit (100), to 127.0.0.1 only


def make_app():
    app = Flask("t")

    @app.get("/")
    def index():
        return "hello"

    return app


def half_open(stack: ExitStack, port: int, n: int) -> list[socket.socket]:
    """``n`` slowloris clients: each sends the start of a request and never finishes it."""
    socks = []
    for _ in range(n):
        s = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=2))
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        socks.append(s)
    return socks


def answer_time(host: str, port: int) -> float:
    """Seconds a normal client waits for ``GET /`` (a new connection each time)."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=3.0)
    try:
        conn.request("GET", "/")
        resp = conn.getresponse()
        assert resp.status == 200 and resp.read()
    finally:
        conn.close()
    return time.perf_counter() - start


@pytest.mark.parametrize("front", ["server", "balancer"])
def test_slowloris_does_not_lock_out_a_normal_client(front):
    backend = serve(make_app(), name=None)
    lb = start_balancer([backend.url], name="hostile-lb") if front == "balancer" else None
    port = lb.server.port if lb else backend.port
    try:
        with ExitStack() as stack:
            half_open(stack, port, SLOW_CLIENTS)
            waits = [answer_time("127.0.0.1", port) for _ in range(3)]
        # Locked out, a client waits until request_timeout (10 s) drops the slow ones: 3 s tells the
        # two apart and leaves room for a busy machine (two make tests at once once took over 1 s).
        assert max(waits) < 3.0, waits  # raises TimeoutError with waitress's 100-connection limit
    finally:
        if lb:
            lb.stop()
        backend.stop()


def test_a_dribbling_request_is_cut_off():
    # one byte every 0.2 s never looks idle, but the request as a whole has a deadline
    server = serve(make_app(), name=None, request_timeout=1)
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=0.5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            start, closed = time.monotonic(), False
            while time.monotonic() - start < 6 and not closed:
                try:
                    s.sendall(b"X")
                    closed = s.recv(1, socket.MSG_DONTWAIT) == b""
                except BlockingIOError:
                    pass
                except OSError:  # reset by the server
                    closed = True
                time.sleep(0.2)
            assert closed and time.monotonic() - start < 4
        assert answer_time("127.0.0.1", server.port) < 3.0
    finally:
        server.stop()


def test_a_silent_connection_is_closed_after_the_idle_timeout():
    server = serve(make_app(), name=None, channel_timeout=1)
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=4) as s:
            start = time.monotonic()
            try:
                closed = s.recv(1) == b""  # blocks until the server closes it
            except ConnectionResetError:
                closed = True
            assert closed and time.monotonic() - start < 3.5  # idle 1 s, checked every second
    finally:
        server.stop()
