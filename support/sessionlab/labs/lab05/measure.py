"""Lab 05's measurements: latency through the balancer, the store's share, replication's costs.

``measure`` sends GETs over one kept-alive connection and reads each answer's
``Server-Timing``; ``measure_strategy`` does it for one strategy of a
``MultiServerLab``; ``store_op_times`` times one store's ``get`` and ``touch``;
``replication_write_cost`` and ``consistency_window`` show what synchronous and
asynchronous replication between app servers cost.
"""

from __future__ import annotations

import http.client
import math
import statistics
import time
from collections import Counter
from urllib.parse import urlsplit

import requests

from sessionlab.labs.lab05.lab import MultiServerLab
from sessionlab.labs.lab05.strategies import USER, get_strategy
from sessionlab.web.server_timing import server_timing
from sessionlab.web.stores import ReplicatedStore, connect

__all__ = [
    "measure",
    "p99",
    "cookie_header",
    "measure_strategy",
    "store_op_times",
    "replication_write_cost",
    "consistency_window",
]


def measure(url: str, cookie: str | None, n: int = 200, path: str = "/me", headers=None) -> dict:
    """``n`` GETs over one kept-alive connection: end-to-end and Server-Timing times (ms)."""
    parts = urlsplit(url)
    assert parts.hostname is not None, url
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    hdrs = dict(headers or {})
    if cookie:
        hdrs["Cookie"] = cookie
    total: list[float] = []
    store: list[float] = []
    app: list[float] = []
    codes: Counter[int] = Counter()
    try:
        for _ in range(n):
            t = time.perf_counter()
            conn.request("GET", path, headers=hdrs)
            resp = conn.getresponse()
            resp.read()
            total.append((time.perf_counter() - t) * 1000)
            timing = server_timing(resp.getheader("Server-Timing"))
            store.append(timing.get("store", 0.0))
            app.append(timing.get("app", 0.0))
            codes[resp.status] += 1
    finally:
        conn.close()
    return {
        "median_ms": statistics.median(total),
        "p99_ms": p99(total),
        "store_ms": statistics.median(store),
        "app_ms": statistics.median(app),
        "statuses": dict(codes),
        "n": n,
        "total_ms": total,
    }


def p99(times: list[float]) -> float:
    """The time 99 % of requests stayed within (nearest rank: of 300, the 4th slowest)."""
    ranked = sorted(times)
    return ranked[max(math.ceil(0.99 * len(ranked)), 1) - 1]


def cookie_header(c: requests.Session) -> str:
    """A client's cookies as one ``Cookie`` request header."""
    return "; ".join(f"{k}={v}" for k, v in c.cookies.items())


def measure_strategy(lab: MultiServerLab, strategy: str, n: int = 100, runs: int = 3) -> dict:
    """Through the balancer for one user: medians over ``runs`` of each run's median (end to end,
    store and app time), and the p99 of all ``n * runs`` requests together.

    A p99 needs many requests: one run's p99 of 100 is its slowest request, the pooled one of 300
    the 4th slowest. Medians per run, so one busy moment moves one run only.
    """
    lb = lab.use(strategy)
    c, r = lab.login(0)
    if r.status_code != 200:
        raise RuntimeError(f"{strategy}: 로그인 실패 {r.status_code}")
    timing_policy = get_strategy(strategy).measure_policy
    if timing_policy is not None:  # memory: a fair timing needs the server that holds the session
        lb.policy = timing_policy
        c, r = lab.login(0)
    assert lb.url is not None  # start_balancer set it
    rows = [measure(lb.url, cookie_header(c), n=n) for _ in range(runs)]
    out = {k: statistics.median(row[k] for row in rows) for k in ("median_ms", "store_ms", "app_ms")}
    out["p99_ms"] = p99([t for row in rows for t in row["total_ms"]])
    out["ok"] = sum(row["statuses"].get(200, 0) for row in rows)
    out["n"] = n * runs
    return out


def replication_write_cost(sizes=(2, 3, 5), n: int = 200, sync: bool = True) -> dict[int, float]:
    """Median ms of one ``update`` on a group of ``size`` replicated stores (sync: waits for all peers).

    The groups take turns, one write each, so a busy moment on the machine slows every
    size alike and the ratio between them stays fair.
    """
    groups: dict[int, list[ReplicatedStore]] = {}
    try:
        for size in sizes:
            groups[size] = connect(
                *[ReplicatedStore(name=f"cost-{size}-{i}", sync=sync) for i in range(size)]
            )
        sids = {size: group[0].create({"n": 0}).id for size, group in groups.items()}
        times: dict[int, list[float]] = {size: [] for size in sizes}
        for k in range(n):
            for size, group in groups.items():
                t = time.perf_counter()
                group[0].update(sids[size], {"n": k})
                times[size].append((time.perf_counter() - t) * 1000)
        return {size: statistics.median(ts) for size, ts in times.items()}
    finally:
        for group in groups.values():
            for s in group:
                s.close()


def consistency_window(lab: MultiServerLab, tries: int = 5) -> dict:
    """Async replication: write on s1, read on s2 at once, then poll s2 until it sees the write.

    Returns how many first reads missed the write and the median window in ms.
    """
    a, b = lab.stores[0], lab.stores[1]
    missed, windows = 0, []
    for k in range(tries):
        s = a.create({"user": f"u{k}"})
        t = time.perf_counter()
        if b.get(s.id) is None:
            missed += 1
        while b.get(s.id) is None and time.perf_counter() - t < 5:
            time.sleep(0.001)
        windows.append((time.perf_counter() - t) * 1000)
    return {"tries": tries, "missed_first_read": missed, "window_ms": statistics.median(windows)}


def store_op_times(store, n: int = 300) -> dict[str, float]:
    """Median µs of ``get`` (read only) and ``touch`` (read + write of the activity time) on one session.

    The two take turns call by call, so a busy moment slows both alike.
    """
    sid = store.create({"user": USER}).id
    times: dict[str, list[float]] = {"get": [], "touch": []}
    for _ in range(n):
        for op, fn in (("get", store.get), ("touch", store.touch)):
            t = time.perf_counter()
            fn(sid)
            times[op].append((time.perf_counter() - t) * 1e6)
    store.delete(sid)
    return {op: statistics.median(ts) for op, ts in times.items()}
