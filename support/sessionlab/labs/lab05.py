"""Lab 05: sessions across several app servers behind one load balancer.

    lab = MultiServerLab()               # shared back ends start lazily, once per kernel
    lab.use("redis")                     # three login-app servers + a balancer, one strategy
    run = lab.scenario("sticky")         # log users in, send requests, kill a server, count
    lab.stop()

The eight strategies (``STRATEGIES``) differ only in where each app server keeps
its sessions; the app is always ``sessionlab.apps.login.create_login_app`` (the JWT
strategy uses ``sessionlab.apps.token.create_token_app``, which keeps none).

Each app server is wrapped in two small WSGI layers of this module:
``store_outage_handler`` turns a store that cannot be reached (Redis down, a
cluster slot without a primary, a replica that did not acknowledge) into a
``503`` with a Korean message and ``Retry-After`` instead of a 500, and the app
recovers by itself when the store is back (redis-py reconnects on the next
command); ``ServerTiming`` adds ``app;dur=<ms>`` to the app's own
``Server-Timing: store;dur=<ms>`` so a client sees the store's share of each
request apart from transport.

Back ends (started on first use and reused): a Redis primary with one replica
(the central store and its backup store), a Redis for the hybrid store's cache,
a Redis Cluster (3 primaries + 3 replicas), and SQLite files in a temporary folder.
"""
from __future__ import annotations

import http.client
import os
import shutil
import signal
import sqlite3
import statistics
import time
import uuid
import weakref
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import redis as redis_py
import requests

from sessionlab.infra import redis_servers as lab_redis
from sessionlab.apps.login import create_login_app
from sessionlab.web.balancer import start_balancer
from sessionlab.infra.servers import serve
from sessionlab.web.stores import (HybridStore, MemoryStore, RedisClusterStore, RedisStore, ReplicatedStore,
                     SQLiteStore, connect)
from sessionlab.web.stores import StoreUnavailable, WaitRedisStore

__all__ = ["STRATEGIES", "DEFAULT_POLICY", "USER", "PASSWORD", "StoreUnavailable", "WaitRedisStore",
           "store_outage_handler", "ServerTiming", "MultiServerLab", "RunResult", "measure",
           "failover_loss", "replication_write_cost", "store_op_times", "consistency_window", "lab_redis_processes",
           "quick_client", "repoint", "STORE_DOWN_MESSAGE", "kill_redis_primary", "kill_cluster_primary",
           "flush_hybrid_cache", "cluster_outage", "comparison", "print_table", "plot_comparison",
           "lab_widget", "measure_strategy", "server_timing", "cookie_header", "Backends"]

STRATEGIES = {
    "memory": "1. 서버마다 메모리",
    "sticky": "2. 고정 세션(sticky)",
    "redis": "3. 중앙 Redis",
    "database": "4. 데이터베이스(SQLite)",
    "replicated": "5. 서버 간 복제",
    "jwt": "6. 클라이언트 JWT",
    "cluster": "7. Redis Cluster",
    "hybrid": "8. 하이브리드(Redis+DB)",
}
DEFAULT_POLICY = {s: ("sticky" if s == "sticky" else "round_robin") for s in STRATEGIES}
USER, PASSWORD = "alice", "wonderland-2026"
LAB_KDF_N = 2 ** 10  # the login hash is not this lab's subject: keep logins quick
STORE_DOWN_MESSAGE = ("세션 저장소(session store)에 연결할 수 없습니다. 잠시 뒤 다시 시도하세요 — "
                      "저장소가 돌아오면 서버를 다시 띄우지 않아도 자동으로 복구됩니다.")


# Errors that mean "the store is not there right now", not "the app has a bug".
STORE_ERRORS = (redis_py.ConnectionError, redis_py.TimeoutError, redis_py.exceptions.ClusterError,
                redis_py.exceptions.ClusterDownError, redis_py.exceptions.SlotNotCoveredError,
                redis_py.exceptions.MasterDownError, redis_py.exceptions.ReadOnlyError,
                redis_py.exceptions.TryAgainError, redis_py.exceptions.BusyLoadingError,
                redis_py.exceptions.RedisClusterException, sqlite3.OperationalError, StoreUnavailable)


