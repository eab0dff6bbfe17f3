"""Checkers of notebook 04 accept the right answer and reject typical mistakes."""

from sessionlab.exercises.ex04 import check_memory_estimate, check_needs_state, check_self_contained


def test_checkers_04():
    assert (
        not check_self_contained(...) and check_self_contained("cookie") and not check_self_contained("Host")
    )
    assert check_memory_estimate(
        600 * 250_000 / 2**20, 600, 250_000, unit="MiB"
    ) and not check_memory_estimate(600 * 250_000 / 1e6, 600, 250_000, unit="MiB")
    assert (
        check_needs_state({"b", "C"}) and not check_needs_state({"A", "B", "C"}) and not check_needs_state(5)
    )
