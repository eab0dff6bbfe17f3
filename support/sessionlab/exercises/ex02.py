"""Exercise checkers of notebooks 02 (session login), 02a (hijacking) and 02b (session ids; those live in ``ex02b``)."""

from __future__ import annotations

import re

from sessionlab.exercises.base import CheckResult, is_blank, not_answered, result

__all__ = [
    "LOGIN_STEPS",
    "check_login_order",
    "check_session_cookie",
    "check_is_live",
    "check_memory_estimate",
    "check_sessions_per_memory",
    "check_safe_login",
    "check_entropy",
    "check_id_entropy",
    "check_session_id_function",
    "check_guess_years",
]

# --- 02 ----------------------------------------------------------------------------------

LOGIN_STEPS = {
    "A": "브라우저가 이후 요청마다 Cookie 헤더로 세션 ID를 보냅니다",
    "B": "서버가 비밀번호를 느린 비밀번호 해시 함수(KDF)로 계산해 저장된 값과 비교합니다",
    "C": "사용자가 아이디와 비밀번호를 HTTPS로 보냅니다",
    "D": "서버가 Set-Cookie 헤더로 세션 ID를 보냅니다",
    "E": "서버가 CSPRNG로 세션 ID를 만들고 사용자 정보와 함께 저장소에 저장합니다",
    "F": "세션이 만료되거나 로그아웃하면 서버가 기록을 지웁니다",
    "G": "서버가 요청마다 세션 ID로 저장소를 조회해 사용자를 확인합니다",
    "H": "브라우저가 받은 세션 ID를 쿠키 저장소에 저장합니다",
    "I": "서버가 확인한 비밀번호를 쿠키에 담아 브라우저에 돌려줍니다",
    "J": "서버가 사용자 이름과 로그인 시각을 이어 붙여 세션 ID를 만듭니다",
}
_ORDER = ["C", "B", "E", "D", "H", "A", "G", "F"]
_TRAPS = {
    "I": "I는 하면 안 되는 일입니다: 쿠키는 요청마다 실리고 브라우저에 남습니다. 비밀번호는 로그인 요청에만 한 번 실립니다.",
    "J": "J는 하면 안 되는 일입니다: 사용자 이름과 시각은 공격자도 짐작합니다. 세션 ID는 CSPRNG로 만듭니다 (02b).",
}


def check_login_order(answer) -> CheckResult:
    """The eight real steps of LOGIN_STEPS in order, as a list of letters (the two traps left out)."""
    if is_blank(answer):
        return not_answered()
    if not isinstance(answer, (list, tuple)):
        return CheckResult(False, '글자 리스트로 답하세요 (예: ["C", ...]).')
    answer = [str(a) for a in answer]
    trap = next((a for a in answer if a in _TRAPS), None)
    if trap is not None:
        return CheckResult(False, _TRAPS[trap])
    if sorted(answer) != sorted(_ORDER):
        return CheckResult(
            False, "A~J 가운데 실제 단계 여덟 개를 골라 한 번씩 담은 리스트로 답하세요 (두 개는 함정입니다)."
        )
    if answer == _ORDER:
        return CheckResult(
            True, "인증 → 세션 생성 → Set-Cookie → 저장 → Cookie 전송 → 조회 → 만료, 순서가 맞습니다."
        )
    first = next(i for i, (a, b) in enumerate(zip(answer, _ORDER)) if a != b)
    return CheckResult(
        False,
        f"{first + 1}번째 단계부터 다시 보세요: {answer[first]}({LOGIN_STEPS[answer[first]]})가 그 자리에 올까요?",
    )