def store_outage_handler(app, retry_after: int = 1):
    """Make a Flask app answer 503 (Korean JSON, ``Retry-After``) when its store is unreachable."""
    from flask import jsonify

    def unavailable(exc):
        resp = jsonify({"ok": False, "error": STORE_DOWN_MESSAGE, "store_error": type(exc).__name__})
        resp.status_code = 503
        resp.headers["Retry-After"] = str(retry_after)
        return resp

    for cls in STORE_ERRORS:
        app.register_error_handler(cls, unavailable)
    return app


class ServerTiming:
    """WSGI middleware: adds ``app;dur=<ms>`` (time inside the app) to ``Server-Timing``."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        box = {}

        def capture(status, headers, exc_info=None):
            box["status"], box["headers"], box["exc"] = status, list(headers), exc_info
            return lambda data: None  # the apps here never use write()

        start = time.perf_counter()
        body = self.app(environ, capture)
        body = list(body) if not isinstance(body, list) else body
        ms = (time.perf_counter() - start) * 1000
        headers = box["headers"]
        old = [v for k, v in headers if k.lower() == "server-timing"]
        headers = [(k, v) for k, v in headers if k.lower() != "server-timing"]
        headers.append(("Server-Timing", ", ".join(old + [f"app;dur={ms:.3f}"])))
        start_response(box["status"], headers, box["exc"])
        return body


def server_timing(header: str | None) -> dict[str, float]:
    """``"store;dur=0.1, app;dur=0.5"`` → ``{"store": 0.1, "app": 0.5}`` (ms)."""
    out = {}
    for part in (header or "").split(","):
        name, _, rest = part.strip().partition(";")
        if rest.startswith("dur="):
            try:
                out[name] = float(rest[4:])
            except ValueError:
                pass
    return out


def quick_client(server, **kwargs) -> redis_py.Redis:
    """A client that gives up fast when Redis is gone (redis-py's default retries take seconds)."""
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    kwargs.setdefault("retry", Retry(ExponentialBackoff(cap=0.05, base=0.005), 2))
    kwargs.setdefault("socket_timeout", 0.5)
    kwargs.setdefault("socket_connect_timeout", 0.5)
    return server.client(**kwargs)


def repoint(client: redis_py.Redis, port: int) -> None:
    """Send a client's next commands to another port (what Sentinel or a managed endpoint does)."""
    single = getattr(client, "connection", None)  # a single-connection client keeps its socket
    if single is not None:
        single.port = port
        single.disconnect()
    pool = client.connection_pool
    pool.connection_kwargs["port"] = port
    pool.disconnect()
    pool.reset()  # connections already made keep their old address: drop them


# --- the back ends, started once --------------------------------------------------------------

class Backends:
    """Redis primary+replica, a cache Redis, a Redis Cluster and a SQLite folder, started on demand."""

    def __init__(self, name: str = "lab05"):
        self.name = name
        self._redis = self._cache = self._cluster = None
        from sessionlab.infra.tmp import lab_dir

        self.dir = str(lab_dir("sqlite"))  # course temp folder; a killed kernel's folder is swept later
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.dir, True)

    @property
    def redis(self) -> lab_redis.ReplicatedRedis:
        if self._redis is None or not self._redis.primary.running:
            self._redis = lab_redis.start_replicated(name=f"{self.name}-redis", replicas=1)
        return self._redis

    @property
    def cache(self) -> lab_redis.RedisServer:
        if self._cache is None or not self._cache.running:
            self._cache = lab_redis.start_redis(name=f"{self.name}-cache")
        return self._cache

    @property
    def cluster(self) -> lab_redis.RedisCluster:
        if self._cluster is None or not any(n.running for n in self._cluster.nodes):
            self._cluster = lab_redis.start_cluster(name=f"{self.name}-cluster", primaries=3, replicas=1)
        return self._cluster

    def heal_cluster(self, timeout: float = 15.0) -> int:
        """Restart killed cluster nodes; each rejoins as a replica (of the replica that took over).

        Returns how many nodes were restarted. Rerunning a failover cell then starts again
        from 3 primaries + 3 replicas.
        """
        cluster = self._cluster
        dead = [n for n in cluster.nodes if not n.running] if cluster is not None else []
        for node in dead:
            node.restart()
        deadline = time.monotonic() + timeout
        while dead and time.monotonic() < deadline:
            try:
                roles = cluster.roles()
                links = [n.client().info("replication").get("master_link_status") for n in dead]
                if list(roles.values()).count("master") == len(cluster.nodes) // 2 and \
                        all(link == "up" for link in links):
                    cluster.wait_ok(max(0.1, deadline - time.monotonic()))
                    break
            except redis_py.RedisError:
                pass
            time.sleep(0.05)
        return len(dead)

    def sqlite_path(self, strategy: str) -> str:
        return os.path.join(self.dir, f"{strategy}.db")

    def stop(self) -> None:
        for obj in (self._redis, self._cache, self._cluster):
            if obj is not None:
                obj.stop()
        self._redis = self._cache = self._cluster = None
        self._finalizer()


