"""Lab 01 in real Chromium: limits, scope, Secure, prefixes, session restore (skipped without Chromium)."""

import http.client

import pytest

from sessionlab import serve
from sessionlab.apps.cookie import create_cookie_app
from sessionlab.infra import browser
from sessionlab.labs.lab01 import (
    HeaderSink,
    browser_steps,
    chromium_cookie_limits,
    origin,
    probe_url,
    received,
    session_restore_experiments,
    set_url,
)

needs_chromium = pytest.mark.skipif(not browser.available(), reason="Chromium이 없습니다")


@pytest.fixture(scope="module")
def lab():
    with serve(create_cookie_app(), name="test-lab01-browser") as srv:
        yield srv


def test_origin_and_urls():
    assert origin("http://127.0.0.1:5000", "shop.localhost") == "http://shop.localhost:5000"
    assert set_url("http://h:1", "a=1; Path=/") == "http://h:1/set?c=a%3D1%3B+Path%3D%2F"
    assert probe_url("http://h:1", "/app/x") == "http://h:1/probe/app/x"


def test_received_says_when_nothing_came(lab):
    with pytest.raises(KeyError):
        received(lab.app, "never-asked")


def test_header_sink_measures_a_cookie_header_past_any_server_limit():
    with HeaderSink() as sink:
        conn = http.client.HTTPConnection("127.0.0.1", sink.port, timeout=5)
        conn.request("GET", "/", headers={"Cookie": "c=" + "x" * 100_000})
        assert conn.getresponse().status == 200
        conn.close()
    assert sink.cookie_header_bytes == [100_002]


@needs_chromium
def test_chromium_limits(lab):
    limits = chromium_cookie_limits(lab.url, count=181)
    assert limits["max_name_value"] == 4096
    assert limits["path_attr_applied"] == {"1024": True, "1025": False}
    assert limits["kept"] == 150 and limits["evicted"] == [f"c{i}" for i in range(31)]


@needs_chromium
def test_path_secure_and_host_prefix_in_chromium(lab):
    shop = origin(lab.url, "shop.test")
    with browser.Profile(hosts=("shop.test",)) as profile:
        browser_steps(
            profile,
            lab.url,
            set_url(lab.url, "a=1; Path=/probe/app", "s=1; Secure; Path=/"),
            probe_url(lab.url, "t-app/x"),
            probe_url(lab.url, "t-other"),
        )
        seen_on_shop = browser_steps(profile, shop, set_url(shop, "s=1; Secure; Path=/"))
    assert received(lab.app, "t-other") == "s=1"  # Secure stored on http://127.0.0.1, a=1 not on /other
    assert seen_on_shop == ""  # http://shop.test is not a secure context


@needs_chromium
def test_session_cookies_survive_a_restart_only_with_session_restore(lab):
    default, restored = session_restore_experiments(lab.app, lab.url)  # two browsers at once
    assert (default["restore_on_startup"], restored["restore_on_startup"]) == (False, True)
    assert default["cookies_after_restart"] == ["theme"]
    assert restored["cookies_after_restart"] == ["shop_sid", "theme", "visits"]
