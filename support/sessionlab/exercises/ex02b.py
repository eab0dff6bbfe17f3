"""Exercise checkers of notebook 02b (session ids): entropy, a session-id function, guess time.

Re-exported by ``ex02`` (which serves 02, 02a and 02b), so ``from sessionlab.exercises.ex02 import ...`` keeps working.
"""

from __future__ import annotations

import functools
import math
import random
import re

from sessionlab.exercises.base import CheckResult, is_blank, not_answered, result

__all__ = [
    "check_entropy",
    "check_id_entropy",
    "check_session_id_function",
    "check_guess_years",
    "session_id_problem",
]


def check_entropy(answer) -> CheckResult:
    """(bits of secrets.token_urlsafe(16), bits of an 8-digit decimal id), rounded to whole bits."""
    if is_blank(answer):
        return not_answered()
    if not isinstance(answer, tuple) or len(answer) != 2:
        return CheckResult(False, "(token_urlsafe(16)의 비트 수, 8자리 숫자 ID의 비트 수) 튜플로 답하세요.")
    a, b = answer
    ok_a = isinstance(a, (int, float)) and abs(a - 128) < 1
    ok_b = isinstance(b, (int, float)) and abs(b - 8 * math.log2(10)) < 1
    if not ok_a:
        return CheckResult(
            False,
            "token_urlsafe(16)은 16바이트 = 128비트의 난수를 base64로 적은 것입니다 (글자 수 × 6이 아님).",
        )
    return result(
        ok_b,
        "128비트와 약 26.6비트: 8자리 숫자는 OWASP 기준(64비트)에 한참 못 미칩니다.",
        "8자리 숫자는 10^8 가지: log2(10^8) ≈ 26.6비트입니다.",
    )


_ID_ENTROPY = (160, 10 * math.log2(36))  # secrets.token_hex(20); 10 characters of A–Z and 0–9


def check_id_entropy(answer) -> CheckResult:
    """(bits of ``secrets.token_hex(20)``, bits of a random 10-character code of A–Z and 0–9)."""
    if is_blank(answer):
        return not_answered()
    if not isinstance(answer, tuple) or len(answer) != 2:
        return CheckResult(False, "(token_hex(20)의 비트 수, 10글자 코드의 비트 수) 튜플로 답하세요.")
    a, b = answer
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in answer):
        return CheckResult(False, "두 값 모두 숫자(비트 수)로 답하세요.")
    if abs(a - _ID_ENTROPY[0]) >= 1:
        hint = {
            320: "글자 수(40) × 8이 아닙니다: 16진수 한 글자는 4비트만 담습니다. ",
            80: "20은 글자 수가 아니라 난수 바이트 수입니다. ",
        }.get(round(a), "")
        return CheckResult(False, hint + "token_hex(n)은 n바이트의 난수를 16진수로 적은 것입니다: n × 8비트.")
    if abs(b - _ID_ENTROPY[1]) >= 1:
        hint = "36^10 가지가 아니라 글자 수 × 8로 셌습니다. " if round(b) == 80 else ""
        return CheckResult(
            False,
            hint + "한 글자가 36가지(A–Z 26개 + 0–9 10개)이면 log2(36) ≈ 5.17비트, 10글자면 그 10배입니다.",
        )
    return CheckResult(
        True,
        "160비트와 약 51.7비트: 10글자 코드는 길어 보여도 OWASP 기준(64비트)에 못 미칩니다. 길이가 아니라 경우의 수를 셉니다.",
    )


_CLOCKS = ("time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns")


