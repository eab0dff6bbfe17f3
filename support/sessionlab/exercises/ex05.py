"""Checkers for notebook 05 (sessions across many servers)."""

from __future__ import annotations

from sessionlab.exercises.base import CheckResult, is_blank, not_answered, result, table_mistakes
from sessionlab.labs.lab05.strategies import STRATEGIES

__all__ = ["check_sticky_loss", "check_survivors", "check_keyslot", "check_hash_policies"]

# The answer key comes from the strategy registry, the one place each strategy is described.
SURVIVE_APP_DEATH = {key for key, s in STRATEGIES.items() if s.survives_app_death}


def check_sticky_loss(answer, run) -> CheckResult:
    """How many sessions did the sticky run lose when s2 died? (``run``: its RunResult)."""
    if is_blank(answer):
        return not_answered()
    if not isinstance(answer, int):
        return CheckResult(False, "정수(사용자 수)로 적으세요.")
    pinned = run.served_by.get(run.killed, 0)
    return result(
        answer == run.lost_on_app_death,
        f"맞습니다: {run.killed}에 고정된 사용자 {answer}명의 세션은 {run.killed}의 메모리와 함께 사라졌습니다.",
        f"{run.killed}에 고정(sticky)되었던 사용자만 잃습니다. run.served_by와 run.lost_on_app_death를 보세요"
        f" ({run.killed}는 요청 {pinned}개에 응답했습니다).",
    )


def check_survivors(answer) -> CheckResult:
    """Which strategies keep every session when one app server dies under round robin?"""
    if is_blank(answer):
        return not_answered()
    try:
        answer = {str(a) for a in answer}
    except TypeError:
        return CheckResult(False, '전략 이름의 집합으로 적으세요. 예: {"redis", "jwt"}')
    missing, extra = SURVIVE_APP_DEATH - answer, answer - SURVIVE_APP_DEATH
    if not missing and not extra:
        return CheckResult(
            True,
            "맞습니다: 세션이 앱 서버 '밖'에 있거나(저장소, 토큰) 모든 서버에 복제되어 있으면 "
            "서버 한 대가 죽어도 잃지 않습니다.",
        )
    hints = []
    if extra & {"memory", "sticky"}:
        hints.append("memory와 sticky는 세션이 그 서버의 메모리에만 있습니다")
    if missing:
        hints.append(f"빠진 전략: {', '.join(sorted(missing))}")
    if extra - {"memory", "sticky"}:
        hints.append(f"없는 전략 이름: {', '.join(sorted(extra - {'memory', 'sticky'}))}")
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


# What 3.2 measured: the policy that moves the fewest users when a server is added, and the
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
    hints = [_HASH_HINTS.get((k, answer[k]), f"{k}: 3.2의 표를 다시 보세요") for k in wrong]
    return CheckResult(False, "; ".join(hints) + ".")
