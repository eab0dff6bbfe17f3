"""The login app's routes, as one Flask Blueprint (``bp``), secure and ⚠️ VULNERABLE side by side.

Each view reads the app's ``LoginLab`` (``current_lab()``) and the request's
session (``g.session``, found by ``sessionlab.apps.login_auth``); the guards are the
decorators of that module. Where the variants differ, the ⚠️ branch says so.
``csrf_from_html`` reads the hidden CSRF field back out of a page (for clients
that fill the HTML form).
"""

from __future__ import annotations

import html
import re
import secrets

from flask import Blueprint, Response, g, jsonify, make_response, redirect, request

from sessionlab.apps.attacker import SCRIPT_PROBE_PAGE
from sessionlab.apps.login_auth import (
    create_session,
    cross_origin_login,
    csrf_ok,
    csrf_protected,
    current_lab,
    current_user,
    form_field,
    fresh_login_required,
    login_required,
    set_session_cookie,
    start_anonymous,
)
from sessionlab.apps.login_state import LoginLab, error
from sessionlab.infra.proxied import prefix
from sessionlab.web.stores import SessionExists

__all__ = ["bp", "lab_bp", "csrf_from_html"]

bp = Blueprint("login", __name__)
lab_bp = Blueprint("login_lab", __name__)  # lab-only routes: registered by the ⚠️ VULNERABLE app only

_MAX_USERNAME, _MAX_PASSWORD = 128, 1024


def csrf_from_html(text: str) -> str | None:
    """The ``csrf_token`` hidden field of a page (for clients that fill the HTML form)."""
    m = re.search(r'name="csrf_token" value="([^"]*)"', text)
    return m.group(1) if m else None


def _hidden_csrf_field(token: str) -> str:
    """The form's hidden CSRF field (none in the ⚠️ VULNERABLE variant)."""
    if not current_lab().secure:
        return ""
    return f'<input type="hidden" name="csrf_token" value="{html.escape(token)}">'


# -- pages -------------------------------------------------------------------------------


@bp.get("/")
def home():
    who, base = current_user(), prefix(request.environ)  # base: /user/NAME/proxy/PORT behind a hub's proxy
    body = [f"<h1>세션랩 로그인 ({current_lab().variant})</h1>"]
    if who:
        hidden = _hidden_csrf_field(g.session.data.get("csrf", ""))
        body += [
            f"<p id='who'>{html.escape(who)}님, 안녕하세요.</p>",
            f'<form method="post" action="{base}/transfer">{hidden}<input name="to"><input name="amount">'
            "<button>이체</button></form>",
            f'<form method="post" action="{base}/logout">{hidden}<button>로그아웃</button></form>',
        ]
    else:
        body.append(f"<p id='who'>로그인하지 않았습니다. <a href='{base}/login'>로그인</a></p>")
    return "\n".join(body)


@bp.get("/login")
def login_form():
    sid, data = start_anonymous()
    hidden = _hidden_csrf_field(data.get("csrf", ""))
    resp = make_response(
        f'<form method="post" action="{prefix(request.environ)}/login">{hidden}<input name="username">'
        '<input name="password" type="password"><button>로그인</button></form>'
    )
    return set_session_cookie(resp, sid) if sid else resp


@lab_bp.get("/lab/script-probe")
def script_probe():
    """⚠️ VULNERABLE app only: logs in from page JavaScript, then writes what the script can see.

    The secure app never registers ``lab_bp`` (a lab serves ``attacker.with_script_probe(app)``).
    """
    return SCRIPT_PROBE_PAGE


# -- logging in and out ------------------------------------------------------------------


@bp.post("/login")
def login():
    lab = current_lab()
    if request.is_json and not isinstance(request.get_json(silent=True), dict):
        return error("bad_json", 400)
    username, password = form_field("username"), form_field("password")
    if not username or not password:
        return error("missing_fields", 400)
    if len(username) > _MAX_USERNAME or len(password) > _MAX_PASSWORD:
        return error("too_long", 400)
    if lab.secure and cross_origin_login() is not None:
        return error("cross_site", 403)  # login CSRF, JSON or form: only this origin may log in
    if lab.secure and not request.is_json and not csrf_ok():
        return error("login_form_expired", 403)  # login CSRF: the form's token must match
    refused = _refuse_password(lab, username, password, retry_after=True)
    if refused is not None:
        return refused
    lab.record_success(username, request.remote_addr or "")
    sid = _secure_login_session(lab, username) if lab.secure else _vulnerable_login_session(lab, username)
    resp = redirect("/", code=303) if not request.is_json else jsonify({"ok": True, "user": username})
    return set_session_cookie(resp, sid)


