"""Checkers of notebook 03 accept the right answer and reject typical mistakes."""

from __future__ import annotations

import pytest

from sessionlab.exercises.ex03 import (
    check_cache_control,
    check_policies,
    check_raw_request,
    check_revalidation,
)


# --- checkers -------------------------------------------------------------------
def test_check_policies():
    assert not check_policies(...)
    assert check_policies({"round_robin": False, "sticky": True, "hash": True})
    wrong = check_policies({"round_robin": True, "sticky": True, "hash": True})
    assert not wrong and "round_robin" in wrong.message
    assert not check_policies({"sticky": True})


@pytest.mark.parametrize(
    "answer, ok, hint",
    [
        (b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", True, "200"),
        ("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", True, "200"),
        (b"GET /hello HTTP/1.1\r\n\r\n", False, "Host"),
        (b"GET /hello HTTP/1.1\nHost: x\n\n", False, "요청 줄"),
        (b"GET /hello HTTP/1.1\r\nHost: x\r\n", False, "빈 줄"),
        (b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", False, "요청 줄"),
        (42, False, "bytes"),
    ],
)
def test_check_raw_request(answer, ok, hint):
    got = check_raw_request(answer)
    assert bool(got) is ok and hint in got.message


def test_check_revalidation():
    assert check_revalidation(("If-None-Match", 304))
    assert check_revalidation(("if-none-match", 304))
    assert "Last-Modified" in check_revalidation(("If-Modified-Since", 304)).message
    assert not check_revalidation(("If-None-Match", 200))
    assert not check_revalidation("304")
    assert not check_revalidation(...)


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        ({"round_robin": False, "sticky": True, "hash": True}, True, "sticky, hash"),
        ({"round_robin": True, "sticky": True, "hash": True}, False, "round_robin"),  # "all work"
        ({"round_robin": False, "sticky": True, "hash": False}, False, "hash"),  # hash forgotten
        ({"sticky": True}, False, "정책 세 개"),
    ],
)
def test_check_policies_hints(answer, ok, hint):
    got = check_policies(answer)
    assert bool(got) is ok and hint in got.message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        (("If-None-Match", 304), True, "304 Not Modified"),
        (("If-Modified-Since", 304), False, "Last-Modified"),
        (("ETag", 304), False, "요청 헤더의 이름"),
        (("If-None-Match", 200), False, "200이 아닙니다"),
        ("304", False, "튜플"),
    ],
)
def test_check_revalidation_hints(answer, ok, hint):
    got = check_revalidation(answer)
    assert bool(got) is ok and hint in got.message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        ("private, max-age=60", True, "bob은 자기 페이지"),
        ("no-store", True, "저장하지 않았고"),
        ("max-age=60", False, "bob에게 alice의 페이지"),  # freshness only
        ("public, max-age=600", False, "bob에게 alice의 페이지"),
        ("no-cache", False, "재검증"),  # stored but revalidated: not "private"
        ("", False, "문자열"),
        (..., False, "빈칸"),
    ],
)
def test_check_cache_control(answer, ok, hint):
    got = check_cache_control(answer)
    assert bool(got) is ok and hint in got.message
