"""Checkers of notebook 03 accept the right answer and reject typical mistakes with a Korean hint."""

from __future__ import annotations

import pytest

from sessionlab.exercises.ex03 import (
    check_cache_control,
    check_cache_timeline,
    check_policies_without_jar,
    check_raw_visits_request,
)


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        ({"round_robin": False, "sticky": False, "hash": True}, True, "hash만 맞습니다"),
        # what notebook 03 showed for a browser: sticky works WITH a cookie jar, not without
        ({"round_robin": False, "sticky": True, "hash": True}, False, "lb_server 쿠키"),
        ({"round_robin": False, "sticky": False, "hash": False}, False, "클라이언트 주소"),  # hash blamed too
        ({"round_robin": True, "sticky": True, "hash": True}, False, "자기 메모리만"),  # "all work"
        ({"sticky": True}, False, "정책 세 개"),
        (..., False, "빈칸"),
    ],
)
def test_check_policies_without_jar(answer, ok, hint):
    got = check_policies_without_jar(answer)
    assert bool(got) is ok and hint in got.message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        (b"POST /visits?count=41 HTTP/1.1\r\nHost: x\r\n\r\n", True, "42"),
        ("POST /visits?count=41 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", True, "42"),
        (b"POST /visits?count=42 HTTP/1.1\r\nHost: x\r\n\r\n", False, "서버의 답은 43"),  # off by one
        (b"GET /visits?count=41 HTTP/1.1\r\nHost: x\r\n\r\n", False, "POST만"),
        (b"POST /visit?count=41 HTTP/1.1\r\nHost: x\r\n\r\n", False, "404"),
        (b"POST /visits?count=41 HTTP/1.1\r\n\r\n", False, "Host"),
        (b"POST /visits?count=41 HTTP/1.1\nHost: x\n\n", False, "CRLF"),
        (b"POST /visits?count=41 HTTP/1.1\r\nHost: x\r\n", False, "빈 줄"),
        (b"POST /visits?count=41\r\nHost: x\r\n\r\n", False, "요청 줄"),
        (42, False, "bytes"),
        (..., False, "빈칸"),
    ],
)
def test_check_raw_visits_request(answer, ok, hint):
    got = check_raw_visits_request(answer)
    assert bool(got) is ok and hint in got.message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        ("ABCBC", True, "다시 60초"),
        ("a b c b c", True, "ABCBC"),
        ("ABCCC", False, "100초"),  # forgot that a 304 makes the copy fresh again
        ("ABAAA", False, "ETag"),  # thought a stale copy is fetched whole
        ("ABBBB", False, "max-age=60이 지나면"),  # thought the copy never goes stale
        ("ABC", False, "다섯 글자"),
        (["A"], False, "문자열"),
        (..., False, "빈칸"),
    ],
)
def test_check_cache_timeline(answer, ok, hint):
    got = check_cache_timeline(answer)
    assert bool(got) is ok and hint in got.message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        ("private, max-age=300", True, "bob은 자기 페이지"),
        ("max-age=300, private", True, "300초 동안 다시"),
        ("max-age=300", False, "bob에게 alice의 페이지"),  # freshness only
        ("public, max-age=600", False, "bob에게 alice의 페이지"),
        ("no-store", False, "브라우저도 저장하지"),  # safe, but the browser cannot reuse it
        ("private, max-age=60", False, "300초"),  # the number copied from the notebook
        ("private", False, "max-age"),
        ("no-cache", False, "재검증"),  # stored but revalidated: not "private"
        ("", False, "문자열"),
        (..., False, "빈칸"),
    ],
)
def test_check_cache_control(answer, ok, hint):
    got = check_cache_control(answer)
    assert bool(got) is ok and hint in got.message
