"""The login/session API of notebook 03a, designed as resources.

``create_rest_app()`` — resources and the status codes they answer:

=======  ======================  ===============================================
POST     /users                  sign up → 201 + ``Location``; name taken → 409
GET      /users/<name>           → 200; unknown → 404
POST     /sessions               log in → 201 + ``Location: /sessions/current`` + session cookie
POST     /tokens                 log in → 201 + a signed access token (no server record)
GET      /sessions/current       who am I (cookie *or* ``Authorization: Bearer``) → 200; none → 401
DELETE   /sessions/current       log out → 204 (the server record is deleted)
POST     /notes                  a new note each time → 201 (not idempotent)
PUT      /notes/<id>             create (201) or replace (200) this note (idempotent)
GET      /notes/<id>             → 200 + ``ETag``; unknown *or someone else's* → the same 404
DELETE   /notes/<id>             → 204; already gone → 404 (idempotent: same state either way)
                                 PUT/DELETE with a stale ``If-Match`` → 412 (no lost update)
=======  ======================  ===============================================

Bad input answers with ``application/problem+json`` (RFC 9457): a body that is
not JSON-typed → 415, JSON that does not parse → 400, missing or wrong fields →
422 (with an ``errors`` list), unknown path → 404, method not allowed → 405 (with
``Allow``), wrong password → 401 (with ``WWW-Authenticate``), a body over 64 KB → 413,
JSON nested too deep or a name that cannot go into ``Location`` → 400/422
(``sessionlab.apps._limits``).

What it does not leak: every answer carries ``Cache-Control: no-store`` (they are
personal); another user's note answers exactly like a missing one (404, RFC 9110
15.5.4 allows it to hide that the resource exists), so nobody learns ids or owners;
``POST /notes`` ids are random (``secrets.token_urlsafe``), not ``n1, n2, ...``;
the cookie is ``rest_sid``; ``cookie_secure=True`` makes it ``__Host-rest_sid; Secure`` (HTTPS).
Its RPC twin, for contrast, is ``sessionlab.apps.rpc``.

Built as the login app is (flaskr style): ``create_rest_app`` is the factory, the app's
state is one ``RestLab`` (``app.rest_lab``) whose store, tokens and notes are also in
``app.config`` (notebooks read them), the routes are the Blueprint ``bp``, and the
problem+json machinery is ``sessionlab.apps.rest_problems``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from sessionlab.apps import _limits, rest_problems
from sessionlab.apps._common import cookie_name
from sessionlab.apps._limits import BadInput, header_safe, text_field
from sessionlab.apps.login import DEFAULT_USERS
from sessionlab.apps.rest_problems import (
    PROBLEM_BASE,
    PROBLEM_JSON,
    Problem,
    json_body,
    no_content,
    problem_response,
)
from sessionlab.web.passwords import LAB_N, account_hashes, dummy_hash, hash_password, verify_password
from sessionlab.web.stores import MemoryStore
from sessionlab.web.tokens import TokenError, TokenService, generate_keys

__all__ = [
    "create_rest_app",
    "new_token_service",
    "RestLab",
    "bp",
    "PROBLEM_JSON",
    "PROBLEM_BASE",
    "SESSION_COOKIE",
    "Problem",
    "problem_response",
    "no_content",
    "json_body",
]

SESSION_COOKIE = "rest_sid"  # its own name: cookies do not isolate by port (see _common.cookie_name)


def new_token_service() -> TokenService:
    return TokenService(keys=generate_keys(("HS256",)), access_ttl=300)


# -- the REST API ------------------------------------------------------------------------


@dataclass
class RestLab:
    """One REST app's state: password hashes, the session store, the token service, the notes."""

    hashes: dict[str, str]
    store: MemoryStore
    tokens: TokenService
    notes: dict[str, dict] = field(default_factory=dict)
    cookie_secure: bool = False
    kdf_n: int = LAB_N  # scrypt's cost: stored, signed-up and unknown-user hashes alike

    @property
    def session_cookie(self) -> str:  # rest_sid, or __Host-rest_sid when Secure
        return cookie_name(SESSION_COOKIE, self.cookie_secure)

    def new_note_id(self) -> str:
        """A random id (128 bits) no note has yet: nobody can list notes by counting ``n1, n2, ...``."""
        while (note_id := secrets.token_urlsafe(16)) in self.notes:  # a clash: practically never
            pass
        return note_id


