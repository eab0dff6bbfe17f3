"""Exercise checkers for notebook 04a (JWT와 세션의 비교)."""

from __future__ import annotations

import json
import math
import time

from sessionlab.exercises.base import CheckResult, is_blank, not_answered, result
from sessionlab.web.tokens import TokenService, b64url_decode, encode_unsigned, split_token

__all__ = ["check_decoded_role", "check_safe_verify", "check_denylist_ttl", "check_extra_bytes"]


def check_decoded_role(answer, token: str) -> CheckResult:
    """The ``role`` claim of ``token``, decoded by hand (base64url, no key)."""
    if is_blank(answer):
        return not_answered()
    role = json.loads(b64url_decode(token.split(".")[1])).get("role")
    return result(
        answer == role,
        f"맞습니다: role = {role!r}. 키 없이 누구나 읽을 수 있습니다 — 비밀은 payload에 넣지 마세요.",
        "가운데 부분(payload)을 b64url_decode → json.loads 해서 'role' 값을 꺼내세요.",
    )


def check_safe_verify(fn, service: TokenService) -> CheckResult:
    """``fn(token)`` must return the claims of a good token and raise on every bad one."""
    if is_blank(fn):
        return not_answered()
    if not callable(fn):
        return CheckResult(False, "토큰 하나를 받아 claims를 돌려주는 함수를 적으세요.")
    good = service.issue("alice", role="user")
    header, payload, sig = split_token(good)
    bad = {
        "alg: none": encode_unsigned({"alg": "none", "typ": "JWT"}, {**payload, "role": "admin"}),
        "변조된 payload": encode_unsigned(header, {**payload, "role": "admin"}, sig),
        "만료된 토큰": service.issue("alice", ttl=60, now=time.time() - 3600),
        "다른 서비스용(aud)": service.issue("alice", aud="another-api"),
    }
    try:
        claims = fn(good)
    except Exception as exc:  # noqa: BLE001 - a learner's function may raise anything
        return CheckResult(
            False,
            f"정상 토큰을 거부했습니다 ({type(exc).__name__}): key, algorithms, audience, issuer를 확인하세요.",
        )
    if not isinstance(claims, dict) or claims.get("sub") != "alice":
        return CheckResult(False, "정상 토큰의 claims(dict)를 돌려주세요.")
    accepted = []
    for name, token in bad.items():
        try:
            fn(token)
        except Exception:  # noqa: BLE001
            continue
        accepted.append(name)
    if accepted:
        return CheckResult(
            False,
            f"이 토큰을 받아들였습니다: {', '.join(accepted)}. algorithms=[...]를 명시하고 "
            "audience·issuer를 넘기세요.",
        )
    return CheckResult(True, "맞습니다: 정상 토큰은 통과, alg none·변조·만료·aud 불일치는 모두 거부합니다.")


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
    return CheckResult(False, "남은 수명(exp - now)에 leeway를 더하세요.")


def check_extra_bytes(answer, token_bytes: int, sid_bytes: int, requests_count: int) -> CheckResult:
    """How many more bytes ``requests_count`` requests send with a JWT instead of a session id."""
    if is_blank(answer):
        return not_answered()
    expected = (token_bytes - sid_bytes) * requests_count
    return result(
        answer == expected,
        f"맞습니다: {expected:,}바이트 더. 작아 보여도 모든 요청(이미지·API 호출 포함)에 붙습니다.",
        "(토큰 길이 − 세션 ID 길이) × 요청 수 입니다.",
    )
