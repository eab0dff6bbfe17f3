"""Notebook 03a's RPC twin of the REST API, for contrast: the same service, designed as calls.

Verbs in the URL, every answer ``200 OK`` with ``{"ok": false, "error": ...}`` on failure, and a
⚠️ state-changing ``GET /api/deleteNote`` (a link prefetcher or crawler can delete data).
Built like ``sessionlab.apps.rest``: ``create_rpc_app`` is the factory, the app's state is one
``RpcLab`` (``app.rpc_lab``, its notes also in ``app.config``), the routes are the Blueprint ``rpc_bp``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Flask, current_app, jsonify, request

from sessionlab.apps import _limits
from sessionlab.apps.login import DEFAULT_USERS
from sessionlab.web.passwords import LAB_N, account_hashes, dummy_hash, verify_password
from sessionlab.web.stores import MemoryStore

__all__ = ["create_rpc_app", "RpcLab", "rpc_bp", "RPC_COOKIE"]

RPC_COOKIE = "rpc_sid"


@dataclass
class RpcLab:
    """One RPC app's state: password hashes, the session store, the notes (id → text)."""

    hashes: dict[str, str]
    store: MemoryStore = field(default_factory=MemoryStore)
    notes: dict[str, str] = field(default_factory=dict)
    kdf_n: int = LAB_N


def create_rpc_app(users: dict[str, str] | None = None, name: str = "rpc-api", kdf_n: int = LAB_N) -> Flask:
    """The same service in RPC style: verbs in URLs, always 200, ⚠️ an unsafe GET."""
    app = Flask(name)
    lab = RpcLab(hashes=account_hashes(DEFAULT_USERS if users is None else users, n=kdf_n), kdf_n=kdf_n)
    dummy_hash(kdf_n)  # made now, not by the first unknown user's login (that one would take longer)
    app.rpc_lab = lab  # type: ignore[attr-defined]
    app.config["notes"] = lab.notes  # notebooks read it
    _limits.init_app(app)
    app.register_blueprint(rpc_bp)
    return app


rpc_bp = Blueprint("rpc", __name__)


def current_rpc_lab() -> RpcLab:
    """The ``RpcLab`` of the app handling this request."""
    return current_app.rpc_lab  # type: ignore[attr-defined]


def _fail(code: str):
    return jsonify(ok=False, error=code)  # 200 OK, even for an error


def _rpc_body() -> dict:
    data = request.get_json(silent=True, force=True)
    return data if isinstance(data, dict) else {}


def _rpc_user():
    session = current_rpc_lab().store.touch(request.cookies.get(RPC_COOKIE, ""))
    return session.data["user"] if session else None


@rpc_bp.post("/api/login")
def login():
    lab, data = current_rpc_lab(), _rpc_body()
    user = data.get("username")
    if not isinstance(user, str):
        return _fail("bad_credentials")
    if not verify_password(str(data.get("password", "")), lab.hashes.get(user, dummy_hash(lab.kdf_n))):
        return _fail("bad_credentials")
    resp = jsonify(ok=True)
    resp.set_cookie(RPC_COOKIE, lab.store.create({"user": data["username"]}).id, httponly=True)
    return resp


@rpc_bp.post("/api/getCurrentUser")
def get_current_user():
    return jsonify(ok=True, user=_rpc_user()) if _rpc_user() else _fail("not_logged_in")


@rpc_bp.post("/api/logout")
def logout():
    current_rpc_lab().store.delete(request.cookies.get(RPC_COOKIE, ""))
    return jsonify(ok=True)


@rpc_bp.post("/api/saveNote")
def save_note():
    data = _rpc_body()
    if not _rpc_user():
        return _fail("not_logged_in")
    current_rpc_lab().notes[str(data.get("id"))] = str(data.get("text"))
    return jsonify(ok=True)


@rpc_bp.get("/api/deleteNote")  # ⚠️ VULNERABLE: GET that changes state
def delete_note():
    existed = current_rpc_lab().notes.pop(request.args.get("id", ""), None) is not None
    return jsonify(ok=existed) if existed else _fail("no_such_note")
