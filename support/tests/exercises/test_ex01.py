"""Checkers of notebook 01 accept the right answer and reject typical mistakes with a Korean hint."""

import pytest

from sessionlab import serve
from sessionlab.apps.cookie import create_cookie_app
from sessionlab.exercises.ex01 import (
    FORGE_CHOICES,
    FORGEABLE,
    check_bytes_for,
    check_host_cookie,
    check_lifetime,
    check_who_can_forge,
    check_widget_cookie,
)
from sessionlab.infra.wire import wire_bytes
from sessionlab.labs.lab01 import flask_session_cookie


@pytest.fixture(scope="module")
def lab():
    with serve(create_cookie_app(), name="test-ex01") as srv:
        yield srv


def test_request_bytes_counts_the_cookie_and_oversized_header_is_431(lab):
    base, _ = wire_bytes(lab.url, "/echo")
    more, status = wire_bytes(lab.url, "/echo", cookie="c=" + "x" * 100)
    assert status == 200 and more - base == 100 + len("Cookie: c=\r\n")
    assert wire_bytes(lab.url, "/echo", cookie="c=" + "x" * 20000)[1] == 431


def test_lifetime_blank_is_not_answered():
    assert not check_lifetime(...) and "빈칸" in check_lifetime(...).message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        ({"A", "B"}, "Max-Age=3600"),
        ({"A"}, "수명을 정하지 않습니다"),
        ({"B", "C"}, "영속 쿠키"),
        ({"C"}, "Expires나 Max-Age"),
    ],
)
def test_lifetime_wrong_answers_get_a_hint(wrong, hint):
    checked = check_lifetime(wrong)
    assert not checked and hint in checked.message


def test_lifetime_right_answer_in_any_case():
    assert check_lifetime({"a", "C"}) and check_lifetime(["C", "A"])


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (2500 * 1000, "쿠키 값만 셌습니다"),  # forgot "Cookie: c=" and CRLF
        (2512, "요청 1번 몫"),  # one request, not a thousand
        (2510 * 1000, "줄바꿈 2바이트"),  # counted "Cookie: c=" but not CRLF
        ("많이", "정수"),
        (10**6, "요청 수를 곱해"),
    ],
)
def test_bytes_for_wrong_answers_get_a_hint(wrong, hint):
    checked = check_bytes_for(wrong, 2500, 1000, measured_per_request=2512)
    assert not checked and hint in checked.message


def test_bytes_for_right_answer_is_exact():
    assert check_bytes_for(2512 * 1000, 2500, 1000, measured_per_request=2512)
    assert "2,512,000바이트" in check_bytes_for(2_512_000, 2500, 1000, measured_per_request=2512).message
    assert not check_bytes_for(2512 * 1000 + 1, 2500, 1000, measured_per_request=2512)


def test_bytes_for_measures_on_the_lab_server(lab):
    base, _ = wire_bytes(lab.url, "/echo")
    assert check_bytes_for(2512 * 1000, 2500, 1000, url=lab.url)
    whole = check_bytes_for((base + 2512) * 1000, 2500, 1000, url=lab.url)  # the old hint: sent[n] * count
    assert not whole and "요청 전체 크기" in whole.message
    with pytest.raises(ValueError):
        check_bytes_for(1, 2500, 1000)


def test_who_can_forge_blank_and_not_letters():
    assert "빈칸" in check_who_can_forge(...).message
    assert "A~E" in check_who_can_forge({"admin"}).message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        ({"A", "B", "C"}, "400"),  # a signed cookie cannot be edited
        ({"A", "C", "D"}, "401"),  # a guessed key does not sign
        ({"A", "C", "E"}, "세션 ID뿐"),  # the role lives on the server
        ({"A"}, "비밀 키가 새면"),  # a leaked key signs anything
        ({"C"}, "A도 보세요"),
    ],
)
def test_who_can_forge_wrong_answers_get_a_hint(wrong, hint):
    checked = check_who_can_forge(wrong)
    assert not checked and hint in checked.message


