"""sessionlab.infra.wire: request bytes built exactly as HTTP/1.1 wants them."""

from __future__ import annotations

from sessionlab.infra.wire import build_request


def test_build_request_is_exact_bytes():
    assert build_request("GET", "/x", "h:1") == b"GET /x HTTP/1.1\r\nHost: h:1\r\n\r\n"
    assert build_request("POST", "/x", "h", {"A": "b"}, body="민", close=True) == (
        b"POST /x HTTP/1.1\r\nHost: h\r\nA: b\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
        + "민".encode()
    )


def test_raw_http_keeps_the_answer_of_a_server_that_refuses_before_reading_everything():
    from flask import Flask

    from sessionlab import serve
    from sessionlab.infra.wire import parse_raw_response, raw_http

    app = Flask("big")
    app.get("/")(lambda: "ok")
    with serve(app, name=None) as srv:
        big = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n"
        assert parse_raw_response(raw_http(srv.url, big)).status == 431
        small = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        assert parse_raw_response(raw_http(srv.url, small)).body == b"ok"
