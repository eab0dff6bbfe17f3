"""Flask apps for the session labs: a secure login app and its ⚠️ VULNERABLE twin.

``create_login_app(store=..., secure=True)`` — server-side sessions in a
``sessionlab.stores`` store:

* ``POST /login`` (JSON ``{"username", "password"}`` or the HTML form of ``GET /login``):
  scrypt-hashed passwords compared in constant time; an unknown user costs the
  same hash as a wrong password and gets the same 401 and Korean message;
  lockout (429) after repeated failures; a new session id at login
  (``store.renew_id``: defeats session fixation); the cookie is HttpOnly,
  SameSite=Lax, Path=/, and Secure when served over HTTPS (or ``cookie_secure=True``).
* ``GET /me`` — who am I (each request looks the session up: ``store.touch``;
  the store's time is reported in a ``Server-Timing: store;dur=<ms>`` header).
* ``POST /transfer`` — a state-changing action: needs the CSRF token (form field
  ``csrf_token`` or header ``X-CSRF-Token``; ``GET /csrf`` returns it).
* ``POST /account/email`` — a sensitive action: CSRF token *and* a password
  entered within ``reauth_seconds`` (``POST /reauth``), else 403 ``reauth_required``.
* ``POST /logout`` — deletes the server record and clears the cookie.
* ``GET /lab/script-probe?u=..&p=..`` — a page whose JavaScript logs in and writes
  what ``document.cookie`` shows into the DOM (for a real headless browser).

Idle and absolute timeouts are the store's (``SessionStore``); pass a store with
a ``FakeClock`` to see them expire without waiting. Bad input never yields a 500:
a malformed, unknown or forged cookie is treated as no session (and cleared),
missing fields give 400, an oversized Cookie header 431, a large body 413.

``secure=False`` builds the ⚠️ VULNERABLE variant, on purpose, for the attack labs:
it accepts an attacker-chosen session id, keeps the id at login, issues
predictable ids (``random`` module by default), sets no HttpOnly/SameSite/Secure,
checks no CSRF token, asks no re-authentication, never locks out, keeps the
server record at logout (only the cookie is cleared) and, unless given a store,
has no server-side timeout (the store it makes keeps sessions ~10 years).
Every response says which one it is in ``X-Lab-Variant``.
"""
from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time

from flask import Flask, g, jsonify, make_response, redirect, request
from werkzeug.exceptions import HTTPException

from sessionlab.web.ids import RandomModuleIds
from sessionlab.web.passwords import LAB_N, dummy_hash, hash_password, verify_password
from sessionlab.web.stores import MemoryStore, SessionExists, SessionStore

__all__ = ["create_login_app", "create_attacker_app", "LoginLab", "DEFAULT_USERS", "MESSAGES",
           "csrf_from_html", "parse_result"]

DEFAULT_USERS = {"alice": "wonderland-2026", "bob": "builder-2026"}
TEN_YEARS = 10 * 365 * 24 * 3600

MESSAGES = {
    "bad_credentials": "아이디 또는 비밀번호가 올바르지 않습니다.",
    "missing_fields": "아이디(username)와 비밀번호(password)를 모두 입력하세요.",
    "bad_json": "JSON 객체 {\"username\": ..., \"password\": ...}를 보내세요.",
    "too_long": "아이디 또는 비밀번호가 너무 깁니다.",
    "locked": "로그인 실패가 너무 많습니다. {seconds}초 뒤에 다시 시도하세요.",
    "login_required": "로그인이 필요합니다.",
    "csrf": "CSRF 토큰이 없거나 올바르지 않습니다. 페이지를 새로 고친 뒤 다시 시도하세요.",
    "login_form_expired": "로그인 폼이 만료되었습니다. 로그인 페이지를 다시 여세요.",
    "reauth_required": "민감한 작업입니다. 비밀번호를 다시 입력하세요 (POST /reauth).",
    "bad_amount": "금액(amount)은 1 이상의 정수여야 합니다.",
    "bad_field": "'{field}' 값을 입력하세요.",
    "cookie_too_large": "쿠키가 너무 큽니다 ({size}바이트, 최대 {limit}바이트).",
    400: "요청 형식이 올바르지 않습니다.",
    404: "없는 주소입니다.",
    405: "이 주소에서 허용되지 않는 메서드입니다.",
    413: "요청 본문이 너무 큽니다.",
    431: "요청 헤더가 너무 큽니다.",
    500: "서버 오류가 발생했습니다.",
}

