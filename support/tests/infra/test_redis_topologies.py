"""Replicated pairs and clusters of real redis-servers: they replicate, fail over, and stop with their nodes."""

from sessionlab.infra import ports, redis_topologies


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
