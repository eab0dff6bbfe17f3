"""Server-side session stores: one interface, several back ends, identical semantics.

Every store keeps, per session id, a JSON-serialisable ``data`` dict and two
times: ``created_at`` and ``last_access``. A session is *live* while

    now < min(last_access + idle_timeout, created_at + absolute_timeout)

(idle timeout: inactivity; absolute timeout: a hard cap since login, however
active the user is). The rule is applied by ``SessionStore`` itself, with the
store's ``clock``, so every back end answers the same way; a back end's own
expiry (Redis key TTL) only cleans up. An expired session found by ``get`` or
``touch`` is deleted on the spot.

The interface (``SessionStore``), what a web app calls:

* ``create(data=None, sid=None)`` → ``Session`` (a fresh id from ``secrets``
  unless ``sid`` is given; an existing id raises ``SessionExists``)
* ``get(sid)`` → ``Session | None``: read only, does not extend the idle timeout
* ``touch(sid)`` → ``Session | None``: the per-request call; marks activity
* ``update(sid, data)`` → ``bool``: replace the data (timeouts unchanged)
* ``delete(sid)`` → ``bool``: logout
* ``renew_id(sid)`` → ``str | None``: same data and creation time under a new
  id (counts as activity), the old id stops working (do it at login: defeats
  session fixation)
* ``count()`` → live sessions; ``purge_expired()`` → how many were removed;
  ``clear()`` → remove every session of this store.

A new back end implements seven small primitives (``_insert``, ``_read``,
``_set_last_access``, ``_set_data``, ``_remove``, ``_ids``, ``_clear``) and
inherits the semantics; ``support/tests/test_stores.py`` runs the same suite
against each back end (add yours to its ``STORES`` list).

Redis key layout: one hash per session, ``sessionlab:sessions:<id>``, with
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

import json
import math
import secrets
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Callable, Iterator

__all__ = [
    "Session", "SessionStore", "SessionExists", "MemoryStore", "SQLiteStore", "RedisStore",
    "FakeClock", "new_session_id", "make_store",
]

DEFAULT_IDLE = 30 * 60          # OWASP: 2–5 min for high-value apps, 15–30 min for low-risk ones
DEFAULT_ABSOLUTE = 8 * 60 * 60  # OWASP: 4–8 hours for apps used all day


def new_session_id() -> str:
    """256 random bits from the OS CSPRNG, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


class SessionExists(ValueError):
    """``create(sid=...)`` or a renewal hit an id that is already in use."""


class FakeClock:
    """A clock for tests and notebooks: time moves only when told (``advance``)."""

    def __init__(self, start: float = 1_000_000.0):
        self.now = float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


@dataclass(frozen=True)
class Session:
    """A snapshot of one session as the store holds it (changing it changes nothing)."""

    id: str
    data: dict = field(default_factory=dict)
    created_at: float = 0.0
    last_access: float = 0.0
    idle_timeout: float = DEFAULT_IDLE
    absolute_timeout: float = DEFAULT_ABSOLUTE

    @property
    def idle_expires_at(self) -> float:
        return self.last_access + self.idle_timeout

    @property
    def absolute_expires_at(self) -> float:
        return self.created_at + self.absolute_timeout

    @property
    def expires_at(self) -> float:
        return min(self.idle_expires_at, self.absolute_expires_at)

    def live_at(self, now: float) -> bool:
        return now < self.expires_at


def _dump(data) -> str:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise TypeError("세션 데이터는 dict여야 합니다 (JSON으로 저장합니다).")
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"세션 데이터는 JSON으로 바꿀 수 있는 값만 담을 수 있습니다: {exc}") from None


def _valid_sid(sid) -> bool:
    return isinstance(sid, str) and 0 < len(sid) <= 512


