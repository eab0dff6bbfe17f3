"""Lab 03b (where web-app state can live): Web Storage results, size limits and the summary table.

The app is ``sessionlab.apps.state``.
"""

from __future__ import annotations

import html
import json
import re

__all__ = [
    "storage_result",
    "largest_accepted",
    "summary_table",
    "fill",
    "count_keys",
    "STRATEGY_NAMES",
    "COLUMNS",
    "strategy_menu",
    "strategy_name",
    "yes_no",
    "items_text",
    "sent_summary",
]

STRATEGY_NAMES = (
    "URL 쿼리",
    "숨은 폼 필드",
    "쿠키",
    "Web Storage",
    "서버 세션",
    "데이터베이스",
    "캐시",
    "토큰",
)


def strategy_menu() -> str:
    """The strategies numbered for the exercises: '1 URL 쿼리 · 2 숨은 폼 필드 · …'."""
    return " · ".join(f"{i} {name}" for i, name in enumerate(STRATEGY_NAMES, 1))


def strategy_name(choice) -> str | None:
    """A learner's pick as a strategy name: its number (1–8, int or '3') or its name; None if neither."""
    if isinstance(choice, bool):
        return None
    if isinstance(choice, int) or (isinstance(choice, str) and choice.strip().isdigit()):
        number = int(choice)
        return STRATEGY_NAMES[number - 1] if 1 <= number <= len(STRATEGY_NAMES) else None
    if isinstance(choice, str) and choice.strip() in STRATEGY_NAMES:
        return choice.strip()
    return None


def yes_no(value: bool) -> str:
    """'예' or '아니요': how the notebook prints a measured yes/no."""
    return "예" if value else "아니요"


def items_text(items) -> str:
    """A cart's items as one line ('사과, 배, 사과'), or '(비어 있음)'."""
    return ", ".join(map(str, items)) if items else "(비어 있음)"


def sent_summary(seen: list[dict], stored_value: str) -> dict:
    """What the browser sent with the page's requests (the headers ``/seen`` recorded).

    ``requests``: how many; ``with_cookie``: how many carried a ``Cookie`` header;
    ``with_storage``: how many carried ``stored_value`` (what the script put in Web Storage) anywhere.
    """
    return {
        "requests": len(seen),
        "with_cookie": sum(1 for headers in seen if "Cookie" in headers),
        "with_storage": sum(1 for headers in seen if stored_value in str(headers)),
    }


# --- helpers the notebook uses ----------------------------------------------------------
def storage_result(dom: str) -> dict:
    """What the storage page's script wrote into ``<pre id="result">``."""
    found = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    if not found or found.group(1) == "running":
        raise ValueError("페이지의 스크립트가 결과를 쓰지 못했습니다.")
    return json.loads(html.unescape(found.group(1)))


def largest_accepted(accepts, low: int, high: int, step: int = 64) -> int:
    """Largest n in [low, high] with ``accepts(n)`` true (``accepts`` is monotone), to within ``step``."""
    if not accepts(low):
        return 0
    while high - low > step:
        mid = (low + high) // 2
        low, high = (mid, high) if accepts(mid) else (low, mid)
    return low


COLUMNS = (
    "전략",
    "상태가 사는 곳",
    "읽을 수 있는 쪽",
    "바꿀 수 있는 쪽",
    "크기 한계",
    "수명",
    "매 요청에 실려 가나",
)


def summary_table(rows) -> object:
    """The rows as a Markdown table (renders in Jupyter; plain text elsewhere)."""
    from IPython.display import Markdown

    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(c, "")) for c in COLUMNS) + " |")
    return Markdown("\n".join(lines))


# --- one Redis for cache and sessions: what eviction does ------------------------------
def fill(client, prefix: str, n: int, size: int, ttl: int) -> int:
    """``SET prefix:i <size bytes> EX ttl`` for i < n, pipelined; returns how many writes Redis refused.

    With ``maxmemory-policy noeviction`` a full Redis refuses writes (``OOM command not allowed``);
    with an eviction policy it accepts them and deletes other keys instead.
    """
    import redis as redis_py

    refused = 0
    value = "x" * size
    for start in range(0, n, 500):
        pipe = client.pipeline(transaction=False)
        for i in range(start, min(start + 500, n)):
            pipe.set(f"{prefix}:{i}", value, ex=ttl)
        replies = pipe.execute(raise_on_error=False)
        refused += sum(isinstance(r, redis_py.exceptions.ResponseError) for r in replies)
    return refused


def count_keys(client, prefix: str) -> int:
    """How many keys named ``prefix:*`` exist now (SCAN, not KEYS)."""
    return sum(1 for _ in client.scan_iter(f"{prefix}:*", count=1000))
