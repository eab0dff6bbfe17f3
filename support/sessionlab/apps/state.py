"""The state-strategies app of notebook 03b: one route per place where web-app state can live.

``create_state_app(db=..., cache=..., tokens=...)``:

- URL / query:  ``GET /search?q=&page=``          the state is in the URL itself
- hidden field: ``GET /order`` (a form), ``POST /order``  ⚠️ VULNERABLE: trusts the hidden price;
                ``POST /order-safe`` looks the price up on the server
- cookie:       ``GET /prefs?theme=`` sets ``theme``; ``GET /page`` reads it back
- Web Storage:  ``GET /storage?mode=write|read|quota`` a page whose script uses
                localStorage/sessionStorage and writes what it saw into the DOM (``<pre id="result">``);
                its last ``fetch('/seen')`` lets the server record what the browser sent
                (``write`` also sets a persistent ``theme`` and a session ``visit`` cookie: the record
                shows cookies travelling on their own while the Web Storage values do not, and a
                browser closed in between keeps only ``theme``)
- server session: ``POST /cart?item=`` / ``GET /cart`` (a ``sessionlab.web.stores`` store; the cookie holds only the id)
- database:     ``PUT /profile/<user>`` / ``GET /profile/<user>`` (SQLite file, outlives the app server)
- cache:        ``GET /price?item=`` cache-aside in Redis with a TTL (a miss costs a slow "query")
- token:        ``POST /token?user=&item=`` signed JWT with the cart inside; ``GET /token/cart`` verifies it
- ``GET /echo``: the headers the server received (what travels with every request)

Built as the login app is (flaskr style): ``create_state_app`` is the factory, the
app's state is one ``StateLab`` (``app.state_lab``), the routes are the Blueprint
``bp``; the store, the headers ``/seen`` recorded and the count of slow queries
stay in ``app.config`` (``store``, ``seen``, ``slow_queries``: notebooks read them).
"""

from __future__ import annotations

import html
import json
import os
import shutil
import sqlite3
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request

from sessionlab.apps import _limits
from sessionlab.apps._limits import BadInput, int_arg, text_field
from sessionlab.infra.tmp import lab_dir
from sessionlab.web.stores import MemoryStore, SessionStore
from sessionlab.web.tokens import TokenError, TokenService

__all__ = [
    "CART_COOKIE",
    "create_state_app",
    "StateLab",
    "LabDatabase",
    "bp",
    "PRICES",
    "SLOW_QUERY_SECONDS",
    "STATE_MAX_BODY_BYTES",
    "STORAGE_PAGE",
]

PRICES = {"사과": 1200, "배": 3000, "노트북": 1_500_000}


STATE_MAX_BODY_BYTES = 4 * 1024 * 1024
SLOW_QUERY_SECONDS = 0.05  # what a cache miss costs here (a stand-in for a slow database query)


STORAGE_PAGE = """<!doctype html><meta charset="utf-8"><title>Web Storage</title>
<pre id="result">running</pre>
<script>
const mode = new URLSearchParams(location.search).get("mode");
const out = {};
if (mode === "write") { localStorage.setItem("cart", "사과 3개"); sessionStorage.setItem("step", "2");
                        document.cookie = "theme=dark; Max-Age=3600; Path=/";   // cookies, for comparison:
                        document.cookie = "visit=1; Path=/"; }                    // persistent and session
out.local = localStorage.getItem("cart");
out.session = sessionStorage.getItem("step");
out.cookies = document.cookie.split("; ").filter(Boolean).map(c => c.split("=")[0]).sort();
if (mode === "quota") {            // largest string localStorage accepts (binary search, in characters)
  let lo = 0, hi = 64 * 1024 * 1024;
  while (hi - lo > 1024) {
    const mid = Math.floor((lo + hi) / 2);
    try { localStorage.setItem("q", "x".repeat(mid)); lo = mid; } catch (e) { hi = mid; out.error = e.name; }
    localStorage.removeItem("q");
  }
  out.quota_chars = lo;
  document.cookie = "c4000=" + "y".repeat(4000); out.cookie_4000_kept = document.cookie.includes("c4000=");
  document.cookie = "c5000=" + "y".repeat(5000); out.cookie_5000_kept = document.cookie.includes("c5000=");
  document.cookie = "c4000=; Max-Age=0";
}
fetch("/seen").then(() => { document.getElementById("result").textContent = JSON.stringify(out); });
</script>"""


