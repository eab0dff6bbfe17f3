"""The cookie app of notebook 01: state kept on the client (cookies) and on the server (a store).

``create_cookie_app`` serves
- client-side state: ``/prefs`` (a persistent cookie), ``/visit`` (a session cookie);
- server-side state: ``/cart`` (the data in a ``SessionStore``, only an id in the cookie);
- three ways to carry a role: ``/unsigned/*`` (plain cookie — ⚠️ VULNERABLE on purpose),
  ``/signed/*`` (HMAC-signed cookie), ``/flask/*`` (Flask's default signed client-side session);
- ``/echo`` tells how many bytes of ``Cookie`` header the server received;
- browser labs: ``/set?c=<Set-Cookie line>`` sends the given lines as they are, ``/probe/<label>``
  records which ``Cookie`` header arrived (``app.probes``), ``/page/steps`` fetches a list of
  URLs in order, ``/page/embed`` loads a list of URLs in turn as iframes (a widget
  embedded by another site), ``/page/limits`` measures Chromium's cookie size and count limits.

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

from sessionlab.apps import _limits
from sessionlab.apps._limits import BadInput, int_arg
from sessionlab.web.stores import MemoryStore, SessionStore

__all__ = ["create_cookie_app", "bp", "YEAR", "CART_COOKIE"]

YEAR = 365 * 24 * 3600
CART_COOKIE = "shop_sid"  # the session id of /cart; its own name: cookies do not isolate by port

bp = Blueprint("cookie", __name__)


def create_cookie_app(store: SessionStore | None = None, secret_key: bytes | None = None) -> Flask:
    """The lab-01 app. ``secret_key`` signs cookies; generated at run time unless given."""
    app = Flask("cookielab")
    app.config["SECRET_KEY"] = secret_key or secrets.token_bytes(32)
    json_provider = app.json
    assert isinstance(json_provider, DefaultJSONProvider)  # Flask's default provider
    json_provider.ensure_ascii = False  # Korean stays readable in traces
    app.store = store if store is not None else MemoryStore()  # type: ignore[attr-defined]  # notebooks read app.store
    app.probes = []  # type: ignore[attr-defined]  # what /probe/<label> received, in order
    _limits.init_app(app)  # 413, JSON depth, BadInput → problem+json
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
    count = int(raw) + 1 if raw.isascii() and raw.isdigit() and len(raw) < 10 else 1  # tampered: restart
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
    sid = request.cookies.get(CART_COOKIE)
    current = store.touch(sid) if sid else None
    if current is None:
        current = store.create({"cart": []})
    cart = current.data.get("cart", []) + [item]
    store.update(current.id, {"cart": cart})
    resp = jsonify(saved_on="server", cart=cart)
    resp.set_cookie(CART_COOKIE, current.id, httponly=True, samesite="Lax")
    return resp


@bp.get("/cart")
def show_cart():
    sid = request.cookies.get(CART_COOKIE)
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
    size = int_arg(request.args.get("size"), "size", default=100, lo=0, hi=20000)
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


@bp.get("/set")
def set_raw():  # browser labs: the Set-Cookie lines the notebook wrote, sent exactly as written
    lines = request.args.getlist("c")
    if not lines or not all(_header_line(line) for line in lines):
        raise BadInput("c=<Set-Cookie 줄>을 한 줄 이상, 줄바꿈·제어 문자 없이 ASCII로 주세요.", 400, "c")
    resp = jsonify(set=len(lines))
    for line in lines:
        resp.headers.add("Set-Cookie", line)
    return resp


def _header_line(line: str) -> bool:
    """A line a header may carry as written: printable ASCII (no CR/LF/NUL; non-ASCII would crash the WSGI encoder)."""
    return line.isascii() and line.isprintable()


@bp.route("/probe/<path:label>", methods=["GET", "POST"])
def probe(label):  # browser labs: remember which Cookie header this request carried
    probes = current_app.probes
    probes.append(
        {"label": label, "host": request.host.split(":")[0], "cookie": request.headers.get("Cookie", "")}
    )
    return f"<!doctype html><p id='probe'>{len(probes)}</p>"


@bp.get("/page/steps")
def page_steps():  # fetch each URL of ?u= in order (cookies included), then show document.cookie
    return _PAGE_STEPS


@bp.get("/page/go")
def page_go():  # a top-level navigation (?method=post: a form submission) to ?to=, started by this page
    return _PAGE_GO


@bp.get("/page/embed")
def page_embed():  # third-party labs: load each URL of ?u= in turn as an <iframe> of this page (an embedded widget)
    return _PAGE_EMBED


@bp.get("/page/limits")
def page_limits():  # Chromium's own limits, measured with document.cookie
    return _PAGE_LIMITS


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
  const label = new URLSearchParams(location.search).get('done');  // tell the server: every answer is in
  if (label) await fetch('/probe/' + encodeURIComponent(label));
})();</script>"""


