"""Build the student edition: solutions removed, exercise outputs cleared, everything else as stored.

Usage: python tools/student_edition.py [OUT_DIR]   (default: dist/student)
OUT_DIR gets a copy of every file git tracks (so ``make lab`` works there) with the notebooks
replaced by the student edition; an instructor hands the folder out or pushes it to a branch. Exercise cells get the nbval tag ``nbval-ignore-output``, so
the edition still passes nbval (the learner's blanks print "아직" when run).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def is_solution(cell) -> bool:
    """The course's hidden solution cells: source and output hidden, ``solution`` in the code."""
    hidden = cell.metadata.get("jupyter", {})
    return (
        cell.cell_type == "code"
        and "solution" in cell.source.lower()
        and bool(hidden.get("source_hidden") and hidden.get("outputs_hidden"))
    )


def is_exercise(cell) -> bool:
    """A learner's cell: it assigns ``answer... = ...`` (the blank) and calls a ``check_`` function."""
    return cell.cell_type == "code" and "check_" in cell.source and " = ..." in cell.source


def student_notebook(nb):
    """A copy of ``nb`` without solution cells, its exercise cells cleared and tagged for nbval."""
    nb = nbformat.from_dict(nb)
    nb.cells = [c for c in nb.cells if not is_solution(c)]
    for cell in filter(is_exercise, nb.cells):
        cell.outputs, cell.execution_count = [], None
        tags = cell.metadata.setdefault("tags", [])
        if "nbval-ignore-output" not in tags:
            tags.append("nbval-ignore-output")
    return nb


def tracked_files(root: Path = ROOT) -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True).stdout
    return [name for name in listed.decode().split("\0") if name and (root / name).is_file()]


def build(out: Path, root: Path = ROOT) -> list[Path]:
    """Copy the course into ``out`` and write its student notebooks; returns the notebooks written."""
    if out.resolve() == root.resolve() or root.resolve() in out.resolve().parents and "dist" not in out.parts:
        raise SystemExit("학생용 판은 dist/ 아래나 저장소 밖에 만드세요.")
    written = []
    for name in tracked_files(root):
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name.startswith("notebooks/") and name.endswith(".ipynb"):
            nbformat.write(student_notebook(nbformat.read(root / name, as_version=4)), target)
            written.append(target)
        else:
            shutil.copy2(root / name, target)
    return written


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist" / "student"
    done = build(out)
    print(f"학생용 노트북 {len(done)}개: {out / 'notebooks'} (정답 셀 제거, 연습 문제 출력 비움)")
