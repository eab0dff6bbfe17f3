"""The token login app as a Flask developer builds it at work: Flask-JWT-Extended.

``create_library_token_app(redis)`` does with Flask-JWT-Extended 4.7 what ``sessionlab.apps.token``
and ``sessionlab.web.tokens`` build by hand, so notebook 04a can compare them:
``POST /login`` (JSON ``{"username", "password"}``), ``POST /refresh``, ``GET /me``
(``jwt_required()``, ``get_jwt_identity()``), ``POST /logout``. Errors are the library's own
``401 {"msg": ...}``. Accounts: the course token app's (``apps.token_lab.DEFAULT_USERS``), scrypt-hashed
(``web.passwords``).

``harden=False`` keeps the library's defaults — ⚠️ VULNERABLE by the course's standard: HS256,
access tokens valid 15 minutes and refresh tokens 30 days (``JWT_ACCESS_TOKEN_EXPIRES``,
``JWT_REFRESH_TOKEN_EXPIRES``), both tokens in the JSON body (the client keeps them where a
script can read them), ``/refresh`` returns a new access token only and the same refresh token
keeps working (no rotation), and ``/logout`` can do nothing on the server: without a
``token_in_blocklist_loader`` a copied token stays valid until it expires. No ``aud``/``iss``.

``harden=True`` closes each gap with the library's own switches: access 5 minutes, refresh
1 hour (the course's ``TokenService`` values), ``iss``/``aud`` set and checked; the access token
in the body (sent back as ``Authorization: Bearer``), the refresh token only in an HttpOnly cookie
(``JWT_TOKEN_LOCATION`` with cookies, ``JWT_COOKIE_SAMESITE="Lax"``, path ``/refresh`` and a copy
for ``/logout``) protected by the library's CSRF double-submit (``JWT_COOKIE_CSRF_PROTECT``: a POST
must repeat the readable ``csrf_refresh_token`` cookie in ``X-CSRF-TOKEN``); ``/refresh`` rotates
(the used refresh token is denied, a new one set); ``/logout`` denies the access token and the
refresh token; the denylist is Redis (``jwt:deny:<jti>``, TTL = the token's time left), read by
``token_in_blocklist_loader``. Reuse detection that revokes a whole token family (the course's
``TokenService``) is not in the library: a replayed old refresh token is refused, nothing more.
Every response names its variant in ``X-Lab-Variant``: ``"VULNERABLE"`` (defaults) or ``"secure"``.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, jsonify, request
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    create_refresh_token,
    decode_token,
    get_jwt,
    get_jwt_identity,
    jwt_required,
    set_refresh_cookies,
)
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt import PyJWTError

from sessionlab.apps._common import label_response, variant_name
from sessionlab.apps.token_lab import DEFAULT_USERS
from sessionlab.web.passwords import account_hashes, dummy_hash, verify_password

__all__ = [
    "create_library_token_app",
    "LibraryTokenSettings",
    "DENY_PREFIX",
    "HARDENED_ACCESS",
    "HARDENED_REFRESH",
    "REFRESH_COOKIE",
    "CSRF_COOKIE",
    "ISSUER",
    "AUDIENCE",
]

DENY_PREFIX = "jwt:deny:"
HARDENED_ACCESS = timedelta(minutes=5)  # the course TokenService's access_ttl
HARDENED_REFRESH = timedelta(hours=1)  # the course TokenService's refresh_ttl
REFRESH_COOKIE = "refresh_token_cookie"  # the library's cookie names (JWT_REFRESH_COOKIE_NAME, ...)
CSRF_COOKIE = "csrf_refresh_token"
ISSUER, AUDIENCE = "sessionlab-library", "sessionlab-api"
_MAX_FIELD = 1024


def _text_client(redis):
    """A redis-py client that answers str: given one, a ``redis://`` URL, or a lab ``RedisServer``."""
    import redis as redis_py

    if isinstance(redis, redis_py.Redis):
        return redis
    if isinstance(redis, str):
        return redis_py.Redis.from_url(redis, decode_responses=True, socket_timeout=2)
    if callable(getattr(redis, "client", None)):
        return redis.client()
    raise TypeError("redis: redis-py 클라이언트, redis:// URL, 또는 start_redis()가 돌려준 서버를 주세요.")


@dataclass(frozen=True)
class LibraryTokenSettings:
    """What the views need besides the library's config: variant, password hashes, the denylist's Redis."""

    harden: bool
    accounts: dict[str, str]  # username → scrypt hash
    dummy: str  # an unknown user costs the same scrypt as a wrong password
    redis: Any  # a redis-py client (str answers), or None for the defaults (no server state)


