"""Exercise checkers of notebook 03b (state-management strategies).

The learner picks strategies by number (``strategy_menu()``: 1 URL 쿼리 … 8 토큰) or by name,
and names situations by letter, so nothing long has to be retyped.
"""

from __future__ import annotations

from sessionlab.exercises.base import CheckResult, check_letters, is_blank, not_answered
from sessionlab.labs.lab03b import strategy_menu, strategy_name

__all__ = [
    "check_strategy_choice",
    "check_trusted_values",
    "TRUST_SCENARIO",
    "check_sent_automatically",
    "SITUATIONS",
    "CHOICES",
    "SENT_AUTOMATICALLY",
    "SENT_SCENARIO",
]

# Situation letter → (what the notebook shows, the strategies that are right, why).
SITUATIONS = {
    "A": "검색 결과 3페이지 (친구에게 링크로 보내고 싶다)",
    "B": "로그인한 사용자의 권한 (사용자가 바꾸면 안 된다, 서버 한 대)",
    "C": "주문 내역 (몇 년 뒤에도 봐야 한다)",
    "D": "상품 가격표 조회 결과 (자주 읽고, 몇 초 늦어도 된다)",
    "E": "다크 모드 설정 (다음에 와도 유지되어야 한다, 사용자가 바꿔도 해가 없다)",
}
CHOICES = {
    "A": (("URL 쿼리",), "링크를 보내면 상태가 함께 가야 합니다: 주소 자체에 담으세요."),
    "B": (("서버 세션",), "사용자가 바꾸면 안 되는 값은 서버에 둡니다: 클라이언트에는 세션 ID만."),
    "C": (("데이터베이스",), "재시작·만료와 상관없이 남아야 하는 데이터입니다."),
    "D": (("캐시",), "자주 읽고, 잠깐 옛 값이어도 되고, 사라지면 다시 조회하면 되는 데이터입니다."),
    "E": (
        ("쿠키", "Web Storage"),
        "테마처럼 바뀌어도 해가 없는 설정은 클라이언트에 둡니다: 서버가 첫 화면부터 그 테마로 그려야 하면 "
        "영속 쿠키(01), 페이지 스크립트만 쓰면 Web Storage.",
    ),
}
_PICK_HINT = f"번호나 이름으로 고르세요 ({strategy_menu()})"


def _names(answer) -> tuple[set[str] | None, CheckResult | None]:
    """A set of picks (numbers or names) as strategy names, or the CheckResult saying what is wrong."""
    if not isinstance(answer, (set, frozenset, list, tuple)):
        return None, CheckResult(False, "집합(set)으로 답하세요: 예 {1, 2}")
    names = {strategy_name(a) for a in answer}
    if None in names:
        unknown = next(a for a in answer if strategy_name(a) is None)
        return None, CheckResult(False, f"{unknown!r}은(는) 전략이 아닙니다. {_PICK_HINT}")
    return names, None  # type: ignore[return-value]


def check_strategy_choice(answer) -> CheckResult:
    """Exercise 1: {"A": 1, "B": ..., ...}: where each situation's state belongs."""
    if is_blank(answer):
        return not_answered()
    if not isinstance(answer, dict) or {str(k).strip().upper() for k in answer} != set(SITUATIONS):
        return CheckResult(False, '상황 A~E를 키로 쓰는 dict로 답하세요: 예 {"A": 1, "B": 5, ...}')
    picks = {str(k).strip().upper(): v for k, v in answer.items()}
    unknown = [v for v in picks.values() if strategy_name(v) is None]
    if unknown:
        return CheckResult(False, f"{unknown[0]!r}은(는) 전략이 아닙니다. {_PICK_HINT}")
    wrong = [k for k in sorted(picks) if strategy_name(picks[k]) not in CHOICES[k][0]]
    if wrong:
        return CheckResult(False, " / ".join(f"{k}: {CHOICES[k][1]}" for k in wrong))
    theme = strategy_name(picks["E"])
    other = "Web Storage" if theme == "쿠키" else "쿠키"
    return CheckResult(
        True,
        f"다섯 가지 모두 알맞습니다. E는 {theme}도 {other}도 맞습니다: 서버가 첫 화면부터 알아야 하면 "
        "영속 쿠키, 스크립트만 쓰면 Web Storage입니다.",
    )


