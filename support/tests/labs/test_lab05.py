"""Lab 05 plumbing: strategies counted from real runs, faults (503, 502, killed kernel), the cluster rerun."""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
import requests

from sessionlab.apps.login import create_login_app
from sessionlab.infra.redis_servers import start_redis
from sessionlab.infra.redis_topologies import start_replicated
from sessionlab.infra.servers import serve
from sessionlab.labs import lab05 as cl
from sessionlab.labs.lab05.backends import Backends
from sessionlab.web.stores import RedisStore


@pytest.fixture(scope="module")
def lab():
    lab = cl.MultiServerLab(name="t05")
    yield lab
    lab.stop()


def test_server_timing_middleware_and_parser():
    def app(environ, start_response):
        start_response("200 OK", [("Server-Timing", "store;dur=0.250"), ("Content-Type", "text/plain")])
        return [b"ok"]

    seen = {}
    body = cl.ServerTiming(app)({}, lambda s, h, e=None: seen.update(status=s, headers=dict(h)))
    timing = cl.server_timing(seen["headers"]["Server-Timing"])
    assert body == [b"ok"] and seen["status"] == "200 OK"
    assert timing["store"] == 0.25 and timing["app"] >= 0
    assert cl.server_timing(None) == {} and cl.server_timing("x;dur=abc, y") == {}


def test_strategies_counted_from_runs(lab):
    memory = lab.scenario("memory", users=4, rounds=2)
    assert memory.logins_ok == 4 and memory.failed == memory.requests and memory.users_logged_out == 4
    sticky = lab.scenario("sticky", users=6, rounds=2)
    assert sticky.failed == 0 and sticky.lost_on_app_death == 2  # round-robin pinning: 2 of 6 on s2
    central = lab.scenario("redis", users=4, rounds=1, store_death=cl.kill_redis_primary)
    assert central.failed == 0 and central.lost_on_app_death == 0 and central.lost_on_store_death == 0
    for strategy in ("database", "replicated", "jwt"):
        run = lab.scenario(strategy, users=3, rounds=1)
        assert (run.failed, run.lost_on_app_death, run.alive_before_kill) == (0, 0, 3), strategy
    hybrid = lab.scenario("hybrid", users=3, rounds=1, store_death=cl.flush_hybrid_cache)
    assert hybrid.lost_on_store_death == 0
    assert sum(s.misses for s in lab.stores) >= 3  # the sessions came back from SQLite


def test_store_node_down_gives_503_then_recovers_by_itself():
    from sessionlab.infra.redis_servers import start_redis

    server = start_redis(name=None, persistence=True)
    try:
        store = RedisStore(cl.quick_client(server), prefix="t503:")
        app = serve(
            cl.ServerTiming(cl.store_outage_handler(create_login_app(store, kdf_n=cl.LAB_KDF_N))),
            name="t05-503",
        )
        c = requests.Session()
        assert (
            c.post(app.url + "/login", json={"username": cl.USER, "password": cl.PASSWORD}).status_code == 200
        )
        server.stop(keep_dir=True)  # the store node goes away (AOF saved on the way)
        down = c.get(app.url + "/me")
        assert down.status_code == 503 and down.headers["Retry-After"] == "1"
        assert down.json()["error"] == cl.STORE_DOWN_MESSAGE and "Traceback" not in down.text
        assert "login_sid" in c.cookies  # a 503 does not log the user out
        server.restart()  # no app restart: the next request reconnects
        back = c.get(app.url + "/me")
        assert back.status_code == 200 and back.json()["user"] == cl.USER
        server.stop(keep_dir=True)
        threading.Timer(0.3, server.restart).start()  # back while the client waits as the 503 says
        again, sent = cl.retry_after(lambda: c.get(app.url + "/me"), patience=10)
        assert again.status_code == 200 and sent >= 2
        anonymous, sent = cl.retry_after(lambda: requests.get(app.url + "/me"))
        assert anonymous.status_code == 401 and sent == 1  # only a 503 is asked again
        app.stop()
    finally:
        server.stop()


