"""Re-execute notebooks in place, top to bottom, and store clean outputs.

Usage: python tools/execute_notebooks.py [notebooks/NN_name.ipynb ...]
(no argument: every notebook). The kernel runs in notebooks/, like nbval's.
Fails if a cell raises (unless marked NBVAL_RAISES_EXCEPTION) or if an output
shows a path of this machine, which a learner would not have.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
LEAK = re.compile(r"(/tmp/|/work/|/root/|/home/\w+/|site-packages)")


KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
CELL_METADATA = {"tags", "jupyter"}  # tags: nbval markers; jupyter: hidden solution cells


def clean(nb) -> None:
    # Widget state is one kernel session's snapshot: outputs keep their text fallback instead.
    nb.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC, "language_info": {"name": "python"}})
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        cell.pop("id", None)
    nb.nbformat, nb.nbformat_minor = 4, 4


def stored_problems(nb) -> list[str]:
    """Why ``nb`` does not look as this command stores it (e.g. it was saved from JupyterLab)."""
    problems = []
    if dict(nb.get("metadata", {})) != {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}:
        problems.append(
            f"notebook metadata {sorted(nb.get('metadata', {}))} (widget state, editor settings?)"
        )
    if (nb.get("nbformat"), nb.get("nbformat_minor")) != (4, 4):
        problems.append("nbformat is not 4.4")
    expected = 1
    for i, cell in enumerate(nb.get("cells", [])):
        extra = set(cell.get("metadata", {})) - CELL_METADATA
        if extra or "id" in cell:
            problems.append(f"cell {i}: editor metadata {sorted(extra | ({'id'} & set(cell)))}")
        if cell.get("cell_type") != "code":
            continue
        if cell.get("execution_count") != expected:
            problems.append(f"cell {i}: execution_count {cell.get('execution_count')}, expected {expected}")
        for out in cell.get("outputs", []):
            if out.get("output_type") == "execute_result" and out.get("execution_count") != expected:
                problems.append(f"cell {i}: an output from another run")
        expected += 1
    return problems


def leaks(nb) -> list[str]:
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            text = str(out)
            m = LEAK.search(text)
            if m:
                found.append(f"cell {i}: …{text[max(0, m.start() - 80) : m.end() + 80]}…")
    return found


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            tags = cell.metadata.setdefault("tags", [])
            if "NBVAL_RAISES_EXCEPTION" in cell.source and "raises-exception" not in tags:
                tags.append("raises-exception")  # nbclient's own marker for an expected error
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=180,
        kernel_name="python3",
        record_timing=False,
        coalesce_streams=True,  # one stdout block per cell, however the kernel happened to flush it
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    elapsed = time.perf_counter() - start
    clean(nb)
    problems = leaks(nb)
    if problems:
        raise SystemExit(f"{path.name}: outputs show machine paths: {problems}")
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> None:
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        print(f"{path.name}: {execute(path):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
