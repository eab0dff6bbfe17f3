"""Checkers of notebook 03a accept the right answer and reject typical mistakes."""

from __future__ import annotations

import pytest

from sessionlab.exercises.ex03a import STATUS_CASES, check_idempotent, check_session_api, check_status_codes


# --- checkers ------------------------------------------------------------------------
def test_check_status_codes():
    assert check_status_codes(dict(STATUS_CASES))
    assert not check_status_codes(...)
    assert not check_status_codes({"본문이 깨진 JSON": 400})
    swapped = dict(STATUS_CASES, **{"틀린 비밀번호": 403, "남의 메모를 PUT": 401})
    got = check_status_codes(swapped)
    assert not got and "틀린 비밀번호" in got.message and "남의 메모를 PUT" in got.message


def test_check_status_codes_refuses_403_for_someone_elses_note():
    got = check_status_codes(dict(STATUS_CASES, **{"남의 메모를 PUT": 403}))
    assert not got and "있다는 것" in got.message


def test_check_idempotent():
    assert check_idempotent({"GET": True, "PUT": True, "DELETE": True, "POST": False, "PATCH": False})
    got = check_idempotent({"GET": True, "PUT": True, "DELETE": False, "POST": False, "PATCH": False})
    assert not got and "DELETE" in got.message
    assert not check_idempotent({"GET": True})


@pytest.mark.parametrize(
    "answer, ok, hint",
    [
        (
            {
                "로그인": ("POST", "/sessions"),
                "내 정보": ("GET", "/sessions/current"),
                "로그아웃": ("DELETE", "/sessions/current"),
            },
            True,
            "POST /sessions",
        ),
        (
            {
                "로그인": ("POST", "/login"),
                "내 정보": ("GET", "/sessions/current"),
                "로그아웃": ("DELETE", "/sessions/current"),
            },
            False,
            "동사",
        ),
        (
            {
                "로그인": ("PUT", "/sessions"),
                "내 정보": ("GET", "/sessions/current"),
                "로그아웃": ("DELETE", "/sessions/current"),
            },
            False,
            "405",
        ),
        (
            {
                "로그인": ("POST", "/sessions"),
                "내 정보": ("GET", "/sessions/me"),
                "로그아웃": ("DELETE", "/sessions/current"),
            },
            False,
            "404",
        ),
        ({"로그인": "POST /sessions"}, False, "모양"),
    ],
)
def test_check_session_api(answer, ok, hint):
    got = check_session_api(answer)
    assert bool(got) is ok and hint in got.message


@pytest.mark.parametrize(
    ("changes", "hint"),
    [
        ({"틀린 비밀번호": 403}, "누구인지 증명 못 함"),
        ({"필수 필드(password) 누락": 400}, "문법은 맞지만 내용이 틀림"),
        ({"Content-Type이 text/plain": 400}, "형식(media type)"),
        ({"이미 있는 이름으로 가입": 400}, "현재 상태와 충돌"),
    ],
)
def test_check_status_codes_hints(changes, hint):
    got = check_status_codes(dict(STATUS_CASES, **changes))
    assert not got and hint in got.message


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"DELETE": False}, "DELETE"),  # "the second DELETE answers 404"
        ({"POST": True}, "POST"),
        ({"PATCH": True}, "PATCH"),
    ],
)
def test_check_idempotent_hints(changes, named):
    right = {"GET": True, "PUT": True, "DELETE": True, "POST": False, "PATCH": False}
    got = check_idempotent(dict(right, **changes))
    assert not got and named in got.message and "서버 상태" in got.message
    assert "모두 키로" in check_idempotent({"GET": True}).message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        (("If-Match", 412), True, "갱신 손실"),
        (("if-match", 412), True, "412 Precondition Failed"),
        (("If-None-Match", 304), False, "캐시 재검증"),  # the caching twin
        (("If-Match", 409), False, "15.5.13"),  # Conflict is close but not the standard answer
        (("If-Match", 200), False, "덮어쓴 것"),
        (("ETag", 412), False, "요청 헤더의 이름"),
        ("If-Match", False, "튜플"),
        (..., False, "빈칸"),
    ],
)
def test_check_lost_update(answer, ok, hint):
    from sessionlab.exercises.ex03a import check_lost_update

    got = check_lost_update(answer)
    assert bool(got) is ok and hint in got.message
