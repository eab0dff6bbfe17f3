"""The notebook harness itself: strict nbval catches a changed output; the sanitize file masks only noise."""

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from sessionlab.infra.redis_servers import RedisServer

ROOT = Path(__file__).resolve().parents[3]


def write_probe(path: Path, source: str, stored_text: str) -> None:
    cell = new_code_cell(
        source, execution_count=1, outputs=[new_output("stream", name="stdout", text=stored_text)]
    )
    nb = new_notebook(
        cells=[cell],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(nb, path)


def test_strict_nbval_fails_on_a_changed_output_and_ignores_sanitized_noise(nbval_command, tmp_path):
    src = 'print("2 + 2 =", 2 + 2, "at 127.0.0.1:" + str(__import__("random").randint(1024, 65535)))'
    folder = tmp_path / "probes"
    folder.mkdir()
    write_probe(folder / "same.ipynb", src, "2 + 2 = 4 at 127.0.0.1:1234\n")  # only the port differs
    write_probe(folder / "changed.ipynb", src, "2 + 2 = 5 at 127.0.0.1:1234\n")
    shutil.copy(ROOT / "conftest.py", folder)  # the child checks for leftovers, as the student edition's does
    with RedisServer(name="other-worker"):  # this run's Redis, open in another test: not the child's leftover
        run = subprocess.run(  # one nbval run over both: one pytest start instead of two
            [*nbval_command(folder, tmp_path), "-rA"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
    assert "redis-server가 남아 있습니다" not in run.stdout, run.stdout[-1500:]
    assert "PASSED probes/same.ipynb::Cell 0" in run.stdout, run.stdout[-2000:]
    assert "FAILED probes/changed.ipynb::Cell 0" in run.stdout and "mismatch" in run.stdout.lower()
    assert run.returncode != 0


def test_notebook_00_runs_twice_in_one_kernel():
    # The same check `make rerun` runs on every notebook: named servers and Redis are
    # replaced, not started twice, so re-running all cells works.
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from run_twice import run_twice
    finally:
        sys.path.pop(0)
    assert run_twice(ROOT / "notebooks" / "00_start_here.ipynb") is None


def test_run_twice_reports_a_notebook_that_only_works_in_a_fresh_kernel(tmp_path):
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from run_twice import run_twice
    finally:
        sys.path.pop(0)
    path = tmp_path / "fresh_only.ipynb"
    nb = new_notebook(
        cells=[new_code_cell("runs = globals().get('runs', 0) + 1\nassert runs == 1")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(nb, path)
    problem = run_twice(path)
    assert problem is not None and problem.startswith("round 2")