_SID_FORMAT = re.compile(r"[A-Za-z0-9_\-]{20,128}")
_MAX_USERNAME, _MAX_PASSWORD = 128, 1024


class LoginLab:
    """What one login app knows besides its sessions: users, failures, and the effects of actions."""

    def __init__(self, store: SessionStore, secure: bool, users: dict[str, str], clock, kdf_n: int,
                 max_failures: int, lockout_seconds: float, reauth_seconds: float,
                 bind_user_agent: bool, cookie_name: str, cookie_secure, session_ids, max_cookie_bytes: int):
        self.store = store
        self.secure = secure
        self.variant = "secure" if secure else "VULNERABLE"
        self.clock = clock
        self.password_hashes = {u: hash_password(p, n=kdf_n) for u, p in users.items()}
        self.dummy = dummy_hash(n=kdf_n)
        self.emails = {u: f"{u}@example.com" for u in users}
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self.reauth_seconds = reauth_seconds
        self.bind_user_agent = bind_user_agent
        self.cookie_name = cookie_name
        self.cookie_secure = cookie_secure
        self.session_ids = session_ids
        self.max_cookie_bytes = max_cookie_bytes
        self.transfers: list[dict] = []  # transfers that went through
        self.transfer_attempts: list[dict] = []  # every POST /transfer: status, cookie sent?, Sec-Fetch-Site
        self.failures: dict[str, list[float]] = {}  # username → [count, locked_until]
        self.lock = threading.Lock()

    # -- passwords and lockout --------------------------------------------------
    def check_password(self, username: str, password: str) -> bool:
        stored = self.password_hashes.get(username)
        ok = verify_password(password, stored if stored is not None else self.dummy)
        return ok and stored is not None

    def locked_for(self, username: str) -> float:
        if not self.secure:
            return 0.0  # ⚠️ VULNERABLE: unlimited guessing
        with self.lock:
            count, until = self.failures.get(username.lower(), (0, 0.0))
        return max(0.0, until - self.clock())

    def record_failure(self, username: str) -> None:
        if not self.secure:
            return
        with self.lock:
            count, until = self.failures.get(username.lower(), (0, 0.0))
            count += 1
            if count >= self.max_failures:
                count, until = 0, self.clock() + self.lockout_seconds
            self.failures[username.lower()] = [count, until]

    def record_success(self, username: str) -> None:
        with self.lock:
            self.failures.pop(username.lower(), None)

    def ua_tag(self, user_agent: str) -> str:
        return hashlib.sha256(user_agent.encode("utf-8", "replace")).hexdigest()[:16]


def _error(key, status: int, **fmt):
    text = MESSAGES[key].format(**fmt) if fmt else MESSAGES[key]
    return jsonify({"ok": False, "error": text}), status


def csrf_from_html(text: str) -> str | None:
    """The ``csrf_token`` hidden field of a page (for clients that fill the HTML form)."""
    m = re.search(r'name="csrf_token" value="([^"]*)"', text)
    return m.group(1) if m else None


