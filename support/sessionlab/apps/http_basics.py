"""The small web app of notebook 03: one route per experiment on what HTTP remembers (nothing).

``create_http_lab_app(name)`` is one small Flask app with a route per experiment:

- ``/hello``                 plain text, the smallest exchange
- ``/echo``                  what the server received, and nothing else (JSON)
- ``/memory-visits?user=``   ⚠️ a visit counter kept in this process's memory
- ``/visits?count=``         the same counter, stateless: the client sends its count
- ``/cookie-visits``         the same counter carried in a cookie the client sends back
- ``/fail``                  raises inside the handler (a 500)
- ``/doc``                   a 20 KB document with ``ETag`` and ``Cache-Control``; ``PUT /doc`` replaces it
- ``/session-visits``        the counter kept in a server-side session: the cookie holds only an id
- ``/my-page``               ⚠️ VULNERABLE: a page for the session's user with ``Cache-Control: max-age=60``
- ``/my-page/private``       the same page with ``Cache-Control: private, max-age=60``

Built as the login app is (flaskr style): ``create_http_lab_app`` is the factory,
the app's state is one ``HttpLab`` (``app.http_lab``: its name and the in-memory
counter), the routes are the Blueprint ``bp``; ``app.config["doc_hits"]`` counts
the requests for ``/doc`` (notebooks read it).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass, field

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from sessionlab.apps import _limits
from sessionlab.apps._limits import int_arg

__all__ = ["create_http_lab_app", "HttpLab", "bp", "DOC", "SESSION_COOKIE"]

DOC = ("HTTP는 무상태(stateless) 프로토콜입니다. " * 400).encode("utf-8")[:20_000]


@dataclass
class HttpLab:
    """One server's state: its name and a visit counter that lives in this process only (⚠️)."""

    name: str
    memory_visits: Counter = field(default_factory=Counter)
    sessions: dict[str, dict] = field(default_factory=dict)  # session id → {"user", "visits"} (⚠️ memory)


def create_http_lab_app(name: str = "web") -> Flask:
    app = Flask(name)
    app.http_lab = HttpLab(name)  # type: ignore[attr-defined]
    app.config["doc_hits"] = 0
    app.config["doc"] = DOC
    _limits.init_app(app)  # 413, JSON depth, BadInput → problem+json
    app.register_blueprint(bp)
    return app


SESSION_COOKIE = "basics_sid"  # its own name: cookies do not isolate by port

bp = Blueprint("http_basics", __name__)


def current_lab() -> HttpLab:
    """The ``HttpLab`` of the app handling this request."""
    return current_app.http_lab  # type: ignore[attr-defined]


@bp.get("/hello")
def hello():
    return Response("hello", mimetype="text/plain")


@bp.route("/echo", methods=["GET", "POST"])
def echo():
    """Everything this request gave the server: the server knows nothing else."""
    return jsonify(
        method=request.method,
        path=request.full_path.rstrip("?"),
        headers={k: v for k, v in request.headers.items() if k != "Host"},
        body=request.get_data(as_text=True),
        server=current_lab().name,
    )


@bp.post("/memory-visits")
def memory_counter():
    lab = current_lab()
    user = request.args.get("user", "guest")
    lab.memory_visits[user] += 1
    return jsonify(server=lab.name, user=user, visits=lab.memory_visits[user])


@bp.post("/visits")
def stateless_counter():
    count = int_arg(request.args.get("count"), "count", default=0) + 1
    return jsonify(server=current_lab().name, visits=count)


@bp.post("/cookie-visits")
def cookie_counter():
    count = int_arg(request.cookies.get("visits"), "visits", default=0) + 1
    resp = jsonify(server=current_lab().name, visits=count)
    resp.set_cookie("visits", str(count), httponly=True, samesite="Lax")
    return resp


@bp.get("/fail")
def fail():
    raise RuntimeError("이 요청은 일부러 실패합니다")


@bp.app_errorhandler(RuntimeError)  # handled here, so no traceback is logged into the notebook
def server_error(exc):
    return Response("서버 내부 오류 (500): 이 요청만 실패했습니다\n", status=500, mimetype="text/plain")


@bp.get("/doc")
def doc():
    current_app.config["doc_hits"] += 1
    body = current_app.config["doc"]
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        resp = Response(status=304)
    else:
        resp = Response(body, mimetype="text/plain")
    resp.headers["ETag"] = etag
    resp.headers["Cache-Control"] = "public, max-age=60"
    return resp


@bp.put("/doc")
def replace_doc():
    """The resource changes: the same GET now gets a different answer (and a new ETag)."""
    current_app.config["doc"] = request.get_data()
    return Response(status=204)


# --- server-side sessions: the cookie carries an id, the state stays in this process ---
@bp.post("/session-visits")
def session_counter():
    """No session cookie: a new session. A known id: one more visit. An unknown id: 401."""
    lab = current_lab()
    sid = request.cookies.get(SESSION_COOKIE)
    if sid is None:
        sid = secrets.token_urlsafe(16)
        lab.sessions[sid] = {"user": request.args.get("user", "guest"), "visits": 0}
    elif sid not in lab.sessions:
        return jsonify(server=lab.name, error="unknown_session"), 401
    lab.sessions[sid]["visits"] += 1
    resp = jsonify(server=lab.name, visits=lab.sessions[sid]["visits"])
    resp.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="Lax")
    return resp


def _my_page(cache_control: str):
    lab = current_lab()
    sid = request.cookies.get(SESSION_COOKIE, "")
    session = lab.sessions.get(sid)
    if session is None:
        return jsonify(error="login_required"), 401
    resp = Response(f"{session['user']}님의 페이지: 방문 {session['visits']}번\n", mimetype="text/plain")
    resp.headers["Cache-Control"] = cache_control
    resp.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="Lax")  # sliding refresh, as many apps do
    return resp


@bp.get("/my-page")
def my_page():
    """⚠️ VULNERABLE: personal page with ``max-age=60`` and no ``private``: a shared cache may store it."""
    return _my_page("max-age=60")


@bp.get("/my-page/private")
def my_page_private():
    """The fix: ``private`` forbids shared caches to store it (RFC 9111, 5.2.2.7)."""
    return _my_page("private, max-age=60")