def create_library_token_app(
    redis=None,
    *,
    harden: bool = False,
    users: dict | None = None,
    kdf_n: int = 2**12,
    name: str | None = None,
) -> Flask:
    """Flask-JWT-Extended login app; ``harden=False`` keeps the library's defaults (⚠️).

    ``redis`` is needed for ``harden=True`` (the denylist); the defaults keep no server state.
    """
    if harden and redis is None:
        raise ValueError("harden=True는 폐기 목록(denylist)을 둘 Redis가 필요합니다: redis=...를 주세요.")
    app = Flask(name or ("library_token_hardened" if harden else "library_token_VULNERABLE"))
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.config["JWT_SECRET_KEY"] = secrets.token_hex(32)  # 256 random bits, made at run time
    if harden:
        app.config.update(
            JWT_ACCESS_TOKEN_EXPIRES=HARDENED_ACCESS,
            JWT_REFRESH_TOKEN_EXPIRES=HARDENED_REFRESH,
            JWT_ENCODE_ISSUER=ISSUER,
            JWT_DECODE_ISSUER=ISSUER,
            JWT_ENCODE_AUDIENCE=AUDIENCE,
            JWT_DECODE_AUDIENCE=AUDIENCE,
            JWT_TOKEN_LOCATION=["headers", "cookies"],
            JWT_COOKIE_SAMESITE="Lax",
            JWT_REFRESH_COOKIE_PATH="/refresh",
        )
    # else: ⚠️ library defaults: 15 min / 30 days, tokens in the body, no rotation, no denylist
    accounts = account_hashes({u: pw for u, (pw, _role) in (users or DEFAULT_USERS).items()}, n=kdf_n)
    settings = LibraryTokenSettings(
        harden, accounts, dummy_hash(n=kdf_n), _text_client(redis) if redis else None
    )
    app.extensions["library_token"] = settings
    jwt = JWTManager(app)
    if harden:
        jwt.token_in_blocklist_loader(
            lambda _header, payload: bool(settings.redis.exists(DENY_PREFIX + payload["jti"]))
        )
    app.after_request(lambda resp: label_response(resp, variant_name(harden)))
    app.register_error_handler(PyJWTError, _bad_token)
    app.register_error_handler(JWTExtendedException, _bad_token)
    cookies, headers = (["cookies"], ["headers"]) if harden else (None, None)
    app.add_url_rule("/login", view_func=login, methods=["POST"])
    app.add_url_rule(
        "/refresh", view_func=jwt_required(refresh=True, locations=cookies)(refresh), methods=["POST"]
    )
    app.add_url_rule("/me", view_func=jwt_required(locations=headers)(me), methods=["GET"])
    app.add_url_rule(
        "/logout", view_func=jwt_required(refresh=harden, locations=cookies)(logout), methods=["POST"]
    )
    return app


def _settings() -> LibraryTokenSettings:
    return current_app.extensions["library_token"]


def _bad_token(exc):
    """A malformed token the library did not catch: 401, never a 500."""
    return jsonify(msg=str(exc) or exc.__class__.__name__), 401


def _deny(payload: dict) -> None:
    """Deny a token's ``jti`` in Redis until it would expire anyway (TTL = time left)."""
    ttl = math.ceil(payload["exp"] - time.time())
    if ttl > 0:  # an expired token needs no entry: the library refuses it anyway
        _settings().redis.set(DENY_PREFIX + payload["jti"], "1", ex=ttl)


def _with_refresh_cookie(resp, user: str):
    """Hardened: a new refresh token in HttpOnly cookies (paths /refresh and /logout) + the CSRF cookie."""
    set_refresh_cookies(resp, create_refresh_token(identity=user))  # HttpOnly + the readable CSRF cookie
    line = next(v for v in resp.headers.getlist("Set-Cookie") if v.startswith(REFRESH_COOKIE + "="))
    resp.headers.add("Set-Cookie", line.replace("Path=/refresh", "Path=/logout"))  # one path per cookie
    return resp


def login():
    s = _settings()
    body = request.get_json(silent=True)
    fields = [body.get(k) for k in ("username", "password")] if isinstance(body, dict) else []
    texts = [v for v in fields if isinstance(v, str) and 0 < len(v) <= _MAX_FIELD]
    if len(texts) != 2:
        return jsonify(msg="아이디(username)와 비밀번호(password)를 JSON으로 보내세요."), 400
    user, password = texts
    stored = s.accounts.get(user)
    if not (verify_password(password, stored if stored is not None else s.dummy) and stored is not None):
        return jsonify(msg="아이디 또는 비밀번호가 올바르지 않습니다."), 401
    access = create_access_token(identity=user, fresh=True)
    if not s.harden:  # ⚠️ both tokens in the body
        return jsonify(access_token=access, refresh_token=create_refresh_token(identity=user))
    return _with_refresh_cookie(jsonify(access_token=access), user)


def refresh():
    user = get_jwt_identity()
    access = create_access_token(identity=user)
    if not _settings().harden:  # ⚠️ the refresh token is not rotated: the same one works again and again
        return jsonify(access_token=access)
    _deny(get_jwt())  # rotation: the used refresh token is spent
    return _with_refresh_cookie(jsonify(access_token=access), user)


def me():
    return jsonify(user=get_jwt_identity(), type=get_jwt()["type"])


def logout():
    if not _settings().harden:  # ⚠️ no server state: nothing to revoke, the token stays valid
        return jsonify(ok=True, revoked=0)
    revoked = [get_jwt()]  # the refresh token (from its cookie)
    bearer = request.headers.get("Authorization", "")
    if bearer.startswith("Bearer "):
        try:
            revoked.append(decode_token(bearer[7:]))  # and the access token, if it is still valid
        except (PyJWTError, JWTExtendedException):
            pass  # an expired or bad access token: nothing more to revoke
    for payload in revoked:
        _deny(payload)
    resp = jsonify(ok=True, revoked=len(revoked))
    for path in ("/refresh", "/logout"):
        resp.delete_cookie(REFRESH_COOKIE, path=path)
    resp.delete_cookie(CSRF_COOKIE, path="/")
    return resp