# Exercise 2: which values may the server use as it receives them? letter → (the value, trustworthy?, hint)
TRUST_SCENARIO = {
    "A": (
        "주문 폼의 숨은 필드로 돌아온 price",
        False,
        "A: 숨은 필드는 사용자가 고칩니다: 3.2에서 1원 주문이 통했습니다",
    ),
    "B": (
        "서명하지 않은 쿠키 role=admin",
        False,
        "B: 서명하지 않은 쿠키는 사용자가 고쳐도 서버가 모릅니다 (3.3)",
    ),
    "C": (
        "세션 ID 쿠키로 찾은, 서버 세션 저장소의 role",
        True,
        "C: 서버 세션의 값은 서버만 바꿉니다. 클라이언트가 가진 것은 세션 ID뿐입니다 (3.5)",
    ),
    "D": (
        "서명 검증을 통과한 JWT의 sub",
        True,
        "D: 서명이 맞으면 발급한 뒤 바뀌지 않은 값입니다. 바꾸면 401이었습니다 (3.8)",
    ),
    "E": (
        "스크립트가 localStorage에서 읽어 보낸 장바구니 합계",
        False,
        "E: Web Storage는 사용자가 개발자 도구로 고칠 수 있고, 스크립트는 고친 값을 그대로 보냅니다",
    ),
    "F": (
        "URL의 ?page=999",
        False,
        "F: 주소는 사용자가 고칩니다: 3.1에서 서버가 page=999를 그대로 받았습니다",
    ),
}
TRUSTED = frozenset(k for k, (_, ok, _) in TRUST_SCENARIO.items() if ok)


def check_trusted_values(answer) -> CheckResult:
    """Exercise 2: the letters of TRUST_SCENARIO the server may use as received (C and D)."""
    return check_letters(
        answer,
        TRUST_SCENARIO,
        "서버 세션의 값과 서명을 검증한 토큰의 값만 믿을 수 있습니다. URL·숨은 폼 필드·서명 없는 쿠키·Web Storage에서 온 값은 "
        "사용자가 바꿀 수 있으니 서버가 다시 확인합니다(가격은 서버의 가격표에서).",
    )


# Exercise 3: the page's script does nothing; which of these reach the server with a request to the same site?
# letter → (the state, sent by itself?, the hint when the letter is wrongly chosen or missed)
SENT_SCENARIO = {
    "A": ("다른 페이지 주소에 있던 ?page=3", False, "A: URL 쿼리는 그 주소로 가는 요청에만 실립니다"),
    "B": (
        "Set-Cookie로 받은 theme=dark 쿠키",
        True,
        "B: 쿠키는 그 사이트로 가는 모든 요청에 실립니다 (3.3의 /echo)",
    ),
    "C": (
        "localStorage에 둔 장바구니",
        False,
        "C: Web Storage는 저절로 실리지 않습니다. 3.4에서 서버가 받은 요청에는 쿠키만 있고 '사과 3개'는 없었습니다",
    ),
    "D": (
        "sessionStorage에 둔 단계 번호",
        False,
        "D: sessionStorage도 Web Storage라 저절로 실리지 않습니다 (3.4)",
    ),
    "E": (
        "로그인 때 받은 HttpOnly 세션 ID 쿠키",
        True,
        "E: HttpOnly는 스크립트가 읽지 못하게 할 뿐, 브라우저는 이 쿠키도 요청마다 싣습니다",
    ),
    "F": (
        "localStorage에 넣어 둔 JWT",
        False,
        "F: 토큰은 클라이언트 코드가 Authorization 헤더에 직접 실을 때만 갑니다 (3.8)",
    ),
}
SENT_AUTOMATICALLY = frozenset(k for k, (_, sent, _) in SENT_SCENARIO.items() if sent)


def check_sent_automatically(answer) -> CheckResult:
    """Exercise 3: the letters of SENT_SCENARIO the browser attaches by itself (B and E)."""
    return check_letters(
        answer,
        SENT_SCENARIO,
        "쿠키만(HttpOnly 세션 ID 쿠키도) 브라우저가 그 사이트로 가는 모든 요청에 저절로 싣습니다. 그래서 쿠키는 작아야 하고, "
        "CSRF 같은 공격도 여기서 나옵니다(02a). Web Storage와 그 안의 토큰은 스크립트가 보낼 때만 갑니다.",
    )


assert set(CHOICES) == set(SITUATIONS)
