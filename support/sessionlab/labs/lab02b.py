"""Lab 02b (세션 ID의 안전한 생성): how long guessing an id takes, in words, as a table and as a widget.

The generators and the attacks on them are ``sessionlab.web.ids``.
"""

from __future__ import annotations

import math

__all__ = ["human_duration", "guess_time_text", "guess_time_table", "entropy_widget"]

_YEAR = 365 * 24 * 3600
_UNITS = (("년", _YEAR), ("일", 24 * 3600), ("시간", 3600), ("분", 60))


def human_duration(seconds: float) -> str:
    """A duration a learner reads at a glance: '사실상 0초 (1밀리초 미만)', '0.05초', '3.2분', '292년',
    '약 5.4 × 10^21년' (never ``3.17e-17년``)."""
    if seconds < 1e-3:
        return "사실상 0초 (1밀리초 미만)"
    for unit, size in _UNITS:
        if seconds >= size:
            value = seconds / size
            if value < 10:
                return f"{value:.1f}{unit}"
            if value < 1e6:
                return f"{value:,.0f}{unit}"
            exponent = math.floor(math.log10(value))
            return f"약 {value / 10**exponent:.1f} × 10^{exponent}{unit}"
    return f"{seconds:.2g}초"


def guess_time_text(bits: float, live_sessions: int, guesses_per_second: float) -> str:
    from sessionlab.web.ids import expected_guess_seconds

    seconds = expected_guess_seconds(bits, live_sessions, guesses_per_second)
    verdict = "✅ OWASP 기준(64비트 이상) 충족" if bits >= 64 else "❌ OWASP 기준(64비트) 미달"
    return f"엔트로피 {bits:.0f}비트 → 살아 있는 세션 하나를 맞히는 데 평균 {human_duration(seconds)} ({verdict})"


def guess_time_table(schemes: dict[str, float], live_sessions: int, guesses_per_second: float) -> list[dict]:
    """One row per id scheme (name → bits): its entropy and the expected time to guess a live session."""
    from sessionlab.web.ids import expected_guess_seconds

    return [
        {
            "생성 방식": name,
            "엔트로피": f"{bits:.1f}비트",
            "평균 추측 시간": human_duration(expected_guess_seconds(bits, live_sessions, guesses_per_second)),
        }
        for name, bits in schemes.items()
    ]


def entropy_widget():
    """Sliders: random bytes in the id, live sessions, attacker guesses per second → expected time."""
    import ipywidgets as w

    nbytes = w.IntSlider(value=8, min=1, max=32, description="난수 바이트")
    sessions = w.IntText(value=100_000, description="활성 세션 수")
    rate = w.IntText(value=10_000, description="초당 추측")
    out = w.HTML()

    def update(*_):
        out.value = guess_time_text(8 * nbytes.value, max(1, sessions.value), max(1, rate.value))

    for control in (nbytes, sessions, rate):
        control.observe(update, names="value")
    update()
    return w.VBox([nbytes, sessions, rate, out])