class SessionStore(ABC):
    """The interface and its semantics; back ends implement the ``_primitives``."""

    kind = "abstract"

    def __init__(self, idle_timeout: float = DEFAULT_IDLE, absolute_timeout: float = DEFAULT_ABSOLUTE,
                 clock: Callable[[], float] = time.time, id_factory: Callable[[], str] = new_session_id):
        if idle_timeout <= 0 or absolute_timeout <= 0:
            raise ValueError("idle_timeout과 absolute_timeout은 0보다 커야 합니다.")
        self.idle_timeout = float(idle_timeout)
        self.absolute_timeout = float(absolute_timeout)
        self.clock = clock
        self.id_factory = id_factory

    # -- primitives a back end implements (records: created, last_access, data-json) --
    @abstractmethod
    def _insert(self, sid: str, created: float, last_access: float, data: str, expires: float) -> bool:
        """Store a new record; False (and no change) if ``sid`` exists."""

    @abstractmethod
    def _read(self, sid: str) -> tuple[float, float, str] | None:
        """(created, last_access, data-json) or None."""

    @abstractmethod
    def _set_last_access(self, sid: str, last_access: float, expires: float) -> bool:
        """Only if the record exists; False otherwise (never re-creates a deleted session)."""

    @abstractmethod
    def _set_data(self, sid: str, data: str) -> bool:
        """Only if the record exists; False otherwise."""

    @abstractmethod
    def _remove(self, sid: str) -> bool:
        """True if a record was removed."""

    @abstractmethod
    def _ids(self) -> Iterator[str]:
        """Every stored id, live or not."""

    @abstractmethod
    def _clear(self) -> None:
        """Remove every record of this store."""

    # -- the interface ------------------------------------------------------------
    def now(self) -> float:
        return float(self.clock())

    def _session(self, sid: str, rec) -> Session:
        created, last, data = rec
        return Session(sid, json.loads(data), float(created), float(last),
                       self.idle_timeout, self.absolute_timeout)

    def _expires(self, created: float, last_access: float) -> float:
        return min(last_access + self.idle_timeout, created + self.absolute_timeout)

    def create(self, data: dict | None = None, sid: str | None = None) -> Session:
        """A new session; ``sid`` only for labs that show attacker-chosen ids."""
        text = _dump(data)
        now = self.now()
        for _ in range(5):
            new = sid if sid is not None else self.id_factory()
            if not _valid_sid(new):
                raise ValueError("세션 ID는 1~512자의 문자열이어야 합니다.")
            if self._insert(new, now, now, text, self._expires(now, now)):
                return Session(new, json.loads(text), now, now, self.idle_timeout, self.absolute_timeout)
            if sid is not None:
                raise SessionExists("이미 쓰이고 있는 세션 ID입니다.")
        raise SessionExists("새 세션 ID가 계속 기존 ID와 겹칩니다: id_factory를 확인하세요.")

    def get(self, sid) -> Session | None:
        """The live session for ``sid`` (no activity recorded), else None."""
        if not _valid_sid(sid):
            return None
        rec = self._read(sid)
        if rec is None:
            return None
        session = self._session(sid, rec)
        if not session.live_at(self.now()):
            self._remove(sid)
            return None
        return session

    def touch(self, sid) -> Session | None:
        """Record activity now (restarts the idle timeout, never the absolute one)."""
        session = self.get(sid)
        if session is None:
            return None
        now = max(self.now(), session.last_access)
        if not self._set_last_access(sid, now, self._expires(session.created_at, now)):
            return None
        return Session(sid, session.data, session.created_at, now, self.idle_timeout, self.absolute_timeout)

    def update(self, sid, data: dict) -> bool:
        """Replace the data of a live session (timeouts unchanged)."""
        text = _dump(data)
        if self.get(sid) is None:
            return False
        return self._set_data(sid, text)

    def delete(self, sid) -> bool:
        """Remove the session (logout). True if a live session was removed."""
        if not _valid_sid(sid):
            return False
        live = self.get(sid) is not None
        return self._remove(sid) and live

    def renew_id(self, sid) -> str | None:
        """Move a live session to a fresh id; the old id dies.

        Same data and ``created_at`` (a renewal never extends the absolute
        timeout); it happens during a request, so it records activity like ``touch``.
        """
        session = self.get(sid)
        if session is None:
            return None
        text = _dump(session.data)
        now = max(self.now(), session.last_access)
        for _ in range(5):
            new = self.id_factory()
            if _valid_sid(new) and new != sid and self._insert(
                    new, session.created_at, now, text, self._expires(session.created_at, now)):
                break
        else:
            raise SessionExists("새 세션 ID가 계속 기존 ID와 겹칩니다: id_factory를 확인하세요.")
        self._remove(sid)
        return new

    def live_ids(self) -> list[str]:
        return [sid for sid in list(self._ids()) if self.get(sid) is not None]

    def count(self) -> int:
        """How many sessions are live now (expired ones are removed on the way)."""
        return len(self.live_ids())

    def purge_expired(self) -> int:
        """Remove every expired record; returns how many."""
        removed = 0
        now = self.now()
        for sid in list(self._ids()):
            rec = self._read(sid)
            if rec is not None and not self._session(sid, rec).live_at(now):
                removed += bool(self._remove(sid))
        return removed

    def clear(self) -> None:
        self._clear()

    def close(self) -> None:
        """Release connections (the data stay where they are)."""

    def __len__(self) -> int:
        return self.count()

    def __repr__(self) -> str:
        return (f"<{type(self).__name__} idle={self.idle_timeout:g}s "
                f"absolute={self.absolute_timeout:g}s>")


