"""Replicated pairs and clusters of real redis-servers: they replicate, fail over, and stop with their nodes."""

import subprocess

import pytest

from sessionlab.infra import ports, redis_topologies
from sessionlab.infra.servers import LabServerError


def test_primary_with_replica_replicates(wait_dead):
    rs = redis_topologies.start_replicated(name=None, replicas=2)
    try:
        p = rs.primary.client()
        p.set("s", "1")
        assert p.execute_command("WAIT", 2, 2000) == 2
        assert [r.client().get("s") for r in rs.replicas] == ["1", "1"]
        new = rs.promote(rs.replicas[0])
        assert new.client().info("replication")["role"] == "master"
    finally:
        rs.stop()
    assert all(wait_dead(n.pid) for n in rs.nodes)


def test_cluster_spreads_keys_and_survives_a_primary_kill(wait_dead):
    cl = redis_topologies.start_cluster(name=None, primaries=3, replicas=1)
    try:
        assert len(cl.primaries()) == 3 and len(cl.nodes) == 6
        ephemeral = ports.ephemeral_ports()  # node and bus ports: see test_ports
        assert not [n.port for n in cl.nodes if n.port in ephemeral or n.port + 10000 in ephemeral]
        c = cl.client()
        for i in range(30):
            c.set(f"session:{i}", i)
        victim = cl.primaries()[0]
        victim.kill()
        cl.wait_failover(victim)
        assert len(cl.primaries()) == 3  # a replica took over
        c = cl.client()
        assert [c.get(f"session:{i}") for i in range(30)] == [str(i) for i in range(30)]
    finally:
        cl.stop()
    assert all(wait_dead(n.pid) for n in cl.nodes)


def test_a_create_whose_closing_check_saw_gossip_under_way_still_gives_a_cluster(monkeypatch, wait_dead):
    """On a busy machine redis-cli's last check, from one node's view, can come before gossip reached
    that node; the slots are assigned by then, so the cluster is waited for, not thrown away."""
    run = subprocess.run

    def check_too_early(cmd, **kwargs):
        out = run(cmd, **kwargs)
        stdout = out.stdout.replace(
            "[OK] All 16384 slots covered.", "[ERR] Not all 16384 slots are covered by nodes."
        )
        assert stdout != out.stdout  # the real create did print its check
        return subprocess.CompletedProcess(cmd, 1, stdout, out.stderr)

    monkeypatch.setattr(redis_topologies.subprocess, "run", check_too_early)
    cl = redis_topologies.start_cluster(name=None, primaries=3)
    try:
        c = cl.client()
        c.set("session:a", "1")
        assert c.get("session:a") == "1" and len(cl.primaries()) == 3
    finally:
        cl.stop()
    assert all(wait_dead(n.pid) for n in cl.nodes)


def test_a_create_that_failed_before_its_check_is_an_error_and_leaves_no_redis(monkeypatch, wait_dead):
    started: list = []

    class Kept(redis_topologies.RedisServer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(redis_topologies, "RedisServer", Kept)
    monkeypatch.setattr(redis_topologies, "find_redis_cli", lambda: "false")  # exits 1, prints nothing
    with pytest.raises(LabServerError, match="cluster create"):
        redis_topologies.start_cluster(name=None, primaries=3)
    assert len(started) == 3 and all(n.pid and wait_dead(n.pid) for n in started)
