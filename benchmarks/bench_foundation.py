"""Foundation benchmark: start-up times and request latency of the lab servers.

Run: make bench  (or .venv/bin/python benchmarks/bench_foundation.py [--notebook])
Every number is a median over several runs; servers are compared in the same run.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import threading
import time
from pathlib import Path

from flask import Flask

from sessionlab import serve
from sessionlab.infra.redis_servers import start_redis

ROOT = Path(__file__).resolve().parents[1]


def app():
    a = Flask("bench")

    @a.get("/")
    def index():
        return "ok"

    return a


def median_ms(fn, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def get_latency_us(port, n=2000):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        conn.request("GET", "/")
        conn.getresponse().read()
        times.append(time.perf_counter() - start)
    conn.close()
    return statistics.median(times) * 1e6


def plain_waitress():
    from waitress.server import create_server

    srv = create_server(app(), host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=srv.run, daemon=True).start()
    return srv.effective_port, srv.close


def werkzeug_dev():
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log(self, *args):
            pass

    srv = make_server("127.0.0.1", 0, app(), threaded=True, request_handler=Quiet)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv.port, srv.shutdown


def cheroot_server():
    try:
        from cheroot import wsgi
    except ImportError:
        return None
    srv = wsgi.Server(("127.0.0.1", 0), app(), numthreads=8)
    srv.prepare()
    threading.Thread(target=srv.serve, daemon=True).start()
    return srv.bind_addr[1], srv.stop


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--notebook", action="store_true", help="also time notebook 01 (about 10 s per run)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    print(
        f"lab server ready (serve → listening): {median_ms(lambda: serve(app()).stop(), 20):.1f} ms (median of 20)"
    )
    print(
        f"Redis ready (start → PING):            {median_ms(lambda: start_redis(name=None).stop(), 10):.0f} ms (median of 10)"
    )

    lab = serve(app())
    others = {"plain waitress": plain_waitress(), "werkzeug make_server": werkzeug_dev()}
    cheroot = cheroot_server()
    if cheroot:
        others["cheroot"] = cheroot
    results = {name: [] for name in ["sessionlab.serve (waitress)", *others]}
    for _ in range(args.rounds):  # interleaved rounds, so drift hits every server alike
        results["sessionlab.serve (waitress)"].append(get_latency_us(lab.port))
        for name, (port, _) in others.items():
            results[name].append(get_latency_us(port))
    lab.stop()
    for _, stop in others.values():
        stop()
    base = statistics.median(results["plain waitress"])
    print("\nGET over one kept-alive http.client connection (median of per-round medians):")
    for name, runs in results.items():
        med = statistics.median(runs)
        print(f"  {name:<30} {med:7.0f} µs   ×{med / base:.2f} of plain waitress")
    ratio = statistics.median(results["sessionlab.serve (waitress)"]) / base
    print(f"\nlab server vs a keep-alive WSGI server in the same run: ×{ratio:.2f} (goal: within ×2)")

    if args.notebook:
        import subprocess
        import sys

        times = []
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-q",
                    "--nbval",
                    "notebooks/01_cookie_vs_session.ipynb",
                    "--nbval-sanitize-with",
                    "tools/nbval_sanitize.cfg",
                ],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - start)
        print(
            f"notebook 01 under nbval (kernel start included): median {statistics.median(times):.1f} s of 2"
        )


if __name__ == "__main__":
    main()
