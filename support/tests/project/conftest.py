"""What the project tests share: the command that checks one notebook under strict nbval, as `make test` does."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sessionlab.infra.tmp import RUN_MARK

ROOT = Path(__file__).resolve().parents[3]


def _nbval_command(notebook: Path, rootdir: Path) -> list[str]:
    """pytest on one notebook in a child process, with the course's sanitize file and its own rootdir.

    The child runs without this run's SESSIONLAB_TEST_RUN mark: it picks its own, so its leftover
    check counts only its own redis-servers, never one the other xdist worker has open right now.
    """
    return [
        "env", "-u", RUN_MARK, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
        "--nbval", str(notebook), "--nbval-sanitize-with", str(ROOT / "tools" / "nbval_sanitize.cfg"),
        "--rootdir", str(rootdir),
    ]  # fmt: skip


@pytest.fixture
def nbval_command():
    return _nbval_command
