"""Session-id generators: the VULNERABLE ones really are predictable, the secure one is not."""

import math

import pytest

from sessionlab.web.ids import (
    HashIds,
    RandomModuleIds,
    SequentialIds,
    TimeIds,
    clone_mt_from_ids,
    entropy_bits,
    expected_guess_seconds,
    hash_id,
    ids_needed_for_mt,
    secure_ids,
    untemper,
)
from sessionlab.web.stores import FakeClock


def _temper(y):
    y ^= y >> 11
    y ^= (y << 7) & 0x9D2C5680
    y ^= (y << 15) & 0xEFC60000
    return y ^ (y >> 18)


def test_untemper_inverts_tempering():
    import random

    words = [random.getrandbits(32) for _ in range(1000)] + [0, 2**32 - 1]
    assert all(untemper(_temper(w)) == w for w in words)


def test_clone_predicts_random_module_ids():
    gen = RandomModuleIds()
    seen = [gen() for _ in range(ids_needed_for_mt())]
    assert ids_needed_for_mt() == 156
    clone = clone_mt_from_ids(seen)
    assert [f"{clone.getrandbits(128):032x}" for _ in range(5)] == [gen() for _ in range(5)]
    with pytest.raises(ValueError):
        clone_mt_from_ids(seen[:100])


def test_simple_schemes_are_predictable():
    seq = SequentialIds(start=7)
    assert [seq(), seq()] == ["7", "8"]
    clock = FakeClock(1_700_000_000.25)
    assert TimeIds(clock)() == "1700000000250"
    assert HashIds(clock)("alice") == hash_id("alice", 1_700_000_000)


def test_secure_ids_and_arithmetic():
    ids = {secure_ids() for _ in range(2000)}
    assert len(ids) == 2000 and {len(i) for i in ids} == {43}
    assert entropy_bits(64, 43) == 258
    assert entropy_bits(16, 32) == 128
    # OWASP's example: 64 bits, 10,000 guesses/s, 100,000 live sessions → about 292 years
    years = expected_guess_seconds(64, 100_000, 10_000) / (365 * 24 * 3600)
    assert math.isclose(years, 292.47, rel_tol=0.01)
