"""One long-lived headless Chromium per process, driven over the DevTools protocol on a pipe.

Starting Chromium costs about half a second; a lab loads pages dozens of times. So a
``Profile`` borrows a *browser context* (a fresh cookie jar and storage, like a new
private window) from one shared browser instead of starting a browser per page.
The protocol runs over ``--remote-debugging-pipe`` (file descriptors 3 and 4), not a
TCP port, so no other user on the machine can reach the browser.

``SharedChromium.dump_dom`` does what ``chromium --dump-dom --virtual-time-budget``
does: once the page has loaded, its clock runs ``budget_ms`` of virtual time (paused
while a fetch is pending), then the final DOM is read.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

from sessionlab.infra import _launch

__all__ = ["SharedChromium", "shared", "close_shared", "CdpError"]

_SOCKET_NOTE = ".socket-dir"  # in the profile folder: where its Chromium's socket folder is
# The DOM as --dump-dom prints it: doctype, then the document element.
_DOM = (
    "(document.doctype ? new XMLSerializer().serializeToString(document.doctype) + '\\n' : '')"
    " + document.documentElement.outerHTML"
)


# The page area of a tab in headless Chromium's default 800 x 600 window.
_WINDOW = {"width": 780, "height": 493, "deviceScaleFactor": 1, "mobile": False}


class CdpError(RuntimeError):
    """The browser answered a command with an error, died, or took too long."""


class SharedChromium:
    """A headless Chromium started once; ``new_context``/``dump_dom``/``dispose`` talk to it."""

    def __init__(self, binary: str, flags: list[str], user_data_dir: str):
        self.dir = user_data_dir
        cmd_r, self._out = os.pipe()  # we write commands, Chromium reads fd 3
        self._in, resp_w = os.pipe()  # Chromium answers on fd 4
        argv = _launch.command(
            binary,
            *flags,
            "--remote-debugging-pipe",
            f"--user-data-dir={user_data_dir}",
            "about:blank",  # the first tab: not the New Tab page, which is a WebUI page to render
            fds=(cmd_r, resp_w),
        )
        self.proc = subprocess.Popen(
            argv,
            pass_fds=(cmd_r, resp_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its helper processes end with the group
        )
        os.close(cmd_r)
        os.close(resp_w)
        self._buf = b""
        self._next_id = 0
        self._events: list[dict] = []
        self._opening = False  # dump_dom is opening a tab (see _resume_unless_ours)
        self._lock = threading.RLock()  # one conversation at a time (lab servers run in threads)
        self.contexts: set[str] = set()  # open browser contexts (Profiles using this browser)
        self.send("Browser.getVersion", timeout=30)  # ready when it answers
        # Every new tab waits for us before its first request: dump_dom sizes it first (below).
        self.send(
            "Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True}
        )
        self._events.clear()  # the start page's attach note
        # Noted now, on disk: a Chromium caught in its own shutdown has unlinked it by close
        # (or by the sweep, when its kernel was killed).
        found = socket_dir(user_data_dir)
        if found is not None:
            (Path(user_data_dir) / _SOCKET_NOTE).write_text(str(found), encoding="utf-8")

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    # -- the protocol ---------------------------------------------------------------
    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30):
        """Send one command and return its result; events that arrive meanwhile are queued."""
        with self._lock:
            try:
                sent = self._write(method, params, session)
            except OSError as exc:
                raise CdpError(f"Chromium에 명령을 보내지 못했습니다: {exc}") from exc
            deadline = time.monotonic() + timeout
            while True:
                reply = self._read(deadline)
                if reply.get("id") == sent:
                    if "error" in reply:
                        raise CdpError(f"{method}: {reply['error'].get('message')}")
                    return reply.get("result", {})
                if "method" in reply:
                    self._events.append(reply)

    def _write(self, method: str, params: dict | None, session: str | None) -> int:
        """Write one command to the pipe; returns its id (the answer is read by the caller, or skipped)."""
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            data = data[os.write(self._out, data) :]
        return self._next_id

    def wait_event(self, method: str, session: str, timeout: float) -> dict:
        """The next ``method`` event of ``session`` (queued or yet to come)."""
        with self._lock:
            deadline = time.monotonic() + timeout
            while True:
                for i, event in enumerate(self._events):
                    if event["method"] == method and event.get("sessionId") == session:
                        return self._events.pop(i)
                self._events.append(self._read(deadline))

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CdpError("Chromium이 제시간에 답하지 않았습니다.")
            ready, _, _ = select.select([self._in], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(self._in, 1 << 16)
                if not chunk:
                    raise CdpError("Chromium이 종료되었습니다.")
                self._buf += chunk
            elif not self.alive:
                raise CdpError("Chromium이 종료되었습니다.")
        raw, self._buf = self._buf.split(b"\0", 1)
        message = json.loads(raw)
        if message.get("method") == "Target.attachedToTarget":
            self._resume_unless_ours(message["params"])
        return message

    def _resume_unless_ours(self, attached: dict) -> None:
        """The tab dump_dom is opening waits until it is set up; anything else a page starts (a popup,
        a worker) runs at once. The answer to this command is not awaited (send skips it)."""
        if not attached.get("waitingForDebugger"):
            return
        if self._opening:  # the first target to attach while dump_dom opens its tab is that tab
            self._opening = False
            return
        try:
            self._write("Runtime.runIfWaitingForDebugger", None, attached["sessionId"])
        except OSError:  # the browser is gone: the next read says so
            pass

    # -- what a Profile needs -------------------------------------------------------
    def new_context(self) -> str:
        """A fresh browser context: its own cookies and storage, like a new private window."""
        context = self.send("Target.createBrowserContext", {"disposeOnDetach": False})["browserContextId"]
        self.contexts.add(context)
        return context

    def dispose(self, context: str) -> None:
        self.contexts.discard(context)
        if self.alive:
            try:
                self.send("Target.disposeBrowserContext", {"browserContextId": context}, timeout=10)
            except CdpError:
                pass

    def dump_dom(self, context: str, url: str, budget_ms: int, timeout: float) -> str:
        """Open ``url`` in a new tab of ``context``, let ``budget_ms`` of page time pass, return the DOM.

        The tab is hidden: a page in the context's cookie jar and storage as any tab, but without
        a browser window around it (address bar, tab strip) that headless Chromium would lay out
        and paint for nobody. A hidden tab has no size of its own, so it gets a window's. It opens
        on ``url`` itself (one renderer process; opened on ``about:blank`` and then sent on, it took
        two) and waits before its first request until it has that size and we watch its load.
        A page that calls ``window.open`` never finishes loading here: a hidden tab gets no popup,
        and the call waits for one (no lab page opens windows).
        """
        with self._lock:
            tab = session = None
            self._opening = True  # see _resume_unless_ours
            try:
                tab = self.send(
                    "Target.createTarget", {"url": url, "browserContextId": context, "hidden": True}
                )["targetId"]
                session = self._attached(tab, timeout)
                self.send("Emulation.setDeviceMetricsOverride", _WINDOW, session=session)
                self.send("Page.enable", session=session)
                self.send("Runtime.runIfWaitingForDebugger", session=session)  # now it may load
                if not self._blank_loaded(session, url):
                    self.wait_event("Page.loadEventFired", session, timeout)
                policy = {"policy": "pauseIfNetworkFetchesPending", "budget": budget_ms}
                self.send("Emulation.setVirtualTimePolicy", policy, session=session)
                self.wait_event("Emulation.virtualTimeBudgetExpired", session, timeout)
                return self._read_dom(session, time.monotonic() + timeout)
            finally:
                self._opening = False
                if tab is not None:
                    try:
                        self.send("Target.closeTarget", {"targetId": tab}, timeout=10)
                    except CdpError:
                        pass
                # This tab's events, and the browser's notes of this load (attached, detached).
                self._events = [e for e in self._events if e.get("sessionId") not in (None, session)]

    def _blank_loaded(self, session: str, url: str) -> bool:
        """``about:blank`` asked for and shown: the tab's first document, which fires no load event."""
        if url != "about:blank":
            return False
        state = self.send(
            "Runtime.evaluate", {"expression": "document.readyState", "returnByValue": True}, session=session
        )
        return state["result"].get("value") == "complete"

    def _attached(self, tab: str, timeout: float) -> str:
        """The session auto-attach opened on the new tab ``tab`` (which waits for us there)."""
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self._events):
                if (
                    event["method"] == "Target.attachedToTarget"
                    and event["params"]["targetInfo"]["targetId"] == tab
                ):
                    return self._events.pop(i)["params"]["sessionId"]
            self._events.append(self._read(deadline))

    def _read_dom(self, session: str, deadline: float) -> str:
        """The DOM now; a page caught between two documents (a form post navigating) gets a second
        to load the next one, else an empty string, as ``--dump-dom`` prints when it races a navigation."""
        for attempt in range(2):
            try:
                found = self.send(
                    "Runtime.evaluate", {"expression": _DOM, "returnByValue": True}, session=session
                )
                if "value" in found.get("result", {}):
                    return found["result"]["value"]
            except CdpError:  # the document went away while we asked
                pass
            if attempt == 0:
                try:  # page time stopped with the budget: let it run (and finish loading) again
                    self.send("Emulation.setVirtualTimePolicy", {"policy": "advance"}, session=session)
                    self.wait_event(
                        "Page.loadEventFired", session, max(min(deadline - time.monotonic(), 1.0), 0.1)
                    )
                except CdpError:
                    pass
        return ""

    def close(self) -> None:
        """End the browser and its helper processes; remove its folder."""
        for fd in (self._out, self._in):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        remove_profile(self.dir)


