"""Server-side session stores: one interface, several back ends, identical semantics.

    from sessionlab.web.stores import MemoryStore, SQLiteStore, RedisStore, make_store

The interface and the expiry rule live in ``base`` (``SessionStore``, ``Session``,
``FakeClock``, ``make_store``, the errors ``SessionExists`` and ``StoreUnavailable``);
each back end is one module:

* ``memory``: ``MemoryStore``, a dict in this process;
* ``sqlite``: ``SQLiteStore``, a table in SQLite (in memory or a file);
* ``redis_store``: ``RedisStore`` (one hash per session, TTL = time left),
  ``RedisClusterStore`` and ``WaitRedisStore`` (confirms writes on replicas);
* ``replicated``: ``ReplicatedStore`` and ``connect``, a copy per server kept in
  step over HTTP;
* ``hybrid``: ``HybridStore``, Redis in front of SQLite.

Importing this package imports every back end, so ``make_store(kind)`` finds each ``kind``.
"""

from sessionlab.web.stores.base import (
    DEFAULT_ABSOLUTE,
    DEFAULT_IDLE,
    FakeClock,
    Session,
    SessionExists,
    SessionStore,
    StoreUnavailable,
    make_store,
    new_session_id,
)
from sessionlab.web.stores.hybrid import HybridStore
from sessionlab.web.stores.memory import MemoryStore
from sessionlab.web.stores.redis_store import RedisClusterStore, RedisStore, WaitRedisStore
from sessionlab.web.stores.replicated import ReplicatedStore, connect
from sessionlab.web.stores.sqlite import SQLiteStore

__all__ = [
    "Session",
    "SessionStore",
    "SessionExists",
    "MemoryStore",
    "SQLiteStore",
    "RedisStore",
    "FakeClock",
    "new_session_id",
    "make_store",
    "RedisClusterStore",
    "ReplicatedStore",
    "HybridStore",
    "connect",
    "WaitRedisStore",
    "StoreUnavailable",
    "DEFAULT_IDLE",
    "DEFAULT_ABSOLUTE",
]
