"""Course benchmark: how long each notebook takes to run, and the unit tests, median of several runs.

Run: make bench  (or .venv/bin/python benchmarks/bench_course.py [--runs 3] [--skip-unit] [NN_name ...])
Writes benchmarks/results.md with the machine's CPU count, so a slowdown shows up beside the goals
of the speed issue. Each notebook runs in a fresh kernel on a copy (nothing is stored); the figure
is wall time for the whole notebook, the way a learner's Restart and Run All feels it.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
GOALS = {
    "05_multi_server_sessions": 20,
    "01_cookie_vs_session": 10,
    "04a_jwt_vs_session": 10,
    "02_session_login": 10,
}
OTHER_GOAL = 8


def notebook_seconds(name: str) -> float:
    """Run one notebook top to bottom in a fresh kernel, from a copy of the notebooks folder."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "notebooks"
        shutil.copytree(ROOT / "notebooks", folder)
        nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
        start = time.perf_counter()
        NotebookClient(
            nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
        ).execute()
        return time.perf_counter() - start


def unit_seconds() -> float:
    """``pytest -n 2`` over support/tests (the UI tests left out), as ``make test`` runs them."""
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-n",
            "2",
            "--dist",
            "loadfile",
            "-q",
            "-m",
            "not ui",
            "support/tests",
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def median_of(runs: int, measure) -> tuple[float, list[float]]:
    times = [measure() for _ in range(runs)]
    return statistics.median(times), times


def table(rows: list[tuple[str, float, list[float], str]]) -> str:
    lines = ["| 무엇 | 중앙값 (초) | 각 실행 (초) | 목표 (초) |", "|---|---:|---|---:|"]
    lines += [
        f"| {what} | {med:.1f} | {', '.join(f'{t:.1f}' for t in times)} | {goal} |"
        for what, med, times, goal in rows
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebooks (default: all)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-unit", action="store_true")
    args = parser.parse_args()
    names = args.names or sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    rows = []
    for name in names:
        med, times = median_of(args.runs, lambda n=name: notebook_seconds(n))
        rows.append((name, med, times, str(GOALS.get(name, OTHER_GOAL))))
        print(f"{name}: {med:.1f} s (median of {args.runs})", flush=True)
    if not args.skip_unit:
        med, times = median_of(args.runs, unit_seconds)
        rows.append(("unit tests, -n 2", med, times, "—"))
        print(f"unit tests: {med:.1f} s", flush=True)
    total = sum(r[1] for r in rows if r[0] in names)
    head = (
        f"# Course timings\n\nWritten by `benchmarks/bench_course.py` on {time.strftime('%Y-%m-%d')}: "
        f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}; "
        f"median of {args.runs} runs each, one at a time (the machine otherwise idle is assumed, not checked).\n\n"
        f"Notebooks one after another: {total:.0f} s of work in total (`make test` runs them on 2 workers).\n\n"
    )
    (ROOT / "benchmarks" / "results.md").write_text(head + table(rows) + "\n", encoding="utf-8")
    print("→ benchmarks/results.md")


if __name__ == "__main__":
    main()
