"""One course-owned temp folder for every lab's files (Redis data, SQLite files, keys, browser profiles).

Each lab folder is named ``<kind>-<owner pid>-<random>``. nbval stops kernels with
SIGKILL, so no finalizer runs then; the next ``lab_dir`` of the same kind sweeps
the folders whose owner process is gone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["course_tmp", "pid_alive", "sweep_stale", "lab_dir", "RUN_MARK", "RUN_MARK_FILE"]


def course_tmp() -> Path:
    """``$SESSIONLAB_TMP``, or ``<system temp>/sessionlab-<uid>``; created if missing."""
    root = Path(os.environ.get("SESSIONLAB_TMP") or Path(tempfile.gettempdir()) / f"sessionlab-{os.getuid()}")
    root.mkdir(parents=True, exist_ok=True)
    return root


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _rmtree(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def sweep_stale(kind: str, remove: Callable[[Path], None] = _rmtree) -> int:
    """Remove ``kind-*`` folders left by processes that no longer exist; returns how many.

    ``remove`` removes one folder (e.g. a browser profile with what it left elsewhere).
    """
    removed = 0
    for d in course_tmp().glob(f"{kind}-*"):
        try:
            owner = int(d.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if owner != os.getpid() and not pid_alive(owner):
            remove(d)
            removed += 1
    return removed


RUN_MARK = "SESSIONLAB_TEST_RUN"
RUN_MARK_FILE = ".test-run"


def lab_dir(kind: str, remove: Callable[[Path], None] = _rmtree) -> Path:
    """A fresh folder for this process, after sweeping stale ones of the same kind.

    Under the course's test run (``$SESSIONLAB_TEST_RUN`` set by the root conftest) the
    folder gets a ``.test-run`` file with that id, so the run's leftover check can tell
    its own redis-servers from a learner's open lab (redis-server overwrites its own
    environment with its process title, so the mark cannot be read from the process).
    """
    sweep_stale(kind, remove)
    folder = Path(tempfile.mkdtemp(prefix=f"{kind}-{os.getpid()}-", dir=course_tmp()))
    mark = os.environ.get(RUN_MARK)
    if mark:
        (folder / RUN_MARK_FILE).write_text(mark)
    return folder
