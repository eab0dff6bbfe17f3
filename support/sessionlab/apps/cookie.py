"""The cookie app of notebook 01: state kept on the client (cookies) and on the server (a store).

``create_cookie_app`` serves
- client-side state: ``/prefs`` (a persistent cookie), ``/visit`` (a session cookie);
- server-side state: ``/cart`` (the data in a ``SessionStore``, only an id in the cookie);
- three ways to carry a role: ``/unsigned/*`` (plain cookie — ⚠️ VULNERABLE on purpose),
  ``/signed/*`` (HMAC-signed cookie), ``/flask/*`` (Flask's default signed client-side session);
- ``/echo`` tells how many bytes of ``Cookie`` header the server received.

Built as the login app is (flaskr style): ``create_cookie_app`` is the factory, the
routes are the Blueprint ``bp``; the server-side store is ``app.store`` (notebooks
read it) and the signing key ``app.config["SECRET_KEY"]``.
"""

from __future__ import annotations

import secrets
import warnings

from flask import Blueprint, Flask, current_app, jsonify, request, session
from flask.json.provider import DefaultJSONProvider
from itsdangerous import BadSignature, Signer

from sessionlab.web.stores import MemoryStore, SessionStore

__all__ = ["create_cookie_app", "bp", "YEAR"]

YEAR = 365 * 24 * 3600

bp = Blueprint("cookie", __name__)


def create_cookie_app(store: SessionStore | None = None, secret_key: bytes | None = None) -> Flask:
    """The lab-01 app. ``secret_key`` signs cookies; generated at run time unless given."""
    app = Flask("cookielab")
    app.config["SECRET_KEY"] = secret_key or secrets.token_bytes(32)
    json_provider = app.json
    assert isinstance(json_provider, DefaultJSONProvider)  # Flask's default provider
    json_provider.ensure_ascii = False  # Korean stays readable in traces
    app.store = store if store is not None else MemoryStore()  # type: ignore[attr-defined]  # notebooks read app.store
    app.register_blueprint(bp)
    return app


def current_store() -> SessionStore:
    """The server-side store of the app handling this request (``app.store``)."""
    return current_app.store  # type: ignore[attr-defined]


def role_signer() -> Signer:
    """Signs and checks the ``/signed/*`` role cookie with the app's ``SECRET_KEY``."""
    return Signer(current_app.config["SECRET_KEY"], salt="role-cookie")


def _role_response(role: str | None, how: str):
    if role is None:
        return jsonify(error=f"{how}: 로그인하지 않았습니다."), 401
    if role != "admin":
        return jsonify(error=f"{how}: 관리자(admin)만 볼 수 있습니다.", role=role), 403
    return jsonify(message=f"{how}: 관리자 페이지에 들어왔습니다.", role=role)


# -- client-side state -------------------------------------------------------------------


@bp.get("/prefs")
def prefs():  # client-side, persistent: survives a browser restart
    theme = request.args.get("theme", "light")
    resp = jsonify(saved_on="client", theme=theme)
    resp.set_cookie("theme", theme, max_age=YEAR, samesite="Lax")
    return resp


@bp.get("/visit")
def visit():  # client-side, session cookie: no Expires/Max-Age
    raw = request.cookies.get("visits", "0")
    count = int(raw) + 1 if raw.isdigit() else 1  # a tampered value just restarts the count
    resp = jsonify(visits=count)
    resp.set_cookie("visits", str(count), samesite="Lax")
    return resp


# -- server-side state -------------------------------------------------------------------


@bp.post("/cart")
def add_to_cart():  # server-side: the cookie carries only an opaque id
    item = (request.get_json(silent=True) or {}).get("item") or request.args.get("item")
    if not item:
        return jsonify(error="담을 상품(item)을 알려 주세요."), 400
    store = current_store()
    sid = request.cookies.get("sid")
    current = store.touch(sid) if sid else None
    if current is None:
        current = store.create({"cart": []})
    cart = current.data.get("cart", []) + [item]
    store.update(current.id, {"cart": cart})
    resp = jsonify(saved_on="server", cart=cart)
    resp.set_cookie("sid", current.id, httponly=True, samesite="Lax")
    return resp


@bp.get("/cart")
def show_cart():
    sid = request.cookies.get("sid")
    current = current_store().touch(sid) if sid else None
    if current is None:
        return jsonify(cart=[], note="서버에 이 세션이 없습니다(없거나 만료됨).")
    return jsonify(cart=current.data.get("cart", []))


# -- three ways to carry a role ----------------------------------------------------------


@bp.get("/unsigned/login")
def unsigned_login():  # ⚠️ VULNERABLE: the role is whatever the client sends back
    resp = jsonify(role="user")
    resp.set_cookie("role", "user", httponly=True, samesite="Lax")
    return resp


@bp.get("/unsigned/admin")
def unsigned_admin():
    return _role_response(request.cookies.get("role"), "서명 없는 쿠키")


@bp.get("/signed/login")
def signed_login():
    resp = jsonify(role="user")
    resp.set_cookie("role", role_signer().sign("user").decode(), httponly=True, samesite="Lax")
    return resp


@bp.get("/signed/admin")
def signed_admin():
    raw = request.cookies.get("role")
    if raw is None:
        return _role_response(None, "서명한 쿠키")
    try:
        role = role_signer().unsign(raw).decode()
    except BadSignature:
        return jsonify(error="서명한 쿠키: 서명이 맞지 않습니다. 쿠키가 바뀌었습니다(tampered)."), 400
    return _role_response(role, "서명한 쿠키")


@bp.get("/flask/login")
def flask_login():
    session["user"] = request.args.get("user", "kim")
    session["role"] = "user"
    return jsonify(role="user")


@bp.get("/flask/admin")
def flask_admin():
    # A tampered or forged Flask session cookie fails its signature check and reads as empty.
    return _role_response(session.get("role"), "Flask session")


# -- size, browser pages, echo -----------------------------------------------------------


@bp.get("/big")
def big():  # a cookie of ?size= bytes; werkzeug's "too large" warning is the lesson, not log noise
    size = min(int(request.args.get("size", "100")), 20000)
    resp = jsonify(set_bytes=size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        resp.set_cookie("big", "x" * size, max_age=3600)
    return resp


@bp.get("/page/start")
def page_start():  # a browser visit that stores state both ways
    return _PAGE_START


@bp.get("/page/show")
def page_show():  # what a (re)opened browser still has
    return _PAGE_SHOW


@bp.get("/echo")
def echo():
    header = request.headers.get("Cookie", "")
    return jsonify(cookie_header_bytes=len(header.encode()), cookies=len(request.cookies))


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
