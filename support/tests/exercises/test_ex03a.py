"""Checkers of notebook 03a accept the right answer and reject typical mistakes."""

from __future__ import annotations

import pytest

from sessionlab.exercises.ex03a import (
    EXERCISE_CASES,
    STATUS_CASES,
    check_account_api,
    check_etag_sequence,
    check_retry_safe,
    check_status_codes,
)

# --- checkers ------------------------------------------------------------------------
RIGHT_CODES = {1: 401, 2: 422, 3: 415, 4: 404, 5: 405, 6: 409, 7: 412}


def test_check_status_codes():
    assert check_status_codes(dict(RIGHT_CODES))
    assert check_status_codes({k: str(v) for k, v in RIGHT_CODES.items()})  # "401" is fine too
    assert "빈칸" in check_status_codes(...).message
    assert "1~7" in check_status_codes({1: 401}).message
    swapped = RIGHT_CODES | {1: 403, 2: 400}
    got = check_status_codes(swapped)
    assert not got and "1번" in got.message and "2번" in got.message and "3번" not in got.message


def test_check_status_codes_refuses_403_for_someone_elses_note():
    got = check_status_codes(RIGHT_CODES | {4: 403})
    assert not got and "있다는 것" in got.message


def test_exercise_cases_are_not_the_ones_the_notebook_printed():
    assert not set(EXERCISE_CASES.values()) & set(STATUS_CASES) and set(EXERCISE_CASES) == set(RIGHT_CODES)


def test_exercise_cases_are_what_the_real_app_answers():
    """Each situation, sent to the REST app: the answer key is measured, not made up."""
    from sessionlab.apps.rest import create_rest_app

    app = create_rest_app(users={"alice": "alice-pass-1", "bob": "bob-pass-12"})
    alice, bob, anon = app.test_client(), app.test_client(), app.test_client()
    assert alice.post("/sessions", json={"username": "alice", "password": "alice-pass-1"}).status_code == 201
    assert bob.post("/sessions", json={"username": "bob", "password": "bob-pass-12"}).status_code == 201
    etag = alice.put("/notes/todo", json={"text": "우유"}).headers["ETag"]
    alice.put("/notes/todo", json={"text": "다른 탭"})
    assert anon.post("/users", json={"username": "carol", "password": "carol-pass"}).status_code == 201
    got = {
        1: anon.get("/notes/todo").status_code,
        2: anon.post("/users", json={"username": "dave", "password": "abc"}).status_code,
        3: anon.post(
            "/sessions", data="<u>alice</u>", headers={"Content-Type": "application/xml"}
        ).status_code,
        4: bob.delete("/notes/todo").status_code,
        5: alice.put("/sessions/current", json={}).status_code,
        6: anon.post("/users", json={"username": "carol", "password": "another-1"}).status_code,
        7: alice.put("/notes/todo", json={"text": "내 수정"}, headers={"If-Match": etag}).status_code,
    }
    assert got == RIGHT_CODES


@pytest.mark.parametrize(
    ("changes", "hint"),
    [
        ({1: 403}, "누구인지 증명 못 함"),
        ({2: 400}, "문법은 맞지만 내용이"),
        ({3: 400}, "형식(media type)"),
        ({6: 400}, "현재 상태와 충돌"),
        ({7: 409}, "조건부 요청"),
    ],
)
def test_check_status_codes_hints(changes, hint):
    got = check_status_codes(RIGHT_CODES | changes)
    assert not got and hint in got.message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        ("ACD", True, "A·C·D"),
        ({"d", "c", "a"}, True, "A·C·D"),
        ("A, C, D", True, "A·C·D"),
        ("AD", False, "404라도 서버 상태"),  # "DELETE answered 404 the second time"
        ("ACDF", False, "1씩 늘어납니다"),  # PATCH looks like an update
        ("ABCD", False, "새로 만듭니다"),
        ("ACDE", False, "Idempotency-Key"),
        ("AC", False, "안전(safe)"),
        ("ACZ", False, "A~F"),
        (42, False, "문자열"),
        (..., False, "빈칸"),
    ],
)
def test_check_retry_safe(answer, ok, hint):
    got = check_retry_safe(answer)
    assert bool(got) is ok and hint in got.message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        (
            {
                "비밀번호 바꾸기": ("PUT", "/users/me/password"),
                "회원 탈퇴": ("DELETE", "/users/me"),
                "내 메모 목록": ("GET", "/notes"),
            },
            True,
            "자원 + 메서드",
        ),
        (
            {
                "비밀번호 바꾸기": ("patch", "/users/me"),
                "회원 탈퇴": ("DELETE", "/users/alice"),
                "내 메모 목록": ("GET", "/users/me/notes"),
            },
            True,
            "자원 + 메서드",
        ),
        (
            {
                "비밀번호 바꾸기": ("POST", "/users/me/changePassword"),
                "회원 탈퇴": ("DELETE", "/users/me"),
                "내 메모 목록": ("GET", "/notes"),
            },
            False,
            "동사",
        ),
        (
            {
                "비밀번호 바꾸기": ("PUT", "/users/me/password"),
                "회원 탈퇴": ("POST", "/users/me"),
                "내 메모 목록": ("GET", "/notes"),
            },
            False,
            "로그아웃",
        ),
        (
            {
                "비밀번호 바꾸기": ("PUT", "/users/me/password"),
                "회원 탈퇴": ("DELETE", "/users/me"),
                "내 메모 목록": ("POST", "/notes/search"),
            },
            False,
            "안전한 메서드",
        ),
        (
            {
                "비밀번호 바꾸기": ("PUT", "/users/me"),
                "회원 탈퇴": ("DELETE", "/users/me"),
                "내 메모 목록": ("GET", "/notes"),
            },
            False,
            "통째로",
        ),
        ({"회원 탈퇴": "DELETE /users/me"}, False, "모양"),
        (..., False, "빈칸"),
    ],
)
def test_check_account_api(answer, ok, hint):
    got = check_account_api(answer)
    assert bool(got) is ok and hint in got.message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        ((412, 200, 200), True, "412 → 200 → 200"),
        (("412", "200", "200"), True, "412 → 200 → 200"),
        ((200, 200, 200), False, "덮어쓴 것"),
        ((409, 200, 200), False, "표준 코드"),
        ((412, 200, 412), False, "조건이 참"),
        ((412, 304, 200), False, "2번"),
        ((412, 200), False, "튜플"),
        (..., False, "빈칸"),
    ],
)
def test_check_etag_sequence(answer, ok, hint):
    got = check_etag_sequence(answer)
    assert bool(got) is ok and hint in got.message


def test_etag_sequence_is_what_the_real_app_answers():
    from sessionlab.apps.rest import create_rest_app

    app = create_rest_app(users={"alice": "alice-pass-1"})
    alice, other_tab = app.test_client(), app.test_client()
    for client in (alice, other_tab):
        client.post("/sessions", json={"username": "alice", "password": "alice-pass-1"})
    v1 = alice.put("/notes/plan", json={"text": "초안"}).headers["ETag"]
    other_tab.put("/notes/plan", json={"text": "다른 탭"})
    step1 = alice.put("/notes/plan", json={"text": "내 수정"}, headers={"If-Match": v1})
    step2 = alice.get("/notes/plan")
    step3 = alice.put("/notes/plan", json={"text": "내 수정"}, headers={"If-Match": step2.headers["ETag"]})
    assert check_etag_sequence((step1.status_code, step2.status_code, step3.status_code))