def test_backend_down_gives_502(lab):
    lab.use("sticky")
    c, r = lab.login(0)
    pinned = lab.names.index(r.headers["X-Served-By"])
    lab.kill(pinned, health_check=False)  # no health check: the balancer still sends there
    gone = lab.me(c)
    assert gone.status_code == 502 and "연결할 수 없습니다" in gone.text
    lab.restart(pinned)
    assert lab.me(c).status_code == 401  # back, but with an empty memory


def test_failover_loss_async_vs_wait():
    stalled = cl.failover_loss(n=5, stall_replica=True, padding_mb=32, name="t05-backup")
    assert stalled["acknowledged"] == 5 and stalled["lost"] == 5 and stalled["on_primary"] == 5
    waited = cl.failover_loss(n=3, stall_replica=True, wait=True, padding_mb=32, name="t05-backup")
    assert waited["lost"] == 0 and waited["refused"] == 3
    assert waited["on_primary"] == 3  # a WAIT timeout does not undo the write on the primary
    healthy = cl.failover_loss(n=4, wait=True, name="t05-backup")
    assert healthy["acknowledged"] == 4 and healthy["lost"] == 0 and healthy["replica_appendonly"] == "no"


def test_the_outage_kills_a_primary_only_once_its_replica_applied_the_write():
    from sessionlab.labs.lab05.failover import _wait_replicated

    pair = start_replicated(name=None)
    try:
        replica = pair.replicas[0]
        os.kill(replica.pid, signal.SIGSTOP)  # a replica that lags behind
        try:
            pair.primary.client().set("t05:k", "v")
            with pytest.raises(RuntimeError, match="따라잡지"):
                _wait_replicated(pair.primary, pair.replicas, timeout=0.3)
        finally:
            os.kill(replica.pid, signal.SIGCONT)
        _wait_replicated(pair.primary, pair.replicas)
        assert replica.client().get("t05:k") in ("v", b"v")
    finally:
        pair.stop()


def test_wait_does_not_rule_out_loss_when_the_lagging_replica_is_promoted():
    res = cl.failover_loss(
        n=4, wait=True, stall_replica=True, replicas=2, promote_lagging=True, padding_mb=32, name="t05-backup"
    )
    assert res["acknowledged"] == 4 and res["refused"] == 0 and res["lost"] == 4
    with pytest.raises(ValueError, match="promote_lagging"):
        cl.failover_loss(n=1, promote_lagging=True, name="t05-backup")


def test_a_slow_healthy_replica_still_confirms_every_login_of_d8(monkeypatch):
    """D8's premise: only the stalled replica lags. The healthy one, paused for 0.3 s right after the
    padding (as on a busy machine), has caught up before the first login's ``WAIT 1 50``."""
    from sessionlab.infra import redis_topologies
    from sessionlab.labs.lab05 import failover

    pairs: list = []
    resumes: list[threading.Timer] = []
    start, stall = redis_topologies.start_replicated, failover._stall

    def stall_and_slow_the_healthy_one(replica, primary_client, padding_mb):
        stall(replica, primary_client, padding_mb)
        healthy = pairs[-1].replicas[0].pid
        os.kill(healthy, signal.SIGSTOP)
        resumes.append(threading.Timer(0.3, os.kill, (healthy, signal.SIGCONT)))
        resumes[-1].start()

    def start_and_keep(**kwargs):
        pairs.append(start(**kwargs))
        return pairs[-1]

    monkeypatch.setattr(redis_topologies, "start_replicated", start_and_keep)
    monkeypatch.setattr(failover, "_stall", stall_and_slow_the_healthy_one)
    res = cl.failover_loss(
        n=3, wait=True, stall_replica=True, replicas=2, promote_lagging=True, padding_mb=8, name="t05-backup"
    )
    resumes[0].join()
    assert (res["acknowledged"], res["refused"], res["lost"]) == (3, 0, 3)


