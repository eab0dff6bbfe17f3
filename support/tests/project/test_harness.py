"""The notebook harness itself: strict nbval catches a changed output; the sanitize file masks only noise."""

import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[3]


def run_nbval(nbval_command, tmp_path, source, stored_text):
    cell = new_code_cell(
        source, execution_count=1, outputs=[new_output("stream", name="stdout", text=stored_text)]
    )
    nb = new_notebook(
        cells=[cell],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    return subprocess.run(
        nbval_command(path, tmp_path), capture_output=True, text=True, cwd=tmp_path, timeout=120
    )


def test_strict_nbval_fails_on_a_changed_output_and_ignores_sanitized_noise(nbval_command, tmp_path):
    src = 'print("2 + 2 =", 2 + 2, "at 127.0.0.1:" + str(__import__("random").randint(1024, 65535)))'
    assert run_nbval(nbval_command, tmp_path, src, "2 + 2 = 4 at 127.0.0.1:1234\n").returncode == 0
    changed = run_nbval(nbval_command, tmp_path, src, "2 + 2 = 5 at 127.0.0.1:1234\n")
    assert changed.returncode != 0 and "mismatch" in changed.stdout.lower()


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
