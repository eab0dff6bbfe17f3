"""What the apps share: the variant header, cookie names and the JSON responses.

Every response of either app names its variant in one header, ``X-Lab-Variant``:
``"secure"`` or ``"VULNERABLE"`` (the ⚠️ twin built on purpose for the attack labs).
"""

from __future__ import annotations

from flask import Response, jsonify

__all__ = [
    "VARIANT_HEADER",
    "SECURE",
    "VULNERABLE",
    "variant_name",
    "cookie_name",
    "json_response",
    "label_response",
]

VARIANT_HEADER = "X-Lab-Variant"
SECURE, VULNERABLE = "secure", "VULNERABLE"


def variant_name(secure: bool) -> str:
    """The value of ``X-Lab-Variant`` for an app: ``"secure"`` or ``"VULNERABLE"``."""
    return SECURE if secure else VULNERABLE


def cookie_name(base: str, secure: bool) -> str:
    """The app's own cookie name; ``__Host-`` in front when the cookie is ``Secure`` (RFC 6265bis §4.1.3.2).

    Cookies do not isolate by port: every lab app on 127.0.0.1 shares one cookie jar, so each app
    names its cookie (``login_sid``, ``rest_sid``, …) instead of all using ``sid``. ``__Host-`` needs
    ``Secure`` and ``Path=/`` and forbids ``Domain``, so a sibling subdomain cannot overwrite it.
    """
    return f"__Host-{base}" if secure else base


def json_response(body: dict, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response with its status and extra headers (the apps' error replies use it)."""
    resp = jsonify(body)
    resp.status_code = status
    for name, value in (headers or {}).items():
        resp.headers[name] = value
    return resp


def label_response(resp: Response, variant: str) -> Response:
    """Names the variant in ``X-Lab-Variant`` and keeps the response out of caches (``no-store``)."""
    resp.headers[VARIANT_HEADER] = variant
    resp.headers.setdefault("Cache-Control", "no-store")
    return resp
