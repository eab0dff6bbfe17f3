import threading
import time

import pytest

from sessionlab.labs.lab04a_hardening import MAX_BURST, burst, timed


def test_burst_runs_every_call_at_once_and_keeps_order_and_exceptions():
    inside, peak, lock = [0], [0], threading.Lock()

    def call():
        with lock:
            inside[0] += 1
            peak[0] = max(peak[0], inside[0])
        time.sleep(0.05)
        with lock:
            inside[0] -= 1
        return threading.get_ident()

    results = burst(10, call)
    assert len(set(results)) == 10 and peak[0] >= 5  # really parallel, one thread each
    errors = burst(3, lambda: 1 / 0)
    assert all(isinstance(e, ZeroDivisionError) for e in errors)


def test_burst_is_bounded_and_timed_measures():
    with pytest.raises(ValueError):
        burst(MAX_BURST + 1, lambda: None)
    with pytest.raises(ValueError):
        burst(0, lambda: None)
    value, took = timed(lambda: (time.sleep(0.02), 7)[1])
    assert value == 7 and took >= 0.02
