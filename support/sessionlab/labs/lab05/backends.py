"""Lab 05's back ends: the shared Redis, cache, cluster and SQLite folder, and fast-failing Redis clients.

``Backends`` starts each back end on first use and reuses it: a Redis primary with
one replica (the central store and its backup store), a Redis for the hybrid
store's cache, a Redis Cluster (3 primaries + 3 replicas), and SQLite files in a
temporary folder. ``quick_client`` gives up fast when Redis is gone, ``repoint``
moves a client to a promoted replica, ``lab_redis_processes`` counts this kernel's
redis-server processes.
"""

from __future__ import annotations

import os
import shutil
import time
import weakref
from concurrent.futures import Future, ThreadPoolExecutor

import redis as redis_py

from sessionlab.infra import redis_servers as lab_redis
from sessionlab.infra import redis_topologies

__all__ = ["Backends", "quick_client", "repoint", "lab_redis_processes"]


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


class Backends:
    """Redis primary+replica, a cache Redis, a Redis Cluster and a SQLite folder, started on demand."""

    def __init__(self, name: str = "lab05"):
        self.name = name
        self._redis: redis_topologies.ReplicatedRedis | None = None
        self._cache: lab_redis.RedisServer | None = None
        self._cluster: redis_topologies.RedisCluster | None = None
        self._cluster_start: Future | None = None
        from sessionlab.infra.tmp import lab_dir

        self.dir = str(lab_dir("sqlite"))  # course temp folder; a killed kernel's folder is swept later
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.dir, True)

    @property
    def redis(self) -> redis_topologies.ReplicatedRedis:
        if self._redis is None or not self._redis.primary.running:
            self._redis = redis_topologies.start_replicated(name=f"{self.name}-redis", replicas=1)
        return self._redis

    @property
    def cache(self) -> lab_redis.RedisServer:
        if self._cache is None or not self._cache.running:
            self._cache = lab_redis.start_redis(name=f"{self.name}-cache")
        return self._cache

    def _start_cluster(self) -> redis_topologies.RedisCluster:
        return redis_topologies.start_cluster(name=f"{self.name}-cluster", primaries=3, replicas=1)

    def start_cluster_soon(self) -> None:
        """Start the cluster in a background thread; ``cluster`` waits for it.

        A new cluster cannot serve for about 2 s (redis-cli's join wait, then Redis's
        CLUSTER_WRITABLE_DELAY): that wait then overlaps the experiments that come first.
        """
        if self._cluster is not None or self._cluster_start is not None:
            return
        pool = ThreadPoolExecutor(1, thread_name_prefix=f"{self.name}-cluster-start")
        self._cluster_start = pool.submit(self._start_cluster)
        pool.shutdown(wait=False)

    def _wait_cluster_start(self) -> None:
        """Take over a background start: its cluster, or the error it raised."""
        started, self._cluster_start = self._cluster_start, None
        if started is not None:
            self._cluster = started.result()

    @property
    def cluster(self) -> redis_topologies.RedisCluster:
        self._wait_cluster_start()
        if self._cluster is None or not any(n.running for n in self._cluster.nodes):
            self._cluster = self._start_cluster()
        return self._cluster

    def heal_cluster(self, timeout: float = 15.0) -> int:
        """Restart killed cluster nodes; each rejoins as a replica (of the replica that took over).

        Returns how many nodes were restarted. Rerunning a failover cell then starts again
        from 3 primaries + 3 replicas.
        """
        cluster = self._cluster
        if cluster is None:
            return 0
        dead = [n for n in cluster.nodes if not n.running]
        for node in dead:
            node.restart()
        deadline = time.monotonic() + timeout
        while dead and time.monotonic() < deadline:
            try:
                roles = cluster.roles()
                links = [n.client().info("replication").get("master_link_status") for n in dead]
                if list(roles.values()).count("master") == len(cluster.nodes) // 2 and all(
                    link == "up" for link in links
                ):
                    cluster.wait_ok(max(0.1, deadline - time.monotonic()))
                    break
            except redis_py.RedisError:
                pass
            time.sleep(0.05)
        return len(dead)

    def sqlite_path(self, strategy: str) -> str:
        return os.path.join(self.dir, f"{strategy}.db")

    def stop(self) -> None:
        try:
            self._wait_cluster_start()  # a cluster still starting is stopped too
        except Exception:
            pass  # it failed to start: nothing of it is left to stop
        for obj in (self._redis, self._cache, self._cluster):
            if obj is not None:
                obj.stop()
        self._redis = self._cache = self._cluster = None
        self._finalizer()


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
        if (
            status.get("Name", "").strip() == "redis-server"
            and status.get("PPid", "").strip() == me
            and status.get("State", "").strip()[:1] != "Z"
        ):
            count += 1
    return count