def _frozen_clock_ids(fn, n: int = 50) -> list:
    """``n`` ids made while the clocks stand still: every clock of ``time``, ``datetime.datetime.now``
    (and ``utcnow``/``today``) and ``uuid.uuid1``, all restored afterwards."""
    import datetime as _datetime
    import time as _time
    import uuid as _uuid
    from unittest import mock

    fixed = _datetime.datetime.now()

    class _FrozenDatetime(_datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return fixed if tz is None else fixed.astimezone(tz)

        @classmethod
        def utcnow(cls):
            return fixed

        @classmethod
        def today(cls):
            return fixed

    one_uuid1 = _uuid.uuid1()
    patches: list = [mock.patch.object(_time, name, return_value=getattr(_time, name)()) for name in _CLOCKS]
    patches += [
        mock.patch.object(_datetime, "datetime", _FrozenDatetime),
        mock.patch.object(_uuid, "uuid1", return_value=one_uuid1),
    ]
    for p in patches:
        p.start()
    try:
        return [fn() for _ in range(n)]
    finally:
        for p in reversed(patches):
            p.stop()


def _as_int(sid: str) -> int | None:
    """The id read as a decimal or hex number (``-`` of a UUID removed), or None."""
    text = sid.replace("-", "")
    for base in (10, 16):
        try:
            return int(text, base)
        except ValueError:
            continue
    return None


def _rising_share(values: list) -> float:
    """Share of neighbours in which the later value is not smaller: about 0.5 for random ids, ~1 for a counter or clock."""
    return sum(b >= a for a, b in zip(values, values[1:])) / max(1, len(values) - 1)


def _uuid_version(sid: str) -> int | None:
    import uuid

    try:
        return uuid.UUID(sid).version
    except (ValueError, TypeError, AttributeError):
        return None


@functools.cache  # 15,000 hashes, the same for every answer checked in this process
def _small_counter_hashes(limit: int = 5000) -> frozenset[str]:
    import hashlib

    return frozenset(
        getattr(hashlib, algo)(str(i).encode()).hexdigest()
        for algo in ("md5", "sha1", "sha256")
        for i in range(limit)
    )


def _mt_predicts(ids: list[str]) -> bool:
    """True when ``ids`` are 128-bit hex numbers from one Mersenne Twister (any seed, any instance)."""
    from sessionlab.web.ids import clone_mt_from_ids, ids_needed_for_mt

    need = ids_needed_for_mt()
    if len(ids) <= need or not all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids[: need + 1]):
        return False
    clone = clone_mt_from_ids(ids[:need])
    return f"{clone.getrandbits(128):032x}" == ids[need]


def session_id_problem(fn, n: int = 2000) -> str | None:
    """Why ids from ``fn()`` are predictable or too short (a Korean hint), or None when none is found.

    Detects: errors, non-strings, repeats; ``uuid1``; ids that follow the clock (the clocks of
    ``time``, ``datetime.datetime.now`` and ``uuid.uuid1`` frozen → repeats); ids that grow in order (counters, timestamps);
    hashes of a small counter; the ``random`` module (reseeding repeats
    ids, or 156 hex ids reveal a Mersenne Twister); fewer than 64 bits by length × alphabet.
    """
    try:
        ids = [fn() for _ in range(n)]
        frozen = _frozen_clock_ids(fn)
        state = random.getstate()
        try:
            random.seed(1234)
            first = [fn() for _ in range(3)]
            random.seed(1234)
            again = [fn() for _ in range(3)]
        finally:
            random.setstate(state)
    except Exception as exc:  # the learner's code
        return f"make_session_id()에서 오류: {type(exc).__name__}: {exc}"
    if not all(isinstance(i, str) and i for i in ids):
        return "세션 ID는 비어 있지 않은 문자열이어야 쿠키에 담을 수 있습니다."
    versions = {_uuid_version(i) for i in ids}
    if versions == {1}:
        return "uuid1은 시각(100ns 단위)과 MAC 주소로 만듭니다: 다음 값을 짐작할 수 있습니다. uuid4나 secrets를 쓰세요."
    if len(set(frozen)) < len(frozen) // 2:
        return (
            "시계를 멈추자 같은 ID가 반복됩니다: ID가 시각에서 나옵니다 (time.time(), datetime.now(), uuid1, "
            "그것들의 해시 포함). "
            "공격자는 로그인 시각 근처를 모두 시도하면 됩니다."
        )
    numbers = [_as_int(i) for i in ids]
    orders = [ids] + ([numbers] if all(x is not None for x in numbers) else [])
    for seq in orders:
        if _rising_share(seq) > 0.9:
            return "ID가 만든 순서대로 커집니다 (순번이나 시각): 내 ID 근처의 값이 남의 ID입니다."
    alphabet = len(set("".join(ids)))
    bits = min(len(i) for i in ids) * math.log2(max(alphabet, 2))
    too_short = f"ID가 너무 짧습니다 (글자 수 × log2(문자 종류) ≈ {bits:.0f}비트). 64비트 이상이 필요합니다."
    if len(set(ids)) != len(ids):  # short random ids repeat by chance (birthday bound): say why
        return f"{n:,}개 중 겹치는 ID가 있습니다: 두 사용자가 같은 세션을 갖게 됩니다." + (
            f" {too_short}" if bits < 64 else ""
        )
    if set(ids) & _small_counter_hashes():
        return (
            "작은 순번(0, 1, 2, …)의 해시입니다: 해시는 입력을 숨기지 못해 공격자도 같은 해시를 계산합니다."
        )
    if first == again or _mt_predicts(ids):
        return (
            "random 모듈(메르센 트위스터)의 값입니다: 시드를 같게 하면 같은 ID가 나오고, "
            "ID 156개면 내부 상태를 복원해 다음 ID를 맞힙니다. secrets를 쓰세요."
        )
    if bits < 64:
        return too_short
    return None


