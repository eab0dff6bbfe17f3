"""The login app's session layer: find the session of each request, set the cookie, guard the views.

``init_app(app)`` registers the per-request hooks (as flaskr's ``db.init_app``):
before each request the session named by the cookie is looked up (``g.session``;
a malformed, forged, expired or — with ``bind_user_agent`` — stolen one counts as
none and its cookie is cleared); after it the response gets ``Server-Timing``,
``X-Lab-Variant`` and ``Cache-Control: no-store``, and, from the secure variant served
over HTTPS (or configured ``cookie_secure=True``, i.e. behind a TLS proxy),
``Strict-Transport-Security`` (never over plain HTTP: RFC 6797 section 7.2), and from the
secure variant always ``Content-Security-Policy`` (``frame-ancestors 'none'``),
``X-Frame-Options: DENY`` and ``X-Content-Type-Options: nosniff``; every
POST is recorded in ``lab.unsafe_requests``; an HTTP error becomes a JSON reply with
a Korean message (a 405 with its ``Allow`` header).

The view decorators write each guard once (as flaskr's ``auth.login_required``):

* ``login_required`` — 401 ``login_required`` without a logged-in session;
* ``csrf_protected`` — 403 ``cross_site`` when a logged-in request says it came from
  another site (``Sec-Fetch-Site: cross-site``, or an ``Origin`` that is not this
  server's: OWASP CSRF Cheat Sheet, Fetch Metadata and origin checks), else 403
  ``csrf`` when it lacks the session's CSRF token (form field ``csrf_token`` or
  header ``X-CSRF-Token``); the ⚠️ VULNERABLE variant checks nothing;
* ``fresh_login_required`` — 403 ``reauth_required`` unless the password was
  entered within ``reauth_seconds`` (secure variant only).

Stack them in that order, ``login_required`` outermost.
"""

from __future__ import annotations

import functools
import hmac
import re
import secrets
import time

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from sessionlab.apps._common import json_response, label_response
from sessionlab.apps.login_state import MESSAGES, LoginLab, error
from sessionlab.web.stores import SessionExists

__all__ = [
    "init_app",
    "current_lab",
    "current_user",
    "csrf_ok",
    "cross_site_origin",
    "cross_origin_login",
    "HSTS",
    "CSP",
    "SECURITY_HEADERS",
    "login_required",
    "csrf_protected",
    "fresh_login_required",
    "form_field",
    "set_session_cookie",
    "create_session",
    "start_anonymous",
]

_SID_FORMAT = re.compile(r"[A-Za-z0-9_\-]{20,128}")
HSTS = "max-age=31536000; includeSubDomains"  # one year (RFC 6797); only sent over HTTPS
# Sent by the secure variant on every response (OWASP HTTP Headers Cheat Sheet): the pages have no
# inline script; frame-ancestors 'none' (CSP Level 2) and X-Frame-Options: DENY (RFC 7034) forbid framing.
CSP = (
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}


def current_lab() -> LoginLab:
    """The ``LoginLab`` of the app handling this request."""
    return current_app.lab  # type: ignore[attr-defined]  # set by login.build_login_app


def current_user() -> str | None:
    """The logged-in user of this request's session, or None."""
    return g.session.data.get("user") if g.session is not None else None


# -- per request ---------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Registers the per-request hooks of the login app on ``app``."""
    app.before_request(load_session)
    app.after_request(finish_response)
    app.register_error_handler(HTTPException, http_error)


