"""A progress bar for steps that take more than a couple of seconds, which ends as one line of text.

``tqdm.auto`` in a notebook shows a widget; a stored notebook keeps only the text it had when it
was first displayed ("0%"). ``progress_bar`` shows the same live bar, and when the work is done it
replaces the bar with ``"측정: 18/18 완료 (12.3초)"`` (an IPython display update), so the saved
notebook and a reader without widgets see the finished state. Outside a notebook it is plain tqdm.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["progress_bar", "track", "done_line"]


def done_line(desc: str, n: float, total: float | None, seconds: float) -> str:
    """``"측정: 18/18 완료 (12.3초)"``: what the finished bar leaves behind."""
    count = f"{n:,.0f}/{total:,.0f}" if total else f"{n:,.0f}"
    return f"{desc}: {count} 완료 ({seconds:.1f}초)"


def _in_notebook_with_widgets() -> bool:
    from tqdm.auto import tqdm as auto
    from tqdm.notebook import tqdm as notebook

    return issubclass(auto, notebook)  # tqdm.auto picks a subclass of the widget bar in a kernel


@contextmanager
def progress_bar(total: int, desc: str, unit: str = "it", **options) -> Iterator:
    """``with progress_bar(total=18, desc="측정") as bar: ... bar.update(1)``."""
    started = time.perf_counter()
    if not _in_notebook_with_widgets():
        from tqdm.auto import tqdm

        with tqdm(total=total, desc=desc, unit=unit, **options) as bar:
            yield bar
        return
    from IPython.display import display
    from tqdm.notebook import tqdm as notebook_tqdm

    bar = notebook_tqdm(total=total, desc=desc, unit=unit, display=False, **options)
    handle = display(bar.container, display_id=True)
    try:
        yield bar
    finally:
        bar.close()
        line = done_line(desc, bar.n, bar.total, time.perf_counter() - started)
        if handle is not None:
            handle.update({"text/plain": line}, raw=True)


def track(items, desc: str) -> Iterator:
    """``for s in track(STRATEGIES, "측정"): ...``: each item, with a bar that ends as one line."""
    items = list(items)
    with progress_bar(total=len(items), desc=desc) as bar:
        for item in items:
            yield item
            bar.update(1)