def check_session_id_function(answer) -> CheckResult:
    """``make_session_id() -> str`` from a CSPRNG (``secrets``/``os.urandom``), ≥ 64 bits, nothing predictable."""
    if is_blank(answer):
        return not_answered()
    if not callable(answer):
        return CheckResult(False, "함수 make_session_id()를 answer에 넣으세요.")
    problem = session_id_problem(answer)
    if problem is not None:
        return CheckResult(False, problem)
    if {_uuid_version(answer()) for _ in range(3)} == {4}:
        return CheckResult(
            True,
            "uuid4는 os.urandom의 122비트라 기준(64비트)을 넘습니다. 의도가 더 분명한 secrets.token_urlsafe도 좋습니다.",
        )
    return CheckResult(
        True, "겹침 없음, 시계·순서·random 모듈과 무관, 64비트 이상: CSPRNG(secrets)로 만든 ID답습니다."
    )


def check_guess_years(answer, bits: int = 64, sessions: int = 100_000, rate: int = 10_000) -> CheckResult:
    """Expected years to guess a live session with OWASP's formula."""
    if is_blank(answer):
        return not_answered()
    year = 365 * 24 * 3600
    expected = (2**bits + 1) / (2 * rate * sessions) / year
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return CheckResult(False, "년 단위 숫자로 답하세요.")

    def near(value: float) -> bool:
        return abs(answer - value) <= 0.05 * value

    if near(expected):
        said = (
            f"약 {expected:,.0f}년" if expected >= 10 else f"약 {expected:.2f}년 (≈ {expected * 365:,.0f}일)"
        )
        return CheckResult(True, f"{said}: (2^B + 1) / (2 × 초당 추측 × 활성 세션 수)")
    hints = [
        (expected * year, "초로 구했습니다: 1년(365 × 24 × 3600초)으로 나누세요."),
        (2 * expected, "2로 나누세요: 평균적으로는 경우의 수의 절반을 시도하면 맞힙니다."),
        (expected * sessions, "활성 세션 수로 나누세요: 살아 있는 세션 중 아무거나 하나만 맞히면 됩니다."),
    ]
    for value, hint in hints:
        if near(value):
            return CheckResult(False, hint)
    return CheckResult(False, "공식 (2^B + 1) / (2 × A × S) 초를 1년(365 × 24 × 3600초)으로 나누세요.")