def _refuse_password(lab: LoginLab, username: str, password: str, retry_after: bool) -> Response | None:
    """429 while ``username`` (from this address) must wait, 401 for a wrong password, else None."""
    # throttled per account+address, per address and per account; counted before the slow check,
    # so parallel requests cannot race it
    wait = lab.reserve_attempt(username, request.remote_addr or "")
    if wait > 0:
        seconds = int(wait + 0.999)
        return error("locked", 429, {"Retry-After": str(seconds)} if retry_after else None, seconds=seconds)
    if not lab.check_password(username, password):
        return error("bad_credentials", 401)
    return None


def _secure_login_session(lab: LoginLab, username: str) -> str:
    """A new session id at login (defeats fixation); what the visitor had (e.g. a cart) is kept."""
    data = {"user": username, "csrf": secrets.token_urlsafe(32), "auth_time": lab.clock()}
    if lab.config.bind_user_agent:
        data["ua"] = lab.ua_tag(request.headers.get("User-Agent", ""))
    if g.session is not None:
        lab.forget_anonymous(g.session.id)
    sid = lab.store.renew_id(g.session.id) if g.session is not None else None
    if sid is not None:  # user, csrf, auth_time are new
        data = {**g.session.data, **data}
    if sid is None or not lab.store.update(sid, data):
        sid = create_session(data, username).id
    return sid


def _vulnerable_login_session(lab: LoginLab, username: str) -> str:
    """⚠️ VULNERABLE: keep whatever id the client came with."""
    data = {"user": username, "auth_time": lab.clock()}
    if g.session is not None and lab.store.update(g.session.id, data):
        return g.session.id  # no renewal: the pre-login id becomes the logged-in id
    chosen = request.cookies.get(lab.config.cookie_name)
    if chosen:
        try:  # an id this server never issued is adopted as is
            return lab.store.create(data, sid=chosen).id
        except (SessionExists, ValueError):
            pass
    return create_session(data, username).id


@bp.post("/reauth")
@login_required
@csrf_protected
def reauth():
    lab, who = current_lab(), current_user()
    password = form_field("password")
    if not password:
        return error("bad_field", 400, field="password")
    refused = _refuse_password(lab, who, password, retry_after=False)
    if refused is not None:
        return refused
    lab.record_success(who, request.remote_addr or "")
    # a privilege change, as login: new session id and new CSRF token (OWASP Session Management
    # Cheat Sheet, "Renew the Session ID After Any Privilege Level Change"); the old id stops working
    data = {**g.session.data, "auth_time": lab.clock(), "csrf": secrets.token_urlsafe(32)}
    sid = lab.store.renew_id(g.session.id)
    if sid is None or not lab.store.update(sid, data):
        return error("login_required", 401)  # the session ended meanwhile
    return set_session_cookie(jsonify({"ok": True, "user": who, "csrf_token": data["csrf"]}), sid)


@bp.post("/logout")
@csrf_protected
def logout():
    lab = current_lab()
    if g.session is not None and lab.secure:
        lab.forget_anonymous(g.session.id)
        lab.store.delete(g.session.id)  # the copied cookie dies with the server record
    # ⚠️ VULNERABLE variant: only the browser forgets the cookie; the record stays valid
    resp = jsonify({"ok": True})
    resp.delete_cookie(lab.config.cookie_name, path="/")
    g.cookie_set = True
    return resp


# -- the account -------------------------------------------------------------------------


@bp.get("/me")
@login_required
def me():
    who = current_user()
    return jsonify({"ok": True, "user": who, "email": current_lab().emails.get(who)})


@bp.get("/csrf")
@login_required
def csrf_token():
    return jsonify({"ok": True, "csrf_token": g.session.data.get("csrf")})


@bp.post("/transfer")
@login_required
@csrf_protected
def transfer():
    to, amount = form_field("to"), form_field("amount")
    if not to:
        return error("bad_field", 400, field="to")
    # ASCII digits only ("²".isdigit() is True) and a bounded length: int() of 5,000 digits raises.
    if not (amount.isascii() and amount.isdigit() and len(amount) <= 12) or int(amount) < 1:
        return error("bad_amount", 400)
    record = {"from": current_user(), "to": to, "amount": int(amount)}
    current_lab().record_transfer(record)
    return jsonify({"ok": True, **record})


@bp.post("/account/email")
@login_required
@csrf_protected
@fresh_login_required
def change_email():
    who, email = current_user(), form_field("email")
    if not email or "@" not in email or len(email) > 254:
        return error("bad_field", 400, field="email")
    current_lab().set_email(who, email)
    return jsonify({"ok": True, "user": who, "email": email})
