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

The token format by hand (base64url, ``split_token``, ``encode_unsigned``) and
``TokenError`` live in ``sessionlab.web.token_format``; the ``VulnerableVerifier``,
**VULNERABLE on purpose** (it repeats, one flaw at a time, the mistakes real
libraries and apps made; attack labs only), in ``sessionlab.web.tokens_vulnerable``.
The names the notebooks and labs use are importable from here too.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass, field

import jwt
import jwt.types
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from sessionlab.web.token_format import (
    DEFAULT_AUDIENCE,
    DEFAULT_ISSUER,
    DEFAULT_LEEWAY,
    TokenError,
    b64url_decode,
    b64url_encode,
    encode_unsigned,
    map_pyjwt_error,
    split_token,
)
from sessionlab.web.token_state import FAST_FAIL, REVOKE_SCRIPT, ROTATE_SCRIPT, RedisDenylist, TokenPair
from sessionlab.web.tokens_vulnerable import FLAWS, VulnerableVerifier

__all__ = [
    "ALLOWED_ALGORITHMS",
    "TOKEN_TYPES",
    "TokenError",
    "SigningKey",
    "generate_keys",
    "hmac_key",
    "b64url_encode",
    "b64url_decode",
    "split_token",
    "encode_unsigned",
    "Verifier",
    "RedisDenylist",
    "TokenPair",
    "TokenService",
    "FAST_FAIL",
    "VulnerableVerifier",
    "FLAWS",
]

ALLOWED_ALGORITHMS = ("HS256", "RS256", "EdDSA")
# Explicit typing (RFC 8725 §3.11): the header's ``typ`` says what a token is for, so a token of
# one kind can never pass as another. ``at+jwt`` is the access-token type of RFC 9068 §2.1;
# ``rt+jwt`` is this course's own type for refresh tokens (no registered one exists).
TOKEN_TYPES = {"access": "at+jwt", "refresh": "rt+jwt"}

# What a SigningKey holds: the HS256 secret itself, or a private/public key pair.
SigningMaterial = bytes | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
VerifyingMaterial = bytes | rsa.RSAPublicKey | ed25519.Ed25519PublicKey


# --- keys -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningKey:
    """A key bound to one algorithm. ``signing``: secret/private key; ``verifying``: secret/public key."""

    kid: str
    alg: str
    signing: SigningMaterial = field(repr=False)
    verifying: VerifyingMaterial = field(repr=False)

    def public_pem(self) -> bytes:
        """The public key as PEM (what a server publishes); HS256 has none."""
        if self.alg == "HS256":
            raise ValueError("HS256 키는 공개 키가 없습니다: 비밀 키 하나로 서명과 검증을 모두 합니다.")
        assert not isinstance(self.verifying, bytes), self.alg  # RS256/EdDSA: a public key
        return self.verifying.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


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
            rsa_private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            keys[alg] = SigningKey("rs256-1", alg, rsa_private, rsa_private.public_key())
        elif alg == "EdDSA":
            ed_private = ed25519.Ed25519PrivateKey.generate()
            keys[alg] = SigningKey("ed25519-1", alg, ed_private, ed_private.public_key())
        else:
            raise ValueError(f"지원하지 않는 알고리즘: {alg}")
    return keys


# --- verification ----------------------------------------------------------------------


class Verifier:
    """The secure verifier: explicit allow-list, key-bound algorithm, required claims, denylist.

    ``verify(token, expected_type="access")`` returns the claims or raises ``TokenError``.
    ``expected_type=None`` skips the access/refresh check (e.g. for foreign test vectors).
    """

    def __init__(
        self,
        keys,
        issuer: str | None = DEFAULT_ISSUER,
        audience: str | None = DEFAULT_AUDIENCE,
        leeway: float = DEFAULT_LEEWAY,
        require=("exp", "iat", "iss", "aud", "sub", "jti"),
        allowed=ALLOWED_ALGORITHMS,
        denylist: RedisDenylist | None = None,
    ):
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

    @staticmethod
    def _check_type(header: dict, claims: dict, expected_type: str) -> None:
        """Explicit typing (RFC 8725 §3.11, RFC 9068 §4): the signed header's ``typ`` and the ``typ`` claim."""
        want = TOKEN_TYPES.get(expected_type)
        got = header.get("typ")
        if isinstance(got, str) and got.lower().startswith("application/"):
            got = got[len("application/") :]
        if want is not None and (not isinstance(got, str) or got.lower() != want):
            raise TokenError("wrong_type", f"typ={str(got)[:12]} ≠ {want}")
        if claims.get("typ") != expected_type:
            raise TokenError("wrong_type", f"{claims.get('typ')!s:.10} ≠ {expected_type}")

    def verify(self, token, expected_type: str | None = "access", verify_exp: bool = True) -> dict:
        header, _payload, _sig = split_token(token)  # structure first: precise reasons, never a crash
        key = self._key_for(header)
        options: jwt.types.Options = {
            "require": self.require,
            "verify_exp": verify_exp,
            "verify_aud": self.audience is not None,
            "verify_iss": self.issuer is not None,
        }
        try:
            claims = jwt.decode(
                token,
                key.verifying,
                algorithms=[key.alg],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options=options,
            )
        except jwt.exceptions.PyJWTError as exc:
            raise map_pyjwt_error(exc) from None
        if expected_type is not None:
            self._check_type(header, claims, expected_type)
        if self.denylist is not None and self.denylist.contains(claims.get("jti", "")):
            raise TokenError("revoked")
        return claims


