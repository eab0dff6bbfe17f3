"""Fixtures shared by the unit tests (flaskr's tests/conftest.py is the model)."""

import pytest

from sessionlab.infra.redis_servers import start_redis


@pytest.fixture(scope="module")
def redis_server():
    """A real redis-server of its own for one test module, stopped when the module ends."""
    server = start_redis(name=None)
    yield server
    server.stop()
