"""The login app as a Flask developer builds it at work: Flask-Session (Redis) + Flask-Login.

``create_library_login_app(redis)`` does with two libraries what ``sessionlab.apps.login``
builds by hand, so notebook 02 can put them side by side on the same Redis:

* **Flask-Session 0.8** keeps the session on the server: ``SESSION_TYPE="redis"``, one Redis
  *string* per session under ``session:<id>`` (``SESSION_KEY_PREFIX``) holding the session dict
  serialised with msgpack, with a TTL of ``PERMANENT_SESSION_LIFETIME`` (Flask's default:
  31 days), written again on every request (``SESSION_REFRESH_EACH_REQUEST``); the cookie holds
  only the id (``secrets.token_urlsafe(32)``). An empty session is never stored and gets no cookie.
* **Flask-Login 0.6** handles who is logged in: a ``UserMixin`` user, ``login_user`` /
  ``logout_user`` (they only put ``_user_id``, ``_fresh``, ``_id`` into the session and take them
  out again) and the ``login_required`` guard (401 without a user).
* Passwords: the course's scrypt hashes (``sessionlab.web.passwords``), and an unknown user costs
  the same hash as a wrong password, as in the course's app.

Routes: ``POST /cart`` (JSON ``{"item"}``: an anonymous visitor's cart, kept in the session, so a
session exists *before* login, as in any shop), ``POST /login`` (JSON ``{"username",
"password"}``), ``GET /me`` (``login_required``: the user and the cart), ``POST /logout``.

``harden=False`` keeps the libraries' defaults — ⚠️ VULNERABLE: ``login_user`` keeps the session id
the visitor had before logging in (session fixation), the cookie is named ``session`` (says
"Flask"), has no ``SameSite`` attribute and lives 31 days, the record lives 31 days after the
last request with no absolute limit, and ``logout_user`` removes only its own keys: a session that
holds anything else (the cart) stays in Redis, and in the cookie, under the same id.
``harden=True`` applies what the course teaches, still with the libraries' own API:
``app.session_interface.regenerate(session)`` before ``login_user`` (new id, old record deleted,
the cart kept), cookie ``sid`` with ``HttpOnly`` and ``SameSite=Lax`` (``Secure`` when
``cookie_secure=True``: the labs run on plain HTTP), ``PERMANENT_SESSION_LIFETIME`` = 15 minutes
of idle time (the record's TTL and the cookie's ``Expires``, renewed at each request), an absolute
limit of 8 hours since login (checked in ``before_request``), and a logout that clears the whole
session (Flask-Session then deletes the record and the cookie).
Every response names its variant in ``X-Lab-Variant``: ``"VULNERABLE"`` (defaults) or ``"secure"``.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import redis as redis_py
from flask import Blueprint, Flask, current_app, jsonify, request, session
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_session import Session

from sessionlab.apps._common import label_response, variant_name
from sessionlab.web.passwords import LAB_N, account_hashes, dummy_hash, verify_password

__all__ = [
    "create_library_login_app",
    "library_redis_client",
    "LibraryUser",
    "LibraryLoginSettings",
    "bp",
    "DEFAULT_USERS",
    "HARDENED_COOKIE",
    "HARDENED_IDLE",
    "HARDENED_ABSOLUTE",
]

DEFAULT_USERS = {"alice": "wonderland-2026", "bob": "builder-2026"}  # the course login app's accounts
HARDENED_COOKIE = "library_sid"  # its own name: cookies do not isolate by port
HARDENED_IDLE = timedelta(minutes=15)  # the course app's idle timeout
HARDENED_ABSOLUTE = 8 * 3600  # seconds since login, whatever the activity (the course app's absolute timeout)
MAX_CART = 20
_MAX_FIELD = 1024


class LibraryUser(UserMixin):
    """Flask-Login's user: ``UserMixin`` gives ``is_authenticated``, ``get_id`` and friends."""

    def __init__(self, username: str):
        self.id = username


def library_redis_client(redis) -> redis_py.Redis:
    """A redis-py client for Flask-Session: given one, a ``redis://`` URL, or a lab ``RedisServer``.

    Flask-Session stores bytes (msgpack), so the client must not decode responses.
    """
    if isinstance(redis, redis_py.Redis):
        return redis
    if isinstance(redis, str):
        return redis_py.Redis.from_url(redis, socket_timeout=2, socket_connect_timeout=1)
    if callable(getattr(redis, "client", None)):
        return redis.client(decode_responses=False)
    raise TypeError("redis: redis-py 클라이언트, redis:// URL, 또는 start_redis()가 돌려준 서버를 주세요.")


