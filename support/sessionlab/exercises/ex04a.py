"""Exercise checkers for notebook 04a (JWT와 세션의 비교)."""

from __future__ import annotations

import json
import math
import time

from sessionlab.exercises.base import CheckResult, is_blank, not_answered, result
from sessionlab.web.tokens import TokenService, b64url_decode, encode_unsigned, split_token

__all__ = [
    "check_decoded_role",
    "check_safe_verify",
    "safe_verify_cases",
    "check_denylist_ttl",
    "check_extra_bytes",
]


def check_decoded_role(answer, token: str) -> CheckResult:
    """The ``role`` claim of ``token``, decoded by hand (base64url, no key)."""
    if is_blank(answer):
        return not_answered()
    header = json.loads(b64url_decode(token.split(".")[0]))
    payload = json.loads(b64url_decode(token.split(".")[1]))
    role = payload.get("role")
    if answer == role:
        return CheckResult(
            True,
            f"맞습니다: role = {role!r}. 키 없이 누구나 읽을 수 있습니다 — 비밀은 payload에 넣지 마세요.",
        )
    if isinstance(answer, dict):
        return CheckResult(False, "dict 전체가 아니라 그 안의 'role' 값 하나를 꺼내세요: [...][\"role\"]")
    if answer in header.values():
        return CheckResult(
            False, "첫 부분(header)을 디코드했습니다. 가운데 부분(payload, split('.')[1])에 role이 있습니다."
        )
    return CheckResult(
        False,
        "가운데 부분(페이로드, split('.')[1])을 3.1의 by_hand로 디코드하고 json.loads 해서 'role' 값을 꺼내세요.",
    )


# What each wrong acceptance means, and what to add (Korean hints for the learner).
_SAFE_VERIFY_HINTS = {
    "alg: none": 'algorithms=["HS256"]를 명시하세요: 헤더의 alg를 믿으면 서명 없는 토큰이 통과합니다.',
    "변조된 payload": "서명을 검증하세요: verify_signature를 끄지 말고 비밀 키를 넘기세요.",
    "만료된 토큰": 'exp를 확인하세요: options={"require": ["exp", ...]}, verify_exp를 끄지 마세요.',
    "다른 서비스용(aud)": "audience=service.audience를 넘기세요: 다른 서비스용 토큰을 받으면 안 됩니다.",
    "리프레시 토큰": (
        "토큰 종류를 확인하세요 (RFC 8725 §3.11 explicit typing): 액세스 토큰의 헤더는 typ: at+jwt입니다 "
        '(RFC 9068). jwt.decode_complete(...)["header"]["typ"]를 확인하세요.'
    ),
}


def safe_verify_cases(service: TokenService) -> dict[str, str]:
    """The bad tokens the checker sends: each must be refused by a safe verifier."""
    good = service.issue("alice", role="user")
    header, payload, sig = split_token(good)
    return {
        "alg: none": encode_unsigned({"alg": "none", "typ": "JWT"}, {**payload, "role": "admin"}),
        "변조된 payload": encode_unsigned(header, {**payload, "role": "admin"}, sig),
        "만료된 토큰": service.issue("alice", ttl=60, now=time.time() - 3600),
        "다른 서비스용(aud)": service.issue("alice", aud="another-api"),
        "리프레시 토큰": service.issue("alice", typ="refresh", role="user"),
    }


def check_safe_verify(fn, service: TokenService) -> CheckResult:
    """``fn(token)`` must return the claims of a good access token and raise on every bad one.

    Bad ones: ``alg: none``, a tampered payload, an expired token, a token for another
    audience, and a refresh token (same key, same issuer: only its type differs).
    """
    if is_blank(fn):
        return not_answered()
    if not callable(fn):
        return CheckResult(False, "토큰 하나를 받아 claims를 돌려주는 함수를 적으세요.")
    good = service.issue("alice", role="user")
    try:
        claims = fn(good)
    except Exception as exc:  # noqa: BLE001 - a learner's function may raise anything
        return CheckResult(
            False,
            f"정상 토큰을 거부했습니다 ({type(exc).__name__}): key, algorithms, audience, issuer, "
            "헤더의 typ(at+jwt)을 확인하세요.",
        )
    if not isinstance(claims, dict) or claims.get("sub") != "alice":
        return CheckResult(False, "정상 토큰의 claims(dict)를 돌려주세요.")
    accepted = []
    for name, token in safe_verify_cases(service).items():
        try:
            fn(token)
        except Exception:  # noqa: BLE001
            continue
        accepted.append(name)
    if accepted:
        hints = " ".join(_SAFE_VERIFY_HINTS[n] for n in accepted)
        return CheckResult(False, f"이 토큰을 받아들였습니다: {', '.join(accepted)}. {hints}")
    return CheckResult(
        True,
        "맞습니다: 정상 액세스 토큰은 통과, alg none·변조·만료·aud 불일치·리프레시 토큰(typ)은 모두 거부합니다.",
    )


def check_denylist_ttl(answer, exp: int, now: int, leeway: int) -> CheckResult:
    """Seconds a revoked jti must stay in the denylist."""
    if is_blank(answer):
        return not_answered()
    expected = math.ceil(exp + leeway - now)
    if answer == expected:
        return CheckResult(
            True, f"맞습니다: {expected}초. 그 뒤에는 토큰이 어차피 만료로 거부되므로 기록을 지워도 됩니다."
        )
    if answer == exp - now:
        return CheckResult(False, "거의 맞습니다. 검증기가 허용하는 시계 오차(leeway)만큼 더 남겨야 합니다.")
    if answer == exp + leeway:
        return CheckResult(False, "그것은 시각(Unix time)입니다. TTL은 지금부터 남은 초입니다: now를 빼세요.")
    return CheckResult(False, "남은 수명(exp - now)에 leeway를 더하세요.")


def check_extra_bytes(answer, token_bytes: int, sid_bytes: int, requests_count: int) -> CheckResult:
    """How many more bytes ``requests_count`` requests send with a JWT instead of a session id."""
    if is_blank(answer):
        return not_answered()
    expected = (token_bytes - sid_bytes) * requests_count
    return result(
        answer == expected,
        f"맞습니다: {expected:,}바이트 더 (HTTP/1.1 기준: 헤더를 매번 그대로 보냄). 인증 헤더가 붙는 "
        "모든 요청에 붙습니다. HTTP/2(HPACK, RFC 7541)와 HTTP/3(QPACK, RFC 9204)는 같은 연결에서 "
        "반복되는 헤더를 압축하므로 실제 추가 바이트는 훨씬 적을 수 있습니다.",
        _extra_bytes_hint(answer, token_bytes, sid_bytes, requests_count),
    )


def _extra_bytes_hint(answer, token_bytes: int, sid_bytes: int, requests_count: int) -> str:
    if answer == token_bytes * requests_count:
        return "토큰 전체가 아니라 세션 ID보다 '더' 보내는 바이트입니다: 세션 ID 길이를 빼세요."
    if answer == token_bytes - sid_bytes:
        return "요청 한 번의 차이입니다: 요청 수를 곱하세요."
    return "(토큰 길이 − 세션 ID 길이) × 요청 수 입니다 (HTTP/1.1: 요청마다 헤더를 그대로 보냄)."