class MemoryStore(SessionStore):
    """A dict in this process: fastest, gone on restart, not shared between servers."""

    kind = "memory"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._lock = threading.Lock()
        self._records: dict[str, list] = {}

    def _insert(self, sid, created, last_access, data, expires):
        with self._lock:
            if sid in self._records:
                return False
            self._records[sid] = [created, last_access, data]
            return True

    def _read(self, sid):
        with self._lock:
            rec = self._records.get(sid)
            return tuple(rec) if rec else None

    def _set_last_access(self, sid, last_access, expires):
        with self._lock:
            rec = self._records.get(sid)
            if rec is None:
                return False
            rec[1] = last_access
            return True

    def _set_data(self, sid, data):
        with self._lock:
            rec = self._records.get(sid)
            if rec is None:
                return False
            rec[2] = data
            return True

    def _remove(self, sid):
        with self._lock:
            return self._records.pop(sid, None) is not None

    def _ids(self):
        with self._lock:
            return iter(list(self._records))

    def _clear(self):
        with self._lock:
            self._records.clear()


class SQLiteStore(SessionStore):
    """A table in SQLite (``path=":memory:"`` or a file, WAL): survives restarts when on disk."""

    kind = "sqlite"

    def __init__(self, path: str = ":memory:", table: str = "sessions", **kwargs):
        super().__init__(**kwargs)
        if not table.isidentifier():
            raise ValueError("table은 식별자여야 합니다.")
        self.path = str(path)
        self.table = table
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=5000")
        self._db.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, created REAL NOT NULL, "
            "last_access REAL NOT NULL, expires REAL NOT NULL, data TEXT NOT NULL)")
        self._db.execute(f"CREATE INDEX IF NOT EXISTS {table}_expires ON {table}(expires)")

    def _exec(self, sql: str, args=()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql.format(t=self.table), args)

    def _insert(self, sid, created, last_access, data, expires):
        try:
            self._exec("INSERT INTO {t} (id, created, last_access, expires, data) VALUES (?,?,?,?,?)",
                       (sid, created, last_access, expires, data))
        except sqlite3.IntegrityError:
            return False
        return True

    def _read(self, sid):
        with self._lock:
            row = self._db.execute(f"SELECT created, last_access, data FROM {self.table} WHERE id=?",
                                   (sid,)).fetchone()
        return tuple(row) if row else None

    def _set_last_access(self, sid, last_access, expires):
        return self._exec("UPDATE {t} SET last_access=?, expires=? WHERE id=?",
                          (last_access, expires, sid)).rowcount == 1

    def _set_data(self, sid, data):
        return self._exec("UPDATE {t} SET data=? WHERE id=?", (data, sid)).rowcount == 1

    def _remove(self, sid):
        return self._exec("DELETE FROM {t} WHERE id=?", (sid,)).rowcount == 1

    def _ids(self):
        with self._lock:
            rows = self._db.execute(f"SELECT id FROM {self.table}").fetchall()
        return iter([r[0] for r in rows])

    def _clear(self):
        self._exec("DELETE FROM {t}")

    def count(self) -> int:
        """Live sessions, in one query (the ``expires`` column mirrors the rule)."""
        with self._lock:
            return self._db.execute(f"SELECT COUNT(*) FROM {self.table} WHERE expires > ?",
                                    (self.now(),)).fetchone()[0]

    def purge_expired(self) -> int:
        return self._exec("DELETE FROM {t} WHERE expires <= ?", (self.now(),)).rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()


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
        return bool(self._ins(keys=[self.key(sid)],
                              args=[repr(created), repr(last_access), data, self._ttl_ms(expires)]))

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
            for k in keys[i:i + 500]:  # one key per DEL: works on a cluster too
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


def make_store(kind: str, **kwargs) -> SessionStore:
    """``make_store("memory")``, ``("sqlite", path=...)``, ``("redis", redis=client)``, ... by ``kind``.

    Every ``SessionStore`` subclass is found by its ``kind``, so a new back end needs no entry here.
    """
    classes, todo = {}, [SessionStore]
    while todo:
        for cls in todo.pop().__subclasses__():
            classes.setdefault(cls.kind, cls)
            todo.append(cls)
    try:
        return classes[kind](**kwargs)
    except KeyError:
        raise ValueError(f"알 수 없는 저장소 종류: {kind!r} (가능: {', '.join(sorted(classes))})") from None


