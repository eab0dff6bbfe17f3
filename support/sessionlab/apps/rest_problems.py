"""Errors of the REST API (notebook 03a) as ``application/problem+json`` (RFC 9457), and its JSON input.

``Problem`` is raised by a view and answered by ``init_app``'s handler as a
problem document (``type``, ``title``, ``status``, ``detail``, ``instance`` and
any extra members, in that order). Every other HTTP error (404, 405 with a
sorted ``Allow``, ...) is answered as ``about:blank`` with a Korean ``detail``.
``json_body`` reads the request's JSON object or raises the right problem
(415, 400 or 422 with an ``errors`` list); ``no_content`` is a bare 204.
"""

from __future__ import annotations

import json

from flask import Flask, Response, make_response, request
from werkzeug.exceptions import HTTPException

__all__ = [
    "PROBLEM_JSON",
    "PROBLEM_BASE",
    "Problem",
    "problem_response",
    "no_content",
    "json_body",
    "init_app",
]

PROBLEM_JSON = "application/problem+json"


PROBLEM_BASE = "https://sessionlab.example/problems/"  # .example: a reserved name, never a real site


class Problem(Exception):
    """An error answered as problem+json: ``type`` slug, title, status, Korean detail."""

    def __init__(self, status: int, slug: str, title: str, detail: str, headers=None, **extra):
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail
        self.headers, self.extra = headers or {}, extra


def problem_response(status, type_, title, detail, headers=None, **extra):
    body = {
        "type": type_,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
        **extra,
    }
    resp = make_response(json.dumps(body, ensure_ascii=False), status)
    resp.headers.update(headers or {})
    resp.headers["Content-Type"] = PROBLEM_JSON
    return resp


def no_content():
    resp = make_response("", 204)
    del resp.headers["Content-Type"]
    return resp


def json_body(*required: str) -> dict:
    """The request's JSON object, or the right problem: 415, 400 or 422."""
    if request.mimetype != "application/json":
        raise Problem(
            415,
            "unsupported-media-type",
            "Unsupported Media Type",
            f"본문은 application/json이어야 합니다 (받은 것: {request.mimetype or '없음'}).",
            headers={"Accept-Post": "application/json"},
        )
    try:
        data = json.loads(request.get_data(as_text=True))
    except (ValueError, UnicodeDecodeError):
        raise Problem(400, "invalid-json", "Bad Request", "본문이 올바른 JSON이 아닙니다.") from None
    if not isinstance(data, dict):
        raise Problem(
            422,
            "validation",
            "Unprocessable Content",
            "본문은 JSON 객체({...})여야 합니다.",
            errors=[{"field": "(body)", "problem": "객체가 아닙니다"}],
        )
    errors = [
        {"field": f, "problem": "필수 항목입니다" if f not in data else "비어 있지 않은 문자열이어야 합니다"}
        for f in required
        if not (isinstance(data.get(f), str) and data[f].strip())
    ]
    if errors:
        raise Problem(
            422, "validation", "Unprocessable Content", "필수 항목이 없거나 형식이 틀렸습니다.", errors=errors
        )
    return data


# -- the error handlers ----------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Answers every ``Problem`` and every HTTP error of ``app`` as problem+json."""
    app.register_error_handler(Problem, on_problem)
    app.register_error_handler(HTTPException, on_http_error)


def on_problem(p: Problem) -> Response:
    return problem_response(p.status, PROBLEM_BASE + p.slug, p.title, p.detail, p.headers, **p.extra)


def on_http_error(exc: HTTPException) -> Response:
    # 404, 405 (keeps Allow), ...: "about:blank" means "the status code says it all" (RFC 9457 §4.2.1)
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    if "Allow" in headers:  # werkzeug builds it from a set: sort it so it reads the same every time
        headers["Allow"] = ", ".join(sorted(headers["Allow"].split(", ")))
    details: dict[int | None, str | None] = {
        404: "그런 자원(resource)이 없습니다.",
        405: f"이 자원은 {request.method} 메서드를 받지 않습니다.",
    }
    detail = details.get(exc.code, exc.description)
    return problem_response(exc.code, "about:blank", exc.name, detail, headers)
