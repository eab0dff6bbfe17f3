"""Lab 01 (쿠키와 세션의 차이): look at cookies and session records, measure their size and cost, run real Chromium.

The Chromium labs read what the browser really did from the server side: ``/probe/<label>``
records the ``Cookie`` header each request carried (``received``), ``HeaderSink`` takes
headers of any size, and ``session_restore_experiment`` closes and reopens the browser.

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
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from werkzeug.http import dump_cookie

from sessionlab.apps.cookie import CART_COOKIE
from sessionlab.infra.wire import parse_raw_response, raw_http, wire_bytes
from sessionlab.web.stores import SessionStore

__all__ = [
    "HeaderSink",
    "browser_go",
    "browser_steps",
    "chromium_cookie_limits",
    "origin",
    "probe_url",
    "raw_status",
    "received",
    "session_restore_experiment",
    "session_restore_experiments",
    "set_url",
    "flask_session_cookie",
    "jar_table",
    "store_table",
    "markdown_table",
    "werkzeug_limit_table",
    "claims_table",
    "yes_no",
    "decode_flask_session",
    "cookie_header_limit",
    "time_requests",
    "size_experiment",
]


def _dom_text(dom: str, element_id: str) -> str:
    import re

    m = re.search(rf'id="{element_id}">(.*?)</p>', dom, re.S)
    return m.group(1) if m else ""


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
    return f"<무작위 {len(value)}자>" if name == CART_COOKIE else value


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


def yes_no(value: bool) -> str:
    """``True``/``False`` as the Korean a learner reads: 예 / 아니요."""
    return "예" if value else "아니요"


def _cell(value) -> str:
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, dict | list):
        return "`" + json.dumps(value, ensure_ascii=False) + "`"
    return str(value).replace("|", "\\|")


def markdown_table(rows: list[dict]):
    """Rows with the same keys as a Markdown table (예/아니요 for booleans, dicts and lists as compact JSON)."""
    from IPython.display import Markdown

    if not rows:
        return Markdown("(비어 있음)")
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(_cell(row.get(k, "")) for k in keys) + " |" for row in rows]
    return Markdown("\n".join(lines))


def werkzeug_limit_table(limits: list[dict]):
    """``cookie_header_limit`` results as a table: value size, whole Set-Cookie size, whether werkzeug warned."""
    return markdown_table(
        [
            {
                "쿠키 값": f"{r['value_bytes']:,}바이트",
                "Set-Cookie 값 전체": f"{r['set_cookie_bytes']:,}바이트",
                "werkzeug 경고": yes_no(r["warning"]),
            }
            for r in limits
        ]
    )


def claims_table(findings: dict[str, tuple[str, str, str]]):
    """Section 4's table: claim → (흔한 답변, 판정, 실험이 보인 것), each row written by the cell that measured it."""
    return markdown_table(
        [
            {"주제": claim, "흔한 답변": common, "판정": verdict, "실험이 보인 것": shown}
            for claim, (common, verdict, shown) in findings.items()
        ]
    )


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


def size_experiment(url: str, sizes, n: int = 100, rounds: int = 3, progress=None) -> list[dict]:
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


# --- real Chromium: scope, attributes, prefixes, limits, session restore ------------


class HeaderSink:
    """A listener on 127.0.0.1 with no header limit: it records the size of each ``Cookie`` header it gets.

    The lab server refuses headers past 16 KiB (431), so it cannot tell whether the *browser*
    caps the Cookie header; this sink can. Reads at most ``max_bytes`` per request and
    stops with ``close()`` (or ``with``).
    """

    def __init__(self, max_bytes: int = 4 * 1024 * 1024):
        import socket
        import threading

        self.max_bytes = max_bytes
        self.cookie_header_bytes: list[int] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sessionlab-header-sink", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:  # timeout (check the stop flag) or closed
                continue
            with conn:
                conn.settimeout(5)
                self._serve_one(conn)

    def _serve_one(self, conn) -> None:
        data = b""
        try:
            while b"\r\n\r\n" not in data and len(data) < self.max_bytes:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
        except OSError:
            return
        head = data.partition(b"\r\n\r\n")[0].decode("latin-1")
        cookie = [
            line.split(":", 1)[1].strip()
            for line in head.split("\r\n")[1:]
            if line.lower().startswith("cookie:")
        ]
        self.cookie_header_bytes.append(sum(len(c) for c in cookie))
        body = b"ok"
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n" + body)

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=2)

    def __enter__(self) -> HeaderSink:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def chromium_cookie_limits(url: str, count: int = 181, size: int = 10, sink_url: str | None = None) -> dict:
    """Real Chromium measures its own limits with ``document.cookie`` (page ``/page/limits``)."""
    from urllib.parse import urlencode

    from sessionlab.infra import browser

    query = {"count": count, "size": size, **({"sink": sink_url} if sink_url else {})}
    with browser.Profile() as profile:
        dom = profile.dump_dom(f"{url}/page/limits?{urlencode(query)}", budget_ms=5000)
    return json.loads(_dom_text(dom, "limits") or "{}")


