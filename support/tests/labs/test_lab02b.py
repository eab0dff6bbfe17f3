"""Lab 02b's readable outputs: durations in words, the guess-time table."""

from sessionlab.labs.lab02 import text_table
from sessionlab.labs.lab02b import guess_time_table, guess_time_text, human_duration


def test_human_duration_never_prints_exponents_of_tiny_numbers():
    assert human_duration(1e-9) == "사실상 0초 (1밀리초 미만)"
    assert human_duration(0.05) == "0.05초"
    assert human_duration(50.9) == "51초"
    assert human_duration(200) == "3.3분"
    assert human_duration(9.22e9) == "292년"
    assert human_duration(1.7e29) == "약 5.4 × 10^21년"
    assert "e-" not in human_duration(3e-17) and "e+" not in human_duration(5.79e67)


def test_guess_time_table_rows_and_verdict_text():
    rows = guess_time_table(
        {"순번": 0, "OWASP 최소 64비트": 64}, live_sessions=100_000, guesses_per_second=10_000
    )
    assert [r["평균 추측 시간"] for r in rows] == ["사실상 0초 (1밀리초 미만)", "292년"]
    assert rows[1]["엔트로피"] == "64.0비트"
    table = text_table(rows, right=("평균 추측 시간",))
    assert table.splitlines()[0].startswith("생성 방식") and "292년" in table.splitlines()[-1]
    assert "미달" in guess_time_text(32, 1000, 1000) and "e+" not in guess_time_text(256, 1020, 900)
