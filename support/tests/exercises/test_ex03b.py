"""Checkers of notebook 03b accept the right answers and reject typical mistakes with a Korean hint."""

from __future__ import annotations

import pytest

from sessionlab.exercises.ex03b import (
    CHOICES,
    SENT_AUTOMATICALLY,
    SENT_SCENARIO,
    SITUATIONS,
    check_sent_automatically,
    check_strategy_choice,
    check_trusted_values,
)
from sessionlab.labs.lab03b import STRATEGY_NAMES

RIGHT = {"A": 1, "B": 5, "C": 6, "D": 7, "E": 4}  # by number: 1 URL 쿼리 … 8 토큰


# --- exercise 1: where each situation's state belongs ------------------------------
@pytest.mark.parametrize(
    "answer",
    [
        RIGHT,
        dict(RIGHT, E=3),  # a persistent cookie for the theme is right too (01 teaches it)
        dict(RIGHT, E="쿠키"),  # names work as well as numbers
        {"a": "1", "b": "서버 세션", "c": 6, "d": "캐시", "e": "Web Storage"},
    ],
)
def test_strategy_choice_right_answers(answer):
    got = check_strategy_choice(answer)
    assert got and "E는" in got.message


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (dict(RIGHT, C=7), "재시작"),  # order history in a cache
        (dict(RIGHT, B=3), "사용자가 바꾸면 안 되는 값"),  # permissions in a cookie
        (dict(RIGHT, E=5), "테마처럼"),  # a theme in the server session
        (dict(RIGHT, A=9), "전략이 아닙니다"),
        (dict(RIGHT, A="엑셀"), "1 URL 쿼리"),
        ({"A": 1}, "A~E"),
        ([1, 5, 6, 7, 4], "A~E"),
        (..., "빈칸"),
    ],
)
def test_strategy_choice_wrong_answers(answer, hint):
    got = check_strategy_choice(answer)
    assert not got and hint in got.message


def test_situations_and_choices_agree():
    assert set(SITUATIONS) == set(CHOICES)
    assert all(set(right) <= set(STRATEGY_NAMES) for right, _ in CHOICES.values())


# --- exercise 2: values the user can change ---------------------------------------


# --- exercise 2 (notebook): which received values the server may trust ------------
@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        ({"C", "D"}, True, "서명을 검증한 토큰"),
        (["c", "d"], True, "다시 확인"),
        ({"A", "C", "D"}, False, "1원 주문"),  # trusting the hidden price
        ({"C", "D", "E"}, False, "개발자 도구"),  # trusting what a script read from localStorage
        ({"C"}, False, "D: 서명이 맞으면"),  # a verified token's claims can be trusted
        ({"B", "C", "D"}, False, "서명하지 않은 쿠키"),
        ({"Z"}, False, "중에서 고르세요"),
        ("CD", False, "집합"),
        (None, False, "빈칸"),
    ],
)
def test_check_trusted_values(answer, ok, hint):
    got = check_trusted_values(answer)
    assert bool(got) is ok and hint in got.message


# --- exercise 3: what the browser sends by itself ---------------------------------
@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        ({"B", "E"}, True, "HttpOnly 세션 ID 쿠키도"),
        (["b", "e"], True, "스크립트가 보낼 때만"),
        (
            {"B", "C", "E"},
            False,
            "C: Web Storage는 저절로 실리지 않습니다",
        ),  # the mistake the old exercise taught
        ({"B", "E", "F"}, False, "Authorization"),  # a token in localStorage is not sent by itself
        ({"B"}, False, "E: HttpOnly는"),  # HttpOnly cookies are still sent
        ({"A", "B", "E"}, False, "그 주소로 가는 요청에만"),
        ({"G"}, False, "중에서 고르세요"),
        ("BE", False, "집합"),
        (..., False, "빈칸"),
    ],
)
def test_check_sent_automatically(answer, ok, hint):
    got = check_sent_automatically(answer)
    assert bool(got) is ok and hint in got.message


def test_sent_scenario_answer_is_the_cookies():
    assert {SENT_SCENARIO[k][0] for k in SENT_AUTOMATICALLY} == {
        "Set-Cookie로 받은 theme=dark 쿠키",
        "로그인 때 받은 HttpOnly 세션 ID 쿠키",
    }
