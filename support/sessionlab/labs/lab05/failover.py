"""Lab 05's failures: store nodes that die (one way per strategy) and what a Redis failover loses.

The ``store_death`` functions for ``MultiServerLab.scenario`` kill a store node
and wait for recovery: ``kill_redis_primary`` (replica promoted, app servers
repointed), ``kill_cluster_primary`` (the cluster fails over by itself),
``flush_hybrid_cache`` (the cache comes back empty). ``cluster_outage`` shows the
503 between a primary's death and the failover; ``failover_loss`` counts the
acknowledged sessions a promoted replica does not have, with and without
``WaitRedisStore`` (``WAIT 1``).
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

import redis as redis_py

from sessionlab.apps.login import LOGIN_COOKIE
from sessionlab.infra import redis_servers as lab_redis
from sessionlab.infra import redis_topologies
from sessionlab.labs.lab05.backends import quick_client, repoint
from sessionlab.labs.lab05.lab import MultiServerLab
from sessionlab.web.stores import RedisStore, StoreUnavailable, WaitRedisStore

__all__ = [
    "kill_redis_primary",
    "primaries_with_replica",
    "kill_primary",
    "kill_cluster_primary",
    "flush_hybrid_cache",
    "cluster_outage",
    "retry_after",
    "failover_loss",
]


def _signal(server: lab_redis.RedisServer, sig: signal.Signals) -> None:
    """Send ``sig`` to a Redis server's process (it was started, so it has one)."""
    pid = server.pid
    assert pid is not None, f"{server!r}: no process"
    os.kill(pid, sig)


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


def cluster_outage(lab: MultiServerLab, first_user: int = 100, tries: int = 30):
    """Log in until a session lands on a primary that has a replica, kill that primary.

    Returns (response right after the kill, response after the failover) for that user.
    The kill waits until the replica has the login's write (what a failover can lose is
    ``failover_loss``'s subject, not this one's); after the failover the user asks again
    as the 503 says (``retry_after``).
    """
    cluster = lab.backends.cluster
    candidates = {n.port: n for n in primaries_with_replica(cluster)}
    for u in range(first_user, first_user + tries):
        c, _ = lab.login(u)
        port = lab.stores[0].node_of(c.cookies[LOGIN_COOKIE])
        if port in candidates:
            break
    else:
        raise RuntimeError("복제본이 있는 프라이머리에 세션이 놓이지 않았습니다.")
    node = candidates[port]
    _wait_replicated(node, cluster.nodes)
    node.kill()
    during = lab.me(c)
    cluster.wait_failover(node)
    after, _ = retry_after(lambda: lab.me(c))
    return during, after


def retry_after(request, patience: float = 5.0) -> tuple:
    """Call ``request()`` again after each 503, waiting its ``Retry-After`` seconds, for up to ``patience`` s.

    What the 503's message asks of the user. Returns (the last response, how many were sent).
    """
    deadline = time.monotonic() + patience
    sent = 1
    response = request()
    while response.status_code == 503 and time.monotonic() < deadline:
        time.sleep(float(response.headers.get("Retry-After", "1")))
        response, sent = request(), sent + 1
    return response, sent


def _wait_replicated(primary: lab_redis.RedisServer, nodes: list, timeout: float = 5.0) -> None:
    """Until each replica of ``primary`` (found among ``nodes``) has applied its replication stream so far.

    With no such replica there is nothing to wait for. Asked of the replicas (``slave_repl_offset``):
    the primary's own view of them moves only with their acknowledgement, once a second.
    """
    info = primary.client().info("replication")
    ports = [v["port"] for k, v in info.items() if k.startswith("slave") and isinstance(v, dict)]
    replicas = [quick_client(n, socket_timeout=0.2) for n in nodes if n.port in ports]
    if not replicas:
        return
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                offsets = [r.info("replication")["slave_repl_offset"] for r in replicas]
            except (redis_py.ConnectionError, redis_py.TimeoutError):  # a replica too busy to answer
                offsets = []
            if offsets and min(offsets) >= info["master_repl_offset"]:
                return
            time.sleep(0.01)
    finally:
        for r in replicas:
            r.close()
    raise RuntimeError(f"{primary.address}의 레플리카가 {timeout:.0f}초 안에 따라잡지 못했습니다.")


