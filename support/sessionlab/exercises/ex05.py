"""Checkers for notebook 05 (sessions across many servers)."""

from __future__ import annotations

from sessionlab.exercises.base import CheckResult, is_blank, not_answered, table_mistakes
from sessionlab.labs.lab05.strategies import STRATEGIES

__all__ = ["check_sticky_loss", "check_survivors", "check_keyslot", "check_hash_policies"]

# The answer key comes from the strategy registry, the one place each strategy is described.
SURVIVE_APP_DEATH = {key for key, s in STRATEGIES.items() if s.survives_app_death}
# ... and among those, the ones where logout makes a copied cookie useless at once (not JWT: 3.6).
SURVIVE_AND_REVOKE = {key for key in SURVIVE_APP_DEATH if STRATEGIES[key].logout_revokes}


def check_sticky_loss(answer, run) -> CheckResult:
    """How many sessions did a sticky run lose when its server died? (``run``: its RunResult).

    The learner sees only how many requests each server answered before the kill and how
    many requests each user sent; under stickiness a user's requests all go to one server.
    """
    if is_blank(answer):
        return not_answered()
    if isinstance(answer, bool) or not isinstance(answer, int):
        return CheckResult(False, "정수(사용자 수)로 적으세요. 예: answer1 = 2")
    killed, lost = run.killed, run.lost_on_app_death
    answered = run.served_by.get(killed, 0)
    per_user = run.requests_per_user
    if answer == lost:
        return CheckResult(
            True,
            f"맞습니다: {killed} 서버가 받은 요청 {answered}개 ÷ 한 사람당 요청 {per_user}개 = {answer}명. "
            f"{killed} 서버에 묶인 사용자 {answer}명의 세션이 그 서버의 메모리와 함께 사라졌습니다.",
        )
    if answer == answered:
        why = (
            f"그 수는 {killed} 서버가 받은 요청의 수입니다. 사용자 한 명이 요청을 몇 개 보냈는지 생각해 보세요"
            " (스티키 세션이면 한 사용자의 요청은 모두 같은 서버로 갑니다)."
        )
    elif answer == run.users:
        why = (
            "모든 사용자가 세션을 잃지는 않습니다: 다른 서버에 묶인 사용자의 세션은 "
            "그 서버의 메모리에 그대로 있습니다."
        )
    elif answer == 0:
        why = (
            "스티키 세션이어도 세션은 한 서버의 메모리에만 있습니다: 그 서버가 꺼지면 "
            "그 서버에 묶인 사용자의 세션도 사라집니다."
        )
    else:
        why = f"{killed} 서버가 받은 요청 수를 사용자 한 명이 보낸 요청 수(로그인 1 + GET /me)로 나눠 보세요."
    return CheckResult(False, why)


def check_survivors(answer) -> CheckResult:
    """Which strategies keep every session when one app server dies under round robin,
    *and* make a copied cookie useless as soon as the user logs out?"""
    if is_blank(answer):
        return not_answered()
    if isinstance(answer, str):
        return CheckResult(False, '전략 이름 하나가 아니라 집합으로 적으세요. 예: {"redis", "jwt"}')
    try:
        answer = {str(a) for a in answer}
    except TypeError:
        return CheckResult(False, '전략 이름의 집합으로 적으세요. 예: {"redis", "jwt"}')
    unknown = answer - set(STRATEGIES)
    if unknown:
        return CheckResult(
            False, f"없는 전략 이름: {', '.join(sorted(unknown))} (가능: {', '.join(STRATEGIES)})."
        )
    missing, extra = SURVIVE_AND_REVOKE - answer, answer - SURVIVE_AND_REVOKE
    if not missing and not extra:
        return CheckResult(
            True,
            "맞습니다: 세션이 앱 서버 밖(저장소)에 있거나 모든 서버에 복제되어 있으면 서버 한 대가 죽어도 "
            "남고, 서버가 세션을 지우면 복사한 쿠키도 바로 쓸모없어집니다. JWT는 서버 죽음에는 강하지만 "
            "로그아웃 뒤에도 복사한 토큰이 만료까지 통했습니다.",
        )
    hints = []
    if extra & {"memory", "sticky"}:
        hints.append("memory와 sticky는 세션이 그 서버의 메모리에만 있어 서버가 죽으면 잃습니다 (3.1, 3.2)")
    if "jwt" in extra:
        hints.append(
            "jwt는 서버가 죽어도 괜찮지만, 3.6에서 로그아웃한 뒤에도 복사한 토큰으로 /me가 200이었습니다"
        )
    if missing:
        hints.append(
            f"빠진 전략이 {len(missing)}개 있습니다 (3.10의 표에서 '앱 서버가 죽을 때 잃은 세션'을 보세요)"
        )
    return CheckResult(False, "; ".join(hints) + ".")


def check_keyslot(answer, sid: str, store) -> CheckResult:
    """The hash slot of the Redis key that holds session ``sid`` in a ``RedisClusterStore``."""
    if is_blank(answer):
        return not_answered()
    right = store.keyslot(sid)
    if answer == right:
        return CheckResult(
            True, f"맞습니다: 키 '{store.prefix}<id>'의 슬롯은 {right}입니다 (CRC16(키) mod 16384)."
        )
    plain = store.redis.cluster_keyslot(sid)
    if answer == plain:
        return CheckResult(
            False, "세션 ID만의 슬롯입니다. Redis에 저장되는 키는 접두사(prefix)가 붙은 store.key(sid)입니다."
        )
    return CheckResult(
        False,
        "CLUSTER KEYSLOT에 Redis 키 이름(store.key(sid))을 물어보세요: "
        "client.cluster_keyslot(store.key(sid)).",
    )


# What D1 measured: the policy that moves the fewest users when a server is added, and the
# policy whose users on *surviving* servers lose their sessions when one server is removed.
HASH_ANSWER = {"추가에 강함": "consistent", "제거에 약함": "hash"}
_HASH_HINTS = {
    (
        "추가에 강함",
        "ip_hash",
    ): "ip_hash는 서버를 추가하면 나누는 수(설정된 서버 수)가 바뀌어 대부분이 옮겨 갑니다",
    ("추가에 강함", "hash"): "단순 hash도 나누는 수가 바뀌어 대부분이 옮겨 갑니다",
    ("제거에 약함", "ip_hash"): (
        "nginx ip_hash는 down인 서버의 사용자만 다시 해시합니다: 살아 있는 서버의 사용자는 그대로입니다"
    ),
    ("제거에 약함", "consistent"): "해시 링에서는 빠진 서버의 구간만 옆 서버로 넘어갑니다",
}


def check_hash_policies(answer) -> CheckResult:
    """Which hash policy copes with an added server, which one hurts survivors' users on a removal?"""
    problem, wrong = table_mistakes(
        answer,
        HASH_ANSWER,
        '두 키("추가에 강함", "제거에 약함")에 정책 이름("hash", "ip_hash", "consistent")을 적은 dict로 답하세요.',
    )
    if problem is not None:
        return problem
    if not wrong:
        return CheckResult(
            True,
            "맞습니다: 일관된 해싱은 서버를 더해도 새 서버로 가는 일부만 옮기고, "
            "단순 hash mod N은 서버 하나가 빠지면 다른 서버의 사용자까지 옮겨 세션을 잃습니다.",
        )
    hints = [_HASH_HINTS.get((k, answer[k]), f"{k}: D1의 표를 다시 보세요") for k in wrong]
    return CheckResult(False, "; ".join(hints) + ".")