def test_remap_counts_moves_and_losses_per_policy():
    naive, nginx, ring = (cl.remap(p, clients=30, name="t05-hash") for p in ("hash", "ip_hash", "consistent"))
    for r in (naive, nginx, ring):
        assert r.on_removed > 0 and r.removed_lost == r.removed_moved  # memory store: moved = lost
    assert naive.removed_lost_others > 0  # hash mod N: survivors' users move too
    assert nginx.removed_lost == nginx.on_removed and nginx.removed_lost_others == 0
    assert ring.removed_lost == ring.on_removed and ring.removed_lost_others == 0
    assert nginx.added_moved > 15 and nginx.added_lost == nginx.added_moved  # mod 3 -> mod 4
    assert ring.added_moved < 12 and ring.added_moved == ring.added_moved_to_new  # only to s4
    assert cl.client_ip(0) == "10.0.0.1" and cl.client_ip(251) == "10.1.1.1"


def test_trace_shows_cookies_servers_and_redis_commands(lab):
    rows = cl.trace_scenario(lab, "redis", gets=2)
    assert [r.server for r in rows] == ["s1", "s2", "s3"] and [r.status for r in rows] == [200] * 3
    assert rows[0].set_cookie.startswith("login_sid=<sid>;") and rows[0].cookie_sent == ""
    assert rows[1].cookie_sent == rows[2].cookie_sent == "login_sid=<sid>"
    assert all(any("lab05:<sid>" in cmd for cmd in r.store_commands) for r in rows)
    memory = cl.trace_scenario(lab, "memory", gets=2)
    assert [r.status for r in memory] == [200, 401, 401] and "Max-Age=0" in memory[1].set_cookie
    assert memory[2].cookie_sent == "" and all(r.store_commands == [] for r in memory)


def test_print_trace_can_leave_out_commands_on_other_keys(capsys):
    row = cl.TraceRow("POST", "/login", "s1", 200, "", "login_sid=<sid>; HttpOnly", [
        '"HMGET" "sessionlab:throttle:lab05:account:alice" "count"',
        '"HSET" "lab05:<sid>" "created" "1"',
        '"HELLO" "3"',
    ])  # fmt: skip
    cl.print_trace([row], keys="lab05:")
    out = capsys.readouterr().out
    assert '"HSET" "lab05:<sid>"' in out and "throttle" not in out and "HELLO" not in out
    assert "세션 키가 아닌 Redis 명령 2개는 생략" in out
    cl.print_trace([row])
    assert "throttle" in capsys.readouterr().out


def test_widget_clicks(lab):
    box = cl.lab_widget(lab, requests_per_click=3)
    ctl = box.controls
    ctl["strategy"].value, ctl["policy"].value = "memory", "round_robin"
    ctl["apply"].click()
    ctl["send"].click()
    rows = ctl["state"]["rows"]
    assert len(rows) == 4 and rows[0][1] == 200 and not any(ok for _, _, ok in rows[1:])
    ctl["toggles"][2].value = False
    assert lab.running() == [True, True, False] and "s3:꺼짐" in ctl["view"].value
    ctl["toggles"][2].value = True
    assert lab.running() == [True, True, True]


def test_checkers(lab):
    from sessionlab.exercises import ex05 as ex

    run = cl.RunResult("sticky", "sticky", 6, 6, 12, 0, 0, 6, 2, served_by={"s2": 8})
    assert (
        not ex.check_sticky_loss(..., run)
        and ex.check_sticky_loss(2, run)
        and not ex.check_sticky_loss(3, run)
    )
    assert ex.check_survivors(ex.SURVIVE_AND_REVOKE) and not ex.check_survivors({"memory", "redis"})
    assert "빈칸" in repr(ex.check_survivors(...))


