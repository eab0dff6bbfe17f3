"""A small pool of kept-alive HTTP/1.1 connections to one server (balancer backends, replication peers).

    pool = ConnectionPool("127.0.0.1", 8001, timeout=5.0)
    resp, body = pool.request("GET", "/count")    # an idle connection if there is one, else a new one
    pool.close()

Raw ``http.client`` connections, kept open and reused: a request costs no new TCP
handshake, which is why a hop through the lab balancer costs a fraction of a
millisecond. The rules:

* an idle connection whose socket is readable was closed by the server while it
  waited (or holds garbage): it is dropped, never used;
* a *reused* connection that fails with a stale-connection error (``STALE``: the
  server closed it just as the request went out) is retried once on a new
  connection; a new connection is never retried;
* anything else is raised as it is, on the first attempt: a timeout (the request
  may have reached the server and still be running), a refused connection (the
  caller decides: the balancer's failover tries another backend), an HTTP error;
* ``timeout`` is a deadline for the whole request (connect, send, status line,
  headers, body), not for each read: a server that sends one byte a second
  cannot hold the caller past it (``TimeoutError``, the connection is closed);
* at most ``max_idle`` idle connections are kept; a response that says it closes
  the connection (``Connection: close``, HTTP/1.0) returns nothing to the pool.
"""

from __future__ import annotations

import http.client
import io
import select
import threading
import time

__all__ = ["ConnectionPool", "STALE"]

# Errors that mean "this kept-alive connection was already closed by the server".
STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class ConnectionPool:
    """Kept-alive connections to ``host:port``; each new one gets ``timeout`` (connect and read)."""

    def __init__(self, host: str, port: int | None, timeout: float, max_idle: int = 16):
        self.host, self.port, self.timeout, self.max_idle = host, port, timeout, max_idle
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def acquire(self) -> tuple[http.client.HTTPConnection, bool]:
        """An open connection (the most recently used idle one first) and whether it is a reused one."""
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout), False
            if conn.sock is not None and not _closed_by_peer(conn.sock):
                return conn, True
            conn.close()

    def release(self, conn: http.client.HTTPConnection) -> None:
        """Give a connection back after a complete response (closed if the pool is full)."""
        with self._lock:
            if len(self._idle) < self.max_idle:
                self._idle.append(conn)
                return
        conn.close()

    def request(
        self, method: str, target: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """Send one request and read the whole response: ``(response, body)``; errors are raised.

        The whole call ends within ``timeout`` seconds (both attempts together), else ``TimeoutError``.
        """
        deadline = time.monotonic() + self.timeout
        for attempt in (1, 2):
            conn, reused = self.acquire()
            try:
                _under_deadline(conn, deadline)
                conn.request(method, target, body=body, headers=headers or {})
                resp = conn.getresponse()
                data = resp.read()
            except STALE:
                conn.close()
                if reused and attempt == 1:
                    continue  # the server had closed this idle connection; open a new one
                raise
            except BaseException:
                conn.close()
                raise
            if resp.will_close:
                conn.close()
            else:
                self.release(conn)
            return resp, data
        raise AssertionError("unreachable: the second attempt returns or raises")

    def close(self) -> None:
        """Close every idle connection (the pool stays usable)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def __len__(self) -> int:
        """How many idle connections are kept."""
        return len(self._idle)

    def __repr__(self) -> str:
        return f"<ConnectionPool {self.host}:{self.port} idle={len(self._idle)}>"


def _under_deadline(conn: http.client.HTTPConnection, deadline: float) -> None:
    """Connect if needed, and make every later send and read of ``conn`` end by ``deadline``."""
    if conn.sock is None:
        conn.timeout = max(0.001, deadline - time.monotonic())
        conn.connect()
    if not isinstance(conn.sock, _DeadlineSocket):
        conn.sock = _DeadlineSocket(conn.sock)
    conn.sock.deadline = deadline


class _DeadlineSocket:
    """A socket whose every operation gets the time left until ``deadline`` as its timeout.

    ``http.client`` reads the response through ``sock.makefile("rb")``, whose buffered
    reader loops over reads; here each of those reads checks the deadline again.
    """

    def __init__(self, sock):
        self._sock = sock
        self.deadline = float("inf")
        self._timeout = float("inf")  # what the socket has now (set only when it must shrink)

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("요청 전체의 제한 시간(deadline)이 지났습니다.")
        if self._timeout > left:  # a read may wait at most the time left; 10 ms under it,
            self._timeout = max(0.001, left - 0.01)  # so the next reads rarely reset it
            self._sock.settimeout(self._timeout)
        return left

    def sendall(self, data) -> None:
        self._left()
        self._sock.sendall(data)

    def recv_into(self, buffer) -> int:
        self._left()
        return self._sock.recv_into(buffer)

    def makefile(self, mode: str = "r", *args, **kwargs):
        return io.BufferedReader(_DeadlineReader(self))

    def __getattr__(self, name):
        return getattr(self._sock, name)


class _DeadlineReader(io.RawIOBase):
    def __init__(self, sock: _DeadlineSocket):
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        return self._sock.recv_into(buffer)


def _closed_by_peer(sock) -> bool:
    """An idle keep-alive socket that is "readable" has been closed by the other side."""
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (ValueError, OSError):  # e.g. a descriptor select() cannot watch: do not reuse it
        return True
