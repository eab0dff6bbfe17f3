"""Lab 01 (쿠키와 세션의 차이): one Flask app that keeps state both ways, and the tools to look at it.

The app factory ``create_cookie_app`` serves
- client-side state: ``/prefs`` (a persistent cookie), ``/visit`` (a session cookie);
- server-side state: ``/cart`` (the data in a ``SessionStore``, only an id in the cookie);
- three ways to carry a role: ``/unsigned/*`` (plain cookie — ⚠️ VULNERABLE on purpose),
  ``/signed/*`` (HMAC-signed cookie), ``/flask/*`` (Flask's default signed client-side session);
- ``/echo`` tells how many bytes of ``Cookie`` header the server received.
"""
from __future__ import annotations

import base64
import http.client
import json
import secrets
import statistics
import time
import warnings
import zlib

from flask import Flask, jsonify, request, session
from itsdangerous import BadSignature, Signer
from werkzeug.http import dump_cookie

from sessionlab.exercises.base import CheckResult, is_blank, not_answered, result
from sessionlab.web.stores import MemoryStore, SessionStore

__all__ = [
    "create_cookie_app", "browser_restart_experiment", "browser_cookie_size_experiment",
    "flask_session_cookie", "jar_table", "store_table", "decode_flask_session", "cookie_header_limit",
    "CountingConnection", "request_bytes", "time_requests", "size_experiment",
    "check_lifetime", "check_forged_role", "check_bytes_for",
]

YEAR = 365 * 24 * 3600


def _role_response(role: str | None, how: str):
    if role is None:
        return jsonify(error=f"{how}: 로그인하지 않았습니다."), 401
    if role != "admin":
        return jsonify(error=f"{how}: 관리자(admin)만 볼 수 있습니다.", role=role), 403
    return jsonify(message=f"{how}: 관리자 페이지에 들어왔습니다.", role=role)


def create_cookie_app(store: SessionStore | None = None, secret_key: bytes | None = None) -> Flask:
    """The lab-01 app. ``secret_key`` signs cookies; generated at run time unless given."""
    app = Flask("cookielab")
    app.config["SECRET_KEY"] = secret_key or secrets.token_bytes(32)
    app.json.ensure_ascii = False  # Korean stays readable in traces
    app.store = store if store is not None else MemoryStore()
    signer = Signer(app.config["SECRET_KEY"], salt="role-cookie")

    @app.get("/prefs")
    def prefs():  # client-side, persistent: survives a browser restart
        theme = request.args.get("theme", "light")
        resp = jsonify(saved_on="client", theme=theme)
        resp.set_cookie("theme", theme, max_age=YEAR, samesite="Lax")
        return resp

    @app.get("/visit")
    def visit():  # client-side, session cookie: no Expires/Max-Age
        raw = request.cookies.get("visits", "0")
        count = int(raw) + 1 if raw.isdigit() else 1  # a tampered value just restarts the count
        resp = jsonify(visits=count)
        resp.set_cookie("visits", str(count), samesite="Lax")
        return resp

    @app.post("/cart")
    def add_to_cart():  # server-side: the cookie carries only an opaque id
        item = (request.get_json(silent=True) or {}).get("item") or request.args.get("item")
        if not item:
            return jsonify(error="담을 상품(item)을 알려 주세요."), 400
        sid = request.cookies.get("sid")
        current = app.store.touch(sid) if sid else None
        if current is None:
            current = app.store.create({"cart": []})
        cart = current.data.get("cart", []) + [item]
        app.store.update(current.id, {"cart": cart})
        resp = jsonify(saved_on="server", cart=cart)
        resp.set_cookie("sid", current.id, httponly=True, samesite="Lax")
        return resp

    @app.get("/cart")
    def show_cart():
        sid = request.cookies.get("sid")
        current = app.store.touch(sid) if sid else None
        if current is None:
            return jsonify(cart=[], note="서버에 이 세션이 없습니다(없거나 만료됨).")
        return jsonify(cart=current.data.get("cart", []))

    @app.get("/unsigned/login")
    def unsigned_login():  # ⚠️ VULNERABLE: the role is whatever the client sends back
        resp = jsonify(role="user")
        resp.set_cookie("role", "user", httponly=True, samesite="Lax")
        return resp

    @app.get("/unsigned/admin")
    def unsigned_admin():
        return _role_response(request.cookies.get("role"), "서명 없는 쿠키")

    @app.get("/signed/login")
    def signed_login():
        resp = jsonify(role="user")
        resp.set_cookie("role", signer.sign("user").decode(), httponly=True, samesite="Lax")
        return resp

    @app.get("/signed/admin")
    def signed_admin():
        raw = request.cookies.get("role")
        if raw is None:
            return _role_response(None, "서명한 쿠키")
        try:
            role = signer.unsign(raw).decode()
        except BadSignature:
            return jsonify(error="서명한 쿠키: 서명이 맞지 않습니다. 쿠키가 바뀌었습니다(tampered)."), 400
        return _role_response(role, "서명한 쿠키")

    @app.get("/flask/login")
    def flask_login():
        session["user"] = request.args.get("user", "kim")
        session["role"] = "user"
        return jsonify(role="user")

    @app.get("/flask/admin")
    def flask_admin():
        # A tampered or forged Flask session cookie fails its signature check and reads as empty.
        return _role_response(session.get("role"), "Flask session")

    @app.get("/big")
    def big():  # a cookie of ?size= bytes; werkzeug's "too large" warning is the lesson, not log noise
        size = min(int(request.args.get("size", "100")), 20000)
        resp = jsonify(set_bytes=size)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            resp.set_cookie("big", "x" * size, max_age=3600)
        return resp

    @app.get("/page/start")
    def page_start():  # a browser visit that stores state both ways
        return _PAGE_START

    @app.get("/page/show")
    def page_show():  # what a (re)opened browser still has
        return _PAGE_SHOW

    @app.get("/echo")
    def echo():
        header = request.headers.get("Cookie", "")
        return jsonify(cookie_header_bytes=len(header.encode()), cookies=len(request.cookies))

    return app


