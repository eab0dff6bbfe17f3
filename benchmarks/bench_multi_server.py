"""Requests per second and latency through the balancer, for each session strategy of lab 05.

Three login-app servers behind ``sessionlab.web.balancer`` (``sessionlab.labs.lab05``);
each strategy serves ``GET /me`` for logged-in users. Per round and strategy:
``--threads`` clients, each over its own kept-alive connection (http.client, not
requests, which would add ~0.7 ms per call), send ``--n`` requests as fast as
they can. Requests per second = all requests / wall time; median and p99 over
every request of the round; ``store`` = median of the app's own
``Server-Timing: store;dur`` (the store's share). Rounds interleave the strategies
so all see the same machine load; the table shows the median over rounds.
The ``memory`` strategy is measured with the sticky policy (round robin would
only measure 401s).

    .venv/bin/python benchmarks/bench_multi_server.py [--n 300] [--threads 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import threading
import time
from urllib.parse import urlsplit

from sessionlab import stop_everything
from sessionlab.labs.lab05 import STRATEGIES, MultiServerLab, cookie_header, server_timing


def client_run(url: str, cookie: str, n: int, out: list, errors: list) -> None:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            conn.request("GET", "/me", headers={"Cookie": cookie})
            resp = conn.getresponse()
            resp.read()
            out.append(
                (
                    (time.perf_counter() - t0) * 1000,
                    server_timing(resp.getheader("Server-Timing")).get("store", 0.0),
                )
            )
            if resp.status != 200:
                errors.append(resp.status)
    finally:
        conn.close()


def one_round(lab: MultiServerLab, strategy: str, n: int, threads: int) -> dict:
    lab.use(strategy, STRATEGIES[strategy].measure_policy)
    cookies = []
    for u in range(threads):
        c, r = lab.login(u)
        assert r.status_code == 200, (strategy, r.status_code)
        cookies.append(cookie_header(c))
    client_run(lab.lb.url, cookies[0], 50, [], [])  # warm up
    samples, errors = [], []
    workers = [
        threading.Thread(target=client_run, args=(lab.lb.url, ck, n, samples, errors)) for ck in cookies
    ]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - t0
    lat = sorted(s[0] for s in samples)
    return {
        "rps": len(samples) / wall,
        "median": statistics.median(lat),
        "p99": lat[int(0.99 * (len(lat) - 1))],
        "store": statistics.median(s[1] for s in samples),
        "errors": len(errors),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300, help="requests per client thread and round")
    ap.add_argument("--threads", type=int, default=4, help="concurrent clients")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--strategies", default=",".join(STRATEGIES))
    args = ap.parse_args()
    strategies = [s for s in args.strategies.split(",") if s]
    lab = MultiServerLab(name="bench05")
    results = {s: [] for s in strategies}
    try:
        for r in range(args.rounds):
            for s in strategies:
                results[s].append(one_round(lab, s, args.n, args.threads))
            print(f"round {r + 1}/{args.rounds} done", flush=True)
    finally:
        lab.stop()
        stop_everything()
    print(f"\n{args.threads} clients x {args.n} GET /me per round, {args.rounds} rounds, medians over rounds")
    print(f"{'strategy':<11} {'req/s':>7} {'median ms':>10} {'p99 ms':>8} {'store ms':>9} {'errors':>7}")
    for s in strategies:
        rows = results[s]
        med = {k: statistics.median(x[k] for x in rows) for k in ("rps", "median", "p99", "store")}
        print(
            f"{s:<11} {med['rps']:>7.0f} {med['median']:>10.2f} {med['p99']:>8.2f} {med['store']:>9.3f} "
            f"{sum(x['errors'] for x in rows):>7}"
        )


if __name__ == "__main__":
    main()
