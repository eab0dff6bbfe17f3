"""Notebook 99's quiz: every model answer covers its points; the scorer finds what is missing."""

from sessionlab.labs.lab00 import NOTEBOOKS
from sessionlab.labs.lab99 import QUESTIONS, by_id, quiz_widget, score_answer


def test_every_question_points_to_a_course_notebook_and_its_answer_covers_all_points():
    names = {name for name, _ in NOTEBOOKS}
    for q in QUESTIONS:
        assert q.notebook in names
        assert score_answer(q, q.answer)["missing"] == [], q.id


def test_scorer_lists_missing_points_and_ignores_case():
    s = score_answer("jwt-vs-session", "jwt는 BASE64라 누구나 읽습니다")
    assert "서명·암호화 아님" in s["covered"] and "폐기 어려움" in s["missing"] and 0 < s["ratio"] < 1
    assert score_answer(by_id("rest"), "")["ratio"] == 0


def test_quiz_widget_scores_what_was_typed_and_moves_on():
    quiz = quiz_widget(seconds=30, seed=1)
    first = quiz.state["q"]
    quiz.answer_box.value = first.answer
    quiz.score(None)
    assert (
        f"{len(first.points)}/{len(first.points)}" in quiz.result.value
        and "빠진 요점: <b>없음" in quiz.result.value
    )
    quiz.next_question(None)
    assert quiz.state["q"] is not first and quiz.result.value == "" and quiz.answer_box.value == ""


def test_every_correction_points_to_a_notebook_that_still_shows_it():
    from pathlib import Path

    from sessionlab.labs.lab99 import CORRECTIONS

    folder = Path(__file__).resolve().parents[3] / "notebooks"
    for c in CORRECTIONS:
        text = (folder / f"{c.notebook}.ipynb").read_text(encoding="utf-8")
        assert c.marker in text, (c.notebook, c.marker)


def test_corrections_table_has_one_row_per_correction_and_escapes_nothing_away():
    from sessionlab.labs.lab99 import CORRECTIONS, corrections_table

    table = corrections_table()
    assert table.count("\n") == len(CORRECTIONS) + 1
    assert all(c.usual in table and f"`{c.notebook}`" in table for c in CORRECTIONS)
    assert corrections_table([]).count("\n") == 1
