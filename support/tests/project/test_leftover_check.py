"""The root conftest's leftover check counts only redis-servers of this test run."""

import importlib.util
import os
import subprocess
import time
from pathlib import Path

from sessionlab.infra.redis_servers import find_redis_server
from sessionlab.infra.tmp import course_tmp, lab_dir

ROOT = Path(__file__).resolve().parents[3]


def _root_conftest():
    spec = importlib.util.spec_from_file_location("sessionlab_root_conftest", ROOT / "conftest.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _orphan_redis(tmp_dir: Path, env: dict, sock: str) -> int:
    """A redis-server (a unix socket, no TCP port) in a course folder, re-parented away from us like a user's lab."""
    out = subprocess.run(
        [
            "sh",
            "-c",
            f"'{find_redis_server()}' --port 0 --unixsocket {sock} --save '' >/dev/null 2>&1 & echo $!",
        ],
        cwd=tmp_dir,
        env=env,
        capture_output=True,
        text=True,
        start_new_session=True,
        timeout=10,
    ).stdout
    return int(out.strip())


def _wait_listed(conftest, pid: int, present: bool) -> bool:
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        listed = any(line.split()[0] == str(pid) for line in conftest._lab_redis_processes())
        if listed == present:
            return True
        time.sleep(0.05)
    return False


def test_leftover_check_ignores_other_users_and_catches_ours(tmp_path):
    conftest = _root_conftest()
    # a learner's lab: its folder has no mark of this run
    foreign_dir = course_tmp() / f"redis-1-leftovercheck-foreign-{os.getpid()}"
    foreign_dir.mkdir(exist_ok=True)
    # one of ours, as lab_dir makes it under the test run, from a kernel that is gone
    ours_dir = lab_dir("redis")
    assert (ours_dir / ".test-run").read_text() == os.environ["SESSIONLAB_TEST_RUN"]
    foreign = _orphan_redis(foreign_dir, dict(os.environ), "foreign.sock")
    ours = _orphan_redis(ours_dir, dict(os.environ), "ours.sock")
    try:
        time.sleep(0.2)  # both have exec'd redis-server
        # someone else's lab (no mark, not our descendant) is not a leftover of this run ...
        assert _wait_listed(conftest, foreign, present=False)
        # ... but an orphan of ours (a killed kernel's child, re-parented) still is
        assert _wait_listed(conftest, ours, present=True)
    finally:
        for pid in (foreign, ours):
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        time.sleep(0.1)
        import shutil

        shutil.rmtree(foreign_dir, ignore_errors=True)
        shutil.rmtree(ours_dir, ignore_errors=True)
