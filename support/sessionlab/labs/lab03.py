"""Lab 03 (HTTP is stateless): connections per request, a browser-like cache, a shared cache, balancer policies.

Raw-socket HTTP is ``sessionlab.infra.wire``; the app is ``sessionlab.apps.http_basics``.
"""

from __future__ import annotations

import http.client
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sessionlab.infra.wire import parse_raw_response, raw_http
from sessionlab.web.balancer import POLICIES

__all__ = [
    "MiniCache",
    "SharedCache",
    "NoJarRun",
    "CACHE_LETTERS",
    "cache_timeline",
    "connections_used",
    "count_without_jar",
    "md_table",
    "echo_table",
    "visits_table",
    "visit_answers",
    "policy_table",
    "policy_widget",
]


# --- readable outputs ----------------------------------------------------------
def md_table(headers, rows):
    """A Markdown table (renders as a table in JupyterLab; its text is stable for nbval)."""
    from IPython.display import Markdown

    def cell(value) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return Markdown("\n".join(lines))


def echo_table(seen: dict):
    """What the server saw of one request (``/echo`` answers), one column per way of sending it."""
    fields = [
        ("메서드", lambda e: e["method"]),
        ("경로", lambda e: e["path"]),
        ("본문", lambda e: e["body"] or "(없음)"),
        ("헤더 (Host 말고)", lambda e: ", ".join(f"{k}: {v}" for k, v in e["headers"].items()) or "(없음)"),
        ("답한 서버", lambda e: e["server"]),
    ]
    return md_table(
        ["서버가 본 것", *seen], [[name, *(get(e) for e in seen.values())] for name, get in fields]
    )


def visits_table(runs: dict):
    """``{policy: [(server, visits), ...]}`` as one row per request, one column per policy."""
    n = max(len(answers) for answers in runs.values())
    rows = [
        [i + 1, *(f"{a[i][0]} → {a[i][1]}" if i < len(a) else "" for a in runs.values())] for i in range(n)
    ]
    return md_table(["요청", *(f"{p}: 서버 → 방문 횟수" for p in runs)], rows)


# --- how many TCP connections do N requests need? ------------------------------------
def connections_used(url: str, n: int, request: bytes, timeout: float = 5) -> list[int]:
    """Send ``request`` ``n`` times, reusing one TCP connection until the *server* closes it.

    Returns, for each answer, the local port of the connection that carried it: one
    port for all answers means the server kept the connection alive; ``n`` ports mean
    it closed the connection after every answer (the client reconnects only then).
    """
    parts = urlsplit(url)
    address = (parts.hostname, parts.port or 80)
    ports: list[int] = []
    sock: socket.socket | None = None
    try:
        for _ in range(n):
            for _attempt in range(2):  # the old connection, or one new one if the server closed it
                if sock is None:
                    sock = socket.create_connection(address, timeout=timeout)
                try:
                    sock.sendall(request)
                    resp = http.client.HTTPResponse(sock)
                    resp.begin()
                    resp.read()
                    ports.append(sock.getsockname()[1])
                    break
                except (http.client.RemoteDisconnected, ConnectionError):
                    sock.close()
                    sock = None
            else:
                raise ConnectionError("서버가 새 연결에서도 답하지 않았습니다")
    finally:
        if sock is not None:
            sock.close()
    return ports


# --- a browser-like cache in 30 lines ----------------------------------------------
@dataclass
class MiniCache:
    """Cache-Control max-age and ETag revalidation, the way a browser uses them.

    ``get(url)`` answers from the cache while the copy is fresh (no request at all),
    revalidates with ``If-None-Match`` once it is stale (a 304 carries no body), and
    counts the bytes each answer needed on the wire. ``clock`` can be a fake one.
    """

    clock: Callable[[], float] = time.monotonic
    entries: dict[str, dict] = field(default_factory=dict)
    log: list = field(default_factory=list)  # (how, wire bytes)

    def get(self, url: str) -> bytes:
        entry = self.entries.get(url)
        if entry and self.clock() < entry["fresh_until"]:
            self.log.append(("캐시 (요청 없음)", 0))
            return entry["body"]
        parts = urlsplit(url)
        headers = f"If-None-Match: {entry['etag']}\r\n" if entry else ""
        request = f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{headers}Connection: close\r\n\r\n"
        resp = parse_raw_response(raw_http(url, request.encode()))
        if resp.status == 304:
            self.log.append(("304 재검증", resp.wire_bytes))
        else:
            self.log.append((f"{resp.status} 전체 응답", resp.wire_bytes))
            entry = {"body": resp.body, "etag": resp.header("ETag")}
        assert entry is not None  # a 304 only answers our If-None-Match, sent when there was an entry
        max_age = int((resp.header("Cache-Control") or "max-age=0").split("max-age=")[-1].split(",")[0])
        entry["fresh_until"] = self.clock() + max_age
        self.entries[url] = entry
        return entry["body"]


# --- the balancer experiment -----------------------------------------------------
def visit_answers(
    lb, policy: str, path: str = "/memory-visits?user=kim", n: int = 6, session=None, jar: bool = True
):
    """Send ``n`` POSTs through ``lb`` under ``policy``; return [(server, visits), ...].

    ``jar=False`` plays a client without a cookie jar (a bare ``requests.post`` each time):
    it never sends back the balancer's ``lb_server`` cookie.
    """
    import requests

    lb.policy = policy
    own = session is None
    http = session or requests.Session()
    try:
        answers = []
        for _ in range(n):
            r = http.post(lb.url + path, timeout=5) if jar else requests.post(lb.url + path, timeout=5)
            answers.append(
                (r.json()["server"], r.json()["visits"])
                if r.ok
                else (r.headers.get("X-Served-By"), r.status_code)
            )
        return answers
    finally:
        if own:
            http.close()


