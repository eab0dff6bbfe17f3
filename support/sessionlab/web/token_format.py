"""The JWT wire format by hand, and the errors every verifier raises (``TokenError`` and its reasons).

* ``b64url_encode`` / ``b64url_decode``: strict base64url without padding (RFC 7515 §2),
  written out so learners can see there is no encryption;
* ``split_token``: header, payload and signature of a compact JWS, *without*
  verifying anything; ``encode_unsigned``: the reverse, with no key involved
  (what an attacker does by hand);
* ``TokenError``: a refused token, with a short ``code``, a Korean ``reason`` for
  learners and an ASCII ``description`` for the ``WWW-Authenticate`` header
  (RFC 6750 allows only ASCII there; ``www_authenticate`` builds it);
* ``map_pyjwt_error``: PyJWT's exceptions as ``TokenError`` codes.

The secure verifier and the token service are in ``sessionlab.web.tokens``, the
⚠️ vulnerable verifier in ``sessionlab.web.tokens_vulnerable``; both use this module.
"""

from __future__ import annotations

import base64
import binascii
import json

import jwt

__all__ = [
    "REASONS",
    "TokenError",
    "www_authenticate",
    "b64url_encode",
    "b64url_decode",
    "split_token",
    "encode_unsigned",
    "map_pyjwt_error",
    "DEFAULT_ISSUER",
    "DEFAULT_AUDIENCE",
    "DEFAULT_LEEWAY",
    "MAX_TOKEN_BYTES",
    "REALM",
]

DEFAULT_ISSUER = "sessionlab"
DEFAULT_AUDIENCE = "sessionlab-api"
DEFAULT_LEEWAY = 5
MAX_TOKEN_BYTES = 8192
REALM = "sessionlab"

# code -> (Korean reason for the learner, ASCII description for WWW-Authenticate)
REASONS: dict[str, tuple[str, str]] = {
    "missing": ("토큰이 없습니다. 로그인한 뒤 쿠키나 Authorization: Bearer 헤더로 보내세요.", "no token"),
    "too_long": ("토큰이 너무 깁니다.", "token too long"),
    "malformed": (
        "토큰 형식이 잘못되었습니다: 점(.)으로 나뉜 세 부분(header.payload.signature)이어야 합니다.",
        "token must have three dot-separated segments",
    ),
    "bad_base64": ("토큰의 한 부분이 올바른 base64url이 아닙니다.", "segment is not valid base64url"),
    "bad_header": ("헤더가 JSON 객체가 아닙니다.", "header is not a JSON object"),
    "bad_payload": ("페이로드가 JSON 객체가 아닙니다.", "payload is not a JSON object"),
    "alg_not_allowed": ("허용 목록(allow-list)에 없는 알고리즘입니다 (예: none).", "algorithm not allowed"),
    "unknown_kid": ("알 수 없는 키 ID(kid)입니다.", "unknown key id"),
    "alg_mismatch": (
        "헤더의 알고리즘이 그 키의 알고리즘과 다릅니다 (알고리즘 혼동 시도).",
        "algorithm does not match the key",
    ),
    "bad_signature": (
        "서명이 맞지 않습니다: 토큰이 변조되었거나 다른 키로 서명되었습니다.",
        "signature verification failed",
    ),
    "expired": ("토큰이 만료되었습니다(exp). 갱신(refresh)하거나 다시 로그인하세요.", "token expired"),
    "not_yet_valid": ("아직 유효하지 않은 토큰입니다(nbf/iat가 미래).", "token not yet valid"),
    "wrong_audience": ("이 서비스용 토큰이 아닙니다(aud 불일치).", "invalid audience"),
    "wrong_issuer": ("신뢰하지 않는 발급자의 토큰입니다(iss 불일치).", "invalid issuer"),
    "missing_claim": ("필수 클레임(claim)이 빠졌습니다.", "missing required claim"),
    "bad_claim": ("클레임 값의 형식이 잘못되었습니다.", "invalid claim value"),
    "wrong_type": ("이 용도에 맞지 않는 종류의 토큰입니다(access/refresh 혼동).", "wrong token type"),
    "revoked": ("폐기된(revoked) 토큰입니다: 로그아웃했거나 관리자가 취소했습니다.", "token revoked"),
    "refresh_reused": (
        "이미 사용된 리프레시 토큰이 다시 쓰였습니다: 탈취로 보고 이 로그인의 모든 토큰을 폐기했습니다.",
        "refresh token reuse detected; token family revoked",
    ),
    "login_expired": (
        "로그인한 지 너무 오래되었습니다(절대 만료, absolute timeout): 다시 로그인하세요.",
        "login too old; sign in again",
    ),
    "account_gone": (
        "계정이 삭제되었거나 사용할 수 없습니다: 이 로그인의 모든 토큰을 폐기했습니다.",
        "account no longer valid; token family revoked",
    ),
    "invalid": ("유효하지 않은 토큰입니다.", "invalid token"),
}


