"""Notebooks are stored by `make execute` (top to bottom, clean metadata), never by an editor's save."""

import copy
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))
from execute_notebooks import stored_problems  # noqa: E402

sys.path.pop(0)


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_was_stored_by_make_execute(path):
    assert stored_problems(load(path)) == [], f"{path.name}: run `make execute NB=notebooks/{path.name}`"


@pytest.fixture
def stored():
    return load(ROOT / "notebooks" / "00_start_here.ipynb")


def test_a_jupyterlab_save_is_caught(stored):
    saved = copy.deepcopy(stored)
    saved["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    saved["cells"][0]["metadata"]["execution"] = {"iopub.status.busy": "2026-12-02T10:00:00Z"}
    saved["cells"][0]["id"] = "a1b2c3"
    problems = stored_problems(saved)
    assert any("widget" in p for p in problems)
    assert any("cell 0: editor metadata ['execution', 'id']" in p for p in problems)


def test_unexecuted_and_out_of_order_cells_are_caught(stored):
    code = [c for c in stored["cells"] if c["cell_type"] == "code"]
    assert len(code) >= 3
    unrun = copy.deepcopy(stored)
    [c for c in unrun["cells"] if c["cell_type"] == "code"][1]["execution_count"] = None
    assert any("execution_count None" in p for p in stored_problems(unrun))
    swapped = copy.deepcopy(stored)
    cells = [c for c in swapped["cells"] if c["cell_type"] == "code"]
    cells[0]["execution_count"], cells[1]["execution_count"] = 2, 1
    assert len(stored_problems(swapped)) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_are_hidden_source_and_output(path):
    shown = [
        i
        for i, cell in enumerate(load(path)["cells"])
        if cell["cell_type"] == "code"
        and "solution" in "".join(cell["source"]).lower()
        and not (
            cell["metadata"].get("jupyter", {}).get("source_hidden")
            and cell["metadata"].get("jupyter", {}).get("outputs_hidden")
        )
    ]
    assert shown == [], f"{path.name}: solution cells {shown} show their answer before the learner tries"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_exercise_says_not_done_yet_until_the_learner_writes_code(path):
    """A learner's cell (``answer = ...`` and a ``check_`` call) shows an honest "아직", never an answer."""
    exercises = [
        (i, cell)
        for i, cell in enumerate(load(path)["cells"])
        if cell["cell_type"] == "code"
        and "check_" in "".join(cell["source"])
        and " = ..." in "".join(cell["source"])
    ]
    for i, cell in exercises:
        shown = json.dumps(cell["outputs"], ensure_ascii=False)
        assert "아직" in shown and "정답" not in shown, f"{path.name} cell {i}: {shown[:200]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_pictures_the_markdown_shows_are_in_the_repository(path):
    for cell in load(path)["cells"]:
        if cell["cell_type"] == "markdown":
            for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", "".join(cell["source"])):
                assert target.startswith("images/") and (path.parent / target).is_file(), (
                    f"{path.name}: {target}"
                )


SPINE = [
    "## 1. 질문",
    "## 2. 핵심 정리",
    "## 3. 실습",
    "## 4. 주장 검증",
    "## 5. 연습 문제",
    "## 6. 면접 답변",
]


@pytest.mark.parametrize(
    "path", [p for p in NOTEBOOKS if p.name[:2] in {"01", "02", "03", "04", "05"}], ids=lambda p: p.name
)
def test_question_notebooks_keep_the_spine_in_order(path):
    """COURSE.md's spine: a learner always knows where the exercises and the interview answer are."""
    headings = [
        line.strip()
        for cell in load(path)["cells"]
        if cell["cell_type"] == "markdown"
        for line in "".join(cell["source"]).splitlines()
        if line.startswith("## ")
    ]
    assert [h for h in headings if h in SPINE] == SPINE, f"{path.name}: {headings}"
