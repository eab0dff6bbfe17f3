"""Lab 04 (stateless HTTP vs sessions): one request on a fresh connection, and what sessions cost a Redis server.

The cart app is ``sessionlab.apps.cart``.
"""
from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

__all__ = ["raw_request", "memory_per_session", "extrapolate", "plot_memory", "SAMPLE_SESSION"]

# What a typical login session holds (user, role, CSRF token, a small cart, timestamps in the store).
SAMPLE_SESSION = {"user_id": 12345, "username": "alice", "role": "user",
                  "csrf": "x" * 43, "cart": ["커피", "머그컵"]}




def raw_request(url: str, path: str = "/cart", cookie: str | None = None) -> dict:
    """One GET on a brand-new TCP connection, closed right after: nothing but the bytes below.

    Returns the request text (with the session id masked) and the JSON body of the answer.
    """
    parts = urlsplit(url)
    lines = [f"GET {path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(raw)
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    shown = raw.decode()
    if cookie:
        name = cookie.split("=", 1)[0]
        shown = shown.replace(cookie, f"{name}=…({len(cookie) - len(name) - 1}자)")
    return {"status": status, "request": shown.rstrip(), "body": json.loads(body or b"null")}


def memory_per_session(redis, n: int = 5000, data: dict | None = None) -> dict:
    """Create ``n`` sessions with a ``RedisStore`` on ``redis`` (a server or a client), under a
    prefix of their own; measure Redis ``used_memory`` before and after, then remove them.

    Returns bytes per session from the memory delta, ``MEMORY USAGE`` of one key, and the
    session's JSON size (what the app thinks it stores).
    """
    from sessionlab.web.stores import RedisStore
    store = RedisStore(redis, prefix="sessionlab:memtest:")
    client = store.redis
    data = SAMPLE_SESSION if data is None else data
    store.clear()
    before = int(client.info("memory")["used_memory"])
    ids = [store.create(data).id for _ in range(n)]
    after = int(client.info("memory")["used_memory"])
    one = int(client.memory_usage(store.key(ids[0])) or 0)
    json_bytes = len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
    store.clear()
    return {"n": n, "per_session": (after - before) / n, "memory_usage_one_key": one,
            "json_bytes": json_bytes, "keys_created": len(ids)}


def extrapolate(per_session: float, counts=(10_000, 100_000, 1_000_000)) -> dict[int, float]:
    """Sessions → megabytes (MiB) of Redis memory, linearly."""
    return {c: per_session * c / 2 ** 20 for c in counts}


def plot_memory(per_session: float, counts=(10_000, 100_000, 1_000_000), title: str | None = None):
    from sessionlab.infra.plots import setup
    plt = setup()
    mb = extrapolate(per_session, counts)
    fig, ax = plt.subplots()
    labels = [f"{c:,}" for c in counts]
    bars = ax.bar(labels, list(mb.values()), color="#3b82f6")
    for bar, v in zip(bars, mb.values()):
        ax.annotate(f"{v:,.0f} MiB", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=9)
    ax.set_xlabel("동시 로그인 세션 수")
    ax.set_ylabel("Redis 메모리 (MiB)")
    ax.set_title(title or f"세션 하나 ≈ {per_session:,.0f} B일 때 필요한 메모리 (측정값으로 외삽)")
    fig.tight_layout()
    return fig