class LabDatabase:
    """A SQLite file in the course's temp folder: it outlives any app server that uses it."""

    def __init__(self):
        self.dir = str(lab_dir("sqlite"))  # the course's temp folder; stale ones swept
        self.path = os.path.join(self.dir, "app.db")
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.dir, True)
        with self.connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS profile (user TEXT PRIMARY KEY, data TEXT NOT NULL)")

    def connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=5)

    def close(self) -> None:
        self._finalizer()

    @property
    def exists(self) -> bool:
        return os.path.exists(self.path)


@dataclass
class StateLab:
    """One state app's state: where each strategy keeps its data (database, cache, tokens, session store)."""

    store: SessionStore
    db: LabDatabase | None = None
    cache: Any = None  # a Redis client (get, set with px=), or None
    tokens: TokenService | None = None
    name: str = "state"
    cache_ttl_ms: int = 1000
    lock: threading.Lock = field(default_factory=threading.Lock)


def create_state_app(
    db: LabDatabase | None = None,
    cache=None,
    tokens: TokenService | None = None,
    store: SessionStore | None = None,
    name: str = "state",
    cache_ttl_ms: int = 1000,
) -> Flask:
    app = Flask(name)
    lab = StateLab(
        store=store if store is not None else MemoryStore(),
        db=db,
        cache=cache,
        tokens=tokens,
        name=name,
        cache_ttl_ms=cache_ttl_ms,
    )
    app.state_lab = lab  # type: ignore[attr-defined]
    app.config.update(store=lab.store, seen=[], slow_queries=0)  # notebooks read these
    # 413 past 4 MB (03b shows a 1 MB hidden field reaching the ⚠️ VULNERABLE /order), JSON depth, BadInput
    _limits.init_app(app, max_bytes=STATE_MAX_BODY_BYTES)
    app.register_blueprint(bp)
    return app


CART_COOKIE = "state_sid"  # its own name: cookies do not isolate by port

bp = Blueprint("state", __name__)


def current_lab() -> StateLab:
    """The ``StateLab`` of the app handling this request."""
    return current_app.state_lab  # type: ignore[attr-defined]


@bp.get("/echo")
def echo():
    return jsonify(headers={k: v for k, v in request.headers.items() if k != "Host"}, query=request.args)


# --- URL / query parameters ----------------------------------------------------


@bp.get("/search")
def search():
    return jsonify(
        q=request.args.get("q", ""),
        page=int_arg(request.args.get("page"), "page", default=1, lo=1),
        url_length=len(request.full_path),
    )


# --- hidden form fields -------------------------------------------------------


@bp.get("/order")
def order_form():
    item = request.args.get("item", "사과")
    if item not in PRICES:
        raise BadInput(f"없는 상품입니다. 고를 수 있는 것: {', '.join(PRICES)}", 404, "item")
    return (
        f'<form method="post" action="/order"><input type="hidden" name="item" value="{html.escape(item)}">'
        f'<input type="hidden" name="price" value="{PRICES[item]}"><button>주문</button></form>'
    )


@bp.post("/order")  # ⚠️ VULNERABLE: the price comes back from the client, and is trusted
def order_vulnerable():
    price = request.form.get("price", "")
    if not price.isdigit() or len(price) > 12:
        return jsonify(error="bad_price"), 422
    return jsonify(
        item=request.form.get("item", ""),
        charged=int(price),
        variant="VULNERABLE",
        memo_length=len(request.form.get("memo", "")),
    )


@bp.post("/order-safe")
def order_safe():
    item = request.form.get("item", "")
    if item not in PRICES:
        return jsonify(error="unknown_item"), 422
    return jsonify(item=item, charged=PRICES[item], variant="secure")


