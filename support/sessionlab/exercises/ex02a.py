"""Exercise checkers of notebook 02a (세션 하이재킹 방지) that 02 and 02b do not share.

``check_safe_login`` (02a's second exercise) lives in ``ex02`` with the other session checkers.
"""

from __future__ import annotations

from sessionlab.exercises.base import CheckResult, is_blank, not_answered, result

__all__ = ["DEFENCE_OPTIONS", "SCENARIOS", "check_defence_scenarios"]

DEFENCE_OPTIONS = {
    "A": "로그인할 때 세션 ID를 새로 발급",
    "B": "쿠키에 HttpOnly",
    "C": "쿠키에 Secure + HTTPS만 사용 (+ HSTS)",
    "D": "SameSite=Lax + CSRF 토큰 + Origin·Sec-Fetch-Site 검사",
    "E": "로그아웃할 때 서버의 세션 기록 삭제",
    "F": "민감한 작업 전 재인증",
    "G": "서버 쪽 유휴 만료·절대 만료",
}

SCENARIOS = {
    1: "게시판 댓글에 심어진 스크립트가 `document.cookie`를 읽어 공격자 서버로 보냅니다.",
    2: "카페 와이파이에서 피해자가 `http://`로 시작하는 옛 북마크를 눌렀고, 같은 와이파이의 누군가가 그 요청을 엿봅니다.",
    3: "공격자가 미리 받아 둔 세션 ID를 피해자 브라우저에 심어 두고, 피해자가 그 상태로 로그인하기를 기다립니다.",
    4: "피해자가 로그인한 채로 연 다른 사이트의 페이지가, 숨은 폼으로 우리 사이트에 `POST /transfer`를 보냅니다.",
    5: "피해자는 PC방에서 로그아웃하고 떠났지만, 누군가 그 전에 쿠키 값을 복사해 두었습니다.",
    6: "쿠키를 훔친 공격자가 살아 있는 세션으로 피해자 계정의 이메일을 자기 주소로 바꾸려 합니다.",
    7: "회사 PC에서 로그인한 채 자리를 비운 지 한 시간이 지났고, 그사이 다른 사람이 그 자리에 앉았습니다.",
}

_RIGHT = {1: "B", 2: "C", 3: "A", 4: "D", 5: "E", 6: "F", 7: "G"}

_HINTS = {
    1: "스크립트가 쿠키를 '읽는' 공격입니다. 페이지 스크립트에게서 쿠키를 숨기는 속성은? (3.3)",
    2: "네트워크에서 평문 요청을 엿보는 공격입니다. 쿠키를 HTTPS 요청에만 싣게 하는 것은? (3.4)",
    3: "공격자가 ID를 '심고' 기다리는 세션 고정입니다. 로그인 순간 ID가 바뀌면 심어 둔 ID는 쓸모가 없습니다. (3.1)",
    4: "ID를 훔치지 않고 피해자의 브라우저가 쿠키를 싣게 만드는 CSRF입니다. (3.5)",
    5: "쿠키만 지우는 로그아웃은 복사본을 막지 못합니다. 로그아웃 즉시 복사본이 쓸모없어지려면 서버에서 무엇을 해야 하나요? (3.2)",
    6: "세션을 이미 쥔 공격자입니다. 세션만으로는 부족하고 비밀번호를 다시 요구하면 막힙니다. (3.7)",
    7: "아무 요청도 없던 한 시간입니다. 쿠키는 브라우저에 그대로 있으니 서버가 세션을 끝내야 합니다. (3.6)",
}

_CONFUSIONS = {  # (scenario, wrong letter) → why that defence does not stop it
    (
        2,
        "B",
    ): "HttpOnly는 페이지 스크립트만 막습니다. 네트워크를 엿보는 사람은 Cookie 헤더를 그대로 읽습니다.",
    (1, "C"): "Secure는 평문 HTTP에서 쿠키를 빼 줄 뿐, HTTPS 페이지 안의 스크립트는 막지 못합니다.",
    (
        5,
        "G",
    ): "만료도 언젠가 끝내 주지만, 그때까지 복사본이 통합니다. 로그아웃한 그 순간 끝내는 방법이 있습니다.",
    (7, "E"): "자리를 비운 사람은 로그아웃하지 않았습니다. 요청이 없는 시간을 서버가 재야 합니다.",
    (3, "B"): "세션 고정에서 공격자는 쿠키를 읽을 필요가 없습니다: 그 ID를 처음부터 알고 있습니다.",
}


def check_defence_scenarios(answer) -> CheckResult:
    """{scenario number: letter of DEFENCE_OPTIONS} for the seven scenarios of ``SCENARIOS``."""
    if is_blank(answer):
        return not_answered()
    shape = '{1: "B", 2: ..., 7: ...}처럼 상황 번호(1~7)마다 방어의 글자(A~G)를 하나씩 쓰세요.'
    if not isinstance(answer, dict) or set(answer) != set(SCENARIOS):
        return CheckResult(False, shape)
    given = {k: str(v).strip().upper() for k, v in answer.items()}
    unknown = [k for k, v in given.items() if v not in DEFENCE_OPTIONS]
    if unknown:
        return CheckResult(
            False, f"상황 {', '.join(map(str, unknown))}: 글자는 A~G 가운데 하나입니다. " + shape
        )
    wrong = [k for k in SCENARIOS if given[k] != _RIGHT[k]]
    lines = [f"상황 {k}: {_CONFUSIONS.get((k, given[k]), _HINTS[k])}" for k in wrong]
    return result(
        not wrong,
        "일곱 상황 모두 알맞은 방어를 골랐습니다.",
        f"{len(wrong)}개를 다시 보세요. " + " / ".join(lines),
    )
