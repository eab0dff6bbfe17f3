"""The launcher every redis-server and Chromium goes through: it becomes the program, and starts fast."""

import os
import subprocess
import sys

import pytest

from sessionlab.infra._launch import command

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="exec path is Linux-only")


@linux_only
def test_on_linux_the_launcher_becomes_the_program():
    proc = subprocess.Popen(command("/bin/sh", "-c", "echo $$"), stdout=subprocess.PIPE, text=True)
    out, _ = proc.communicate(timeout=10)
    assert int(out) == proc.pid  # exec'd in place: no watchdog process in between


@linux_only
def test_on_linux_the_launcher_does_not_import_subprocess():
    # Every lab Redis start waits for this process; `subprocess` alone doubles its start-up.
    argv = command("/bin/true")
    argv[1:1] = ["-X", "importtime"]  # right after the interpreter
    run = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    assert run.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if "|" in line}
    assert "ctypes" in imported  # the report really lists what was imported
    assert not imported & {"subprocess", "threading", "selectors"}


def test_fds_option_puts_the_pipes_on_3_and_4():
    cmd_r, cmd_w = os.pipe()
    resp_r, resp_w = os.pipe()
    try:
        os.write(cmd_w, b"ping\n")
        os.close(cmd_w)
        argv = command("/bin/sh", "-c", "read x <&3; echo got-$x >&4", fds=(cmd_r, resp_w))
        proc = subprocess.Popen(argv, pass_fds=(cmd_r, resp_w))
        os.close(resp_w)
        assert proc.wait(timeout=10) == 0
        assert os.read(resp_r, 100) == b"got-ping\n"
    finally:
        for fd in (cmd_r, resp_r):
            os.close(fd)
