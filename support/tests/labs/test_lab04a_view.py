"""Lab 04a view helpers: short tokens, Set-Cookie lines from the wire, the claims table, 예/아니요."""

import pytest

from sessionlab import serve
from sessionlab.apps.token import create_token_app
from sessionlab.labs.lab04a import anatomy
from sessionlab.labs.lab04a_view import claims_table, md_table, set_cookie_lines, short_token, yes_no
from sessionlab.web.tokens import TokenService, generate_keys


@pytest.fixture(scope="module")
def service():
    return TokenService(generate_keys())


def test_short_token_keeps_only_stable_parts(service):
    a, b = service.issue("alice", role="user"), service.issue("alice", role="user")
    assert a != b and short_token(a) == short_token(b)  # random jti and signature are not shown
    assert short_token(a).endswith("서명(43자)") and a.split(".")[2] not in short_token(a)


def test_set_cookie_lines_shorten_tokens_and_drop_dates(service):
    import requests

    with serve(create_token_app(service)) as srv:
        login = requests.post(
            srv.url + "/login", json={"username": "alice", "password": "alice-pw"}, timeout=5
        )
    lines = set_cookie_lines(login)
    assert lines and lines[0].startswith("access_token = eyJ")  # (+ refresh cookies when Redis is given)
    assert all("Expires" not in line and "…" in line for line in lines)
    assert "Max-Age=300" in lines[0] and "HttpOnly" in lines[0]
    assert login.cookies["access_token"] not in "\n".join(lines)


def test_claims_table_describes_changing_values(service):
    token = service.issue("alice", role="user", ttl=300)
    parts = anatomy(token)
    text = claims_table(parts[0]["decoded"], parts[1]["decoded"]).data
    assert "iat + 300초" in text and "무작위 22자" in text and "`alice`" in text
    assert str(parts[1]["decoded"]["exp"]) not in text  # a timestamp would change every run


def test_md_table_and_yes_no():
    text = md_table(["a", "b"], [["x|y", 1]]).data
    assert text.splitlines() == ["| a | b |", "|---|---|", "| x\\|y | 1 |"]
    assert (yes_no(True), yes_no(False)) == ("예", "아니요")
