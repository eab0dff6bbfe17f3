"""sessionlab.web.stores.redis_store: the key layout and TTL, prefixes, foreign keys, WAIT.

The shared suite (``test_stores.py``) already runs the interface against Redis; these are
what only the Redis stores do.
"""

from __future__ import annotations

import time

import pytest

from sessionlab.web.stores import FakeClock, RedisStore, StoreUnavailable, WaitRedisStore, make_store


def test_redis_layout_and_ttl(redis_server):
    clock = FakeClock()
    store = RedisStore(redis_server, prefix="layout:", idle_timeout=60, absolute_timeout=100, clock=clock)
    r = redis_server.client()
    s = store.create({"user": "alice"})
    key = f"layout:{s.id}"
    assert r.type(key) == "hash"
    assert set(r.hgetall(key)) == {"created", "last_access", "data"}
    assert 59 < store.ttl(s.id) <= 60
    clock.advance(50)
    store.touch(s.id)
    assert 49 < store.ttl(s.id) <= 50  # absolute deadline (100) is nearer than idle (110)
    assert store.memory_usage(s.id) > 0
    store.delete(s.id)
    assert r.exists(key) == 0 and store.ttl(s.id) is None
    store.close()


def test_redis_real_ttl_cleans_up(redis_server):
    # 0.5 s: long enough that a loaded machine still sees the key before it expires, short for the suite
    store = RedisStore(redis_server, prefix="realttl:", idle_timeout=0.5, absolute_timeout=10)
    s = store.create()
    assert 0 < redis_server.client().pttl(f"realttl:{s.id}") <= 500  # the key carries the idle timeout
    deadline = time.monotonic() + 5
    while redis_server.client().exists(f"realttl:{s.id}") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert redis_server.client().exists(f"realttl:{s.id}") == 0  # Redis removed the key itself
    assert store.get(s.id) is None


def test_redis_prefix_with_glob_characters(redis_server):
    a = RedisStore(redis_server, prefix="odd[1]*:")
    b = RedisStore(redis_server, prefix="odd1x:")
    a.create()
    b.create()
    assert a.count() == 1 and b.count() == 1
    a.clear()
    assert a.count() == 0 and b.count() == 1
    b.clear()


def test_redis_ignores_foreign_keys(redis_server):
    store = RedisStore(redis_server, prefix="foreign:")
    redis_server.client().set("foreign:not-a-hash-we-made", "x")
    redis_server.client().hset("foreign:half", "created", "1")
    assert store.get("half") is None
    store.clear()


def test_wait_store_refuses_writes_no_replica_confirmed(redis_server):
    """A standalone Redis has no replica: ``WAIT 1`` confirms nothing, so new sessions and data are refused."""
    sid = RedisStore(redis_server, prefix="wait:").create({"user": "alice"}).id
    store = WaitRedisStore(redis_server, replicas=1, timeout_ms=10, prefix="wait:")
    with pytest.raises(StoreUnavailable, match="1개 중 0개"):
        store.create({"user": "bob"})
    with pytest.raises(StoreUnavailable):
        store.update(sid, {"user": "mallory"})
    assert store.touch(sid) is not None  # activity is not confirmed: only logins and data changes
    store.clear()


def test_wait_store_with_nothing_to_wait_for_is_a_redis_store(redis_server):
    store = make_store("redis-wait", redis=redis_server, replicas=0, prefix="wait0:")
    assert isinstance(store, WaitRedisStore) and isinstance(store, RedisStore)
    s = store.create({"user": "carol"})
    assert store.update(s.id, {"user": "carol", "n": 1}) and store.get(s.id).data["n"] == 1
    store.clear()
