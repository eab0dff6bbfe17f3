"""Notebook 02's optional section: Flask-Session + Flask-Login beside the course's hand-built login app.

Everything here *measures* against running servers and a real Redis; the notebook prints it and
asserts on it:

* ``login(url)`` — ``POST /login`` as alice (both apps take the same JSON); returns the response.
* ``set_cookie(resp, name)`` — the ``Set-Cookie`` line for ``name`` as sent (id and date masked for
  display) and its attributes, with the cookie's lifetime measured as ``Expires`` − ``Date``.
* ``redis_entry(redis, key)`` — what the store holds under ``key``: Redis type, TTL, and the value
  decoded (Flask-Session: a msgpack string; the course's store: a hash of fields).
* ``fixation(url, cookie_name)`` — session fixation, end to end: an attacker gets a real session
  id, plants it in the victim's cookie jar, the victim logs in; does the planted id now open the
  victim's account?
* ``made_up_id(url, cookie_name)`` — does the app adopt an id the attacker simply invented?
* ``logout_leftover(url, cookie_name, key_prefix, redis)`` — after logout: is the record still in
  Redis, was the cookie cleared, does a copied cookie still get in?
"""

from __future__ import annotations

import email.utils
import re

import requests

from sessionlab.infra.servers import HOST  # every lab server binds here

__all__ = [
    "ALICE",
    "duration_text",
    "login",
    "set_cookie",
    "redis_entry",
    "fixation",
    "made_up_id",
    "logout_leftover",
    "raw_client",
]

ALICE = {"username": "alice", "password": "wonderland-2026"}  # both login apps' demo account


def login(url: str, http: requests.Session | None = None, creds: dict | None = None) -> requests.Response:
    """``POST /login`` as alice (or ``creds``) with ``http`` (a fresh client if None)."""
    client = http or requests.Session()
    return client.post(url + "/login", json=creds or ALICE, timeout=10)


def duration_text(seconds: float | None) -> str:
    """A lifetime as a learner reads it, rounded to its unit: ``"31일"``, ``"1시간"``, ``"15분"``, ``"40초"``;
    None → ``"없음 (세션 쿠키)"``. Rounding keeps a TTL read one second late printing the same."""
    if seconds is None:
        return "없음 (세션 쿠키)"
    for unit, name in ((86400, "일"), (3600, "시간"), (60, "분")):
        if seconds >= unit - 5:
            return f"{round(seconds / unit)}{name}"
    return f"{round(seconds)}초"


def _set_cookie_lines(resp: requests.Response) -> list[str]:
    raw = getattr(resp.raw, "headers", None)
    if raw is not None and hasattr(raw, "get_all"):
        return list(raw.get_all("Set-Cookie") or [])
    value = resp.headers.get("Set-Cookie")
    return [value] if value else []


def set_cookie(resp: requests.Response, name: str) -> dict:
    """The ``Set-Cookie`` line of ``name`` and what it says, measured from the response.

    Keys: ``line`` (the header as sent, value shown as ``<ID 43자>``, date as ``<날짜>``),
    ``name``, ``id_chars``, ``httponly``, ``secure``, ``samesite`` (None if absent), ``path``,
    ``lifetime`` (seconds: ``Max-Age``, else ``Expires`` − the response's ``Date``; None for a
    session cookie, which the browser drops when it closes). ``{}`` if there is no such line.
    """
    for line in _set_cookie_lines(resp):
        cookie, _, rest = line.partition(";")
        key, _, value = cookie.strip().partition("=")
        if key != name:
            continue
        attrs: dict[str, str | bool] = {}
        for part in rest.split(";"):
            k, sep, v = part.strip().partition("=")
            if k:
                attrs[k.lower()] = v if sep else True
        lifetime = None
        if "max-age" in attrs:
            lifetime = int(str(attrs["max-age"]))
        elif "expires" in attrs and resp.headers.get("Date"):
            expires = email.utils.parsedate_to_datetime(str(attrs["expires"]))
            lifetime = round(
                (expires - email.utils.parsedate_to_datetime(resp.headers["Date"])).total_seconds()
            )
        shown = line.replace(value, f"<ID {len(value)}자>", 1) if value else line
        shown = re.sub(r"Expires=[^;]+", "Expires=<날짜>", shown)
        return {
            "line": f"Set-Cookie: {shown}",
            "name": key,
            "id_chars": len(value),
            "httponly": bool(attrs.get("httponly")),
            "secure": bool(attrs.get("secure")),
            "samesite": attrs.get("samesite"),
            "path": attrs.get("path"),
            "lifetime": lifetime,
        }
    return {}


