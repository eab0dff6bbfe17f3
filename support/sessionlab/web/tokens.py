"""JWTs done right (and, clearly labelled, done wrong) for the token labs.

Secure path, built on PyJWT:

* keys are generated at run time with ``cryptography`` (``generate_keys``): an
  HS256 secret of 32 random bytes, an RSA-2048 key (RS256) and an Ed25519 key
  (EdDSA). Nothing secret is ever committed.
* every key carries its own algorithm and ``kid``; the verifier picks the key
  from the header's ``kid`` (or, without one, the only key of that algorithm)
  and passes PyJWT exactly ``algorithms=[key.alg]``. The header can *name* an
  algorithm, it can never *choose* one: ``none``, ``HS512``, or ``HS256`` with
  the RSA public key as secret (algorithm confusion) are refused.
* ``exp``/``iat``/``nbf``/``aud``/``iss`` are checked with a small leeway;
  ``jti`` is on every token and required.
* access + refresh tokens; refresh *rotation* with reuse detection: a refresh
  token used a second time revokes its whole family (every token issued in it);
* a Redis denylist keyed by ``jti`` whose TTL is the token's remaining lifetime
  (plus the leeway), so revoked entries disappear when the token could no
  longer be accepted anyway.

Every failure is a ``TokenError`` with a short ``code``, a Korean ``reason`` for
learners and an ASCII ``description`` for the ``WWW-Authenticate`` header
(RFC 6750 allows only ASCII there).

The ``VulnerableVerifier`` at the end is **VULNERABLE on purpose**: it repeats,
one flaw at a time, the mistakes real libraries and apps made. Attack labs only.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import os
import secrets
import time
import weakref
import shutil
from dataclasses import dataclass, field

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from sessionlab.infra.tmp import lab_dir

__all__ = [
    "ALLOWED_ALGORITHMS", "REASONS", "TokenError", "SigningKey", "generate_keys", "hmac_key",
    "b64url_encode", "b64url_decode", "split_token", "encode_unsigned", "Verifier",
    "RedisDenylist", "TokenPair", "TokenService", "VulnerableVerifier", "FLAWS", "www_authenticate",
]

ALLOWED_ALGORITHMS = ("HS256", "RS256", "EdDSA")
DEFAULT_ISSUER = "sessionlab"
DEFAULT_AUDIENCE = "sessionlab-api"
DEFAULT_LEEWAY = 5
MAX_TOKEN_BYTES = 8192
REALM = "sessionlab"

# code -> (Korean reason for the learner, ASCII description for WWW-Authenticate)
REASONS: dict[str, tuple[str, str]] = {
    "missing": ("토큰이 없습니다. 로그인한 뒤 쿠키나 Authorization: Bearer 헤더로 보내세요.",
                "no token"),
    "too_long": ("토큰이 너무 깁니다.", "token too long"),
    "malformed": ("토큰 형식이 잘못되었습니다: 점(.)으로 나뉜 세 부분(header.payload.signature)이어야 합니다.",
                  "token must have three dot-separated segments"),
    "bad_base64": ("토큰의 한 부분이 올바른 base64url이 아닙니다.", "segment is not valid base64url"),
    "bad_header": ("헤더가 JSON 객체가 아닙니다.", "header is not a JSON object"),
    "bad_payload": ("페이로드가 JSON 객체가 아닙니다.", "payload is not a JSON object"),
    "alg_not_allowed": ("허용 목록(allow-list)에 없는 알고리즘입니다 (예: none).", "algorithm not allowed"),
    "unknown_kid": ("알 수 없는 키 ID(kid)입니다.", "unknown key id"),
    "alg_mismatch": ("헤더의 알고리즘이 그 키의 알고리즘과 다릅니다 (알고리즘 혼동 시도).",
                     "algorithm does not match the key"),
    "bad_signature": ("서명이 맞지 않습니다: 토큰이 변조되었거나 다른 키로 서명되었습니다.",
                      "signature verification failed"),
    "expired": ("토큰이 만료되었습니다(exp). 갱신(refresh)하거나 다시 로그인하세요.", "token expired"),
    "not_yet_valid": ("아직 유효하지 않은 토큰입니다(nbf/iat가 미래).", "token not yet valid"),
    "wrong_audience": ("이 서비스용 토큰이 아닙니다(aud 불일치).", "invalid audience"),
    "wrong_issuer": ("신뢰하지 않는 발급자의 토큰입니다(iss 불일치).", "invalid issuer"),
    "missing_claim": ("필수 클레임(claim)이 빠졌습니다.", "missing required claim"),
    "bad_claim": ("클레임 값의 형식이 잘못되었습니다.", "invalid claim value"),
    "wrong_type": ("이 용도에 맞지 않는 종류의 토큰입니다(access/refresh 혼동).", "wrong token type"),
    "revoked": ("폐기된(revoked) 토큰입니다: 로그아웃했거나 관리자가 취소했습니다.", "token revoked"),
    "refresh_reused": ("이미 사용된 refresh 토큰이 다시 쓰였습니다: 탈취로 보고 이 로그인의 모든 토큰을 폐기했습니다.",
                       "refresh token reuse detected; token family revoked"),
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
    except (UnicodeDecodeError, ValueError):
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


# --- keys -----------------------------------------------------------------------------

@dataclass(frozen=True)
class SigningKey:
    """A key bound to one algorithm. ``signing``: secret/private key; ``verifying``: secret/public key."""

    kid: str
    alg: str
    signing: object = field(repr=False)
    verifying: object = field(repr=False)

    def public_pem(self) -> bytes:
        """The public key as PEM (what a server publishes); HS256 has none."""
        if self.alg == "HS256":
            raise ValueError("HS256 키는 공개 키가 없습니다: 비밀 키 하나로 서명과 검증을 모두 합니다.")
        return self.verifying.public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)


def hmac_key(secret: bytes | str, kid: str = "hs256-1") -> SigningKey:
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    return SigningKey(kid, "HS256", secret, secret)


def generate_keys(algs=ALLOWED_ALGORITHMS) -> dict[str, SigningKey]:
    """Fresh keys for this run, one per algorithm: {'HS256': ..., 'RS256': ..., 'EdDSA': ...}."""
    keys = {}
    for alg in algs:
        if alg == "HS256":
            keys[alg] = hmac_key(secrets.token_bytes(32), "hs256-1")
        elif alg == "RS256":
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            keys[alg] = SigningKey("rs256-1", alg, private, private.public_key())
        elif alg == "EdDSA":
            private = ed25519.Ed25519PrivateKey.generate()
            keys[alg] = SigningKey("ed25519-1", alg, private, private.public_key())
        else:
            raise ValueError(f"지원하지 않는 알고리즘: {alg}")
    return keys


# --- verification ----------------------------------------------------------------------

def _map_pyjwt_error(exc: Exception) -> TokenError:
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


class Verifier:
    """The secure verifier: explicit allow-list, key-bound algorithm, required claims, denylist.

    ``verify(token, expected_type="access")`` returns the claims or raises ``TokenError``.
    ``expected_type=None`` skips the access/refresh check (e.g. for foreign test vectors).
    """

    def __init__(self, keys, issuer: str | None = DEFAULT_ISSUER, audience: str | None = DEFAULT_AUDIENCE,
                 leeway: float = DEFAULT_LEEWAY, require=("exp", "iat", "iss", "aud", "sub", "jti"),
                 allowed=ALLOWED_ALGORITHMS, denylist: "RedisDenylist | None" = None):
        keys = list(keys.values()) if isinstance(keys, dict) else list(keys)
        self.keys = {k.kid: k for k in keys}
        self.issuer, self.audience, self.leeway = issuer, audience, leeway
        self.require = list(require)
        self.allowed = tuple(allowed)
        self.denylist = denylist

    def _key_for(self, header: dict) -> SigningKey:
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self.allowed:
            raise TokenError("alg_not_allowed", f"alg={str(alg)[:20]}")
        kid = header.get("kid")
        if kid is not None:
            if not isinstance(kid, str) or kid not in self.keys:
                raise TokenError("unknown_kid")
            key = self.keys[kid]
            if key.alg != alg:
                raise TokenError("alg_mismatch", f"{alg} ≠ {key.alg}")
            return key
        candidates = [k for k in self.keys.values() if k.alg == alg]
        if len(candidates) != 1:
            raise TokenError("unknown_kid", "kid 없음")
        return candidates[0]

    def verify(self, token, expected_type: str | None = "access", verify_exp: bool = True) -> dict:
        header, _payload, _sig = split_token(token)  # structure first: precise reasons, never a crash
        key = self._key_for(header)
        options = {"require": self.require, "verify_exp": verify_exp,
                   "verify_aud": self.audience is not None, "verify_iss": self.issuer is not None}
        try:
            claims = jwt.decode(token, key.verifying, algorithms=[key.alg], audience=self.audience,
                                issuer=self.issuer, leeway=self.leeway, options=options)
        except jwt.exceptions.PyJWTError as exc:
            raise _map_pyjwt_error(exc) from None
        if expected_type is not None and claims.get("typ") != expected_type:
            raise TokenError("wrong_type", f"{claims.get('typ')!s:.10} ≠ {expected_type}")
        if self.denylist is not None and self.denylist.contains(claims.get("jti", "")):
            raise TokenError("revoked")
        return claims


# --- server state: denylist and refresh families ---------------------------------------

class RedisDenylist:
    """Revoked ``jti``s in Redis, each with TTL = remaining lifetime + leeway (then it is moot)."""

    def __init__(self, client, prefix: str = "sl:deny:", leeway: float = DEFAULT_LEEWAY):
        self.client, self.prefix, self.leeway = client, prefix, leeway

    def add(self, jti: str, exp: float, now: float | None = None) -> int:
        """Deny ``jti`` until it could no longer be accepted; returns the TTL set (0: already moot)."""
        now = time.time() if now is None else now
        ttl = math.ceil(exp + self.leeway - now)
        if ttl <= 0:
            return 0
        self.client.set(self.prefix + jti, "1", ex=ttl)
        return ttl

    def contains(self, jti: str) -> bool:
        return bool(jti) and bool(self.client.exists(self.prefix + jti))

    def ttl(self, jti: str) -> int:
        return int(self.client.ttl(self.prefix + jti))

    def __len__(self) -> int:
        return sum(1 for _ in self.client.scan_iter(self.prefix + "*", count=1000))


_ROTATE = """
local cur = redis.call('HGET', KEYS[1], 'current')
if not cur then return 'missing' end
if redis.call('HGET', KEYS[1], 'revoked') == '1' then return 'revoked' end
if cur ~= ARGV[1] then
  redis.call('HSET', KEYS[1], 'revoked', '1')
  return 'reused'
