"""⚠️ VULNERABLE on purpose: a JWT verifier that repeats, one flaw at a time, real mistakes. Attack labs only.

``VulnerableVerifier(keys, flaws=(...))`` switches on the mistakes listed in
``FLAWS`` (no signature check, ``alg: none``, the algorithm taken from the header,
no expiry check, ``kid`` used as a file path, a key taken from the token's own ``jwk``
header, a key set fetched from the token's ``jku`` URL); everything else is checked
correctly, so an attack that succeeds shows exactly which mistake it needs.
The secure verifier is ``sessionlab.web.tokens.Verifier``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import time
import weakref
from typing import TYPE_CHECKING

import jwt

from sessionlab.infra.tmp import lab_dir
from sessionlab.web.token_format import (
    DEFAULT_AUDIENCE,
    DEFAULT_ISSUER,
    DEFAULT_LEEWAY,
    TokenError,
    map_pyjwt_error,
    split_token,
)

if TYPE_CHECKING:
    from sessionlab.web.tokens import SigningKey

__all__ = ["FLAWS", "VulnerableVerifier"]

FLAWS = {
    "no_signature": "서명을 검증하지 않고 디코드만 함 (jwt.decode(..., verify_signature=False))",
    "alg_none": "헤더의 alg: none을 '서명 없음'으로 받아들임",
    "alg_from_header": "헤더의 alg로 검증 방식을 고름: RS256 공개 키를 HS256 비밀로 써 버림 (알고리즘 혼동)",
    "no_exp": "exp(만료)를 확인하지 않음",
    "kid_path": "kid를 키 파일 경로로 그대로 씀 (경로 조작, path traversal)",
    "jwk_header": "헤더에 들어 있는 jwk(공개 키)로 서명을 검증함: 공격자가 자기 키를 토큰에 넣어 보냄",
    "jku_header": "헤더의 jku URL에서 키 집합(JWKS)을 받아 검증함: 공격자의 서버가 키를 줌",
}

# The lab's own guard, not part of the flaw: a jku is fetched only from this machine.
_LOOPBACK_PREFIXES = ("http://127.0.0.1:", "http://[::1]:", "http://localhost:")


class VulnerableVerifier:
    """⚠️ VULNERABLE — for the attack labs only. Never use this pattern.

    A hand-written verifier of the kind old libraries and many apps had. Each
    entry of ``flaws`` (see ``FLAWS``) switches on one real mistake; everything
    else is checked correctly, so an attack that succeeds shows exactly which
    mistake it needs. The key files for ``kid_path`` live in a temporary folder
    that is removed with the verifier.
    """

    VULNERABLE = True

    def __init__(
        self, keys, flaws=tuple(FLAWS), issuer: str = DEFAULT_ISSUER, audience: str = DEFAULT_AUDIENCE
    ):
        keys = list(keys.values()) if isinstance(keys, dict) else list(keys)
        unknown = set(flaws) - set(FLAWS)
        if unknown:
            raise ValueError(f"알 수 없는 결함: {sorted(unknown)}")
        self.flaws = frozenset(flaws)
        self.keys = {k.kid: k for k in keys}
        self.issuer, self.audience = issuer, audience
        # VULNERABLE (kid_path): keys stored as files named by kid; the kid is joined to the folder.
        self.key_dir = str(lab_dir("keys"))  # swept after killed kernels
        weakref.finalize(self, shutil.rmtree, self.key_dir, True)
        for k in keys:
            data = _file_bytes(k)
            with open(os.path.join(self.key_dir, k.kid), "wb") as f:
                f.write(data)

    def _key_material(self, header: dict) -> tuple[bytes, object]:
        """The key bytes and the algorithm to verify with (⚠️ with alg_from_header: whatever the header says)."""
        kid = header.get("kid")
        if "kid_path" in self.flaws and isinstance(kid, str):
            # VULNERABLE: no check that the path stays inside key_dir.
            with open(os.path.join(self.key_dir, kid), "rb") as f:
                data = f.read()
            return data, header.get("alg") if "alg_from_header" in self.flaws else "HS256"
        if kid not in self.keys:
            raise TokenError("unknown_kid")
        key = self.keys[kid]
        data = _file_bytes(key)
        alg = header.get("alg") if "alg_from_header" in self.flaws else key.alg
        return data, alg

    def verify(self, token, expected_type: str | None = "access") -> dict:
        header, payload, signature = split_token(token)
        if "no_signature" in self.flaws:
            claims = payload  # VULNERABLE: decoded, never verified
        elif header.get("alg") == "none" and "alg_none" in self.flaws:
            claims = payload  # VULNERABLE: "no algorithm, nothing to check"
        elif "jwk_header" in self.flaws and isinstance(header.get("jwk"), dict):
            # VULNERABLE: the token brings the key that verifies it.
            claims = _decode_asymmetric(token, _jwk_key(header["jwk"]), header.get("alg"))
        elif "jku_header" in self.flaws and isinstance(header.get("jku"), str):
            # VULNERABLE: the key set is fetched from wherever the token says.
            jwks = _fetch_jwks(header["jku"])
            match = [k for k in jwks.get("keys", []) if k.get("kid") == header.get("kid")]
            if not match:
                raise TokenError("unknown_kid")
            claims = _decode_asymmetric(token, _jwk_key(match[0]), header.get("alg"))
        else:
            try:
                material, alg = self._key_material(header)
            except OSError:
                raise TokenError("unknown_kid") from None
            signing_input = token.rsplit(".", 1)[0].encode("ascii")
            if alg == "HS256":  # hand-rolled HMAC: happily uses *any* bytes as the secret
                expected = hmac.new(material, signing_input, hashlib.sha256).digest()
                if not hmac.compare_digest(expected, signature):
                    raise TokenError("bad_signature")
                claims = payload
            elif alg in ("RS256", "EdDSA"):
                claims = _decode_asymmetric(token, material, alg)
            else:
                raise TokenError("alg_not_allowed")
        if "no_exp" not in self.flaws:
            exp = claims.get("exp")
            if not isinstance(exp, (int, float)) or exp <= time.time() - DEFAULT_LEEWAY:
                raise TokenError("expired")
        if claims.get("aud") != self.audience:
            raise TokenError("wrong_audience")
        if claims.get("iss") != self.issuer:
            raise TokenError("wrong_issuer")
        if expected_type is not None and claims.get("typ") != expected_type:
            raise TokenError("wrong_type")
        return claims


def _file_bytes(key: SigningKey) -> bytes:
    """What the key file of ``key`` holds: the HS256 secret itself, else the public key as PEM."""
    if key.alg == "HS256":
        assert isinstance(key.signing, bytes)  # hmac_key stores the secret as bytes
        return key.signing
    return key.public_pem()


def _decode_asymmetric(token: str, key, alg) -> dict:
    """Signature only (the claims are checked by the caller, flaw by flaw)."""
    if alg not in ("RS256", "EdDSA"):
        raise TokenError("alg_not_allowed")
    try:
        return jwt.decode(
            token,
            key,
            algorithms=[alg],
            options={
                "verify_exp": False,
                "verify_aud": False,
                "verify_iss": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.exceptions.PyJWTError as exc:
        raise map_pyjwt_error(exc) from None


def _jwk_key(jwk: dict):
    try:
        return jwt.PyJWK(jwk).key
    except (jwt.exceptions.PyJWTError, ValueError, TypeError, KeyError):
        raise TokenError("invalid", "jwk") from None


def _fetch_jwks(url: str) -> dict:
    """GET the key set at ``url`` (⚠️ any URL the token names; the lab allows loopback only)."""
    import urllib.request

    if not url.startswith(_LOOPBACK_PREFIXES):
        raise TokenError("invalid", "이 실습은 127.0.0.1의 jku만 가져옵니다")
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:  # noqa: S310 - loopback only (checked above)
            data = json.loads(resp.read(65536))
    except (OSError, ValueError):
        raise TokenError("invalid", "jku") from None
    return data if isinstance(data, dict) else {}
