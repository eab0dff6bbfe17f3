"""Exec a program so that it dies with the process that started us.

Run as ``python -S -I _launch.py PARENT_PID PROGRAM ARGS...``. On Linux we set
the parent-death signal (prctl PR_SET_PDEATHSIG) and exec the program, so even a
SIGKILLed Jupyter kernel (nbval stops kernels that way) takes its redis-server
with it. Elsewhere we stay as a small watchdog that kills the program when the
parent goes away. It imports only what Linux needs (``subprocess`` alone would
double its start-up), so a lab Redis answers its first PING sooner.

``--fds R W`` right after PARENT_PID puts R on fd 3 and W on fd 4 first: Chromium's
``--remote-debugging-pipe`` reads commands from 3 and answers on 4.
"""

import os
import signal
import sys


def command(*program: str, fds: tuple[int, int] | None = None) -> list[str]:
    """The argv that runs ``program`` through this launcher, tied to the calling process."""
    pipes = ["--fds", str(fds[0]), str(fds[1])] if fds else []
    return [sys.executable, "-S", "-I", os.path.abspath(__file__), str(os.getpid()), *pipes, *program]


def _pipes_on_3_and_4(read_fd: int, write_fd: int) -> None:
    import fcntl

    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (read_fd, write_fd)]  # out of 3 and 4's way
    for fd in (read_fd, write_fd):
        os.close(fd)
    for target, fd in zip((3, 4), high):
        os.dup2(fd, target)  # dup2 makes the copy inheritable
        os.close(fd)


def main() -> None:
    parent = int(sys.argv[1])
    argv = sys.argv[2:]
    if argv[:1] == ["--fds"]:
        _pipes_on_3_and_4(int(argv[1]), int(argv[2]))
        argv = argv[3:]
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took effect
            sys.exit(1)
        os.execv(argv[0], argv)
    import subprocess
    import time

    child = subprocess.Popen(argv, pass_fds=(3, 4) if _has_fd(3) else ())
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    while child.poll() is None:
        if os.getppid() != parent:
            child.kill()
            break
        time.sleep(0.2)
    sys.exit(child.wait())


def _has_fd(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


if __name__ == "__main__":
    main()
