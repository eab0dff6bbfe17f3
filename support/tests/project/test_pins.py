"""One source of truth for versions: environment.yml must carry requirements.txt's pins."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def pins(lines):
    return {m.group(1).lower(): m.group(2) for m in (re.match(r"\s*-?\s*([A-Za-z0-9_.\-]+)==(\S+)", l) for l in lines) if m}


def test_environment_yml_has_the_same_pins_as_requirements():
    req = pins((ROOT / "requirements.txt").read_text().splitlines())
    env = pins((ROOT / "environment.yml").read_text().splitlines())
    assert req, "requirements.txt has no pins"
    assert env == req, f"drift: only in requirements {set(req.items()) - set(env.items())}, only in environment.yml {set(env.items()) - set(req.items())}"


def test_every_requirement_is_pinned_exactly():
    lines = [l.strip() for l in (ROOT / "requirements.txt").read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert all("==" in l for l in lines), [l for l in lines if "==" not in l]


def test_binder_config_is_complete_and_not_shadowed():
    # repo2docker reads a binder/ folder instead of the root when one exists: keep config at the root.
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists()
    assert not (ROOT / "apt.txt").exists(), "the course must need nothing from apt on Binder"
    post = (ROOT / "postBuild").read_text()
    assert post.startswith("#!") and "set -e" in post and "pip install --no-deps -e ." in post
    assert (ROOT / "postBuild").stat().st_mode & 0o111


def test_readme_shows_both_commands_and_a_binder_badge_to_notebook_00():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    badge = re.search(r"https://mybinder\.org/v2/gh/[^)\s]+urlpath=lab/tree/(notebooks/[\w.]+\.ipynb)", readme)
    assert badge and (ROOT / badge.group(1)).exists()
