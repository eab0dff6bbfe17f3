"""RedisStore and RedisClusterStore: one Redis hash per session, TTL = time left.

Key layout: one hash per session, ``sessionlab:sessions:<id>``, with
fields ``created``, ``last_access`` and ``data`` (JSON), and a key TTL equal
to the time left before the session expires. This is the shape of Spring
Session's ``RedisSessionRepository`` (one hash per session with its creation
and last-access times, TTL on the key) rather than Flask-Session's (one string
key holding the serialised session, TTL = the lifetime): with a hash, marking
activity writes one field, so a request that only touches the session cannot
overwrite data another request changed meanwhile. Unlike Spring's *indexed*
repository there are no extra ``expires:`` keys or expiry sets: one key per
session, which also keeps it Redis-Cluster friendly (one key → one hash slot).
Data are JSON, never pickle (a pickle read back from a shared store runs code).
"""

from __future__ import annotations

import math

from sessionlab.web.stores.base import SessionStore, StoreUnavailable

__all__ = ["RedisStore", "RedisClusterStore", "WaitRedisStore"]

# Lua: change a field only if the session hash still exists (a logout in between
# must not be undone by a late request), and set the key's TTL in the same step.
_TOUCH = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'last_access', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""
_SET_DATA = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[1])
return 1
"""
_INSERT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'created', ARGV[1], 'last_access', ARGV[2], 'data', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
"""


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _is_redis_py(obj) -> bool:
    import redis as redis_py
    from redis.cluster import RedisCluster as ClusterClient

    return isinstance(obj, (redis_py.Redis, ClusterClient))


def _redis_client(redis):
    """A redis-py client is used as it is (with its connection pool, shared by every thread).

    Anything else with a ``.client()`` method (``sessionlab.infra.redis_servers.RedisServer`` or
    ``RedisCluster``) is asked for one. Note: redis-py's own ``Redis.client()`` is a
    single-connection copy, one socket and one lock for every thread, so it is never called.
    """
    if _is_redis_py(redis):
        return redis
    if callable(getattr(redis, "client", None)):
        return redis.client()
    return redis


class RedisStore(SessionStore):
    """One Redis hash per session, ``<prefix><id>``, TTL = time left (see the module doc).

    ``redis`` is a redis-py client, or anything with a ``.client()`` method (a
    ``sessionlab.infra.redis_servers.RedisServer``). Each operation touches one key, so the
    same code runs against a Redis Cluster client.
    """

    kind = "redis"

    def __init__(self, redis, prefix: str = "sessionlab:sessions:", **kwargs):
        super().__init__(**kwargs)
        self.redis = _redis_client(redis)
        self.prefix = prefix
        self._touch = self.redis.register_script(_TOUCH)
        self._set = self.redis.register_script(_SET_DATA)
        self._ins = self.redis.register_script(_INSERT)

    def key(self, sid: str) -> str:
        return self.prefix + sid

    def _ttl_ms(self, expires: float) -> int:
        return max(1, math.ceil((expires - self.now()) * 1000))

    def _insert(self, sid, created, last_access, data, expires):
        return bool(
            self._ins(
                keys=[self.key(sid)], args=[repr(created), repr(last_access), data, self._ttl_ms(expires)]
            )
        )

    def _read(self, sid):
        rec = self.redis.hgetall(self.key(sid))
        if not rec:
            return None
        rec = {_text(k): _text(v) for k, v in rec.items()}
        try:
            return float(rec["created"]), float(rec["last_access"]), rec["data"]
        except (KeyError, ValueError):
            return None  # not a session record of ours

    def _set_last_access(self, sid, last_access, expires):
        return bool(self._touch(keys=[self.key(sid)], args=[repr(last_access), self._ttl_ms(expires)]))

    def _set_data(self, sid, data):
        return bool(self._set(keys=[self.key(sid)], args=[data]))

    def _remove(self, sid):
        return bool(self.redis.delete(self.key(sid)))

    def _ids(self):
        n = len(self.prefix)
        return iter([_text(k)[n:] for k in self.redis.scan_iter(match=self._pattern(), count=500)])

    def _pattern(self) -> str:
        special = set("*?[]\\")
        return "".join("\\" + c if c in special else c for c in self.prefix) + "*"

    def _clear(self):
        keys = list(self.redis.scan_iter(match=self._pattern(), count=500))
        for i in range(0, len(keys), 500):
            for k in keys[i : i + 500]:  # one key per DEL: works on a cluster too
                self.redis.delete(k)

    def count(self) -> int:
        """Live sessions: one SCAN, then the two time fields of each, pipelined."""
        ids = list(self._ids())
        if not ids:
            return 0
        pipe = self.redis.pipeline(transaction=False)
        for sid in ids:
            pipe.hmget(self.key(sid), "created", "last_access")
        now = self.now()
        live = 0
        for created, last in pipe.execute():
            if created is not None and last is not None and now < self._expires(float(created), float(last)):
                live += 1
        return live

    def ttl(self, sid: str) -> float | None:
        """Seconds Redis itself will keep the key (None if absent)."""
        ms = self.redis.pttl(self.key(sid))
        return None if ms is None or ms < 0 else ms / 1000

    def memory_usage(self, sid: str) -> int | None:
        """``MEMORY USAGE`` of the session's key, in bytes (key, value and overhead)."""
        return self.redis.memory_usage(self.key(sid), samples=0)

    def close(self) -> None:
        self.redis.close()