def check_session_cookie(answer) -> CheckResult:
    """A Set-Cookie header value for the session id ``sid``, as an HTTPS login app should send it."""
    if is_blank(answer):
        return not_answered()
    if not isinstance(answer, str) or not re.match(r"\s*sid=[^;\s]+", answer):
        return CheckResult(
            False, "`sid=<값>; 속성; 속성...` 형식의 문자열로 쓰세요 (헤더 이름 Set-Cookie: 은 빼고)."
        )
    attrs = {}
    for part in answer.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        attrs[key.strip().lower()] = value.strip()
    missing = [name for name in ("httponly", "secure", "samesite", "path") if name not in attrs]
    if missing:
        return CheckResult(
            False,
            f"빠진 속성: {', '.join(missing)}. 스크립트 접근, 평문 전송, 교차 사이트 전송을 각각 막는 속성은?",
        )
    if attrs["samesite"].lower() not in ("lax", "strict"):
        return CheckResult(False, "SameSite는 Lax 또는 Strict여야 교차 사이트 POST에 쿠키가 실리지 않습니다.")
    if attrs["path"] != "/":
        return CheckResult(False, "세션 쿠키는 사이트 전체에서 쓰이므로 Path=/ 가 맞습니다.")
    if "expires" in attrs or "max-age" in attrs:
        return CheckResult(
            False,
            "로그인 세션 쿠키에는 Expires/Max-Age를 두지 않습니다(브라우저를 닫으면 사라지는 세션 쿠키). "
            "만료는 서버가 유휴 만료와 절대 만료로 강제합니다.",
        )
    if "domain" in attrs:
        return CheckResult(
            False, "Domain을 쓰면 하위 도메인 모두로 쿠키가 퍼집니다. 세션 쿠키에는 빼는 편이 안전합니다."
        )
    return CheckResult(True, "HttpOnly·Secure·SameSite·Path=/, 만료 속성 없음: 세션 쿠키로 알맞습니다.")


_LIVE_CASES = [  # (created, last_access, now, idle, absolute) → live?
    ((0, 0, 0, 60, 600), True),
    ((0, 0, 59.9, 60, 600), True),
    ((0, 0, 60, 60, 600), False),
    ((0, 550, 599, 60, 600), True),
    ((0, 590, 600, 60, 600), False),
    ((0, 590, 640, 60, 600), False),
    ((100, 100, 130, 60, 50), True),
    ((100, 120, 150, 60, 50), False),
    ((0, 10, 69, 60, 600), True),
]


def _live_just_after(answer, args, deadline) -> bool:
    """What the learner's ``is_live`` says a moment after the deadline (True: not only the boundary is wrong)."""
    created, last_access, _now, idle, absolute = args
    try:
        return bool(answer(created, last_access, deadline + 0.5, idle, absolute))
    except Exception:  # the learner's code; the main loop reports errors
        return True


def check_is_live(answer) -> CheckResult:
    """``is_live(created, last_access, now, idle, absolute) -> bool``."""
    if is_blank(answer):
        return not_answered()
    if not callable(answer):
        return CheckResult(False, "함수 is_live를 정의해 그 함수를 answer에 넣으세요.")
    for args, expected in _LIVE_CASES:
        try:
            got = answer(*args)
        except Exception as exc:  # the learner's code
            return CheckResult(False, f"is_live{args}에서 오류: {type(exc).__name__}: {exc}")
        if bool(got) != expected:
            created, last_access, now, idle, absolute = args
            deadline = min(last_access + idle, created + absolute)
            if got and now == deadline and not _live_just_after(answer, args, deadline):
                return CheckResult(
                    False,
                    f"is_live{args} → True, 기대값 False. now가 기한과 같은 순간에는 세션이 이미 끝났습니다 "
                    "(문제의 규칙: 기한보다 앞일 때만 살아 있음). <= 대신 < 로 비교하세요.",
                )
            return CheckResult(
                False,
                f"is_live{args} → {bool(got)}, 기대값 {expected}. "
                "마지막 활동 + idle과 생성 시각 + absolute 중 이른 쪽 전까지만 살아 있습니다.",
            )
    return CheckResult(True, "두 기한(유휴, 절대) 중 이른 쪽에서 세션이 끝납니다.")


