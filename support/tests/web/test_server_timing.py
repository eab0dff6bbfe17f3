"""sessionlab.web.server_timing: the middleware adds app;dur to what the app set, the parser reads it back."""

from __future__ import annotations

import time

from flask import Flask, Response
from werkzeug.test import Client

from sessionlab.web.server_timing import ServerTiming, server_timing


def timed_app() -> Flask:
    app = Flask("timing")

    @app.get("/store")
    def store():
        return Response("ok", headers={"Server-Timing": "store;dur=0.250"})

    @app.get("/plain")
    def plain():
        return "plain"

    @app.get("/slow")
    def slow():
        time.sleep(0.02)
        return "late"

    @app.get("/two")
    def two():
        resp = Response("two")
        resp.headers.add("Server-Timing", "db;dur=1.5")
        resp.headers.add("Server-Timing", "cache;dur=0.5")
        return resp

    return app


def client() -> Client:
    return Client(ServerTiming(timed_app()))


def test_app_time_is_appended_to_the_apps_own_entries():
    r = client().get("/store")
    assert r.status_code == 200 and r.get_data() == b"ok"
    assert len(r.headers.getlist("Server-Timing")) == 1
    header = r.headers["Server-Timing"]
    assert header.startswith("store;dur=0.250, app;dur=")
    timing = server_timing(header)
    assert timing["store"] == 0.25 and timing["app"] >= 0


def test_without_entries_only_app_and_several_are_merged():
    c = client()
    assert list(server_timing(c.get("/plain").headers["Server-Timing"])) == ["app"]
    merged = c.get("/two").headers.getlist("Server-Timing")
    assert len(merged) == 1 and list(server_timing(merged[0])) == ["db", "cache", "app"]


def test_app_time_measures_the_app():
    timing = server_timing(client().get("/slow").headers["Server-Timing"])
    assert 20 <= timing["app"] < 2000


def test_parser():
    assert server_timing("store;dur=0.1, app;dur=0.5") == {"store": 0.1, "app": 0.5}
    assert server_timing(None) == {} and server_timing("") == {}
    assert server_timing("x;dur=abc, y, miss;desc=hit") == {}
