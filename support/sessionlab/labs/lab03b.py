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
