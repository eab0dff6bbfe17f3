"""A token-based login app (Flask) for the JWT labs, and a ⚠️ VULNERABLE variant.

``create_token_app(service)``: ``POST /login`` sets an access + refresh token as HttpOnly
cookies and returns *no* token in the body (a page script could read it); a client that
keeps tokens itself asks with ``mode: "bearer"`` and gets them in the body, no cookies; protected routes accept the
access token from ``Authorization: Bearer`` (preferred) or from the cookie.
Every bad token is answered ``401`` with a Korean ``reason`` in the JSON body and
an RFC 6750 ``WWW-Authenticate`` header (``error="invalid_token"``,
``error_description``) — never a 500. A missing token gets the bare challenge
(``Bearer realm="sessionlab"``, RFC 6750 §3.1), too little privilege ``403``
with ``error="insufficient_scope"``.

``POST /login`` started by another site (``Sec-Fetch-Site: cross-site``, or a foreign
``Origin``) is refused ``403`` (login CSRF: a page could otherwise log the victim's browser
into the attacker's account), as in the session app; the ⚠️ VULNERABLE twin accepts it.

Cookie-authenticated unsafe requests (POST) must carry an ``X-Requested-With``
header: a cross-site form cannot add one, so a CSRF form post is refused, while a
Bearer request (never sent automatically by a browser) needs nothing extra.

``create_token_app(service, verifier=VulnerableVerifier(...))`` is the ⚠️
VULNERABLE variant: same routes, the verifier given. Every response says which one
it is in ``X-Lab-Variant`` (``"secure"`` or ``"VULNERABLE"``), as the login app's do.

``/demo/xss`` serves a page with an *injected* script (as an XSS would run) that
reports what it could read: the HttpOnly cookie (nothing) or localStorage (the
token), sends what it read to an attacker's collector (``?attacker=URL``), and
shows that it can still *use* the session from the page (a ``POST /transfer``).
``/demo/img`` logs in and loads ``<img src="/demo/pixel.gif">``: an image request
carries cookies but never an ``Authorization`` header. ``/demo/login`` only logs in
(cookies), for the cross-site experiments.

What reached the server is recorded in ``app.token_lab.seen`` (method, path, which
credentials arrived, ``Origin``, status) for ``/transfer`` and ``/demo/pixel.gif``.

Options for the cross-site (CSRF / CORS) labs, defaults secure: ``cookie_samesite``
(``"Lax"``; ``"None"`` needs ``cookie_secure=True``; ``""`` sends no SameSite attribute, leaving it to the browser's default) and ``cors`` (``None``: no CORS
headers at all; ``"reflect"``: ⚠️ VULNERABLE, a permissive policy that reflects any
``Origin`` with ``Access-Control-Allow-Credentials: true``).

Built as the login app is (flaskr style): ``create_token_app`` is the factory, the
app's state is one ``TokenLab`` (``app.token_lab``), the routes are the Blueprint
``bp``, and the ``token_required`` decorator is the one bearer-token guard.
"""

from __future__ import annotations

import functools

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request

from sessionlab.apps import _limits as limits
from sessionlab.apps._common import json_response, label_response
from sessionlab.apps.login_auth import cross_site_origin
from sessionlab.apps.token_lab import (  # the session app's Origin / Fetch Metadata check
    DEFAULT_USERS,
    TokenLab,
)
from sessionlab.web.outage import STORE_ERRORS, store_outage_handler
from sessionlab.web.token_format import www_authenticate
from sessionlab.web.tokens import TokenError, TokenPair, TokenService

__all__ = [
    "create_token_app",
    "TokenLab",
    "token_required",
    "bp",
    "DEFAULT_USERS",
    "ACCESS_COOKIE",
    "REFRESH_COOKIE",
    "REFRESH_COOKIE_PATHS",
]

