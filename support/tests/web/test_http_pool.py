"""sessionlab.web.http_pool: reuse, one retry on a stale connection, never a retry after a timeout.

Most tests talk to a scripted raw-socket server, so each connection does exactly
what the test needs: answer, close after reading a request, or never answer.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time

import pytest

from sessionlab import serve
from sessionlab.web.http_pool import STALE, ConnectionPool

ANSWER, CLOSE, HANG, DRIBBLE = "answer", "close", "hang", "dribble"
DRIBBLED = b"HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n" + b"x" * 30  # one byte per 0.1 s: 7 s in all


class ScriptedServer:
    """Connection *i* follows ``scripts[i]``: one action per request it reads, then it closes.

    ``answer``: 200 with the number of requests read so far (keep-alive); ``close``:
    close without answering; ``hang``: never answer; ``dribble``: answer one byte every
    0.1 s (each read gets data long before any per-read timeout). Connections beyond the scripts answer.
    """

    def __init__(self, *scripts):
        self.scripts = list(scripts)
        self.connections = self.requests = 0
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            script = self.scripts[self.connections] if self.connections < len(self.scripts) else [ANSWER] * 10
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn, script), daemon=True).start()

    def _handle(self, conn: socket.socket, script) -> None:
        conn.settimeout(None)
        with conn, conn.makefile("rb") as reader:
            for action in script:
                if not _read_request(reader):
                    return
                self.requests += 1
                if action == ANSWER:
                    body = str(self.requests).encode()
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                elif action == DRIBBLE:
                    for i in range(len(DRIBBLED)):
                        if self._stop.wait(0.1):
                            return
                        try:
                            conn.sendall(DRIBBLED[i : i + 1])
                        except OSError:
                            return
                elif action == HANG:
                    self._stop.wait(5)
                    return
                else:
                    return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._listener.close()


def _read_request(reader) -> bool:
    """Read one request head (the tests send no bodies); False at end of stream."""
    line = reader.readline()
    if not line:
        return False
    while line not in (b"\r\n", b"\n", b""):
        line = reader.readline()
    return True


@pytest.fixture()
def scripted():
    servers = []

    def start(*scripts):
        server = ScriptedServer(*scripts)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def test_an_idle_connection_is_reused(scripted):
    server = scripted([ANSWER, ANSWER, ANSWER])
    pool = ConnectionPool("127.0.0.1", server.port, timeout=2)
    bodies = [pool.request("GET", "/")[1] for _ in range(3)]
    assert bodies == [b"1", b"2", b"3"] and server.connections == 1 and len(pool) == 1
    pool.close()
    assert len(pool) == 0


def test_a_real_keep_alive_server_sees_one_client_port():
    def app(environ, start_response):
        body = environ["REMOTE_PORT"].encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    server = serve(app, name="test-http-pool")
    try:
        pool = ConnectionPool("127.0.0.1", server.port, timeout=2)
        ports = {pool.request("GET", "/")[1] for _ in range(5)}
        assert len(ports) == 1 and len(pool) == 1
        pool.close()
    finally:
        server.stop()


def test_a_stale_connection_is_retried_once_on_a_new_one(scripted):
    server = scripted([ANSWER, CLOSE], [ANSWER])  # the server drops the kept-alive connection
    pool = ConnectionPool("127.0.0.1", server.port, timeout=2)
    assert pool.request("GET", "/")[1] == b"1"
    resp, body = pool.request("GET", "/")  # reused: closed under it, retried on a new one
    assert resp.status == 200 and body == b"3" and server.connections == 2
    pool.close()


def test_only_once_and_never_on_a_new_connection(scripted):
    server = scripted([ANSWER, CLOSE], [CLOSE])
    pool = ConnectionPool("127.0.0.1", server.port, timeout=2)
    pool.request("GET", "/")
    with pytest.raises(STALE):
        pool.request("GET", "/")  # the stale one, then the new one: both fail
    assert server.connections == 2 and server.requests == 3 and len(pool) == 0
    fresh = scripted([CLOSE])
    with pytest.raises(STALE):
        ConnectionPool("127.0.0.1", fresh.port, timeout=2).request("GET", "/")
    assert fresh.connections == 1  # a new connection is never retried


def test_a_timeout_is_not_retried(scripted):
    server = scripted([ANSWER, HANG])
    pool = ConnectionPool("127.0.0.1", server.port, timeout=0.3)
    pool.request("GET", "/")
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        pool.request("GET", "/")  # may still be running there: not sent again
    assert time.monotonic() - start < 1.5
    time.sleep(0.1)
    assert server.connections == 1 and server.requests == 2 and len(pool) == 0


@pytest.mark.parametrize("reused", [False, True])
def test_the_timeout_is_a_deadline_for_the_whole_request(scripted, reused):
    # A backend sending one byte every 0.1 s never trips a per-read timeout of 0.5 s;
    # the request as a whole (send, status line, headers, body) must end within it.
    server = scripted([ANSWER, DRIBBLE] if reused else [DRIBBLE])
    pool = ConnectionPool("127.0.0.1", server.port, timeout=0.5)
    if reused:
        pool.request("GET", "/")
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        pool.request("GET", "/")
    assert time.monotonic() - start < 2.0  # not the 7 s the dribble takes (margin for a busy machine)
    assert len(pool) == 0  # a connection cut mid-response is never reused


def test_a_connection_closed_while_idle_is_dropped_before_use(scripted):
    server = scripted([ANSWER], [ANSWER])  # closes right after its one answer
    pool = ConnectionPool("127.0.0.1", server.port, timeout=2)
    pool.request("GET", "/")
    time.sleep(0.1)  # the server's FIN arrives
    conn, reused = pool.acquire()
    assert not reused and len(pool) == 0  # not handed out to fail: a new one instead
    pool.release(conn)
    assert pool.request("GET", "/")[1] == b"2" and server.connections == 2


def test_a_refused_connection_is_raised_at_once():
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]  # a port nobody listens on once closed
    with pytest.raises(ConnectionRefusedError):
        ConnectionPool("127.0.0.1", port, timeout=2).request("GET", "/")


def test_idle_connections_are_capped():
    pool = ConnectionPool("127.0.0.1", 9, timeout=1, max_idle=2)
    conns = [http.client.HTTPConnection("127.0.0.1", 9) for _ in range(3)]
    for conn in conns:
        pool.release(conn)
    assert len(pool) == 2