def load_session():
    """Finds the session named by the cookie (``g.session``), or refuses an oversized Cookie header."""
    lab = current_lab()
    g.session, g.clear_cookie, g.store_ms = None, False, 0.0
    size = len(request.headers.get("Cookie", ""))
    if size > lab.config.max_cookie_bytes:
        g.clear_cookie = True
        return error("cookie_too_large", 431, size=size, limit=lab.config.max_cookie_bytes)
    sid = request.cookies.get(lab.config.cookie_name)
    if not sid:
        return None
    if lab.secure and not _SID_FORMAT.fullmatch(sid):
        g.clear_cookie = True  # malformed or forged: no store lookup at all
        return None
    start = time.perf_counter()
    session = lab.store.touch(sid)
    g.store_ms = (time.perf_counter() - start) * 1000
    bound = session is not None and lab.secure and lab.config.bind_user_agent and "ua" in session.data
    if bound and not hmac.compare_digest(
        session.data["ua"], lab.ua_tag(request.headers.get("User-Agent", ""))
    ):
        session = None
    if session is None and lab.secure:
        g.clear_cookie = True
    g.session = session
    g.sid = sid
    return None


def finish_response(resp: Response) -> Response:
    """Records every ``POST /transfer`` (for the CSRF labs), clears a bad cookie, labels the response."""
    lab = current_lab()
    if request.path == "/transfer" and request.method == "POST":
        lab.record_transfer_attempt(
            {
                "status": resp.status_code,
                "session_cookie_sent": lab.config.cookie_name in request.cookies,
                "sec_fetch_site": request.headers.get("Sec-Fetch-Site"),
            }
        )
    if request.method == "POST":
        lab.record_unsafe_request(
            {
                "path": request.path,
                "status": resp.status_code,
                "session_cookie_sent": lab.config.cookie_name in request.cookies,
                "origin": request.headers.get("Origin"),
                "sec_fetch_site": request.headers.get("Sec-Fetch-Site"),
            }
        )
    if lab.secure:  # no framing (clickjacking), no MIME sniffing, scripts and forms from this origin only
        for name, value in SECURITY_HEADERS.items():
            resp.headers.setdefault(name, value)
    if lab.secure and (request.is_secure or lab.config.cookie_secure):
        resp.headers["Strict-Transport-Security"] = HSTS
    if g.get("clear_cookie") and not g.get("cookie_set"):
        resp.delete_cookie(lab.config.cookie_name, path="/")
    resp.headers["Server-Timing"] = f"store;dur={g.get('store_ms', 0.0):.3f}"
    return label_response(resp, lab.variant)


def http_error(exc: HTTPException) -> Response:
    code = exc.code or 500
    headers = None
    if (
        isinstance(exc, MethodNotAllowed) and exc.valid_methods
    ):  # RFC 9110 section 15.5.6: 405 MUST send Allow
        headers = {"Allow": ", ".join(sorted(exc.valid_methods))}
    return json_response({"ok": False, "error": MESSAGES.get(code, exc.name)}, code, headers)


# -- the guards ------------------------------------------------------------------------


def csrf_ok() -> bool:
    """Does the request carry this session's CSRF token? (Always yes in the ⚠️ VULNERABLE variant.)"""
    if not current_lab().secure:
        return True  # ⚠️ VULNERABLE: no CSRF token
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = g.session.data.get("csrf", "") if g.session is not None else ""
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


def cross_site_origin() -> str | None:
    """Why this request comes from another site, or None (OWASP CSRF Cheat Sheet: Fetch Metadata, Origin).

    ``Sec-Fetch-Site: cross-site`` (set by the browser, a page cannot forge it) decides when sent;
    else an ``Origin`` other than this server's (``null`` included). Neither header (an old
    browser, a non-browser client): no verdict, the CSRF token still decides.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return "Sec-Fetch-Site: cross-site" if fetch_site == "cross-site" else None
    origin = request.headers.get("Origin")
    if origin is not None and origin != request.host_url.rstrip("/"):
        return f"Origin: {origin}"
    return None


def cross_origin_login() -> str | None:
    """Why a login comes from another origin, or None: stricter than ``cross_site_origin``.

    A login is accepted only from this origin: ``Sec-Fetch-Site`` must be ``same-origin`` (or
    ``none``, typed by the user) when sent, and an ``Origin`` must be this server's. A client
    that sends neither (requests, curl, an old browser) is allowed, as for ``csrf_protected``:
    it carries no victim's cookies.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return f"Sec-Fetch-Site: {fetch_site}"
    origin = request.headers.get("Origin")
    if origin is not None and origin != request.host_url.rstrip("/"):
        return f"Origin: {origin}"
    return None


