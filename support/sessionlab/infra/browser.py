"""A real headless Chromium for what only a browser can show (HttpOnly, SameSite, Web Storage).

No browser driver: ``chromium --headless --dump-dom URL`` loads the page, runs its
JavaScript (``--virtual-time-budget`` lets timers and fetches finish) and prints
the final DOM, so a lab page writes what its script saw into the DOM and the
notebook reads it back. A ``Profile`` keeps one user-data folder across several
loads, like one browser that is closed and reopened between them.

When no Chromium is installed, ``available()`` is False and ``skip_reason()``
says so in Korean: the labs then skip the browser step plainly, never fake it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from sessionlab.infra.tmp import lab_dir

_LAUNCHER = str(Path(__file__).with_name("_launch.py"))

__all__ = ["find_chromium", "available", "skip_reason", "host_rules", "Profile", "dump_dom", "BrowserError"]

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
# Flags: no sandbox (containers run as root), and no background traffic to the
# internet (this course never leaves 127.0.0.1).
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
]


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
    ``flags`` are more Chromium switches for every load.
    """

    def __init__(self, hosts: tuple[str, ...] = (), flags: tuple[str, ...] = ()):
        binary = find_chromium()
        if binary is None:
            raise BrowserError(skip_reason())
        self.binary = binary
        self.dir = str(lab_dir("chromium"))
        self.flags = [host_rules(hosts)] if hosts else []
        self.flags += list(flags)

    def _spawn(self, *args: str, capture: bool) -> subprocess.Popen:
        """Chromium on this profile, in a session of its own (so its helpers can be ended together)."""
        # Through _launch.py (parent-death signal, as for redis-server): a killed kernel takes Chromium with it.
        launch = [sys.executable, "-S", "-I", _LAUNCHER, str(os.getpid())]
        argv = [*launch, self.binary, *_FLAGS, *self.flags, f"--user-data-dir={self.dir}", *args]
        return subprocess.Popen(
            argv,
            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            text=capture,
        )

    def dump_dom(self, url: str, timeout: float = 20, budget_ms: int = 2000) -> str:
        """Load ``url`` in a fresh browser process on this profile; return the final DOM."""
        proc = self._spawn(f"--virtual-time-budget={budget_ms}", "--dump-dom", url, capture=True)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            out = None
        finally:
            _kill_group(proc)  # renderer and helper processes go too
        if out is None:
            raise BrowserError(f"Chromium이 {timeout:.0f}초 안에 페이지를 읽지 못했습니다: {url}")
        return out

    def run_until(self, url: str, done, timeout: float = 20) -> None:
        """Open ``url`` as a user would (no --dump-dom); once ``done()`` holds, close the browser normally.

        A normal close (SIGINT, like closing the window) lets Chromium write its cookie database
        and session state; its helper processes are ended afterwards.
        """
        proc = self._spawn(url, capture=False)
        try:
            deadline = time.monotonic() + timeout
            while not done() and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.05)
            time.sleep(1.0)  # let the page's last responses land in the cookie store
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        finally:
            _kill_group(proc)

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Profile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _kill_group(proc: subprocess.Popen) -> None:
    """Chromium's helper processes outlive the main one by a second or two: end them now."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def dump_dom(url: str, timeout: float = 20, budget_ms: int = 2000, hosts: tuple[str, ...] = ()) -> str:
    """Load ``url`` once in a brand-new profile and return the final DOM."""
    with Profile(hosts=hosts) as profile:
        return profile.dump_dom(url, timeout=timeout, budget_ms=budget_ms)
