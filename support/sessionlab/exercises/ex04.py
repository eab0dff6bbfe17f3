"""Exercise checkers for notebook 04 (Stateless의 의미를 살펴보면, 세션은 적절하지 않은 인증 방법 아닌가요?)."""
from __future__ import annotations

from sessionlab.exercises.base import CheckResult, is_blank, not_answered, result

__all__ = ["check_self_contained", "check_memory_estimate", "check_needs_state"]


def check_self_contained(answer) -> CheckResult:
    """Which request header carries what the server needs to find this user's state?"""
    if is_blank(answer):
        return not_answered()
    text = str(answer).strip().rstrip(":").lower()
    return result(text == "cookie",
                  "맞습니다. 요청마다 Cookie 헤더에 세션 ID가 실려 오므로, 요청 하나만 보고도 서버는 상태를 찾습니다.",
                  "3.2의 원시 요청(raw request)을 다시 보세요: 연결은 새것인데도 서버가 장바구니를 찾게 해 준 헤더는?")


def check_memory_estimate(answer, per_session: float, sessions: int = 250_000) -> CheckResult:
    """MiB of Redis memory for ``sessions`` sessions at the measured bytes per session."""
    if is_blank(answer):
        return not_answered()
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return CheckResult(False, "숫자(MiB)로 적으세요.")
    expected = per_session * sessions / 2 ** 20
    if abs(value - expected) <= 0.02 * expected:
        return CheckResult(True, "맞습니다. 세션 하나의 크기 × 세션 수: 세션 수에 정비례하는 비용입니다.")
    if abs(value - per_session * sessions / 1e6) <= 0.02 * expected:
        return CheckResult(False, "MB(10⁶)가 아니라 MiB(2²⁰ = 1,048,576바이트)로 나누세요.")
    return CheckResult(False, "세션 하나의 바이트 × 세션 수 ÷ 2**20 으로 계산해 보세요.")


NEEDS_STATE = {"B", "C"}


def check_needs_state(answer) -> CheckResult:
    """Which JWT operations need server-side state? (A: 서명 검증, B: 즉시 로그아웃, C: refresh 재사용 탐지, D: exp 확인)"""
    if is_blank(answer):
        return not_answered()
    try:
        chosen = {str(a).strip().upper() for a in answer}
    except TypeError:
        return CheckResult(False, '글자를 집합으로 적으세요. 예: {"A"}')
    if chosen == NEEDS_STATE:
        return CheckResult(True, "맞습니다. 서명·만료 확인은 키와 시계만 있으면 되지만, 즉시 로그아웃(denylist)과 "
                                 "refresh 재사용 탐지는 서버가 무언가를 기억해야 합니다.")
    if chosen & {"A", "D"}:
        return CheckResult(False, "A와 D는 토큰과 키(그리고 시계)만으로 됩니다: 저장소를 조회하지 않습니다.")
    return CheckResult(False, "빠진 것이 있습니다: 3.5의 denylist와 04a의 refresh 재사용 탐지를 떠올려 보세요.")
