"""Checkers of notebook 05 accept the right answer and reject typical mistakes, each with a Korean hint."""

from __future__ import annotations

from redis.crc import key_slot

from sessionlab.exercises import ex05 as ex
from sessionlab.labs.lab05 import RunResult


def sticky_run() -> RunResult:
    # 6 users, s2 answered 4 requests, 2 users pinned to s2 lost their sessions
    return RunResult("sticky", "sticky", 6, 6, 12, 0, 0, 6, 2, served_by={"s2": 4}, logged_in_on_killed=2)


def test_sticky_loss_right_answer():
    assert ex.check_sticky_loss(2, sticky_run())


def test_sticky_loss_wrong_answers_say_why():
    run = sticky_run()
    for wrong in (4, 6, 0):  # requests s2 answered, every user, "sticky loses nothing"
        res = ex.check_sticky_loss(wrong, run)
        assert not res and "고정" in res.message and "s2" in res.message
    typed = ex.check_sticky_loss("2", run)  # a string, not a number
    assert not typed and "정수" in typed.message
    assert not ex.check_sticky_loss(..., run) and "빈칸" in ex.check_sticky_loss(..., run).message


def test_survivors_right_answer():
    assert ex.check_survivors({"redis", "database", "replicated", "jwt", "cluster", "hybrid"})
    assert {"redis", "database", "replicated", "jwt", "cluster", "hybrid"} == ex.SURVIVE_APP_DEATH


def test_survivors_wrong_answers_say_why():
    everything = ex.check_survivors(set(ex.SURVIVE_APP_DEATH) | {"sticky"})  # sticky "keeps" sessions
    assert not everything and "sticky" in everything.message and "메모리" in everything.message
    only_stores = ex.check_survivors({"redis", "database", "cluster", "hybrid"})  # forgot jwt and replicated
    assert not only_stores and "jwt" in only_stores.message and "replicated" in only_stores.message
    typo = ex.check_survivors(set(ex.SURVIVE_APP_DEATH) | {"redis-cluster"})
    assert not typo and "없는 전략 이름" in typo.message
    number = ex.check_survivors(6)
    assert not number and "집합" in number.message


class FakeClusterStore:
    """What check_keyslot reads from a RedisClusterStore, with redis-py's own CRC16 slot function."""

    prefix = "lab05:"

    class redis:  # noqa: N801 - mirrors store.redis
        @staticmethod
        def cluster_keyslot(key: str) -> int:
            return key_slot(key.encode())

    def key(self, sid: str) -> str:
        return self.prefix + sid

    def keyslot(self, sid: str) -> int:
        return key_slot(self.key(sid).encode())


def test_keyslot_right_answer():
    store = FakeClusterStore()
    res = ex.check_keyslot(key_slot(b"lab05:demo-session-0001"), "demo-session-0001", store)
    assert res and str(key_slot(b"lab05:demo-session-0001")) in res.message


def test_keyslot_wrong_answers_say_why():
    store, sid = FakeClusterStore(), "demo-session-0001"
    bare = ex.check_keyslot(key_slot(sid.encode()), sid, store)  # slot of the id without the prefix
    assert not bare and "접두사" in bare.message
    crc = ex.check_keyslot(key_slot(b"lab05:demo-session-0001") + 16384, sid, store)  # forgot "mod 16384"
    assert not crc and "store.key(sid)" in crc.message
    assert not ex.check_keyslot(..., sid, store)


def test_hash_policies_right_answer():
    assert ex.check_hash_policies({"추가에 강함": "consistent", "제거에 약함": "hash"})


def test_hash_policies_wrong_answers_say_why():
    # the old lesson: "IP hash loses the survivors' users" (nginx ip_hash does not)
    old = ex.check_hash_policies({"추가에 강함": "consistent", "제거에 약함": "ip_hash"})
    assert not old and "down" in old.message
    # "ip_hash keeps users on their server, so adding one is fine" (the modulus changes)
    added = ex.check_hash_policies({"추가에 강함": "ip_hash", "제거에 약함": "hash"})
    assert not added and "대부분" in added.message
    shape = ex.check_hash_policies({"consistent": True})
    assert not shape and "dict" in shape.message
    assert not ex.check_hash_policies(...)
