"""Redis topologies for the labs: a primary with replicas (``WAIT``, failover) and a small Redis Cluster.

Built from ``redis_servers.RedisServer``; each starter replaces an older topology of the same name.
"""

from __future__ import annotations

import subprocess
import time

import redis as redis_py

from sessionlab.infra.redis_servers import HOST, RedisServer, find_redis_cli, forget_named, replace_named
from sessionlab.infra.servers import LabServerError


class _Topology:
    """Several nodes started as one: stopped together, usable in a ``with`` block."""

    name: str

    def members(self) -> list[RedisServer]:
        raise NotImplementedError

    def stop(self) -> None:
        for node in self.members():
            node.stop()
        forget_named(self.name, self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class ReplicatedRedis(_Topology):
    """A primary and its replicas (``--replicaof``), linked and ready to read."""

    def __init__(self, name: str, replicas: int = 1, persistence: bool = False):
        self.name = name
        self.primary = RedisServer(f"{name}-primary", persistence=persistence)
        self.replicas: list[RedisServer] = []
        try:
            for i in range(replicas):
                self.replicas.append(
                    RedisServer(
                        f"{name}-replica{i + 1}",
                        persistence=persistence,
                        args=("--replicaof", HOST, str(self.primary.port)),
                    )
                )
            for r in self.replicas:
                wait_link_up(r)
        except BaseException:
            self.stop()
            raise

    @property
    def nodes(self) -> list[RedisServer]:
        return [self.primary, *self.replicas]

    def members(self) -> list[RedisServer]:
        return self.nodes

    def promote(self, replica: RedisServer) -> RedisServer:
        """Make ``replica`` the primary (``REPLICAOF NO ONE``), as a failover would."""
        replica.client().execute_command("REPLICAOF", "NO", "ONE")
        self.replicas.remove(replica)
        self.primary = replica
        return replica


def wait_link_up(replica: RedisServer, timeout: float = 15.0) -> None:
    """Until the replica reports its link to the primary up (a ceiling for a busy machine, not a wait)."""
    client = replica.client()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.info("replication").get("master_link_status") == "up":
            return
        time.sleep(0.01)
    raise LabServerError(f"레플리카 {replica.address}가 프라이머리와 연결되지 않았습니다.")


def start_replicated(
    name: str | None = "replicated", replicas: int = 1, persistence: bool = False
) -> ReplicatedRedis:
    """A primary with ``replicas`` replicas; rerunning with the same name replaces the set."""
    return replace_named(name, lambda: ReplicatedRedis(name or "replicated", replicas, persistence))


# redis-cli prints this once it has assigned every slot and sent every MEET and REPLICATE. What it
# prints after it is a check of one node's view: on a busy machine that node may not have heard of
# every other node yet ("Not all 16384 slots are covered"), which gossip fixes a moment later.
_CONFIGURED = ">>> Performing Cluster Check"


class RedisCluster(_Topology):
    """A small Redis Cluster: ``primaries`` primaries, ``replicas`` replicas each."""

    def __init__(self, name: str, primaries: int = 3, replicas: int = 0, timeout: float = 20.0):
        self.name = name
        self.nodes: list[RedisServer] = []
        try:
            for i in range(primaries * (1 + replicas)):
                self.nodes.append(RedisServer(f"{name}-node{i + 1}", cluster=True))
            cmd = [
                find_redis_cli(),
                "--cluster",
                "create",
                *[n.address for n in self.nodes],
                "--cluster-replicas",
                str(replicas),
                "--cluster-yes",
            ]
            out = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
            )
            said = (out.stdout + out.stderr)[-600:]
            if _CONFIGURED not in out.stdout:
                raise LabServerError("redis-cli --cluster create 실패:\n" + said)
            try:  # also where redis-cli's closing check saw gossip still under way
                self.wait_ok(timeout)
            except LabServerError as exc:
                raise LabServerError(f"{exc}\nredis-cli --cluster create:\n{said}") from exc
        except BaseException:
            self.stop()
            raise

    @property
    def startup_nodes(self) -> list:
        from redis.cluster import ClusterNode

        return [ClusterNode(HOST, n.port) for n in self.nodes if n.running]

    def client(self, **kwargs):
        """A redis-py cluster client (follows MOVED redirections and failovers)."""
        from redis.cluster import RedisCluster as ClusterClient

        kwargs.setdefault("decode_responses", True)
        kwargs.setdefault("socket_timeout", 1)
        kwargs.setdefault("socket_connect_timeout", 1)
        return ClusterClient(startup_nodes=self.startup_nodes, **kwargs)

    def wait_ok(self, timeout: float = 20.0) -> None:
        """Wait until every running node reports ``cluster_state:ok``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if all(n.client().cluster("info")["cluster_state"] == "ok" for n in self.nodes if n.running):
                    return
            except (redis_py.ConnectionError, redis_py.TimeoutError, KeyError):
                pass
            time.sleep(0.05)
        raise LabServerError("클러스터가 제한 시간 안에 cluster_state:ok가 되지 않았습니다.")

    def wait_failover(self, dead: RedisServer, timeout: float = 15.0) -> None:
        """After ``dead`` was killed: wait until the others marked it failed and the cluster is ok again."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                alive = [n for n in self.nodes if n.running]
                views = [n.client().execute_command("CLUSTER", "NODES") for n in alive]
                marked = all(
                    any(
                        f":{dead.port}@" in line and "fail" in line.split()[2].split(",")
                        for line in v.splitlines()
                    )
                    for v in views
                )
                if marked:
                    self.wait_ok(max(0.1, deadline - time.monotonic()))
                    return
            except (redis_py.ConnectionError, redis_py.TimeoutError):
                pass
            time.sleep(0.05)
        raise LabServerError(f"{dead.address} 장애 뒤 클러스터가 제한 시간 안에 복구되지 않았습니다.")

    def roles(self) -> dict[int, str]:
        """port → 'master' or 'slave', as each running node sees itself."""
        return {n.port: n.client().info("replication")["role"] for n in self.nodes if n.running}

    def members(self) -> list[RedisServer]:
        return self.nodes

    def primaries(self) -> list[RedisServer]:
        roles = self.roles()
        return [n for n in self.nodes if roles.get(n.port) == "master"]


def start_cluster(name: str | None = "cluster", primaries: int = 3, replicas: int = 0) -> RedisCluster:
    """Start and create a cluster; rerunning with the same name replaces the old one."""
    return replace_named(name, lambda: RedisCluster(name or "cluster", primaries, replicas))
