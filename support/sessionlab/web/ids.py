"""Session-id generators, good and ⚠️ VULNERABLE, and the attacks on the bad ones.

Each generator is a callable ``gen(username) -> str`` (the username only matters
to the hash-of-user-and-time scheme). ``secure_ids`` is what a real app uses;
the others are VULNERABLE on purpose, for notebook 02b:

* ``SequentialIds``  1001, 1002, ...          → the next id is the last one + 1
* ``TimeIds``        milliseconds since epoch  → a few thousand guesses around "now"
* ``HashIds``        md5(user:seconds)         → looks random, is a function of guessable inputs
* ``RandomModuleIds``  ``random.getrandbits(128)`` → Mersenne Twister: 624 outputs
  (156 ids of 128 bits) reveal its whole state, then every future id is known
  (``clone_mt_from_ids``).
"""

from __future__ import annotations

import hashlib
import math
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterable

__all__ = [
    "secure_ids",
    "SequentialIds",
    "TimeIds",
    "HashIds",
    "RandomModuleIds",
    "untemper",
    "clone_mt_from_ids",
    "ids_needed_for_mt",
    "entropy_bits",
    "expected_guess_seconds",
    "GENERATORS",
]


def secure_ids(username: str | None = None) -> str:
    """256 bits from ``secrets`` (the OS CSPRNG), URL-safe base64: 43 characters."""
    return secrets.token_urlsafe(32)


class SequentialIds:
    """⚠️ VULNERABLE: a counter."""

    def __init__(self, start: int = 1001):
        self._next = start
        self._lock = threading.Lock()

    def __call__(self, username: str | None = None) -> str:
        with self._lock:
            value, self._next = self._next, self._next + 1
        return str(value)


class TimeIds:
    """⚠️ VULNERABLE: the current time in milliseconds."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock

    def __call__(self, username: str | None = None) -> str:
        return str(int(self.clock() * 1000))


class HashIds:
    """⚠️ VULNERABLE: md5(username:unix-seconds) — a hash hides nothing if its inputs are guessable."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock

    def __call__(self, username: str | None = None) -> str:
        return hash_id(username or "anonymous", int(self.clock()))


def hash_id(username: str, seconds: int) -> str:
    return hashlib.md5(f"{username}:{seconds}".encode()).hexdigest()


class RandomModuleIds:
    """⚠️ VULNERABLE: 128 bits from ``random`` (Mersenne Twister, not a CSPRNG), 32 hex digits."""

    def __init__(self, seed=None):
        self.rng = random.Random(seed)  # seeded from os.urandom when seed is None: still predictable
        self._lock = threading.Lock()

    def __call__(self, username: str | None = None) -> str:
        with self._lock:
            return f"{self.rng.getrandbits(128):032x}"


GENERATORS = {
    "secrets": secure_ids,
    "sequential": SequentialIds,
    "time": TimeIds,
    "hash": HashIds,
    "random": RandomModuleIds,
}


# --- recovering Mersenne Twister's state -----------------------------------------


def _undo_right(y: int, shift: int) -> int:
    result = y
    for _ in range(32 // shift + 1):
        result = y ^ (result >> shift)
    return result & 0xFFFFFFFF


def _undo_left(y: int, shift: int, mask: int) -> int:
    result = y
    for _ in range(32 // shift + 1):
        result = y ^ ((result << shift) & mask)
    return result & 0xFFFFFFFF


def untemper(y: int) -> int:
    """Invert MT19937's output tempering: one 32-bit output → one word of the internal state."""
    y = _undo_right(y, 18)
    y = _undo_left(y, 15, 0xEFC60000)
    y = _undo_left(y, 7, 0x9D2C5680)
    return _undo_right(y, 11)


def _words_of_id(sid: str) -> list[int]:
    """``getrandbits(128)`` builds its number from four 32-bit outputs, lowest word first."""
    value = int(sid, 16)
    return [(value >> (32 * i)) & 0xFFFFFFFF for i in range(4)]


def ids_needed_for_mt(bits_per_id: int = 128) -> int:
    return math.ceil(624 / (bits_per_id // 32))


def clone_mt_from_ids(ids: Iterable[str]) -> random.Random:
    """A ``random.Random`` in the same state as the generator that issued ``ids`` (≥ 156, consecutive).

    Its next ``getrandbits(128)`` is the server's next session id.
    """
    words: list[int] = []
    for sid in ids:
        words.extend(_words_of_id(sid))
    if len(words) < 624:
        raise ValueError(f"연속된 32비트 출력 624개가 필요합니다 (지금 {len(words)}개).")
    state = [untemper(w) for w in words[-624:]]
    clone = random.Random()
    clone.setstate((3, tuple(state + [624]), None))
    return clone


# --- entropy and guessing arithmetic (OWASP Session Management Cheat Sheet) -----------


def entropy_bits(alphabet_size: int, length: int) -> float:
    """Bits of entropy of ``length`` symbols drawn uniformly from ``alphabet_size`` symbols."""
    return length * math.log2(alphabet_size)


def expected_guess_seconds(bits: float, live_sessions: int, guesses_per_second: float) -> float:
    """OWASP's formula: (2**bits + 1) / (2 * guesses/s * live sessions) seconds to hit *some* live session."""
    return (2**bits + 1) / (2 * guesses_per_second * max(1, live_sessions))
