"""Checkers of notebook 04 accept the right answer and reject typical mistakes with a Korean hint."""

from __future__ import annotations

import pytest

from sessionlab.exercises.ex04 import (
    check_memory_estimate,
    check_needs_state,
    check_statements,
)


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        (600 * 250_000 / 2**20, True, "정비례"),
        (600 * 250_000 / 1e6, False, "MB가 아니라 MiB"),  # divided by 10**6
        (600 * 250_000, False, "÷"),  # bytes, not MiB
        ("143", False, "숫자"),
    ],
)
def test_check_memory_estimate(answer, ok, hint):
    got = check_memory_estimate(answer, 600, 250_000, unit="MiB")
    assert bool(got) is ok and hint in got.message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        ({"b", "C"}, True, "폐기 목록"),
        ({"A", "B", "C"}, False, "A와 D"),  # signature check needs no store
        ({"B", "C", "D"}, False, "A와 D"),  # exp check needs no store
        ({"B"}, False, "3.6의 폐기 목록"),  # refresh reuse detection is state too
        ({"C"}, False, "빠진 것"),  # so is the denylist
        (5, False, "집합"),
    ],
)
def test_check_needs_state(answer, ok, hint):
    got = check_needs_state(answer)
    assert bool(got) is ok and hint in got.message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        ({"B", "E"}, True, "애플리케이션"),
        (["b", "e"], True, "열쇠"),
        ({"A", "B", "E"}, False, "HTTP는 그대로 무상태"),  # "sessions make HTTP stateful"
        ({"B", "C", "E"}, False, "저장소 없는 서버"),  # "a request with a session id is self-contained"
        ({"B", "D", "E"}, False, "라우팅을 고친 것"),  # "a shared store keeps REST's constraint"
        ({"E"}, False, "B: 3.2의 원시 요청"),
        ({"F"}, False, "A~E"),
        ("BE", False, "A~E"),
        (..., False, "빈칸"),
    ],
)
def test_check_statements(answer, ok, hint):
    got = check_statements(answer)
    assert bool(got) is ok and hint in got.message
