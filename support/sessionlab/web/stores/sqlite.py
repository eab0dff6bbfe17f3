"""SQLiteStore: sessions in a SQLite table (in memory, or a WAL file that survives restarts)."""

from __future__ import annotations

import sqlite3
import threading

from sessionlab.web.stores.base import SessionStore

__all__ = ["SQLiteStore"]


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
            "last_access REAL NOT NULL, expires REAL NOT NULL, data TEXT NOT NULL)"
        )
        self._db.execute(f"CREATE INDEX IF NOT EXISTS {table}_expires ON {table}(expires)")

    def _exec(self, sql: str, args=()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql.format(t=self.table), args)

    def _insert(self, sid, created, last_access, data, expires):
        try:
            self._exec(
                "INSERT INTO {t} (id, created, last_access, expires, data) VALUES (?,?,?,?,?)",
                (sid, created, last_access, expires, data),
            )
        except sqlite3.IntegrityError:
            return False
        return True

    def _read(self, sid):
        with self._lock:
            row = self._db.execute(
                f"SELECT created, last_access, data FROM {self.table} WHERE id=?", (sid,)
            ).fetchone()
        return tuple(row) if row else None

    def _set_last_access(self, sid, last_access, expires):
        return (
            self._exec(
                "UPDATE {t} SET last_access=?, expires=? WHERE id=?", (last_access, expires, sid)
            ).rowcount
            == 1
        )

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
            return self._db.execute(
                f"SELECT COUNT(*) FROM {self.table} WHERE expires > ?", (self.now(),)
            ).fetchone()[0]

    def purge_expired(self) -> int:
        return self._exec("DELETE FROM {t} WHERE expires <= ?", (self.now(),)).rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()
