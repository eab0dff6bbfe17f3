"""A claim cell asserts what it measured, never what the notebook itself wrote a few lines earlier."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tools"))
from claim_asserts import code_cells, unmeasured_asserts  # noqa: E402

sys.path.pop(0)
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_assert_checks_a_measured_value(path):
    assert unmeasured_asserts(code_cells(path)) == []


@pytest.mark.parametrize(
    "cells",
    [
        ["assert True"],
        ['answer = "HttpOnly"', 'assert answer == "HttpOnly"'],
        ["lost = 0\nsent = 20", "assert lost <= sent"],
        ['note = f"{3} KB"\nassert note'],
    ],
)
def test_asserts_on_what_the_notebook_wrote_are_reported(cells):
    assert len(unmeasured_asserts(cells)) == 1


@pytest.mark.parametrize(
    "cells",
    [
        ["r = requests.get(url)", "assert r.status_code == 200"],
        ["results = {}\nfor v in variants:\n    results[v] = probe(v)", 'assert results == {"a": 200}'],
        ["seen = []\nseen.append(fetch())\nassert seen == [1]"],
        ["assert servers_running() == []"],
        ["x = 1", "x = measure()", "assert x > 0"],
    ],
)
def test_asserts_on_measured_values_pass(cells):
    assert unmeasured_asserts(cells) == []
