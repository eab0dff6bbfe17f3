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
import resource
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


sys.path.insert(0, str(ROOT / "tools"))
import workers  # noqa: E402  (tools/workers.py: how many test processes make test starts here)

sys.path.pop(0)
WORKERS = str(workers.workers(workers.available_here()))


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


# CPU seconds (user + sys of the command and every process it waited for), per timed command.
CPU: dict[str, list[float]] = {}


def _timed_run(what: str, cmd: list[str]) -> float:
    """Wall seconds of ``cmd``; its CPU seconds go to ``CPU[what]``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:  # a failing run is no figure: say which test failed, then stop
        sys.stderr.write("\n".join(done.stdout.splitlines()[-60:]) + "\n")
        raise SystemExit(f"{what}: {' '.join(cmd[2:5])}… failed (exit {done.returncode})")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.setdefault(what, []).append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall


def unit_seconds() -> float:
    """``pytest -n WORKERS`` over support/tests (the UI tests left out), as ``make test`` runs them."""
    return _timed_run(
        "unit",
        [
            sys.executable,
            "-m",
            "pytest",
            "-n",
            WORKERS,
            "--dist",
            "loadfile",
            "-q",
            "-m",
            "not ui",
            "support/tests",
        ],
    )


def whole_seconds() -> float:
    """``make test``'s pytest command (unit tests and every notebook under strict nbval, ``-n WORKERS``)."""
    return _timed_run(
        "whole",
        [sys.executable, "-m", "pytest", "-n", WORKERS, "--dist", "loadfile", "-q", "-m", "not ui", "support/tests",
         "--nbval", "notebooks", "--nbval-sanitize-with", "tools/nbval_sanitize.cfg"],
    )  # fmt: skip


def fresh_clone_seconds() -> float:
    """``git clone`` of the last commit into a temporary folder, then ``make test`` there: set-up included."""
    with tempfile.TemporaryDirectory(prefix="sessionlab-fresh-") as tmp:
        subprocess.run(["git", "clone", "-q", str(ROOT), tmp], check=True, stdout=subprocess.DEVNULL)
        return _timed_run("fresh", ["make", "-C", tmp, "test"])


def redis_ping_ms() -> float:
    """A lab Redis from start to its first PING answer, in ms."""
    sys.path.insert(0, str(ROOT / "support"))
    from sessionlab.infra.redis_servers import RedisServer

    start = time.perf_counter()
    server = RedisServer(name=None)
    try:
        server.client().ping()
        return (time.perf_counter() - start) * 1000
    finally:
        server.stop()


def chromium_load_seconds(shared: bool) -> float:
    """One page load in Chromium: a tab in the shared browser, or a browser started for it (--dump-dom)."""
    sys.path.insert(0, str(ROOT / "support"))
    from sessionlab.infra import browser

    with browser.Profile() as profile:
        if shared:
            profile.dump_dom("about:blank")  # the browser is up; measure the next load
        start = time.perf_counter()
        if shared:
            profile.dump_dom("about:blank", budget_ms=100)
        else:
            profile._dump_dom_process("about:blank", timeout=30, budget_ms=100)
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
    parser.add_argument("--whole", action="store_true", help="also time make test's pytest command")
    parser.add_argument(
        "--fresh", action="store_true", help="also time make test in a fresh clone (set-up included)"
    )
    args = parser.parse_args()
    # As `make test`: kernels and pytest keep compiled bytecode even where PYTHONDONTWRITEBYTECODE is set.
    os.environ["PYTHONDONTWRITEBYTECODE"] = ""
    names = args.names or sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    rows = []
    for name in names:
        med, times = median_of(args.runs, lambda n=name: notebook_seconds(n))
        rows.append((name, med, times, str(GOALS.get(name, OTHER_GOAL))))
        print(f"{name}: {med:.1f} s (median of {args.runs})", flush=True)
    if not args.skip_unit:
        med, times = median_of(args.runs, unit_seconds)
        rows.append((f"unit tests, -n {WORKERS}", med, times, "—"))
        rows.append(("unit tests, CPU time (user + sys)", statistics.median(CPU["unit"]), CPU["unit"], "—"))
        print(f"unit tests: {med:.1f} s", flush=True)
    if args.whole:
        med, times = median_of(args.runs, whole_seconds)
        rows.append((f"make test (unit + notebooks, -n {WORKERS})", med, times, "75"))
        rows.append(("make test, CPU time (user + sys)", statistics.median(CPU["whole"]), CPU["whole"], "—"))
        print(f"make test: {med:.1f} s", flush=True)
    if args.fresh:
        med, times = median_of(args.runs, fresh_clone_seconds)
        rows.append(("fresh clone → make test (set-up and lint included)", med, times, "180"))
        print(f"fresh clone → make test: {med:.1f} s", flush=True)
    parts = []
    med, times = median_of(15, redis_ping_ms)
    parts.append(
        f"| a lab Redis, start → PING | {med:.0f} ms | {min(times):.0f}–{max(times):.0f} ms | 50 ms |"
    )
    from sessionlab.infra import browser

    if browser.available():
        for shared, what in (
            (False, "a Chromium started for one page (--dump-dom)"),
            (True, "a tab in the shared Chromium"),
        ):
            med, times = median_of(5, lambda s=shared: chromium_load_seconds(s))
            parts.append(
                f"| {what} | {med * 1000:.0f} ms | {min(times) * 1000:.0f}–{max(times) * 1000:.0f} ms | — |"
            )
        browser.close_browsers()
    total = sum(r[1] for r in rows if r[0] in names)
    head = (
        f"# Course timings\n\nWritten by `benchmarks/bench_course.py` on {time.strftime('%Y-%m-%d')}: "
        f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}; "
        f"median of {args.runs} runs each, one at a time (the machine otherwise idle is assumed, not checked).\n\n"
        f"Notebooks one after another: {total:.0f} s of work in total (`make test` runs them on {WORKERS} workers).\n\n"
    )
    small = "\n\n| 무엇 (한 번) | 중앙값 | 범위 | 목표 |\n|---|---:|---|---:|\n" + "\n".join(parts)
    (ROOT / "benchmarks" / "results.md").write_text(head + table(rows) + small + "\n", encoding="utf-8")
    print("→ benchmarks/results.md")


if __name__ == "__main__":
    main()
