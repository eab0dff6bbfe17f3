"""The shared pieces of the checkers: letter-set answers."""

from __future__ import annotations

import pytest

from sessionlab.exercises.base import check_letters, letter_mistakes

OPTIONS = {"A": "…", "B": "…", "C": "…", "D": "…"}


@pytest.mark.parametrize(
    ("answer", "problem", "wrong"),
    [
        ({"b", " D"}, None, []),  # lower case and spaces are fine
        (["B"], None, ["D"]),  # missed D
        ({"A", "B", "D"}, None, ["A"]),  # A chosen wrongly
        ("BD", "집합으로", []),
        ({"Z"}, "A~D 중에서", []),
        (..., "빈칸", []),
    ],
)
def test_letter_mistakes(answer, problem, wrong):
    got, mistakes = letter_mistakes(answer, OPTIONS, {"B", "D"})
    assert (got is None) if problem is None else (problem in got.message and not got)
    assert mistakes == wrong


SCENARIO = {
    "A": ("a", False, "A: hint a"),
    "B": ("b", True, "B: hint b"),
    "C": ("c", False, "C: hint c"),
    "D": ("d", True, "D: hint d"),
}


def test_check_letters_praises_the_right_set_and_gives_each_mistakes_hint():
    assert (
        check_letters({"B", "D"}, SCENARIO, "well done")
        and check_letters({"B", "D"}, SCENARIO, "well done").message == "well done"
    )
    wrong = check_letters({"A", "B"}, SCENARIO, "well done")  # A chosen wrongly, D missed
    assert not wrong and wrong.message == "A: hint a / D: hint d"
    assert (
        not check_letters(..., SCENARIO, "well done") and "빈칸" in check_letters(..., SCENARIO, "x").message
    )
