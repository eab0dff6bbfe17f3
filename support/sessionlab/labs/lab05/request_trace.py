"""Lab 05's wire view of one short run: per request the server that answered, the cookies, the store commands.

``trace_scenario(lab, "redis")`` logs one user in through the balancer and sends a
few ``GET /me``; each ``TraceRow`` holds who answered (``X-Served-By``), the
``Cookie`` header the client sent, the ``Set-Cookie`` it got back and, when the
strategy's store is a single Redis, the commands that request caused on it, as
Redis ``MONITOR`` reported them. The session id is shown as ``<sid>`` so the
stored notebook output stays the same from run to run.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

from sessionlab.apps.login import LOGIN_COOKIE
from sessionlab.labs.lab05.lab import MultiServerLab
from sessionlab.labs.lab05.strategies import PASSWORD, USER

__all__ = ["RedisMonitor", "TraceRow", "trace_scenario", "print_trace"]


class RedisMonitor:
    """A raw ``MONITOR`` connection: ``drain()`` returns the commands Redis executed since the last call."""

    def __init__(self, port: int, host: str = "127.0.0.1", quiet: float = 0.05):
        self.sock = socket.create_connection((host, port), timeout=2)
        self.sock.sendall(b"MONITOR\r\n")
        self.quiet, self._buf = quiet, b""
        first = self._lines(wait=2.0)
        if not first or first[0] != "+OK":
            raise RuntimeError(f"MONITOR가 시작되지 않았습니다: {first[:1]}")

    def _lines(self, wait: float) -> list[str]:
        self.sock.settimeout(wait)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                self._buf += chunk
                self.sock.settimeout(self.quiet)  # keep reading until the line has been quiet a moment
        except TimeoutError:
            pass
        *lines, self._buf = self._buf.split(b"\r\n")
        return [line.decode("utf-8", "replace") for line in lines]

    def drain(self) -> list[str]:
        """Commands since the last call, as ``"HGETALL" "lab05:..."`` (time and client address cut off)."""
        out = []
        for line in self._lines(wait=self.quiet):
            if line.startswith("+") and "] " in line:
                out.append(line.split("] ", 1)[1])
        return out

    def close(self) -> None:
        self.sock.close()


@dataclass
class TraceRow:
    method: str
    path: str
    server: str  # X-Served-By
    status: int
    cookie_sent: str  # the request's Cookie header ("" when the client sent none)
    set_cookie: str  # the response's Set-Cookie ("" when none)
    store_commands: list[str] = field(default_factory=list)


def _redis_port(store) -> int | None:
    """The port of a single-Redis store (None for memory, SQLite, the cluster, ...)."""
    client = getattr(store, "redis", None)
    pool = getattr(client, "connection_pool", None)
    kwargs = getattr(pool, "connection_kwargs", None)
    return kwargs.get("port") if kwargs else None


def trace_scenario(lab: MultiServerLab, strategy: str, gets: int = 2, user: int = 0) -> list[TraceRow]:
    """One user: log in, then ``gets`` × GET /me through the balancer; one ``TraceRow`` per request."""
    lb = lab.use(strategy)
    lb.reset()
    port = _redis_port(lab.stores[0])
    monitor = RedisMonitor(port) if port else None
    c, rows = lab.client(user), []
    try:
        calls = [("POST", "/login")] + [("GET", "/me")] * gets
        for method, path in calls:
            if method == "POST":
                r = c.post(lab._url() + path, json={"username": USER, "password": PASSWORD}, timeout=10)
            else:
                r = c.get(lab._url() + path, timeout=10)
            commands = monitor.drain() if monitor else []
            rows.append(
                TraceRow(
                    method,
                    path,
                    r.headers.get("X-Served-By", "-"),
                    r.status_code,
                    r.request.headers.get("Cookie", ""),
                    r.headers.get("Set-Cookie", ""),
                    commands,
                )
            )
    finally:
        if monitor:
            monitor.close()
    sids = {
        row.set_cookie.split(";")[0].split("=", 1)[1]
        for row in rows
        if row.set_cookie.startswith(LOGIN_COOKIE + "=")
    }
    for row in rows:
        for sid in filter(None, sids):
            row.cookie_sent = row.cookie_sent.replace(sid, "<sid>")
            row.set_cookie = row.set_cookie.replace(sid, "<sid>")
            row.store_commands = [cmd.replace(sid, "<sid>") for cmd in row.store_commands]
    return rows


def print_trace(rows: list[TraceRow], width: int = 110, keys: str | None = None) -> None:
    """One block per request: who answered, the cookies both ways, the store commands.

    ``keys``: show only the Redis commands that touch a key starting with this prefix (for example
    ``"lab05:"``, the session keys) and say how many other commands (login throttling, ...) were left out.
    """
    for k, row in enumerate(rows, 1):
        print(f"[{k}] {row.method} {row.path} → {row.server} {row.status}")
        print(f"    Cookie:     {row.cookie_sent or '(보내지 않음)'}")
        print(f"    Set-Cookie: {row.set_cookie or '(없음)'}")
        shown = [c for c in row.store_commands if keys is None or f'"{keys}' in c]
        for cmd in shown:
            print(f"    Redis: {cmd if len(cmd) <= width else cmd[: width - 1] + '…'}")
        if len(shown) < len(row.store_commands):
            print(f"    (세션 키가 아닌 Redis 명령 {len(row.store_commands) - len(shown)}개는 생략)")
