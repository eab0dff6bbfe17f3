"""MemoryStore: sessions in a dict of this process (fast, lost on restart, not shared)."""

from __future__ import annotations

import threading

from sessionlab.web.stores.base import SessionStore

__all__ = ["MemoryStore"]


class MemoryStore(SessionStore):
    """A dict in this process: fastest, gone on restart, not shared between servers."""

    kind = "memory"

    def __init__(self, **kwargs) -> None:
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
