"""Lab apps opened in the learner's own browser, also on JupyterHub and Binder.

Locally the browser reaches ``http://127.0.0.1:PORT/`` directly. On JupyterHub or Binder the kernel's
127.0.0.1 is another machine for the browser, so it goes through jupyter-server-proxy at
``<JUPYTERHUB_SERVICE_PREFIX>proxy/PORT/``. The proxy forwards the request with
``X-Forwarded-Prefix: /user/NAME/proxy/PORT`` and rewrites ``Location`` itself; ``behind_proxy``
does the rest for any lab app: the cookie ``Path`` gets the prefix (so the app's cookies stay
inside its own prefix and go nowhere else on the hub's origin), and the scheme is the one the
browser used, so an app's Origin check compares like with like. ``prefix()`` gives pages the
prefix for their own links and forms.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["behind_proxy", "prefix", "public_url", "Link", "link"]

PREFIX_KEY = "sessionlab.proxy_prefix"
_PATH = re.compile(r"(;\s*path=)(/[^;]*)", re.I)
_PREFIX_OK = re.compile(r"^(/[\w.~-]+)+$")  # /user/NAME/proxy/PORT: nothing that could break a header


def behind_proxy(app: Callable) -> Callable:
    """Wrap a WSGI app: when a request came through jupyter-server-proxy, adapt paths and scheme."""

    def wrapped(environ: dict, start_response: Callable) -> Iterable[bytes]:
        forwarded = environ.get("HTTP_X_FORWARDED_PREFIX", "").rstrip("/")
        if not forwarded or not _PREFIX_OK.match(forwarded):
            return app(environ, start_response)
        environ[PREFIX_KEY] = forwarded
        if environ.get("HTTP_X_FORWARDED_PROTO") in ("http", "https"):
            environ["wsgi.url_scheme"] = environ["HTTP_X_FORWARDED_PROTO"]

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            fixed = [
                (name, _PATH.sub(lambda m: m.group(1) + forwarded + m.group(2), value))
                if name.lower() == "set-cookie"
                else (name, value)
                for name, value in headers
            ]
            return start_response(status, fixed, exc_info) if exc_info else start_response(status, fixed)

        return app(environ, start)

    return wrapped


def prefix(environ: dict) -> str:
    """``/user/NAME/proxy/PORT`` when the request came through the proxy, else ``""``."""
    return environ.get(PREFIX_KEY, "")


def public_url(url: str, port: int, path: str = "/") -> str:
    """Where the learner's browser opens a lab server: proxied on JupyterHub/Binder, direct locally."""
    hub = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if hub:
        return f"{hub.rstrip('/')}/proxy/{port}{path}"
    return url + path


class Link:
    """A clickable link in a notebook (``_repr_html_``), a plain line elsewhere."""

    def __init__(self, href: str, label: str):
        self.href, self.label = href, label

    def _repr_html_(self) -> str:
        from html import escape

        return f'<a href="{escape(self.href)}" target="_blank" rel="noopener">{escape(self.label)}: {escape(self.href)}</a>'

    def __repr__(self) -> str:
        return f"{self.label}: {self.href}"


def link(server: Any, path: str = "/", label: str | None = None) -> Link:
    """A link to ``server`` (a running ``LabServer``) that the learner's own browser can open."""
    return Link(public_url(server.url, server.port, path), label or f"브라우저에서 열기 ({server.name})")
