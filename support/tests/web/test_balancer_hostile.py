"""The balancer under hostile backends and clients: a dribbling backend, malformed requests."""

import socket
import threading
import time

import pytest

from sessionlab.web.balancer import start_balancer


class Backend:
    """A raw-socket backend on 127.0.0.1: ``handle(conn)`` answers one connection; ``close()`` stops it."""

    def __init__(self):
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.handle(conn)
                except OSError:
                    pass

    def handle(self, conn):
        raise NotImplementedError

    def close(self):
        self.stop.set()
        self.thread.join(timeout=3)
        self.listener.close()


class Dribbler(Backend):
    """A backend that reads a request and answers one byte every 0.1 s (7 s in all)."""

    ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n" + b"x" * 30

    def handle(self, conn):
        conn.recv(65536)
        for i in range(len(self.ANSWER)):
            if self.stop.wait(0.1):
                break
            conn.sendall(self.ANSWER[i : i + 1])


@pytest.fixture()
def dribbler():
    d = Dribbler()
    yield d
    d.close()


def test_a_dribbling_backend_gets_504_within_the_timeout(dribbler):
    import http.client

    lb = start_balancer([dribbler.url], name="dribble-lb", timeout=0.5)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", lb.server.port, timeout=5)
        start = time.monotonic()
        conn.request("GET", "/")
        resp = conn.getresponse()
        resp.read()
        elapsed = time.monotonic() - start
        conn.close()
        assert resp.status == 504 and elapsed < 1.5, (resp.status, elapsed)  # not 7 s
    finally:
        lb.stop()


# --- proxy correctness ---------------------------------------------------------
class RawBackend(Backend):
    """A backend that records each request's head and answers with fixed bytes."""

    def __init__(self, answer: bytes):
        self.answer, self.heads = answer, []
        super().__init__()

    def handle(self, conn):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(65536)
            if not chunk:
                break
            head += chunk
        if head:
            self.heads.append(head.decode("latin-1").lower())
            conn.sendall(self.answer)


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


@pytest.fixture()
def proxied(request):
    def make(answer: bytes = OK):
        backend = RawBackend(answer)
        lb = start_balancer([backend.url], name="proxy-lb", timeout=2)
        request.addfinalizer(backend.close)
        request.addfinalizer(lb.stop)
        return lb, backend

    return make


def send_raw(port: int, data: bytes) -> str:
    """Send raw bytes, return one whole answer: head and ``Content-Length`` bytes of body."""
    with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
        s.sendall(data)
        out = b""
        while b"\r\n\r\n" not in out and (chunk := s.recv(65536)):
            out += chunk
        head, _, body = out.partition(b"\r\n\r\n")
        lengths = [
            int(v)
            for k, _, v in (h.partition(b":") for h in head.split(b"\r\n"))
            if k.lower() == b"content-length"
        ]
        while len(body) < (lengths[0] if lengths else 0) and (chunk := s.recv(65536)):
            body += chunk
    return (head + b"\r\n\r\n" + body).decode("utf-8", errors="replace")


def test_conflicting_content_length_is_refused_before_the_backend(proxied):
    lb, backend = proxied()
    req = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\nConnection: close\r\n\r\nhelloab"
    assert send_raw(lb.server.port, req).startswith("HTTP/1.1 400 ")
    assert backend.heads == []


def test_the_balancer_itself_refuses_a_content_length_list():
    # behind a server that passes "5, 7" through (RFC 9112 §6.3: invalid framing), not a 500
    from io import BytesIO

    from sessionlab.web.balancer import Balancer

    lb = Balancer(["http://127.0.0.1:9"])
    seen = []
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "CONTENT_LENGTH": "5, 7",
        "wsgi.input": BytesIO(b"helloab"),
        "REMOTE_ADDR": "127.0.0.1",
    }
    lb(environ, lambda status, headers: seen.append(status))
    assert seen and seen[0].startswith("400")


def test_conflicting_content_length_from_the_backend_gives_502(proxied):
    lb, _ = proxied(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 9\r\n\r\nok")
    answer = send_raw(lb.server.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith("HTTP/1.1 502 ")  # RFC 9112 §6.3: discard it, answer 502


def test_hop_by_hop_headers_are_not_forwarded_either_way(proxied):
    lb, backend = proxied(
        b"HTTP/1.1 200 OK\r\nConnection: X-Backend-Hop\r\nX-Backend-Hop: 1\r\nKeep-Alive: timeout=5\r\n"
        b"Content-Length: 2\r\n\r\nok"
    )
    req = (
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close, X-Client-Hop\r\nX-Client-Hop: secret\r\n"
        b"Keep-Alive: 300\r\nTE: trailers\r\nProxy-Authorization: Basic eDp5\r\nX-End-To-End: yes\r\n\r\n"
    )
    answer = send_raw(lb.server.port, req).lower()
    (head,) = backend.heads
    # RFC 9110 §7.6.1: the fixed list, and every field named in Connection
    for name in ("x-client-hop", "keep-alive", "te:", "proxy-authorization"):
        assert name not in head, name
    assert "x-end-to-end: yes" in head
    assert answer.startswith("http/1.1 200 ") and "x-backend-hop" not in answer and "keep-alive" not in answer


@pytest.mark.parametrize("bad", [b"/a\tb", b"/a\x7fb"])
def test_a_control_character_in_the_path_is_400_not_502(proxied, bad):
    lb, backend = proxied()
    answer = send_raw(lb.server.port, b"GET " + bad + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith("HTTP/1.1 400 ") and backend.heads == []
