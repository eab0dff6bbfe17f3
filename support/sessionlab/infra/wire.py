"""HTTP on the wire, by hand: raw request bytes, raw responses, and the bytes a request really sends.

The labs use these to show what travels over the socket, not what a client library reports.
"""

from __future__ import annotations

import http.client
import select
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit


# --- HTTP by hand ----------------------------------------------------------------
def _address(url: str) -> tuple[str | None, int]:
    parts = urlsplit(url)
    return parts.hostname, parts.port or 80


def build_request(
    method: str,
    target: str,
    host: str,
    headers: dict | None = None,
    body: bytes | str = b"",
    close: bool = False,
) -> bytes:
    """The bytes of one HTTP/1.1 request: request line, headers, blank line, body."""
    body = body.encode("utf-8") if isinstance(body, str) else body
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body


def show_raw(raw: bytes) -> None:
    """Print raw HTTP bytes with every CRLF visible as ↵."""
    print(raw.decode("utf-8", errors="replace").replace("\r\n", "↵\n"))


def raw_http(url: str, data: bytes, timeout: float = 5) -> bytes:
    """Send ``data`` as they are on a new TCP connection; return every byte until the server closes.

    Sent in pieces: a server that refuses an oversized request answers and closes before
    reading it all, so sending stops as soon as an answer is waiting, and a reset after
    the answer arrived does not lose it.
    """
    chunks: list[bytes] = []
    with socket.create_connection(_address(url), timeout=timeout) as sock:
        try:
            for start in range(0, len(data), 4096):
                sock.sendall(data[start : start + 4096])
                if select.select([sock], [], [], 0)[0]:
                    break  # the server answered early: it will not read the rest
        except (ConnectionResetError, BrokenPipeError):
            pass  # it stopped reading; its answer, if any, is read below
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            if not chunks:
                raise
    return b"".join(chunks)


@dataclass
class RawResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    wire_bytes: int = 0  # status line + headers + body, as received

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def json(self):
        import json

        return json.loads(self.body)


def parse_raw_response(raw: bytes) -> RawResponse:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = [(k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)]
    return RawResponse(int(lines[0].split()[1]), headers, body, len(raw))


class RawConnection:
    """One kept-alive TCP connection: send raw request bytes, read one response at a time.

    (waitress closes the connection after a 204 or 304 answer: open a new one then.)
    """

    def __init__(self, url: str, timeout: float = 5):
        self.sock = socket.create_connection(_address(url), timeout=timeout)
        self.local_port = self.sock.getsockname()[1]

    def send(self, data: bytes) -> RawResponse:
        self.sock.sendall(data)
        resp = http.client.HTTPResponse(self.sock)
        resp.begin()
        body = resp.read()
        headers = resp.getheaders()
        size = (
            len(f"HTTP/1.1 {resp.status} {resp.reason}\r\n")
            + 2
            + len(body)
            + sum(len(k) + len(v) + 4 for k, v in headers)
        )
        return RawResponse(resp.status, headers, body, size)

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class CountingConnection(http.client.HTTPConnection):
    """http.client with a count of the bytes it really wrote to the socket."""

    sent = 0

    def send(self, data):
        self.sent += len(data)
        super().send(data)


def wire_bytes(
    url: str, path: str = "/", headers: dict | None = None, cookie: str | None = None
) -> tuple[int, int]:
    """(bytes of one GET as sent on the socket, status) — measured, not computed."""
    host, port = _address(url)
    assert host is not None, url  # http.client needs a host name
    conn = CountingConnection(host, port)
    headers = dict(headers or {})
    if cookie:
        headers["Cookie"] = cookie
    conn.request("GET", path, headers=headers)
    status = conn.getresponse().status
    conn.close()
    return conn.sent, status
