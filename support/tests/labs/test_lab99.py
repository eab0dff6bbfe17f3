"""Notebook 99's quiz: every model answer covers its points; the scorer finds what is missing."""

from sessionlab.labs.lab00 import NOTEBOOKS
from sessionlab.labs.lab99 import QUESTIONS, answer_sentences, by_id, quiz_widget, score_answer


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
        and "Spring에서는:" in quiz.result.value
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


def test_every_answer_has_its_spring_names():
    for q in QUESTIONS:
        assert "`" in q.spring and q.spring.rstrip().endswith("다."), q.id


def test_answers_keep_the_distinctions_the_notebooks_measured():
    # 03 and 05: failure isolation holds only while the server keeps no state; a shared store is a shared dependency
    assert "서버가 상태를 갖지 않는 한" in by_id("stateless").answer
    multi = by_id("multi-server").answer
    assert "그 서버의 사용자만" in multi and "로그아웃" in multi and "공통 의존성" in multi
    # RFC 6265 6.1 sets a minimum browsers SHOULD support, not a guarantee
    assert "적어도 4,096바이트" in by_id("cookie-session").answer
    # 04: HTTP stays stateless, the application holds the state
    assert "애플리케이션" in by_id("session-vs-stateless").answer


def test_answer_sentences_split_at_sentence_ends_only():
    text = "첫 문장입니다. HTTP/1.1은 그대로입니다(예: 5.1.3). 마지막입니다."
    assert answer_sentences(text) == [
        "첫 문장입니다.",
        "HTTP/1.1은 그대로입니다(예: 5.1.3).",
        "마지막입니다.",
    ]
    assert answer_sentences("") == []


def test_answers_markdown_has_one_section_per_question():
    from sessionlab.labs.lab99 import answers_markdown

    md = answers_markdown()
    assert md.count("#### ") == len(QUESTIONS) and md.count("**Spring에서는:**") == len(QUESTIONS)
    first = md.split("#### ")[1]
    assert (
        first.startswith("1. 쿠키와 세션")
        and "\n- 둘 다 무상태인 HTTP" in first
        and "**꼬리 질문:** 브라우저를" in first
    )
    assert answers_markdown([]) == ""


def test_score_text_reads_as_one_line():
    from sessionlab.labs.lab99 import score_text

    line = score_text(score_answer("cookie-session", "쿠키는 브라우저에, 세션은 서버에 저장됩니다."))
    assert line.startswith("다룬 요점 2/6: 저장 위치, 서버 저장 | 빠진 요점: 세션 ID")
    assert score_text({"covered": [], "missing": []}) == "다룬 요점 0/0: 없음 | 빠진 요점: 없음"


def test_the_quiz_timer_says_what_its_icon_buttons_do():
    import ipywidgets as w

    from sessionlab.labs.lab99 import quiz_widget

    row = quiz_widget(seconds=5, seed=1).children[1]
    timer, label = row.children[0], row.children[1]
    assert isinstance(timer, w.Play) and "시작" in timer.tooltip and "멈춤" in timer.tooltip
    assert isinstance(label, w.Label) and label.value == timer.tooltip
