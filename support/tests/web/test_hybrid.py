"""sessionlab.web.stores.hybrid: what the shared suite cannot show, the Redis cache losing everything."""

from __future__ import annotations

from sessionlab.web.stores import FakeClock, HybridStore


def test_hybrid_survives_flush_and_restart(redis_server, tmp_path):
    store = HybridStore(redis_server, path=str(tmp_path / "h.db"), prefix="hy:")
    ids = [store.create({"i": i}).id for i in range(10)]
    redis_server.client().flushall()
    assert [store.get(sid).data["i"] for sid in ids] == list(range(10))
    assert store.misses >= 10 and redis_server.client().exists(f"hy:{ids[0]}") == 1  # read-through refilled
    redis_server.kill()
    redis_server.restart()
    assert all(store.touch(sid) is not None for sid in ids)
    store.close()


def test_hybrid_without_redis_uses_sqlite_and_drops_stale_copies(redis_server, tmp_path):
    clock = FakeClock()
    store = HybridStore(redis_server, path=str(tmp_path / "h2.db"), prefix="hy2:", clock=clock)
    s = store.create({"user": "alice"})
    redis_server.kill()
    assert store.get(s.id).data == {"user": "alice"} and store.cache_errors >= 1
    assert store.delete(s.id)  # logout while Redis is away
    redis_server.restart()
    assert store.get(s.id) is None  # the copy cached before the outage is not used
    store.close()
