"""A token-based login app (Flask) for the JWT labs, and a ⚠️ VULNERABLE variant.

``create_token_app(service)``: ``POST /login`` returns an access + refresh token in
the JSON body *and* sets them as HttpOnly cookies; protected routes accept the
access token from ``Authorization: Bearer`` (preferred) or from the cookie.
Every bad token is answered ``401`` with a Korean ``reason`` in the JSON body and
an RFC 6750 ``WWW-Authenticate`` header (``error="invalid_token"``,
``error_description``) — never a 500. A missing token gets the bare challenge
(``Bearer realm="sessionlab"``, RFC 6750 §3.1), too little privilege ``403``
with ``error="insufficient_scope"``.

Cookie-authenticated unsafe requests (POST) must carry an ``X-Requested-With``
header: a cross-site form cannot add one, so a CSRF form post is refused, while a
Bearer request (never sent automatically by a browser) needs nothing extra.

``create_token_app(service, verifier=VulnerableVerifier(...))`` is the ⚠️
VULNERABLE variant: same routes, the verifier given. It says so in every response
(``X-Sessionlab-Variant: VULNERABLE``).

``/demo/xss`` serves a page with an *injected* script (as an XSS would run) that
reports what it could read: the HttpOnly cookie (nothing) or localStorage (the
token), and whether it could still *use* the cookie by calling the API.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from flask import Flask, jsonify, request

from sessionlab.web.token_format import www_authenticate
from sessionlab.web.tokens import TokenError, TokenService

__all__ = ["create_token_app", "DEFAULT_USERS", "ACCESS_COOKIE", "REFRESH_COOKIE"]

ACCESS_COOKIE = "access_token"
REFRESH_COOKIE = "refresh_token"
DEFAULT_USERS = {"alice": ("alice-pw", "user"), "admin": ("admin-pw", "admin")}


def _hash_password(password: str, salt: bytes) -> bytes:
    # scrypt (a slow, salted KDF); small cost parameters keep the labs quick.
    return hashlib.scrypt(password.encode(), salt=salt, n=2 ** 12, r=8, p=1, dklen=32)


def create_token_app(service: TokenService, users: dict | None = None, verifier=None,
                     cookie_secure: bool = False, name: str = "tokens") -> Flask:
    """The token login app. ``verifier``: None for the secure one, a VulnerableVerifier for ⚠️."""
    vulnerable = verifier is not None and getattr(verifier, "VULNERABLE", False)
    verifier = verifier or service.verifier
    app = Flask(name)
    app.config["VULNERABLE"] = vulnerable
    accounts = {}
    for user, (password, role) in (users or DEFAULT_USERS).items():
        salt = secrets.token_bytes(16)
        accounts[user] = (salt, _hash_password(password, salt), role)
    dummy_salt = secrets.token_bytes(16)

    def refuse(exc: TokenError):
        status = 401
        body = {"error": "invalid_token" if exc.code != "missing" else "unauthorized",
                "code": exc.code, "reason": exc.reason}
        resp = jsonify(body)
        resp.status_code = status
        resp.headers["WWW-Authenticate"] = exc.www_authenticate
        return resp

    def token_from_request() -> tuple[str, str]:
        auth = request.headers.get("Authorization", "")
        if auth:
            scheme, _, value = auth.partition(" ")
            if scheme.lower() == "bearer" and value.strip():
                return value.strip(), "bearer"
        cookie = request.cookies.get(ACCESS_COOKIE)
        if cookie:
            return cookie, "cookie"
        raise TokenError("missing")

    def authenticate() -> tuple[dict, str]:
        token, via = token_from_request()
        try:
            return verifier.verify(token, expected_type="access"), via
        except TokenError:
            raise
        except Exception:  # whatever a hostile token triggers: a 401, never a 500
            raise TokenError("invalid") from None

    @app.errorhandler(TokenError)
    def _token_error(exc):
        return refuse(exc)

    @app.after_request
    def _label(resp):
        if vulnerable:
            resp.headers["X-Sessionlab-Variant"] = "VULNERABLE"
        resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    def set_token_cookies(resp, pair):
        resp.set_cookie(ACCESS_COOKIE, pair.access, max_age=service.access_ttl, httponly=True,
                        secure=cookie_secure, samesite="Lax", path="/")
        if pair.refresh:
            resp.set_cookie(REFRESH_COOKIE, pair.refresh, max_age=service.refresh_ttl, httponly=True,
                            secure=cookie_secure, samesite="Strict", path="/refresh")

    def csrf_guard(via: str):
        if via == "cookie" and request.method == "POST" and not request.headers.get("X-Requested-With"):
            resp = jsonify({"error": "csrf", "reason": "쿠키로 인증한 POST에는 X-Requested-With 헤더가 필요합니다 "
                                                        "(다른 사이트의 폼은 이 헤더를 붙일 수 없습니다)."})
            resp.status_code = 403
            return resp
        return None

    def form_data():
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else request.form

    @app.post("/login")
    def login():
        data = form_data()
        user, password = str(data.get("username", "")), str(data.get("password", ""))
        salt, stored, role = accounts.get(user, (dummy_salt, b"\0" * 32, None))
        ok = hmac.compare_digest(_hash_password(password, salt), stored) and role is not None
        if not ok:
            return jsonify({"error": "invalid_grant", "reason": "아이디 또는 비밀번호가 틀렸습니다."}), 401
        if service.redis is not None:
            pair = service.login(user, role)
        else:  # no server state: access token only, nothing can be revoked
            from sessionlab.web.tokens import TokenPair
            pair = TokenPair(service.issue(user, role=role), "", service.access_ttl)
        body = pair.as_json() if pair.refresh else {k: v for k, v in pair.as_json().items() if k != "refresh_token"}
        resp = jsonify(body)
        if data.get("cookie", True) not in (False, "0", "false"):
            set_token_cookies(resp, pair)
        return resp

    @app.get("/me")
    def me():
        claims, via = authenticate()
        return jsonify({"sub": claims.get("sub"), "role": claims.get("role"), "via": via})

    @app.get("/admin")
    def admin():
        claims, via = authenticate()
        if claims.get("role") != "admin":
            resp = jsonify({"error": "insufficient_scope", "reason": "관리자(admin)만 볼 수 있습니다."})
            resp.status_code = 403
            resp.headers["WWW-Authenticate"] = www_authenticate(
                "insufficient_scope", "admin role required", error="insufficient_scope")
            return resp
        return jsonify({"sub": claims.get("sub"), "secret": "관리자 화면", "via": via})

    @app.post("/transfer")
    def transfer():
        claims, via = authenticate()
        blocked = csrf_guard(via)
        if blocked is not None:
            return blocked
        data = form_data()
        return jsonify({"ok": True, "from": claims.get("sub"), "to": data.get("to"), "via": via})

    @app.post("/refresh")
    def refresh():
        data = form_data()
        token = data.get("refresh_token") or request.cookies.get(REFRESH_COOKIE)
        if not token:
            raise TokenError("missing")
        try:
            pair = service.refresh(token)
        except TokenError:
            raise
        except Exception:
            raise TokenError("invalid") from None
        resp = jsonify(pair.as_json())
        if not data.get("refresh_token"):
            set_token_cookies(resp, pair)
        return resp

    @app.post("/logout")
    def logout():
        token, via = token_from_request()
        blocked = csrf_guard(via)
        if blocked is not None:
            return blocked
        try:
            revoked = service.logout(token)
        except TokenError:
            raise
        except Exception:
            raise TokenError("invalid") from None
        resp = jsonify({"ok": True, "revoked": revoked, "server_state": service.redis is not None})
        resp.delete_cookie(ACCESS_COOKIE, path="/")
        resp.delete_cookie(REFRESH_COOKIE, path="/refresh")
        return resp

    @app.get("/demo/xss")
    def xss_demo():
        store = request.args.get("store", "cookie")
        if store not in ("cookie", "localStorage"):
            store = "cookie"
        return _XSS_PAGE.replace("__STORE__", json.dumps(store)), 200, {"Content-Type": "text/html; charset=utf-8"}

    return app


# The page logs in, keeps the token where ``store`` says, then runs the "injected" script.
_XSS_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>XSS 실험</title></head>
<body><h1>XSS 실험</h1><pre id="report">실행 중…</pre>
<script>
const STORE = __STORE__;
async function main() {
  const r = await fetch('/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({username: 'alice', password: 'alice-pw', cookie: STORE === 'cookie'})});
  const body = await r.json();
  if (STORE === 'localStorage') localStorage.setItem('access_token', body.access_token);
  // ---- below: what an injected (XSS) script can do on this page ----
  const stolenCookie = document.cookie;
  const stolenStorage = localStorage.getItem('access_token') || '';
  const me = await fetch('/me', {credentials: 'same-origin'});
  const report = {store: STORE,
    cookie_readable: stolenCookie.includes('access_token='),
    storage_readable: stolenStorage.split('.').length === 3,
    api_call_status: me.status};
  document.getElementById('report').textContent = JSON.stringify(report);
}
main().catch(e => { document.getElementById('report').textContent = JSON.stringify({error: String(e)}); });
</script></body></html>"""
