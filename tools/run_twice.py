"""Run each notebook's cells twice in one kernel, as a learner re-running everything would.

Usage: python tools/run_twice.py [notebooks/NN_name.ipynb ...] (no argument: every notebook).
Nothing is written. Exits 1 if any notebook fails on either round (e.g. "port in use",
a server or Redis started twice, a counter that assumed a fresh kernel).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def run_twice(path: Path) -> str | None:
    """None if both rounds pass, else what failed."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    with client.setup_kernel():
        for round_ in (1, 2):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    client.execute_cell(cell, index)
                except Exception as exc:  # nbclient's CellExecutionError and timeouts
                    return f"round {round_}, cell {index}: {type(exc).__name__}: {str(exc)[-400:]}"
    return None


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    failed = 0
    for path in paths:
        start = time.perf_counter()
        problem = run_twice(path)
        failed += problem is not None
        print(
            f"{path.name}: {'OK' if problem is None else 'FAILED ' + problem} ({time.perf_counter() - start:.1f} s)",
            flush=True,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
