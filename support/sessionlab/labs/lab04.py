"""Lab 04 (stateless HTTP vs sessions): one request on a fresh connection, and what sessions cost a Redis server.

The cart app is ``sessionlab.apps.cart``.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from sessionlab.infra.wire import build_request, parse_raw_response, raw_http

__all__ = ["raw_request", "extrapolate", "plot_memory", "SAMPLE_SESSION"]

# What a typical login session holds (user, role, CSRF token, a small cart, timestamps in the store).
SAMPLE_SESSION = {
    "user_id": 12345,
    "username": "alice",
    "role": "user",
    "csrf": "x" * 43,
    "cart": ["커피", "머그컵"],
}


def raw_request(url: str, path: str = "/cart", cookie: str | None = None) -> dict:
    """One GET on a brand-new TCP connection, closed right after: nothing but the bytes below.

    Returns the request text (with the session id masked) and the JSON body of the answer.
    """
    headers = {"Connection": "close", **({"Cookie": cookie} if cookie else {})}
    raw = build_request("GET", path, urlsplit(url).netloc, headers)
    resp = parse_raw_response(raw_http(url, raw))
    shown = raw.decode()
    if cookie:
        name = cookie.split("=", 1)[0]
        shown = shown.replace(cookie, f"{name}=…({len(cookie) - len(name) - 1}자)")
    return {"status": resp.status, "request": shown.rstrip(), "body": json.loads(resp.body or b"null")}


def extrapolate(per_session: float, counts=(10_000, 100_000, 1_000_000)) -> dict[int, float]:
    """Sessions → megabytes (MiB) of Redis memory, linearly."""
    return {c: per_session * c / 2**20 for c in counts}


def plot_memory(per_session: float, counts=(10_000, 100_000, 1_000_000), title: str | None = None):
    from sessionlab.infra.plots import setup

    plt = setup()
    mb = extrapolate(per_session, counts)
    fig, ax = plt.subplots()
    labels = [f"{c:,}" for c in counts]
    bars = ax.bar(labels, list(mb.values()), color="#3b82f6")
    for bar, v in zip(bars, mb.values()):
        ax.annotate(
            f"{v:,.0f} MiB",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=9,
        )
    ax.set_xlabel("동시 로그인 세션 수")
    ax.set_ylabel("Redis 메모리 (MiB)")
    ax.set_title(title or f"세션 하나 ≈ {per_session:,.0f} B일 때 필요한 메모리 (측정값으로 외삽)")
    fig.tight_layout()
    return fig
