"""The shopping-cart app of notebook 04: its state lives in a session store, or (to show what HTTP forgets) nowhere.

Two instances sharing one Redis store show that the state lives in the store,
not in the server process or the connection.

Built as the login app is (flaskr style): ``create_cart_app`` is the factory, the
routes are the Blueprint ``bp``; the store is ``app.store`` (notebooks read it) and
the instance's name, sent in ``X-Served-By``, is ``app.config["SERVED_BY"]``.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from sessionlab.apps import _limits
from sessionlab.web.stores import Session, SessionStore

__all__ = ["create_cart_app", "bp", "SID_COOKIE"]

SID_COOKIE = "cart_sid"  # its own name: cookies do not isolate by port


def create_cart_app(store: SessionStore | None = None, name: str = "cart") -> Flask:
    """``POST /cart`` {"item": ...} adds, ``GET /cart`` shows; ``X-Served-By`` names the instance.

    ``store=None``: the server keeps nothing between requests (HTTP on its own).
    """
    app = Flask(name)
    app.store = store  # type: ignore[attr-defined]  # notebooks read app.store
    app.config["SERVED_BY"] = name
    _limits.init_app(app)  # 413, JSON depth, BadInput → problem+json
    app.register_blueprint(bp)
    return app


bp = Blueprint("cart", __name__)


def current_store() -> SessionStore | None:
    """The store of the app handling this request (``app.store``; None: nothing is kept)."""
    return current_app.store  # type: ignore[attr-defined]


def served_by() -> str:
    return current_app.config["SERVED_BY"]


def cart_of(sid: str | None) -> Session | None:
    """The session named by the cookie, or None (no store, no cookie, or unknown/expired)."""
    store = current_store()
    if store is None or not sid:
        return None
    return store.touch(sid)


@bp.after_app_request
def _served_by(resp: Response) -> Response:
    resp.headers["X-Served-By"] = served_by()
    return resp


@bp.get("/cart")
def show():
    session = cart_of(request.cookies.get(SID_COOKIE))
    return jsonify({"cart": session.data.get("cart", []) if session else [], "server": served_by()})


@bp.post("/cart")
def add():
    store = current_store()
    item = str((request.get_json(silent=True) or {}).get("item", ""))[:50]
    sid = request.cookies.get(SID_COOKIE)
    session = cart_of(sid)
    if store is None:  # nothing kept: the cart exists only inside this one request
        return jsonify({"cart": [item], "server": served_by()})
    if session is None:
        session = store.create({"cart": []})
        sid = session.id
    cart = session.data.get("cart", []) + [item]
    store.update(sid, {**session.data, "cart": cart})
    resp = jsonify({"cart": cart, "server": served_by()})
    resp.set_cookie(SID_COOKIE, sid, httponly=True, samesite="Lax")
    return resp
