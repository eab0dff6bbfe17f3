"""``python -m sessionlab serve``: a real subprocess, started, asked, stopped with SIGTERM."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sessionlab.cli.serve import parse

SUPPORT = Path(__file__).resolve().parents[2]


def _children(pid: int) -> set[int]:
    """Every descendant of ``pid`` (read from /proc)."""
    parents: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parents[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, pp in parents.items() if pp == p}
        found |= kids
        todo.extend(kids)
    return found


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _start(*args: str) -> tuple[subprocess.Popen, str, str]:
    env = dict(os.environ, PYTHONPATH=str(SUPPORT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [sys.executable, "-m", "sessionlab", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            break
        lines.append(line)
        if "Ctrl-C" in line:
            break
    text = "".join(lines)
    match = re.search(r"http://127\.0\.0\.1:\d+/", text)
    if not match:
        proc.kill()
        pytest.fail(f"no URL printed: {text!r} {proc.stderr.read() if proc.stderr else ''}")  # type: ignore[union-attr]
    return proc, match.group(0), text


@pytest.mark.parametrize(
    "args, path, accounts",
    [(("login", "--store", "redis"), "", "alice"), (("token", "--vulnerable"), "me", "admin")],
)
def test_serve_answers_then_sigterm_stops_everything(args, path, accounts):
    proc, url, text = _start(*args)
    try:
        assert accounts in text  # the demo accounts are printed
        started = _children(proc.pid)
        if "redis" in args:
            assert started, "the redis store needs a redis-server of its own"
        try:
            status = urllib.request.urlopen(url + path, timeout=5).status
        except urllib.error.HTTPError as exc:
            status = exc.code
        assert status in (200, 401)  # the app itself answered (401: /me without a token)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        deadline = time.monotonic() + 3
        while any(_running(p) for p in started) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [p for p in started if _running(p)], "a process it started is still running"
        with pytest.raises(OSError):
            urllib.request.urlopen(url, timeout=2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_arguments_are_checked():
    assert parse(["serve", "login"]).store == "memory"
    with pytest.raises(SystemExit):
        parse(["serve", "shop"])
    with pytest.raises(SystemExit):
        parse(["serve", "login", "--store", "mongo"])
