"""Checkers of notebook 05 accept the right answer and reject typical mistakes, each with a Korean hint."""

from __future__ import annotations

from redis.crc import key_slot

from sessionlab.exercises import ex05 as ex
from sessionlab.labs.lab05 import RunResult


def sticky_run() -> RunResult:
    # 13 users, 3 rounds: 5 requests each; s1 answered 25 requests, its 5 users lost their sessions
    return RunResult(
        "sticky", "sticky", 13, 13, 39, 0, 0, 13, 5,
        served_by={"s1": 25, "s2": 20, "s3": 20}, killed="s1", logged_in_on_killed=5,
    )  # fmt: skip


def test_sticky_loss_right_answer():
    res = ex.check_sticky_loss(5, sticky_run())
    assert res and "25" in res.message and "5명" in res.message


def test_sticky_loss_wrong_answers_say_why():
    run = sticky_run()
    requests = ex.check_sticky_loss(25, run)  # the requests s1 answered, not the users
    assert not requests and "요청" in requests.message and "한 명" in requests.message
    everyone = ex.check_sticky_loss(13, run)  # "every user loses the session"
    assert not everyone and "다른 서버에 묶인" in everyone.message
    nobody = ex.check_sticky_loss(0, run)  # "sticky sessions keep every session"
    assert not nobody and "메모리에만" in nobody.message
    other = ex.check_sticky_loss(4, run)  # 3.2's number, copied from the earlier run
    assert not other and "나눠" in other.message
    typed = ex.check_sticky_loss("5", run)  # a string, not a number
    assert not typed and "정수" in typed.message
    assert not ex.check_sticky_loss(True, run)
    assert not ex.check_sticky_loss(..., run) and "빈칸" in ex.check_sticky_loss(..., run).message


def test_requests_per_user_is_login_rounds_and_the_check():
    assert sticky_run().requests_per_user == 5 and sticky_run().served_by["s1"] == 5 * 5


RIGHT_SURVIVORS = {"redis", "database", "replicated", "cluster", "hybrid"}


def test_survivors_right_answer():
    assert ex.check_survivors(RIGHT_SURVIVORS)
    assert ex.check_survivors(list(RIGHT_SURVIVORS))
    assert RIGHT_SURVIVORS == ex.SURVIVE_AND_REVOKE == ex.SURVIVE_APP_DEATH - {"jwt"}


def test_survivors_wrong_answers_say_why():
    with_jwt = ex.check_survivors(RIGHT_SURVIVORS | {"jwt"})  # survives a server, but logout does not revoke
    assert not with_jwt and "jwt" in with_jwt.message and "로그아웃" in with_jwt.message
    with_sticky = ex.check_survivors(RIGHT_SURVIVORS | {"sticky"})  # sticky "keeps" sessions
    assert not with_sticky and "sticky" in with_sticky.message and "메모리" in with_sticky.message
    only_redis = ex.check_survivors({"redis", "cluster"})  # forgot database, replicated, hybrid
    assert not only_redis and "3개" in only_redis.message
    typo = ex.check_survivors(RIGHT_SURVIVORS | {"redis-cluster"})
    assert not typo and "없는 전략 이름" in typo.message
    one = ex.check_survivors("redis")
    assert not one and "집합" in one.message
    number = ex.check_survivors(6)
    assert not number and "집합" in number.message
    assert not ex.check_survivors(...) and "빈칸" in ex.check_survivors(...).message


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