def create_rest_app(
    users: dict[str, str] | None = None,
    tokens: TokenService | None = None,
    store: MemoryStore | None = None,
    name: str = "rest-api",
    cookie_secure: bool = False,
    kdf_n: int = LAB_N,
) -> Flask:
    app = Flask(name)
    lab = RestLab(
        hashes=account_hashes(DEFAULT_USERS if users is None else users, n=kdf_n),
        store=store if store is not None else MemoryStore(),
        tokens=tokens if tokens is not None else new_token_service(),
        cookie_secure=cookie_secure,
        kdf_n=kdf_n,
    )
    dummy_hash(kdf_n)  # made now, not by the first unknown user's login (that one would take longer)
    app.rest_lab = lab  # type: ignore[attr-defined]
    app.config.update(store=lab.store, tokens=lab.tokens, notes=lab.notes)  # notebooks read these
    rest_problems.init_app(app)
    _limits.init_app(app)
    app.register_blueprint(bp)
    return app


bp = Blueprint("rest", __name__)


@bp.after_app_request
def _no_store(resp: Response) -> Response:
    """Who is logged in, their notes, their tokens: personal answers no cache may keep (RFC 9111, 5.2.2.5)."""
    resp.headers.setdefault("Cache-Control", "no-store")
    return resp


def credentials() -> dict:
    """``username`` and ``password`` of the JSON body: text a header may carry, a password of bounded size."""
    data = json_body("username", "password")
    header_safe(data["username"], "username")  # it goes into Location: no CR/LF
    if len(data["username"]) > 64:
        raise BadInput("'username'은(는) 64자 이하여야 합니다.", 422, "username")
    text_field(data["password"], "password", max_chars=1024)  # scrypt cost stays bounded
    return data


def current_lab() -> RestLab:
    """The ``RestLab`` of the app handling this request."""
    return current_app.rest_lab  # type: ignore[attr-defined]


def check_password(data) -> str:
    lab = current_lab()
    user = data["username"]
    text_field(data["password"], "password", max_chars=1024)
    if (
        not verify_password(data["password"], lab.hashes.get(user, dummy_hash(lab.kdf_n)))
        or user not in lab.hashes
    ):
        raise Problem(
            401,
            "bad-credentials",
            "Unauthorized",
            "아이디 또는 비밀번호가 올바르지 않습니다.",
            headers={"WWW-Authenticate": 'Bearer realm="sessionlab"'},
        )
    return user


def current_user() -> tuple[str | None, str]:
    """(user, how): from the session cookie or from a bearer token."""
    lab = current_lab()
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        try:
            return lab.tokens.verify(auth[7:].strip())["sub"], "bearer-token"
        except TokenError:
            return None, "bearer-token"
    session = lab.store.touch(request.cookies.get(lab.session_cookie, ""))
    return (session.data["user"], "session-cookie") if session else (None, "none")


def require_user() -> str:
    user, _ = current_user()
    if user is None:
        raise Problem(
            401,
            "unauthenticated",
            "Unauthorized",
            "로그인이 필요합니다 (세션 쿠키나 Bearer 토큰).",
            headers={"WWW-Authenticate": 'Bearer realm="sessionlab"'},
        )
    return user


@bp.post("/users")
def sign_up():
    hashes = current_lab().hashes
    data = credentials()
    if data["username"] in hashes:
        raise Problem(409, "user-exists", "Conflict", f"이미 있는 사용자 이름입니다: '{data['username']}'")
    if len(data["password"]) < 8:
        raise Problem(
            422,
            "validation",
            "Unprocessable Content",
            "비밀번호가 너무 짧습니다.",
            errors=[{"field": "password", "problem": "8자 이상이어야 합니다"}],
        )
    hashes[data["username"]] = hash_password(data["password"], n=current_lab().kdf_n)
    resp = jsonify(username=data["username"])
    return resp, 201, {"Location": f"/users/{data['username']}"}


