"""sessionlab.infra.wire: request bytes built exactly as HTTP/1.1 wants them."""

from __future__ import annotations

from sessionlab.infra.wire import build_request


def test_build_request_is_exact_bytes():
    assert build_request("GET", "/x", "h:1") == b"GET /x HTTP/1.1\r\nHost: h:1\r\n\r\n"
    assert build_request("POST", "/x", "h", {"A": "b"}, body="민", close=True) == (
        b"POST /x HTTP/1.1\r\nHost: h\r\nA: b\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
        + "민".encode()
    )
