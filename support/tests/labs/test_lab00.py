"""Course map, glossary rows and the environment check of notebook 00."""

from pathlib import Path

import pytest

from sessionlab.labs.lab00 import NOTEBOOKS, course_map, environment, glossary_rows, glossary_table

GLOSSARY = Path(__file__).resolve().parents[3] / "notebooks" / "glossary.md"


def test_course_map_marks_missing_notebooks_as_in_preparation(tmp_path):
    (tmp_path / "01_cookie_vs_session.ipynb").write_text("{}")
    table = course_map(tmp_path).data
    assert "[01_cookie_vs_session](01_cookie_vs_session.ipynb)" in table and "| 준비됨 |" in table
    assert table.count("| 준비 중 |") == len(NOTEBOOKS) - 1


def test_environment_reports_without_machine_paths():
    env = environment()
    assert "/" not in env["Redis"] and set(env) == {"Python", "Redis", "Chromium (브라우저 실험)"}


def test_glossary_rows_come_from_the_glossary_file_in_the_order_asked():
    rows = glossary_rows(["무상태", "쿠키"], GLOSSARY)
    assert [r.term for r in rows] == ["무상태", "쿠키"]
    assert rows[0].english == "stateless" and rows[0].where.startswith("03")
    table = glossary_table(rows).data
    assert table.splitlines()[2].startswith("| 무상태 | stateless |") and len(table.splitlines()) == 4


def test_glossary_rows_refuse_a_term_the_glossary_lacks(tmp_path):
    small = tmp_path / "glossary.md"
    small.write_text(
        "| 용어 | English | 뜻 | 처음 | 쓰지 않는 말 |\n| --- | --- | --- | --- | --- |\n| 쿠키 | cookie | 값 | 01 | — |\n"
    )
    assert glossary_rows(["쿠키"], small)[0].meaning == "값"
    with pytest.raises(KeyError, match="세션"):
        glossary_rows(["쿠키", "세션"], small)
