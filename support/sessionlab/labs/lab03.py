"""Lab 03 (HTTP is stateless): the lab web app, raw-socket HTTP, a tiny HTTP cache.

``create_http_lab_app(name)`` is one small Flask app with a route per experiment:

- ``/hello``                 plain text, the smallest exchange
- ``/echo``                  what the server received, and nothing else (JSON)
- ``/memory-visits?user=``   ⚠️ a visit counter kept in this process's memory
- ``/visits?count=``         the same counter, stateless: the client sends its count
- ``/cookie-visits``         the same counter carried in a cookie the client sends back
- ``/fail``                  raises inside the handler (a 500)
- ``/doc``                   a 20 KB document with ``ETag`` and ``Cache-Control``
"""
from __future__ import annotations

import hashlib
import http.client
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import Flask, Response, jsonify, request

from sessionlab.web.balancer import POLICIES

__all__ = ["create_http_lab_app", "build_request", "raw_http", "show", "RawConnection",
           "RawResponse", "parse_raw_response", "MiniCache", "visit_answers", "policy_table",
           "policy_widget", "DOC"]

DOC = ("HTTP는 무상태(stateless) 프로토콜입니다. " * 400).encode("utf-8")[:20_000]


def create_http_lab_app(name: str = "web") -> Flask:
    app = Flask(name)
    memory_visits: Counter = Counter()   # ⚠️ lives in this process only
    app.config["doc_hits"] = 0

    @app.get("/hello")
    def hello():
        return Response("hello", mimetype="text/plain")

    @app.route("/echo", methods=["GET", "POST"])
    def echo():
        """Everything this request gave the server: the server knows nothing else."""
        return jsonify(method=request.method, path=request.full_path.rstrip("?"),
                       headers={k: v for k, v in request.headers.items() if k != "Host"},
                       body=request.get_data(as_text=True), server=name)

    @app.post("/memory-visits")
    def memory_counter():
        user = request.args.get("user", "guest")
        memory_visits[user] += 1
        return jsonify(server=name, user=user, visits=memory_visits[user])

    @app.post("/visits")
    def stateless_counter():
        count = int(request.args.get("count", "0")) + 1
        return jsonify(server=name, visits=count)

    @app.post("/cookie-visits")
    def cookie_counter():
        count = int(request.cookies.get("visits", "0")) + 1
        resp = jsonify(server=name, visits=count)
        resp.set_cookie("visits", str(count), httponly=True, samesite="Lax")
        return resp

    @app.get("/fail")
    def fail():
        raise RuntimeError("이 요청은 일부러 실패합니다")

    @app.errorhandler(RuntimeError)   # handled here, so no traceback is logged into the notebook
    def server_error(exc):
        return Response("서버 내부 오류 (500): 이 요청만 실패했습니다\n", status=500, mimetype="text/plain")

    @app.get("/doc")
    def doc():
        app.config["doc_hits"] += 1
        etag = '"' + hashlib.sha256(DOC).hexdigest()[:16] + '"'
        if etag in request.headers.get("If-None-Match", ""):
            resp = Response(status=304)
        else:
            resp = Response(DOC, mimetype="text/plain")
        resp.headers["ETag"] = etag
        resp.headers["Cache-Control"] = "public, max-age=60"
        return resp

    return app


# --- HTTP by hand ----------------------------------------------------------------
def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname, parts.port or 80


def build_request(method: str, target: str, host: str, headers: dict | None = None,
                  body: bytes | str = b"", close: bool = False) -> bytes:
    """The bytes of one HTTP/1.1 request: request line, headers, blank line, body."""
    body = body.encode("utf-8") if isinstance(body, str) else body
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body


def show(raw: bytes) -> None:
    """Print raw HTTP bytes with every CRLF visible as ↵."""
    print(raw.decode("utf-8", errors="replace").replace("\r\n", "↵\n"))


def raw_http(url: str, data: bytes, timeout: float = 5) -> bytes:
    """Send ``data`` as they are on a new TCP connection; return every byte until the server closes."""
    with socket.create_connection(_address(url), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@dataclass
class RawResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    wire_bytes: int = 0           # status line + headers + body, as received

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def json(self):
        import json

        return json.loads(self.body)


def parse_raw_response(raw: bytes) -> RawResponse:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(x.strip() for x in line.split(":", 1)) for line in lines[1:] if ":" in line]
    return RawResponse(int(lines[0].split()[1]), headers, body, len(raw))


class RawConnection:
    """One kept-alive TCP connection: send raw request bytes, read one response at a time.

    (waitress closes the connection after a 204 or 304 answer: open a new one then.)
    """

    def __init__(self, url: str, timeout: float = 5):
        self.sock = socket.create_connection(_address(url), timeout=timeout)
        self.local_port = self.sock.getsockname()[1]

    def send(self, data: bytes) -> RawResponse:
        self.sock.sendall(data)
        resp = http.client.HTTPResponse(self.sock)
        resp.begin()
        body = resp.read()
        headers = resp.getheaders()
        size = len(f"HTTP/1.1 {resp.status} {resp.reason}\r\n") + 2 + len(body) + sum(
            len(k) + len(v) + 4 for k, v in headers)
        return RawResponse(resp.status, headers, body, size)

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "RawConnection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- a browser-like cache in 30 lines ----------------------------------------------
@dataclass
class MiniCache:
    """Cache-Control max-age and ETag revalidation, the way a browser uses them.

    ``get(url)`` answers from the cache while the copy is fresh (no request at all),
    revalidates with ``If-None-Match`` once it is stale (a 304 carries no body), and
    counts the bytes each answer needed on the wire. ``clock`` can be a fake one.
    """

    clock: object = time.monotonic
    entries: dict = field(default_factory=dict)
    log: list = field(default_factory=list)     # (how, wire bytes)

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
        max_age = int((resp.header("Cache-Control") or "max-age=0").split("max-age=")[-1].split(",")[0])
        entry["fresh_until"] = self.clock() + max_age
        self.entries[url] = entry
        return entry["body"]


# --- the balancer experiment -----------------------------------------------------
def visit_answers(lb, policy: str, path: str = "/memory-visits?user=kim", n: int = 6, session=None):
    """Send ``n`` POSTs through ``lb`` under ``policy``; return [(server, visits), ...]."""
    import requests

    lb.policy = policy
    own = session is None
    http = session or requests.Session()
    try:
        answers = []
        for _ in range(n):
            r = http.post(lb.url + path, timeout=5)
            answers.append((r.json()["server"], r.json()["visits"]) if r.ok else (r.headers.get("X-Served-By"), r.status_code))
        return answers
    finally:
        if own:
            http.close()


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
            print("✅ 1, 2, 3, … 차례대로 셉니다" if right else "❌ 방문 횟수가 틀렸습니다: 서버마다 따로 셉니다")

    button.on_click(send)
    return w.VBox([w.HBox([choice, button]), out])
