"""Hostile input, refused in one place: a size limit (413), JSON depth, typed fields, one problem+json handler.

Every reference app we own calls ``init_app(app)``:

- ``MAX_CONTENT_LENGTH``: werkzeug refuses a larger body with ``413 Content Too Large``
  (RFC 9110, 15.5.14) before a view reads it (a 50 MB password is never hashed);
- before any view runs, a body nested deeper than ``MAX_JSON_DEPTH`` is refused with 400:
  Python's ``json`` parser recurses, and 100,000 ``[`` raise ``RecursionError`` (a 500);
- ``BadInput`` (a ``ValueError``) raised by a view or a helper below — ``int_arg``,
  ``text_field``, ``header_safe`` — is answered as ``application/problem+json`` (RFC 9457)
  with its 4xx status and a Korean ``detail``, never as a 500 with a traceback.

The apps' own answers (their JSON bodies, the ⚠️ VULNERABLE behaviours the labs attack)
stay as they are: this module only turns crashes into clear refusals.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from sessionlab.apps.rest_problems import PROBLEM_BASE, problem_response

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_DIGITS",
    "BadInput",
    "json_depth",
    "int_arg",
    "text_field",
    "header_safe",
    "init_app",
]

MAX_BODY_BYTES = 64 * 1024  # the login app's limit too
MAX_JSON_DEPTH = 32
MAX_DIGITS = 12  # an int() of thousands of digits raises ValueError (or costs quadratic time)

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BadInput(ValueError):
    """Input the app refuses: answered as problem+json with ``status`` (4xx) and a Korean ``detail``."""

    def __init__(self, detail: str, status: int = 400, field: str | None = None):
        super().__init__(detail)
        self.detail, self.status, self.field = detail, status, field


def json_depth(text: str) -> int:
    """How deeply ``[``/``{`` nest in ``text``, brackets inside JSON strings not counted (no recursion)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def int_arg(raw: str | None, name: str, default: int, lo: int = 0, hi: int = 10**9) -> int:
    """An integer from a query string or cookie: ASCII digits only (``"²".isdigit()`` is True), in ``lo..hi``."""
    if raw is None or raw == "":
        return default
    text = raw.strip()
    if not (text.isascii() and text.lstrip("-").isdigit() and len(text) <= MAX_DIGITS):
        raise BadInput(f"'{name}'은(는) {MAX_DIGITS}자리 이하의 정수여야 합니다.", 400, name)
    value = int(text)
    if not lo <= value <= hi:
        raise BadInput(f"'{name}'은(는) {lo} 이상 {hi} 이하여야 합니다.", 400, name)
    return value


def text_field(value: Any, name: str, max_chars: int = 1024) -> str:
    """A JSON string field that is text: a ``str``, at most ``max_chars``, encodable as UTF-8 (no lone surrogate)."""
    if not isinstance(value, str):
        raise BadInput(f"'{name}'은(는) 문자열이어야 합니다.", 422, name)
    if len(value) > max_chars:
        raise BadInput(f"'{name}'이(가) 너무 깁니다 ({max_chars}자 이하).", 422, name)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadInput(
            f"'{name}'에 UTF-8로 쓸 수 없는 문자(짝 없는 서로게이트)가 있습니다.", 422, name
        ) from None
    return value


def header_safe(value: str, name: str) -> str:
    """Text that may go into a response header (``Location``): no CR/LF or other control characters."""
    if _CONTROL.search(text_field(value, name)):
        raise BadInput(f"'{name}'에 제어 문자(CR, LF 등)가 있습니다: 헤더에 넣을 수 없습니다.", 422, name)
    return value


def _refuse_deep_json() -> None:
    if request.content_length is None and not request.headers.get("Transfer-Encoding"):
        return
    text = request.get_data(as_text=False).decode(
        "utf-8", "replace"
    )  # size already bounded by MAX_CONTENT_LENGTH
    if json_depth(text) > MAX_JSON_DEPTH:
        raise BadInput(f"본문이 너무 깊게 중첩되어 있습니다 ({MAX_JSON_DEPTH}단계 이하).", 400, "(body)")


def on_bad_input(exc: BadInput) -> Response:
    extra = {"errors": [{"field": exc.field, "problem": exc.detail}]} if exc.field else {}
    titles = {400: "Bad Request", 413: "Content Too Large", 422: "Unprocessable Content"}
    return problem_response(
        exc.status, PROBLEM_BASE + "bad-input", titles.get(exc.status, "Bad Request"), exc.detail, **extra
    )


def on_too_large(exc: RequestEntityTooLarge) -> Response:
    limit = request.max_content_length
    return problem_response(
        413,
        PROBLEM_BASE + "too-large",
        "Content Too Large",
        f"본문이 너무 큽니다 ({limit:,}바이트 이하).",
    )


def init_app(app: Flask, max_bytes: int = MAX_BODY_BYTES) -> None:
    """Size limit (413), JSON depth check before every view, and the problem+json answer to ``BadInput``."""
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = max_bytes
    app.before_request(_refuse_deep_json)
    app.register_error_handler(BadInput, on_bad_input)
    app.register_error_handler(RequestEntityTooLarge, on_too_large)
