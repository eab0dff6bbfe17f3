"""Lab 04a in real headless Chromium: where the token travels, who can read it, who can send it.

* ``img_report(url, store)`` — ``/demo/img``: the page's own ``fetch`` can add
  ``Authorization: Bearer``, an ``<img>`` request cannot; a cookie rides on both;
* ``xss_report(url, store, attacker=...)`` — ``/demo/xss`` with an injected script that
  sends what it read to the attacker's collector and then uses the session from the page;
* ``cross_site(shop, evil, how)`` — two sites on this machine (``shop.localhost``,
  ``evil.localhost``: Chromium sends every ``*.localhost`` name to 127.0.0.1 and treats it
  as a secure context, so ``Secure`` cookies work over http): log in on the shop,
  then open the evil page that posts to the shop (``how="form"`` or ``"fetch"``);
* ``login_csrf(shop, evil)`` — the evil page logs the browser into the attacker's account.

What the *server* received is read from the app's record (``app.token_lab.seen``), not from
the page: the page reports what the browser let its script see, the server what arrived.
"""

from __future__ import annotations

import html
import json
import re

from sessionlab.infra import browser

__all__ = [
    "page_report",
    "img_report",
    "xss_report",
    "cross_site_profile",
    "cross_site",
    "login_csrf",
    "SHOP",
    "EVIL",
]

SHOP, EVIL = "shop.localhost", "evil.localhost"


def page_report(dom: str) -> dict:
    """The JSON a lab page wrote into ``<pre id="report">``."""
    m = re.search(r'<pre id="report">(.*?)</pre>', dom, re.S)
    if not m:
        raise RuntimeError("실험 페이지의 결과를 DOM에서 찾지 못했습니다.")
    try:
        return json.loads(html.unescape(m.group(1)))
    except ValueError:
        raise RuntimeError(f"페이지가 결과를 쓰기 전에 끝났습니다: {m.group(1)[:80]}") from None


def img_report(url: str, store: str) -> dict:
    """``/demo/img?store=cookie|bearer`` in a fresh Chromium profile: what the page's script saw."""
    return page_report(browser.dump_dom(f"{url}/demo/img?store={store}", timeout=30, budget_ms=3000))


def xss_report(url: str, store: str, attacker: str | None = None) -> dict:
    """``/demo/xss?store=cookie|localStorage`` (optionally exfiltrating to ``attacker``) in Chromium."""
    query = f"store={store}" + (f"&attacker={attacker}" if attacker else "")
    return page_report(browser.dump_dom(f"{url}/demo/xss?{query}", timeout=30, budget_ms=3000))


def cross_site_profile() -> browser.Profile:
    """A Chromium profile with third-party cookies allowed, where shop.localhost and evil.localhost are two sites.

    Allowed, because this headless build blocks them by default; Chrome's default setting
    allows them (Safari and Firefox partition or block them). No other flag: a ``*.localhost``
    name is a secure context already, so a ``Secure`` cookie (which ``SameSite=None``
    requires) can be set over plain http on this machine.
    """
    return browser.Profile(
        preferences={"profile": {"cookie_controls_mode": 0, "block_third_party_cookies": False}},
    )


def cross_site(shop_port: int, evil_port: int, how: str) -> dict:
    """Log in on http://shop.localhost, then open http://evil.localhost's page that posts to the shop.

    Returns what each page's script reported: ``{"login": ..., "attack": ...}``.
    """
    with cross_site_profile() as profile:
        login = page_report(profile.dump_dom(f"http://{SHOP}:{shop_port}/demo/login", timeout=30))
        target = f"http://{SHOP}:{shop_port}"
        dom = profile.dump_dom(
            f"http://{EVIL}:{evil_port}/csrf?target={target}&how={how}", timeout=30, budget_ms=3000
        )
        m = re.search(r'<pre id="report">(.*?)</pre>', dom, re.S)
        # A form post navigates away: the DOM is then the shop's answer, not the evil page.
        attack = page_report(dom) if m else {"how": how, "navigated_to": re.sub(r"<[^>]+>", "", dom)[:200]}
    return {"login": login, "attack": attack}


def login_csrf(shop_port: int, evil_port: int) -> dict:
    """Open http://evil.localhost's login-CSRF page, then http://shop.localhost/me in the same browser.

    Returns what the shop answered to the cross-site login form (``login``: its text) and
    who the shop thinks this browser is afterwards (``me``: the ``sub``, or None).
    """
    with cross_site_profile() as profile:
        target = f"http://{SHOP}:{shop_port}"
        dom = profile.dump_dom(
            f"http://{EVIL}:{evil_port}/csrf?target={target}&how=login", timeout=30, budget_ms=3000
        )
        me = profile.dump_dom(f"{target}/me", timeout=30)
    sub = re.search(r'"sub":\s*"([^"]+)"', me)
    return {"login": re.sub(r"<[^>]+>", "", dom)[:200], "me": sub.group(1) if sub else None}
