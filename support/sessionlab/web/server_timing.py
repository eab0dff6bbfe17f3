"""``Server-Timing``: how long a request spent inside the app, apart from transport.

``ServerTiming(app)`` is WSGI middleware that appends ``app;dur=<ms>`` to whatever
``Server-Timing`` entries the app already set (the login app sets
``store;dur=<ms>``), so a client sees the store's share of each request;
``server_timing(header)`` parses such a header into ``{name: ms}``.
"""

from __future__ import annotations

import time

__all__ = ["ServerTiming", "server_timing"]


class ServerTiming:
    """WSGI middleware: adds ``app;dur=<ms>`` (time inside the app) to ``Server-Timing``."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        box = {}

        def capture(status, headers, exc_info=None):
            box["status"], box["headers"], box["exc"] = status, list(headers), exc_info
            return lambda data: None  # the apps here never use write()

        start = time.perf_counter()
        body = self.app(environ, capture)
        body = list(body) if not isinstance(body, list) else body
        ms = (time.perf_counter() - start) * 1000
        headers = box["headers"]
        old = [v for k, v in headers if k.lower() == "server-timing"]
        headers = [(k, v) for k, v in headers if k.lower() != "server-timing"]
        headers.append(("Server-Timing", ", ".join(old + [f"app;dur={ms:.3f}"])))
        start_response(box["status"], headers, box["exc"])
        return body


def server_timing(header: str | None) -> dict[str, float]:
    """``"store;dur=0.1, app;dur=0.5"`` → ``{"store": 0.1, "app": 0.5}`` (ms)."""
    out = {}
    for part in (header or "").split(","):
        name, _, rest = part.strip().partition(";")
        if rest.startswith("dur="):
            try:
                out[name] = float(rest[4:])
            except ValueError:
                pass
    return out
