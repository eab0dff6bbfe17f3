"""One suite, every store: the semantics of ``sessionlab.web.stores`` must not depend on the back end.

The Redis store runs against a real redis-server (``sessionlab.infra.redis_servers.start_redis``).
A new store joins the suite by adding a factory to ``STORES``.
"""

from __future__ import annotations

import itertools
import threading
import uuid

import pytest

from sessionlab.web.stores import (
    FakeClock,
    MemoryStore,
    RedisStore,
    SessionExists,
    SessionStore,
    SQLiteStore,
    make_store,
    new_session_id,
)


def _memory(tmp_path, request, **kw):
    return MemoryStore(**kw)


def _sqlite_memory(tmp_path, request, **kw):
    return SQLiteStore(":memory:", **kw)


def _sqlite_file(tmp_path, request, **kw):
    return SQLiteStore(str(tmp_path / "sessions.db"), **kw)


def _redis(tmp_path, request, **kw):
    server = request.getfixturevalue("redis_server")
    return RedisStore(server, prefix=f"test:{uuid.uuid4().hex[:8]}:", **kw)


STORES = {"memory": _memory, "sqlite-memory": _sqlite_memory, "sqlite-file": _sqlite_file, "redis": _redis}


# --- stores for many servers (issue 6) ---------------------------------------------------------


@pytest.fixture(scope="module")
def redis_cluster():
    # Only this module uses a cluster it does not destroy (the failover tests kill nodes), so one per module.
    from sessionlab.infra.redis_topologies import start_cluster

    cluster = start_cluster(name=None, primaries=3, replicas=0)  # the failover test: test_redis_topologies.py
    yield cluster
    cluster.stop()


def _redis_cluster(tmp_path, request, **kw):
    from sessionlab.web.stores import RedisClusterStore

    cluster = request.getfixturevalue("redis_cluster")
    return RedisClusterStore(cluster, prefix=f"test:{uuid.uuid4().hex[:8]}:", **kw)


def _replicated(tmp_path, request, **kw):
    """Node a of a group of two (sync): every write also goes to b over HTTP."""
    from sessionlab.web.stores import ReplicatedStore, connect

    a, b = (
        ReplicatedStore(name=f"t-{uuid.uuid4().hex[:6]}", **kw),
        ReplicatedStore(name=f"t-{uuid.uuid4().hex[:6]}", **kw),
    )
    connect(a, b)
    request.addfinalizer(b.close)
    return a


def _hybrid(tmp_path, request, **kw):
    from sessionlab.web.stores import HybridStore

    server = request.getfixturevalue("redis_server")
    return HybridStore(server, path=str(tmp_path / "hybrid.db"), prefix=f"test:{uuid.uuid4().hex[:8]}:", **kw)


STORES.update({"redis-cluster": _redis_cluster, "replicated": _replicated, "hybrid": _hybrid})


@pytest.fixture(params=list(STORES))
def make(request, tmp_path):
    """make(idle=..., absolute=...) → (store, clock) with a fake clock."""
    made = []

    def factory(idle=60, absolute=600, **kw):
        clock = FakeClock()
        store = STORES[request.param](
            tmp_path, request, idle_timeout=idle, absolute_timeout=absolute, clock=clock, **kw
        )
        made.append(store)
        return store, clock

    yield factory
    for store in made:
        store.clear()
        store.close()


def test_create_and_get(make):
    store, clock = make()
    s = store.create({"user": "alice", "roles": ["admin"], "n": 1})
    assert isinstance(s.id, str) and len(s.id) >= 43
    got = store.get(s.id)
    assert got.data == {"user": "alice", "roles": ["admin"], "n": 1}
    assert got.created_at == got.last_access == clock.now
    assert store.count() == 1


def test_unknown_and_malformed_ids(make):
    store, _ = make()
    store.create({"x": 1})
    for sid in ["nope", "", None, 123, b"bytes", "x" * 10_000, "*", "a b\x00", "../../etc"]:
        assert store.get(sid) is None
        assert store.touch(sid) is None
        assert store.delete(sid) is False
        assert store.renew_id(sid) is None
        assert store.update(sid, {"a": 1}) is False
    assert store.count() == 1


def test_data_is_a_copy(make):
    store, _ = make()
    data = {"cart": [1]}
    s = store.create(data)
    data["cart"].append(2)
    s.data["cart"].append(3)
    assert store.get(s.id).data == {"cart": [1]}


def test_data_must_be_json(make):
    store, _ = make()
    with pytest.raises(TypeError):
        store.create({"when": object()})
    with pytest.raises(TypeError):
        store.create(["not", "a", "dict"])
    assert store.count() == 0


def test_unicode_data(make):
    store, _ = make()
    s = store.create({"이름": "김세션", "emoji": "🍪"})
    assert store.get(s.id).data == {"이름": "김세션", "emoji": "🍪"}


def test_get_does_not_extend_idle(make):
    store, clock = make(idle=60)
    s = store.create()
    clock.advance(50)
    assert store.get(s.id) is not None
    clock.advance(10)  # exactly at the deadline: expired (live means now < deadline)
    assert store.get(s.id) is None


def test_touch_extends_idle_timeout(make):
    store, clock = make(idle=60, absolute=600)
    s = store.create()
    for _ in range(5):
        clock.advance(59)
        touched = store.touch(s.id)
        assert touched is not None and touched.last_access == clock.now
    assert store.get(s.id).last_access == clock.now
    clock.advance(60)
    assert store.touch(s.id) is None
    assert store.get(s.id) is None