def socket_dir(profile: str | Path) -> Path | None:
    """The folder a running Chromium made in the temp dir for ``profile`` (its ``SingletonSocket``).

    When the link is gone, the folder noted at start: a kernel's death closes the pipe, so
    Chromium begins a clean shutdown (unlink the link, then remove the folder) and is killed
    in between by the parent-death signal.
    """
    try:
        found = Path(os.readlink(Path(profile) / "SingletonSocket")).parent
    except OSError:
        try:
            found = Path((Path(profile) / _SOCKET_NOTE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
    return found if found.name.startswith("org.chromium.Chromium.") else None


def remove_profile(folder: str | Path) -> None:
    """Remove a profile folder and the socket folder Chromium made for it in the temp dir.

    Chromium deletes ``/tmp/org.chromium.Chromium.*`` itself only on a clean exit; a killed
    browser (or one whose kernel was killed) leaves it, one per start.
    """
    leftover = socket_dir(folder)
    if leftover is not None:
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)


_browsers: dict[tuple[str, ...], SharedChromium] = {}
_guard = threading.Lock()


def shared(binary: str, flags: list[str], user_data_dir, preferences: dict | None = None) -> SharedChromium:
    """This process's browser for these flags and settings (started on first use, restarted if it died).

    ``user_data_dir`` is called only when a browser must be started; ``preferences`` (what a user
    changes in Settings) are written to its ``Default/Preferences`` before it starts.
    """
    key = (binary, *flags, json.dumps(preferences or {}, sort_keys=True))
    with _guard:
        found = _browsers.get(key)
        if found is not None and found.alive:
            _browsers[key] = _browsers.pop(key)  # most recently used last: _close_idle spares it
            return found
        if found is not None:
            found.close()
        _close_idle(keep=1)  # e.g. one browser per lab port's flags: do not let them pile up
        folder = Path(user_data_dir())
        if preferences:
            write_preferences(folder, preferences)
        _browsers[key] = started = SharedChromium(binary, flags, str(folder))
        return started


def _close_idle(keep: int) -> None:
    """Close shared browsers no Profile is using, all but the ``keep`` most recently used (caller holds _guard)."""
    idle = [key for key, b in _browsers.items() if not b.contexts]
    for key in idle[: max(len(idle) - keep, 0)]:  # least recently used first (see shared)
        _browsers.pop(key).close()


def write_preferences(folder: Path, preferences: dict) -> None:
    """Chromium reads a profile's settings from ``Default/Preferences`` when it starts."""
    (folder / "Default").mkdir(parents=True, exist_ok=True)
    (folder / "Default" / "Preferences").write_text(json.dumps(preferences), encoding="utf-8")


def close_shared() -> int:
    """Close every shared browser of this process; returns how many were running."""
    with _guard:
        browsers = list(_browsers.values())
        _browsers.clear()
    for b in browsers:
        b.close()
    return len(browsers)


atexit.register(close_shared)
