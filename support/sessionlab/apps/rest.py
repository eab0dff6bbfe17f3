"""The login/session API of notebook 03a, designed as resources, and its RPC twin.

``create_rest_app()`` — resources and the status codes they answer:

=======  ======================  ===============================================
POST     /users                  sign up → 201 + ``Location``; name taken → 409
GET      /users/<name>           → 200; unknown → 404
POST     /sessions               log in → 201 + ``Location: /sessions/current`` + session cookie
POST     /tokens                 log in → 201 + a signed access token (no server record)
GET      /sessions/current       who am I (cookie *or* ``Authorization: Bearer``) → 200; none → 401
DELETE   /sessions/current       log out → 204 (the server record is deleted)
POST     /notes                  a new note each time → 201 (not idempotent)
PUT      /notes/<id>             create (201) or replace (200) this note (idempotent); not yours → 403
GET      /notes/<id>             → 200; unknown → 404
DELETE   /notes/<id>             → 204; already gone → 404 (idempotent: same state either way)
=======  ======================  ===============================================

Bad input answers with ``application/problem+json`` (RFC 9457): a body that is
not JSON-typed → 415, JSON that does not parse → 400, missing or wrong fields →
422 (with an ``errors`` list), unknown path → 404, method not allowed → 405 (with
``Allow``), wrong password → 401 (with ``WWW-Authenticate``).

``create_rpc_app()`` is the same service in RPC style, for contrast: verbs in the
URL, every answer ``200 OK`` with ``{"ok": false, "error": ...}`` on failure, and
a ⚠️ state-changing ``GET /api/deleteNote`` (a link prefetcher or crawler can
delete data).
"""

from __future__ import annotations

import itertools
import json

from flask import Flask, jsonify, make_response, request
from werkzeug.exceptions import HTTPException

from sessionlab.apps.login import DEFAULT_USERS
from sessionlab.web.passwords import dummy_hash, hash_password, verify_password
from sessionlab.web.stores import MemoryStore
from sessionlab.web.tokens import TokenError, TokenService, generate_keys

PROBLEM_JSON = "application/problem+json"


PROBLEM_BASE = "https://sessionlab.example/problems/"   # .example: a reserved name, never a real site


SESSION_COOKIE = "sid"


class Problem(Exception):
    """An error answered as problem+json: ``type`` slug, title, status, Korean detail."""

    def __init__(self, status: int, slug: str, title: str, detail: str, headers=None, **extra):
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail
        self.headers, self.extra = headers or {}, extra


def problem_response(status, type_, title, detail, headers=None, **extra):
    body = {"type": type_, "title": title, "status": status, "detail": detail,
            "instance": request.path, **extra}
    resp = make_response(json.dumps(body, ensure_ascii=False), status)
    resp.headers.update(headers or {})
    resp.headers["Content-Type"] = PROBLEM_JSON
    return resp


def no_content():
    resp = make_response("", 204)
    del resp.headers["Content-Type"]
    return resp


def json_body(*required: str) -> dict:
    """The request's JSON object, or the right problem: 415, 400 or 422."""
    if request.mimetype != "application/json":
        raise Problem(415, "unsupported-media-type", "Unsupported Media Type",
                      f"본문은 application/json이어야 합니다 (받은 것: {request.mimetype or '없음'}).",
                      headers={"Accept-Post": "application/json"})
    try:
        data = json.loads(request.get_data(as_text=True))
    except (ValueError, UnicodeDecodeError):
        raise Problem(400, "invalid-json", "Bad Request", "본문이 올바른 JSON이 아닙니다.") from None
    if not isinstance(data, dict):
        raise Problem(422, "validation", "Unprocessable Content", "본문은 JSON 객체({...})여야 합니다.",
                      errors=[{"field": "(body)", "problem": "객체가 아닙니다"}])
    errors = [{"field": f, "problem": "필수 항목입니다" if f not in data else "비어 있지 않은 문자열이어야 합니다"}
              for f in required if not (isinstance(data.get(f), str) and data[f].strip())]
    if errors:
        raise Problem(422, "validation", "Unprocessable Content", "필수 항목이 없거나 형식이 틀렸습니다.",
                      errors=errors)
    return data