class RedisClusterStore(RedisStore):
    """The Redis store on a Redis Cluster (redis-py's cluster client).

    The key layout is the single-server one: one hash per session, so every
    operation touches one key, i.e. one hash slot (``CRC16(key) mod 16384``) on
    one primary; the client follows ``MOVED`` redirections and, after a
    failover, finds the promoted replica. ``cluster`` is a
    ``sessionlab.infra.redis_servers.RedisCluster`` (anything with ``.client()``) or a
    ``redis.cluster.RedisCluster`` client.
    """

    kind = "redis-cluster"

    def __init__(self, cluster, prefix: str = "sessionlab:sessions:", **kwargs):
        super().__init__(cluster, prefix=prefix, **kwargs)

    def keyslot(self, sid: str) -> int:
        """The hash slot of the session's key, asked from the cluster (``CLUSTER KEYSLOT``)."""
        return int(self.redis.cluster_keyslot(self.key(sid)))

    def node_of(self, sid: str) -> int:
        """Port of the primary that holds the session's slot (as the client's slot map says)."""
        return int(self.redis.get_node_from_key(self.key(sid)).port)


class WaitRedisStore(RedisStore):
    """A Redis store that confirms new sessions and data changes on ``replicas`` replicas (``WAIT``).

    Redis replication is asynchronous: a write is acknowledged by the primary before
    any replica has it. ``WAIT n ms`` blocks until ``n`` replicas acknowledged, or the
    time is up; here a write that was not confirmed raises ``StoreUnavailable`` (the
    app answers 503 and the user logs in again) instead of handing out a session that
    a failover could lose. WAIT does not make Redis strongly consistent (a failover can
    still pick a replica that missed a write); it tells the app what was confirmed.
    """

    kind = "redis-wait"

    def __init__(self, redis, replicas: int = 1, timeout_ms: int = 50, **kwargs):
        super().__init__(redis, **kwargs)
        self.replicas, self.timeout_ms = replicas, timeout_ms

    def _confirm(self) -> None:
        acked = int(self.redis.execute_command("WAIT", self.replicas, self.timeout_ms))
        if acked < self.replicas:
            raise StoreUnavailable(
                f"복제본 {self.replicas}개 중 {acked}개만 {self.timeout_ms}ms 안에 확인했습니다."
            )

    def _insert(self, sid, created, last_access, data, expires):
        ok = super()._insert(sid, created, last_access, data, expires)
        if ok:
            self._confirm()
        return ok

    def _set_data(self, sid, data):
        ok = super()._set_data(sid, data)
        if ok:
            self._confirm()
        return ok
