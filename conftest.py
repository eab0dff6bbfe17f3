"""Course-wide pytest settings: after every test, nothing the labs started may be left running.

Only processes started by *this* test run count: the run marks its environment with
``SESSIONLAB_TEST_RUN=<random id>`` (inherited by xdist workers and nbval kernels), every lab
folder created under it holds that id in a ``.test-run`` file (``sessionlab.infra.tmp.lab_dir``),
and a redis-server counts when its working folder carries our id or it descends from this
process. A learner's open lab or another user's test run on the same machine has
its own (or no) mark, so it no longer fails ``make test``; our own leftovers still do.
"""

import os
import secrets
import subprocess
import time
import warnings

RUN_MARK = "SESSIONLAB_TEST_RUN"
# Set at import, before xdist starts its workers and nbval its kernels, so all inherit it;
# a worker imports this file with the mark already set and keeps the controller's value.
os.environ.setdefault(RUN_MARK, secrets.token_hex(8))

KERNEL_START_TRIES = 3


def retry_kernel_start(kernel_module) -> None:
    """Let nbval try each notebook's kernel start up to ``KERNEL_START_TRIES`` times.

    nbval starts one kernel per notebook; when that start fails, every cell of the notebook
    errors. On a loaded 2-core machine it happened once (all 31 cells of 02a, reason not kept),
    so a failed start is retried and reported, with its reason, in the warnings summary.
    """
    cls = kernel_module.RunningKernel
    if getattr(cls, "_sessionlab_retries", False):
        return
    start = cls.__init__

    def init(self, *args, **kwargs):
        for attempt in range(1, KERNEL_START_TRIES + 1):
            try:
                return start(self, *args, **kwargs)
            except Exception as exc:
                _stop_half_started(self)
                if attempt == KERNEL_START_TRIES:
                    raise
                warnings.warn(
                    f"커널 시작 실패 ({attempt}/{KERNEL_START_TRIES}), 다시 시도합니다: {exc!r}", stacklevel=2
                )

    cls.__init__ = init
    cls._sessionlab_retries = True


def _stop_half_started(kernel) -> None:
    """A start that failed after the kernel process began (nbval's iopub check) must not leave it running."""
    kc, km = kernel.__dict__.pop("kc", None), kernel.__dict__.pop("km", None)
    try:
        if kc is not None:
            kc.stop_channels()
        if km is not None:
            km.shutdown_kernel(now=True)
    except Exception:
        pass


try:
    from nbval import kernel as _nbval_kernel
except ImportError:  # nbval not installed: nothing to retry
    pass
else:
    retry_kernel_start(_nbval_kernel)


def _folder_mark(cwd: str) -> str | None:
    """The test-run id ``sessionlab.infra.tmp.lab_dir`` wrote into the lab folder, if any."""
    try:
        with open(os.path.join(cwd, ".test-run")) as f:
            return f.read().strip()
    except OSError:
        return None


def _descends_from(pid: str, ancestor: int) -> bool:
    seen = 0
    while pid not in ("0", "1") and seen < 64:  # bounded: a ppid chain is short
        if int(pid) == ancestor:
            return True
        try:
            with open(f"/proc/{pid}/stat") as f:
                pid = f.read().rsplit(")", 1)[1].split()[1]  # field 4, after "(comm)" and state
        except (OSError, IndexError):
            return False
        seen += 1
    return False


def _lab_redis_processes() -> list[str]:
    """redis-server processes of this test run whose working folder is a course temp folder."""
    # -ww: never cut the command line to $COLUMNS (pytest sets it; a long venv path hid "redis-server")
    ps = subprocess.run(["ps", "-ww", "-eo", "pid,args"], capture_output=True, text=True).stdout
    mark = os.environ[RUN_MARK]
    left = []
    for line in ps.splitlines():
        pid, _, args = line.strip().partition(" ")
        if "redis-server" not in args:
            continue
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if "sessionlab" not in cwd:
            continue
        if _folder_mark(cwd) == mark or _descends_from(pid, os.getpid()):
            left.append(line.strip())
    return left


# The longest files first (benchmarks/results.md): with `--dist loadfile` a worker takes whole files
# in collection order, so a long notebook picked up last would leave the other workers idle at the end.
LONG_FIRST = (
    "05_multi_server_sessions.ipynb",
    "01_cookie_vs_session.ipynb",
    "04a_jwt_vs_session.ipynb",
    "02_session_login.ipynb",
)


def pytest_collection_modifyitems(session, config, items):
    def rank(item) -> int:
        name = item.path.name
        return LONG_FIRST.index(name) if name in LONG_FIRST else len(LONG_FIRST)

    items.sort(key=rank)  # stable: every other file keeps its place and order


def pytest_sessionfinish(session, exitstatus):
    try:  # this process's shared headless Chromium (labs' browser experiments), if any started
        from sessionlab.infra.cdp import close_shared
    except ImportError:
        pass
    else:
        close_shared()
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