_PAGE_SHOW = """<!doctype html><meta charset="utf-8"><p id="cookies"></p><p id="cart"></p><p id="echo"></p><script>
document.getElementById('cookies').textContent = document.cookie;
(async () => {
  document.getElementById('cart').textContent = JSON.stringify((await (await fetch('/cart')).json()).cart);
  document.getElementById('echo').textContent = JSON.stringify(await (await fetch('/echo')).json());
})();</script>"""


_PAGE_STEPS = """<!doctype html><meta charset="utf-8"><p id="cookies"></p><p id="done">…</p><script>
(async () => {
  for (const u of new URLSearchParams(location.search).getAll('u')) {
    try { await fetch(u, {mode: 'no-cors', credentials: 'include'}); } catch (e) {}
  }
  document.getElementById('cookies').textContent = document.cookie;
  document.getElementById('done').textContent = 'done';
})();</script>"""


_PAGE_EMBED = """<!doctype html><meta charset="utf-8"><p id="done">…</p><script>
(async () => {
  for (const u of new URLSearchParams(location.search).getAll('u')) {
    const frame = document.createElement('iframe');
    await new Promise((loaded) => { frame.onload = loaded; frame.src = u; document.body.appendChild(frame); });
  }
  document.getElementById('done').textContent = 'done';
})();</script>"""


_PAGE_GO = """<!doctype html><meta charset="utf-8"><form id="f" method="post"></form><script>
const q = new URLSearchParams(location.search), f = document.getElementById('f');
if (q.get('method') === 'post') { f.action = q.get('to'); f.submit(); } else { location.href = q.get('to'); }
</script>"""


_PAGE_LIMITS = """<!doctype html><meta charset="utf-8"><p id="limits"></p><script>
(async () => {
  const q = new URLSearchParams(location.search), out = {};
  const has = (name) => document.cookie.split('; ').some((c) => c.split('=')[0] === name);
  const clear = () => document.cookie.split('; ').forEach((c) => {
    document.cookie = c.split('=')[0] + '=; Max-Age=0; Path=/'; });  // every cookie below has Path=/
  // 1. the largest name+value stored: binary search over the total length
  let lo = 1, hi = 20000;
  while (lo < hi) {
    const n = Math.ceil((lo + hi) / 2);
    document.cookie = 'k=' + 'x'.repeat(n - 1) + '; Path=/';
    if (has('k')) lo = n; else hi = n - 1;
    document.cookie = 'k=; Max-Age=0; Path=/';
  }
  out.max_name_value = lo;
  // 2. an attribute past its own limit: a Path of 1024 bytes, then of 1025 bytes
  out.path_attr_applied = {};
  for (const len of [1024, 1025]) {
    document.cookie = 'p=1; Path=/nowhere' + 'a'.repeat(len - 8);
    out.path_attr_applied[len] = !has('p');  // ignored Path: default path /page, visible here
    document.cookie = 'p=; Max-Age=0; Path=/nowhere' + 'a'.repeat(len - 8);
    document.cookie = 'p=; Max-Age=0';
  }
  // 3. how many cookies one host keeps, and which go when there are too many
  const n = Number(q.get('count') || 181), size = Number(q.get('size') || 10);
  for (let i = 0; i < n; i++) document.cookie = 'c' + i + '=' + 'v'.repeat(size) + '; Path=/';
  const kept = document.cookie.split('; ').map((c) => c.split('=')[0]);
  out.set = n;
  out.kept = kept.length;
  out.evicted = [...Array(n).keys()].map((i) => 'c' + i).filter((c) => !kept.includes(c));
  out.document_cookie_bytes = document.cookie.length;
  // 4. the Cookie header they make together, as a server with no header limit receives it
  if (q.get('sink')) {
    try { await fetch(q.get('sink'), {mode: 'no-cors', credentials: 'include'}); out.sink = 'sent'; }
    catch (e) { out.sink = String(e); }
  }
  clear();
  document.getElementById('limits').textContent = JSON.stringify(out);
})();</script>"""
