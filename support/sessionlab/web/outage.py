"""Store outages as answers: a 503 with a Korean message and ``Retry-After`` instead of a 500.

``store_outage_handler(app)`` registers Flask error handlers for ``STORE_ERRORS``,
the errors that mean "the session store is not there right now" (Redis down, a
cluster slot without a primary, a replica that did not acknowledge, a locked
SQLite file), not "the app has a bug". The user keeps the session cookie, and the
app recovers by itself when the store is back (redis-py reconnects on the next
command), with no restart.
"""

from __future__ import annotations

import sqlite3

import redis as redis_py

from sessionlab.web.stores import StoreUnavailable  # raised by the stores, answered here

__all__ = ["STORE_DOWN_MESSAGE", "StoreUnavailable", "STORE_ERRORS", "store_outage_handler"]

STORE_DOWN_MESSAGE = (
    "세션 저장소(session store)에 연결할 수 없습니다. 잠시 뒤 다시 시도하세요 — "
    "저장소가 돌아오면 서버를 다시 띄우지 않아도 자동으로 복구됩니다."
)


# Errors that mean "the store is not there right now", not "the app has a bug".
STORE_ERRORS = (
    redis_py.ConnectionError,
    redis_py.TimeoutError,
    redis_py.exceptions.ClusterError,
    redis_py.exceptions.ClusterDownError,
    redis_py.exceptions.SlotNotCoveredError,
    redis_py.exceptions.MasterDownError,
    redis_py.exceptions.ReadOnlyError,
    redis_py.exceptions.TryAgainError,
    redis_py.exceptions.BusyLoadingError,
    redis_py.exceptions.RedisClusterException,
    sqlite3.OperationalError,
    StoreUnavailable,
)


def store_outage_handler(app, retry_after: int = 1, message: str = STORE_DOWN_MESSAGE):
    """Make a Flask app answer 503 (Korean JSON, ``Retry-After``) when its store is unreachable.

    ``message``: the Korean text for the body (default: the session store's).
    """
    from flask import jsonify

    def unavailable(exc):
        resp = jsonify({"ok": False, "error": message, "store_error": type(exc).__name__})
        resp.status_code = 503
        resp.headers["Retry-After"] = str(retry_after)
        return resp

    for cls in STORE_ERRORS:
        app.register_error_handler(cls, unavailable)
    return app
