"""Lab 03a (RESTful API design): a one-line summary of each HTTP answer for the notebook's tables.

The apps are ``sessionlab.apps.rest``.
"""

from __future__ import annotations

import json

__all__ = ["brief", "yn"]


def brief(resp) -> str:
    """One line per response: status, media type, and the body (JSON compacted)."""
    ctype = resp.headers.get("Content-Type", "-").split(";")[0]
    try:
        shown = json.dumps(resp.json(), ensure_ascii=False)
    except ValueError:
        shown = resp.text.strip() or "(본문 없음)"
    return f"{resp.status_code} {resp.reason} | {ctype} | {shown}"


def yn(value: bool) -> str:
    """'예' / '아니요' for a measured yes-or-no, so an output reads as a sentence, not ``True``."""
    return "예" if value else "아니요"
