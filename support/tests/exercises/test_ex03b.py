"""Checkers of notebook 03b accept the right answer and reject typical mistakes."""

from __future__ import annotations

from sessionlab.exercises.ex03b import CHOICES, CLIENT_CHANGEABLE, check_strategy_choice, check_who_can_change
from sessionlab.labs.lab03b import STRATEGY_NAMES


# --- checkers -------------------------------------------------------------------
def test_check_strategy_choice():
    right = {k: v for k, (v, _) in CHOICES.items()}
    assert check_strategy_choice(right)
    assert not check_strategy_choice(...)
    wrong = dict(right, **{"주문 내역 (몇 년 뒤에도 봐야 한다)": "캐시"})
    got = check_strategy_choice(wrong)
    assert not got and "재시작" in got.message
    assert (
        "전략 이름"
        in check_strategy_choice(dict(right, **{"주문 내역 (몇 년 뒤에도 봐야 한다)": "엑셀"})).message
    )
    assert not check_strategy_choice({"a": "URL 쿼리"})


def test_check_who_can_change():
    assert check_who_can_change(set(CLIENT_CHANGEABLE))
    assert "401" in check_who_can_change(set(CLIENT_CHANGEABLE) | {"토큰"}).message
    assert "빠진 것: 숨은 폼 필드" in check_who_can_change(set(CLIENT_CHANGEABLE) - {"숨은 폼 필드"}).message
    assert "서버만" in check_who_can_change(set(CLIENT_CHANGEABLE) | {"캐시"}).message
    assert not check_who_can_change(["URL 쿼리"])
    assert not check_who_can_change({"엑셀"})
    assert set(STRATEGY_NAMES) >= CLIENT_CHANGEABLE
