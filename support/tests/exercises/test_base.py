"""The shared pieces of the checkers: letter-set answers."""

from __future__ import annotations

import pytest

from sessionlab.exercises.base import letter_mistakes

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
