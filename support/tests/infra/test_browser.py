"""The real-browser helper: a plain Korean skip without Chromium, real page JavaScript with it."""

import os
import socket
import time

import pytest
from flask import Flask, make_response

from sessionlab import serve
from sessionlab.infra import browser


def test_no_chromium_means_a_plain_korean_reason(monkeypatch):
    monkeypatch.delenv("CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert not browser.available()
    assert "건너뜁니다" in browser.skip_reason()
    with pytest.raises(browser.BrowserError, match="Chromium"):
        browser.Profile()


@pytest.mark.skipif(not browser.available(), reason="Chromium이 없습니다 (.ci/run이 설치합니다)")
def test_page_script_runs_and_httponly_cookie_is_hidden_from_it():
    app = Flask("b")

    @app.get("/")
    def page():
        resp = make_response(
            "<p id=o></p><script>document.getElementById('o').textContent='JS:'+document.cookie</script>"
        )
        resp.set_cookie("sid", "secret", httponly=True)
        resp.set_cookie("theme", "dark")
        return resp

    with serve(app) as srv:
        dom = browser.dump_dom(srv.url + "/")
    assert "JS:theme=dark" in dom and "secret" not in dom.split("<script>")[0]


@pytest.mark.skipif(not browser.available(), reason="Chromium이 없습니다 (.ci/run이 설치합니다)")
def test_a_load_in_its_own_browser_closes_that_browser_before_the_next():
    app = Flask("own")

    @app.get("/set")
    def set_cookies():
        resp = make_response("<script>sessionStorage.tab = 'x'; localStorage.disk = 'y'</script>")
        resp.set_cookie("sid", "abc")  # a session cookie: gone when the browser closes
        resp.set_cookie("theme", "dark", max_age=600)  # persistent: on disk
        return resp

    @app.get("/show")
    def show():
        return "<p id=o></p><script>o.textContent = [document.cookie, sessionStorage.tab, localStorage.disk]</script>"

    with serve(app) as srv, browser.Profile() as p:
        p.dump_dom(srv.url + "/set", own_browser=True)
        assert p.on_disk and p.shared_browser is None  # no tab of the shared browser
        shown = p.dump_dom(srv.url + "/show", own_browser=True)
    assert '<p id="o">theme=dark,,y</p>' in shown


@pytest.mark.skipif(not browser.available(), reason="Chromium이 없습니다 (.ci/run이 설치합니다)")
def test_a_killed_own_browser_leaves_no_socket_folder():
    with socket.create_server(("127.0.0.1", 0)) as hang, browser.Profile() as p:  # never answers
        proc = p._spawn(f"http://127.0.0.1:{hang.getsockname()[1]}/", capture=False)
        link = os.path.join(p.dir, "SingletonSocket")
        deadline = time.monotonic() + 20
        while not os.path.islink(link) and time.monotonic() < deadline:
            time.sleep(0.02)
        folder = os.path.dirname(os.readlink(link))
        assert os.path.isdir(folder)
        p._end(proc)  # as when a load times out: SIGKILL, so Chromium cannot remove it
        assert os.path.islink(link) and not os.path.exists(folder)


def test_a_profiles_disabled_features_join_the_courses_instead_of_replacing_them():
    flags = browser._command_flags(["--lang=ko", "--disable-features=Translate,WebUIOmniboxPopup"])
    off = [f for f in flags if f.startswith("--disable-features=")]
    assert off == [
        "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,SpareRendererForSitePerProcess,Translate"
    ]  # Chromium keeps the last
    assert "--lang=ko" in flags and "--headless" in flags


def test_browser_experiments_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("SESSIONLAB_NO_BROWSER", "1")
    monkeypatch.setenv("CHROMIUM", "/bin/sh")  # even an explicit binary is ignored then
    assert browser.find_chromium() is None and not browser.available()


def test_a_playwright_chromium_is_found_when_none_is_on_path(monkeypatch, tmp_path):
    """Binder: postBuild ran `playwright install chromium`; no system Chromium on PATH."""
    for build in ("chromium-1100", "chromium-1200"):
        chrome = tmp_path / build / "chrome-linux" / "chrome"
        chrome.parent.mkdir(parents=True)
        chrome.write_text("#!/bin/sh\n")
        chrome.chmod(0o755)
    monkeypatch.delenv("SESSIONLAB_NO_BROWSER", raising=False)
    monkeypatch.delenv("CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    assert browser.find_chromium() == str(tmp_path / "chromium-1200" / "chrome-linux" / "chrome")
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "nothing-here"))
    assert browser.find_chromium() is None


def test_host_rules_map_names_to_loopback_only():
    assert browser.host_rules(("shop.test", "evil.test")) == (
        "--host-resolver-rules=MAP shop.test 127.0.0.1, MAP evil.test 127.0.0.1"
    )
    for bad in ("a b", "x.test,MAP y 10.0.0.1", "host:80", ""):
        with pytest.raises(ValueError):
            browser.host_rules((bad,))


@pytest.mark.skipif(not browser.available(), reason="no Chromium")
def test_a_mapped_name_reaches_the_lab_server():
    from flask import Flask

    app = Flask("hosts")
    app.get("/")(lambda: "<p id='x'>shop</p>")
    with serve(app, name="t-hosts") as srv, browser.Profile(hosts=("shop.test",)) as profile:
        dom = profile.dump_dom(f"http://shop.test:{srv.port}/")
    assert '<p id="x">shop</p>' in dom


@pytest.mark.skipif(not browser.available(), reason="no Chromium")
def test_run_until_opens_like_a_user_and_closes_once_done():
    from flask import Flask, request

    hits = []
    app = Flask("run-until")

    @app.get("/")
    def page():
        hits.append(request.headers.get("User-Agent", ""))
        return "<p>hi</p>"

    with serve(app, name="t-run-until") as srv, browser.Profile() as profile:
        profile.run_until(srv.url + "/", lambda: bool(hits), timeout=15)
    assert hits and "Chrome" in hits[0]


@pytest.mark.skipif(not browser.available(), reason="no Chromium")
def test_a_killed_kernel_takes_its_chromium_with_it(wait_dead):
    import signal
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import time
        from sessionlab.infra import browser
        profile = browser.Profile()
        proc = profile._spawn("about:blank", capture=False)
        print(proc.pid, profile.dir, flush=True)
        time.sleep(60)
    """)
    kernel = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    chromium, folder = kernel.stdout.readline().split()
    kernel.send_signal(signal.SIGKILL)  # what nbval does to kernels
    kernel.wait()
    assert wait_dead(int(chromium), timeout=10)
    browser.Profile().close()  # the next profile sweeps the killed kernel's folder
    assert not os.path.exists(folder)
