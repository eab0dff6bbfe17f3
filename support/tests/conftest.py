"""Fixtures shared by the unit tests (flaskr's tests/conftest.py is the model)."""

import os
import time

import pytest

from sessionlab.infra.redis_servers import start_redis


@pytest.fixture(scope="module")
def redis_server():
    """A real redis-server of its own for one test module, stopped when the module ends."""
    server = start_redis(name=None)
    yield server
    server.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture
def alive():
    """``alive(pid)``: is that process still running (a zombie counts as gone)?"""
    return _alive


@pytest.fixture
def wait_dead():
    """``wait_dead(pid, timeout=5)``: True once the process is gone, False if it outlives the timeout."""

    def wait(pid: int, timeout: float = 5) -> bool:
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        return not _alive(pid)

    return wait
