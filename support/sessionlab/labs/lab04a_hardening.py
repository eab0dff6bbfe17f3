"""Notebook 04a, "더 깊이 (선택): B" (B.1–B.4): the token app under a parallel burst and a store outage (plumbing only).

``burst(n, call)`` releases ``n`` threads at once (a barrier) and returns what each
``call()`` returned, so a notebook cell can send the *same* request many times in
parallel and count the answers. ``timed(call)`` returns ``(result, seconds)``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["burst", "timed", "MAX_BURST"]

T = TypeVar("T")
MAX_BURST = 200  # bounded: a lab never starts more threads than this


def burst(n: int, call: Callable[[], T], timeout: float = 30.0) -> list[T | BaseException]:
    """``call()`` from ``n`` threads released together; the results (or the exceptions) in thread order."""
    if not 1 <= n <= MAX_BURST:
        raise ValueError(f"동시 요청 수는 1~{MAX_BURST} 사이여야 합니다: {n}")
    gate = threading.Barrier(n, timeout=timeout)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            gate.wait()
            results[i] = call()
        except BaseException as exc:  # kept, so the cell can show it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    if any(t.is_alive() for t in threads):
        raise TimeoutError(f"{timeout}초 안에 끝나지 않은 요청이 있습니다")
    return results


def timed(call: Callable[[], T]) -> tuple[T, float]:
    """``(call(), seconds it took)``."""
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start
