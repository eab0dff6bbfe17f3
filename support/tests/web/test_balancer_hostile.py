"""The balancer under hostile backends and clients: a dribbling backend, malformed requests."""

import socket
import threading
import time

import pytest

from sessionlab.web.balancer import start_balancer


class Dribbler:
    """A backend that reads a request and answers one byte every 0.1 s (7 s in all)."""

    ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n" + b"x" * 30

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
                    conn.recv(65536)
                    for i in range(len(self.ANSWER)):
                        if self.stop.wait(0.1):
                            break
                        conn.sendall(self.ANSWER[i : i + 1])
                except OSError:
                    pass

    def close(self):
        self.stop.set()
        self.thread.join(timeout=3)
        self.listener.close()


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
