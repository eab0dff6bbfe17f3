"""How much a hop through ``sessionlab.web.balancer`` adds to one request.

Same run, same backend, same client (http.client over one keep-alive connection):
GET directly to the backend vs GET through the balancer. Several rounds,
interleaved so both see the same machine load; medians in microseconds.

    .venv/bin/python benchmarks/bench_balancer.py [--n 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import time
from urllib.parse import urlsplit

from flask import Flask

from sessionlab import serve, stop_everything
from sessionlab.web.balancer import start_balancer


def hello_app():
    app = Flask("bench-backend")

    @app.get("/hello")
    def hello():
        return "hello"

    return app


def timings(url: str, n: int) -> list[float]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request("GET", "/hello")
        resp = conn.getresponse()
        resp.read()
        out.append(time.perf_counter() - t0)
        assert resp.status == 200
    conn.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000, help="requests per round and path")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    backends = [serve(hello_app(), name=f"b{i}") for i in (1, 2, 3)]
    lb = start_balancer(backends, policy="round_robin", name="lb")
    timings(backends[0].url, 200), timings(lb.url, 200)  # warm up
    print(f"{'round':>5} {'direct µs':>10} {'via lb µs':>10} {'added µs':>9}")
    added = []
    for r in range(args.rounds):
        direct = statistics.median(timings(backends[0].url, args.n)) * 1e6
        via = statistics.median(timings(lb.url, args.n)) * 1e6
        added.append(via - direct)
        print(f"{r + 1:>5} {direct:>10.0f} {via:>10.0f} {via - direct:>9.0f}")
    print(f"median added per request: {statistics.median(added):.0f} µs (target ≤ 1000 µs)")
    stop_everything()


if __name__ == "__main__":
    main()
