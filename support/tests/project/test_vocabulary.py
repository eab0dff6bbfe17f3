"""Every notebook speaks the glossary's Korean (notebooks/glossary.md, checked by tools/vocabulary.py)."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tools"))
import vocabulary  # noqa: E402

sys.path.pop(0)
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_follows_the_glossary(path):
    findings = vocabulary.check_notebook(path)
    assert not findings, "\n" + vocabulary.report(path, findings)