class TokenError(Exception):
    """A token was refused. ``code`` (stable, English), ``reason`` (Korean), ``description`` (ASCII)."""

    def __init__(self, code: str, detail: str = ""):
        self.code = code if code in REASONS else "invalid"
        self.reason, self.description = REASONS[self.code]
        if detail:
            self.reason = f"{self.reason} ({detail})"
        super().__init__(f"{self.code}: {self.reason}")

    @property
    def www_authenticate(self) -> str:
        return www_authenticate(self.code, self.description)


def www_authenticate(code: str | None = None, description: str = "", error: str = "invalid_token") -> str:
    """RFC 6750 §3: no error attributes when no token was sent, ``invalid_token`` otherwise."""
    if code is None or code == "missing":
        return f'Bearer realm="{REALM}"'
    safe = "".join(ch for ch in description if 0x20 <= ord(ch) <= 0x7E and ch not in '"\\')
    return f'Bearer realm="{REALM}", error="{error}", error_description="{safe}"'


# --- base64url, by hand, so learners can see there is no encryption ----------------


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url without padding (RFC 7515 §2); raises ``TokenError('bad_base64')``."""
    if not isinstance(text, str) or "=" in text or len(text) % 4 == 1:
        raise TokenError("bad_base64")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise TokenError("bad_base64") from None


def _json_object(raw: bytes, code: str) -> dict:
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # 3,000 '[' recurse past Python's limit
        raise TokenError(code) from None
    if not isinstance(obj, dict):
        raise TokenError(code)
    return obj


def split_token(token) -> tuple[dict, dict, bytes]:
    """Header, payload and signature bytes of a compact JWS, *without* verifying anything."""
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError:
            raise TokenError("malformed") from None
    if not isinstance(token, str) or not token:
        raise TokenError("missing")
    if len(token) > MAX_TOKEN_BYTES:
        raise TokenError("too_long")
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("malformed", f"{len(parts)}부분")
    for part in parts:
        if part and not all(c.isascii() and (c.isalnum() or c in "-_") for c in part):
            raise TokenError("bad_base64")
    header = _json_object(b64url_decode(parts[0]), "bad_header")
    payload = _json_object(b64url_decode(parts[1]), "bad_payload")
    return header, payload, b64url_decode(parts[2])


def encode_unsigned(header: dict, payload: dict, signature: bytes = b"") -> str:
    """Assemble a token from parts (what an attacker does by hand): no key involved."""
    h = b64url_encode(json.dumps(header, separators=(",", ":")).encode())
    p = b64url_encode(json.dumps(payload, separators=(",", ":")).encode())
    return f"{h}.{p}.{b64url_encode(signature)}"


def map_pyjwt_error(exc: Exception) -> TokenError:
    """The ``TokenError`` for an exception PyJWT raised while decoding."""
    E = jwt.exceptions
    if isinstance(exc, E.ExpiredSignatureError):
        return TokenError("expired")
    if isinstance(exc, E.ImmatureSignatureError):
        return TokenError("not_yet_valid")
    if isinstance(exc, E.InvalidAudienceError):
        return TokenError("wrong_audience")
    if isinstance(exc, E.InvalidIssuerError):
        return TokenError("wrong_issuer")
    if isinstance(exc, E.MissingRequiredClaimError):
        return TokenError("missing_claim", exc.claim)
    if isinstance(exc, E.InvalidSignatureError):
        return TokenError("bad_signature")
    if isinstance(exc, E.InvalidAlgorithmError):
        return TokenError("alg_not_allowed")
    if isinstance(exc, (E.InvalidIssuedAtError, E.InvalidSubjectError, E.InvalidJTIError)):
        return TokenError("bad_claim")
    if isinstance(exc, E.DecodeError):
        msg = str(exc)
        if "claim" in msg:  # e.g. "Expiration Time claim (exp) must be an integer."
            return TokenError("bad_claim")
        return TokenError("malformed")
    return TokenError("invalid")
