"""A class on one JupyterHub host: two learners run the course at the same moment without interfering."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
NOTEBOOK = "00_start_here.ipynb"  # starts a web server and a Redis of its own, then stops them


def learner_copy(home: Path) -> Path:
    """What nbgitpuller leaves in a learner's home: the course's notebooks folder."""
    notebooks = home / "sessionlab" / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return notebooks / NOTEBOOK


def test_two_copies_of_the_course_run_at_once_and_both_pass(nbval_command, tmp_path):
    runs = [
        subprocess.Popen(
            nbval_command(learner_copy(tmp_path / who), tmp_path / who),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for who in ("learner-a", "learner-b")
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], "\n".join(out[-1500:] for out in outputs)
    assert all(" passed" in out and "failed" not in out for out in outputs)