end
redis.call('HSET', KEYS[1], 'current', ARGV[2])
return 'ok'
"""


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    expires_in: int

    def as_json(self) -> dict:
        return {"access_token": self.access, "refresh_token": self.refresh,
                "token_type": "Bearer", "expires_in": self.expires_in}


class TokenService:
    """Issue, verify, refresh (with rotation and reuse detection) and revoke tokens.

    ``redis``: a redis-py client. Without one there is **no server state at all**:
    logout cannot revoke anything and refresh tokens are refused (the labs show why).
    """

    def __init__(self, keys: dict | None = None, alg: str = "HS256", issuer: str = DEFAULT_ISSUER,
                 audience: str = DEFAULT_AUDIENCE, access_ttl: int = 300, refresh_ttl: int = 3600,
                 leeway: float = DEFAULT_LEEWAY, redis=None, prefix: str = "sl:"):
        self.keys = keys if keys is not None else generate_keys()
        if alg not in self.keys:
            raise ValueError(f"{alg} 키가 없습니다: generate_keys()로 만든 키를 주세요.")
        self.alg, self.issuer, self.audience = alg, issuer, audience
        self.access_ttl, self.refresh_ttl, self.leeway = access_ttl, refresh_ttl, leeway
        self.redis, self.prefix = redis, prefix
        self.denylist = RedisDenylist(redis, prefix + "deny:", leeway) if redis is not None else None
        self.verifier = Verifier(self.keys, issuer, audience, leeway, denylist=self.denylist)
        self._rotate = redis.register_script(_ROTATE) if redis is not None else None

    # -- issuing --
    def issue(self, sub: str, typ: str = "access", ttl: int | None = None, alg: str | None = None,
              now: float | None = None, **claims) -> str:
        """A signed token. ``now`` lets a lab issue a token in the past (e.g. an expired one)."""
        key = self.keys[alg or self.alg]
        now = int(time.time() if now is None else now)
        ttl = (self.access_ttl if typ == "access" else self.refresh_ttl) if ttl is None else ttl
        payload = {"iss": self.issuer, "aud": self.audience, "sub": str(sub), "iat": now, "nbf": now,
                   "exp": now + int(ttl), "jti": secrets.token_urlsafe(16), "typ": typ, **claims}
        return jwt.encode(payload, key.signing, algorithm=key.alg, headers={"kid": key.kid})

    def verify(self, token, expected_type: str | None = "access") -> dict:
        return self.verifier.verify(token, expected_type)

    def _family_key(self, fam: str) -> str:
        return f"{self.prefix}fam:{fam}"

    def _need_redis(self) -> None:
        if self.redis is None:
            raise TokenError("invalid", "서버 상태(Redis) 없이는 refresh 토큰을 추적할 수 없습니다")

    def _pair(self, sub: str, fam: str, role: str, now: float | None) -> tuple[TokenPair, dict, dict]:
        access = self.issue(sub, "access", role=role, fam=fam, now=now)
        refresh = self.issue(sub, "refresh", role=role, fam=fam, now=now)
        a = jwt.decode(access, options={"verify_signature": False})
        r = jwt.decode(refresh, options={"verify_signature": False})
        return TokenPair(access, refresh, self.access_ttl), a, r

    def _remember(self, fam: str, *claims: dict) -> None:
        key = self._family_key(fam)
        pipe = self.redis.pipeline()
        for c in claims:
            pipe.hset(key + ":jtis", c["jti"], c["exp"])
        pipe.expire(key, self.refresh_ttl + int(self.leeway) + 1)
        pipe.expire(key + ":jtis", self.refresh_ttl + int(self.leeway) + 1)
        pipe.execute()

    def login(self, sub: str, role: str = "user", now: float | None = None) -> TokenPair:
        """A new token family: an access token and a refresh token."""
        self._need_redis()
        fam = secrets.token_urlsafe(16)
        pair, a, r = self._pair(sub, fam, role, now)
        self.redis.hset(self._family_key(fam), mapping={"sub": sub, "current": r["jti"], "revoked": "0"})
        self._remember(fam, a, r)
        return pair

    def refresh(self, refresh_token: str) -> TokenPair:
        """Rotate: the presented refresh token is spent and a new pair issued.

        A refresh token presented a second time means two parties hold it (the user
        and a thief): the whole family is revoked and ``refresh_reused`` raised.
        """
        self._need_redis()
        claims = self.verifier.verify(refresh_token, expected_type="refresh")
        fam = claims.get("fam")
        if not isinstance(fam, str):
            raise TokenError("missing_claim", "fam")
        new_pair, a, r = self._pair(claims["sub"], fam, claims.get("role", "user"), None)
        outcome = self._rotate(keys=[self._family_key(fam)], args=[claims["jti"], r["jti"]])
        if outcome == "ok":
            self._remember(fam, a, r)
            return new_pair
        if outcome == "reused":
            self.revoke_family(fam)
            raise TokenError("refresh_reused")
        raise TokenError("revoked")

    # -- revoking --
    def revoke(self, token_or_claims) -> int:
        """Deny one token by ``jti`` (logout); returns the TTL set in Redis."""
        if self.denylist is None:
            return 0  # nothing to write to: the token stays valid until it expires
        claims = token_or_claims if isinstance(token_or_claims, dict) else \
            self.verifier.verify(token_or_claims, expected_type=None)
        return self.denylist.add(claims["jti"], claims["exp"])

    def revoke_family(self, fam: str) -> int:
        """Deny every still-valid token issued in a login family; returns how many."""
        self._need_redis()
        key = self._family_key(fam)
        self.redis.hset(key, "revoked", "1")
        count = 0
        for jti, exp in self.redis.hgetall(key + ":jtis").items():
            count += bool(self.denylist.add(jti, float(exp)))
        return count

    def logout(self, access_token: str, refresh_token: str | None = None) -> int:
        """Revoke the access token and, through its family, every token of this login."""
        claims = self.verifier.verify(access_token, expected_type="access")
        if self.redis is None:
            return 0
        fam = claims.get("fam")
        return self.revoke_family(fam) if isinstance(fam, str) else bool(self.revoke(claims))


# --- ⚠️ VULNERABLE -----------------------------------------------------------------------

FLAWS = {
    "no_signature": "서명을 검증하지 않고 디코드만 함 (jwt.decode(..., verify_signature=False))",
    "alg_none": "헤더의 alg: none을 '서명 없음'으로 받아들임",
    "alg_from_header": "헤더의 alg로 검증 방식을 고름: RS256 공개 키를 HS256 비밀로 써 버림 (알고리즘 혼동)",
    "no_exp": "exp(만료)를 확인하지 않음",
    "kid_path": "kid를 키 파일 경로로 그대로 씀 (경로 조작, path traversal)",
}


class VulnerableVerifier:
    """⚠️ VULNERABLE — for the attack labs only. Never use this pattern.

    A hand-written verifier of the kind old libraries and many apps had. Each
    entry of ``flaws`` (see ``FLAWS``) switches on one real mistake; everything
    else is checked correctly, so an attack that succeeds shows exactly which
    mistake it needs. The key files for ``kid_path`` live in a temporary folder
    that is removed with the verifier.
    """

    VULNERABLE = True

    def __init__(self, keys, flaws=tuple(FLAWS), issuer: str = DEFAULT_ISSUER,
                 audience: str = DEFAULT_AUDIENCE):
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
            data = k.signing if k.alg == "HS256" else k.public_pem()
            with open(os.path.join(self.key_dir, k.kid), "wb") as f:
                f.write(data)

    def _key_material(self, header: dict) -> tuple[bytes, str]:
        kid = header.get("kid")
        if "kid_path" in self.flaws and isinstance(kid, str):
            # VULNERABLE: no check that the path stays inside key_dir.
            with open(os.path.join(self.key_dir, kid), "rb") as f:
                data = f.read()
            return data, header.get("alg") if "alg_from_header" in self.flaws else "HS256"
        if kid not in self.keys:
            raise TokenError("unknown_kid")
        key = self.keys[kid]
        data = key.signing if key.alg == "HS256" else key.public_pem()
        alg = header.get("alg") if "alg_from_header" in self.flaws else key.alg
        return data, alg

    def verify(self, token, expected_type: str | None = "access") -> dict:
        header, payload, signature = split_token(token)
        if "no_signature" in self.flaws:
            claims = payload  # VULNERABLE: decoded, never verified
        elif header.get("alg") == "none" and "alg_none" in self.flaws:
            claims = payload  # VULNERABLE: "no algorithm, nothing to check"
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
                try:
                    claims = jwt.decode(token, material, algorithms=[alg],
                                        options={"verify_exp": False, "verify_aud": False,
                                                 "verify_iss": False, "verify_iat": False,
                                                 "verify_nbf": False})
                except jwt.exceptions.PyJWTError as exc:
                    raise _map_pyjwt_error(exc) from None
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