def check_memory_estimate(
    answer, per_session: float, sessions: int = 1_000_000, unit: str = "MB"
) -> CheckResult:
    """Memory for ``sessions`` sessions at the measured bytes ``per_session``, in MB (10**6) or MiB (2**20)."""
    if is_blank(answer):
        return not_answered()
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return CheckResult(False, f"{unit} 단위 숫자로 답하세요.")
    divisor, other, other_divisor = (1e6, "MiB", 2**20) if unit == "MB" else (2**20, "MB", 1e6)
    expected = per_session * sessions / divisor
    if abs(answer - expected) <= 0.02 * expected:
        return CheckResult(
            True,
            "맞습니다: 세션 하나의 크기 × 세션 수, 세션 수에 정비례하는 비용입니다.",
        )
    if abs(answer - per_session * sessions / other_divisor) <= 0.02 * expected:
        return CheckResult(False, f"{other}가 아니라 {unit}로 나누세요 ({unit} = {divisor:,.0f}바이트).")
    return CheckResult(False, f"세션 하나의 바이트 × 세션 수 ÷ {divisor:,.0f} 로 계산해 보세요.")


def check_sessions_per_memory(answer, per_session: float, memory_bytes: int = 2**30) -> CheckResult:
    """How many sessions of ``per_session`` measured bytes fit in ``memory_bytes`` (1 GiB by default)."""
    if is_blank(answer):
        return not_answered()
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return CheckResult(False, "세션 개수(숫자)로 답하세요.")
    expected = memory_bytes / per_session
    if abs(answer - expected) <= 0.02 * expected:
        return CheckResult(
            True,
            f"약 {expected:,.0f}개: 메모리 ÷ 세션 하나의 크기. 세션 수가 두 배면 메모리도 두 배입니다.",
        )
    if memory_bytes == 2**30 and abs(answer - 1e9 / per_session) <= 0.01 * (1e9 / per_session):
        return CheckResult(False, "1 GiB는 10^9바이트가 아니라 2^30 = 1,073,741,824바이트입니다.")
    if answer > memory_bytes:
        return CheckResult(
            False, "곱하지 말고 나누세요: 들어가는 세션 수 = 메모리 바이트 ÷ 세션 하나의 바이트."
        )
    return CheckResult(
        False,
        "3.7에서 잰 per_session(세션 하나가 Redis에서 차지하는 바이트)으로 2^30바이트를 나눠 보세요.",
    )


# --- 02a ------------------------------------------------------------------------------------


def check_safe_login(answer) -> CheckResult:
    """``safe_login(store, old_sid, user) -> new sid``: log ``user`` in without session fixation."""
    if is_blank(answer):
        return not_answered()
    if not callable(answer):
        return CheckResult(False, "함수 safe_login(store, old_sid, user)를 answer에 넣으세요.")
    from sessionlab.web.stores import FakeClock, MemoryStore

    store = MemoryStore(clock=FakeClock())
    planted = store.create({"cart": ["book"]}).id
    try:
        new = answer(store, planted, "alice")
    except Exception as exc:  # the learner's code
        return CheckResult(False, f"safe_login에서 오류: {type(exc).__name__}: {exc}")
    if not isinstance(new, str) or store.get(new) is None:
        return CheckResult(False, "살아 있는 새 세션 ID(문자열)를 돌려주세요.")
    if new == planted:
        return CheckResult(
            False, "로그인 전 ID를 그대로 쓰면 공격자가 심어 둔 ID가 로그인된 세션이 됩니다 (세션 고정)."
        )
    if store.get(planted) is not None:
        return CheckResult(False, "옛 ID가 아직 살아 있습니다: 공격자가 그 ID로 들어올 수 있습니다.")
    renewed = store.get(new)
    assert renewed is not None  # checked above; FakeClock: nothing expires in between
    if renewed.data.get("user") != "alice":
        return CheckResult(False, "새 세션의 data에 'user': 'alice'를 넣으세요 (store.update).")
    return result(
        renewed.data.get("cart") == ["book"],
        "ID만 바뀌고 내용(장바구니)은 그대로: store.renew_id + store.update가 정석입니다.",
        "로그인 전 장바구니가 사라졌습니다. store.renew_id는 내용을 새 ID로 옮겨 줍니다.",
    )


# --- 02b: in ex02b, re-exported here ------------------------------------------------------------

from sessionlab.exercises.ex02b import (  # noqa: E402
    check_entropy,
    check_guess_years,
    check_id_entropy,
    check_session_id_function,
)