def create_login_app(store: SessionStore | None = None, secure: bool = True,
                     users: dict[str, str] | None = None, *, cookie_name: str = "sid",
                     cookie_secure: bool | None = None, session_ids=None, clock=None,
                     kdf_n: int = LAB_N, max_failures: int = 5, lockout_seconds: float = 60,
                     reauth_seconds: float = 300, bind_user_agent: bool = False,
                     max_cookie_bytes: int = 8192, name: str | None = None) -> Flask:
    """The login app; ``secure=False`` builds the ⚠️ VULNERABLE variant (see the module doc)."""
    if store is None:
        store = MemoryStore(idle_timeout=15 * 60, absolute_timeout=8 * 3600) if secure else \
            MemoryStore(idle_timeout=TEN_YEARS, absolute_timeout=TEN_YEARS)  # ⚠️ no server-side timeout
    if secure and session_ids is not None:
        raise ValueError("안전한 버전은 저장소의 id_factory(secrets)로만 ID를 만듭니다: "
                         "session_ids는 secure=False(⚠️ 취약한 버전)에서만 쓸 수 있습니다.")
    if not secure and session_ids is None:
        session_ids = RandomModuleIds()  # ⚠️ VULNERABLE: predictable ids
    lab = LoginLab(store, secure, dict(DEFAULT_USERS if users is None else users), clock or store.clock,
                   kdf_n, max_failures, lockout_seconds, reauth_seconds, bind_user_agent,
                   cookie_name, cookie_secure, session_ids, max_cookie_bytes)
    app = Flask(name or ("login" if secure else "login_VULNERABLE"))
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.lab = lab

    # -- per request: find the session ------------------------------------------------
    @app.before_request
    def load_session():
        g.session, g.clear_cookie, g.store_ms = None, False, 0.0
        size = len(request.headers.get("Cookie", ""))
        if size > lab.max_cookie_bytes:
            g.clear_cookie = True
            return _error("cookie_too_large", 431, size=size, limit=lab.max_cookie_bytes)
        sid = request.cookies.get(lab.cookie_name)
        if not sid:
            return None
        if lab.secure and not _SID_FORMAT.fullmatch(sid):
            g.clear_cookie = True  # malformed or forged: no store lookup at all
            return None
        start = time.perf_counter()
        session = store.touch(sid)
        g.store_ms = (time.perf_counter() - start) * 1000
        if session is not None and lab.secure and lab.bind_user_agent and "ua" in session.data:
            if not hmac.compare_digest(session.data["ua"], lab.ua_tag(request.headers.get("User-Agent", ""))):
                session = None
        if session is None and lab.secure:
            g.clear_cookie = True
        g.session = session
        g.sid = sid
        return None

    @app.after_request
    def finish(resp):
        if request.path == "/transfer" and request.method == "POST":  # every attempt, for the CSRF labs
            with lab.lock:
                lab.transfer_attempts.append({
                    "status": resp.status_code, "session_cookie_sent": lab.cookie_name in request.cookies,
                    "sec_fetch_site": request.headers.get("Sec-Fetch-Site")})
        if g.get("clear_cookie") and not g.get("cookie_set"):
            resp.delete_cookie(lab.cookie_name, path="/")
        resp.headers["Server-Timing"] = f"store;dur={g.get('store_ms', 0.0):.3f}"
        resp.headers["X-Lab-Variant"] = lab.variant
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.errorhandler(HTTPException)
    def http_error(exc):
        code = exc.code or 500
        return jsonify({"ok": False, "error": MESSAGES.get(code, exc.name)}), code

    def set_cookie(resp, sid: str):
        g.cookie_set = True
        if lab.secure:
            secure_flag = request.is_secure if lab.cookie_secure is None else lab.cookie_secure
            resp.set_cookie(lab.cookie_name, sid, path="/", httponly=True, samesite="Lax", secure=secure_flag)
        else:  # ⚠️ VULNERABLE: readable by scripts, sent cross-site, sent over plain HTTP
            resp.set_cookie(lab.cookie_name, sid, path="/")
        return resp

    def user():
        return g.session.data.get("user") if g.session is not None else None

    def csrf_ok() -> bool:
        if not lab.secure:
            return True  # ⚠️ VULNERABLE: no CSRF token
        sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
        expected = g.session.data.get("csrf", "") if g.session is not None else ""
        return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())

    def field(name: str) -> str:
        body = request.get_json(silent=True) if request.is_json else None
        value = body.get(name) if isinstance(body, dict) else request.form.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and name == "amount":
            value = str(value)
        return value.strip() if isinstance(value, str) else ""

    def create_session(data: dict, username: str | None):
        """A new session; the VULNERABLE variant takes its id from ``session_ids``."""
        if lab.session_ids is None:
            return store.create(data)
        deadline = time.monotonic() + 1.5
        while True:  # a time-based id repeats within one tick: wait for the next one
            try:
                return store.create(data, sid=lab.session_ids(username))
            except SessionExists:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.001)

    def start_anonymous():
        """A session for a visitor who is not logged in yet (holds the login form's CSRF token)."""
        data = {"csrf": secrets.token_urlsafe(32)} if lab.secure else {}
        if g.session is not None:
            return g.session.id, g.session.data
        if not lab.secure and request.cookies.get(lab.cookie_name):
            sid = request.cookies[lab.cookie_name]  # ⚠️ VULNERABLE: adopt the id the client chose
            try:
                g.session = store.create(data, sid=sid)
            except (SessionExists, ValueError):
                return None, {}
            return sid, data
        g.session = create_session(data, None)
        return g.session.id, data

    # -- pages -------------------------------------------------------------------------
    @app.get("/")
    def home():
        who = user()
        body = [f"<h1>세션랩 로그인 ({lab.variant})</h1>"]
        if who:
            token = html.escape(g.session.data.get("csrf", ""))
            hidden = f'<input type="hidden" name="csrf_token" value="{token}">' if lab.secure else ""
            body += [f"<p id='who'>{html.escape(who)}님, 안녕하세요.</p>",
                     f'<form method="post" action="/transfer">{hidden}<input name="to"><input name="amount">'
                     '<button>이체</button></form>',
                     f'<form method="post" action="/logout">{hidden}<button>로그아웃</button></form>']
        else:
            body.append("<p id='who'>로그인하지 않았습니다. <a href='/login'>로그인</a></p>")
        return "\n".join(body)

    @app.get("/login")
    def login_form():
        sid, data = start_anonymous()
        token = html.escape(data.get("csrf", ""))
        hidden = f'<input type="hidden" name="csrf_token" value="{token}">' if lab.secure else ""
        resp = make_response(
            f'<form method="post" action="/login">{hidden}<input name="username">'
            '<input name="password" type="password"><button>로그인</button></form>')
        return set_cookie(resp, sid) if sid else resp

    @app.post("/login")
    def login():
        if request.is_json and not isinstance(request.get_json(silent=True), dict):
            return _error("bad_json", 400)
        username, password = field("username"), field("password")
        if not username or not password:
            return _error("missing_fields", 400)
        if len(username) > _MAX_USERNAME or len(password) > _MAX_PASSWORD:
            return _error("too_long", 400)
        if lab.secure and not request.is_json and not csrf_ok():
            return _error("login_form_expired", 403)  # login CSRF: the form's token must match
        wait = lab.locked_for(username)
        if wait > 0:
            resp, status = _error("locked", 429, seconds=int(wait + 0.999))
            resp.headers["Retry-After"] = str(int(wait + 0.999))
            return resp, status
        if not lab.check_password(username, password):
            lab.record_failure(username)
            return _error("bad_credentials", 401)
        lab.record_success(username)
        now = lab.clock()
        if lab.secure:
            data = {"user": username, "csrf": secrets.token_urlsafe(32), "auth_time": now}
            if lab.bind_user_agent:
                data["ua"] = lab.ua_tag(request.headers.get("User-Agent", ""))
            sid = store.renew_id(g.session.id) if g.session is not None else None
            if sid is not None:  # keep what the visitor had (e.g. a cart); user, csrf, auth_time are new
                data = {**g.session.data, **data}
            if sid is None or not store.update(sid, data):
                sid = create_session(data, username).id
        else:  # ⚠️ VULNERABLE: keep whatever id the client came with
            data = {"user": username, "auth_time": now}
            sid = None
            if g.session is not None and store.update(g.session.id, data):
                sid = g.session.id  # no renewal: the pre-login id becomes the logged-in id
            elif request.cookies.get(lab.cookie_name):
                try:  # an id this server never issued is adopted as is
                    sid = store.create(data, sid=request.cookies[lab.cookie_name]).id
                except (SessionExists, ValueError):
                    sid = None
            if sid is None:
                sid = create_session(data, username).id
        resp = redirect("/", code=303) if not request.is_json else jsonify({"ok": True, "user": username})
        return set_cookie(resp, sid)

    @app.get("/me")
    def me():
        who = user()
        if not who:
            return _error("login_required", 401)
        return jsonify({"ok": True, "user": who, "email": lab.emails.get(who)})

    @app.get("/csrf")
    def csrf():
        if not user():
            return _error("login_required", 401)
        return jsonify({"ok": True, "csrf_token": g.session.data.get("csrf")})

    @app.post("/transfer")
    def transfer():
        who = user()
        if not who:
            return _error("login_required", 401)
        if not csrf_ok():
            return _error("csrf", 403)
        to, amount = field("to"), field("amount")
        if not to:
            return _error("bad_field", 400, field="to")
        if not amount.isdigit() or int(amount) < 1:
            return _error("bad_amount", 400)
        record = {"from": who, "to": to, "amount": int(amount)}
        with lab.lock:
            lab.transfers.append(record)
        return jsonify({"ok": True, **record})

    @app.post("/reauth")
    def reauth():
        who = user()
        if not who:
            return _error("login_required", 401)
        if not csrf_ok():
            return _error("csrf", 403)
        password = field("password")
        if not password:
            return _error("bad_field", 400, field="password")
        wait = lab.locked_for(who)
        if wait > 0:
            return _error("locked", 429, seconds=int(wait + 0.999))
        if not lab.check_password(who, password):
            lab.record_failure(who)
            return _error("bad_credentials", 401)
        store.update(g.session.id, {**g.session.data, "auth_time": lab.clock()})
        return jsonify({"ok": True, "user": who})

    @app.post("/account/email")
    def change_email():
        who = user()
        if not who:
            return _error("login_required", 401)
        if not csrf_ok():
            return _error("csrf", 403)
        if lab.secure and lab.clock() - float(g.session.data.get("auth_time", 0)) > lab.reauth_seconds:
            return jsonify({"ok": False, "error": MESSAGES["reauth_required"], "reauth_required": True}), 403
        email = field("email")
        if not email or "@" not in email or len(email) > 254:
            return _error("bad_field", 400, field="email")
        with lab.lock:
            lab.emails[who] = email
        return jsonify({"ok": True, "user": who, "email": email})

    @app.post("/logout")
    def logout():
        if g.session is not None and user() and not csrf_ok():
            return _error("csrf", 403)
        if g.session is not None and lab.secure:
            store.delete(g.session.id)  # the copied cookie dies with the server record
        # ⚠️ VULNERABLE variant: only the browser forgets the cookie; the record stays valid
        resp = jsonify({"ok": True})
        resp.delete_cookie(lab.cookie_name, path="/")
        g.cookie_set = True
        return resp

    @app.get("/lab/script-probe")
    def script_probe():
        """Logs in from page JavaScript, then writes what the script can see into the DOM."""
        return _SCRIPT_PROBE

    return app