def login_required(view):
    """The view runs only for a logged-in session; else 401 ``login_required``."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if not current_user():
            return error("login_required", 401)
        return view(**kwargs)

    return wrapped


def csrf_protected(view):
    """A logged-in request must come from this site (secure variant: else 403 ``cross_site``)
    and carry the session's CSRF token (else 403 ``csrf``).

    An anonymous request passes (there is no session to ride on); put
    ``login_required`` outside when the view needs a user.
    """

    @functools.wraps(view)
    def wrapped(**kwargs):
        if current_user() and current_lab().secure and cross_site_origin() is not None:
            return error("cross_site", 403)
        if current_user() and not csrf_ok():
            return error("csrf", 403)
        return view(**kwargs)

    return wrapped


def fresh_login_required(view):
    """The password must have been entered within ``reauth_seconds`` (secure variant); else 403."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        lab = current_lab()
        if lab.secure and lab.clock() - float(g.session.data.get("auth_time", 0)) > lab.config.reauth_seconds:
            return json_response(
                {"ok": False, "error": MESSAGES["reauth_required"], "reauth_required": True}, 403
            )
        return view(**kwargs)

    return wrapped


# -- request fields and the cookie -------------------------------------------------------


def form_field(name: str) -> str:
    """A field of the JSON body or of the form, stripped; "" when missing or not text."""
    body = request.get_json(silent=True) if request.is_json else None
    value = body.get(name) if isinstance(body, dict) else request.form.get(name)
    if isinstance(value, int) and not isinstance(value, bool) and name == "amount":
        value = str(value)
    return value.strip() if isinstance(value, str) else ""


def set_session_cookie(resp: Response, sid: str) -> Response:
    """Sets the session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS — none of these when ⚠️."""
    lab = current_lab()
    g.cookie_set = True
    name = lab.config.cookie_name
    if lab.secure:
        secure_flag = request.is_secure if lab.config.cookie_secure is None else lab.config.cookie_secure
        resp.set_cookie(name, sid, path="/", httponly=True, samesite="Lax", secure=secure_flag)
    else:  # ⚠️ VULNERABLE: readable by scripts, sent cross-site, sent over plain HTTP
        resp.set_cookie(name, sid, path="/")
    return resp


# -- new sessions --------------------------------------------------------------------------


def create_session(data: dict, username: str | None):
    """A new session; the VULNERABLE variant takes its id from ``session_ids``."""
    lab = current_lab()
    if lab.config.session_ids is None:
        return lab.store.create(data)
    deadline = time.monotonic() + 1.5
    while True:  # a time-based id repeats within one tick: wait for the next one
        try:
            return lab.store.create(data, sid=lab.config.session_ids(username))
        except SessionExists:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.001)


def start_anonymous() -> tuple[str | None, dict]:
    """A session for a visitor who is not logged in yet (holds the login form's CSRF token).

    The secure variant keeps at most ``max_anonymous`` of them (the oldest are deleted).
    """
    lab = current_lab()
    data = {"csrf": secrets.token_urlsafe(32)} if lab.secure else {}
    if g.session is not None:
        return g.session.id, g.session.data
    chosen = request.cookies.get(lab.config.cookie_name)
    if not lab.secure and chosen:
        try:  # ⚠️ VULNERABLE: adopt the id the client chose
            g.session = lab.store.create(data, sid=chosen)
        except (SessionExists, ValueError):
            return None, {}
        return chosen, data
    g.session = create_session(data, None)
    for old in lab.remember_anonymous(g.session.id):  # bounded: the oldest pre-login sessions go
        lab.store.delete(old)
    return g.session.id, data
