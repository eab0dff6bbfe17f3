"""Lab 01 (쿠키와 세션의 차이): look at cookies and session records, measure their size and cost, run real Chromium.

The app itself is ``sessionlab.apps.cookie``; the exercise checkers are ``sessionlab.exercises.ex01``.
"""

from __future__ import annotations

import base64
import http.client
import json
import statistics
import time
import warnings
import zlib

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from werkzeug.http import dump_cookie

from sessionlab.infra.wire import wire_bytes
from sessionlab.web.stores import SessionStore

__all__ = [
    "browser_restart_experiment",
    "browser_cookie_size_experiment",
    "flask_session_cookie",
    "jar_table",
    "store_table",
    "decode_flask_session",
    "cookie_header_limit",
    "time_requests",
    "size_experiment",
]


def _dom_text(dom: str, element_id: str) -> str:
    import re

    m = re.search(rf'id="{element_id}">(.*?)</p>', dom, re.S)
    return m.group(1) if m else ""


def browser_restart_experiment(url: str) -> dict:
    """Real Chromium: store state, close the browser, reopen it on the same profile."""
    from sessionlab.infra import browser

    with browser.Profile() as profile:
        first = profile.dump_dom(url + "/page/start")
        second = profile.dump_dom(url + "/page/show")  # a new browser process: "reopened"
    return {
        "first_visit_done": _dom_text(first, "done") == "done",
        "js_cookies_after_restart": sorted(
            c.split("=")[0] for c in _dom_text(second, "cookies").split("; ") if c
        ),
        "cart_after_restart": json.loads(_dom_text(second, "cart") or "null"),
    }


def browser_cookie_size_experiment(url: str, sizes=(4000, 4090, 5000)) -> dict:
    """Real Chromium: which cookie sizes does the browser keep and send back?"""
    from sessionlab.infra import browser

    kept = {}
    for size in sizes:
        with browser.Profile() as profile:
            profile.dump_dom(f"{url}/big?size={size}")
            dom = profile.dump_dom(url + "/page/show")
        kept[size] = json.loads(_dom_text(dom, "echo") or "{}").get("cookie_header_bytes", 0) > size
    return kept


def flask_session_cookie(data: dict, secret_key) -> str:
    """A Flask session cookie for ``data`` signed with ``secret_key`` (what a forger would try)."""
    forger = Flask("forger")
    forger.secret_key = secret_key
    interface = forger.session_interface
    assert isinstance(interface, SecureCookieSessionInterface)  # Flask's default session interface
    serializer = interface.get_signing_serializer(forger)
    assert serializer is not None  # None only without a secret key
    return serializer.dumps(data)


# --- looking at both sides ----------------------------------------------------


def _mask(name: str, value: str) -> str:
    return f"<무작위 {len(value)}자>" if name == "sid" else value


def jar_table(jar) -> list[dict]:
    """The client's cookie jar (a ``requests`` jar) as rows a notebook can print."""
    rows = []
    for c in sorted(jar, key=lambda c: c.name):
        rows.append(
            {
                "이름": c.name,
                "값": _mask(c.name, c.value),
                "만료": "세션 쿠키(만료 없음)" if c.expires is None else "지정됨(Max-Age/Expires)",
                "HttpOnly": c.has_nonstandard_attr("HttpOnly") or c.has_nonstandard_attr("httponly"),
            }
        )
    return rows


def store_table(store: SessionStore) -> list[dict]:
    """The server-side store as rows (ids masked, data shown)."""
    rows = []
    for sid in store.live_ids():
        session = store.get(sid)
        assert session is not None  # live_ids() has just listed it
        rows.append({"세션 ID": f"<무작위 {len(sid)}자>", "데이터": session.data})
    return rows


def decode_flask_session(cookie: str) -> dict:
    """Read a Flask session cookie without the key: it is signed, not encrypted."""
    compressed = cookie.startswith(".")
    payload = cookie.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return json.loads(zlib.decompress(raw) if compressed else raw)


def cookie_header_limit(size: int) -> dict:
    """What werkzeug (the server stack) does when asked to set a cookie of ``size`` bytes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        header = dump_cookie("big", "x" * size)
    return {
        "value_bytes": size,
        "set_cookie_bytes": len(header),
        "warning": any("cookie is too large" in str(w.message) for w in caught),
    }


# --- measuring bytes and time on the wire ---------------------------------------


def time_requests(url: str, cookie: str | None, n: int = 200, path: str = "/echo") -> float:
    """Median µs of ``n`` GETs on one kept-alive connection."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port))
    headers = {"Cookie": cookie} if cookie else {}
    times = []
    for _ in range(n):
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        conn.getresponse().read()
        times.append(time.perf_counter() - start)
    conn.close()
    return statistics.median(times) * 1e6


def size_experiment(url: str, sizes, n: int = 150, rounds: int = 3, progress=None) -> list[dict]:
    """For each cookie size: bytes per request and median latency, interleaved over ``rounds``."""
    rows = {
        s: {
            "cookie_bytes": s,
            "request_bytes": wire_bytes(url, "/echo", cookie=f"c={'x' * s}" if s else None)[0],
            "runs": [],
        }
        for s in sizes
    }
    for _ in range(rounds):
        for s in sizes:
            rows[s]["runs"].append(time_requests(url, f"c={'x' * s}" if s else None, n))
            if progress is not None:
                progress.update(1)
    return [{**r, "median_us": statistics.median(r["runs"])} for r in rows.values()]
