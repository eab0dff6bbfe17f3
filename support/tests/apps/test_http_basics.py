"""sessionlab.apps.http_basics over raw sockets: each request stands alone, failures and 400s, ETag revalidation."""

from __future__ import annotations

import pytest

from sessionlab import serve
from sessionlab.apps.http_basics import DOC, create_http_lab_app
from sessionlab.infra.wire import RawConnection, build_request, parse_raw_response, raw_http, show_raw


@pytest.fixture()
def web():
    server = serve(create_http_lab_app("t"))
    yield server
    server.stop()


def host(server):
    return server.url.removeprefix("http://")


def test_raw_request_and_show(web, capsys):
    raw = raw_http(web.url, build_request("GET", "/hello", host(web), close=True))
    resp = parse_raw_response(raw)
    assert (resp.status, resp.body, resp.wire_bytes) == (200, b"hello", len(raw))
    show_raw(raw)
    assert "HTTP/1.1 200 OK↵\n" in capsys.readouterr().out


@pytest.mark.parametrize("line", [b"HELLO\r\n\r\n", b"GARBAGE\r\n\r\n", b"\x00\x01\x02\r\n\r\n"])
def test_malformed_request_line_gets_400(web, line):
    resp = parse_raw_response(raw_http(web.url, line, timeout=3))
    assert resp.status == 400 and b"Bad Request" in resp.body


def test_two_requests_share_nothing_even_on_one_connection(web):
    who = build_request("GET", "/echo", host(web))
    with RawConnection(web.url) as conn:
        conn.send(build_request("POST", "/echo", host(web), body="제 이름은 민수"))
        after = conn.send(who).json()
    with RawConnection(web.url) as conn:
        alone = conn.send(who).json()
    assert after == alone and "민수" not in str(after)


def test_failure_does_not_break_the_connection(web):
    with RawConnection(web.url) as conn:
        assert conn.send(build_request("GET", "/fail", host(web))).status == 500
        assert conn.send(build_request("GET", "/hello", host(web))).status == 200


def test_etag_revalidation_and_wire_bytes(web):
    first = parse_raw_response(raw_http(web.url, build_request("GET", "/doc", host(web), close=True)))
    assert first.body == DOC and len(DOC) == 20_000 and first.header("Cache-Control") == "public, max-age=60"
    again = parse_raw_response(
        raw_http(
            web.url,
            build_request("GET", "/doc", host(web), {"If-None-Match": first.header("ETag")}, close=True),
        )
    )
    assert again.status == 304 and again.body == b"" and again.wire_bytes < 300
    other = parse_raw_response(
        raw_http(web.url, build_request("GET", "/doc", host(web), {"If-None-Match": '"stale"'}, close=True))
    )
    assert other.status == 200


def test_put_doc_changes_answer_and_etag(web):
    first = parse_raw_response(raw_http(web.url, build_request("GET", "/doc", host(web), close=True)))
    put = raw_http(web.url, build_request("PUT", "/doc", host(web), body=b"new", close=True))
    assert parse_raw_response(put).status == 204
    again = parse_raw_response(
        raw_http(
            web.url,
            build_request("GET", "/doc", host(web), {"If-None-Match": first.header("ETag")}, close=True),
        )
    )
    assert (again.status, again.body) == (200, b"new") and again.header("ETag") != first.header("ETag")


def test_session_visits_counts_on_its_server_and_401_elsewhere(web):
    other = serve(create_http_lab_app("other"))
    try:
        with RawConnection(web.url) as conn:
            created = conn.send(build_request("POST", "/session-visits?user=kim", host(web)))
            cookie = created.header("Set-Cookie").split(";")[0]
            again = conn.send(build_request("POST", "/session-visits", host(web), {"Cookie": cookie}))
        with RawConnection(other.url) as conn:
            elsewhere = conn.send(build_request("POST", "/session-visits", host(web), {"Cookie": cookie}))
    finally:
        other.stop()
    assert created.json()["visits"] == 1 and again.json()["visits"] == 2
    assert (elsewhere.status, elsewhere.json()["error"]) == (401, "unknown_session")


def test_my_page_cache_control_variants(web):
    import requests

    with requests.Session() as browser:
        assert browser.get(web.url + "/my-page", timeout=5).status_code == 401
        browser.post(web.url + "/session-visits?user=lee", timeout=5)
        public = browser.get(web.url + "/my-page", timeout=5)
        private = browser.get(web.url + "/my-page/private", timeout=5)
    assert "lee" in public.text and public.headers["Cache-Control"] == "max-age=60"
    assert "Set-Cookie" in public.headers
    assert private.headers["Cache-Control"] == "private, max-age=60"