# --- stores for many servers (issue 6): Redis Cluster, replicated, hybrid ---------------------

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


class ReplicatedStore(MemoryStore):
    """Each app server keeps its own copy; every write is broadcast to the peers over HTTP.

    This is session replication as Tomcat's ``DeltaManager`` does it: no shared
    store, each server holds every session in its memory. A store serves a small
    replication endpoint (a lab server on 127.0.0.1): ``POST /ops`` applies a batch
    of writes sent by a peer, ``GET /snapshot`` hands every record to a server
    that (re)joins. ``connect(a, b, c)`` makes them peers.

    * ``sync=True``: a write returns after every peer that is up has applied it
      (sequential HTTP posts), so the cost of a write grows with the number of
      servers, and a read on another server right after the write sees it.
    * ``sync=False``: a write returns at once; a background thread sends the
      writes every ``batch_interval`` seconds. Until then the other servers do
      not see it: the *consistency window*.

    A peer that cannot be reached is skipped for ``retry_after`` seconds (its
    writes are dropped and counted in ``dropped``); a server that restarts with
    an empty copy calls ``join()`` to fetch a snapshot. Concurrent writes to the
    same session on two servers are resolved by arrival order (last write wins),
    except activity times, which only move forward.
    """

    kind = "replicated"

    def __init__(self, name: str = "node", sync: bool = True, batch_interval: float = 0.05,
                 timeout: float = 1.0, retry_after: float = 1.0, listen: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.name = name
        self.sync = bool(sync)
        self.batch_interval = float(batch_interval)
        self.timeout = float(timeout)
        self.retry_after = float(retry_after)
        self.peers: list[_Peer] = []
        self.sent = self.received = self.dropped = 0
        self._pending: list = []
        self._wake = threading.Condition()
        self._closed = self._busy = False
        self._sender = None
        if not self.sync:
            self._sender = threading.Thread(target=self._send_loop, daemon=True,
                                            name=f"sessionlab-replication-{name}")
            self._sender.start()
        self.server = self.url = None
        if listen:
            from sessionlab.infra.servers import serve
            self.server = serve(self.replication_app, name=f"replication-{name}")
            self.url = self.server.url

    # -- the local copy (a dict, like MemoryStore) and what peers apply -----------------
    def _apply(self, op: list) -> None:
        kind, args = op[0], op[1:]
        with self._lock:
            if kind == "put":
                sid, created, last, data = args
                self._records[sid] = [created, last, data]
            elif kind == "last":
                rec = self._records.get(args[0])
                if rec is not None and args[1] > rec[1]:
                    rec[1] = args[1]
            elif kind == "data":
                rec = self._records.get(args[0])
                if rec is not None:
                    rec[2] = args[1]
            elif kind == "remove":
                self._records.pop(args[0], None)
            elif kind == "clear":
                self._records.clear()

    # The local copy is MemoryStore's dict; each successful write is then broadcast.
    def _insert(self, sid, created, last_access, data, expires):
        if not super()._insert(sid, created, last_access, data, expires):
            return False
        self._broadcast(["put", sid, created, last_access, data])
        return True

    def _set_last_access(self, sid, last_access, expires):
        if not super()._set_last_access(sid, last_access, expires):
            return False
        self._broadcast(["last", sid, last_access])
        return True

    def _set_data(self, sid, data):
        if not super()._set_data(sid, data):
            return False
        self._broadcast(["data", sid, data])
        return True

    def _remove(self, sid):
        found = super()._remove(sid)
        if found:
            self._broadcast(["remove", sid])
        return found

    def _clear(self):
        super()._clear()
        self._broadcast(["clear"])

    # -- sending ------------------------------------------------------------------
    def _broadcast(self, op: list) -> None:
        if not self.peers:
            return
        if self.sync:
            self._send([op])
        else:
            with self._wake:
                self._pending.append(op)
                self._wake.notify()

    def _send(self, ops: list) -> None:
        body = json.dumps({"from": self.name, "ops": ops}, separators=(",", ":")).encode()
        for peer in list(self.peers):
            if peer.down_until > time.monotonic():
                self.dropped += len(ops)
                continue
            if peer.post("/ops", body):
                self.sent += len(ops)
            else:
                peer.down_until = time.monotonic() + self.retry_after
                self.dropped += len(ops)

    def _send_loop(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._closed:
                    self._wake.wait()
                if self._closed and not self._pending:
                    return
            if self.batch_interval > 0:
                time.sleep(self.batch_interval)  # gather a batch: the consistency window
            with self._wake:
                ops, self._pending = self._pending, []
                self._busy = True
            try:
                if ops:
                    self._send(ops)
            finally:
                with self._wake:
                    self._busy = False

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued write was sent (async mode); True if the queue is empty."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._wake:
                if not self._pending and not self._busy:
                    return True
            time.sleep(0.002)
        return False

    # -- receiving: the replication endpoint ----------------------------------------
    def replication_app(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        try:
            if method == "POST" and path == "/ops":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                batch = json.loads(environ["wsgi.input"].read(length) or b"{}")
                for op in batch.get("ops", []):
                    self._apply(op)
                with self._lock:
                    self.received += len(batch.get("ops", []))
                return _plain(start_response, "200 OK", "ok")
            if method == "GET" and path == "/snapshot":
                with self._lock:
                    body = json.dumps(self._records)
                return _plain(start_response, "200 OK", body, "application/json")
        except (ValueError, TypeError, IndexError, KeyError):
            return _plain(start_response, "400 Bad Request", "복제 요청 형식이 올바르지 않습니다.")
        return _plain(start_response, "404 Not Found", "없는 주소입니다.")

    def connect(self, *others: "ReplicatedStore") -> None:
        """Make ``others`` this store's peers (use the module function ``connect`` for a group)."""
        self.peers = [_Peer(o.url, o.name, self.timeout) for o in others if o is not self and o.url]

    def join(self) -> int:
        """Fetch every record from the first peer that answers; returns how many."""
        for peer in self.peers:
            snap = peer.get("/snapshot")
            if snap is not None:
                with self._lock:
                    self._records.update({k: list(v) for k, v in json.loads(snap).items()})
                    return len(self._records)
        return 0

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        if self._sender is not None:
            self._sender.join(timeout=2)
        if self.server is not None:
            self.server.stop()
        for peer in self.peers:
            peer.close()


def connect(*stores: ReplicatedStore) -> list[ReplicatedStore]:
    """Make every store of the group a peer of every other one."""
    for store in stores:
        store.connect(*stores)
    return list(stores)


def _plain(start_response, status: str, body: str, ctype: str = "text/plain; charset=utf-8"):
    data = body.encode("utf-8")
    start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(data)))])
    return [data]