def test_killed_kernel_leaves_no_redis():
    script = textwrap.dedent("""
        import time
        from sessionlab.labs.lab05 import MultiServerLab
        lab = MultiServerLab(name="t05k")
        lab.use("redis"); lab.use("hybrid")
        import sessionlab.infra.redis_servers as r
        print(*[s.pid for s in r.running()], flush=True)
        time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in parent.stdout.readline().split()]
    assert len(pids) == 3
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.05)
    assert not any(_alive(p) for p in pids)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_cluster_failover_keeps_sessions_and_rerun_works():
    """The one cluster test: a primary dies, every session survives; the lab reruns in the same process."""
    first = cl.MultiServerLab(name="t05c", warm_up=("cluster",))  # as the notebook does
    assert first.backends._cluster_start is not None  # starting in the background, not yet waited for
    run = first.scenario("cluster", users=6, rounds=1, store_death=cl.kill_cluster_primary)
    assert run.failed == 0 and run.lost_on_store_death == 0
    during, after = cl.cluster_outage(first)  # notebook D6: a second primary dies
    assert during.status_code == 503 and after.status_code == 200, after.text
    old = [n.pid for n in first.backends.cluster.nodes]
    again = cl.MultiServerLab(name="t05c")  # a rerun of the notebook's cells
    try:
        rerun = again.scenario("cluster", users=3, rounds=1)
        assert rerun.failed == 0 and rerun.alive_before_kill == 3
        assert not any(_alive(p) for p in old)  # the same name replaced the old cluster
    finally:
        again.stop()
        first.stop()


class _SlowStart:
    """Stands in for a cluster start: one real Redis after a pause, so a test can stop mid-start."""

    def __init__(self, fail: bool = False):
        self.fail, self.started = fail, []

    def __call__(self):
        time.sleep(0.3)
        if self.fail:
            raise RuntimeError("클러스터를 만들지 못했습니다")
        server = start_redis(name="t05-warm")
        self.started.append(server)
        return server


def test_stopping_while_the_cluster_still_starts_leaves_no_redis(monkeypatch):
    backends = Backends("t05w")
    monkeypatch.setattr(backends, "_start_cluster", slow := _SlowStart())
    backends.start_cluster_soon()
    backends.stop()  # the start has not finished: stop waits for it, then stops what it started
    assert len(slow.started) == 1 and not slow.started[0].running


def test_a_failed_background_start_is_raised_where_the_cluster_is_used(monkeypatch):
    backends = Backends("t05f")
    monkeypatch.setattr(backends, "_start_cluster", _SlowStart(fail=True))
    backends.start_cluster_soon()
    with pytest.raises(RuntimeError, match="만들지 못했습니다"):
        _ = backends.cluster
    backends.stop()


def cl_width(text: str) -> int:
    from sessionlab.labs.lab05.view import _width

    return _width(text)


def test_printers_align_korean_and_count(capsys):
    from collections import Counter

    from sessionlab.labs.lab05.view import aligned, counts, print_remaps, print_run

    lines = aligned([["전략", "n"], ["2. 스티키 세션", 3], ["redis", 0.5]])
    assert len({cl_width(line.split(" | ")[0]) for line in lines}) == 1 and lines[2].endswith("0.50")
    assert counts(Counter({"s2": 5, "s1": 7})) == "s1 7개, s2 5개"
    run = cl.RunResult("sticky", "sticky", 6, 6, 18, 0, 0, 6, 2, killed="s2")
    print_run(run)
    out = capsys.readouterr().out
    assert "2. 스티키 세션 (로드 밸런서 정책: sticky)" in out and "s2 서버를 끈 뒤 잃은 세션" in out
    assert "2/6개" in out and "{" not in out and "저장소 노드" not in out
    print_run(cl.RunResult("memory", "round_robin", 6, 6, 18, 18, 6, 0, 0, killed="s2"))
    assert "해당 없음" in capsys.readouterr().out  # nobody was logged in when s2 died: no "0/0"
    remap = cl.Remap("hash", 9, ["s1"] * 9, 3, 5, 5, 2, 6, 6, 2)
    print_remaps({"hash": remap})
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "사용자 9명 (단위: 명)" and "그중 다른 서버의 사용자" in out
    assert [c.strip() for c in out.splitlines()[2].split("|")] == ["hash", "3", "5", "5", "2", "6", "6"]


def test_comparison_table_and_store_times(capsys):
    from sessionlab.web.stores import MemoryStore

    runs = {
        "sticky": cl.RunResult("sticky", "sticky", 6, 6, 12, 0, 0, 6, 2),
        "redis": cl.RunResult(
            "redis", "round_robin", 6, 6, 12, 0, 0, 6, 0, lost_on_store_death=0, alive_before_store_death=6
        ),
    }
    rows = cl.comparison(runs, {"redis": {"median_ms": 0.5, "p99_ms": 1.0, "store_ms": 0.1}})
    assert [r["key"] for r in rows] == ["sticky", "redis"]
    assert rows[0]["앱 서버 죽음"] == "2/6" and rows[1]["저장소 노드 죽음"] == "0/6"
    table = cl.comparison_table(rows, timings=False)
    md = table._repr_markdown_().splitlines()
    assert (
        md[0].startswith("| 전략 |")
        and md[1].startswith("|---|")
        and md[2].startswith("| 2. 스티키 세션 | 0/12 | 2/6 |")
    )
    out = repr(table)
    lines = out.splitlines()
    assert lines[0].startswith("전략") and "앱 서버가 죽을 때 잃은 세션" in lines[0] and "ms" not in out
    assert [c.strip() for c in lines[1].split("|")][:3] == ["2. 스티키 세션", "0/12", "2/6"]
    assert len({cl_width(line.split("|")[0]) for line in lines}) == 1  # the columns line up
    log = []

    class Logged(MemoryStore):  # logs the calls from outside (touch reads through get itself)
        def get(self, sid):
            log.append("get")
            return super().get(sid)

        def touch(self, sid):
            log.append("touch")
            size = len(log)
            result = super().touch(sid)
            del log[size:]
            return result

    store = Logged()
    times = cl.store_op_times(store, n=20)
    assert set(times) == {"get", "touch"} and all(v > 0 for v in times.values())
    assert log[:40] == ["get", "touch"] * 20 and store.count() == 0  # in turn, and the session is gone


def test_p99_is_the_nearest_rank():
    assert cl.p99([float(t) for t in range(300, 0, -1)]) == 297  # of 300: the 4th slowest, unsorted input
    assert cl.p99([float(t) for t in range(1, 101)]) == 99 and cl.p99([5.0]) == 5.0


def test_measure_strategy_pools_the_runs_for_its_p99(lab, monkeypatch):
    measure_module = importlib.import_module("sessionlab.labs.lab05.measure")
    rows, measure = [], measure_module.measure
    monkeypatch.setattr(measure_module, "measure", lambda *a, **k: rows.append(measure(*a, **k)) or rows[-1])
    out = cl.measure_strategy(lab, "memory", n=20, runs=3)
    pooled = sorted(t for row in rows for t in row["total_ms"])
    assert (out["n"], out["ok"], len(pooled)) == (60, 60, 60)
    assert out["p99_ms"] == pooled[59]  # of 60 requests: the slowest, not the median of three runs' slowest
    assert out["median_ms"] == sorted(row["median_ms"] for row in rows)[1]


def test_write_cost_groups_take_turns_and_every_peer_gets_each_write(monkeypatch):
    """One write per group in turn, so a busy moment cannot fall on one size alone (CI saw 5 ≯ 1.5 × 2)."""
    from sessionlab.web.stores import ReplicatedStore

    measure_module = importlib.import_module("sessionlab.labs.lab05.measure")
    order, groups = [], []
    update, connect = ReplicatedStore.update, measure_module.connect

    def spy(self, sid, data):
        order.append(self.name)
        return update(self, sid, data)

    def keep(*stores):
        groups.append(stores)
        return connect(*stores)

    monkeypatch.setattr(ReplicatedStore, "update", spy)
    monkeypatch.setattr(measure_module, "connect", keep)
    cost = cl.replication_write_cost(sizes=(2, 3), n=4)
    assert set(cost) == {2, 3} and all(v > 0 for v in cost.values())
    assert order == ["cost-2-0", "cost-3-0"] * 4
    for group in groups:  # sync: every peer applied the last write before update returned
        (sid,) = group[0]._records
        assert [s._records[sid][2] for s in group] == ['{"n":3}'] * len(group)
        assert not any(s.server.running for s in group)  # closed afterwards


def test_unconfirmed_login_is_refused_with_503():
    """WaitRedisStore: while the replica does not acknowledge, a login gets 503 instead of a fragile session."""
    from sessionlab.infra.redis_topologies import start_replicated

    pair = start_replicated(name=None, replicas=1)
    replica = pair.replicas[0]
    try:
        store = cl.WaitRedisStore(cl.quick_client(pair.primary), timeout_ms=30, prefix="twait:")
        app = serve(
            cl.ServerTiming(cl.store_outage_handler(create_login_app(store, kdf_n=cl.LAB_KDF_N))),
            name="t05-wait",
        )
        creds = {"username": cl.USER, "password": cl.PASSWORD}
        assert requests.post(app.url + "/login", json=creds).status_code == 200
        os.kill(replica.pid, signal.SIGSTOP)
        try:
            refused = requests.post(app.url + "/login", json=creds)
        finally:
            os.kill(replica.pid, signal.SIGCONT)
        assert refused.status_code == 503 and refused.json()["store_error"] == "StoreUnavailable"
        assert "login_sid" not in refused.cookies
        assert requests.post(app.url + "/login", json=creds).status_code == 200
        app.stop()
    finally:
        pair.stop()


# --- the strategy registry drives the lab, the widget and the table ------------------------------


def test_registry_describes_every_strategy_once():
    from sessionlab.web.balancer import POLICIES

    assert list(cl.STRATEGIES) == [
        "memory",
        "sticky",
        "redis",
        "database",
        "replicated",
        "jwt",
        "cluster",
        "hybrid",
    ]
    for number, (key, s) in enumerate(cl.STRATEGIES.items(), start=1):
        assert isinstance(s, cl.Strategy) and s.key == key and s.label.startswith(f"{number}. ")
        assert callable(s.make_store) and callable(s.make_app) and s.policy in POLICIES
        assert s.consistency and s.store_node
    assert {k: s.policy for k, s in cl.STRATEGIES.items()} == cl.DEFAULT_POLICY
    assert [k for k, p in cl.DEFAULT_POLICY.items() if p != "round_robin"] == ["sticky"]
    with pytest.raises(ValueError, match="알 수 없는 전략: 'nope'.*memory, sticky"):
        cl.MultiServerLab(name="t05r").use("nope")


def test_a_new_registry_entry_reaches_lab_widget_and_table(lab, monkeypatch):
    from sessionlab.web.stores import MemoryStore

    shared, made = MemoryStore(), []

    def one_store(lab_, i, **opts):  # every server shares one store: a central store
        made.append((i, opts))
        return shared

    custom = cl.Strategy(
        "custom", "9. 테스트 저장소", one_store, "테스트 일관성", policy="hash", store_node="테스트 노드"
    )
    monkeypatch.setitem(cl.STRATEGIES, "custom", custom)
    run = lab.scenario("custom", users=3, rounds=1, marker=1)
    assert made == [
        (0, {"marker": 1}),
        (1, {"marker": 1}),
        (2, {"marker": 1}),
        (1, {"marker": 1}),
    ]  # + restart
    assert lab.policy == "hash" and lab.stores == [shared] * 3
    assert run.summary()["전략"] == "9. 테스트 저장소" and run.failed == 0 and run.lost_on_app_death == 0
    box = cl.lab_widget(lab)
    assert [key for _, key in box.controls["strategy"].options] == list(cl.STRATEGIES)
    assert [label for label, _ in box.controls["strategy"].options][-1] == "9. 테스트 저장소"
    row = cl.comparison({"custom": run})[0]
    assert (row["key"], row["전략"], row["저장소 노드 죽음"], row["일관성"]) == (
        "custom",
        "9. 테스트 저장소",
        "테스트 노드",
        "테스트 일관성",
    )


def test_table_rows_come_from_the_registry():
    runs = {k: cl.RunResult(k, s.policy, 2, 2, 2, 0, 0, 2, 0) for k, s in reversed(cl.STRATEGIES.items())}
    rows = cl.comparison(runs)
    assert [r["key"] for r in rows] == list(cl.STRATEGIES)
    for row in rows:
        s = cl.STRATEGIES[row["key"]]
        assert (row["전략"], row["일관성"], row["저장소 노드 죽음"]) == (s.label, s.consistency, s.store_node)
