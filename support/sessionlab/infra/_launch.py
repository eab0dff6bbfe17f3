"""Exec a program so that it dies with the process that started us.

Run as ``python -S -I _launch.py PARENT_PID PROGRAM ARGS...``. On Linux we set
the parent-death signal (prctl PR_SET_PDEATHSIG) and exec the program, so even a
SIGKILLed Jupyter kernel (nbval stops kernels that way) takes its redis-server
with it. Elsewhere we stay as a small watchdog that kills the program when the
parent goes away. Kept free of imports from sessionlab so it starts in ~10 ms.
"""

import os
import signal
import subprocess
import sys
import time


def main() -> None:
    parent = int(sys.argv[1])
    argv = sys.argv[2:]
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took effect
            sys.exit(1)
        os.execv(argv[0], argv)
    child = subprocess.Popen(argv)
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    while child.poll() is None:
        if os.getppid() != parent:
            child.kill()
            break
        time.sleep(0.2)
    sys.exit(child.wait())


if __name__ == "__main__":
    main()
