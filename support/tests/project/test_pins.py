"""One source of truth for versions: requirements.txt names them, requirements.lock pins everything, environment.yml copies the lock."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[3]


def pins(lines):
    return {
        m.group(1).lower(): m.group(2)
        for m in (re.match(r"\s*-?\s*([A-Za-z0-9_.\-]+)==(\S+)", line) for line in lines)
        if m
    }


def requirement_lines(path):
    return [
        line.strip()
        for line in path.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def test_every_requirement_is_pinned_exactly():
    lines = requirement_lines(ROOT / "requirements.txt")
    assert all("==" in line for line in lines), [line for line in lines if "==" not in line]


def test_the_lock_pins_every_package_and_agrees_with_requirements():
    lock = requirement_lines(ROOT / "requirements.lock")
    assert len(lock) > len(requirement_lines(ROOT / "requirements.txt")), (
        "the lock holds the transitive packages too"
    )
    assert all(re.match(r"[A-Za-z0-9_.\-]+==\S+( ;.*)?$", line) for line in lock), [
        line for line in lock if "==" not in line
    ]
    req, locked = pins(requirement_lines(ROOT / "requirements.txt")), pins(lock)
    assert {k: locked.get(k) for k in req} == req, "requirements.txt changed: run `make lock`"


def test_environment_yml_carries_the_lock_line_for_line():
    env = [
        line.strip()[2:]
        for line in (ROOT / "environment.yml").read_text().splitlines()
        if line.strip().startswith("- ") and "==" in line
    ]
    assert env == requirement_lines(ROOT / "requirements.lock"), "run `make lock` (it writes environment.yml)"


def test_setup_installs_from_the_lock_with_uv_and_falls_back_to_pip():
    # What make would run (-n: print only, -B: as on a fresh clone), with its variables expanded.
    run = subprocess.run(["make", "-n", "-B", "setup"], cwd=ROOT, capture_output=True, text=True, check=True)
    script = run.stdout.replace("\\\n", " ")
    uv_pin = next(line for line in requirement_lines(ROOT / "requirements.lock") if line.startswith("uv=="))
    fast, _, fallback = script.partition("|| { .venv")
    assert f"pip install --quiet --disable-pip-version-check {uv_pin} " in fast  # the uv of the lock
    assert "uv pip install --quiet --python .venv/bin/python -r requirements.lock" in fast
    assert "pip install --quiet --disable-pip-version-check -r requirements.lock" in fallback
    assert "--no-deps -e ." in fast and "--no-deps -e ." in fallback
    assert "requirements.txt" not in script


def test_loading_nbformat_builds_no_parser_the_course_does_not_use():
    """jsonschema 4.25+ builds a Lark IRI grammar at import: 1.5 s in every pytest process and child run."""
    code = "import sys, nbformat; print(sorted(m for m in ('lark', 'rfc3987_syntax') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_binder_config_is_complete_and_not_shadowed():
    # repo2docker reads a binder/ folder instead of the root when one exists: keep config at the root.
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists()
    post = (ROOT / "postBuild").read_text()
    assert post.startswith("#!") and "set -e" in post and "pip install --no-deps -e ." in post
    assert "python tools/lab_settings.py" in post and "python -m playwright install chromium" in post
    assert (ROOT / "postBuild").stat().st_mode & 0o111
    assert subprocess.run(["bash", "-n", str(ROOT / "postBuild")]).returncode == 0  # it parses


def test_apt_txt_names_packages_the_distribution_has():
    """Binder installs apt.txt: the libraries Playwright's Chromium needs, and a Korean font."""
    names = [
        line for line in (ROOT / "apt.txt").read_text().splitlines() if line and not line.startswith("#")
    ]
    assert {"libnss3", "libgbm1", "fonts-nanum"} <= set(names) and names == sorted(names)
    if shutil.which("apt-cache") is None:
        pytest.skip("apt-cache가 없어 패키지 이름을 확인하지 못했습니다 (Debian/Ubuntu에서 확인됩니다).")
    shown = subprocess.run(
        ["apt-cache", "show", "--no-all-versions", *names], capture_output=True, text=True
    ).stdout
    missing = [n for n in names if f"Package: {n}\n" not in shown]  # one call: apt-cache is slow to start
    assert missing == [], f"apt.txt의 패키지가 배포판에 없습니다: {missing}"


def test_readme_shows_both_commands_and_a_binder_badge_to_notebook_00():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    badge = re.search(r"https://mybinder\.org/v2/gh/[^)\s]+urlpath=([^)\s]+)", readme)
    assert badge and unquote(badge.group(1)).startswith("lab/tree/notebooks/")
    assert (ROOT / unquote(badge.group(1)).removeprefix("lab/tree/")).exists()


def test_code_and_course_text_each_have_a_licence_named_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "CC BY 4.0" in (ROOT / "LICENSE-content.md").read_text()
    assert "`LICENSE`" in readme and "`LICENSE-content.md`" in readme and "CC BY 4.0" in readme


def test_postbuild_runs_to_completion_in_a_fresh_virtual_environment(tmp_path):
    """postBuild as repo2docker runs it, offline: a new venv on a copy of the course, no package index.

    The new venv sees the installed requirements through a .pth file (Binder installs them from
    environment.yml before postBuild); only Playwright's download, which needs the network, is skipped.
    """
    course = tmp_path / "course"
    for part in ("pyproject.toml", "postBuild", "README.md", "support/sessionlab", "tools/lab_settings.py"):
        copy = shutil.copytree if (ROOT / part).is_dir() else shutil.copy2
        (course / part).parent.mkdir(parents=True, exist_ok=True)
        copy(ROOT / part, course / part)
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True)
    site = next((fresh / "lib").glob("python3*/site-packages"))
    installed = next(p for p in map(Path, sys.path) if p.name == "site-packages" and (p / "pip").is_dir())
    (site / "requirements.pth").write_text(f"{installed}\n")
    (fresh / "bin" / "pip").write_text('#!/bin/sh\nexec "$(dirname "$0")/python" -m pip "$@"\n')
    (fresh / "bin" / "pip").chmod(0o755)
    env = {
        "PATH": f"{fresh / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PIP_NO_INDEX": "1",  # offline: nothing may be downloaded
        "PIP_NO_BUILD_ISOLATION": "0",  # build with the installed setuptools
        "SESSIONLAB_OFFLINE": "1",
    }
    run = subprocess.run(
        ["bash", "postBuild"], cwd=course, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout[-1500:] + run.stderr[-1500:]
    where = subprocess.run(
        [fresh / "bin" / "python", "-c", "import sessionlab; print(sessionlab.__file__)"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert where.stdout.strip().startswith(str(course / "support" / "sessionlab")), where.stderr
    overrides = json.loads((fresh / "share/jupyter/lab/settings/overrides.json").read_text())
    assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == "ko_KR"
