"""ex02a.check_defence_scenarios: typical wrong answers get a Korean hint, the right one passes."""

from __future__ import annotations

import pytest

from sessionlab.exercises import ex02a as c

RIGHT = {1: "B", 2: "C", 3: "A", 4: "D", 5: "E", 6: "F", 7: "G"}


def test_right_answer_passes_in_any_case():
    assert c.check_defence_scenarios(RIGHT)
    assert c.check_defence_scenarios({k: v.lower() for k, v in RIGHT.items()})


def test_blank_and_wrong_shape_say_what_to_write():
    assert "빈칸" in c.check_defence_scenarios(...).message
    assert "1~7" in c.check_defence_scenarios({1: "B"}).message
    verdict = c.check_defence_scenarios({**RIGHT, 4: "Z"})
    assert not verdict and "A~G" in verdict.message


def test_httponly_and_secure_swapped_are_explained():
    verdict = c.check_defence_scenarios({**RIGHT, 1: "C", 2: "B"})
    assert not verdict
    assert "네트워크를 엿보는" in verdict.message and "스크립트는 막지 못합니다" in verdict.message
    assert "상황 3" not in verdict.message  # only the wrong ones are named


@pytest.mark.parametrize(
    ("scenario", "letter", "words"),
    [(5, "G", "로그아웃한 그 순간"), (7, "E", "로그아웃하지 않았습니다"), (6, "A", "비밀번호를 다시")],
)
def test_typical_confusions_get_their_own_hint(scenario, letter, words):
    verdict = c.check_defence_scenarios({**RIGHT, scenario: letter})
    assert not verdict and words in verdict.message and verdict.message.startswith("1개")


def test_options_and_scenarios_cover_each_other():
    assert set(c.SCENARIOS) == set(RIGHT) and set(RIGHT.values()) == set(c.DEFENCE_OPTIONS)
