"""OWASP's password-storage settings, scrypt's memory formula, and how a guess rate is measured."""

import hashlib

import pytest

from sessionlab.web import passwords
from sessionlab.web.stores import FakeClock


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


def test_ready_made_accounts_are_hashed_once_per_process_each_with_its_own_salt(monkeypatch):
    passwords._account_hash.cache_clear()
    calls = []
    real = passwords._scrypt
    monkeypatch.setattr(passwords, "_scrypt", lambda *a: calls.append(a[0]) or real(*a))
    users = {"ann-once": "same-pw", "bob-once": "same-pw"}
    first = passwords.account_hashes(users, n=2**10)
    assert sorted(calls) == ["same-pw", "same-pw"]
    second = passwords.account_hashes(users, n=2**10)  # a second app with the same accounts
    assert second == first and second is not first and len(calls) == 2  # no scrypt paid again
    assert first["ann-once"] != first["bob-once"]  # same password, different salts
    assert all(passwords.verify_password("same-pw", h) for h in first.values())
    assert passwords.dummy_hash(n=2**10) == passwords.dummy_hash(n=2**10) != first["ann-once"]
    assert passwords.dummy_hash(2**10) == passwords.dummy_hash(n=2**10)  # one hash however it is asked for


def test_a_stall_from_another_process_does_not_lower_the_rate():
    clock, calls = FakeClock(start=0.0), []  # time moves only when the function says so

    def sha_like():  # 1 µs a call; the 50th waits 0.5 s for the CPU, as under a loaded machine
        calls.append(1)
        clock.advance(0.5 if len(calls) == 50 else 1e-6)

    rate = passwords.hash_rate(sha_like, seconds=0.01, clock=clock)
    assert rate == pytest.approx(1e6)  # all calls / all time would be about 2e4
    assert len(calls) > 50  # the stall happened inside the measurement


def test_slow_functions_get_at_least_min_calls():
    clock, calls = FakeClock(start=0.0), []  # time moves only when the function says so

    def kdf_like():  # 0.2 s a call: longer than a whole round
        calls.append(1)
        clock.advance(0.2)

    assert passwords.hash_rate(kdf_like, seconds=0.01, min_calls=3, clock=clock) == pytest.approx(5)
    assert len(calls) == 3
