"""Lab 04a: a store lookup with a network in the way. A small TCP proxy on 127.0.0.1 that
delays every request it forwards, put in front of the lab's Redis.

On loopback a Redis round trip costs tens of µs, about what a JWT signature check costs.
In production the session store sits on another machine: each lookup pays a network
round trip (0.5 ms inside one data centre is typical, more across zones). ``DelayProxy``
adds that round trip, so the same comparison can be measured with it in the way.

The proxy delays the client → server direction by ``delay_ms`` once per chunk it
forwards (one Redis command = one chunk here), and forwards the answers at once: one
request/response round trip costs ``delay_ms`` more. Threads only, bounded: ``close()``
(or the ``with`` block) stops the listener and every connection.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
from collections.abc import Callable

__all__ = ["DelayProxy", "lookup_ops"]


class DelayProxy:
    """``127.0.0.1:port`` → ``target``, with ``delay_ms`` added to each request's way there."""

    def __init__(self, target_host: str, target_port: int, delay_ms: float):
        if not 0 <= delay_ms <= 100:
            raise ValueError("지연은 0~100 ms 사이로 주세요.")
        self.target = (target_host, int(target_port))
        self.delay = delay_ms / 1000
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._closed = threading.Event()
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, name=f"delay-proxy-{self.port}", daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(self.target, timeout=5)
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                s.settimeout(None)
            with self._lock:
                self._socks += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, self.delay), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, 0.0), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, delay: float) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if delay:
                    _sleep_precisely(delay)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
        with self._lock:
            for s in self._socks:
                s.close()
            self._socks.clear()

    def __enter__(self) -> DelayProxy:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _sleep_precisely(seconds: float) -> None:
    """``time.sleep`` overshoots by up to ~0.1 ms; sleep most of it, then wait out the rest."""
    end = time.perf_counter() + seconds
    if seconds > 0.0003:
        time.sleep(seconds - 0.0002)
    while time.perf_counter() < end:
        pass


def lookup_ops(service, redis_server, proxies: dict[str, DelayProxy]) -> dict:
    """One JWT verify, a Redis session lookup on loopback, and one through each proxy (same session)."""
    import redis as redis_py

    from sessionlab.web.stores import RedisStore
    from sessionlab.web.tokens import TokenService

    verifier = TokenService(service.keys).verifier  # no denylist: the pure signature + claims check
    token = service.issue("alice", role="user")
    direct = RedisStore(redis_server)
    sid = direct.create({"user": "alice", "role": "user"}).id
    ops: dict[str, Callable[[], object]] = {
        "JWT HS256 검증": lambda: verifier.verify(token),
        "Redis 조회 (루프백)": lambda: direct.get(sid),
    }
    for label, proxy in proxies.items():
        store = RedisStore(redis_py.Redis(host="127.0.0.1", port=proxy.port, socket_timeout=5))
        ops[f"Redis 조회 ({label})"] = functools.partial(store.get, sid)
    return ops
