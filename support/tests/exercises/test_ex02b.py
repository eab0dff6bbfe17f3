"""Checkers of notebook 02b (ex02b) accept the solutions and reject typical mistakes."""

import base64
import datetime
import hashlib
import itertools
import os
import random
import secrets
import string
import time
import uuid

import pytest

from sessionlab.exercises import ex02b as c


def test_entropy_and_guess_years():
    assert c.check_entropy((128, 26.6))
    wrong = c.check_entropy((22 * 6, 26.6))  # characters × 6 instead of bytes × 8
    assert not wrong and "16바이트" in wrong.message
    wrong = c.check_entropy((128, 8))  # digits instead of log2(10**8)
    assert not wrong and "26.6" in wrong.message
    assert not c.check_entropy(128)
    assert c.check_guess_years(292.47)
    assert not c.check_guess_years(585) and not c.check_guess_years(292.47 * 365)
    assert "2로" in c.check_guess_years(585).message  # forgot to halve
    assert "공식" in c.check_guess_years(1000).message


def _counter():
    state = {"n": 1000}

    def make():
        state["n"] += 1
        return str(state["n"])

    return make


_MT = random.Random()  # a private instance, untouched by random.seed
_RANDOM_START = itertools.count(secrets.randbits(64))  # a counter is a counter, wherever it starts


PREDICTABLE = {
    "counter": (_counter(), "순서대로"),
    "time ms": (lambda: str(time.time_ns()), "시계"),
    "md5 of time": (lambda: hashlib.md5(str(time.time()).encode()).hexdigest(), "시계"),
    "sha256 of time and user": (lambda: hashlib.sha256(f"alice:{time.time()}".encode()).hexdigest(), "시계"),
    "md5 of datetime": (lambda: hashlib.md5(str(datetime.datetime.now()).encode()).hexdigest(), "시계"),
    "sha1 of uuid1": (lambda: hashlib.sha1(uuid.uuid1().bytes).hexdigest(), "시계"),
    "uuid1": (lambda: str(uuid.uuid1()), "uuid1"),
    "uuid1 hex": (lambda: uuid.uuid1().hex, "uuid1"),
    "datetime": (lambda: datetime.datetime.now().isoformat(timespec="microseconds"), "시계"),
    "counter with a random start": (lambda: f"{next(_RANDOM_START):x}", "순서대로"),
    "random module": (lambda: f"{random.getrandbits(128):032x}", "random"),
    "random choices": (lambda: "".join(random.choices(string.ascii_letters, k=32)), "random"),
    "private Random instance": (lambda: f"{_MT.getrandbits(128):032x}", "random"),
    "too short": (lambda: secrets.token_hex(4), "짧습니다"),
    "8 digits": (lambda: f"{secrets.randbelow(10**8):08d}", "짧습니다"),
}


@pytest.mark.parametrize("name", list(PREDICTABLE))
def test_session_id_function_rejects_predictable_generators(name):
    make, hint = PREDICTABLE[name]
    verdict = c.check_session_id_function(make)
    assert not verdict, name
    assert hint in verdict.message, (name, verdict.message)


def test_short_ids_that_repeat_are_told_both_why():
    # 1,000 possible ids drawn 2,000 times always repeat; 8 digits repeat in about 2 % of checks.
    verdict = c.check_session_id_function(lambda: f"{secrets.randbelow(1000):03d}")
    assert not verdict and "겹치는" in verdict.message and "짧습니다" in verdict.message


def test_session_id_function_rejects_hash_of_a_counter_and_bad_types():
    counter = itertools.count()
    verdict = c.check_session_id_function(lambda: hashlib.sha256(str(next(counter)).encode()).hexdigest())
    assert not verdict and "순번" in verdict.message
    assert not c.check_session_id_function(lambda: uuid.uuid4())  # a UUID object, not a string
    assert "오류" in c.check_session_id_function(lambda: 1 / 0).message
    assert not c.check_session_id_function("secrets.token_urlsafe(32)")


@pytest.mark.parametrize(
    "make",
    [
        lambda: secrets.token_urlsafe(32),
        lambda: secrets.token_urlsafe(16),
        lambda: secrets.token_hex(16),
        lambda: os.urandom(16).hex(),
        lambda: base64.urlsafe_b64encode(os.urandom(24)).decode(),
        lambda: f"{random.SystemRandom().getrandbits(128):032x}",
        lambda: str(uuid.uuid4()),
    ],
)
def test_session_id_function_accepts_csprng_ids(make):
    assert c.check_session_id_function(make)


def test_session_id_check_leaves_clock_and_random_as_they_were():
    state = random.getstate()
    c.check_session_id_function(lambda: secrets.token_hex(16))
    assert random.getstate() == state
    before = time.time()
    time.sleep(0.01)
    assert time.time() > before


def test_id_entropy():
    assert c.check_id_entropy((160, 51.7))
    chars = c.check_id_entropy((320, 51.7))  # 40 hex characters × 8
    assert not chars and "4비트" in chars.message
    length = c.check_id_entropy((80, 51.7))  # 20 read as characters × 4
    assert not length and "바이트" in length.message
    bytes_for_chars = c.check_id_entropy((160, 80))  # 10 characters × 8
    assert not bytes_for_chars and "log2(36)" in bytes_for_chars.message
    assert not c.check_id_entropy(160) and not c.check_id_entropy(("160", 51.7))
    assert not c.check_id_entropy(...)


def test_guess_years_with_a_strong_attacker():
    right = 2**64 / (2 * 10**6 * 10**6) / (365 * 24 * 3600)  # ≈ 0.29 years
    verdict = c.check_guess_years(right, sessions=10**6, rate=10**6)
    assert verdict and "일" in verdict.message
    seconds = c.check_guess_years(right * 365 * 24 * 3600, sessions=10**6, rate=10**6)
    assert not seconds and "초로" in seconds.message
    no_half = c.check_guess_years(2 * right, sessions=10**6, rate=10**6)
    assert not no_half and "2로" in no_half.message
    one_session = c.check_guess_years(right * 10**6, sessions=10**6, rate=10**6)
    assert not one_session and "세션 수" in one_session.message
    assert not c.check_guess_years("0.29년", sessions=10**6, rate=10**6)
