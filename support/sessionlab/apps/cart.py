"""The shopping-cart app of notebook 04: its state lives in a session store, or (to show what HTTP forgets) nowhere.

Two instances sharing one Redis store show that the state lives in the store,
not in the server process or the connection.
"""

from __future__ import annotations

from flask import Flask, jsonify, request

from sessionlab.web.stores import SessionStore

SID_COOKIE = "sid"


def create_cart_app(store: SessionStore | None = None, name: str = "cart") -> Flask:
    """``POST /cart`` {"item": ...} adds, ``GET /cart`` shows; ``X-Served-By`` names the instance.

    ``store=None``: the server keeps nothing between requests (HTTP on its own).
    """
    app = Flask(name)
    app.store = store  # type: ignore[attr-defined]  # notebooks read app.store

    def cart_of(sid):
        if store is None or not sid:
            return None
        session = store.touch(sid)
        return session

    @app.after_request
    def _served_by(resp):
        resp.headers["X-Served-By"] = name
        return resp

    @app.get("/cart")
    def show():
        session = cart_of(request.cookies.get(SID_COOKIE))
        return jsonify({"cart": session.data.get("cart", []) if session else [], "server": name})

    @app.post("/cart")
    def add():
        item = str((request.get_json(silent=True) or {}).get("item", ""))[:50]
        sid = request.cookies.get(SID_COOKIE)
        session = cart_of(sid)
        if store is None:  # nothing kept: the cart exists only inside this one request
            return jsonify({"cart": [item], "server": name})
        if session is None:
            session = store.create({"cart": []})
            sid = session.id
        cart = session.data.get("cart", []) + [item]
        store.update(sid, {**session.data, "cart": cart})
        resp = jsonify({"cart": cart, "server": name})
        resp.set_cookie(SID_COOKIE, sid, httponly=True, samesite="Lax")
        return resp

    return app
