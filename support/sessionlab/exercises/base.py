"""Exercise checkers: each ``check_...`` says in Korean what is right or wrong.

A checker returns a ``CheckResult`` that renders as one line (✅/❌ and a hint)
and is truthy when the answer is right, so a solution cell can ``assert`` it.
Checkers for one notebook live in ``sessionlab.exercises``-style modules next
to the lab code; this module holds what they share.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

__all__ = [
    "CheckResult",
    "result",
    "not_answered",
    "is_blank",
    "table_mistakes",
    "letter_mistakes",
    "check_letters",
]


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return ("✅ 정답: " if self.ok else "❌ 아직: ") + self.message

    def _repr_html_(self) -> str:
        color = "#047857" if self.ok else "#b91c1c"
        return f'<div style="color:{color}">{html.escape(repr(self))}</div>'


def is_blank(answer) -> bool:
    """``...`` or ``None`` means the learner has not filled the blank yet."""
    return answer is ... or answer is None


def not_answered() -> CheckResult:
    return CheckResult(False, "빈칸(...)을 채운 뒤 다시 실행하세요.")


def result(ok: bool, right: str, wrong: str) -> CheckResult:
    return CheckResult(bool(ok), right if ok else wrong)


def table_mistakes(answer, expected: dict, keys_message: str, same=None) -> tuple[CheckResult | None, list]:
    """For exercises answered as a dict with ``expected``'s keys.

    Returns ``(problem, wrong_keys)``: ``problem`` is a CheckResult to return at once
    (blank, or not a dict with exactly those keys: ``keys_message`` says what to write),
    else None and the keys whose value differs (``same(given, right)`` decides).
    Test ``problem is not None``: a CheckResult that is not right is falsy.
    """
    if is_blank(answer):
        return not_answered(), []
    if not isinstance(answer, dict) or set(answer) != set(expected):
        return CheckResult(False, keys_message), []
    same = same or (lambda given, right: given == right)
    return None, [k for k, right in expected.items() if not same(answer[k], right)]


def letter_mistakes(answer, options, right) -> tuple[CheckResult | None, list[str]]:
    """For exercises answered as a set of letters from ``options`` (the right ones: ``right``).

    Returns ``(problem, wrong_letters)`` like ``table_mistakes``: ``problem`` (blank, not a
    collection, or a letter not offered) is returned at once; else the letters wrongly chosen or
    missed, in order, so the checker can give each one's hint.
    """
    if is_blank(answer):
        return not_answered(), []
    letters = sorted(options)
    span = f"{letters[0]}~{letters[-1]}"
    if not isinstance(answer, (set, frozenset, list, tuple)):
        return CheckResult(False, f'글자를 집합으로 적으세요 ({span} 가운데서): 예 {{"A"}}'), []
    chosen = {str(a).strip().upper() for a in answer}
    if not chosen <= set(options):
        return CheckResult(False, f"글자 {span} 중에서 고르세요"), []
    return None, sorted(chosen ^ set(right))


def check_letters(answer, options: dict, praise: str) -> CheckResult:
    """A letter-set exercise whose ``options`` are ``letter → (text, right?, hint)``.

    Right: ``praise``. Wrong: the hint of every letter wrongly chosen or missed, in order.
    """
    problem, wrong = letter_mistakes(answer, options, {k for k, (_, ok, _) in options.items() if ok})
    if problem is not None:
        return problem
    return result(not wrong, praise, " / ".join(options[k][2] for k in wrong))
