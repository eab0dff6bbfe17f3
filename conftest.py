"""Course-wide pytest settings: after every test, nothing the labs started may be left running."""

import os
import subprocess
import time


def _lab_redis_processes() -> list[str]:
    """redis-server processes whose working folder is one of the course's temp folders."""
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    left = []
    for line in ps.splitlines():
        pid, _, args = line.strip().partition(" ")
        if "redis-server" not in args:
            continue
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if "sessionlab" in cwd:
            left.append(line.strip())
    return left


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):
        return  # xdist workers: the controller checks once, after all of them
    deadline = time.monotonic() + 3  # killed kernels' children get SIGKILL a moment later
    left = _lab_redis_processes()
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = _lab_redis_processes()
    if left:
        print("\n세션랩: 테스트가 끝났는데 redis-server가 남아 있습니다:\n  " + "\n  ".join(left))
        session.exitstatus = 1
