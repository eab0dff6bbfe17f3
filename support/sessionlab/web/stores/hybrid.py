"""HybridStore: Redis in front of SQLite (write-through, read-through); Redis may lose everything."""

from __future__ import annotations

from sessionlab.web.stores.base import SessionStore
from sessionlab.web.stores.redis_store import RedisStore, _is_redis_py
from sessionlab.web.stores.sqlite import SQLiteStore

__all__ = ["HybridStore"]


class HybridStore(SessionStore):
    """Redis in front of SQLite: write-through, read-through; Redis may lose everything.

    SQLite (``path``: a file, or ``":memory:"``) is the source of truth. Every write
    goes to SQLite first, then to the Redis copy (write-through); a read asks Redis
    and, on a miss, SQLite, and puts what it found back into Redis (read-through).
    So a Redis that is flushed or restarted empty costs only cache misses, and a
    Redis that cannot be reached is skipped (reads and writes go to SQLite alone;
    ``cache_errors`` counts them). After such an outage the cached copies may be
    stale, so the first successful contact drops this store's keys from Redis.
    A delete removes the cached copy before and after the SQLite row, so a read
    running at the same moment cannot put a logged-out session back.
    """

    kind = "hybrid"

    def __init__(
        self,
        redis,
        path: str = ":memory:",
        prefix: str = "sessionlab:hybrid:",
        table: str = "sessions",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not _is_redis_py(redis) and callable(getattr(redis, "client", None)):  # a sessionlab server
            # The cache is optional: give up on it fast (redis-py's default retries take seconds).
            from redis.backoff import ExponentialBackoff
            from redis.retry import Retry

            redis = redis.client(
                retry=Retry(ExponentialBackoff(cap=0.05, base=0.005), 2),
                socket_timeout=0.5,
                socket_connect_timeout=0.5,
            )
        inner = dict(idle_timeout=self.idle_timeout, absolute_timeout=self.absolute_timeout, clock=self.clock)
        self.cache = RedisStore(redis, prefix=prefix, **inner)
        self.db = SQLiteStore(path, table=table, **inner)
        self.hits = self.misses = self.cache_errors = 0
        self._suspect = False

    def _cached(self, fn, *args, default=None):
        """Run a cache operation; a Redis error is counted and skipped, never raised."""
        import redis as redis_py

        try:
            if self._suspect:
                self.cache._clear()  # copies written before the outage may be stale
                self._suspect = False
            return fn(*args)
        except redis_py.RedisError:
            self.cache_errors += 1
            self._suspect = True
            return default

    def _insert(self, sid, created, last_access, data, expires):
        if not self.db._insert(sid, created, last_access, data, expires):
            return False
        self._cached(self.cache._remove, sid)
        self._cached(self.cache._insert, sid, created, last_access, data, expires)
        return True

    def _read(self, sid):
        rec = self._cached(self.cache._read, sid)
        if rec is not None:
            self.hits += 1
            return rec
        self.misses += 1
        rec = self.db._read(sid)
        if rec is not None:
            created, last, data = rec
            self._cached(self.cache._insert, sid, created, last, data, self._expires(created, last))
        return rec

    def _set_last_access(self, sid, last_access, expires):
        if not self.db._set_last_access(sid, last_access, expires):
            return False
        self._cached(self.cache._set_last_access, sid, last_access, expires)
        return True

    def _set_data(self, sid, data):
        if not self.db._set_data(sid, data):
            return False
        self._cached(self.cache._set_data, sid, data)
        return True

    def _remove(self, sid):
        self._cached(self.cache._remove, sid)
        found = self.db._remove(sid)
        self._cached(self.cache._remove, sid)
        return found

    def _ids(self):
        return self.db._ids()

    def _clear(self):
        self.db._clear()
        self._cached(self.cache._clear)

    def count(self) -> int:
        return self.db.count()

    def purge_expired(self) -> int:
        return self.db.purge_expired()  # Redis drops its copies by their own TTL

    def close(self) -> None:
        self.cache.close()
        self.db.close()