@dataclass
class NoJarRun:
    """Requests to the stateless counter ``/visits?count=n`` by a client without a cookie jar."""

    policy: str
    served: list[str]  # who answered each request
    final: int  # the count after the last request
    sticky_cookies: list[str | None]  # the balancer's lb_server cookie in each answer (None: none set)
    cookies_sent: list[str | None]  # the Cookie header each request carried (None: none)


def count_without_jar(lb, policy: str, n: int = 6) -> NoJarRun:
    """Count to ``n`` through ``lb``: the count travels in the URL, each request is a bare ``requests.post``."""
    import requests

    lb.policy = policy
    count, served, set_cookies, sent = 0, [], [], []
    for _ in range(n):
        reply = requests.post(f"{lb.url}/visits", params={"count": count}, timeout=5)
        count = reply.json()["visits"]
        served.append(reply.json()["server"])
        set_cookies.append(reply.cookies.get("lb_server"))
        sent.append(reply.request.headers.get("Cookie"))
    return NoJarRun(policy, served, count, set_cookies, sent)


def policy_table(answers) -> str:
    rows = [f"{i + 1:>4}   {server:<6} {visits}" for i, (server, visits) in enumerate(answers)]
    return "요청  서버   방문 횟수(서버가 답한 값)\n" + "\n".join(rows)


def policy_widget(lb, path: str = "/memory-visits?user=kim", n: int = 6):
    """A dropdown of policies and a button that sends ``n`` requests through ``lb``."""
    import ipywidgets as w

    choice = w.Dropdown(options=list(POLICIES), value=lb.policy, description="정책")
    button = w.Button(description=f"요청 {n}개 보내기", button_style="primary")
    out = w.Output()

    def send(_=None):
        with out:
            out.clear_output()
            answers = visit_answers(lb, choice.value, path, n)
            print(policy_table(answers))
            right = [v for _, v in answers] == [answers[0][1] + i for i in range(n)]
            print(
                "✅ 1, 2, 3, … 차례대로 셉니다"
                if right
                else "❌ 방문 횟수가 틀렸습니다: 서버마다 따로 셉니다"
            )

    button.on_click(send)
    return w.VBox([w.HBox([choice, button]), out])


# Exercise 3's letters for what one read of a MiniCache needed.
CACHE_LETTERS = {"200 전체 응답": "A", "캐시 (요청 없음)": "B", "304 재검증": "C"}


def cache_timeline(url: str, times: list[int]) -> str:
    """Read ``url`` through a fresh MiniCache at each second of ``times``; one letter per read (A/B/C)."""
    from sessionlab.web.stores import FakeClock

    clock = FakeClock()
    cache = MiniCache(clock=clock)
    last = 0
    for t in times:
        clock.advance(t - last)
        last = t
        cache.get(url)
    return "".join(CACHE_LETTERS[how] for how, _ in cache.log)


# --- a shared cache (a proxy in front of the app), as RFC 9111 allows one to behave ---
@dataclass
class SharedCache:
    """A WSGI reverse proxy that caches GET answers for *every* client, keyed by the URL.

    It stores a 200 answer that has explicit freshness (``max-age``/``s-maxage``) unless
    ``Cache-Control`` says ``private`` or ``no-store`` or the request had ``Authorization``
    (RFC 9111, 3 and 3.5). Like the RFC (7.3), it does not treat ``Cookie`` or ``Set-Cookie``
    as a reason not to store. Answers say ``X-Cache: HIT`` or ``MISS``.
    """

    origin: str
    clock: Callable[[], float] = time.monotonic
    entries: dict[str, tuple[float, int, list, bytes]] = field(default_factory=dict)
    log: list = field(default_factory=list)  # (path, "HIT" | "MISS")

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "/") + (
            "?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""
        )
        entry = self.entries.get(path)
        if environ["REQUEST_METHOD"] == "GET" and entry and self.clock() < entry[0]:
            self.log.append((path, "HIT"))
            return self._answer(start_response, entry[1], entry[2], entry[3], "HIT")
        status, headers, body = self._forward(environ, path)
        if environ["REQUEST_METHOD"] == "GET" and status == 200:
            lifetime = self.storable_for(headers, "HTTP_AUTHORIZATION" in environ)
            if lifetime:
                self.entries[path] = (self.clock() + lifetime, status, headers, body)
        self.log.append((path, "MISS"))
        return self._answer(start_response, status, headers, body, "MISS")

    @staticmethod
    def storable_for(headers: list[tuple[str, str]], authorization: bool = False) -> int:
        """Seconds a shared cache may keep this answer (0: must not store it)."""
        cc = ",".join(v for k, v in headers if k.lower() == "cache-control").lower()
        directives = dict((d.split("=", 1) + [""])[:2] for d in (p.strip() for p in cc.split(",")) if d)
        if "private" in directives or "no-store" in directives or authorization:
            return 0
        for name in ("s-maxage", "max-age"):
            if directives.get(name, "").isdigit():
                return int(directives[name])
        return 0

    def _forward(self, environ, path):
        parts = urlsplit(self.origin)
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5)
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else None
        try:
            conn.request(environ["REQUEST_METHOD"], path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.getheaders(), resp.read()
        finally:
            conn.close()

    @staticmethod
    def _answer(start_response, status, headers, body, how):
        hop = {"connection", "keep-alive", "transfer-encoding", "content-length"}
        out = [(k, v) for k, v in headers if k.lower() not in hop]
        out += [("Content-Length", str(len(body))), ("X-Cache", how)]
        start_response(f"{status} {http.client.responses.get(status, '')}", out)
        return [body]