def create_rest_app(users: dict[str, str] | None = None, tokens: TokenService | None = None,
                    store: MemoryStore | None = None, name: str = "rest-api") -> Flask:
    app = Flask(name)
    hashes = {u: hash_password(p) for u, p in (DEFAULT_USERS if users is None else users).items()}
    unknown_user_hash = dummy_hash()
    store = store if store is not None else MemoryStore()
    tokens = tokens if tokens is not None else new_token_service()
    notes: dict[str, dict] = {}
    next_id = itertools.count(1)
    app.config.update(store=store, tokens=tokens, notes=notes)

    def check_password(data) -> str:
        user = data["username"]
        if not verify_password(data["password"], hashes.get(user, unknown_user_hash)) or user not in hashes:
            raise Problem(401, "bad-credentials", "Unauthorized", "아이디 또는 비밀번호가 올바르지 않습니다.",
                          headers={"WWW-Authenticate": 'Bearer realm="sessionlab"'})
        return user

    def current_user() -> tuple[str | None, str]:
        """(user, how): from the session cookie or from a bearer token."""
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            try:
                return tokens.verify(auth[7:].strip())["sub"], "bearer-token"
            except TokenError:
                return None, "bearer-token"
        session = store.touch(request.cookies.get(SESSION_COOKIE, ""))
        return (session.data["user"], "session-cookie") if session else (None, "none")

    def require_user() -> str:
        user, _ = current_user()
        if user is None:
            raise Problem(401, "unauthenticated", "Unauthorized", "로그인이 필요합니다 (세션 쿠키나 Bearer 토큰).",
                          headers={"WWW-Authenticate": 'Bearer realm="sessionlab"'})
        return user

    @app.post("/users")
    def sign_up():
        data = json_body("username", "password")
        if data["username"] in hashes:
            raise Problem(409, "user-exists", "Conflict", f"이미 있는 사용자 이름입니다: '{data['username']}'")
        if len(data["password"]) < 8:
            raise Problem(422, "validation", "Unprocessable Content", "비밀번호가 너무 짧습니다.",
                          errors=[{"field": "password", "problem": "8자 이상이어야 합니다"}])
        hashes[data["username"]] = hash_password(data["password"])
        resp = jsonify(username=data["username"])
        return resp, 201, {"Location": f"/users/{data['username']}"}

    @app.get("/users/<name>")
    def get_user(name):
        if name not in hashes:
            raise Problem(404, "not-found", "Not Found", f"'{name}' 사용자가 없습니다.")
        return jsonify(username=name)

    @app.post("/sessions")
    def log_in():
        user = check_password(json_body("username", "password"))
        session = store.create({"user": user})
        resp = jsonify(user=user, expires_in=int(store.idle_timeout))
        resp.set_cookie(SESSION_COOKIE, session.id, httponly=True, samesite="Lax", path="/")
        return resp, 201, {"Location": "/sessions/current"}

    @app.post("/tokens")
    def issue_token():
        user = check_password(json_body("username", "password"))
        return jsonify(access_token=tokens.issue(user), token_type="Bearer",
                       expires_in=tokens.access_ttl), 201

    @app.get("/sessions/current")
    def who_am_i():
        user = require_user()
        return jsonify(user=user, via=current_user()[1])

    @app.delete("/sessions/current")
    def log_out():
        user, how = current_user()
        if how == "bearer-token":
            raise Problem(404, "no-server-session", "Not Found",
                          "서버에 지울 세션이 없습니다: 토큰은 서버에 저장되지 않으므로 만료될 때까지 유효합니다.")
        if user is None:
            require_user()
        store.delete(request.cookies[SESSION_COOKIE])
        resp = no_content()
        resp.delete_cookie(SESSION_COOKIE, path="/")
        return resp

    @app.post("/notes")
    def new_note():
        user = require_user()
        note_id = next(i for i in (f"n{k}" for k in next_id) if i not in notes)
        notes[note_id] = {"id": note_id, "owner": user, "text": json_body("text")["text"]}
        return jsonify(notes[note_id]), 201, {"Location": f"/notes/{note_id}"}

    @app.route("/notes/<note_id>", methods=["GET", "PUT", "DELETE"])
    def note(note_id):
        user = require_user()
        found = notes.get(note_id)
        if found and found["owner"] != user:
            raise Problem(403, "forbidden", "Forbidden", f"이 메모의 주인은 {found['owner']}입니다.")
        if request.method == "PUT":
            notes[note_id] = {"id": note_id, "owner": user, "text": json_body("text")["text"]}
            return jsonify(notes[note_id]), 200 if found else 201
        if found is None:
            raise Problem(404, "not-found", "Not Found", f"'{note_id}' 메모가 없습니다.")
        if request.method == "DELETE":
            del notes[note_id]
            return no_content()
        return jsonify(found)

    @app.errorhandler(Problem)
    def on_problem(p: Problem):
        return problem_response(p.status, PROBLEM_BASE + p.slug, p.title, p.detail, p.headers, **p.extra)

    @app.errorhandler(HTTPException)
    def on_http_error(exc: HTTPException):
        # 404, 405 (keeps Allow), ...: "about:blank" means "the status code says it all" (RFC 9457 §4.2.1)
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        if "Allow" in headers:  # werkzeug builds it from a set: sort it so it reads the same every time
            headers["Allow"] = ", ".join(sorted(headers["Allow"].split(", ")))
        details: dict[int | None, str | None] = {404: "그런 자원(resource)이 없습니다.",
                                                 405: f"이 자원은 {request.method} 메서드를 받지 않습니다."}
        detail = details.get(exc.code, exc.description)
        return problem_response(exc.code, "about:blank", exc.name, detail, headers)

    return app