# --- one strategy: three app servers behind a balancer ----------------------------------------

@dataclass
class RunResult:
    """What one scenario run showed, counted from its own requests."""

    strategy: str
    policy: str
    users: int
    logins_ok: int
    requests: int
    failed: int                      # requests that did not return the user (any status but 200)
    users_logged_out: int            # users who saw at least one such failure before any server died
    alive_before_kill: int
    lost_on_app_death: int           # sessions working before the kill that stopped working after
    lost_on_store_death: int | None = None  # None: no separate store node to kill
    statuses: Counter = field(default_factory=Counter)
    served_by: Counter = field(default_factory=Counter)
    killed: str = "s2"
    logged_in_on_killed: int = 0     # users whose login was answered by the server that was killed
    alive_before_store_death: int = 0

    def summary(self) -> dict:
        return {"전략": STRATEGIES[self.strategy], "정책": self.policy, "로그인": f"{self.logins_ok}/{self.users}",
                "실패 요청": f"{self.failed}/{self.requests}", "로그아웃된 사용자": self.users_logged_out,
                f"{self.killed} 죽은 뒤 잃은 세션": f"{self.lost_on_app_death}/{self.alive_before_kill}"}


class MultiServerLab:
    """Three login-app servers (s1..s3) behind ``sessionlab.balancer``, one strategy at a time."""

    def __init__(self, n: int = 3, name: str = "lab05", backends: Backends | None = None):
        self.n, self.name = n, name
        self.names = [f"s{i + 1}" for i in range(n)]
        self.backends = backends or Backends(name)
        self.strategy = self.policy = None
        self.servers: list = [None] * n
        self.stores: list = [None] * n
        self.lb = None
        self._ports: list[int] = [0] * n
        self._keys = None

    # -- building -----------------------------------------------------------------------
    def _store(self, strategy: str, i: int, **opts):
        b = self.backends
        if strategy in ("memory", "sticky"):
            return MemoryStore()
        if strategy == "redis":
            return RedisStore(quick_client(b.redis.primary), prefix="lab05:")
        if strategy == "database":
            return SQLiteStore(b.sqlite_path("database"))
        if strategy == "replicated":
            return ReplicatedStore(name=f"{self.name}-{self.names[i]}", sync=opts.get("sync", True),
                                   batch_interval=opts.get("batch_interval", 0.05))
        if strategy == "cluster":
            cluster = b.cluster
            if i == 0:
                b.heal_cluster()  # nodes killed by an earlier run come back as replicas
            return RedisClusterStore(cluster.client(), prefix="lab05:")
        if strategy == "hybrid":
            return HybridStore(b.cache, path=b.sqlite_path("hybrid"), prefix="lab05:")
        if strategy == "jwt":
            return None
        raise ValueError(f"알 수 없는 전략: {strategy!r} (가능: {', '.join(STRATEGIES)})")

    def _app(self, strategy: str, store):
        if strategy == "jwt":
            from sessionlab.apps.token import create_token_app
            from sessionlab.web.tokens import TokenService, generate_keys

            if self._keys is None:
                self._keys = generate_keys(("HS256",))  # every server shares the signing key
            app = create_token_app(TokenService(keys=self._keys), users={USER: (PASSWORD, "user")})
        else:
            app = create_login_app(store=store, kdf_n=LAB_KDF_N)
        return ServerTiming(store_outage_handler(app))

    def _serve(self, i: int) -> None:
        app = self._app(self.strategy, self.stores[i])
        self.servers[i] = serve(app, name=f"{self.name}-{self.names[i]}", port=self._ports[i])
        self._ports[i] = self.servers[i].port

    def use(self, strategy: str, policy: str | None = None, **opts):
        """Start the three servers with ``strategy``'s store and a balancer in front; returns it."""
        if strategy not in STRATEGIES:
            raise ValueError(f"알 수 없는 전략: {strategy!r} (가능: {', '.join(STRATEGIES)})")
        self.stop_servers()
        self.strategy, self.policy, self._opts = strategy, policy or DEFAULT_POLICY[strategy], opts
        self.stores = [self._store(strategy, i, **opts) for i in range(self.n)]
        if strategy == "replicated":
            connect(*self.stores)
        self._ports = [0] * self.n
        for i in range(self.n):
            self._serve(i)
        self.lb = start_balancer(self.servers, policy=self.policy, name=f"{self.name}-lb", names=self.names)
        self.clear_sessions()
        return self.lb

    def clear_sessions(self) -> None:
        """Start from an empty store (the shared ones keep their data between uses otherwise)."""
        store = self.stores[0]
        if store is not None:
            store.clear()

    # -- faults -------------------------------------------------------------------------
    def kill(self, i: int, health_check: bool = True) -> None:
        """Stop server ``i`` (its memory is gone); ``health_check``: the balancer takes it out."""
        self.servers[i].stop()
        if isinstance(self.stores[i], ReplicatedStore):
            self.stores[i].close()
        if health_check:
            self.lb.mark_down(i)

    def restart(self, i: int) -> None:
        """Start server ``i`` again on its port, with a fresh process memory."""
        if self.servers[i] is not None and self.servers[i].running:
            self.servers[i].stop()
        store = self._store(self.strategy, i, **self._opts)
        if isinstance(store, ReplicatedStore):
            peers = [s for j, s in enumerate(self.stores) if j != i and s is not None]
            store.connect(*peers)
            for p in peers:
                p.connect(*[s for s in peers if s is not p], store)
            store.join()  # state transfer: fetch every session from a peer
        self.stores[i] = store
        self._serve(i)
        self.lb.mark_up(i)

    def running(self) -> list[bool]:
        return [bool(s and s.running) for s in self.servers]

    # -- clients --------------------------------------------------------------------------
    def client(self, number: int = 0) -> requests.Session:
        """A browser-like client; ``X-Forwarded-For`` makes it a distinct user for the hash policy."""
        c = requests.Session()
        c.headers["X-Forwarded-For"] = f"10.0.{number // 250}.{number % 250 + 1}"
        return c

    def login(self, number: int = 0) -> tuple[requests.Session, requests.Response]:
        c = self.client(number)
        r = c.post(self.lb.url + "/login", json={"username": USER, "password": PASSWORD}, timeout=10)
        return c, r

    def me(self, c: requests.Session) -> requests.Response:
        return c.get(self.lb.url + "/me", timeout=10)

    # -- one scenario ---------------------------------------------------------------------
    def scenario(self, strategy: str, policy: str | None = None, users: int = 10, rounds: int = 3,
                 kill: int = 1, store_death=None, **opts) -> RunResult:
        """Log ``users`` in, ``rounds`` × GET /me each, kill server ``kill``, one more GET /me each.

        ``store_death``: a function ``(lab) -> None`` that kills a store node and waits for
        recovery; the users are asked once more and the sessions that stopped working are counted.
        """
        lb = self.use(strategy, policy, **opts)
        lb.reset()
        clients, ok, on_killed = [], 0, 0
        for u in range(users):
            c, r = self.login(u)
            clients.append(c)
            ok += r.status_code == 200
            on_killed += r.headers.get("X-Served-By") == self.names[kill]
        statuses, failed, logged_out = Counter(), 0, set()
        for _ in range(rounds):
            for u, c in enumerate(clients):
                r = self.me(c)
                statuses[r.status_code] += 1
                if r.status_code != 200:
                    failed += 1
                    logged_out.add(u)
        alive = [u for u, c in enumerate(clients) if self.me(c).status_code == 200]
        served = Counter(lb.served_by())
        self.kill(kill)
        after = [u for u in alive if self.me(clients[u]).status_code == 200]
        result = RunResult(strategy, self.policy, users, ok, users * rounds, failed, len(logged_out),
                           len(alive), len(alive) - len(after), statuses=statuses, served_by=served,
                           killed=self.names[kill], logged_in_on_killed=on_killed)
        self.restart(kill)
        if store_death is not None:
            before = [u for u in after if self.me(clients[u]).status_code == 200]
            store_death(self)
            result.alive_before_store_death = len(before)
            result.lost_on_store_death = sum(self.me(clients[u]).status_code != 200 for u in before)
        self.clients = clients
        return result

    # -- stopping -------------------------------------------------------------------------
    def stop_servers(self) -> None:
        for s in self.servers:
            if s is not None:
                s.stop()
        for st in self.stores:
            if isinstance(st, ReplicatedStore):
                st.close()
        if self.lb is not None:
            self.lb.stop()
        self.servers, self.stores, self.lb = [None] * self.n, [None] * self.n, None

    def stop(self) -> None:
        """Stop the app servers, the balancer and every back end of this lab."""
        self.stop_servers()
        self.backends.stop()


