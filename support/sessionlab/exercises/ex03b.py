"""Exercise checkers of notebook 03b (state-management strategies)."""

from __future__ import annotations

from sessionlab.exercises.base import CheckResult, is_blank, not_answered, result, table_mistakes
from sessionlab.labs.lab03b import STRATEGY_NAMES

__all__ = ["check_strategy_choice", "check_who_can_change", "CHOICES", "CLIENT_CHANGEABLE"]

CHOICES = {
    "검색 결과 3페이지 (친구에게 링크로 보내고 싶다)": (
        "URL 쿼리",
        "링크를 보내면 상태가 함께 가야 합니다: 주소 자체에 담으세요.",
    ),
    "로그인한 사용자의 권한 (사용자가 바꾸면 안 된다, 서버 한 대)": (
        "서버 세션",
        "사용자가 바꾸면 안 되는 값은 서버에: 클라이언트에는 ID만.",
    ),
    "주문 내역 (몇 년 뒤에도 봐야 한다)": (
        "데이터베이스",
        "재시작·만료와 상관없이 남아야 하는 데이터입니다.",
    ),
    "상품 가격표 조회 결과 (자주 읽고, 몇 초 늦어도 된다)": (
        "캐시",
        "자주 읽고, 잠깐 옛 값이어도 되고, 사라지면 다시 조회하면 되는 데이터입니다.",
    ),
    "다크 모드 설정 (서버는 몰라도 된다, 스크립트가 쓴다)": (
        "Web Storage",
        "서버가 몰라도 되면 매 요청에 실을 필요가 없습니다: 스크립트만 쓰는 저장소.",
    ),
}
# Strategies whose value a user can change before it reaches the server (unless the server checks it).
CLIENT_CHANGEABLE = frozenset({"URL 쿼리", "숨은 폼 필드", "쿠키", "Web Storage"})


def check_strategy_choice(answer) -> CheckResult:
    problem, wrong = table_mistakes(
        answer,
        {k: right for k, (right, _) in CHOICES.items()},
        "문제의 다섯 문장을 그대로 키로 쓰세요 (CHOICES의 키).",
    )
    if problem is not None:
        return problem
    unknown = [v for v in answer.values() if v not in STRATEGY_NAMES]
    if unknown:
        return CheckResult(False, f"전략 이름은 {', '.join(STRATEGY_NAMES)} 중에서 고르세요: {unknown[0]!r}")
    return result(not wrong, "다섯 가지 모두 알맞습니다.", " / ".join(f"{k}: {CHOICES[k][1]}" for k in wrong))


def check_who_can_change(answer) -> CheckResult:
    if is_blank(answer):
        return not_answered()
    if not isinstance(answer, (set, frozenset)):
        return CheckResult(False, '집합(set)으로 답하세요: 예 {"URL 쿼리"}')
    unknown = sorted(set(answer) - set(STRATEGY_NAMES))
    if unknown:
        return CheckResult(False, f"전략 이름은 {', '.join(STRATEGY_NAMES)} 중에서 고르세요: {unknown[0]!r}")
    missing, extra = CLIENT_CHANGEABLE - answer, answer - CLIENT_CHANGEABLE
    hints = []
    if missing:
        hints.append(
            f"빠진 것: {', '.join(sorted(missing))} (클라이언트에 사는 값은 사용자가 고칠 수 있습니다)"
        )
    if "토큰" in extra:
        hints.append("토큰은 읽을 수는 있지만 바꾸면 서명이 맞지 않아 401입니다 (3.8)")
    if extra - {"토큰"}:
        hints.append(f"{', '.join(sorted(extra - {'토큰'}))}: 서버에 사는 상태는 서버만 바꿉니다")
    return result(
        not missing and not extra,
        "URL·숨은 필드·쿠키·Web Storage: 클라이언트에 있고 서명되지 않은 값은 사용자가 바꿉니다. 서버는 늘 다시 확인해야 합니다.",
        " / ".join(hints),
    )