def create_rpc_app(users: dict[str, str] | None = None, name: str = "rpc-api") -> Flask:
    """The same service in RPC style: verbs in URLs, always 200, ⚠️ an unsafe GET."""
    app = Flask(name)
    hashes = {u: hash_password(p) for u, p in (DEFAULT_USERS if users is None else users).items()}
    store, notes = MemoryStore(), {}

    def fail(code: str):
        return jsonify(ok=False, error=code)          # 200 OK, even for an error

    def body() -> dict:
        data = request.get_json(silent=True, force=True)
        return data if isinstance(data, dict) else {}

    def user():
        session = store.touch(request.cookies.get(SESSION_COOKIE, ""))
        return session.data["user"] if session else None

    @app.post("/api/login")
    def login():
        data = body()
        if not verify_password(str(data.get("password", "")), hashes.get(data.get("username"), dummy_hash())):
            return fail("bad_credentials")
        resp = jsonify(ok=True)
        resp.set_cookie(SESSION_COOKIE, store.create({"user": data["username"]}).id, httponly=True)
        return resp

    @app.post("/api/getCurrentUser")
    def get_current_user():
        return jsonify(ok=True, user=user()) if user() else fail("not_logged_in")

    @app.post("/api/logout")
    def logout():
        store.delete(request.cookies.get(SESSION_COOKIE, ""))
        return jsonify(ok=True)

    @app.post("/api/saveNote")
    def save_note():
        data = body()
        if not user():
            return fail("not_logged_in")
        notes[str(data.get("id"))] = str(data.get("text"))
        return jsonify(ok=True)

    @app.get("/api/deleteNote")                        # ⚠️ VULNERABLE: GET that changes state
    def delete_note():
        existed = notes.pop(request.args.get("id", ""), None) is not None
        return jsonify(ok=existed) if existed else fail("no_such_note")

    app.config["notes"] = notes
    return app


def new_token_service() -> TokenService:
    return TokenService(keys=generate_keys(("HS256",)), access_ttl=300)
