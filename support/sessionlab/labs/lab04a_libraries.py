"""Notebook 04a's optional section: Flask-JWT-Extended's defaults beside the course's token service.

Everything here *measures* against running servers (``apps.library_token``, ``apps.token``) and
a real Redis; the notebook prints it and asserts on it:

* ``body_tokens(url, creds)`` — ``POST /login`` and the tokens that came back in the JSON body
  (the course app is asked with ``mode: "bearer"``, Flask-JWT-Extended's default app answers so).
* ``token_facts(token)`` — the decoded header, the claim names, ``type``/``sub`` and the lifetime
  ``exp − iat`` in seconds (no key needed: a JWT is signed, not encrypted).
* ``refresh_twice(url, refresh_token)`` — the same refresh token used twice: both statuses and
  whether a new refresh token came back (rotation).
* ``replay_after_logout(url, access_token)`` — log out, then use a copy of the same access token.
* ``cookie_refresh(url)`` — the hardened app's cookie mode: the ``Set-Cookie`` lines of login, a
  ``POST /refresh`` without ``X-CSRF-TOKEN`` and one with it, the rotation and the replay of the
  old refresh cookie, logout and the denylist entries in Redis.
"""

from __future__ import annotations

import re

import jwt
import requests

from sessionlab.infra.servers import HOST  # every lab server binds here
from sessionlab.labs.lab02_libraries import duration_text  # the same rounding as notebook 02's section

__all__ = [
    "ALICE",
    "duration_text",
    "body_tokens",
    "token_facts",
    "refresh_twice",
    "replay_after_logout",
    "cookie_refresh",
    "masked_cookie_lines",
]

ALICE = {"username": "alice", "password": "alice-pw"}  # the token apps' demo account


def body_tokens(url: str, creds: dict | None = None) -> dict:
    """``POST /login`` (``mode: "bearer"`` for the course app; ignored by the library app) → the JSON
    body: ``access_token`` and, if the app puts it there, ``refresh_token``."""
    resp = requests.post(url + "/login", json={**(creds or ALICE), "mode": "bearer"}, timeout=10)
    resp.raise_for_status()
    return resp.json()


def token_facts(token: str) -> dict:
    """What anyone can read from a JWT without the key: ``header``, ``claims`` (sorted names),
    ``type`` (Flask-JWT-Extended's ``type`` claim, else the header's ``typ``), ``sub``,
    ``lifetime`` (``exp − iat``, seconds)."""
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    return {
        "header": header,
        "claims": sorted(claims),
        "type": claims.get("type", header.get("typ")),
        "sub": claims.get("sub"),
        "lifetime": int(claims["exp"]) - int(claims["iat"]),
    }


def refresh_twice(url: str, refresh_token: str) -> dict:
    """``POST /refresh`` twice with the same refresh token (``Authorization: Bearer``, as Flask-JWT-
    Extended's default expects). ``statuses``; ``rotated``: the first answer carried a new refresh
    token."""
    headers = {"Authorization": f"Bearer {refresh_token}"}
    first = requests.post(url + "/refresh", headers=headers, timeout=10)
    second = requests.post(url + "/refresh", headers=headers, timeout=10)
    body = first.json() if first.headers.get("Content-Type", "").startswith("application/json") else {}
    return {
        "statuses": [first.status_code, second.status_code],
        "rotated": bool(body.get("refresh_token")),
        "first_body_keys": sorted(body),
    }


def replay_after_logout(url: str, access_token: str) -> dict:
    """``POST /logout`` with the access token, then ``GET /me`` with a copy of it: ``logout``, ``replay``
    (statuses) and the logout's JSON body."""
    headers = {"Authorization": f"Bearer {access_token}"}
    out = requests.post(url + "/logout", headers=headers, timeout=10)
    replay = requests.get(url + "/me", headers=headers, timeout=10)
    return {"logout": out.status_code, "logout_body": out.json(), "replay": replay.status_code}


def masked_cookie_lines(resp: requests.Response) -> list[str]:
    """The response's ``Set-Cookie`` lines, token values shown as ``<JWT>`` and CSRF values as ``<CSRF>``."""
    raw = getattr(resp.raw, "headers", None)
    lines = list(raw.get_all("Set-Cookie") or []) if raw is not None and hasattr(raw, "get_all") else []
    out = []
    for line in lines:
        line = re.sub(r"=eyJ[\w-]+\.[\w-]+\.[\w-]+", "=<JWT>", line)
        line = re.sub(r"^(csrf_\w+)=[^;]+", r"\1=<CSRF>", line)
        out.append(line)
    return out


def cookie_refresh(url: str, redis=None, deny_prefix: str = "jwt:deny:") -> dict:
    """The hardened app, as a browser would use it (cookies kept by the client).

    Returns ``login_cookies`` (masked ``Set-Cookie`` lines), ``no_csrf`` (status and ``msg`` of a
    ``POST /refresh`` without ``X-CSRF-TOKEN``), ``with_csrf`` (its status), ``rotated`` (a new
    refresh cookie came back), ``old_replay`` (status and ``msg`` of the old refresh cookie used
    again), ``logout`` (status), ``access_after_logout`` (status of ``GET /me`` with the last
    access token) and, given ``redis``, ``denied`` (the TTLs of the ``deny_prefix`` keys in Redis).
    """
    http = requests.Session()
    login = http.post(url + "/login", json=ALICE, timeout=10)
    login.raise_for_status()
    old = http.cookies.get("refresh_token_cookie", domain=HOST, path="/refresh") or ""
    bare = http.post(url + "/refresh", timeout=10)
    csrf = http.cookies.get("csrf_refresh_token") or ""
    good = http.post(url + "/refresh", headers={"X-CSRF-TOKEN": csrf}, timeout=10)
    new = http.cookies.get("refresh_token_cookie", domain=HOST, path="/refresh")
    thief = requests.post(  # a copy of the old refresh cookie, with its CSRF value
        url + "/refresh",
        cookies={"refresh_token_cookie": old, "csrf_refresh_token": csrf},
        headers={"X-CSRF-TOKEN": csrf},
        timeout=10,
    )
    access = good.json().get("access_token", "")
    out = http.post(
        url + "/logout",
        headers={
            "Authorization": f"Bearer {access}",
            "X-CSRF-TOKEN": http.cookies.get("csrf_refresh_token") or "",
        },
        timeout=10,
    )
    after = requests.get(url + "/me", headers={"Authorization": f"Bearer {access}"}, timeout=10)
    result = {
        "login_cookies": masked_cookie_lines(login),
        "no_csrf": (bare.status_code, bare.json().get("msg")),
        "with_csrf": good.status_code,
        "rotated": bool(new) and new != old,
        "old_replay": (thief.status_code, thief.json().get("msg")),
        "logout": out.status_code,
        "access_after_logout": after.status_code,
    }
    if redis is not None:
        client = redis if hasattr(redis, "scan_iter") else redis.client()
        result["denied"] = sorted(int(client.ttl(k)) for k in client.scan_iter(deny_prefix + "*"))
    return result
