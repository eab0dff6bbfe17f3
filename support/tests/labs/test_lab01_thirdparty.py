"""Lab 01, third-party and partitioned cookies in real Chromium (browser tests skipped without Chromium)."""

import pytest

from sessionlab import serve
from sessionlab.apps.cookie import create_cookie_app
from sessionlab.infra import browser
from sessionlab.labs.lab01 import browser_steps, origin, probe_url, received, set_url
from sessionlab.labs.lab01_thirdparty import (
    NEWS,
    SHOP,
    WIDGET,
    browser_embed,
    chromium_version,
    cookie_names,
    embed_url,
    third_party_profile,
)

needs_chromium = pytest.mark.skipif(not browser.available(), reason="Chromium이 없습니다")

PARTITIONED = "chip=1; SameSite=None; Secure; Partitioned; Path=/; Max-Age=600"
PLAIN = "plain=1; SameSite=None; Secure; Path=/; Max-Age=600"
LAX = "laxchip=1; SameSite=Lax; Secure; Partitioned; Path=/; Max-Age=600"


@pytest.fixture(scope="module")
def lab():
    with serve(create_cookie_app(), name="test-lab01-thirdparty") as srv:
        yield srv


def test_embed_url_lists_every_frame_in_order():
    assert embed_url("http://s:1", "http://w:1/a", "http://w:1/b?x=1") == (
        "http://s:1/page/embed?u=http%3A%2F%2Fw%3A1%2Fa&u=http%3A%2F%2Fw%3A1%2Fb%3Fx%3D1"
    )
    with pytest.raises(ValueError):
        embed_url("http://s:1")


def test_cookie_names():
    assert cookie_names("fp=1; chip=1; plain=a=b") == {"fp", "chip", "plain"}
    assert cookie_names("") == set()


def test_three_distinct_loopback_sites():
    assert len({SHOP, NEWS, WIDGET}) == 3 and all(h.endswith(".localhost") for h in (SHOP, NEWS, WIDGET))


def test_chromium_version_without_a_browser(monkeypatch):
    monkeypatch.setenv("SESSIONLAB_NO_BROWSER", "1")
    assert chromium_version() == "Chromium 없음"


@needs_chromium
def test_chromium_version_names_the_browser():
    assert "chrom" in chromium_version().lower()


@needs_chromium
@pytest.mark.parametrize("allow", [False, True])
def test_third_party_profile_writes_the_setting_only_when_allowed(allow):
    with third_party_profile(allow=allow) as profile:
        if allow:
            assert profile.preferences["profile"]["block_third_party_cookies"] is False
        else:
            assert profile.preferences == {}


def _run(lab, allow: bool, tag: str) -> dict:
    w, s, n = (origin(lab.url, h) for h in (WIDGET, SHOP, NEWS))
    with third_party_profile(allow=allow) as profile:
        browser_steps(profile, w, set_url(w, "fp=1; SameSite=None; Secure; Max-Age=600"))
        browser_embed(profile, s, set_url(w, PARTITIONED, PLAIN, LAX), probe_url(w, f"{tag}-shop"))
        browser_embed(profile, n, probe_url(w, f"{tag}-news"))
    return {site: cookie_names(received(lab.app, f"{tag}-{site}")) for site in ("shop", "news")}


@needs_chromium
def test_default_blocks_third_party_cookies_but_keeps_the_partitioned_one(lab):
    seen = _run(lab, allow=False, tag="t-default")
    assert seen == {
        "shop": {"chip"},
        "news": set(),
    }  # fp, plain blocked; laxchip not cross-site; chip only under the shop


@needs_chromium
def test_allowed_third_party_cookies_are_shared_across_top_level_sites(lab):
    seen = _run(lab, allow=True, tag="t-allow")
    assert seen == {"shop": {"fp", "chip", "plain"}, "news": {"fp", "plain"}}