_SCRIPT_PROBE = """<!doctype html><meta charset="utf-8"><title>script probe</title>
<pre id="result">waiting</pre>
<script>
(async () => {
  const q = new URLSearchParams(location.search);
  const login = await fetch('/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({username: q.get('u'), password: q.get('p')})});
  const me = await fetch('/me');
  document.getElementById('result').textContent = JSON.stringify({
    login_status: login.status, me_status: me.status, document_cookie: document.cookie});
  if (q.get('next')) setTimeout(() => { location.href = q.get('next'); }, 50);
})().catch(e => { document.getElementById('result').textContent = 'error: ' + e; });
</script>"""


def create_attacker_app(target_url: str, to: str = "mallory", amount: int = 1_000_000) -> Flask:
    """⚠️ 공격자 사이트 (attacker site): its page auto-submits a POST /transfer to ``target_url``.

    Serve it on another *site* than the target (``localhost`` vs ``127.0.0.1``) to
    make the POST cross-site, as a malicious page in another tab would.
    """
    app = Flask("attacker")
    page = f"""<!doctype html><meta charset="utf-8"><title>무료 쿠폰!</title>
<form id="f" method="post" action="{html.escape(target_url.rstrip('/'))}/transfer">
<input type="hidden" name="to" value="{html.escape(to)}">
<input type="hidden" name="amount" value="{int(amount)}"></form>
<script>document.getElementById('f').submit();</script>"""

    @app.get("/")
    def index():
        return page

    return app


def parse_result(dom: str) -> dict | None:
    """The JSON the script probe (or a JSON response shown by the browser) left in the DOM."""
    m = re.search(r"<pre[^>]*>(.*?)</pre>", dom, re.S)
    if not m:
        return None
    try:
        return json.loads(html.unescape(m.group(1)))
    except ValueError:
        return None