def raw_client(redis):
    """A redis-py client that returns bytes (Flask-Session's values are binary msgpack)."""
    import redis as redis_py

    if isinstance(redis, redis_py.Redis):
        kwargs = redis.connection_pool.connection_kwargs
        if not kwargs.get("decode_responses"):
            return redis
        return redis_py.Redis(
            host=kwargs.get("host", HOST), port=kwargs.get("port", 6379), db=kwargs.get("db", 0)
        )
    return redis.client(decode_responses=False)


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def redis_entry(redis, key: str) -> dict:
    """What Redis holds under ``key``: ``type`` (``TYPE``), ``ttl`` (``TTL``, seconds), ``value``.

    A string is decoded as Flask-Session writes it (msgpack, else JSON); a hash is returned as
    its fields. ``{"type": "none"}`` when the key does not exist.
    """
    import msgspec

    client = raw_client(redis)
    kind = _text(client.type(key))
    if kind == "none":
        return {"type": "none"}
    value: object
    if kind == "string":
        raw = client.get(key)
        try:
            value = msgspec.msgpack.decode(raw)
        except msgspec.DecodeError:
            value = msgspec.json.decode(raw)
    elif kind == "hash":
        value = {_text(k): _text(v) for k, v in client.hgetall(key).items()}
    else:
        value = f"<{kind}>"
    return {"type": kind, "ttl": int(client.ttl(key)), "value": value}


def _plant(jar: requests.Session, name: str, value: str) -> None:
    """Put a cookie in a client's jar as a server on 127.0.0.1 would (host-only, path /)."""
    jar.cookies.set(name, value, domain=HOST, path="/")


def _start_session(url: str, http: requests.Session, start: str) -> requests.Response:
    """Make the app create a session before any login: put a book in the cart, or open the login page."""
    if start == "cart":
        return http.post(url + "/cart", json={"item": "book"}, timeout=10)
    return http.get(url + start, timeout=10)


def fixation(url: str, cookie_name: str, start: str = "cart") -> dict:
    """Session fixation, measured. ``start``: how the attacker gets a real id (``"cart"`` → ``POST
    /cart``; a path such as ``"/login"`` → ``GET`` it).

    Returns ``planted`` (the attacker's id), ``after_login`` (the victim's id after logging in),
    ``same_id``, ``attacker_me`` (status of the attacker's ``GET /me`` with the planted id: 200 =
    the attacker is in the victim's account), ``victim_me`` and ``victim_login`` (statuses).
    """
    attacker, victim = requests.Session(), requests.Session()
    _start_session(url, attacker, start)
    planted = attacker.cookies.get(cookie_name)
    if planted is None:
        raise RuntimeError(f"공격자가 세션 ID({cookie_name})를 받지 못했습니다: start={start!r}")
    _plant(victim, cookie_name, planted)  # e.g. through a link, a subdomain or an XSS elsewhere
    logged_in = login(url, victim)
    after = victim.cookies.get(cookie_name)
    return {
        "planted": planted,
        "after_login": after,
        "same_id": after == planted,
        "victim_login": logged_in.status_code,
        "attacker_me": attacker.get(url + "/me", timeout=10).status_code,
        "victim_me": victim.get(url + "/me", timeout=10).status_code,
    }


def made_up_id(url: str, cookie_name: str, invented: str = "attacker-invented-id-0001") -> dict:
    """Does the app adopt an id nobody issued? ``adopted``: the victim's id after login is ``invented``;
    ``attacker_me``: status of ``GET /me`` with the invented id afterwards."""
    victim = requests.Session()
    _plant(victim, cookie_name, invented)
    status = login(url, victim).status_code
    attacker = requests.Session()
    _plant(attacker, cookie_name, invented)
    return {
        "victim_login": status,
        "adopted": victim.cookies.get(cookie_name) == invented,
        "attacker_me": attacker.get(url + "/me", timeout=10).status_code,
    }


def _csrf_header(url: str, http: requests.Session) -> dict:
    """The course app protects logout with its CSRF token (``GET /csrf``); Flask-Login's app has none."""
    resp = http.get(url + "/csrf", timeout=10)
    if resp.status_code == 200 and "json" in resp.headers.get("Content-Type", ""):
        return {"X-CSRF-Token": resp.json().get("csrf_token", "")}
    return {}


def logout_leftover(url: str, cookie_name: str, key_prefix: str, redis, cart: bool = False) -> dict:
    """Log in (after putting a book in the cart if ``cart``), copy the cookie, log out; measure what is left.

    ``record_before`` / ``record_after``: the Redis type of ``key_prefix + id`` (``"none"`` = gone),
    ``cookie_cleared``: the logout response expires the cookie (``Max-Age=0``),
    ``copy_me``: status of ``GET /me`` with the copied cookie after logout.
    """
    client = raw_client(redis)
    user = requests.Session()
    if cart:
        _start_session(url, user, "cart")
    login(url, user)
    sid = user.cookies.get(cookie_name)
    if sid is None:
        raise RuntimeError(f"로그인 응답에 {cookie_name} 쿠키가 없습니다.")
    before = _text(client.type(key_prefix + sid))
    out = user.post(url + "/logout", headers=_csrf_header(url, user), timeout=10)
    cleared = set_cookie(out, cookie_name).get("lifetime") == 0
    copy = requests.Session()
    _plant(copy, cookie_name, sid)
    return {
        "logout": out.status_code,
        "record_before": before,
        "record_after": _text(client.type(key_prefix + sid)),
        "cookie_cleared": cleared,
        "copy_me": copy.get(url + "/me", timeout=10).status_code,
    }