ACCESS_COOKIE = "access_token"
REFRESH_COOKIE = "refresh_token"
# The refresh cookie goes only where it is needed: to /refresh, and to /logout so that a user
# whose access token has expired can still log out (one cookie per path, same value).
REFRESH_COOKIE_PATHS = ("/refresh", "/logout")
TOKEN_STORE_DOWN = (
    "토큰 상태 저장소(Redis: 폐기 목록과 refresh 기록)에 연결할 수 없습니다. 로그인이 풀린 것이 아니니 "
    "잠시 뒤 다시 시도하세요 — 저장소가 돌아오면 서버를 다시 띄우지 않아도 자동으로 복구됩니다."
)


def create_token_app(
    service: TokenService,
    users: dict | None = None,
    verifier=None,
    cookie_secure: bool = False,
    name: str = "tokens",
    cookie_samesite: str = "Lax",
    cors: str | None = None,
) -> Flask:
    """The token login app. ``verifier``: None for the secure one, a VulnerableVerifier for ⚠️.

    ``cookie_samesite`` and ``cors`` (see the module docstring) are for the CSRF labs;
    ``cors="reflect"`` makes the app ⚠️ VULNERABLE (``X-Lab-Variant``) whatever the verifier.
    """
    if cookie_samesite not in ("Strict", "Lax", "None", ""):
        raise ValueError(f"SameSite는 Strict, Lax, None, ''(속성 없음) 중 하나입니다: {cookie_samesite!r}")
    if cookie_samesite == "None" and not cookie_secure:
        raise ValueError("SameSite=None 쿠키는 Secure여야 브라우저가 받습니다: cookie_secure=True를 주세요.")
    if cors not in (None, "reflect"):
        raise ValueError(f"cors는 None 또는 'reflect'입니다: {cors!r}")
    lab = TokenLab.build(service, users, verifier, cookie_secure)
    lab.cookie_samesite, lab.cors = cookie_samesite, cors
    lab.vulnerable = lab.vulnerable or cors == "reflect"
    app = Flask(name)
    app.config["VULNERABLE"] = lab.vulnerable
    app.token_lab = lab  # type: ignore[attr-defined]  # read back by current_lab()
    limits.init_app(app)  # 413 past 64 KB, deep JSON refused before get_json recurses
    app.register_blueprint(bp)
    # Redis down is "try again" (503 + Retry-After), never "not logged in" (401) nor a bug (500).
    store_outage_handler(app, message=TOKEN_STORE_DOWN)
    from sessionlab.apps.token_demo import demo_bp  # the demo pages use this module's guard

    app.register_blueprint(demo_bp)
    return app


bp = Blueprint("tokens", __name__)


def current_lab() -> TokenLab:
    return current_app.token_lab  # type: ignore[attr-defined]  # set by create_token_app


# -- every response ----------------------------------------------------------------------


@bp.app_errorhandler(TokenError)
def refuse(exc: TokenError) -> Response:
    """401 with the Korean reason and the RFC 6750 challenge."""
    body = {
        "error": "invalid_token" if exc.code != "missing" else "unauthorized",
        "code": exc.code,
        "reason": exc.reason,
    }
    return json_response(body, 401, {"WWW-Authenticate": exc.www_authenticate})


RECORDED_PATHS = ("/transfer", "/demo/pixel.gif")


@bp.after_app_request
def label(resp: Response) -> Response:
    lab = current_lab()
    origin = request.headers.get("Origin")
    if lab.cors == "reflect" and origin:
        # ⚠️ VULNERABLE: whoever asks is trusted, with cookies. A custom header no longer helps.
        resp.headers["Access-Control-Allow-Origin"] = origin
        resp.headers["Access-Control-Allow-Credentials"] = "true"
        resp.headers["Vary"] = "Origin"
        if request.method == "OPTIONS":
            asked = request.headers.get("Access-Control-Request-Headers", "")
            resp.headers["Access-Control-Allow-Headers"] = asked
            resp.headers["Access-Control-Allow-Methods"] = "GET, POST"
    if request.path in RECORDED_PATHS:
        lab.seen.append(
            {
                "method": request.method,
                "path": request.path,
                "cookie": ACCESS_COOKIE in request.cookies,
                "authorization": "Authorization" in request.headers,
                "x_requested_with": "X-Requested-With" in request.headers,
                "origin": origin,
                "status": resp.status_code,
            }
        )
    return label_response(resp, lab.variant)


