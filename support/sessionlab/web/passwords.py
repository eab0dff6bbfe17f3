"""Password hashing for the login labs: scrypt from the standard library, compared in constant time.

Stored form: ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`` (the parameters travel
with the hash, so they can be raised later and old hashes still verify).

The labs use n=2**14, r=8, p=1 (16 MiB, about 40 ms on a small VM) so that a
notebook can log in a few dozen times in seconds: lab-only parameters. OWASP's Password
Storage Cheat Sheet asks for at least n=2**17, r=8, p=1 in production
(``hash_password(pw, n=OWASP_N)``, 128 MiB per hash), and ranks the algorithms:
Argon2id first (``OWASP_ARGON2ID``: m=19 MiB, t=2, p=1), then scrypt (``OWASP_SCRYPT``),
bcrypt for legacy systems (inputs are cut at ``BCRYPT_MAX_BYTES`` = 72 bytes), PBKDF2
(``OWASP_PBKDF2_SHA256_ITERATIONS``) where FIPS-140 compliance is required.

``fast_sha256`` exists only to show why a fast hash is wrong for passwords.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import time

__all__ = [
    "hash_password",
    "verify_password",
    "account_hashes",
    "dummy_hash",
    "hash_rate",
    "fast_sha256",
    "scrypt_memory_bytes",
    "LAB_N",
    "OWASP_N",
    "OWASP_SCRYPT",
    "OWASP_ARGON2ID",
    "OWASP_PBKDF2_SHA256_ITERATIONS",
    "BCRYPT_MAX_BYTES",
]

LAB_N = 2**14  # lab-only: fast enough for dozens of logins per notebook
OWASP_N = 2**17
_R, _P = 8, 1
# OWASP Password Storage Cheat Sheet (minimum configurations), in its order of preference.
OWASP_ARGON2ID = {"memory_kib": 19 * 1024, "time_cost": 2, "parallelism": 1}
OWASP_SCRYPT = {"n": OWASP_N, "r": 8, "p": 1}
OWASP_PBKDF2_SHA256_ITERATIONS = 600_000
BCRYPT_MAX_BYTES = 72


def scrypt_memory_bytes(n: int, r: int = _R) -> int:
    """scrypt's big working array V: 128 * r * n bytes (RFC 7914), whatever p (its lanes reuse it)."""
    return 128 * r * n


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32
    )


def hash_password(password: str, n: int = LAB_N) -> str:
    """A salted scrypt hash (16 random bytes of salt per password)."""
    if not isinstance(password, str):
        raise TypeError("비밀번호는 문자열이어야 합니다.")
    salt = os.urandom(16)
    return f"scrypt${n}${_R}${_P}${_b64(salt)}${_b64(_scrypt(password, salt, n, _R, _P))}"


def verify_password(password: str, stored: str) -> bool:
    """Recompute and compare with ``hmac.compare_digest`` (time does not depend on where bytes differ)."""
    try:
        algo, n, r, p, salt, digest = stored.split("$")
        if algo != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = _scrypt(
            password if isinstance(password, str) else "", base64.b64decode(salt), int(n), int(r), int(p)
        )
    except (ValueError, TypeError, AttributeError):
        return False
    return hmac.compare_digest(got, expected)


@functools.lru_cache(maxsize=1024)
def _account_hash(username: str, password: str, n: int) -> str:
    return hash_password(password, n=n)


def account_hashes(users: dict[str, str], n: int = LAB_N) -> dict[str, str]:
    """Stored hashes for a lab's ready-made accounts, hashed once per process and user.

    The accounts stand for users who signed up long ago: their hashes sit in the database and
    nobody pays scrypt for them again. Every app a notebook or a test builds reuses them (a
    fresh dict each time); each user still has a salt of their own, and logins still verify.
    """
    return {u: _account_hash(u, p, n) for u, p in users.items()}


def dummy_hash(n: int = LAB_N) -> str:
    """A hash of a random password: verify an unknown user against it, so it costs the same time.

    One per process and cost: it only has to cost what a real verification costs. (The cache is
    keyed on ``n`` alone: ``lru_cache`` would keep ``dummy_hash(n=x)`` and ``dummy_hash(x)`` apart.)
    """
    return _dummy_hash(n)


@functools.lru_cache(maxsize=16)
def _dummy_hash(n: int) -> str:
    return hash_password(base64.b64encode(os.urandom(18)).decode(), n=n)


def fast_sha256(password: str, salt: bytes = b"") -> bytes:
    """⚠️ 비밀번호에 쓰면 안 되는 빠른 해시 (for comparison only)."""
    return hashlib.sha256(salt + password.encode("utf-8")).digest()


def hash_rate(fn, seconds: float = 0.3, min_calls: int = 3, clock=time.perf_counter) -> float:
    """Calls of ``fn()`` per second on one core, measured for about ``seconds``.

    The time is split into rounds (at least ``min_calls`` and two, one call or more each)
    and the fastest round counts, as ``timeit`` advises: a slower round is another
    process holding the CPU, not ``fn`` being slower.
    """
    best, rounds = 0.0, 0
    start = clock()
    while True:
        round_calls, round_start = 0, clock()
        while True:
            fn()
            round_calls += 1
            round_elapsed = clock() - round_start
            if round_elapsed >= seconds / 5:
                break
        best = max(best, round_calls / round_elapsed)
        rounds += 1
        if clock() - start >= seconds and rounds >= max(2, min_calls):
            return best
