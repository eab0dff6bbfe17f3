"""A real headless Chromium for what only a browser can show (HttpOnly, SameSite, Web Storage).

A lab page writes what its script saw into the DOM and the notebook reads the final DOM
back (``dump_dom``: the page loads, its timers and fetches get a budget of page time).
A ``Profile`` is one browser's cookie jar and storage kept across several loads: a
browser context in the process's one shared Chromium (``infra.cdp``), so a load costs
a tab, not a browser start. Where closing and reopening the browser *is* the
experiment (``run_until``), the browser is a Chromium process of its own on the
profile's folder.

When no Chromium is installed, ``available()`` is False and ``skip_reason()``
says so in Korean: the labs then skip the browser step plainly, never fake it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from sessionlab.infra import _launch, cdp
from sessionlab.infra.tmp import lab_dir

__all__ = [
    "find_chromium",
    "available",
    "skip_reason",
    "host_rules",
    "Profile",
    "dump_dom",
    "BrowserError",
    "close_browsers",
]

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
# Flags: no sandbox (containers run as root), and no background traffic to the
# internet (this course never leaves 127.0.0.1). The address bar's drop-down, built
# as two hidden WebUI pages in every headless browser, is switched off as Chromium's own
# DevTools protocol tests do: pages cannot see it, and with the New Tab page (see cdp)
# it took about half the CPU of a browser and its first ten tabs. Nor does it keep a spare
# renderer process started ahead for the next tab: with a browser context per profile, the spare
# was mostly of the wrong context, and was thrown away.
_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,SpareRendererForSitePerProcess",
]


_DISABLE = "--disable-features="


def _command_flags(extra: list[str]) -> list[str]:
    """``_FLAGS`` then ``extra``, with one ``--disable-features`` holding both lists.

    Chromium keeps only the last copy of a switch: a profile's own list would turn the
    hidden address-bar pages back on.
    """
    off = [
        f for flag in [*_FLAGS, *extra] if flag.startswith(_DISABLE) for f in flag[len(_DISABLE) :].split(",")
    ]
    rest = [flag for flag in [*_FLAGS, *extra] if not flag.startswith(_DISABLE)]
    return [*rest, _DISABLE + ",".join(dict.fromkeys(off))] if off else rest


class BrowserError(RuntimeError):
    """Chromium could not load the page; the message says why, in Korean."""


def find_chromium() -> str | None:
    """``$CHROMIUM``, a Chromium or Chrome on PATH, else one ``playwright install chromium`` put in place.

    None if ``SESSIONLAB_NO_BROWSER`` is set. The last case is Binder: its image has no system
    Chromium, so ``postBuild`` downloads Playwright's at build time (never at run time).
    """
    if os.environ.get("SESSIONLAB_NO_BROWSER"):
        return None
    env = os.environ.get("CHROMIUM")
    if env and os.access(env, os.X_OK):
        return env
    for name in _CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return _playwright_chromium()


def _playwright_chromium() -> str | None:
    root = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    found = sorted(root.glob("chromium-*/chrome-linux*/chrome"), reverse=True)  # newest build first
    return next((str(p) for p in found if os.access(p, os.X_OK)), None)


def available() -> bool:
    return find_chromium() is not None


def skip_reason() -> str:
    return (
        "이 컴퓨터에는 Chromium이 없어 브라우저 실험을 건너뜁니다(skipped). "
        "직접 보려면 Chromium을 설치하세요 (Debian/Ubuntu: `sudo apt-get install chromium`, "
        'macOS: Google Chrome 설치 후 `export CHROMIUM="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"`).'
    )


def host_rules(hosts: tuple[str, ...] | list[str]) -> str:
    """``--host-resolver-rules`` that send each name to 127.0.0.1: other sites, never another machine."""
    for host in hosts:
        if not host or any(c in host for c in " ,:/"):
            raise ValueError(f"호스트 이름이 아닙니다: {host!r}")
    return "--host-resolver-rules=" + ", ".join(f"MAP {h} 127.0.0.1" for h in hosts)


class Profile:
    """One browser profile (cookie jar, localStorage) kept across page loads until ``close()``.

    ``hosts`` (e.g. ``("shop.test", "evil.test")``) resolve to 127.0.0.1 in this browser only,
    so a lab can show two different sites, or a non-secure http origin, on one machine;
    ``flags`` are more Chromium switches for every load; ``preferences`` are settings a user
    would change in Settings (written to the profile's ``Preferences`` file before the start).
    """

    def __init__(
        self, hosts: tuple[str, ...] = (), flags: tuple[str, ...] = (), preferences: dict | None = None
    ):
        binary = find_chromium()
        if binary is None:
            raise BrowserError(skip_reason())
        self.binary = binary
        self.dir = str(_profile_dir())
        self.flags = [host_rules(hosts)] if hosts else []
        self.flags += list(flags)
        self.preferences = preferences or {}
        self._context: tuple[cdp.SharedChromium, str] | None = None

    @property
    def shared_browser(self) -> cdp.SharedChromium | None:
        """The shared Chromium this profile's loads run in (None before the first load, or on disk)."""
        return self._context[0] if self._context else None

    @property
    def on_disk(self) -> bool:
        """State in the profile folder (a run_until browser wrote it): loads must use that folder."""
        return (Path(self.dir) / "Default").exists()

    def _spawn(self, *args: str, capture: bool) -> subprocess.Popen:
        """Chromium on this profile, in a session of its own (so its helpers can be ended together)."""
        if self.preferences and not (Path(self.dir) / "Default" / "Preferences").exists():
            cdp.write_preferences(Path(self.dir), self.preferences)
        # Through _launch.py (parent-death signal, as for redis-server): a killed kernel takes Chromium with it.
        argv = _launch.command(self.binary, *_command_flags(self.flags), f"--user-data-dir={self.dir}", *args)
        return subprocess.Popen(
            argv,
            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            text=capture,
        )

    def dump_dom(
        self, url: str, timeout: float = 20, budget_ms: int = 2000, own_browser: bool = False
    ) -> str:
        """Load ``url`` in this profile; return the final DOM once ``budget_ms`` of page time passed.

        A load is a new tab of the shared browser. ``own_browser=True`` starts a browser on the
        profile's folder for this one load and closes it afterwards, as a user who closes the
        browser between pages: what it keeps on disk survives, the tab's ``sessionStorage`` and
        session cookies do not. Once the folder holds a profile, every load works that way.
        """
        if own_browser or self.on_disk:
            return self._dump_dom_process(url, timeout, budget_ms)
        try:
            chromium, context = self._shared_context()
            return chromium.dump_dom(context, url, budget_ms=budget_ms, timeout=timeout)
        except cdp.CdpError as exc:
            raise BrowserError(
                f"Chromium이 {timeout:.0f}초 안에 페이지를 읽지 못했습니다: {url} ({exc})"
            ) from exc

    def _shared_context(self) -> tuple[cdp.SharedChromium, str]:
        chromium = cdp.shared(self.binary, _command_flags(self.flags), _profile_dir, self.preferences)
        if self._context is None or self._context[0] is not chromium:  # first load, or the browser restarted
            self._context = (chromium, chromium.new_context())
        return self._context

    def _dump_dom_process(self, url: str, timeout: float, budget_ms: int) -> str:
        """``chromium --dump-dom`` on the profile folder: a browser process for this one load."""
        proc = self._spawn(f"--virtual-time-budget={budget_ms}", "--dump-dom", url, capture=True)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            out = None
        finally:
            self._end(proc)  # renderer and helper processes go too
        if out is None:
            raise BrowserError(f"Chromium이 {timeout:.0f}초 안에 페이지를 읽지 못했습니다: {url}")
        return out

    def run_until(self, url: str, done, timeout: float = 20, settle: float = 0.2) -> None:
        """Open ``url`` as a user would (no --dump-dom); once ``done()`` holds, close the browser normally.

        ``done()`` should turn true on a request the page sends after its last answer arrived
        (a probe fetched last), so the cookies those answers set are in the browser's store;
        ``settle`` seconds more let a slow machine finish the page's bookkeeping. A normal close
        (SIGINT, like closing the window) then lets Chromium write its cookie database and
        session state; its helper processes are ended afterwards.
        """
        proc = self._spawn(url, capture=False)
        try:
            deadline = time.monotonic() + timeout
            while not done() and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.05)
            time.sleep(settle)
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        finally:
            self._end(proc)

    def _end(self, proc: subprocess.Popen) -> None:
        """End a browser started on the profile folder, with its helpers and, if it was killed, its socket folder."""
        _kill_group(proc)
        leftover = cdp.socket_dir(self.dir)  # a clean exit removed the link and the folder
        if leftover is not None:
            shutil.rmtree(leftover, ignore_errors=True)

    def close(self) -> None:
        if self._context is not None:
            chromium, context = self._context
            chromium.dispose(context)
            self._context = None
        cdp.remove_profile(self.dir)

    def __enter__(self) -> Profile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _profile_dir() -> Path:
    """A new profile folder; those of killed kernels go, with their Chromium socket folders."""
    return lab_dir("chromium", remove=cdp.remove_profile)


def _kill_group(proc: subprocess.Popen) -> None:
    """Chromium's helper processes outlive the main one by a second or two: end them now."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def close_browsers() -> int:
    """End this process's shared Chromium (for a notebook's last cell and test teardown)."""
    return cdp.close_shared()


def dump_dom(url: str, timeout: float = 20, budget_ms: int = 2000, hosts: tuple[str, ...] = ()) -> str:
    """Load ``url`` once in a brand-new profile and return the final DOM."""
    with Profile(hosts=hosts) as profile:
        return profile.dump_dom(url, timeout=timeout, budget_ms=budget_ms)
