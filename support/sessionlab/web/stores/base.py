"""The session-store interface and its semantics: ``SessionStore``, ``Session``, timeouts, ``make_store``.

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
inherits the semantics; ``support/tests/web/test_stores.py`` runs the same suite
against each back end (add yours to its ``STORES`` list).
"""

from __future__ import annotations

import json
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

__all__ = [
    "Session",
    "SessionStore",
    "SessionExists",
    "StoreUnavailable",
    "FakeClock",
    "new_session_id",
    "make_store",
    "DEFAULT_IDLE",
    "DEFAULT_ABSOLUTE",
]

DEFAULT_IDLE = 30 * 60  # OWASP: 2–5 min for high-value apps, 15–30 min for low-risk ones
DEFAULT_ABSOLUTE = 8 * 60 * 60  # OWASP: 4–8 hours for apps used all day


def new_session_id() -> str:
    """256 random bits from the OS CSPRNG, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


class SessionExists(ValueError):
    """``create(sid=...)`` or a renewal hit an id that is already in use."""


class StoreUnavailable(RuntimeError):
    """The store answered but cannot promise what was asked (e.g. no replica acknowledged)."""


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

    def __init__(
        self,
        idle_timeout: float = DEFAULT_IDLE,
        absolute_timeout: float = DEFAULT_ABSOLUTE,
        clock: Callable[[], float] = time.time,
        id_factory: Callable[[], str] = new_session_id,
    ):
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

    # -- helpers shared by the interface -------------------------------------------
    def now(self) -> float:
        return float(self.clock())

    def _expires(self, created: float, last_access: float) -> float:
        return min(last_access + self.idle_timeout, created + self.absolute_timeout)

    def _snapshot(self, sid: str, data: dict, created: float, last_access: float) -> Session:
        return Session(sid, data, created, last_access, self.idle_timeout, self.absolute_timeout)

    def _session(self, sid: str, rec) -> Session:
        created, last, data = rec
        return self._snapshot(sid, json.loads(data), float(created), float(last))

    def _fresh_ids(self) -> Iterator[str]:
        """Up to five ids from ``id_factory`` (each collision draws again), then ``SessionExists``."""
        for _ in range(5):
            yield self.id_factory()
        raise SessionExists("새 세션 ID가 계속 기존 ID와 겹칩니다: id_factory를 확인하세요.")

    # -- the interface: reading ----------------------------------------------------
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
        return self._snapshot(sid, session.data, session.created_at, now)

    # -- the interface: writing ----------------------------------------------------
    def create(self, data: dict | None = None, sid: str | None = None) -> Session:
        """A new session; ``sid`` only for labs that show attacker-chosen ids."""
        text = _dump(data)
        now = self.now()
        for new in self._fresh_ids() if sid is None else [sid]:
            if not _valid_sid(new):
                raise ValueError("세션 ID는 1~512자의 문자열이어야 합니다.")
            if self._insert(new, now, now, text, self._expires(now, now)):
                return self._snapshot(new, json.loads(text), now, now)
        raise SessionExists("이미 쓰이고 있는 세션 ID입니다.")  # a chosen ``sid`` that exists

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
        created, now = session.created_at, max(self.now(), session.last_access)
        for new in self._fresh_ids():
            if (
                _valid_sid(new)
                and new != sid
                and self._insert(new, created, now, text, self._expires(created, now))
            ):
                break
        self._remove(sid)
        return new

    # -- the interface: the whole store --------------------------------------------
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

    def close(self) -> None:  # noqa: B027 (an optional hook: most stores hold nothing to release)
        """Release connections (the data stay where they are)."""

    def __len__(self) -> int:
        return self.count()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} idle={self.idle_timeout:g}s absolute={self.absolute_timeout:g}s>"


def make_store(kind: str, **kwargs) -> SessionStore:
    """``make_store("memory")``, ``("sqlite", path=...)``, ``("redis", redis=client)``, ... by ``kind``.

    Every ``SessionStore`` subclass is found by its ``kind``, so a new back end needs no entry here.
    """
    classes: dict[str, type[SessionStore]] = {}
    todo = [SessionStore]
    while todo:
        for cls in todo.pop().__subclasses__():
            classes.setdefault(cls.kind, cls)
            todo.append(cls)
    try:
        return classes[kind](**kwargs)
    except KeyError:
        raise ValueError(f"알 수 없는 저장소 종류: {kind!r} (가능: {', '.join(sorted(classes))})") from None
