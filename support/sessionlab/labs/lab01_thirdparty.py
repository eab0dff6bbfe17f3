"""Lab 01 in real Chromium: third-party cookies and partitioned cookies (CHIPS).

Three sites on this machine, all loopback names Chromium resolves to 127.0.0.1 by itself
and treats as secure contexts (so ``Secure`` cookies work over http): a shop and a news
site (``SHOP``, ``NEWS``) both embed one widget (``WIDGET``) as an ``<iframe>``.

* ``browser_embed(profile, top, *urls)`` — open ``top``'s ``/page/embed``, which loads each
  URL in turn as an iframe: the widget in a third-party context;
* ``third_party_profile(allow=...)`` — a fresh profile with this Chromium's default cookie
  settings, or with third-party cookies allowed (Settings → Third-party cookies → Allow);
* ``chromium_version()`` — which browser measured it (defaults differ between builds).

What the widget's server received is read from the app's ``/probe/<label>`` record
(``lab01.received``), never from the page.
"""

from __future__ import annotations

import subprocess
from urllib.parse import urlencode

from sessionlab.infra import browser
from sessionlab.labs.lab01 import _dom_text

__all__ = [
    "SHOP",
    "NEWS",
    "WIDGET",
    "embed_url",
    "browser_embed",
    "third_party_profile",
    "chromium_version",
    "cookie_names",
]

SHOP, NEWS, WIDGET = "shop.localhost", "news.localhost", "widget.localhost"


def embed_url(top: str, *urls: str) -> str:
    """A page on ``top`` that loads each of ``urls`` in turn as an ``<iframe>``."""
    if not urls:
        raise ValueError("iframe으로 불러올 URL을 하나 이상 주세요.")
    return f"{top}/page/embed?" + urlencode([("u", u) for u in urls])


def browser_embed(profile: browser.Profile, top: str, *urls: str) -> None:
    """Open ``embed_url(top, *urls)`` in ``profile`` and wait until every iframe has loaded."""
    dom = profile.dump_dom(embed_url(top, *urls), timeout=30)
    if _dom_text(dom, "done") != "done":
        raise RuntimeError("Chromium이 iframe 페이지를 끝까지 실행하지 못했습니다.")


def third_party_profile(allow: bool = False) -> browser.Profile:
    """A fresh Chromium profile: this build's default cookie settings, or third-party cookies allowed.

    ``allow=True`` writes the setting a user changes in Settings → Privacy → Third-party
    cookies → "Allow third-party cookies" into the profile's ``Preferences`` before the start
    (``browser.Profile(preferences=...)``).
    """
    allowed = {"profile": {"cookie_controls_mode": 0, "block_third_party_cookies": False}}
    return browser.Profile(preferences=allowed if allow else None)


def chromium_version() -> str:
    """``Chromium 156.0.…`` as the binary reports it, or a Korean note when there is none."""
    binary = browser.find_chromium()
    if binary is None:
        return "Chromium 없음"
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout
    return out.strip().splitlines()[-1] if out.strip() else "버전을 알 수 없음"


def cookie_names(header: str) -> set[str]:
    """The cookie names in a ``Cookie`` header: ``"a=1; b=2"`` → ``{"a", "b"}``."""
    return {part.split("=", 1)[0].strip() for part in header.split(";") if part.strip()}
