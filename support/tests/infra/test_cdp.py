"""One shared headless Chromium per process: reused by every Profile, isolated per Profile, never left running."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from flask import Flask, make_response, request

from sessionlab import serve, stop_everything
from sessionlab.infra import browser, cdp

pytestmark = pytest.mark.skipif(not browser.available(), reason="Chromium이 없습니다 (.ci/run이 설치합니다)")


@pytest.fixture
def site():
    app = Flask("cdp")
    app.hits = []

    @app.get("/set")
    def set_cookie():
        app.hits.append("/set")
        resp = make_response("<p>set</p>")
        resp.set_cookie("sid", "abc")  # a session cookie: no Max-Age
        return resp

    @app.get("/show")
    def show():
        return f"<p id=c>{request.headers.get('Cookie', '-')}</p>"

    @app.get("/late")
    def late():  # the text appears 10 s of page time after the load
        return "<p id=o>early</p><script>setTimeout(() => o.textContent = 'late', 10000)</script>"

    app.held, app.release = threading.Event(), threading.Event()

    @app.get("/hold")
    def hold():  # answers once the test lets it (at most 10 s)
        app.held.set()
        app.release.wait(10)
        return "<p>held</p>"

    @app.get("/size")
    def size():  # what the page sees of its tab and of a window around it
        return "<p id=s></p><script>s.textContent = `${innerWidth}x${innerHeight} in ${outerWidth}`</script>"

    with serve(app, name="t-cdp") as srv:
        yield srv


def group_gone(pgid: int, timeout: float) -> bool:
    """True once no process of the group is left (Chromium's helpers can still write to its folder)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


def shared_pids() -> set[int]:
    return {b.proc.pid for b in cdp._browsers.values() if b.alive}


def test_two_profiles_share_one_browser_but_not_cookies(site):
    with browser.Profile() as a, browser.Profile() as b:
        a.dump_dom(site.url + "/set")
        seen_by_a = a.dump_dom(site.url + "/show")
        seen_by_b = b.dump_dom(site.url + "/show")
        assert a.shared_browser is b.shared_browser and a.shared_browser.alive  # one browser process
    assert "sid=abc" in seen_by_a  # the same profile keeps its cookie from one load to the next
    assert '<p id="c">-</p>' in seen_by_b  # the other profile is a separate cookie jar


@pytest.mark.parametrize("flags", [(), ("--disable-features=Translate",)])  # a profile's own list too
def test_the_shared_browser_renders_no_page_nobody_sees(site, flags):
    # Headless Chromium would build the address bar's drop-down as hidden WebUI pages and open
    # the New Tab page: CPU for pages no learner sees (browser._FLAGS, cdp.SharedChromium).
    with browser.Profile(flags=flags) as p:
        assert '<p id="c">-</p>' in p.dump_dom(site.url + "/show")
        targets = p.shared_browser.send("Target.getTargets", {"filter": [{}]})["targetInfos"]
    urls = sorted(t["url"] for t in targets)
    assert "about:blank" in urls and not [u for u in urls if u.startswith("chrome://")], urls


def test_a_load_is_a_tab_of_a_window_s_size_without_a_window_to_draw(site):
    # The window (address bar, tab strip) was about 60 % of the browser's main thread per load
    # (benchmarks/README, finding 35); the page still gets the page area of an 800 x 600 window.
    with browser.Profile() as p:
        assert '<p id="s">780x493 in 0</p>' in p.dump_dom(site.url + "/size")


def renderer_pids(pgid: int) -> set[int]:
    found = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if (
                os.getpgid(int(pid)) == pgid
                and b"--type=renderer" in Path(f"/proc/{pid}/cmdline").read_bytes()
            ):
                found.add(int(pid))
        except OSError:  # gone meanwhile
            pass
    return found


def renderers(pgid: int) -> int:
    return len(renderer_pids(pgid))


def test_no_spare_renderer_is_kept_for_a_tab_that_may_never_come(site):
    # A spare would be of the last profile's browser context, rarely the next one's (browser._FLAGS).
    with browser.Profile() as p:
        p.dump_dom(site.url + "/show")
        time.sleep(0.3)  # a spare is started right after a tab's renderer
        assert renderers(os.getpgid(p.shared_browser.proc.pid)) == 1  # the first tab's, about:blank


def test_a_load_starts_one_renderer_process(site):
    # Opened on about:blank and then sent to the page, a tab took two (benchmarks/README, finding 47).
    with browser.Profile() as p:
        p.dump_dom(site.url + "/show")  # the browser and the context are started
        pgid = os.getpgid(p.shared_browser.proc.pid)
        before = renderer_pids(pgid)
        loading = threading.Thread(target=p.dump_dom, args=(site.url + "/hold",))
        loading.start()
        try:
            assert site.app.held.wait(10)  # the tab's request is at the server, which holds it
            time.sleep(0.3)  # a process started for the page would be running by now
            started = renderer_pids(pgid) - before
        finally:
            site.app.release.set()
            loading.join()
    assert len(started) == 1, sorted(started)


def test_a_tab_dump_dom_did_not_open_is_not_left_waiting(site):
    # New tabs wait for a debugger before they load (so dump_dom can size them first); one a page
    # or anyone else opens (a popup, a worker) must run at once. Here: a tab opened by hand.
    with browser.Profile() as p:
        p.dump_dom(site.url + "/show")
        chromium, context = p._shared_context()
        opened = {"url": site.url + "/set", "browserContextId": context, "hidden": True}
        tab = chromium.send("Target.createTarget", opened)["targetId"]
        deadline = time.monotonic() + 10
        while "/set" not in site.app.hits and time.monotonic() < deadline:
            chromium.send("Browser.getVersion")  # a conversation reads the browser's notes
            time.sleep(0.05)
        chromium.send("Target.closeTarget", {"targetId": tab})
    assert "/set" in site.app.hits


def test_the_page_time_budget_runs_timers_like_dump_dom(site):
    with browser.Profile() as p:
        t = time.monotonic()
        assert ">late<" in p.dump_dom(site.url + "/late", budget_ms=12_000)  # page time, not wall time
        assert time.monotonic() - t < 10  # so a 10 s timer fired without waiting 10 s
        assert ">early<" in p.dump_dom(site.url + "/late", budget_ms=500)


def test_settings_get_a_browser_of_their_own(site):
    allowed = {"profile": {"block_third_party_cookies": False}}
    with browser.Profile() as plain, browser.Profile(preferences=allowed) as tuned:
        plain.dump_dom(site.url + "/show")
        tuned.dump_dom(site.url + "/show")
        assert plain.shared_browser is not tuned.shared_browser  # Preferences are read at start


def test_a_profile_a_real_browser_wrote_to_keeps_using_its_folder(site):
    with browser.Profile() as p:
        p.run_until(site.url + "/set", lambda: "/set" in site.app.hits, timeout=15)  # a user's browser
        assert p.on_disk
        assert "sid=abc" not in p.dump_dom(site.url + "/show")  # session cookie gone with that browser
        assert p.shared_browser is None


def test_a_killed_kernel_takes_its_shared_chromium_with_it(wait_dead):
    script = textwrap.dedent("""
        import os, time
        from sessionlab.infra import browser, cdp
        with browser.Profile() as profile:
            profile.dump_dom("about:blank")
            shared = next(iter(cdp._browsers.values()))
            print(shared.proc.pid, shared.dir, os.readlink(os.path.join(shared.dir, "SingletonSocket")), flush=True)
            time.sleep(60)
    """)
    kernel = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    chromium, folder, socket = kernel.stdout.readline().split()
    kernel.send_signal(signal.SIGKILL)  # what nbval does to kernels: no atexit runs
    kernel.wait()
    assert wait_dead(int(chromium), timeout=10)
    assert group_gone(int(chromium), timeout=10)  # its helpers end on their own a moment later
    browser.Profile().close()  # the next profile sweeps what the killed kernel left
    assert not os.path.exists(folder) and not os.path.exists(os.path.dirname(socket))


def test_the_sweep_finds_the_socket_folder_of_a_browser_killed_in_its_own_shutdown(wait_dead):
    # A killed kernel closes the pipe: Chromium starts a clean shutdown, unlinks SingletonSocket,
    # and the parent-death SIGKILL lands before it removes the folder (seen once in CI).
    with browser.Profile() as p:
        p.dump_dom("about:blank")
        chromium = p.shared_browser
    folder = os.path.dirname(os.readlink(os.path.join(chromium.dir, "SingletonSocket")))
    os.killpg(chromium.proc.pid, signal.SIGKILL)
    assert wait_dead(chromium.proc.pid, timeout=10)
    os.unlink(os.path.join(chromium.dir, "SingletonSocket"))  # where that shutdown stopped
    cdp.remove_profile(chromium.dir)  # what the sweep calls, knowing only the profile folder
    assert not os.path.exists(chromium.dir) and not os.path.exists(folder)
    cdp.close_shared()


def test_a_killed_browser_is_started_again(site):
    with browser.Profile() as p:
        p.dump_dom(site.url + "/show")
        first = p.shared_browser.proc.pid
        os.killpg(first, signal.SIGKILL)
        os.waitpid(first, 0)
        assert "<p id" in p.dump_dom(site.url + "/show")
        assert p.shared_browser.alive and p.shared_browser.proc.pid != first


def test_stop_everything_closes_the_shared_browser_and_its_folders(site, wait_dead):
    with browser.Profile() as p:
        p.dump_dom(site.url + "/show")
        chromium = p.shared_browser
        socket_folder = os.path.dirname(os.readlink(os.path.join(chromium.dir, "SingletonSocket")))
    assert chromium.alive and os.path.isdir(socket_folder)  # the shared browser outlives its profiles
    # In one full run the link was already gone when the browser was closed (a half-written
    # "Local State" beside it), the socket folder not: so the folder is noted at the start.
    os.unlink(os.path.join(chromium.dir, "SingletonSocket"))
    stop_everything()  # SIGKILL: Chromium cannot tidy up after itself, so we remove its folders
    assert cdp._browsers == {} and wait_dead(chromium.proc.pid, timeout=10)
    assert not os.path.exists(socket_folder) and not os.path.exists(chromium.dir)


def test_idle_browsers_for_other_flags_do_not_pile_up_and_the_one_used_last_is_kept():
    cdp.close_shared()
    binary = browser.find_chromium()
    pids: dict[str, set[int]] = {}
    alive = []
    for lang in "abaca":  # like one browser per lab port's flags; a is used again before c starts
        chromium = cdp.shared(binary, [*browser._FLAGS, f"--lang=ko-{lang}"], browser._profile_dir)
        chromium.dispose(chromium.new_context())  # a Profile that came and went
        pids.setdefault(lang, set()).add(chromium.proc.pid)
        alive.append(len(shared_pids()))
    assert max(alive) == 2  # three flag sets, never more than two browsers
    assert len(pids["a"]) == 1  # never restarted: c's start closed b, the idle one used least recently
    assert pids["b"].isdisjoint(shared_pids())
