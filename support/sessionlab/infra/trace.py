"""Show one HTTP exchange the way it looks on the wire, with cookies highlighted.

``trace(response)`` takes a ``requests.Response`` and returns an object that
renders as HTML in Jupyter and as plain text elsewhere (``print`` or a log).
The request side is what requests sent (``response.request``); the ``Host``
header, which http.client adds below requests, is added back so the text
matches the bytes sent.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["Exchange", "trace", "HIGHLIGHT"]

HIGHLIGHT = ("set-cookie", "cookie", "authorization")
MAX_BODY = 600


def _body_text(body, content_type: str = "") -> str:
    if body is None or body == b"" or body == "":
        return ""
    if isinstance(body, str):
        text = body
    else:
        try:
            text = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            return f"<이진 데이터 {len(body)} 바이트>"
    if len(text) > MAX_BODY:
        text = text[:MAX_BODY] + f"… (총 {len(text)}자 중 {MAX_BODY}자만 표시)"
    return text


@dataclass
class Exchange:
    """One request and its response, as lists of (name, value) header pairs."""

    request_line: str
    request_headers: list[tuple[str, str]]
    request_body: str
    status_line: str
    response_headers: list[tuple[str, str]]
    response_body: str
    title: str = ""
    hidden: tuple[str, ...] = field(default=())

    def _lines(self, side: str) -> list[tuple[str, str]]:
        headers = self.request_headers if side == "request" else self.response_headers
        return [(k, v) for k, v in headers if k.lower() not in self.hidden]

    def text(self) -> str:
        out = [f"=== {self.title} ===" if self.title else "", "--- 요청 (request) ---", self.request_line]
        for k, v in self._lines("request"):
            mark = "  ◀" if k.lower() in HIGHLIGHT else ""
            out.append(f"{k}: {v}{mark}")
        if self.request_body:
            out += ["", self.request_body]
        out += ["", "--- 응답 (response) ---", self.status_line]
        for k, v in self._lines("response"):
            mark = "  ◀" if k.lower() in HIGHLIGHT else ""
            out.append(f"{k}: {v}{mark}")
        if self.response_body:
            out += ["", self.response_body]
        return "\n".join(line for i, line in enumerate(out) if i or line)

    __str__ = text

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        def block(first: str, headers, body: str, color: str) -> str:
            rows = [f"<b>{html.escape(first)}</b>"]
            for k, v in headers:
                style = ' style="background:#fff3b0;font-weight:bold"' if k.lower() in HIGHLIGHT else ""
                rows.append(f"<span{style}>{html.escape(k)}: {html.escape(v)}</span>")
            if body:
                rows += ["", html.escape(body)]
            return (
                f'<pre style="border-left:4px solid {color};padding:4px 8px;margin:4px 0;'
                f'white-space:pre-wrap">' + "\n".join(rows) + "</pre>"
            )

        title = f"<div><b>{html.escape(self.title)}</b></div>" if self.title else ""
        return (
            title
            + "<div>요청 (request)</div>"
            + block(self.request_line, self._lines("request"), self.request_body, "#3b82f6")
            + "<div>응답 (response)</div>"
            + block(self.status_line, self._lines("response"), self.response_body, "#10b981")
        )


def trace(response, title: str = "", hide: tuple[str, ...] = ("date", "server")) -> Exchange:
    """Build an ``Exchange`` from a ``requests.Response`` (``hide``: headers left out, lower case)."""
    req = response.request
    parts = urlsplit(req.url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    req_headers = list(req.headers.items())
    if not any(k.lower() == "host" for k, _ in req_headers):
        req_headers.insert(0, ("Host", parts.netloc))
    raw = getattr(response.raw, "headers", None)
    if raw is not None and hasattr(raw, "items"):
        resp_headers = list(raw.items())  # keeps repeated Set-Cookie lines apart
    else:
        resp_headers = list(response.headers.items())
    version = {10: "HTTP/1.0", 11: "HTTP/1.1"}.get(getattr(response.raw, "version", 11), "HTTP/1.1")
    return Exchange(
        request_line=f"{req.method} {target} HTTP/1.1",
        request_headers=req_headers,
        request_body=_body_text(req.body),
        status_line=f"{version} {response.status_code} {response.reason}",
        response_headers=resp_headers,
        response_body=_body_text(response.content, response.headers.get("Content-Type", "")),
        title=title,
        hidden=tuple(h.lower() for h in hide),
    )
