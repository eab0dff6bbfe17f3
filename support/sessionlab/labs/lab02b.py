"""Lab 02b (세션 ID의 안전한 생성): how long guessing an id takes, in words and as a widget.

The generators and the attacks on them are ``sessionlab.web.ids``.
"""

from __future__ import annotations


def _human(seconds: float) -> str:
    for unit, size in (("년", 365 * 24 * 3600), ("일", 24 * 3600), ("시간", 3600), ("분", 60)):
        if seconds >= size:
            value = seconds / size
            return f"{value:.3g} {unit}" if value < 1e6 else f"{value:.2e} {unit}"
    return f"{seconds:.3g} 초"


def guess_time_text(bits: float, live_sessions: int, guesses_per_second: float) -> str:
    from sessionlab.web.ids import expected_guess_seconds

    seconds = expected_guess_seconds(bits, live_sessions, guesses_per_second)
    verdict = "✅ OWASP 기준(64비트 이상) 충족" if bits >= 64 else "❌ OWASP 기준(64비트) 미달"
    return f"엔트로피 {bits:.0f}비트 → 살아 있는 세션 하나를 맞히는 데 평균 {_human(seconds)} ({verdict})"


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