@bp.get("/users/<name>")
def get_user(name):
    if name not in current_lab().hashes:
        raise Problem(404, "not-found", "Not Found", f"'{name}' 사용자가 없습니다.")
    return jsonify(username=name)


@bp.post("/sessions")
def log_in():
    lab = current_lab()
    user = check_password(json_body("username", "password"))
    session = lab.store.create({"user": user})
    resp = jsonify(user=user, expires_in=int(lab.store.idle_timeout))
    resp.set_cookie(
        lab.session_cookie, session.id, httponly=True, samesite="Lax", path="/", secure=lab.cookie_secure
    )
    return resp, 201, {"Location": "/sessions/current"}


@bp.post("/tokens")
def issue_token():
    tokens = current_lab().tokens
    user = check_password(json_body("username", "password"))
    return jsonify(access_token=tokens.issue(user), token_type="Bearer", expires_in=tokens.access_ttl), 201


@bp.get("/sessions/current")
def who_am_i():
    user = require_user()
    return jsonify(user=user, via=current_user()[1])


@bp.delete("/sessions/current")
def log_out():
    user, how = current_user()
    if how == "bearer-token":
        raise Problem(
            404,
            "no-server-session",
            "Not Found",
            "서버에 지울 세션이 없습니다: 토큰은 서버에 저장되지 않으므로 만료될 때까지 유효합니다.",
        )
    if user is None:
        require_user()
    lab, resp = current_lab(), no_content()
    lab.store.delete(request.cookies[lab.session_cookie])
    resp.delete_cookie(lab.session_cookie, path="/", secure=lab.cookie_secure)
    return resp


@bp.post("/notes")
def new_note():
    lab = current_lab()
    user = require_user()
    note_id = lab.new_note_id()
    lab.notes[note_id] = {"id": note_id, "owner": user, "text": text_field(json_body("text")["text"], "text")}
    return jsonify(lab.notes[note_id]), 201, {"Location": f"/notes/{note_id}"}


def note_etag(note: dict) -> str:
    """A strong validator of the note's current state (RFC 9110, 8.8.3)."""
    return '"' + hashlib.sha256(json.dumps(note, sort_keys=True).encode()).hexdigest()[:16] + '"'


def check_if_match(found: dict | None) -> None:
    """``If-Match`` (RFC 9110, 13.1.1): change only the state the client saw, else 412 (15.5.13)."""
    wanted = request.headers.get("If-Match")
    if wanted is None:
        return
    tags = [t.strip() for t in wanted.split(",")]
    if found is not None and ("*" in tags or note_etag(found) in tags):
        return
    raise Problem(
        412,
        "precondition-failed",
        "Precondition Failed",
        "메모가 그사이 바뀌었습니다 (If-Match의 ETag가 지금 상태와 다릅니다). 다시 읽고 고치세요.",
        current_etag=note_etag(found) if found is not None else None,
    )


def not_found() -> Problem:
    """The one answer for a note that is missing *or someone else's*: nothing tells them apart."""
    return Problem(404, "not-found", "Not Found", "그런 메모가 없습니다.")


@bp.route("/notes/<note_id>", methods=["GET", "PUT", "DELETE"])
def note(note_id):
    notes = current_lab().notes
    user = require_user()
    found = notes.get(note_id)
    if found and found["owner"] != user:  # not 403 "its owner is alice": that tells who owns which id
        raise not_found()
    if request.method in ("PUT", "DELETE"):
        check_if_match(found)
    if request.method == "PUT":
        text = text_field(json_body("text")["text"], "text")
        notes[note_id] = {"id": note_id, "owner": user, "text": text}
        return jsonify(notes[note_id]), 200 if found else 201, {"ETag": note_etag(notes[note_id])}
    if found is None:
        raise not_found()
    if request.method == "DELETE":
        del notes[note_id]
        return no_content()
    return jsonify(found), {"ETag": note_etag(found)}