# -- the bearer-token guard ----------------------------------------------------------------


def _or_invalid(call, *args, **kwargs):
    """``call(...)``, with whatever a hostile token triggers turned into ``TokenError("invalid")``: never a 500.

    Store outages (``STORE_ERRORS``) pass through, to be answered 503."""
    try:
        return call(*args, **kwargs)
    except (TokenError, *STORE_ERRORS):
        raise  # a store outage is answered 503 by store_outage_handler, not "invalid token"
    except Exception:
        raise TokenError("invalid") from None


def token_from_request() -> tuple[str, str]:
    """The access token and where it came from: ``Authorization: Bearer`` (preferred) or the cookie."""
    auth = request.headers.get("Authorization", "")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip(), "bearer"
    cookie = request.cookies.get(ACCESS_COOKIE)
    if cookie:
        return cookie, "cookie"
    raise TokenError("missing")


def _csrf_refusal() -> Response:
    return json_response(
        {
            "error": "csrf",
            "reason": "쿠키로 인증한 POST에는 X-Requested-With 헤더가 필요합니다 "
            "(다른 사이트의 폼은 이 헤더를 붙일 수 없습니다).",
        },
        403,
    )


def token_required(view=None, *, verify: bool = True, csrf: bool = False):
    """Decorator: the view runs only with an access token (``g.token``, ``g.via``, ``g.claims``).

    Use it bare (``@token_required``) or with options (``@token_required(csrf=True)``).

    ``verify``: the token must pass the app's verifier (else 401 via ``TokenError``);
    ``verify=False`` only needs one to be present (``g.claims`` is None).
    ``csrf``: a cookie-authenticated POST must carry ``X-Requested-With`` (else 403):
    a cross-site form cannot add it, a Bearer request needs nothing extra.
    """

    def decorate(inner):
        @functools.wraps(inner)
        def wrapped(**kwargs):
            g.token, g.via = token_from_request()
            g.claims = (
                _or_invalid(current_lab().verifier.verify, g.token, expected_type="access")
                if verify
                else None
            )
            if (
                csrf
                and g.via == "cookie"
                and request.method == "POST"
                and not request.headers.get("X-Requested-With")
            ):
                return _csrf_refusal()
            return inner(**kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate


# -- helpers ---------------------------------------------------------------------------------


def form_data():
    """The JSON object of the body, else the form."""
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else request.form


def bearer_mode(data) -> bool:
    """The client keeps the tokens itself (``mode: "bearer"``, or the older ``cookie: false``)."""
    return data.get("mode") == "bearer" or data.get("cookie", True) in (False, "0", "false")


def token_body(pair: TokenPair, tokens: bool) -> dict:
    """The JSON answer of /login and /refresh: the tokens only when the client keeps them itself.

    A cookie client's tokens stay in HttpOnly cookies: a body would hand them to any page
    script (an XSS can ``fetch('/refresh', {method: 'POST'})``). ⚠️ The VULNERABLE twin always
    puts them in the body.
    """
    if tokens:
        body = pair.as_json()
        return body if pair.refresh else {k: v for k, v in body.items() if k != "refresh_token"}
    return {"token_type": "Bearer", "expires_in": pair.expires_in, "mode": "cookie"}


def set_token_cookies(resp: Response, pair: TokenPair) -> None:
    """Both tokens as HttpOnly cookies; the refresh token only for ``REFRESH_COOKIE_PATHS``, SameSite=Strict."""
    lab = current_lab()
    resp.set_cookie(
        ACCESS_COOKIE,
        pair.access,
        max_age=lab.service.access_ttl,
        httponly=True,
        secure=lab.cookie_secure,
        samesite=lab.cookie_samesite or None,  # "": no attribute at all
        path="/",
    )
    for path in REFRESH_COOKIE_PATHS if pair.refresh else ():
        resp.set_cookie(
            REFRESH_COOKIE,
            pair.refresh,
            max_age=lab.service.refresh_ttl,
            httponly=True,
            secure=lab.cookie_secure,
            samesite="Strict",
            path=path,
        )


def clear_token_cookies(resp: Response) -> Response:
    """Tell the browser to drop both tokens (every path they were set for)."""
    resp.delete_cookie(ACCESS_COOKIE, path="/")
    for path in REFRESH_COOKIE_PATHS:
        resp.delete_cookie(REFRESH_COOKIE, path=path)
    return resp


# -- routes ------------------------------------------------------------------------------------


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@bp.post("/login")
def login():
    lab, data = current_lab(), form_data()
    why = cross_site_origin()
    if why and not lab.vulnerable:  # login CSRF: another site must not log this browser in (as anyone)
        return json_response(
            {
                "error": "cross_site",
                "reason": f"다른 사이트에서 시작된 로그인은 받지 않습니다 (login CSRF 방어, {why}).",
            },
            403,
        )
    user, password = str(data.get("username", "")), str(data.get("password", ""))
    if not (_utf8(user) and _utf8(password)):  # a lone surrogate cannot be hashed: a clear 400, not a 500
        return json_response(
            {"error": "invalid_request", "reason": "아이디와 비밀번호는 UTF-8 문자열이어야 합니다."}, 400
        )
    role = lab.role_of(user, password)
    if role is None:
        return jsonify({"error": "invalid_grant", "reason": "아이디 또는 비밀번호가 틀렸습니다."}), 401
    if lab.service.redis is not None:
        pair = lab.service.login(user, role)
    else:  # no server state: access token only, nothing can be revoked
        pair = TokenPair(lab.service.issue(user, role=role), "", lab.service.access_ttl)
    bearer = bearer_mode(data)
    resp = jsonify(token_body(pair, tokens=bearer or lab.vulnerable))
    if not bearer:
        set_token_cookies(resp, pair)
    return resp


@bp.get("/me")
@token_required
def me():
    return jsonify({"sub": g.claims.get("sub"), "role": g.claims.get("role"), "via": g.via})


@bp.get("/admin")
@token_required
def admin():
    if g.claims.get("role") != "admin":
        challenge = www_authenticate("insufficient_scope", "admin role required", error="insufficient_scope")
        return json_response(
            {"error": "insufficient_scope", "reason": "관리자(admin)만 볼 수 있습니다."},
            403,
            {"WWW-Authenticate": challenge},
        )
    return jsonify({"sub": g.claims.get("sub"), "secret": "관리자 화면", "via": g.via})


@bp.post("/transfer")
@token_required(csrf=True)
def transfer():
    data = form_data()
    return jsonify({"ok": True, "from": g.claims.get("sub"), "to": data.get("to"), "via": g.via})


@bp.post("/refresh")
def refresh():
    data = form_data()
    token = data.get("refresh_token") or request.cookies.get(REFRESH_COOKIE)
    if not token:
        raise TokenError("missing")
    lab = current_lab()
    pair = _or_invalid(lab.service.refresh, token, role_of=lab.current_role)
    from_body = bool(data.get("refresh_token"))  # a bearer client; else the cookie (a browser)
    resp = jsonify(token_body(pair, tokens=from_body or lab.vulnerable))
    if not from_body:
        set_token_cookies(resp, pair)
    return resp


@bp.post("/logout")
def logout():
    """Revoke this login (its whole family) with whichever token arrived, and always clear both cookies.

    An *expired* access token or the refresh cookie alone is enough: a user who was idle
    past the access token's lifetime must still be able to log out.
    """
    service, data = current_lab().service, form_data()
    try:
        access, via = token_from_request()
    except TokenError:
        access, via = None, "cookie"
    refresh = data.get("refresh_token")
    if not isinstance(refresh, str) or not refresh:
        refresh = request.cookies.get(REFRESH_COOKIE)
    if via == "cookie" and request.cookies and not request.headers.get("X-Requested-With"):
        return _csrf_refusal()
    try:
        revoked = _or_invalid(service.logout, access, refresh)
    except TokenError as exc:
        return clear_token_cookies(refuse(exc))
    resp = jsonify({"ok": True, "revoked": revoked, "server_state": service.redis is not None})
    return clear_token_cookies(resp)