_PAGE_START = """<!doctype html><meta charset="utf-8"><p id="done">…</p><script>
(async () => {
  await fetch('/prefs?theme=dark'); await fetch('/visit');
  await fetch('/cart', {method: 'POST', headers: {'Content-Type': 'application/json'},
                        body: JSON.stringify({item: 'coffee'})});
  document.getElementById('done').textContent = 'done';
})();</script>"""

_PAGE_SHOW = """<!doctype html><meta charset="utf-8"><p id="cookies"></p><p id="cart"></p><p id="echo"></p><script>
document.getElementById('cookies').textContent = document.cookie;
(async () => {
  document.getElementById('cart').textContent = JSON.stringify((await (await fetch('/cart')).json()).cart);
  document.getElementById('echo').textContent = JSON.stringify(await (await fetch('/echo')).json());
})();</script>"""


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
    return {"first_visit_done": _dom_text(first, "done") == "done",
            "js_cookies_after_restart": sorted(c.split("=")[0] for c in _dom_text(second, "cookies").split("; ") if c),
            "cart_after_restart": json.loads(_dom_text(second, "cart") or "null")}


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
    return forger.session_interface.get_signing_serializer(forger).dumps(data)


# --- looking at both sides ----------------------------------------------------

def _mask(name: str, value: str) -> str:
    return f"<무작위 {len(value)}자>" if name == "sid" else value


def jar_table(jar) -> list[dict]:
    """The client's cookie jar (a ``requests`` jar) as rows a notebook can print."""
    rows = []
    for c in sorted(jar, key=lambda c: c.name):
        rows.append({"이름": c.name, "값": _mask(c.name, c.value),
                     "만료": "세션 쿠키(만료 없음)" if c.expires is None else "지정됨(Max-Age/Expires)",
                     "HttpOnly": c.has_nonstandard_attr("HttpOnly") or c.has_nonstandard_attr("httponly")})
    return rows


def store_table(store: SessionStore) -> list[dict]:
    """The server-side store as rows (ids masked, data shown)."""
    return [{"세션 ID": f"<무작위 {len(sid)}자>", "데이터": store.get(sid).data} for sid in store.live_ids()]


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
    return {"value_bytes": size, "set_cookie_bytes": len(header),
            "warning": any("cookie is too large" in str(w.message) for w in caught)}


# --- measuring bytes and time on the wire ---------------------------------------

class CountingConnection(http.client.HTTPConnection):
    """http.client with a count of the bytes it really wrote to the socket."""

    sent = 0

    def send(self, data):
        self.sent += len(data)
        super().send(data)


def request_bytes(url: str, path: str = "/echo", cookie: str | None = None) -> tuple[int, int]:
    """(bytes sent for one GET carrying ``cookie``, HTTP status)."""
    host, port = url.removeprefix("http://").split(":")
    conn = CountingConnection(host, int(port))
    headers = {"Cookie": cookie} if cookie else {}
    conn.request("GET", path, headers=headers)
    status = conn.getresponse().status
    conn.close()
    return conn.sent, status


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
    rows = {s: {"cookie_bytes": s, "request_bytes": request_bytes(url, cookie=f"c={'x' * s}" if s else None)[0],
                "runs": []} for s in sizes}
    for _ in range(rounds):
        for s in sizes:
            rows[s]["runs"].append(time_requests(url, f"c={'x' * s}" if s else None, n))
            if progress is not None:
                progress.update(1)
    return [{**r, "median_us": statistics.median(r["runs"])} for r in rows.values()]


# --- exercises ------------------------------------------------------------------

def check_lifetime(answer) -> CheckResult:
    """Exercise 1: which of the three Set-Cookie lines are session cookies? (a set of letters)"""
    if is_blank(answer):
        return not_answered()
    given = {str(a).strip().upper() for a in answer}
    return result(given == {"A", "C"},
                  "A와 C에는 Expires도 Max-Age도 없으니 세션 쿠키입니다. B는 1시간 동안 남습니다.",
                  "Expires나 Max-Age가 없는 줄을 찾아보세요. HttpOnly·Path는 수명과 상관없습니다.")


def check_forged_role(url: str, cookies) -> CheckResult:
    """Exercise 2: send ``cookies`` to /unsigned/admin on the lab server and see if they get in."""
    if is_blank(cookies):
        return not_answered()
    import requests

    resp = requests.get(url + "/unsigned/admin", cookies=dict(cookies), timeout=5)
    return result(resp.status_code == 200,
                  "서명 없는 쿠키는 클라이언트가 마음대로 바꿀 수 있어서 관리자 페이지가 열렸습니다.",
                  f"서버가 {resp.status_code}로 거절했습니다: {resp.json().get('error')}")


def check_bytes_for(answer, cookie_value_bytes: int, requests_count: int, measured_per_request: int) -> CheckResult:
    """Exercise 3: extra bytes ``requests_count`` requests carry for a cookie of ``cookie_value_bytes``."""
    if is_blank(answer):
        return not_answered()
    expected = measured_per_request * requests_count
    return result(abs(int(answer) - expected) <= requests_count * 2,
                  f"맞습니다: 요청마다 약 {measured_per_request}바이트, {requests_count}번이면 {expected}바이트입니다.",
                  f"요청 하나가 더 싣는 바이트(측정값 {measured_per_request})에 요청 수를 곱해 보세요.")