# --- what a failover loses ------------------------------------------------------------------------


def failover_loss(
    n: int = 20,
    wait: bool = False,
    stall_replica: bool = False,
    padding_mb: int = 48,
    name: str = "lab05-backup",
    replicas: int = 1,
    promote_lagging: bool = False,
) -> dict:
    """Sessions written to a Redis primary, then the primary dies and a replica is promoted.

    ``stall_replica``: the (last) replica is paused (SIGSTOP, as a long GC pause, a slow
    disk or a congested link would) and the primary first writes ``padding_mb`` MB, so
    the socket buffers between them are full and later writes wait in the primary's memory.
    ``wait``: the store confirms each new session with ``WAIT 1`` (``WaitRedisStore``);
    a session that was not confirmed is refused (the app would answer 503).
    ``promote_lagging`` (``replicas`` ≥ 2, ``stall_replica``): the healthy replicas, which
    confirmed the writes, die with the primary (one rack, one zone) and the paused replica
    is the one promoted.
    Returns acknowledged (the user got a session), refused, on_primary (session keys the
    primary held just before it died, refused ones included: a WAIT timeout does not undo
    the write) and lost (acknowledged, yet missing on the promoted replica).
    """
    if promote_lagging and not (stall_replica and replicas >= 2):
        raise ValueError("promote_lagging에는 stall_replica=True와 replicas >= 2가 필요합니다.")
    pair = redis_topologies.start_replicated(name=name, replicas=replicas)
    lagging = pair.replicas[-1]
    try:
        client = quick_client(pair.primary)
        store = WaitRedisStore(client, prefix="backup:") if wait else RedisStore(client, prefix="backup:")
        if stall_replica:
            _stall(lagging, client, padding_mb)
            _wait_replicated(pair.primary, pair.replicas[:-1])  # the premise: the others are in sync
        acked, refused = _create_sessions(store, n)
        on_primary = sum(1 for _ in client.scan_iter(match="backup:*", count=1000))
        appendonly = None if stall_replica else _appendonly(lagging)
        new = _fail_over(pair, lagging, promote_lagging, stall_replica)
        survivor = RedisStore(quick_client(new), prefix="backup:")
        lost = sum(survivor.get(sid) is None for sid in acked)
        return {
            "written": n,
            "acknowledged": len(acked),
            "refused": refused,
            "on_primary": on_primary,
            "lost": lost,
            "replica_appendonly": appendonly or _appendonly(new),
            "wait": wait,
            "stalled": stall_replica,
            "promoted_lagging": promote_lagging,
        }
    finally:
        if stall_replica and lagging.running:
            try:
                _signal(lagging, signal.SIGCONT)
            except ProcessLookupError:
                pass
        pair.stop()


def _stall(replica, primary_client, padding_mb: int) -> None:
    """Pause ``replica`` and fill the link with ``padding_mb`` MB, so later writes wait on the primary."""
    _signal(replica, signal.SIGSTOP)
    chunk = "x" * (1024 * 1024)
    for i in range(padding_mb):
        primary_client.set(f"padding:{i}", chunk)


def _create_sessions(store, n: int) -> tuple[list[str], int]:
    """Create ``n`` sessions; (ids the store acknowledged, how many it refused)."""
    acked, refused = [], 0
    for k in range(n):
        try:
            acked.append(store.create({"user": f"user{k}"}).id)
        except StoreUnavailable:
            refused += 1
    return acked, refused


def _appendonly(server) -> str | None:
    return quick_client(server).config_get("appendonly").get("appendonly")


def _fail_over(pair, lagging, promote_lagging: bool, stall_replica: bool):
    """Kill the primary (and, with ``promote_lagging``, the healthy replicas); promote a replica."""
    pair.primary.kill()
    if promote_lagging:
        for replica in pair.replicas[:-1]:
            replica.kill()
    promoted = lagging if promote_lagging else pair.replicas[0]
    if stall_replica:
        _signal(lagging, signal.SIGCONT)
    _wait_link_down(promoted)
    return pair.promote(promoted)


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
