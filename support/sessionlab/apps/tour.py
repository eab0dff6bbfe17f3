"""The tiny app of notebook 00's two-minute tour: a greeting that counts visits in Redis.

Built as the login app is (flaskr style): ``create_tour_app`` is the factory, the
route is the Blueprint ``bp``, and the Redis client is ``app.redis``.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Flask, current_app, jsonify, request
from flask.json.provider import DefaultJSONProvider

__all__ = ["create_tour_app", "bp"]


def create_tour_app(redis_client) -> Flask:
    app = Flask("tour")
    json_provider = app.json
    assert isinstance(json_provider, DefaultJSONProvider)  # Flask's default provider
    json_provider.ensure_ascii = False
    app.redis = redis_client  # type: ignore[attr-defined]
    app.register_blueprint(bp)
    return app


bp = Blueprint("tour", __name__)


@bp.get("/hello")
def hello():
    visitor = request.cookies.get("visitor") or secrets.token_urlsafe(16)
    visits = current_app.redis.incr(f"tour:visits:{visitor}")
    resp = jsonify(message=f"안녕하세요! {visits}번째 방문입니다.", visits=visits)
    resp.set_cookie("visitor", visitor, httponly=True, samesite="Lax")
    return resp
