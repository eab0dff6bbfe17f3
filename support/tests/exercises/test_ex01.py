"""Checkers of notebook 01 accept the right answer and reject typical mistakes."""

from sessionlab import serve
from sessionlab.apps.cookie import create_cookie_app
from sessionlab.exercises.ex01 import check_bytes_for, check_forged_role, check_lifetime
from sessionlab.infra.wire import wire_bytes


def test_request_bytes_counts_the_cookie_and_oversized_header_is_431():
    with serve(create_cookie_app()) as srv:
        base, _ = wire_bytes(srv.url, "/echo")
        more, status = wire_bytes(srv.url, "/echo", cookie="c=" + "x" * 100)
        assert status == 200 and more - base == 100 + len("Cookie: c=\r\n")
        assert wire_bytes(srv.url, "/echo", cookie="c=" + "x" * 20000)[1] == 431
        assert check_forged_role(srv.url, {"role": "admin"})
        assert not check_forged_role(srv.url, {"role": "user"})


def test_exercise_checkers_tell_right_from_wrong():
    assert not check_lifetime(...) and "빈칸" in check_lifetime(...).message
    assert check_lifetime({"a", "C"}) and not check_lifetime({"A", "B"})
    assert check_bytes_for(1212 * 100, 1200, 100, 1212) and not check_bytes_for(1200, 1200, 100, 1212)