@dataclass(frozen=True)
class LibraryLoginSettings:
    """What the views need besides the libraries' config: variant, password hashes, the clock."""

    harden: bool
    accounts: dict[str, str]  # username → scrypt hash
    dummy: str  # an unknown user is checked against this, so it costs the same time
    absolute_timeout: float
    clock: Callable[[], float]


def create_library_login_app(
    redis,
    *,
    harden: bool = False,
    users: dict[str, str] | None = None,
    kdf_n: int = LAB_N,
    cookie_secure: bool = False,
    absolute_timeout: float = HARDENED_ABSOLUTE,
    clock: Callable[[], float] = time.time,
    name: str | None = None,
) -> Flask:
    """Flask-Session + Flask-Login login app; ``harden=False`` keeps the libraries' defaults (⚠️).

    ``absolute_timeout`` (seconds since login) and ``clock`` apply to ``harden=True`` only.
    """
    app = Flask(name or ("library_login_hardened" if harden else "library_login_VULNERABLE"))
    app.secret_key = secrets.token_bytes(32)  # every real app sets one (Flask-Login's remember cookie)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.config["SESSION_TYPE"] = "redis"
    app.config["SESSION_REDIS"] = library_redis_client(redis)
    if harden:
        app.config["SESSION_COOKIE_NAME"] = HARDENED_COOKIE
        app.config["SESSION_COOKIE_HTTPONLY"] = True
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
        app.config["SESSION_COOKIE_SECURE"] = cookie_secure
        app.config["PERMANENT_SESSION_LIFETIME"] = HARDENED_IDLE
    # else: ⚠️ library defaults: cookie "session", no SameSite, PERMANENT_SESSION_LIFETIME = 31 days
    Session(app)
    accounts = account_hashes(DEFAULT_USERS if users is None else users, n=kdf_n)
    app.extensions["library_login"] = LibraryLoginSettings(
        harden, accounts, dummy_hash(n=kdf_n), absolute_timeout, clock
    )
    login_manager = LoginManager(app)
    login_manager.user_loader(lambda user_id: LibraryUser(user_id) if user_id in accounts else None)
    app.register_blueprint(bp)
    return app


bp = Blueprint("library_login", __name__)


def _settings() -> LibraryLoginSettings:
    return current_app.extensions["library_login"]


@bp.before_app_request
def _enforce_absolute_timeout():
    s = _settings()
    if s.harden and "login_at" in session and s.clock() - session["login_at"] > s.absolute_timeout:
        session.clear()  # past the absolute limit: logged out, the record is deleted


@bp.after_app_request
def _label(resp):
    return label_response(resp, variant_name(_settings().harden))


def _json_fields(*names: str) -> list[str] | None:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None
    values = [body.get(n) for n in names]
    texts = [v for v in values if isinstance(v, str) and 0 < len(v) <= _MAX_FIELD]
    return texts if len(texts) == len(names) else None


@bp.post("/cart")
def add_to_cart():
    fields = _json_fields("item")
    if fields is None:
        return jsonify(ok=False, error='JSON {"item": "..."}을 보내세요.'), 400
    cart = list(session.get("cart", []))[-(MAX_CART - 1) :] + [fields[0][:64]]
    session["cart"] = cart  # the first write creates the session: record in Redis + cookie
    return jsonify(ok=True, cart=cart)


@bp.post("/login")
def login():
    s = _settings()
    fields = _json_fields("username", "password")
    if fields is None:
        return jsonify(ok=False, error="아이디(username)와 비밀번호(password)를 JSON으로 보내세요."), 400
    username, password = fields
    stored = s.accounts.get(username)
    if not (verify_password(password, stored if stored is not None else s.dummy) and stored is not None):
        return jsonify(ok=False, error="아이디 또는 비밀번호가 올바르지 않습니다."), 401
    if s.harden:
        current_app.session_interface.regenerate(session)  # new id, old record deleted: no fixation
        session["login_at"] = s.clock()
    login_user(LibraryUser(username))  # ⚠️ by itself it keeps the id the visitor came with
    return jsonify(ok=True, user=username)


@bp.get("/me")
@login_required
def me():
    return jsonify(user=current_user.id, cart=session.get("cart", []))


@bp.post("/logout")
@login_required
def logout():
    logout_user()  # removes Flask-Login's keys only
    if _settings().harden:
        session.clear()  # nothing left: Flask-Session deletes the record and the cookie
    return jsonify(ok=True)