class _Peer:
    """Where a peer's replication endpoint is, with a few kept-alive connections."""

    def __init__(self, url: str, name: str, timeout: float):
        import http.client
        from urllib.parse import urlsplit

        self._http = http.client
        parts = urlsplit(url)
        self.url, self.name, self.timeout = url, name, timeout
        self.host, self.port = parts.hostname, parts.port
        self.down_until = 0.0
        self._idle: list = []
        self._lock = threading.Lock()

    def _request(self, method: str, path: str, body=None) -> bytes | None:
        for attempt in (1, 2):
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            reused = conn is not None
            if conn is None:
                conn = self._http.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                data = resp.read()
            except (OSError, self._http.HTTPException):
                conn.close()
                if reused and attempt == 1:
                    continue  # a stale kept-alive connection: try a fresh one
                return None
            with self._lock:
                if len(self._idle) < 8 and not resp.will_close:
                    self._idle.append(conn)
                else:
                    conn.close()
            return data if resp.status == 200 else None
        return None

    def post(self, path: str, body: bytes) -> bool:
        return self._request("POST", path, body) is not None

    def get(self, path: str) -> str | None:
        data = self._request("GET", path)
        return data.decode() if data is not None else None

    def close(self) -> None:
        with self._lock:
            while self._idle:
                self._idle.pop().close()


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

    def __init__(self, redis, path: str = ":memory:", prefix: str = "sessionlab:hybrid:",
                 table: str = "sessions", **kwargs):
        super().__init__(**kwargs)
        if not _is_redis_py(redis) and callable(getattr(redis, "client", None)):  # a sessionlab server
            # The cache is optional: give up on it fast (redis-py's default retries take seconds).
            from redis.backoff import ExponentialBackoff
            from redis.retry import Retry

            redis = redis.client(retry=Retry(ExponentialBackoff(cap=0.05, base=0.005), 2),
                                 socket_timeout=0.5, socket_connect_timeout=0.5)
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


__all__ += ["RedisClusterStore", "ReplicatedStore", "HybridStore", "connect"]
