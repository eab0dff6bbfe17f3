"""OWASP's password-storage settings and scrypt's memory formula."""

import hashlib

import pytest

from sessionlab.web import passwords


def test_owasp_settings():
    assert passwords.OWASP_SCRYPT == {"n": 2**17, "r": 8, "p": 1}
    assert passwords.OWASP_ARGON2ID == {"memory_kib": 19456, "time_cost": 2, "parallelism": 1}
    assert passwords.OWASP_PBKDF2_SHA256_ITERATIONS == 600_000 and passwords.BCRYPT_MAX_BYTES == 72
    assert passwords.LAB_N < passwords.OWASP_N


def test_scrypt_memory_formula_matches_hashlib_limit():
    need = passwords.scrypt_memory_bytes(2**12, 8)
    assert need == 4 * 2**20
    with pytest.raises(ValueError):
        hashlib.scrypt(b"pw", salt=b"s" * 16, n=2**12, r=8, p=1, maxmem=need // 2)
    hashlib.scrypt(b"pw", salt=b"s" * 16, n=2**12, r=8, p=1, maxmem=need + 2**20)