def origin(url: str, host: str) -> str:
    """The lab server under another host name: ``origin(lab.url, "localhost")`` → ``http://localhost:PORT``."""
    return f"http://{host}:{url.rsplit(':', 1)[1]}"


def set_url(at: str, *set_cookie_lines: str) -> str:
    """A URL on ``at`` whose response carries exactly these ``Set-Cookie`` lines."""
    from urllib.parse import urlencode

    return f"{at}/set?" + urlencode([("c", line) for line in set_cookie_lines])


def probe_url(at: str, path: str) -> str:
    """A URL on ``at`` that records the ``Cookie`` header it receives under the label ``path``."""
    return f"{at}/probe/{path.lstrip('/')}"


def browser_steps(profile, page: str, *urls: str) -> str:
    """Open ``page``'s step page in ``profile``; it fetches ``urls`` in order; returns its document.cookie."""
    from urllib.parse import urlencode

    dom = profile.dump_dom(f"{page}/page/steps?" + urlencode([("u", u) for u in urls]))
    if _dom_text(dom, "done") != "done":
        raise RuntimeError("Chromium이 단계 페이지를 끝까지 실행하지 못했습니다.")
    return _dom_text(dom, "cookies")


def received(app, label: str) -> str:
    """The ``Cookie`` header the last request to ``/probe/<label>`` carried ('' if none)."""
    hits = [p for p in app.probes if p["label"] == label.lstrip("/")]
    if not hits:
        raise KeyError(f"/probe/{label.lstrip('/')}에 온 요청이 없습니다.")
    return hits[-1]["cookie"]


def browser_go(profile, page: str, to: str, method: str = "get") -> None:
    """From a page on ``page``, navigate the whole tab to ``to`` (a link click, or a form POST)."""
    from urllib.parse import urlencode

    profile.dump_dom(f"{page}/page/go?" + urlencode({"to": to, "method": method}))


def session_restore_experiment(app, url: str, restore: bool) -> dict:
    """Real Chromium, closed and reopened on one profile, with "continue where you left off" on or off.

    ``restore=True`` writes ``{"session": {"restore_on_startup": 1}}`` into the profile's
    Preferences before the first start (Settings → On startup → Continue where you left off).
    Returns the cookie names the server received from the reopened browser.
    """
    import os

    from sessionlab.infra import browser

    label = f"after-restart-{'restore' if restore else 'default'}-{len(app.probes)}"
    with browser.Profile() as profile:
        if restore:
            os.makedirs(os.path.join(profile.dir, "Default"), exist_ok=True)
            with open(os.path.join(profile.dir, "Default", "Preferences"), "w") as f:
                json.dump({"session": {"restore_on_startup": 1}}, f)
        started = f"{label}-start"  # the start page fetches this probe after its last answer arrived
        profile.run_until(f"{url}/page/start?done={started}", lambda: _probed(app, started))
        profile.run_until(probe_url(url, label), lambda: _probed(app, label))
    header = received(app, label)
    return {
        "restore_on_startup": restore,
        "cookies_after_restart": sorted(c.split("=")[0] for c in header.split("; ") if c),
    }


def session_restore_experiments(app, url: str) -> tuple[dict, dict]:
    """``session_restore_experiment`` with restore off and on, the two browsers side by side.

    Each has a profile folder of its own and waits for its own probes, so neither sees the
    other; together they wait about half as long (returns ``(default, restored)``).
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        default, restored = (pool.submit(session_restore_experiment, app, url, r) for r in (False, True))
        return default.result(), restored.result()


def _probed(app, label: str) -> bool:
    return any(p["label"] == label for p in app.probes)


def raw_status(url: str, request: bytes, timeout: float = 5) -> tuple[int, bytes]:
    """Send raw request bytes (``infra.wire.raw_http``) and return the status code and body the server answers."""
    raw = raw_http(url, request, timeout=timeout)
    if not raw:
        raise ConnectionError("서버가 응답 없이 연결을 끊었습니다.")
    resp = parse_raw_response(raw)
    return resp.status, resp.body


# --- HTTP/2 header compression (HPACK, RFC 7541) with the real nghttp2 library -------
