"""The delay proxy adds its round trip to a Redis lookup, and stops cleanly."""

import socket
import statistics
import time

import pytest
import redis as redis_py

from sessionlab.labs.lab04a_latency import DelayProxy, lookup_ops
from sessionlab.web.tokens import TokenService, generate_keys


def _median_ping_ms(client, n=15):
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        client.ping()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def test_proxy_adds_its_delay_to_each_round_trip(redis_server):
    host, port = "127.0.0.1", redis_server.port
    direct = redis_py.Redis(host=host, port=port)
    with DelayProxy(host, port, delay_ms=3) as proxy:
        slow = redis_py.Redis(host=host, port=proxy.port)
        assert slow.set("k", "v") and slow.get("k") == b"v"  # a real Redis behind it
        assert _median_ping_ms(slow) >= 3 > _median_ping_ms(direct)
        port_of_proxy = proxy.port
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port_of_proxy), timeout=1).recv(1)


def test_lookup_ops_names_each_path(redis_server):
    with DelayProxy("127.0.0.1", redis_server.port, 0.5) as p:
        ops = lookup_ops(TokenService(generate_keys()), redis_server, {"+0.5 ms": p})
        assert set(ops) == {"JWT HS256 검증", "Redis 조회 (루프백)", "Redis 조회 (+0.5 ms)"}
        assert all(fn() is not None for fn in ops.values())


def test_delay_is_bounded():
    with pytest.raises(ValueError):
        DelayProxy("127.0.0.1", 1, 1000)
