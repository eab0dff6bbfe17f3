"""Flask apps for the session labs: a secure login app and its ⚠️ VULNERABLE twin.

``create_login_app(store=..., secure=True)`` — server-side sessions in a
``sessionlab.web.stores`` store:

* ``POST /login`` (JSON ``{"username", "password"}`` or the HTML form of ``GET /login``):
  scrypt-hashed passwords compared in constant time; an unknown user costs the
  same hash as a wrong password and gets the same 401 and Korean message;
  throttling instead of a lockout: after ``max_failures`` failures of one account from one
  client address (and 4× that from one address, 10× for one account from anywhere) each further
  attempt waits a growing delay (429 + ``Retry-After``: ``throttle_seconds``, doubling, at most
  ``lockout_seconds``), counted atomically before the password check (in Redis, shared by every
  app server, when the store is a ``RedisStore``; under a lock otherwise); a new session id at login
  (``store.renew_id``: defeats session fixation); the cookie is HttpOnly,
  SameSite=Lax, Path=/, and Secure when served over HTTPS (or ``cookie_secure=True``). Its name is
  ``login_sid`` (``__Host-login_sid`` with ``cookie_secure=True``): its own name, because cookies do
  not isolate by port and the other lab apps on 127.0.0.1 set theirs in the same jar.
* ``GET /login`` without a cookie starts a pre-login session (it holds the form's CSRF token);
  the secure variant keeps at most ``max_anonymous`` of them, deleting the oldest, so a flood of
  cookie-less page loads cannot fill the store.
* ``GET /me`` — who am I (each request looks the session up: ``store.touch``;
  the store's time is reported in a ``Server-Timing: store;dur=<ms>`` header).
* ``POST /transfer`` — a state-changing action: needs the CSRF token (form field
  ``csrf_token`` or header ``X-CSRF-Token``; ``GET /csrf`` returns it).
* ``POST /account/email`` — a sensitive action: CSRF token *and* a password
  entered within ``reauth_seconds`` (``POST /reauth``), else 403 ``reauth_required``;
  a successful ``/reauth`` rotates the session id and the CSRF token (returned as ``csrf_token``).
* ``POST /logout`` — deletes the server record and clears the cookie.
* ``GET /lab/script-probe?u=..&p=..`` — ⚠️ VULNERABLE variant only: a page whose JavaScript
  logs in and writes what ``document.cookie`` shows into the DOM (for a real headless browser).
  The secure app has no lab routes; a lab serves ``attacker.with_script_probe(app)`` instead.
* A login (JSON or form) from another origin (``Sec-Fetch-Site`` other than ``same-origin``,
  or a foreign ``Origin``) is refused with 403 ``cross_site`` (login CSRF); a client sending
  neither header (requests, curl) is allowed.

A store outage (Redis down, a locked SQLite file) is answered ``503`` with ``Retry-After`` and
a Korean message (``sessionlab.web.outage``), within about a second for a Redis store (the app
shortens its client's timeouts and retries), never as "not logged in"; the app heals by itself
when the store is back.

Idle and absolute timeouts are the store's (``SessionStore``); pass a store with
a ``FakeClock`` to see them expire without waiting. Bad input never yields a 500:
a malformed, unknown or forged cookie is treated as no session (and cleared),
missing fields give 400, an oversized Cookie header 431, a large body 413.

``secure=False`` builds the ⚠️ VULNERABLE variant, on purpose, for the attack labs:
it accepts an attacker-chosen session id, keeps the id at login, issues
predictable ids (``random`` module by default), sets no HttpOnly/SameSite/Secure,
checks no CSRF token, asks no re-authentication, never slows guessing, keeps the
server record at logout (only the cookie is cleared) and, unless given a store,
has no server-side timeout (the store it makes keeps sessions ~10 years).
Every response says which one it is in ``X-Lab-Variant`` (``"secure"`` or ``"VULNERABLE"``).

The app is built as in Flask's tutorial (flaskr): this module is the application
factory; the settings are one ``LoginConfig`` and the state one ``LoginLab``
(``app.lab``, in ``sessionlab.apps.login_state``); the per-request session hooks
and the ``login_required`` / ``csrf_protected`` / ``fresh_login_required``
decorators are in ``sessionlab.apps.login_auth``; the routes are the Blueprint of
``sessionlab.apps.login_views``; the attacker site and the script probe page are in
``sessionlab.apps.attacker``.
"""

from __future__ import annotations