# --- store-node deaths, one per strategy -------------------------------------------------------

def kill_redis_primary(lab: MultiServerLab) -> None:
    """The central Redis primary dies; its replica is promoted and every app server repointed."""
    pair = lab.backends.redis
    pair.primary.kill()
    new = pair.promote(pair.replicas[0])
    for store in lab.stores:
        repoint(store.redis, new.port)


def primaries_with_replica(cluster) -> list:
    """Running primaries that still have a running replica (only they can fail over)."""
    alive = [n for n in cluster.nodes if n.running]
    lines = alive[0].client().execute_command("CLUSTER", "NODES").splitlines()
    ids, covered = {}, set()
    for line in lines:
        parts = line.split()
        port = int(parts[1].split("@")[0].rsplit(":", 1)[1])
        flags = parts[2].split(",")
        if "master" in flags and "fail" not in flags:
            ids[parts[0]] = port
        elif "slave" in flags and "fail" not in flags and parts[3] != "-":
            covered.add(parts[3])
    ports = {port for node_id, port in ids.items() if node_id in covered}
    return [n for n in alive if n.port in ports]


def kill_primary(cluster, node) -> None:
    """SIGKILL one cluster primary and wait until its replica took over."""
    node.kill()
    cluster.wait_failover(node)


def kill_cluster_primary(lab: MultiServerLab) -> int:
    """Kill the cluster primary (with a replica) that holds the most sessions; wait for the failover."""
    cluster = lab.backends.cluster
    candidates = primaries_with_replica(cluster)
    store = lab.stores[0]
    owners = Counter(store.node_of(sid) for sid in store.live_ids())
    victim = max(candidates, key=lambda n: owners.get(n.port, 0))
    kill_primary(cluster, victim)
    return victim.port


