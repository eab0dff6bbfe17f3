"""sessionlab.web.outage: a store that cannot be reached gives 503 + Retry-After, a bug still gives 500."""

from __future__ import annotations

import sqlite3

import pytest
import redis as redis_py
from flask import Flask

from sessionlab.web.outage import STORE_DOWN_MESSAGE, STORE_ERRORS, StoreUnavailable, store_outage_handler

RAISES = {
    "redis-down": redis_py.ConnectionError("Connection refused"),
    "cluster-down": redis_py.exceptions.ClusterDownError("CLUSTERDOWN"),
    "no-replica": StoreUnavailable("0 of 1 replicas acknowledged"),
    "sqlite-locked": sqlite3.OperationalError("database is locked"),
    "bug": ValueError("a bug, not an outage"),
}


def app_that_raises(retry_after: int | None = None) -> Flask:
    app = Flask("outage")

    @app.get("/raise/<name>")
    def raise_(name):
        raise RAISES[name]

    @app.get("/ok")
    def ok():
        return {"ok": True}

    kwargs = {} if retry_after is None else {"retry_after": retry_after}
    assert store_outage_handler(app, **kwargs) is app
    return app


@pytest.mark.parametrize("name", ["redis-down", "cluster-down", "no-replica", "sqlite-locked"])
def test_store_errors_become_503_with_korean_message(name):
    r = app_that_raises().test_client().get(f"/raise/{name}")
    assert r.status_code == 503 and r.headers["Retry-After"] == "1"
    assert r.is_json and r.get_json() == {
        "ok": False,
        "error": STORE_DOWN_MESSAGE,
        "store_error": type(RAISES[name]).__name__,
    }
    assert "Traceback" not in r.get_data(as_text=True)


def test_retry_after_is_configurable_and_normal_requests_pass():
    client = app_that_raises(retry_after=7).test_client()
    assert client.get("/raise/redis-down").headers["Retry-After"] == "7"
    ok = client.get("/ok")
    assert ok.status_code == 200 and ok.get_json() == {"ok": True} and "Retry-After" not in ok.headers


def test_a_bug_is_not_an_outage():
    app = app_that_raises()
    app.testing = False  # let Flask turn the exception into its own 500
    r = app.test_client().get("/raise/bug")
    assert r.status_code == 500 and "Retry-After" not in r.headers
    assert not issubclass(ValueError, STORE_ERRORS) and StoreUnavailable in STORE_ERRORS
