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
import time
from collections.abc import Callable

from sessionlab.infra.relay import Relay

__all__ = ["DelayProxy", "lookup_ops"]


class DelayProxy(Relay):
    """``127.0.0.1:port`` → ``target``, with ``delay_ms`` added to each request's way there."""

    def __init__(self, target_host: str, target_port: int, delay_ms: float):
        if not 0 <= delay_ms <= 100:
            raise ValueError("지연은 0~100 ms 사이로 주세요.")
        self.delay = delay_ms / 1000
        super().__init__(target_host, target_port, name="delay-proxy")

    def upstream(self, data: bytes) -> None:
        if self.delay:
            _sleep_precisely(self.delay)


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
