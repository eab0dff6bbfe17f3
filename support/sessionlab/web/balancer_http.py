"""What the lab balancer does to HTTP messages on the way through: hop-by-hop fields, framing, targets.

Split from ``balancer`` (which chooses backends and forwards). RFC 9110 §7.6.1: the fixed
hop-by-hop list plus every field the ``Connection`` header names are not forwarded, in
either direction; RFC 9112 §6.3: the client gets a ``Content-Length`` the balancer computed.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import quote

__all__ = ["HOP_BY_HOP", "client_address", "connection_options"]

HOP_BY_HOP = frozenset(
    (
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    )
)


def client_address(environ) -> str:
    """The client as the hash policies see it: first X-Forwarded-For entry, else the peer."""
    forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or environ.get("REMOTE_ADDR", "")


def _cookie(environ, name: str) -> str:
    raw = environ.get("HTTP_COOKIE", "")
    if name not in raw:
        return ""
    jar = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed Cookie header: no sticky cookie
        return ""
    return jar[name].value if name in jar else ""


def _target(environ) -> str:
    path = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")) or "/"
    query = environ.get("QUERY_STRING")
    return f"{path}?{query}" if query else path


def _response_headers(resp, method: str, data: bytes) -> list[tuple[str, str]]:
    """The backend's headers minus hop-by-hop ones, ``Content-Length`` = the body as read.

    (A chunked answer was decoded: it gets a length. A HEAD answer keeps the backend's.)
    """
    hop = HOP_BY_HOP | connection_options(resp.headers.get_all("Connection") or ())
    length = str(len(data))
    out, has_length = [], False
    for k, v in resp.getheaders():
        if k.lower() == "content-length":
            if not has_length:
                out.append((k, v.strip() if method == "HEAD" else length))
            has_length = True
        elif k.lower() not in hop:
            out.append((k, v))
    if resp.chunked and not has_length:
        out.append(("Content-Length", length))
    return out


def connection_options(values) -> frozenset[str]:
    """Header names listed in ``Connection`` (lower case): hop-by-hop too (RFC 9110 §7.6.1)."""
    return frozenset(t.strip().lower() for v in values for t in v.split(",") if t.strip())


def _request_headers(environ) -> dict[str, str]:
    hop = HOP_BY_HOP | connection_options([environ.get("HTTP_CONNECTION", "")])
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key.replace("_", "-").title()
        else:
            continue
        if name.lower() not in hop and value != "":
            headers[name] = value
    peer = environ.get("REMOTE_ADDR", "")
    old = headers.get("X-Forwarded-For")
    headers["X-Forwarded-For"] = f"{old}, {peer}" if old else peer
    return headers