def flush_hybrid_cache(lab: MultiServerLab) -> None:
    """The hybrid store's Redis is killed and restarted empty."""
    cache = lab.backends.cache
    cache.kill()
    cache.restart()


# --- measuring ----------------------------------------------------------------------------------

def measure(url: str, cookie: str | None, n: int = 200, path: str = "/me", headers=None) -> dict:
    """``n`` GETs over one kept-alive connection: end-to-end and Server-Timing times (ms)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    hdrs = dict(headers or {})
    if cookie:
        hdrs["Cookie"] = cookie
    total, store, app, codes = [], [], [], Counter()
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
    total.sort()
    return {"median_ms": statistics.median(total), "p99_ms": total[min(len(total) - 1, int(0.99 * len(total)))],
            "store_ms": statistics.median(store), "app_ms": statistics.median(app), "statuses": dict(codes), "n": n}


def cookie_header(c: requests.Session) -> str:
    return "; ".join(f"{k}={v}" for k, v in c.cookies.items())


def measure_strategy(lab: MultiServerLab, strategy: str, n: int = 200, runs: int = 3) -> dict:
    """Median over ``runs`` of (median, p99, store and app time) through the balancer for one user."""
    lab.use(strategy)
    c, r = lab.login(0)
    if r.status_code != 200:
        raise RuntimeError(f"{strategy}: 로그인 실패 {r.status_code}")
    if strategy == "memory":  # a fair timing needs the server that holds the session
        lab.lb.policy = "sticky"
        c, r = lab.login(0)
    rows = [measure(lab.lb.url, cookie_header(c), n=n) for _ in range(runs)]
    out = {k: statistics.median(row[k] for row in rows) for k in ("median_ms", "p99_ms", "store_ms", "app_ms")}
    out["ok"] = sum(row["statuses"].get(200, 0) for row in rows)
    out["n"] = n * runs
    return out


def replication_write_cost(sizes=(2, 3, 5), n: int = 200, sync: bool = True) -> dict[int, float]:
    """Median ms of one ``update`` on a group of ``size`` replicated stores (sync: waits for all peers)."""
    out = {}
    for size in sizes:
        group = connect(*[ReplicatedStore(name=f"cost-{size}-{i}", sync=sync) for i in range(size)])
        try:
            sid = group[0].create({"n": 0}).id
            times = []
            for k in range(n):
                t = time.perf_counter()
                group[0].update(sid, {"n": k})
                times.append((time.perf_counter() - t) * 1000)
            out[size] = statistics.median(times)
        finally:
            for s in group:
                s.close()
    return out


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


def failover_loss(n: int = 20, wait: bool = False, stall_replica: bool = False,
                  padding_mb: int = 48, name: str = "lab05-backup") -> dict:
    """Sessions written to a Redis primary, then the primary dies and its replica is promoted.

    ``stall_replica``: the replica is paused (SIGSTOP, as a long GC pause, a slow disk
    or a congested link would) and the primary first writes ``padding_mb`` MB, so the
    socket buffers between them are full and later writes wait in the primary's memory.
    ``wait``: the store confirms each new session with ``WAIT 1`` (``WaitRedisStore``);
    a session that was not confirmed is refused (the app would answer 503).
    Returns acknowledged (the user got a session), refused, and lost (acknowledged,
    yet missing on the promoted replica).
    """
    pair = lab_redis.start_replicated(name=name, replicas=1)
    replica = pair.replicas[0]
    try:
        client = quick_client(pair.primary)
        store = WaitRedisStore(client, prefix="backup:") if wait else RedisStore(client, prefix="backup:")
        if stall_replica:
            os.kill(replica.pid, signal.SIGSTOP)
            chunk = "x" * (1024 * 1024)
            for i in range(padding_mb):
                client.set(f"padding:{i}", chunk)
        acked, refused = [], 0
        for k in range(n):
            try:
                acked.append(store.create({"user": f"user{k}"}).id)
            except StoreUnavailable:
                refused += 1
        pair.primary.kill()
        if stall_replica:
            os.kill(replica.pid, signal.SIGCONT)
        _wait_link_down(replica)
        new = pair.promote(replica)
        survivor = RedisStore(quick_client(new), prefix="backup:")
        lost = sum(survivor.get(sid) is None for sid in acked)
        return {"written": n, "acknowledged": len(acked), "refused": refused, "lost": lost,
                "wait": wait, "stalled": stall_replica}
    finally:
        if stall_replica and replica.running:
            try:
                os.kill(replica.pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        pair.stop()


def _wait_link_down(replica, timeout: float = 5.0) -> None:
    """After the primary died: wait until the replica has read what reached it and noticed."""
    client = quick_client(replica)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if client.info("replication").get("master_link_status") == "down":
                return
        except redis_py.RedisError:
            pass
        time.sleep(0.01)


# --- processes --------------------------------------------------------------------------------

def lab_redis_processes() -> int:
    """redis-server processes whose parent is this Python process (this kernel's Redis)."""
    me, count = str(os.getpid()), 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/status") as f:
                status = dict(line.split(":\t", 1) for line in f.read().splitlines() if ":\t" in line)
        except OSError:
            continue
        if status.get("Name", "").strip() == "redis-server" and status.get("PPid", "").strip() == me \
                and status.get("State", "").strip()[:1] != "Z":
            count += 1
    return count


def unique_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


# --- the widget ---------------------------------------------------------------------------------

def lab_widget(lab: MultiServerLab, requests_per_click: int = 6):
    """Choose strategy and policy, log in, send requests, kill and restart servers; see each request.

    Returns an ipywidgets box; ``box.controls`` holds the controls by name (tests click them).
    """
    import html as _html

    import ipywidgets as w

    from sessionlab.web.balancer import POLICIES

    strategy = w.Dropdown(options=[(label, key) for key, label in STRATEGIES.items()], value="sticky",
                          description="전략")
    policy = w.Dropdown(options=list(POLICIES), value="sticky", description="정책")
    apply = w.Button(description="적용하고 로그인", button_style="primary")
    send = w.Button(description=f"요청 {requests_per_click}번")
    health = w.Checkbox(value=True, description="헬스 체크(죽은 서버 제외)")
    toggles = [w.ToggleButton(value=True, description=f"{name} 켜짐") for name in lab.names]
    view = w.HTML("<i>전략과 정책을 고르고 '적용하고 로그인'을 누르세요.</i>")
    state = {"client": None, "rows": [], "note": ""}

    def render():
        rows = "".join(f"<tr><td>{i}</td><td>{_html.escape(s)}</td><td>{c}</td><td>{'✅ 살아 있음' if ok else '❌ 잃음'}</td></tr>"
                       for i, (s, c, ok) in enumerate(state["rows"][-12:], start=max(1, len(state["rows"]) - 11)))
        up = " ".join(f"{n}:{'켜짐' if r else '꺼짐'}" for n, r in zip(lab.names, lab.running()))
        view.value = (f"<b>{_html.escape(STRATEGIES.get(lab.strategy or '', '-'))} / {lab.policy}</b> — {up}"
                      f"<br>{_html.escape(state['note'])}<table><tr><th>#</th><th>응답한 서버</th><th>상태</th>"
                      f"<th>세션</th></tr>{rows}</table>")

    def on_apply(_=None):
        lab.use(strategy.value, policy.value)
        for t in toggles:
            t.value = True
        c, r = lab.login(0)
        state.update(client=c, rows=[(r.headers.get("X-Served-By", "-"), r.status_code, r.status_code == 200)],
                     note="로그인: " + str(r.status_code))
        render()

    def on_send(_=None):
        if state["client"] is None:
            on_apply()
        for _ in range(requests_per_click):
            r = lab.me(state["client"])
            state["rows"].append((r.headers.get("X-Served-By", "-"), r.status_code, r.status_code == 200))
        render()

    def on_toggle(i):
        def handler(change):
            if lab.lb is None:
                return
            if change["new"] and not lab.running()[i]:
                lab.restart(i)
            elif not change["new"] and lab.running()[i]:
                lab.kill(i, health_check=health.value)
            toggles[i].description = f"{lab.names[i]} {'켜짐' if change['new'] else '꺼짐'}"
            render()
        return handler

    apply.on_click(on_apply)
    send.on_click(on_send)
    for i, t in enumerate(toggles):
        t.observe(on_toggle(i), names="value")
    box = w.VBox([w.HBox([strategy, policy]), w.HBox([apply, send, health]), w.HBox(toggles), view])
    box.controls = {"strategy": strategy, "policy": policy, "apply": apply, "send": send,
                    "health": health, "toggles": toggles, "view": view, "state": state}
    return box


# --- the side-by-side table -------------------------------------------------------------------

CONSISTENCY = {
    "memory": "사본 하나(그 서버에만)",
    "sticky": "사본 하나(그 서버에만)",
    "redis": "즉시(읽기·쓰기 모두 프라이머리), 레플리카는 비동기",
    "database": "즉시(한 DB)",
    "replicated": "동기 복제: 즉시 / 비동기: 창(window)이 있음",
    "jwt": "토큰이 곧 상태: 폐기(revoke)가 즉시 안 됨",
    "cluster": "즉시(슬롯마다 프라이머리 하나), 레플리카는 비동기",
    "hybrid": "즉시(쓰기 관통: DB 먼저, 그다음 캐시)",
}
STORE_NODE = {"memory": "앱 서버 = 저장소", "sticky": "앱 서버 = 저장소", "database": "해당 없음(파일 DB)",
              "replicated": "앱 서버 = 저장소", "jwt": "저장소 없음"}


def comparison(runs: dict, timings: dict | None = None) -> list[dict]:
    """One row per strategy: latency through the balancer (if measured), losses counted in the runs."""
    rows = []
    for key, label in STRATEGIES.items():
        run, t = runs.get(key), (timings or {}).get(key, {})
        if run is None:
            continue
        if run.alive_before_kill:
            app_death = f"{run.lost_on_app_death}/{run.alive_before_kill}"
        else:
            app_death = f"{run.users_logged_out}/{run.users}: 이미 로그아웃"
        if run.lost_on_store_death is not None:
            store_death = f"{run.lost_on_store_death}/{run.alive_before_store_death}"
        else:
            store_death = STORE_NODE.get(key, "-")
        rows.append({"key": key, "전략": label, "중앙값 ms": t.get("median_ms"), "p99 ms": t.get("p99_ms"),
                     "저장소 ms": t.get("store_ms"), "실패 요청": f"{run.failed}/{run.requests}",
                     "앱 서버 죽음": app_death, "저장소 노드 죽음": store_death, "일관성": CONSISTENCY[key]})
    return rows


def print_table(rows: list[dict], timings: bool = True) -> None:
    """Print the rows as a plain-text table (timings only when asked: they change from run to run)."""
    cols = ["전략", "중앙값 ms", "p99 ms", "저장소 ms"] if timings else ["전략"]
    cols += ["실패 요청", "앱 서버 죽음", "저장소 노드 죽음"] + ([] if timings else ["일관성"])
    print(" | ".join(cols))
    for row in rows:
        cells = [f"{row[c]:.2f}" if isinstance(row[c], float) else str(row[c] if row[c] is not None else "-")
                 for c in cols]
        print(" | ".join(cells))


def plot_comparison(plt, rows: list[dict]):
    """Median and p99 through the balancer per strategy, with the store's share of the median."""
    rows = [r for r in rows if r["중앙값 ms"] is not None]
    names = [r["key"] for r in rows]
    x = range(len(rows))
    fig, ax = plt.subplots(figsize=(9, 3.6))
    ax.bar(x, [r["중앙값 ms"] for r in rows], color="tab:blue", label="중앙값(median)")
    ax.bar(x, [r["저장소 ms"] for r in rows], color="tab:orange", width=0.5, label="그중 저장소 시간(Server-Timing)")
    ax.plot(list(x), [r["p99 ms"] for r in rows], "k^", label="p99")
    ax.set_xticks(list(x), names, rotation=20)
    ax.set(ylabel="ms (로드 밸런서를 거친 GET /me)", title="전략별 지연 시간: 같은 실행 안에서 비교")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def cluster_outage(lab: MultiServerLab, first_user: int = 100, tries: int = 30):
    """Log in until a session lands on a primary that has a replica, kill that primary.

    Returns (response right after the kill, response after the failover) for that user.
    """
    cluster = lab.backends.cluster
    candidates = {n.port: n for n in primaries_with_replica(cluster)}
    for u in range(first_user, first_user + tries):
        c, _ = lab.login(u)
        port = lab.stores[0].node_of(c.cookies["sid"])
        if port in candidates:
            break
    else:
        raise RuntimeError("복제본이 있는 프라이머리에 세션이 놓이지 않았습니다.")
    node = candidates[port]
    node.kill()
    during = lab.me(c)
    cluster.wait_failover(node)
    return during, lab.me(c)


def store_op_times(store, n: int = 300) -> dict[str, float]:
    """Median µs of ``get`` (read only) and ``touch`` (read + write of the activity time) on one session."""
    sid = store.create({"user": USER}).id
    out = {}
    for op in ("get", "touch"):
        fn, times = getattr(store, op), []
        for _ in range(n):
            t = time.perf_counter()
            fn(sid)
            times.append((time.perf_counter() - t) * 1e6)
        out[op] = statistics.median(times)
    store.delete(sid)
    return out
