"""Rebuild requirements.lock from requirements.txt, and environment.yml from the lock (`make lock`).

The lock pins every package the course installs, so a fresh clone next year gets the same
versions; environment.yml (Binder, conda) carries the same pins line for line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV_HEAD = """\
# Binder (repo2docker) and conda users. Written by `make lock` from requirements.lock:
# do not edit by hand. support/tests/project/test_pins.py fails if the two drift.
# postBuild installs the sessionlab package.
name: sessionlab
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""


def locked_lines(lock: Path) -> list[str]:
    """The requirement lines of a lock file (``name==version`` and its marker), without comments."""
    return [
        line.strip()
        for line in lock.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def write_environment(lock: Path, env: Path) -> None:
    env.write_text(ENV_HEAD + "".join(f"      - {line}\n" for line in locked_lines(lock)))


def main() -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "uv",
            "pip",
            "compile",
            "requirements.txt",
            "--universal",
            "--python-version",
            "3.11",
            "--no-header",
            "--quiet",
            "-o",
            "requirements.lock",
        ],
        cwd=ROOT,
        check=True,
    )
    write_environment(ROOT / "requirements.lock", ROOT / "environment.yml")


if __name__ == "__main__":
    main()