# --- cookie -------------------------------------------------------------------


@bp.get("/prefs")
def prefs():
    resp = jsonify(theme=request.args.get("theme", "light"))
    resp.set_cookie("theme", request.args.get("theme", "light"), max_age=30 * 24 * 3600, samesite="Lax")
    return resp


@bp.get("/page")
def page():
    return jsonify(theme=request.cookies.get("theme", "light"))


# --- Web Storage (a real browser runs the page's script) -----------------------


@bp.get("/storage")
def storage_page():
    return STORAGE_PAGE


@bp.get("/seen")
def seen():
    current_app.config["seen"].append(dict(request.headers))
    return "ok"


# --- server session -----------------------------------------------------------


@bp.route("/cart", methods=["GET", "POST"])
def cart():
    store = current_lab().store
    session = store.touch(request.cookies.get(CART_COOKIE, ""))
    if request.method == "GET":
        return jsonify(items=session.data["items"] if session else [])
    if session is None:
        session = store.create({"items": []})
    items = session.data["items"] + [request.args.get("item", "사과")]
    store.update(session.id, {"items": items})
    resp = jsonify(items=items)
    resp.set_cookie(CART_COOKIE, session.id, httponly=True, samesite="Lax")
    return resp


# --- database -----------------------------------------------------------------


@bp.route("/profile/<user>", methods=["GET", "PUT"])
def profile(user):
    db = current_lab().db
    if db is None:
        return jsonify(error="no_database"), 503
    text_field(user, "user", max_chars=64)
    with db.connect() as conn:
        if request.method == "PUT":
            data = request.get_json(force=True, silent=True)
            if data is None:
                raise BadInput("본문이 올바른 JSON이 아닙니다.", 400, "(body)")
            conn.execute(
                "INSERT OR REPLACE INTO profile VALUES (?, ?)",
                (user, text_field(json.dumps(data, ensure_ascii=False), "(body)", max_chars=64 * 1024)),
            )
            return jsonify(saved=True)
        row = conn.execute("SELECT data FROM profile WHERE user = ?", (user,)).fetchone()
    return (jsonify(json.loads(row[0])), 200) if row else (jsonify(error="not_found"), 404)


# --- cache (cache-aside) --------------------------------------------------------


def _slow_query() -> None:
    """The slow query a cache saves: it takes ``SLOW_QUERY_SECONDS`` and is counted in ``slow_queries``."""
    time.sleep(SLOW_QUERY_SECONDS)
    with current_lab().lock:
        current_app.config["slow_queries"] += 1


@bp.get("/price")
def price():
    lab = current_lab()
    cache = lab.cache
    item = request.args.get("item", "사과")
    key = f"sessionlab:price:{item}"
    cached = cache.get(key) if cache is not None else None
    if cached is not None:
        return jsonify(item=item, price=int(cached), cache="hit", server=lab.name)
    _slow_query()
    if cache is not None:
        cache.set(key, PRICES.get(item, 0), px=lab.cache_ttl_ms)
    return jsonify(item=item, price=PRICES.get(item, 0), cache="miss", server=lab.name)


# --- token --------------------------------------------------------------------


NO_TOKENS = {
    "error": "no_token_service"
}  # built without tokens=: say so, as /profile does without a database


@bp.post("/token")
def token():
    tokens = current_lab().tokens
    if tokens is None:
        return jsonify(NO_TOKENS), 503
    return jsonify(token=tokens.issue(request.args.get("user", "alice"), cart=request.args.getlist("item")))


@bp.get("/token/cart")
def token_cart():
    tokens = current_lab().tokens
    if tokens is None:
        return jsonify(NO_TOKENS), 503
    auth = request.headers.get("Authorization", "")
    try:
        claims = tokens.verify(auth.removeprefix("Bearer ").strip())
    except TokenError as exc:
        return jsonify(error=exc.code), 401
    return jsonify(user=claims["sub"], cart=claims["cart"])