# --- server state: denylist and refresh families ---------------------------------------


class TokenService:
    """Issue, verify, refresh (with rotation and reuse detection) and revoke tokens.

    ``redis``: a redis-py client, or a lab Redis server (``start_redis(...)``), for which the
    service makes its own client that gives up fast (0.5 s socket timeouts, one quick retry):
    an outage becomes a ``redis.ConnectionError`` in about a second, which the app answers
    503 (``sessionlab.web.outage``), instead of redis-py's default retries taking seconds.
    Without one there is **no server state at all**: logout cannot revoke anything and
    refresh tokens are refused (the labs show why).
    """

    def __init__(
        self,
        keys: dict | None = None,
        alg: str = "HS256",
        issuer: str = DEFAULT_ISSUER,
        audience: str = DEFAULT_AUDIENCE,
        access_ttl: int = 300,
        refresh_ttl: int = 3600,
        leeway: float = DEFAULT_LEEWAY,
        redis=None,
        prefix: str = "sl:",
        max_age: int = 8 * 3600,
    ):
        self.keys = keys if keys is not None else generate_keys()
        if alg not in self.keys:
            raise ValueError(f"{alg} 키가 없습니다: generate_keys()로 만든 키를 주세요.")
        self.alg, self.issuer, self.audience = alg, issuer, audience
        self.access_ttl, self.refresh_ttl, self.leeway = access_ttl, refresh_ttl, leeway
        if (
            redis is not None
            and not hasattr(redis, "register_script")
            and callable(getattr(redis, "client", None))
        ):
            redis = redis.client(**FAST_FAIL)  # a lab server: a client that gives up within ~1 s
        self.redis, self.prefix = redis, prefix
        self.max_age = max_age  # absolute lifetime of a login (a family), like a session's 8-hour timeout
        self.denylist = RedisDenylist(redis, prefix + "deny:", leeway) if redis is not None else None
        self.verifier = Verifier(self.keys, issuer, audience, leeway, denylist=self.denylist)
        self._rotate = redis.register_script(ROTATE_SCRIPT) if redis is not None else None
        self._revoke = redis.register_script(REVOKE_SCRIPT) if redis is not None else None

    # -- issuing --
    def issue(
        self,
        sub: str,
        typ: str = "access",
        ttl: int | None = None,
        alg: str | None = None,
        now: float | None = None,
        **claims,
    ) -> str:
        """A signed token. ``now`` lets a lab issue a token in the past (e.g. an expired one)."""
        key = self.keys[alg or self.alg]
        now = int(time.time() if now is None else now)
        ttl = (self.access_ttl if typ == "access" else self.refresh_ttl) if ttl is None else ttl
        payload = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(sub),
            "iat": now,
            "nbf": now,
            "exp": now + int(ttl),
            "jti": secrets.token_urlsafe(16),
            "typ": typ,
            **claims,
        }
        headers = {"kid": key.kid, "typ": TOKEN_TYPES.get(typ, "JWT")}  # explicit typing (RFC 8725 §3.11)
        return jwt.encode(payload, key.signing, algorithm=key.alg, headers=headers)

    def verify(self, token, expected_type: str | None = "access") -> dict:
        return self.verifier.verify(token, expected_type)

    def _family_key(self, fam: str) -> str:
        return f"{self.prefix}fam:{fam}"

    def _need_redis(self) -> None:
        if self.redis is None:
            raise TokenError("invalid", "서버 상태(Redis) 없이는 refresh 토큰을 추적할 수 없습니다")

    def _pair(
        self, sub: str, fam: str, role: str, now: float, auth_time: float
    ) -> tuple[TokenPair, dict, dict]:
        """A new pair; the refresh token never outlives the login's absolute lifetime (``max_age``)."""
        refresh_ttl = max(1, min(self.refresh_ttl, int(auth_time + self.max_age - now)))
        access = self.issue(sub, "access", role=role, fam=fam, now=now)
        refresh = self.issue(sub, "refresh", ttl=refresh_ttl, role=role, fam=fam, now=now)
        a = jwt.decode(access, options={"verify_signature": False})
        r = jwt.decode(refresh, options={"verify_signature": False})
        return TokenPair(access, refresh, self.access_ttl), a, r

    def login(self, sub: str, role: str = "user", now: float | None = None) -> TokenPair:
        """A new token family: an access token and a refresh token, recorded in one transaction.

        The family remembers its login time (``auth_time``) and expires from Redis when its
        last refresh token would (``EXPIRE`` = refresh ``exp`` + leeway).
        """
        self._need_redis()
        now = int(time.time() if now is None else now)
        fam = secrets.token_urlsafe(16)
        pair, a, r = self._pair(sub, fam, role, now, now)
        key, ttl = self._family_key(fam), max(1, math.ceil(r["exp"] + self.leeway - time.time()))
        pipe = self.redis.pipeline(transaction=True)  # MULTI … EXEC: all or nothing
        pipe.hset(key, mapping={"sub": sub, "current": r["jti"], "revoked": "0", "auth_time": now})
        pipe.hset(key + ":jtis", mapping={a["jti"]: a["exp"], r["jti"]: r["exp"]})
        pipe.expire(key, ttl)
        pipe.expire(key + ":jtis", ttl)
        pipe.execute()
        return pair

    def refresh(self, refresh_token: str, role_of=None) -> TokenPair:
        """Rotate: the presented refresh token is spent and a new pair issued.

        A refresh token presented a second time means two parties hold it (the user
        and a thief): the whole family is revoked and ``refresh_reused`` raised — checked,
        rotated and revoked in one Redis script, so parallel reuses cannot slip through.
        A login older than ``max_age`` is refused (``login_expired``). ``role_of(sub)``
        re-reads the account: the new tokens carry today's role, and ``None`` (a deleted
        or disabled account) revokes the family (``account_gone``).
        """
        self._need_redis()
        assert self._rotate is not None  # registered with the Redis client
        claims = self.verifier.verify(refresh_token, expected_type="refresh")
        fam, sub = claims.get("fam"), claims["sub"]
        if not isinstance(fam, str):
            raise TokenError("missing_claim", "fam")
        now = time.time()
        auth_time = self.redis.hget(self._family_key(fam), "auth_time")
        if auth_time is None:
            raise TokenError("revoked", "로그인 기록(family)이 없습니다")
        if now > float(auth_time) + self.max_age:
            self.revoke_family(fam)
            raise TokenError("login_expired")
        role = claims.get("role", "user")
        if role_of is not None:
            role = role_of(sub)
            if role is None:
                self.revoke_family(fam)
                raise TokenError("account_gone")
        new_pair, a, r = self._pair(sub, fam, role, now, float(auth_time))
        key = self._family_key(fam)
        outcome = self._rotate(
            keys=[key, key + ":jtis"],
            args=[now, self.leeway, self.denylist.prefix if self.denylist is not None else "", claims["jti"]]
            + [r["jti"], r["exp"], a["jti"], a["exp"]],
        )
        if outcome == "ok":
            return new_pair
        if outcome == "reused":
            raise TokenError("refresh_reused")
        raise TokenError("revoked")

    # -- revoking --
    def revoke(self, token_or_claims) -> int:
        """Deny one token by ``jti`` (logout); returns the TTL set in Redis."""
        if self.denylist is None:
            return 0  # nothing to write to: the token stays valid until it expires
        claims = (
            token_or_claims
            if isinstance(token_or_claims, dict)
            else self.verifier.verify(token_or_claims, expected_type=None)
        )
        return self.denylist.add(claims["jti"], claims["exp"])

    def revoke_family(self, fam: str) -> int:
        """Deny every still-valid token issued in a login family (one atomic script); returns how many."""
        self._need_redis()
        assert self.denylist is not None and self._revoke is not None  # made with the Redis client
        key = self._family_key(fam)
        return int(
            self._revoke(keys=[key, key + ":jtis"], args=[time.time(), self.leeway, self.denylist.prefix])
        )

    def logout(self, access_token: str | None = None, refresh_token: str | None = None) -> int:
        """Revoke every token of this login (its family); returns how many were denied.

        Either token will do, and an *expired* one too (its signature is still checked):
        a user idle past the access token's 5 minutes must still be able to log out.
        """
        fams, last_error = set(), None
        for token, typ in ((access_token, "access"), (refresh_token, "refresh")):
            if not token:
                continue
            try:
                claims = self.verifier.verify(token, expected_type=typ, verify_exp=False)
            except TokenError as exc:
                last_error = exc
                continue
            if self.redis is None:
                return 0
            fam = claims.get("fam")
            if isinstance(fam, str):
                fams.add(fam)
            else:
                return int(bool(self.revoke(claims)))
        if not fams:
            raise last_error or TokenError("missing")
        return sum(self.revoke_family(fam) for fam in sorted(fams))