import redis as redis_py
from flask import Flask
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from sessionlab.apps import login_auth
from sessionlab.apps.login_state import LOGIN_COOKIE, LoginConfig, LoginLab
from sessionlab.apps.login_views import bp, lab_bp
from sessionlab.web.ids import RandomModuleIds
from sessionlab.web.outage import store_outage_handler
from sessionlab.web.passwords import LAB_N
from sessionlab.web.stores import MemoryStore, SessionStore

__all__ = ["create_login_app", "build_login_app", "DEFAULT_USERS", "TEN_YEARS", "LOGIN_COOKIE"]

DEFAULT_USERS = {"alice": "wonderland-2026", "bob": "builder-2026"}
TEN_YEARS = 10 * 365 * 24 * 3600


def create_login_app(
    store: SessionStore | None = None,
    secure: bool = True,
    users: dict[str, str] | None = None,
    *,
    cookie_name: str = "",
    cookie_secure: bool | None = None,
    session_ids=None,
    clock=None,
    kdf_n: int = LAB_N,
    max_failures: int = 5,
    lockout_seconds: float = 60,
    reauth_seconds: float = 300,
    bind_user_agent: bool = False,
    max_cookie_bytes: int = 8192,
    name: str | None = None,
    max_anonymous: int = 10_000,
    throttle_seconds: float = 2,
) -> Flask:
    """The login app; ``secure=False`` builds the ⚠️ VULNERABLE variant (see the module doc)."""
    if store is None:
        store = (
            MemoryStore(idle_timeout=15 * 60, absolute_timeout=8 * 3600)
            if secure
            else MemoryStore(idle_timeout=TEN_YEARS, absolute_timeout=TEN_YEARS)
        )  # ⚠️ no server-side timeout
    if secure and session_ids is not None:
        raise ValueError(
            "안전한 버전은 저장소의 id_factory(secrets)로만 ID를 만듭니다: "
            "session_ids는 secure=False(⚠️ 취약한 버전)에서만 쓸 수 있습니다."
        )
    if not secure and session_ids is None:
        session_ids = RandomModuleIds()  # ⚠️ VULNERABLE: predictable ids
    config = LoginConfig(
        store=store,
        users=dict(DEFAULT_USERS if users is None else users),
        secure=secure,
        cookie_name=cookie_name,
        cookie_secure=cookie_secure,
        session_ids=session_ids,
        clock=clock,
        kdf_n=kdf_n,
        max_failures=max_failures,
        lockout_seconds=lockout_seconds,
        reauth_seconds=reauth_seconds,
        bind_user_agent=bind_user_agent,
        max_cookie_bytes=max_cookie_bytes,
        name=name,
        max_anonymous=max_anonymous,
        throttle_seconds=throttle_seconds,
    )
    return build_login_app(config)


def build_login_app(config: LoginConfig) -> Flask:
    """The login app for a ready ``LoginConfig`` (``create_login_app`` builds one from keywords)."""
    app = Flask(config.app_name)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.lab = LoginLab(config)  # type: ignore[attr-defined]  # read back by login_auth.current_lab()
    login_auth.init_app(app)
    store_outage_handler(app)  # store down: 503 + Retry-After + Korean message, never "not logged in"
    _fail_fast(config.store)
    app.register_blueprint(bp)
    if not config.secure:
        app.register_blueprint(lab_bp)  # ⚠️ lab-only routes never exist in the secure app
    return app


FAIL_FAST_TIMEOUT = 0.5  # seconds: socket and connect timeouts of a Redis store's client


def _fail_fast(store) -> None:
    """A Redis-backed store gives up within ~1 s when Redis is gone, so the app's 503 comes quickly.

    redis-py's default (10 retries, backoff up to 1 s) took ~5 s before the error; this sets two
    quick retries and 0.5 s socket timeouts on the store's client (a client that already has
    shorter ones keeps them). The client reconnects by itself when Redis is back.
    """
    client = getattr(store, "redis", None)
    if not isinstance(client, redis_py.Redis) or getattr(client, "connection", None) is not None:
        return  # not a pooled redis-py client (memory, SQLite, a cluster): nothing to shorten
    kwargs, changed = client.connection_pool.connection_kwargs, False
    for name in ("socket_timeout", "socket_connect_timeout"):
        if kwargs.get(name) is None or kwargs[name] > FAIL_FAST_TIMEOUT:
            kwargs[name], changed = FAIL_FAST_TIMEOUT, True
    client.set_retry(Retry(ExponentialBackoff(cap=0.05, base=0.005), 2))
    if changed:
        client.connection_pool.disconnect()  # open sockets keep their old timeouts: reconnect
