"""Lab 05: sessions across several app servers behind one load balancer.

    lab = MultiServerLab()               # shared back ends start lazily, once per kernel
    lab.use("redis")                     # three login-app servers + a balancer, one strategy
    run = lab.scenario("sticky")         # log users in, send requests, kill a server, count
    lab.stop()

The eight strategies (``STRATEGIES``, the registry in ``strategies``) differ only
in where each app server keeps its sessions; the app is always
``sessionlab.apps.login.create_login_app`` (the JWT strategy uses
``sessionlab.apps.token.create_token_app``, which keeps none).

Each app server is wrapped in two WSGI layers of ``sessionlab.web``:
``store_outage_handler`` (``web.outage``) turns a store that cannot be reached
(Redis down, a cluster slot without a primary, a replica that did not
acknowledge) into a ``503`` with a Korean message and ``Retry-After`` instead of
a 500, and the app recovers by itself when the store is back; ``ServerTiming``
(``web.server_timing``) adds ``app;dur=<ms>`` to the app's own
``Server-Timing: store;dur=<ms>`` so a client sees the store's share of each
request apart from transport.

Modules: ``strategies`` (the registry), ``backends`` (Redis, cache, cluster,
SQLite), ``lab`` (``MultiServerLab``, ``RunResult``), ``failover`` (store-node
deaths, ``failover_loss``), ``measure`` (timings), ``view`` (widget, table, plot),
``hashing`` (``remap``: clients moved and sessions lost per balancer hash policy when a
server is removed or added), ``request_trace`` (``trace_scenario``: per request the server, the
cookies and the Redis commands from ``MONITOR``).
"""

from __future__ import annotations

from sessionlab.labs.lab05.backends import Backends, lab_redis_processes, quick_client, repoint
from sessionlab.labs.lab05.failover import (
    WaitRedisStore,
    cluster_outage,
    failover_loss,
    flush_hybrid_cache,
    kill_cluster_primary,
    kill_redis_primary,
    retry_after,
)
from sessionlab.labs.lab05.hashing import Remap, client_ip, remap
from sessionlab.labs.lab05.lab import MultiServerLab, RunResult
from sessionlab.labs.lab05.measure import (
    consistency_window,
    cookie_header,
    measure,
    measure_strategy,
    p99,
    replication_write_cost,
    store_op_times,
)
from sessionlab.labs.lab05.request_trace import RedisMonitor, TraceRow, print_trace, trace_scenario
from sessionlab.labs.lab05.strategies import DEFAULT_POLICY, LAB_KDF_N, PASSWORD, STRATEGIES, USER, Strategy
from sessionlab.labs.lab05.view import (
    aligned,
    comparison,
    comparison_table,
    counts,
    lab_widget,
    plot_comparison,
    print_remaps,
    print_run,
    print_table,
)
from sessionlab.web.outage import STORE_DOWN_MESSAGE, StoreUnavailable, store_outage_handler
from sessionlab.web.server_timing import ServerTiming, server_timing

__all__ = [
    "STRATEGIES",
    "Strategy",
    "DEFAULT_POLICY",
    "USER",
    "PASSWORD",
    "LAB_KDF_N",
    "StoreUnavailable",
    "WaitRedisStore",
    "store_outage_handler",
    "ServerTiming",
    "MultiServerLab",
    "RunResult",
    "measure",
    "p99",
    "failover_loss",
    "replication_write_cost",
    "store_op_times",
    "consistency_window",
    "lab_redis_processes",
    "quick_client",
    "repoint",
    "STORE_DOWN_MESSAGE",
    "kill_redis_primary",
    "kill_cluster_primary",
    "flush_hybrid_cache",
    "cluster_outage",
    "retry_after",
    "comparison",
    "print_table",
    "comparison_table",
    "plot_comparison",
    "lab_widget",
    "aligned",
    "counts",
    "print_run",
    "print_remaps",
    "measure_strategy",
    "server_timing",
    "cookie_header",
    "Backends",
    "remap",
    "Remap",
    "client_ip",
    "trace_scenario",
    "print_trace",
    "TraceRow",
    "RedisMonitor",
]
