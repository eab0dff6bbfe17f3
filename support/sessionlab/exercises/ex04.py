"""Exercise checkers for notebook 04 (Stateless의 의미를 살펴보면, 세션은 적절하지 않은 인증 방법 아닌가요?)."""

from __future__ import annotations

from sessionlab.exercises.base import CheckResult, check_letters, is_blank, not_answered
from sessionlab.exercises.ex02 import check_memory_estimate  # the same estimate, in MiB

__all__ = [
    "check_statements",
    "check_memory_estimate",
    "check_needs_state",
    "STATEMENTS",
]


# Exercise 1: which statements did 3.1–3.3 show to be true? letter → (statement, true?, why)
STATEMENTS = {
    "A": (
        "세션을 쓰면 HTTP 프로토콜이 상태를 갖게 됩니다.",
        False,
        "A: HTTP는 그대로 무상태입니다. 3.2에서 새 연결에 보낸 요청 하나만으로 서버가 답했습니다. 상태를 가진 것은 서버의 애플리케이션입니다.",
    ),
    "B": (
        "세션 ID 쿠키를 실은 요청은 새 TCP 연결로 보내도 서버 A가 장바구니를 찾습니다.",
        True,
        "B: 3.2의 원시 요청을 다시 보세요: 새 연결에 Cookie 한 줄만 있어도 서버 A가 답했습니다.",
    ),
    "C": (
        "세션 ID 쿠키를 실은 요청은 스스로 완결됩니다(self-contained).",
        False,
        "C: 같은 요청을 저장소 없는 서버에 보내자 빈 장바구니였습니다(3.2). 요청에 든 것은 열쇠뿐입니다.",
    ),
    "D": (
        "저장소를 공유하면 세션도 REST의 무상태 제약을 지킵니다.",
        False,
        "D: 공유 저장소는 어느 서버든 답하게 할 뿐(3.3), 상태는 여전히 서버에 있습니다: 라우팅을 고친 것이지 제약을 지킨 것이 아닙니다.",
    ),
    "E": (
        "상태를 가진 것은 서버의 애플리케이션(저장소)이고, 쿠키는 그 상태를 찾을 열쇠를 실어 나릅니다.",
        True,
        "E: 3.3에서 서버를 재시작해도 장바구니가 남은 것은 상태가 저장소에 있기 때문입니다.",
    ),
}


def check_statements(answer) -> CheckResult:
    """Exercise 1: the set of letters of the true statements (B and E)."""
    return check_letters(
        answer,
        STATEMENTS,
        "맞습니다. HTTP는 무상태 그대로이고, 상태를 가진 것은 애플리케이션입니다. 쿠키는 열쇠를 실어 나를 뿐이라 "
        "요청은 스스로 완결되지 않습니다.",
    )


NEEDS_STATE = {"B", "C"}


def check_needs_state(answer) -> CheckResult:
    """Which JWT operations need server-side state? (A: 서명 검증, B: 즉시 로그아웃, C: 리프레시 토큰 재사용 탐지, D: exp 확인)"""
    if is_blank(answer):
        return not_answered()
    try:
        chosen = {str(a).strip().upper() for a in answer}
    except TypeError:
        return CheckResult(False, '글자를 집합으로 적으세요. 예: {"A"}')
    if chosen == NEEDS_STATE:
        return CheckResult(
            True,
            "맞습니다. 서명·만료 확인은 키와 시계만 있으면 되지만, 즉시 로그아웃(폐기 목록, denylist)과 "
            "리프레시 토큰의 재사용 탐지는 서버가 무언가를 기억해야 합니다.",
        )
    if chosen & {"A", "D"}:
        return CheckResult(False, "A와 D는 토큰과 키(그리고 시계)만으로 됩니다: 저장소를 조회하지 않습니다.")
    return CheckResult(
        False,
        "빠진 것이 있습니다: 3.6의 폐기 목록(denylist)과, 이미 쓴 리프레시 토큰이 다시 오면 알아채려면 "
        "무엇을 기억해야 하는지 떠올려 보세요.",
    )