def test_who_can_forge_right_answer_in_any_case():
    assert check_who_can_forge({"a", "C"}) and check_who_can_forge(["C", "A"])
    assert set(FORGE_CHOICES) == {"A", "B", "C", "D", "E"}


def test_who_can_forge_answer_key_matches_the_lab_server(lab):
    """The key is not an opinion: A and C get in with an edited cookie, B and D do not."""
    import requests

    def admin(path, cookies):
        return requests.get(lab.url + path, cookies=cookies, timeout=5).status_code

    signed = requests.get(lab.url + "/signed/login", timeout=5).cookies["role"]
    outcomes = {
        "A": admin("/unsigned/admin", {"role": "admin"}),
        "B": admin("/signed/admin", {"role": signed.replace("user", "admin", 1)}),
        "D": admin("/flask/admin", {"session": flask_session_cookie({"role": "admin"}, "dev")}),
    }
    leaked = create_cookie_app(secret_key=b"dev")  # C: the key is public
    with serve(leaked, name="test-ex01-leaked") as srv:
        outcomes["C"] = requests.get(
            srv.url + "/flask/admin",
            cookies={"session": flask_session_cookie({"role": "admin"}, b"dev")},
            timeout=5,
        ).status_code
    assert {k for k, status in outcomes.items() if status == 200} == FORGEABLE


@pytest.mark.parametrize(
    "wrong, hint",
    [
        ("sid=abc; Secure; HttpOnly; Path=/", "__Host-로 시작"),  # no prefix: can be tossed
        ("__Host-sid=abc; Secure; HttpOnly; Path=/; Domain=shop.localhost", "Domain"),
        ("__Host-sid=abc; HttpOnly; Path=/", "Secure"),
        ("__Host-sid=abc; Secure; HttpOnly; Path=/app", "Path=/"),
        ("__Host-sid=abc; Secure; Path=/", "HttpOnly"),
        ({"__Host-sid": "abc"}, "문자열"),
    ],
)
def test_host_cookie_wrong_answers_get_a_hint(wrong, hint):
    checked = check_host_cookie(wrong)
    assert not checked and hint in checked.message


def test_host_cookie_right_answers():
    assert check_host_cookie("__Host-sid=abc; Secure; HttpOnly; Path=/; SameSite=Lax")
    assert check_host_cookie("Set-Cookie: __Host-sid=abc; path=/; secure; httponly")
    assert not check_host_cookie(...)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (
            "sid=abc; Secure; HttpOnly; SameSite=None; Path=/",
            "Partitioned를 붙이세요",
        ),  # blocked as third-party
        ("sid=abc; HttpOnly; SameSite=None; Partitioned; Path=/", "Secure가 있어야"),
        (
            "sid=abc; Secure; HttpOnly; Partitioned; Path=/",
            "SameSite=None을 쓰세요",
        ),  # default Lax: not in the iframe
        ("sid=abc; Secure; HttpOnly; SameSite=Lax; Partitioned", "교차 사이트 요청"),
        ("sid=abc; Secure; SameSite=None; Partitioned; Path=/", "HttpOnly"),
        ({"sid": "abc"}, "문자열"),
    ],
)
def test_widget_cookie_wrong_answers_get_a_hint(wrong, hint):
    checked = check_widget_cookie(wrong)
    assert not checked and hint in checked.message


def test_widget_cookie_right_answers():
    assert check_widget_cookie("sid=abc; Secure; HttpOnly; SameSite=None; Partitioned; Path=/")
    assert check_widget_cookie(
        "Set-Cookie: __Host-sid=abc; secure; httponly; samesite=none; partitioned; path=/"
    )
    assert (
        "최상위 사이트" in check_widget_cookie("sid=a; Secure; HttpOnly; SameSite=None; Partitioned").message
    )
    assert not check_widget_cookie(...)