def test_absolute_timeout_wins_over_activity(make):
    store, clock = make(idle=60, absolute=200)
    s = store.create()
    for _ in range(3):
        clock.advance(59)
        assert store.touch(s.id) is not None  # t = 177
    assert store.get(s.id).expires_at == s.created_at + 200
    clock.advance(22)  # t = 199
    assert store.touch(s.id) is not None
    clock.advance(1)  # t = 200
    assert store.touch(s.id) is None


def test_expired_session_is_removed_not_resurrected(make):
    store, clock = make(idle=10)
    s = store.create({"u": 1})
    clock.advance(11)
    assert store.get(s.id) is None
    clock.now -= 11  # even if the clock went back, the record is gone
    assert store.get(s.id) is None
    assert store.count() == 0


def test_update_keeps_times(make):
    store, clock = make(idle=60)
    s = store.create({"a": 1})
    clock.advance(30)
    assert store.update(s.id, {"a": 2, "b": [1, 2]})
    got = store.get(s.id)
    assert got.data == {"a": 2, "b": [1, 2]} and got.last_access == s.last_access
    clock.advance(30)
    assert store.update(s.id, {"late": True}) is False


def test_delete(make):
    store, _ = make()
    s = store.create({"u": "alice"})
    other = store.create({"u": "bob"})
    assert store.delete(s.id) is True
    assert store.get(s.id) is None and store.touch(s.id) is None
    assert store.delete(s.id) is False
    assert store.update(s.id, {"u": "again"}) is False
    assert store.get(s.id) is None  # a late update must not re-create a deleted session
    assert store.get(other.id).data == {"u": "bob"}


def test_renew_id_moves_session(make):
    store, clock = make(idle=60, absolute=600)
    s = store.create({"user": "alice"})
    clock.advance(20)
    store.touch(s.id)
    new = store.renew_id(s.id)
    assert new and new != s.id
    assert store.get(s.id) is None and store.touch(s.id) is None
    moved = store.get(new)
    assert moved.data == {"user": "alice"}
    assert moved.created_at == s.created_at  # renewal does not reset the absolute timeout
    assert moved.last_access == clock.now
    assert store.count() == 1


def test_renew_keeps_absolute_deadline(make):
    store, clock = make(idle=60, absolute=100)
    s = store.create()
    clock.advance(50)
    new = store.renew_id(s.id)
    clock.advance(49)
    assert store.touch(new) is not None
    clock.advance(1)
    assert store.get(new) is None


def test_create_with_chosen_id(make):
    store, _ = make()
    s = store.create({"a": 1}, sid="attacker-chosen-id")
    assert s.id == "attacker-chosen-id" and store.get("attacker-chosen-id").data == {"a": 1}
    with pytest.raises(SessionExists):
        store.create({"b": 2}, sid="attacker-chosen-id")
    assert store.get("attacker-chosen-id").data == {"a": 1}
    with pytest.raises(ValueError):
        store.create(sid="")


def test_id_factory_and_collisions(make):
    ids = itertools.chain(["same", "same", "same"], (f"id{i}" for i in itertools.count()))
    store, _ = make(id_factory=lambda: next(ids))
    assert store.create().id == "same"
    assert store.create().id == "id0"  # the two repeats were refused, not overwritten


def test_id_factory_always_colliding(make):
    store, _ = make(id_factory=lambda: "fixed")
    store.create()
    with pytest.raises(SessionExists):
        store.create()


def test_count_and_purge(make):
    store, clock = make(idle=60, absolute=600)
    old = [store.create({"i": i}).id for i in range(5)]
    clock.advance(30)
    young = [store.create({"i": i}).id for i in range(3)]
    assert store.count() == 8
    clock.advance(30)  # the first five reach their idle deadline
    assert store.count() == 3
    assert sorted(store.live_ids()) == sorted(young)
    assert store.purge_expired() in (0, 5)  # count() may already have removed them
    assert all(store.get(sid) is None for sid in old)
    store.clear()
    assert store.count() == 0


def test_threads_share_one_store(make):
    store, _ = make()
    ids, errors = [], []

    def work():
        try:
            for _ in range(20):
                s = store.create({"t": threading.get_ident()})
                assert store.touch(s.id) is not None
                ids.append(s.id)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(ids)) == 80 and store.count() == 80


def test_bad_timeouts():
    with pytest.raises(ValueError):
        MemoryStore(idle_timeout=0)
    with pytest.raises(ValueError):
        MemoryStore(absolute_timeout=-1)


def test_make_store():
    assert isinstance(make_store("memory"), MemoryStore)
    assert isinstance(make_store("sqlite"), SessionStore)
    from sessionlab.web.stores import ReplicatedStore

    replicated = make_store("replicated", name="solo")  # a later back end, found by its kind
    assert isinstance(replicated, ReplicatedStore)
    replicated.close()
    with pytest.raises(ValueError, match="replicated"):
        make_store("floppy")  # the message lists every kind, the new ones too


def test_new_session_id_is_256_bits():
    ids = {new_session_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(len(i) == 43 for i in ids)


# --- Redis Cluster specifics (here: they use this suite's cluster) ------------------------


def test_redis_cluster_store_keyslots(redis_cluster):
    from sessionlab.web.stores import RedisClusterStore

    store = RedisClusterStore(redis_cluster, prefix="slots:")
    ids = [store.create({"i": i}).id for i in range(30)]
    slots = {store.keyslot(sid) for sid in ids}
    assert all(0 <= s < 16384 for s in slots) and len(slots) > 1
    ports = {store.node_of(sid) for sid in ids}
    assert ports <= {n.port for n in redis_cluster.nodes} and len(ports) == 3  # spread over 3 primaries
    assert store.count() == 30
    store.clear()
